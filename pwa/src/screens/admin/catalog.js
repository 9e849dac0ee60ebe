// The pure parts of three administration screens (Products.jsx, Lists.jsx, Org.jsx): prices
// typed as text, the editor of an organisation's own lists, and the choices of time zone and
// country. Kept apart from the screens so Vitest can check them without a browser.

// --- prices -------------------------------------------------------------------------------

// A price as typed → {value} (a decimal string for the API, or null when left blank) or
// {error} (a code for S.fieldError). A comma is taken as the decimal point ("1250,50") when
// there is no dot; spaces (thousands) are dropped. At most two decimals: the server keeps two
// and would round the rest away silently.
export function parsePrice(text) {
  let t = String(text ?? '').replace(/[\s\u00a0\u202f]/g, '');
  if (t === '') return { value: null };
  if (!t.includes('.') && (t.match(/,/g) || []).length === 1) t = t.replace(',', '.');
  if (!/^\d+(\.\d*)?$/.test(t) && !/^\.\d+$/.test(t)) return { error: 'price_format' };
  const [whole, fraction = ''] = t.split('.');
  if (fraction.length > 2) return { error: 'price_decimals' };
  const digits = whole.replace(/^0+(?=\d)/, '') || '0';
  if (digits.length > 12) return { error: 'price_too_big' };
  return { value: `${digits}.${fraction.padEnd(2, '0')}` };
}

// The server's number (the wire form, e.g. 1250.5) as the form shows it: "1250.50".
export function priceText(value) {
  return value == null ? '' : Number(value).toFixed(2);
}

// A currency as typed: three letters, upper case; '' → null.
export function currencyValue(text) {
  const t = String(text ?? '').trim().toUpperCase();
  return t === '' ? null : t;
}

// The currency a new product starts with: the one most products have (none: blank).
export function usualCurrency(products) {
  const counts = new Map();
  for (const p of products || []) if (p.currency) counts.set(p.currency, (counts.get(p.currency) || 0) + 1);
  let best = '';
  for (const [c, n] of counts) if (!best || n > counts.get(best)) best = c;
  return best;
}

// A product's fields as the form holds them (all text).
export const productForm = (p, currency = '') => ({
  name: p?.name ?? '',
  sku: p?.sku ?? '',
  list_price: priceText(p?.list_price),
  currency: p ? p.currency ?? '' : currency,
  // What the desk shows of the product (plain text; synced to customer service's devices).
  spec: p?.spec ?? '',
  faq: p?.faq ?? '',
});

// The body to send: {body} (for an edit, only what changed; {} when nothing did) or
// {errors} (field → code) found before asking the server.
export function productBody(form, original = null) {
  const errors = {};
  const price = parsePrice(form.list_price);
  if (price.error) errors.list_price = { code: price.error };
  const currency = currencyValue(form.currency);
  if (price.value != null && currency == null) errors.currency = { code: 'currency_needed' };
  if (Object.keys(errors).length) return { errors };
  const all = {
    name: form.name.trim(),
    sku: form.sku.trim() || null,
    list_price: price.value,
    currency,
  };
  const texts = { spec: String(form.spec ?? '').trim() || null, faq: String(form.faq ?? '').trim() || null };
  if (!original) {
    for (const k of ['spec', 'faq']) if (texts[k] != null) all[k] = texts[k];
    return { body: all };
  }
  const was = { ...productForm(original), list_price: priceText(original.list_price) };
  const body = {};
  if (all.name !== original.name) body.name = all.name;
  if (all.sku !== (original.sku ?? null)) body.sku = all.sku;
  if ((all.list_price ?? '') !== was.list_price) body.list_price = all.list_price;
  if (all.currency !== (original.currency ?? null)) body.currency = all.currency;
  for (const k of ['spec', 'faq']) if (texts[k] !== (original[k] ?? null)) body[k] = texts[k];
  return { body };
}

// Products matching a search (name or SKU, any case); all when the search is blank.
export function searchProducts(products, query) {
  const q = String(query ?? '').trim().toLowerCase();
  if (!q) return products;
  return products.filter((p) => p.name.toLowerCase().includes(q) || (p.sku || '').toLowerCase().includes(q));
}

// --- the organisation's lists ---------------------------------------------------------------

// An entry of a list being edited. `value` is what the server holds (a default's key such as
// "trade_show", or an organisation's own text), null for an entry added here; `text` is what
// the person sees and edits (a default's label, "Trade show"). `key` tells rows apart while
// they move, so a renamed default source stays the default.
let nextKey = 0;
const newKey = () => `r${++nextKey}`;

export const rowsOf = (values, labelOf) =>
  (values || []).map((value) => ({ key: newKey(), value, text: labelOf(value) }));

const norm = (t) => String(t ?? '').trim().toLowerCase();

// What a row sends: its old value while its text is unchanged (a default's key stays a key,
// so leads holding it keep matching); else the text, or the key of a default whose label it
// is ("Trade show" typed again after removing it is the same trade_show as before).
export function rowValue(row, labelOf, defaults = []) {
  const text = String(row.text ?? '').trim();
  if (row.value != null && text === labelOf(row.value)) return row.value;
  return defaults.find((d) => norm(labelOf(d)) === norm(text)) ?? text;
}

