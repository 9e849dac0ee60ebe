import { useRef, useState } from 'preact/hooks';
import { S } from '../strings.js';
import { sourceChoice, sourceOptions } from '../org.js';
import { me, mutate, useStore } from '../store.js';
import { navigate } from '../router.jsx';
import { uuid } from '../sync/db.js';
import { pathOf } from '../sync/entities.js';
import { fromLocalInput, toLocalInput } from '../format.js';
import { Screen, fieldMessage, showNotice } from '../components.jsx';
import { checkCapture, ownerChoices } from '../rules.js';

const inOneDay = () => toLocalInput(new Date(Date.now() + 24 * 3600_000).toISOString());

// Quick capture. A lead handed to someone else says so once saved: customer service (who
// sees no leads) gets a confirmation that stays, naming the lead and its new owner, with
// whether it has been sent; others go to the lead, its owner shown, with a notice.
export function Capture() {
  const [handed, setHanded] = useState(null); // {id, name, company, owner}
  const [round, setRound] = useState(0); // a new form (and a new lead id) per capture
  if (handed) {
    return <HandedOver handed={handed} onAnother={() => {
      setHanded(null);
      setRound(round + 1);
    }} />;
  }
  return <CaptureForm key={round} onHanded={setHanded} />;
}

function HandedOver({ handed, onAnother }) {
  const s = useStore();
  const waiting = s.outbox.some((e) => e.name === 'lead.create' && e.args?.id === handed.id);
  return (
    <Screen title={S.handedTitle}>
      <div class="handed">
        <p class="handed-to">{S.handedTo(handed.owner)}</p>
        <p class="handed-lead"><strong>{handed.name}</strong>{handed.company && ` · ${handed.company}`}</p>
        <p class={waiting ? 'note' : 'muted'}>{waiting ? S.handedWaiting : S.handedSent}</p>
        <div class="row">
          <button type="button" class="primary" onClick={onAnother}>{S.captureAnother}</button>
        </div>
      </div>
    </Screen>
  );
}

