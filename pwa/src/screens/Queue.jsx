import { useEffect, useMemo } from 'preact/hooks';
import { S } from '../strings.js';
import { useStore } from '../store.js';
import { byUrgency } from '../sync/apply.js';
import { LeadList, LeadRow, Screen, useNames, useNow } from '../components.jsx';
import { Link } from '../router.jsx';

// My open leads by SLA urgency (breached, warning, then by deadline). Each row's countdown
// ticks by itself; the order is recomputed every 30 s and whenever the data changes.
// The last order computed, kept across visits: coming back to the queue with the same data
// within the same 30 s costs no sort.
let last = { leads: null, meId: null, slot: null, sorted: [] };
function sortedQueue(leads, meId, now) {
  const slot = Math.floor(now / 30000);
  if (last.leads === leads && last.meId === meId && last.slot === slot) return last.sorted;
  const mine = [];
  for (const l of leads.values()) if (l.owner_id === meId) mine.push(l);
  // Leads with a change the server refused ("Needs fixing") first: they wait for the person.
  const sorted = byUrgency(mine, now);
  const fix = sorted.filter((l) => l._draft || l._needsFix);
  last = { leads, meId, slot, sorted: fix.length ? [...fix, ...sorted.filter((l) => !(l._draft || l._needsFix))] : sorted };
  return last.sorted;
}

export function Queue() {
  const s = useStore();
  const now = useNow(30000);
  const meId = s.session.user.id;
  const leads = useMemo(() => sortedQueue(s.leads, meId, now), [s.leads, meId, now]);
  const products = useNames(s.products);
  useEffect(() => {
    // For measurements (bench/pwa_bench.py): when the queue's rows are in the document.
    performance.mark?.('queue-rendered', { detail: { rows: leads.length } });
  }, [leads]);
  return (
    <Screen title={S.queueTitle} actions={<Link href="/new" class="button primary">{S.navNew}</Link>}>
      {leads.length === 0 ? (
        <p class="empty">{S.queueEmpty}</p>
      ) : (
        <LeadList
          leads={leads}
          label={S.queueTitle}
          first={25}
          renderRow={(l) => <LeadRow key={l.id} lead={l} productName={products.get(l.product_id)} />}
        />
      )}
    </Screen>
  );
}