export const rowValues = (rows, labelOf, defaults) => rows.map((r) => rowValue(r, labelOf, defaults));

export function addRow(rows, text, labelOf, defaults) {
  const t = String(text ?? '').trim();
  if (!t) return { error: 'list_blank' };
  const taken = rows.some((r) => norm(r.text) === norm(t) || norm(rowValue(r, labelOf, defaults)) === norm(t));
  if (taken) return { error: 'list_duplicate' };
  const value = defaults.find((d) => norm(labelOf(d)) === norm(t)) ?? null;
  return { rows: [...rows, { key: newKey(), value, text: value != null ? labelOf(value) : t }] };
}

export function moveRow(rows, index, delta) {
  const to = index + delta;
  if (index < 0 || index >= rows.length || to < 0 || to >= rows.length) return rows;
  const next = [...rows];
  const [row] = next.splice(index, 1);
  next.splice(to, 0, row);
  return next;
}

export const removeRow = (rows, key) => rows.filter((r) => r.key !== key);

export const sameList = (a, b) => Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);

// A list's change for PATCH /org: undefined (unchanged), null (back to the defaults: the
// organisation then follows them) or the list.
export function listChange(values, current, defaults) {
  if (sameList(values, current)) return undefined;
  return sameList(values, defaults) ? null : values;
}

// Rows whose value repeats an earlier one (any case, as the server compares).
export function duplicateKeys(rows, labelOf, defaults) {
  const seen = new Set();
  const dup = new Set();
  for (const r of rows) {
    const v = norm(rowValue(r, labelOf, defaults));
    if (seen.has(v)) dup.add(r.key);
    seen.add(v);
  }
  return dup;
}

// The server's message about a list, placed: {list: [...]} for the whole list (e.g. "Each
// entry once."), {rows: {key: [...]}} for an entry (the server numbers them from 0 in the
// order sent).
export function placeListError(error, rows) {
  const placed = { list: [], rows: {} };
  if (!error) return placed;
  if (Array.isArray(error) || typeof error === 'string') {
    placed.list = [].concat(error);
  } else if (typeof error === 'object') {
    for (const [i, msgs] of Object.entries(error)) {
      const row = rows[Number(i)];
      if (row) placed.rows[row.key] = [].concat(msgs);
      else placed.list.push(...[].concat(msgs));
    }
  }
  return placed;
}

// --- where the organisation is ------------------------------------------------------------

// The IANA time zones this browser knows, grouped by area ("Europe", "America"…), each with
// its offset now ("GMT+1"); UTC first. `current` is always offered, even if unknown here.
export function timeZoneGroups(zones, current, now = new Date()) {
  const all = new Set(zones || []);
  all.delete('UTC');
  if (current && current !== 'UTC') all.add(current);
  const groups = new Map();
  for (const z of [...all].sort()) {
    const area = z.includes('/') ? z.slice(0, z.indexOf('/')) : '';
    if (!groups.has(area)) groups.set(area, []);
    groups.get(area).push({ value: z, label: `${z.replace(/_/g, ' ')} (${offsetOf(z, now)})` });
  }
  return [
    { area: '', zones: [{ value: 'UTC', label: 'UTC' }] },
    ...[...groups].map(([area, list]) => ({ area, zones: list })),
  ];
}

function offsetOf(zone, now) {
  try {
    const parts = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(now);
    return parts.find((p) => p.type === 'timeZoneName')?.value || zone;
  } catch {
    return '?';
  }
}

export function browserTimeZones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

// Region codes with a name that have no telephone numbering plan of their own (the server
// checks against libphonenumber's regions): uninhabited places and groupings.
const NOT_PHONE_REGIONS = new Set([
  'AQ', 'BV', 'CP', 'CQ', 'DG', 'EA', 'EU', 'EZ', 'GS', 'HM', 'IC', 'PN', 'QO', 'TF', 'UM', 'UN',
  'XA', 'XB', 'ZZ',
]);

// The countries to choose a phone number default from, by name in the device's language:
// every two-letter code Intl names that is current (not an old code such as "YU") and has
// phone numbers. `current` is always offered.
export function countryOptions(current, locales = undefined) {
  let names;
  try {
    names = new Intl.DisplayNames(locales, { type: 'region', fallback: 'none' });
  } catch {
    return current ? [{ value: current, label: current }] : [];
  }
  const out = [];
  for (let a = 65; a < 91; a++) {
    for (let b = 65; b < 91; b++) {
      const code = String.fromCharCode(a, b);
      if (NOT_PHONE_REGIONS.has(code) && code !== current) continue;
      const name = names.of(code);
      if (!name) continue;
      let canonical;
      try {
        canonical = new Intl.Locale(`und-${code}`).region;
      } catch {
        continue;
      }
      if (canonical !== code && code !== current) continue;
      out.push({ value: code, label: `${name} (${code})` });
    }
  }
  if (current && !out.some((o) => o.value === current)) out.push({ value: current, label: current });
  return out.sort((x, y) => x.label.localeCompare(y.label));
}
