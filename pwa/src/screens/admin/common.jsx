// What every administration screen shares: reading a list from the API, saving with the
// server's field errors shown in place (the form's logic is form.js), the list-then-form
// state, the parts every form ends with, and the note that administration needs the network.
// Administration is online-only on purpose: its changes reach every device through sync, and
// a refused admin change is answered at once (the form keeps what was typed) instead of
// waiting in an outbox.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { apiRequest, syncNow, useStore } from '../../store.js';
import { HttpError } from '../../sync/api.js';
import { Link } from '../../router.jsx';
import { Screen, fieldMessage } from '../../components.jsx';
import { formActions, useFormState } from './form.js';

// GET `path` now and whenever `reload()` is called; {data, error, loading, reload}.
export function useRemote(path) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    apiRequest('GET', path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => { live = false; };
  }, [path, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}

// Send a change; resolves to {ok: true, data} or {ok: false, message, fields} (fields: the
// server's per-field messages, for Field's `error`). A successful change also starts a sync,
// so the device's own copy (org lists, products, policies…) follows at once.
export async function save(method, path, body) {
  try {
    const data = await apiRequest(method, path, body);
    syncNow();
    return { ok: true, data };
  } catch (e) {
    if (e instanceof HttpError) {
      return { ok: false, status: e.status, message: e.message, fields: e.body?.error?.fields || {} };
    }
    return { ok: false, status: 0, message: S.adminNoConnection, fields: {} };
  }
}

// An admin form (form.js): its state, and what it does with it, saving through save().
export function useAdminForm(initial, options = {}) {
  const state = useFormState(initial);
  return { ...state, ...formActions(state, { save, ...options }) };
}

// A section's list with one form over it: what is open (null: the list; 'new'; or a record)
// and the line said after the last save ({text, tone}; tone 'ok': a save went through).
// Opening or closing the form clears the line; `done` closes it saying how it went, then
// calls `after(saved)` (to read the list again).
export function useEditing(after) {
  const [editing, setEditing] = useState(null);
  const [status, setStatus] = useState({ text: '', tone: '' });
  const say = (text, tone = '') => setStatus({ text, tone });
  return {
    editing,
    status,
    say,
    open: (what) => { say(''); setEditing(what); },
    close: () => { say(''); setEditing(null); },
    done: (text, { tone = 'ok', saved = null } = {}) => { setEditing(null); say(text, tone); after(saved); },
  };
}

// A form's status line ({text, tone}; tone 'ok' | 'bad' | ''), read out as it changes.
export function useStatusLine() {
  const [said, say] = useState({ text: '', tone: '' });
  return [said, (text, tone = '') => say({ text, tone })];
}

// A change to the organisation from a form with a status line (Organisation, Lists): "Nothing
// changed." when there is none, "Saving…" while it goes. The answer, or null for no change.
export async function saveOrgChange(body, setBusy, setSaid) {
  if (!Object.keys(body).length) {
    setSaid(S.admNothingChanged);
    return null;
  }
  setBusy(true);
  setSaid(S.admSaving);
  const res = await save('PATCH', '/org', body);
  setBusy(false);
  return res;
}

// What a refusal says besides the fields the form places (`placed(field)`): the server's
// message and every other field's, or '' when each message has its place.
export function otherMessage(res, placed) {
  const rest = Object.entries(res.fields).filter(([f]) => !placed(f));
  return rest.length || !Object.keys(res.fields).length
    ? [res.message, ...rest.map(([f, m]) => `${f}: ${fieldMessage(m)}`)].join(' ')
    : '';
}

// The end of an admin form: the message under it, Save ("Saving…" while busy) and Cancel.
export function FormEnd({ message, busy, label, saving = S.admSaving, onCancel }) {
  return (
    <>
      {message && <p class="error" role="alert">{message}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{busy ? saving : label}</button>
        {onCancel && <button type="button" onClick={onCancel}>{S.cancel}</button>}
      </div>
    </>
  );
}

// "Delete …?" asked in place: the question, the action and a way back.
export function Confirm({ id, question, action, actionClass = 'danger-fill', busy, onConfirm, back = S.cancel, onBack }) {
  return (
    <div class="confirm" role="alertdialog" aria-labelledby={id}>
      <p id={id}>{question}</p>
      <div class="row">
        <button type="button" class={actionClass} disabled={busy} onClick={onConfirm}>{action}</button>
        <button type="button" onClick={onBack}>{back}</button>
      </div>
    </div>
  );
}

// A time-zone select's options, grouped by area (catalog.js timeZoneGroups()).
export function ZoneOptions({ zones }) {
  const options = (g) => g.zones.map((z) => <option key={z.value} value={z.value}>{z.label}</option>);
  return zones.map((g) => (g.area ? <optgroup key={g.area} label={g.area}>{options(g)}</optgroup> : options(g)));
}

// Shown instead of a section's content when it cannot be read (offline, or refused).
export function RemoteError({ error, onRetry }) {
  const s = useStore();
  const text = !s.online || !(error instanceof HttpError) ? S.adminOffline : error.message;
  return (
    <div class="note" role="alert">
      <p>{text}</p>
      <button type="button" onClick={onRetry}>{S.adminRetry}</button>
    </div>
  );
}

// An administration section: its title, the way back, and its content — or, when what it
// shows cannot be read, why and a way to try again.
export function AdminSection({ title, error, onRetry, children }) {
  return (
    <Screen title={title}>
      <BackToAdmin />
      {error ? <RemoteError error={error} onRetry={onRetry} /> : children}
    </Screen>
  );
}

// The head of a section's list: what it is, the line said after the last save (`tone`: its
// class), a note, and the button that opens a new record's form (none without `onNew`).
export function ListHead({ intro, note, status, tone = status.tone, newLabel, onNew }) {
  return (
    <>
      <p class="muted">{intro}</p>
      {note}
      <p class={tone ? `adm-status ${tone}` : 'adm-status'} role="status">{status.text}</p>
      {onNew && <button type="button" class="primary" onClick={onNew}>{newLabel}</button>}
    </>
  );
}

// A form's way back to its section's list, above it.
export function BackToList({ label, onBack }) {
  return <p class="back"><button type="button" class="link" onClick={onBack}>{label}</button></p>;
}

// "Product": any, or one of the organisation's products (the device's synced catalogue).
export function ProductSelect({ label, ...select }) {
  const s = useStore();
  return (
    <label>{label}
      <select name="product_id" {...select}>
        <option value="">{S.cannedAdmAnyProduct}</option>
        {s.products.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </select>
    </label>
  );
}

// "← Administration": back to the list of sections.
export function BackToAdmin() {
  return <p class="back"><Link href="/admin">{S.adminBack}</Link></p>;
}