function CaptureForm({ onHanded }) {
  const s = useStore();
  const products = s.products.filter((p) => p.active !== false);
  const [f, setF] = useState({
    contact_name: '', company: '', phone: '', email: '', product_id: '', product_text: '',
    source: sourceChoice(s.org), owner_id: '', next_follow_up_at: inOneDay(), notes: '',
  });
  // The organisation's list may change under an open form (a sync): never send a source it
  // no longer has. '' until chosen, unless the organisation set a default_source.
  const source = sourceChoice(s.org, f.source);
  // Whom this person may give the lead to (rules.js ownerChoices, the server's
  // may_give_lead_to): a rep captures for themselves; customer service must choose.
  const self = me();
  const owners = ownerChoices(self, s.users);
  const ownerId = owners.choices.some((o) => o.id === f.owner_id) ? f.owner_id : '';
  const checkArgs = (args) => checkCapture(args, { ownerRequired: owners.required });
  const [errors, setErrors] = useState({});
  const [checkedOnce, setCheckedOnce] = useState(false);
  // The lead's id is made once per form: a second submit (a double tap) is the same
  // lead.create, which the outbox takes once. `saving` disables Save from the first tap.
  const [id] = useState(uuid);
  const saving = useRef(false);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);

  function argsOf(values) {
    const args = { id, contact_name: values.contact_name.trim() };
    const chosenSource = sourceChoice(s.org, values.source);
    if (chosenSource) args.source = chosenSource;
    const owner = owners.choices.some((o) => o.id === values.owner_id) ? values.owner_id : '';
    if (owner && owner !== self?.id) args.owner_id = owner; // none: the person themselves
    for (const k of ['company', 'phone', 'email', 'product_text', 'notes']) if (values[k].trim()) args[k] = values[k].trim();
    if (values.product_id) args.product_id = values.product_id;
    if (values.next_follow_up_at) args.next_follow_up_at = fromLocalInput(values.next_follow_up_at);
    return args;
  }

  const bind = (k) => ({
    value: f[k],
    onInput: (e) => {
      const next = { ...f, [k]: e.currentTarget.value };
      setF(next);
      if (checkedOnce) setErrors(checkArgs(argsOf(next))); // messages follow the typing
    },
    'aria-invalid': errors[k] ? 'true' : undefined,
    'aria-describedby': errors[k] ? `capture-${k}-error` : undefined,
  });
  const choose = (k) => (e) => {
    const next = { ...f, [k]: e.currentTarget.value };
    setF(next);
    if (checkedOnce) setErrors(checkArgs(argsOf(next)));
  };
  const invalidProps = (k) => ({
    'aria-invalid': errors[k] ? 'true' : undefined,
    'aria-describedby': errors[k] ? `capture-${k}-error` : undefined,
  });
  const message = (k) => errors[k] && <p class="field-error" id={`capture-${k}-error`}>{fieldMessage(errors[k])}</p>;

  async function submit(e) {
    e.preventDefault();
    if (saving.current) return;
    const args = argsOf(f);
    const found = checkArgs(args);
    setErrors(found);
    setCheckedOnce(true);
    if (Object.keys(found).length) {
      const first = ['contact_name', 'phone', 'email', 'company', 'owner_id', 'product_text', 'source', 'notes']
        .find((k) => found[k]);
      form.current?.elements.namedItem(first)?.focus();
      return;
    }
    saving.current = true;
    setBusy(true);
    try {
      await mutate('lead.create', args);
      const owner = args.owner_id && owners.choices.find((o) => o.id === args.owner_id)?.name;
      // Customer service sees no leads: the one it handed over leaves its device once sent,
      // so the confirmation names it and its owner.
      if (self?.role === 'cs') {
        onHanded({ id, name: args.contact_name, company: args.company, owner: owner || '' });
        return;
      }
      if (owner) showNotice(S.handedTo(owner), { ms: 6_000 });
      navigate(pathOf('lead', id));
    } catch (error) {
      saving.current = false;
      setBusy(false);
      throw error;
    }
  }

  const invalid = Object.keys(errors).length > 0;
  return (
    <Screen title={S.captureTitle}>
      <form class="form" onSubmit={submit} noValidate ref={form}>
        <label>
          <span>{S.contactName} <span aria-hidden="true">*</span></span>
          <input name="contact_name" required autocomplete="name" {...bind('contact_name')} />
        </label>
        {message('contact_name')}
        <label>
          {S.phone}
          <input name="phone" type="tel" inputMode="tel" autocomplete="tel" {...bind('phone')} />
        </label>
        {message('phone')}
        <label>
          {S.email}
          <input name="email" type="email" inputMode="email" autocomplete="email" {...bind('email')} />
        </label>
        {message('email')}
        <label>
          {S.company}
          <input name="company" autocomplete="organization" {...bind('company')} />
        </label>
        {message('company')}
        {owners.offer && (
          <label>
            <span>{S.ownerForLead}{owners.required && <span aria-hidden="true"> *</span>}</span>
            <select name="owner_id" aria-label={S.ownerForLead} required={owners.required} value={ownerId} onChange={choose('owner_id')} {...invalidProps('owner_id')}>
              <option value="">{owners.required ? S.choose : S.ownerMe(self?.name || '')}</option>
              {owners.choices.filter((o) => o.id !== self?.id).map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
            </select>
          </label>
        )}
        {owners.offer && message('owner_id')}
        <label>
          {S.product}
          <select name="product_id" aria-label={S.product} value={f.product_id} onChange={(e) => setF({ ...f, product_id: e.currentTarget.value })}>
            <option value="">{S.productNone}</option>
            {products.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </select>
        </label>
        {!f.product_id && (
          <label>
            {S.productText}
            <input name="product_text" {...bind('product_text')} />
          </label>
        )}
        {!f.product_id && message('product_text')}
        <label>
          <span>{S.source} <span aria-hidden="true">*</span></span>
          <select name="source" aria-label={S.source} required value={source} onChange={choose('source')} {...invalidProps('source')}>
            {!s.org.default_source && <option value="">{S.choose}</option>}
            {sourceOptions(s.org).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </label>
        {message('source')}
        <label>
          {S.nextFollowUp}
          <input name="next_follow_up_at" type="datetime-local" {...bind('next_follow_up_at')} />
        </label>
        <label>
          {S.notes}
          <textarea name="notes" rows={2} {...bind('notes')} />
        </label>
        {message('notes')}
        {invalid && <p class="error" role="alert">{S.fixBelow}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{busy ? S.saving : S.save}</button>
          <button type="button" onClick={() => history.back()}>{S.cancel}</button>
        </div>
      </form>
    </Screen>
  );
}
