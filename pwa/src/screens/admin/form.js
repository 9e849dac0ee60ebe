// One administration form's logic, the same on every admin screen: its fields bound to inputs
// (typing clears that field's message), a busy-guarded round trip to the server, and a refusal
// split into messages at the fields and one under the form. Free of the store and of JSX, so
// it is tested without a browser (test/adminForm.test.js); common.jsx's useAdminForm() wires
// it to state and to save().
import { useState } from 'preact/hooks';
import { S } from '../../strings.js';

// The form's state: what is typed, the messages at the fields, the one under the form, and
// whether a save is on its way.
export function useFormState(initial) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  return { form, setForm, errors, setErrors, message, setMessage, busy, setBusy };
}

// An updater that drops the messages at `places`; the same object when none is shown there,
// so nothing renders again for it.
export const withoutErrors = (places) => (errors) =>
  (places.some((p) => errors[p])
    ? { ...errors, ...Object.fromEntries(places.map((p) => [p, undefined])) }
    : errors);

// A refused save split for its form: the server's messages on the form's own fields (`known`:
// their names, or a test of a name), shown at each field, and one message under the form for
// the rest — or `notSaved` when every message has its field, or the server's message when it
// named none.
export function splitRefusal(res, known, fields = res.fields || {}, notSaved = S.admNotSaved) {
  const isKnown = typeof known === 'function' ? known : (f) => known.includes(f);
  const inPlace = Object.fromEntries(Object.entries(fields).filter(([f]) => isKnown(f)));
  const other = Object.entries(fields).filter(([f]) => !isKnown(f));
  const message = other.length
    ? other.map(([f, m]) => `${f}: ${[].concat(m).join(' ')}`).join('; ')
    : Object.keys(inPlace).length ? notSaved : res.message;
  return { inPlace, message };
}

// The form's own checks ({field: what was found}) as messages at the fields.
export const checkMessages = (found, textOf) =>
  Object.fromEntries(Object.entries(found).map(([f, what]) => [f, [textOf(what)]]));

// Where a form saves: PATCH the record it edits, or POST a new one to the collection.
export const saveTarget = (collection, record) =>
  (record ? ['PATCH', `${collection}/${record.id}`] : ['POST', collection]);

// An edit of `record` that changes nothing (a new record always has something to save).
export const nothingToSave = (record, body) => Boolean(record) && !Object.keys(body).length;

// What a form does with its state (useFormState's, or any alike). Options:
// - save(method, path, body): the round trip, {ok, data} or {ok: false, status, message, fields};
// - idPrefix: of the ids Field gives each field's message;
// - known, notSaved: the fields shown in place, and the words when all of a refusal is there;
// - fieldsOf(res): the server's fields as the form places them (a message said in full…);
// - errorKey(k): where the message of what `k` edits shows (a duration's hours → its field);
// - editClearsMessage: an edit also takes away the message under the form;
// - onRefused(): after a refusal is shown (to move focus to the first marked field).
export function formActions(state, {
  save, idPrefix, known = [], notSaved = S.admNotSaved, fieldsOf = (res) => res.fields,
  errorKey = (k) => k, editClearsMessage = false, onRefused = () => {},
}) {
  const { form, errors, busy, setForm, setErrors, setMessage, setBusy } = state;

  // Functional updates: two inputs before one render must not lose the first. `patch` is
  // the fields changed, or a function of the form giving them.
  const change = (patch, ...places) => {
    setForm((f) => ({ ...f, ...(typeof patch === 'function' ? patch(f) : patch) }));
    setErrors(withoutErrors(places));
    if (editClearsMessage) setMessage('');
  };
  const set = (k, value) => change({ [k]: value }, errorKey(k));

  const refuse = (res) => {
    const { inPlace, message } = splitRefusal(res, known, fieldsOf(res), notSaved);
    setErrors(inPlace);
    setMessage(message);
    onRefused();
  };
  const refuseChecks = (found, textOf) => {
    setErrors(checkMessages(found, textOf));
    setMessage(notSaved);
    onRefused();
  };

  // The round trip with the form busy meanwhile (its buttons disabled, its submit ignored).
  const call = async (method, path, body) => {
    setBusy(true);
    const res = await save(method, path, body);
    setBusy(false);
    return res;
  };
  // The same, with a refusal shown on the form: the answer, or null when refused.
  const send = async (method, path, body) => {
    const res = await call(method, path, body);
    if (res.ok) return res;
    refuse(res);
    return null;
  };

  // A submit handler: the browser's own submit stopped, nothing while a save is on its way,
  // the last message taken away (unless `keepMessage`), then `handler()`.
  const onSubmit = (handler, { keepMessage = false } = {}) => (e) => {
    e.preventDefault();
    if (busy) return undefined;
    if (!keepMessage) setMessage('');
    return handler();
  };

  return {
    onSubmit,
    change,
    set,
    refuse,
    refuseChecks,
    call,
    send,
    // A Field's props: the value, typing into it (read before the update), its message.
    bind: (k) => ({ value: form[k], onInput: (e) => set(k, e.currentTarget.value), error: errors[k], idPrefix }),
    // A select's props: choosing leaves the field's message until the next save.
    pick: (k) => ({
      value: form[k],
      onChange: (e) => {
        const { value } = e.currentTarget;
        setForm((f) => ({ ...f, [k]: value }));
      },
    }),
  };
}
