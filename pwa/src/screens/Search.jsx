import { useState } from 'preact/hooks';
import { S } from '../strings.js';
import { useStore } from '../store.js';
import { LeadRow, Screen } from '../components.jsx';

const FIELDS = ['contact_name', 'company', 'phone', 'email', 'product_text', 'notes', 'region'];

export function Search() {
  const s = useStore();
  const [q, setQ] = useState('');
  const needle = q.trim().toLowerCase();
  const productName = new Map(s.products.map((p) => [p.id, p.name]));
  const hits = !needle ? [] : [...s.leads.values()].filter((l) => {
    const hay = [...FIELDS.map((f) => l[f]), productName.get(l.product_id)].filter(Boolean).join(' ').toLowerCase();
    const digits = needle.replace(/[^\d]/g, '');
    return hay.includes(needle) || (digits.length >= 3 && (l.phone || '').replace(/[^\d]/g, '').includes(digits));
  });
  return (
    <Screen title={S.searchTitle}>
      <form role="search" class="form" onSubmit={(e) => e.preventDefault()}>
        <label>{S.searchLabel}
          <input type="search" name="q" value={q} placeholder={S.searchPlaceholder}
            onInput={(e) => setQ(e.currentTarget.value)} autoFocus />
        </label>
      </form>
      {needle && hits.length === 0 && <p class="empty">{S.noResults}</p>}
      <ul class="lead-list" aria-live="polite">
        {hits.slice(0, 100).map((l) => (
          <LeadRow key={l.id} lead={l} products={s.products} showOwner users={s.users} />
        ))}
      </ul>
    </Screen>
  );
}
