import { useState } from 'preact/hooks';
import { S } from '../strings.js';
import { sourceChoice, sourceOptions } from '../org.js';
import { mutate, useStore } from '../store.js';
import { navigate } from '../router.jsx';
import { uuid } from '../sync/db.js';
import { pathOf } from '../sync/entities.js';
import { fromLocalInput, toLocalInput } from '../format.js';
import { Screen } from '../components.jsx';

const inOneDay = () => toLocalInput(new Date(Date.now() + 24 * 3600_000).toISOString());

export function Capture() {
  const s = useStore();
  const products = s.products.filter((p) => p.active !== false);
  const [f, setF] = useState({
    contact_name: '', company: '', phone: '', product_id: '', product_text: '', source: sourceChoice(s.org),
    next_follow_up_at: inOneDay(), notes: '',
  });
  // The organisation's list may change under an open form (a sync): never send a source it
  // no longer has.
  const source = sourceChoice(s.org, f.source);
  const [error, setError] = useState('');
  const bind = (k) => ({ value: f[k], onInput: (e) => setF({ ...f, [k]: e.currentTarget.value }) });

  async function submit(e) {
    e.preventDefault();
    if (!f.contact_name.trim()) {
      setError(`${S.contactName}: ${S.required}`);
      return;
    }
    const id = uuid();
    const args = { id, contact_name: f.contact_name.trim(), source };
    for (const k of ['company', 'phone', 'product_text', 'notes']) if (f[k].trim()) args[k] = f[k].trim();
    if (f.product_id) args.product_id = f.product_id;
    if (f.next_follow_up_at) args.next_follow_up_at = fromLocalInput(f.next_follow_up_at);
    await mutate('lead.create', args);
    navigate(pathOf('lead', id));
  }

  return (
    <Screen title={S.captureTitle}>
      <form class="form" onSubmit={submit} noValidate>
        <label>
          <span>{S.contactName} <span aria-hidden="true">*</span></span>
          <input name="contact_name" required autocomplete="name" {...bind('contact_name')} />
        </label>
        <label>
          {S.phone}
          <input name="phone" type="tel" inputMode="tel" autocomplete="tel" {...bind('phone')} />
        </label>
        <label>
          {S.company}
          <input name="company" autocomplete="organization" {...bind('company')} />
        </label>
        <label>
          {S.product}
          <select name="product_id" aria-label={S.product} {...bind('product_id')} onChange={(e) => setF({ ...f, product_id: e.currentTarget.value })}>
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
        <label>
          {S.source}
          <select name="source" aria-label={S.source} value={source} onChange={(e) => setF({ ...f, source: e.currentTarget.value })}>
            {sourceOptions(s.org).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </label>
        <label>
          {S.nextFollowUp}
          <input name="next_follow_up_at" type="datetime-local" {...bind('next_follow_up_at')} />
        </label>
        <label>
          {S.notes}
          <textarea name="notes" rows={2} {...bind('notes')} />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="row">
          <button type="submit" class="primary">{S.save}</button>
          <button type="button" onClick={() => history.back()}>{S.cancel}</button>
        </div>
      </form>
    </Screen>
  );
}
