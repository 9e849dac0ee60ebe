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
import { AdminSection, BackToList, Confirm, FormEnd, ListHead, useAdminForm, useEditing, useRemote } from './common.jsx';
import { nothingToSave, saveTarget } from './form.js';
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
  // After a save: back to the list, showing the month and source of the entry saved.
  const { editing, status, say, open, close, done } = useEditing((saved) => {
    const month = saved && filter.month && saved.spent_on.slice(0, 7) !== filter.month ? saved.spent_on.slice(0, 7) : filter.month;
    const source = saved && filter.source && saved.source !== filter.source ? '' : filter.source;
    if (month !== filter.month || source !== filter.source) setFilter({ month, source });
    else remote.reload();
  });
  const org = orgRemote.data;
  const currency = org?.currency || '';

  if (editing && org) {
    return (
      <SpendForm
        entry={editing === 'new' ? null : editing}
        org={org}
        defaults={{ today, source: filter.source }}
        onDone={done}
        onCancel={close}
      />
    );
  }
  const error = orgRemote.error || remote.error;
  return (
    <AdminSection title={S.adminSpend} error={error} onRetry={() => { orgRemote.reload(); remote.reload(); }}>
      {org && (
        <>
          <ListHead intro={S.spdIntro(currency)} note={!writes && <p class="note">{S.spdReadOnly}</p>} status={status}
            newLabel={S.spdNew} onNew={writes && (() => open('new'))} />
          <Filters org={org} today={today} filter={filter}
            onChange={(f) => { say(''); setFilter(f); }} />
          {remote.data && (
            <Ledger entries={remote.data} currency={currency} filter={filter} writes={writes}
              onEdit={open} />
          )}
        </>
      )}
    </AdminSection>
  );
}

function Filters({ org, today, filter, onChange }) {
  const months = useMemo(() => monthOptions(today, { keep: filter.month }), [today, filter.month]);
  const sources = sourceChoices(org.lead_sources, filter.source);
  // One select of the filter: `name` is its key in the filter; "all" first.
  const choice = (name, label, all, values, labelOf) => (
    <label>
      <span>{label}</span>
      <select name={name} value={filter[name]} onChange={(e) => onChange({ ...filter, [name]: e.currentTarget.value })}>
        <option value="">{all}</option>
        {values.map((v) => <option key={v} value={v}>{labelOf(v)}</option>)}
      </select>
    </label>
  );
  return (
    <div class="spd-filters">
      {choice('month', S.spdMonth, S.spdAllMonths, months, fmtMonth)}
      {choice('source', S.spdSource, S.spdAllSources, sources, sourceLabel)}
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
  const { form, errors, message, busy, setMessage, set, bind, call, send, refuse, refuseChecks, onSubmit } = useAdminForm(
    () => spendForm(entry, defaults),
    { idPrefix: 'spend', known: ['source', 'spent_on', 'amount', 'note'] },
  );
  const [confirming, setConfirming] = useState(false);
  const currency = org.currency;
  const sources = sourceChoices(org.lead_sources, entry?.source);

  const submit = onSubmit(async () => {
    const { body, errors: found } = spendBody(form, entry);
    if (found) return refuseChecks(found, (err) => S.spdCheck[err.code]);
    if (nothingToSave(entry, body)) return onDone(S.admNothingChanged);
    const res = await send(...saveTarget('/spend', entry), body);
    if (!res) return;
    const what = describe(res.data, currency);
    onDone(entry ? S.spdSaved(what) : S.spdAdded(what), { saved: res.data });
  });

  async function remove() {
    setMessage('');
    const res = await call('DELETE', `/spend/${entry.id}`);
    setConfirming(false);
    if (res.ok) onDone(S.spdDeleted(describe(entry, currency)));
    else refuse(res);
  }

  const sourceError = fieldMessage(errors.source);
  return (
    <Screen title={entry ? S.spdEditTitle : S.spdNewTitle}>
      <BackToList label={S.spdBack} onBack={onCancel} />
      <form class="form spd-form" onSubmit={submit} noValidate>
        <div class="field">
          <label>
            <span>{S.spdSource}<span aria-hidden="true"> *</span></span>
            <select name="source" value={form.source} required
              aria-invalid={sourceError ? 'true' : undefined}
              aria-describedby={sourceError ? 'spend-source-error' : undefined}
              onChange={(e) => set('source', e.currentTarget.value)}>
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
        <FormEnd message={message} busy={busy} label={entry ? S.spdSaveEdit : S.spdAdd} onCancel={onCancel} />
      </form>
      {entry && (
        <section class="adm-active">
          {confirming ? (
            <Confirm id="spd-confirm" question={S.spdDeleteConfirm(describe(entry, currency))} action={S.spdDelete}
              busy={busy} onConfirm={remove} onBack={() => setConfirming(false)} />
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
