import { S } from '../strings.js';
import { useStore } from '../store.js';
import { byUrgency } from '../sync/apply.js';
import { LeadRow, Screen, useNow } from '../components.jsx';
import { Link } from '../router.jsx';

export function Queue() {
  const s = useStore();
  useNow(30000); // re-sort as leads become overdue
  const meId = s.session.user.id;
  const leads = byUrgency([...s.leads.values()].filter((l) => l.owner_id === meId));
  return (
    <Screen title={S.queueTitle} actions={<Link href="/new" class="button primary">{S.navNew}</Link>}>
      {leads.length === 0 ? (
        <p class="empty">{S.queueEmpty}</p>
      ) : (
        <ul class="lead-list" aria-label={S.queueTitle}>
          {leads.map((l) => <LeadRow key={l.id} lead={l} products={s.products} />)}
        </ul>
      )}
    </Screen>
  );
}
