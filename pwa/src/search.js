// Searching the leads on this device (screens/Search.jsx): plain functions, tested alone.

const FIELDS = ['contact_name', 'company', 'phone', 'email', 'product_text', 'notes', 'region'];
const MAX = 100;

// One lower-cased haystack (and the phone's digits) per lead, built once per data change, so
// a keystroke is a scan of plain strings rather than 10,000 joins.
export function buildIndex(leads, productName) {
  const out = [];
  for (const l of leads.values()) {
    let hay = '';
    for (const f of FIELDS) if (l[f]) hay += `${l[f]} `;
    const p = productName.get(l.product_id);
    if (p) hay += p;
    // The digits as typed and as the server normalised them (+49…), so both find it.
    out.push({ lead: l, hay: hay.toLowerCase(), digits: [l.phone, l.phone_e164].map((x) => (x || '').replace(/\D/g, '')).join(' ') });
  }
  return out;
}

export function search(index, q, max = MAX) {
  const needle = q.trim().toLowerCase();
  if (!needle) return { hits: [] };
  const digits = needle.replace(/[^\d]/g, '');
  const byDigits = digits.length >= 3;
  const hits = [];
  for (const e of index) {
    if (e.hay.includes(needle) || (byDigits && e.digits.includes(digits))) {
      hits.push(e.lead);
      if (hits.length >= max) break;
    }
  }
  return { hits };
}
