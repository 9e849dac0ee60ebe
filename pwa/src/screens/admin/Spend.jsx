// Marketing spend: the ledger of what each lead source cost (the input side of the channels
// report). Listed newest first, filtered by month and source, with the totals per source of
// what is listed. Admins add, edit and delete entries; team leads read them. The ledger is
// not synced to devices: it lives on the server, like the reports it feeds.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { useStore } from '../../store.js';
import { fmtMoney } from '../../format.js';
import { sourceLabel } from '../../org.js';
import { Field, Screen, fieldMessage } from '../../components.jsx';
import { BackToAdmin, RemoteError, save, useRemote, splitRefusal } from './common.jsx';
import {
  dayOf, monthOptions, spendBody, spendForm, spendPath, sourceChoices, totalsBySource,
} from './spendLedger.js';

// The server lists at most this many entries at once.
const LIST_LIMIT = 5000;

const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
const fmtDay = (day) => {
  const [y, m, d] = day.split('-').map(Number);
  return dayFormat.format(new Date(y, m - 1, d));
};
const fmtMonth = (month) => {
  const [y, m] = month.split('-').map(Number);
  return monthFormat.format(new Date(y, m - 1, 1));
};
const describe = (entry, currency) =>
  S.spdEntry(sourceLabel(entry.source), fmtDay(entry.spent_on), fmtMoney(entry.amount, currency));

export function AdminSpend() {
  const s = useStore();
  const writes = s.session.user.role === 'admin';
  const today = dayOf(new Date());
  const [filter, setFilter] = useState(() => ({ month: today.slice(0, 7), source: '' }));
  const orgRemote = useRemote('/org');
  const remote = useRemote(spendPath(filter));
  const [editing, setEditing] = useState(null); // null: the list; 'new'; or the entry
  const [status, setStatus] = useState({ text: '', tone: '' });
  const org = orgRemote.data;
  const currency = org?.currency || '';

  // After a save: back to the list, showing the month and source of the entry saved.
  function done(text, saved = null) {
    setEditing(null);
    setStatus({ text, tone: 'ok' });
    const month = saved && filter.month && saved.spent_on.slice(0, 7) !== filter.month ? saved.spent_on.slice(0, 7) : filter.month;
    const source = saved && filter.source && saved.source !== filter.source ? '' : filter.source;
    if (month !== filter.month || source !== filter.source) setFilter({ month, source });
    else remote.reload();
  }

  if (editing && org) {
    return (
      <SpendForm
        entry={editing === 'new' ? null : editing}
        org={org}
        defaults={{ today, source: filter.source }}
        onDone={done}
        onCancel={() => setEditing(null)}
      />
    );
  }
  const error = orgRemote.error || remote.error;
  return (
    <Screen title={S.adminSpend}>
      <BackToAdmin />
      {error ? (
        <RemoteError error={error} onRetry={() => { orgRemote.reload(); remote.reload(); }} />
      ) : org ? (
        <>
          <p class="muted">{S.spdIntro(currency)}</p>
          {!writes && <p class="note">{S.spdReadOnly}</p>}
          <p class={`adm-status ${status.tone}`} role="status">{status.text}</p>
          {writes && (
            <button type="button" class="primary"
              onClick={() => { setStatus({ text: '', tone: '' }); setEditing('new'); }}>
              {S.spdNew}
            </button>
          )}
          <Filters org={org} today={today} filter={filter}
            onChange={(f) => { setStatus({ text: '', tone: '' }); setFilter(f); }} />
          {remote.data && (
            <Ledger entries={remote.data} currency={currency} filter={filter} writes={writes}
              onEdit={(e) => { setStatus({ text: '', tone: '' }); setEditing(e); }} />
          )}
        </>
      ) : null}
    </Screen>
  );
}

function Filters({ org, today, filter, onChange }) {
  const months = useMemo(() => monthOptions(today, { keep: filter.month }), [today, filter.month]);
  const sources = sourceChoices(org.lead_sources, filter.source);
  return (
    <div class="spd-filters">
      <label>
        <span>{S.spdMonth}</span>
        <select name="month" value={filter.month} onChange={(e) => onChange({ ...filter, month: e.currentTarget.value })}>
          <option value="">{S.spdAllMonths}</option>
          {months.map((m) => <option key={m} value={m}>{fmtMonth(m)}</option>)}
        </select>
      </label>
      <label>
        <span>{S.spdSource}</span>
        <select name="source" value={filter.source} onChange={(e) => onChange({ ...filter, source: e.currentTarget.value })}>
          <option value="">{S.spdAllSources}</option>
          {sources.map((v) => <option key={v} value={v}>{sourceLabel(v)}</option>)}
        </select>
      </label>
    </div>
  );
}

