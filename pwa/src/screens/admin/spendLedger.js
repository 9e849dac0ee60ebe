// The pure parts of the spend ledger screen (Spend.jsx): the month filter, the totals per
// channel of what is listed, and the entry form's values. Kept apart so Vitest checks them.
import { parsePrice, priceText } from './catalog.js';

const pad = (n) => String(n).padStart(2, '0');

// A Date's local day as the API takes it: "2026-11-03".
export const dayOf = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

// The months to filter by, newest first: `ahead` months after today's (spend booked in
// advance), today's, and the `back` months before it: "2026-12", "2026-11", "2026-10", …
// `keep` (the month chosen) is always offered.
export function monthOptions(today, { back = 36, ahead = 2, keep = '' } = {}) {
  let [y, m] = String(today).split('-').map(Number);
  m += ahead;
  y += Math.floor((m - 1) / 12);
  m = ((m - 1) % 12) + 1;
  const out = [];
  for (let i = 0; i <= back + ahead; i++) {
    out.push(`${y}-${pad(m)}`);
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
  }
  if (keep && !out.includes(keep)) out.push(keep);
  return out;
}

// A month's first and last day, as the API's inclusive `from` and `to`.
export function monthSpan(month) {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${pad(last)}` };
}

// GET /spend for a filter ({month: '' | "2026-11", source: '' | "website"}).
export function spendPath({ month, source }) {
  const q = new URLSearchParams();
  if (month) {
    const { from, to } = monthSpan(month);
    q.set('from', from);
    q.set('to', to);
  }
  if (source) q.set('source', source);
  const text = q.toString();
  return text ? `/spend?${text}` : '/spend';
}

// The listed entries added up per channel, in cents (no float drift), the largest first:
// {rows: [{source, amount, count}], total, count}.
export function totalsBySource(entries) {
  const by = new Map();
  let cents = 0;
  for (const e of entries || []) {
    const c = Math.round(Number(e.amount) * 100);
    const row = by.get(e.source) || { source: e.source, cents: 0, count: 0 };
    row.cents += c;
    row.count += 1;
    by.set(e.source, row);
    cents += c;
  }
  const rows = [...by.values()]
    .sort((a, b) => b.cents - a.cents || String(a.source).localeCompare(String(b.source)))
    .map(({ source, cents: c, count }) => ({ source, amount: c / 100, count }));
  return { rows, total: cents / 100, count: (entries || []).length };
}

// An entry's fields as the form holds them (all text). A new entry starts on `today`, with
// the filter's source if one is chosen.
export const spendForm = (entry, { today = '', source = '' } = {}) => ({
  source: entry?.source ?? source,
  spent_on: entry?.spent_on ?? today,
  amount: priceText(entry?.amount),
  note: entry?.note ?? '',
});

// The body to send: {body} (for an edit, only what changed; {} when nothing did) or
// {errors} (field → {code}) found before asking the server. The amount is read as a price
// is (a comma for the decimal point, spaces for thousands).
export function spendBody(form, original = null) {
  const errors = {};
  if (!form.source) errors.source = { code: 'source_needed' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.spent_on || '')) errors.spent_on = { code: 'day_needed' };
  const amount = parsePrice(form.amount);
  if (amount.error) errors.amount = { code: amount.error };
  else if (amount.value == null) errors.amount = { code: 'amount_needed' };
  if (Object.keys(errors).length) return { errors };
  const all = {
    source: form.source,
    spent_on: form.spent_on,
    amount: amount.value,
    note: form.note.trim() || null,
  };
  if (!original) return { body: all };
  const body = {};
  if (all.source !== original.source) body.source = all.source;
  if (all.spent_on !== original.spent_on) body.spent_on = all.spent_on;
  if (all.amount !== priceText(original.amount)) body.amount = all.amount;
  if (all.note !== (original.note ?? null)) body.note = all.note;
  return { body };
}

// The sources to choose from: the organisation's, and an entry's own if the list no longer
// has it (the server keeps it valid on that entry).
export function sourceChoices(orgSources, current) {
  const list = [...(orgSources || [])];
  if (current && !list.includes(current)) list.push(current);
  return list;
}
