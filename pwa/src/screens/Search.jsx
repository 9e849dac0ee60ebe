import { useMemo, useState } from 'preact/hooks';
import { S } from '../strings.js';
import { useStore } from '../store.js';
import { LeadList, LeadRow, Screen, useNames } from '../components.jsx';

const FIELDS = ['contact_name', 'company', 'phone', 'email', 'product_text', 'notes', 'region'];
const MAX = 100;

// One lower-cased haystack (and the phone's digits) per lead, built once per data change, so
// a keystroke is a scan of plain strings rather than 10,000 joins.
function buildIndex(leads, productName) {
  const out = [];
  for (const l of leads.values()) {
    let hay = '';
    for (const f of FIELDS) if (l[f]) hay += `${l[f]} `;
    const p = productName.get(l.product_id);
    if (p) hay += p;
    out.push({ lead: l, hay: hay.toLowerCase(), digits: (l.phone || '').replace(/[^\d]/g, '') });
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

export function Search() {
  const s = useStore();
  const [q, setQ] = useState('');
  const products = useNames(s.products);
  const users = useNames(s.users);
  const index = useMemo(() => buildIndex(s.leads, products), [s.leads, products]);
  const { hits } = useMemo(() => search(index, q), [index, q]);
  const needle = q.trim();
  return (
    <Screen title={S.searchTitle}>
      <form role="search" class="form" onSubmit={(e) => e.preventDefault()}>
        <label>{S.searchLabel}
          <input type="search" name="q" value={q} placeholder={S.searchPlaceholder}
            onInput={(e) => setQ(e.currentTarget.value)} autoFocus />
        </label>
      </form>
      {needle && hits.length === 0 && <p class="empty">{S.noResults}</p>}
      <div aria-live="polite">
        <LeadList
          resetKey={needle}
          leads={hits}
          label={S.searchTitle}
          first={20}
          step={40}
          renderRow={(l) => (
            <LeadRow key={l.id} lead={l} productName={products.get(l.product_id)} ownerName={users.get(l.owner_id)} />
          )}
        />
      </div>
    </Screen>
  );
}
