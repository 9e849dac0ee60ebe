import { useMemo, useState } from 'preact/hooks';
import { S } from '../strings.js';
import { useStore } from '../store.js';
import { LeadList, LeadRow, Screen, useNames } from '../components.jsx';
import { buildIndex, search } from '../search.js';

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