function Ledger({ entries, currency, filter, writes, onEdit }) {
  const totals = useMemo(() => totalsBySource(entries), [entries]);
  const span = filter.month ? fmtMonth(filter.month) : S.spdAllMonths.toLowerCase();
  if (!entries.length) return <p class="empty">{S.spdNone}</p>;
  return (
    <>
      <section aria-labelledby="spd-totals-h">
        <h2 id="spd-totals-h">{S.spdTotals(span)}</h2>
        <table class="spd-totals">
          <tbody>
            {totals.rows.map((r) => (
              <tr key={r.source}>
                <th scope="row">{sourceLabel(r.source)}<span class="spd-count">{S.spdCount(r.count)}</span></th>
                <td>{fmtMoney(r.amount, currency)}</td>
              </tr>
            ))}
          </tbody>
          {totals.rows.length > 1 && (
            <tfoot>
              <tr>
                <th scope="row">{S.spdTotal}</th>
                <td>{fmtMoney(totals.total, currency)}</td>
              </tr>
            </tfoot>
          )}
        </table>
      </section>
      <section aria-labelledby="spd-entries-h">
        <h2 id="spd-entries-h">{S.spdEntries(entries.length)}</h2>
        {entries.length >= LIST_LIMIT && <p class="note">{S.spdCapped(LIST_LIMIT)}</p>}
        <ul class="spd-list">
          {entries.map((e) => {
            const inner = (
              <>
                <span class="spd-main">
                  <span class="spd-source">{sourceLabel(e.source)}</span>
                  <span class="spd-amount">{fmtMoney(e.amount, currency)}</span>
                </span>
                <span class="spd-sub">
                  <span>{fmtDay(e.spent_on)}</span>
                  {e.note && <span class="spd-note">{e.note}</span>}
                </span>
              </>
            );
            return (
              <li key={e.id}>
                {writes ? (
                  <button type="button" class="spd-entry" onClick={() => onEdit(e)}>{inner}</button>
                ) : (
                  <div class="spd-entry">{inner}</div>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </>
  );
}

// The add/edit form. A refusal keeps everything typed and shows the server's message at its
// field (a source the organisation no longer has, an amount out of range).
function SpendForm({ entry, org, defaults, onDone, onCancel }) {
  const [form, setForm] = useState(() => spendForm(entry, defaults));
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const currency = org.currency;
  const sources = sourceChoices(org.lead_sources, entry?.source);

  const bind = (k) => ({
    value: form[k],
    onInput: (e) => {
      setForm({ ...form, [k]: e.currentTarget.value });
      if (errors[k]) setErrors({ ...errors, [k]: undefined });
    },
    error: errors[k],
    idPrefix: 'spend',
  });

  function refused(res) {
    const { inPlace, message } = splitRefusal(res, ['source', 'spent_on', 'amount', 'note']);
    setErrors(inPlace);
    setMessage(message);
  }

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setMessage('');
    const { body, errors: found } = spendBody(form, entry);
    if (found) {
      setErrors(Object.fromEntries(Object.entries(found).map(([f, err]) => [f, [S.spdCheck[err.code]]])));
      setMessage(S.admNotSaved);
      return;
    }
    if (entry && !Object.keys(body).length) {
      onDone(S.admNothingChanged);
      return;
    }
    setBusy(true);
    const res = entry ? await save('PATCH', `/spend/${entry.id}`, body) : await save('POST', '/spend', body);
    setBusy(false);
    if (!res.ok) {
      refused(res);
      return;
    }
    const what = describe(res.data, currency);
    onDone(entry ? S.spdSaved(what) : S.spdAdded(what), res.data);
  }

  async function remove() {
    setBusy(true);
    setMessage('');
    const res = await save('DELETE', `/spend/${entry.id}`);
    setBusy(false);
    setConfirming(false);
    if (res.ok) onDone(S.spdDeleted(describe(entry, currency)));
    else refused(res);
  }

  const sourceError = fieldMessage(errors.source);
  return (
    <Screen title={entry ? S.spdEditTitle : S.spdNewTitle}>
      <p class="back"><button type="button" class="link" onClick={onCancel}>{S.spdBack}</button></p>
      <form class="form spd-form" onSubmit={submit} noValidate>
        <div class="field">
          <label>
            <span>{S.spdSource}<span aria-hidden="true"> *</span></span>
            <select name="source" value={form.source} required
              aria-invalid={sourceError ? 'true' : undefined}
              aria-describedby={sourceError ? 'spend-source-error' : undefined}
              onChange={(e) => {
                setForm({ ...form, source: e.currentTarget.value });
                if (errors.source) setErrors({ ...errors, source: undefined });
              }}>
              <option value="" disabled>{S.spdChoose}</option>
              {sources.map((v) => <option key={v} value={v}>{sourceLabel(v)}</option>)}
            </select>
          </label>
          {sourceError && <p class="field-error" id="spend-source-error">{sourceError}</p>}
        </div>
        <Field name="spent_on" label={S.spdDay} type="date" required {...bind('spent_on')} />
        <Field name="amount" label={S.spdAmount(currency)} inputMode="decimal" autocomplete="off" required
          {...bind('amount')} />
        <Field name="note" label={S.spdNote} multiline maxLength={1000} placeholder={S.spdNoteHelp} {...bind('note')} />
        {message && <p class="error" role="alert">{message}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? S.admSaving : entry ? S.spdSaveEdit : S.spdAdd}
          </button>
          <button type="button" onClick={onCancel}>{S.cancel}</button>
        </div>
      </form>
      {entry && (
        <section class="adm-active">
          {confirming ? (
            <div class="confirm" role="alertdialog" aria-labelledby="spd-confirm">
              <p id="spd-confirm">{S.spdDeleteConfirm(describe(entry, currency))}</p>
              <div class="row">
                <button type="button" class="danger-fill" disabled={busy} onClick={remove}>{S.spdDelete}</button>
                <button type="button" onClick={() => setConfirming(false)}>{S.cancel}</button>
              </div>
            </div>
          ) : (
            <button type="button" class="adm-deactivate" disabled={busy} onClick={() => setConfirming(true)}>
              {S.spdDelete}
            </button>
          )}
        </section>
      )}
    </Screen>
  );
}
