import { useMemo } from 'preact/hooks';
import { S } from '../strings.js';
import { useStore } from '../store.js';
import { byUrgency, urgencyRank } from '../sync/apply.js';
import { LeadList, LeadRow, ReassignPicker, Screen, useNames, useNow } from '../components.jsx';
import { ownerChoices } from '../rules.js';

// The team lead's board: per rep, overdue (breached) and due-soon (warning) leads first; the
// reps with the most overdue, then the most due soon, on top.
export function Team() {
  const s = useStore();
  const now = useNow(30000);
  const people = useMemo(
    () => s.users.filter((u) => u.active !== false && (u.role === 'rep' || u.role === 'lead')),
    [s.users],
  );
  const products = useNames(s.products);
  const choices = useMemo(() => ownerChoices(s.session.user, s.users).choices, [s.session.user, s.users]);
  const groups = useMemo(() => {
    const byOwner = new Map(people.map((u) => [u.id, []]));
    for (const l of s.leads.values()) byOwner.get(l.owner_id)?.push(l);
    return people
      .map((u) => {
        const leads = byUrgency(byOwner.get(u.id), now);
        let breached = 0;
        let warning = 0;
        for (const l of leads) {
          const r = urgencyRank(l, now);
          if (r === 0) breached += 1;
          else if (r === 1) warning += 1;
          else break; // sorted: the rest are neither
        }
        return { user: u, leads, breached, warning };
      })
      .filter((g) => g.leads.length)
      .sort((a, b) => b.breached - a.breached || b.warning - a.warning || b.leads.length - a.leads.length);
  }, [people, s.leads, now]);
  return (
    <Screen title={S.teamTitle}>
      {groups.length === 0 && <p class="empty">{S.teamEmpty}</p>}
      {groups.map((g) => (
        <section key={g.user.id} class="team-group" aria-labelledby={`rep-${g.user.id}`}>
          <h2 id={`rep-${g.user.id}`}>
            {g.user.name}{' '}
            <span class={g.breached ? 'count overdue' : g.warning ? 'count warning' : 'count'}>
              {S.teamCount(g.leads.length, g.breached, g.warning)}
            </span>
          </h2>
          <LeadList
            leads={g.leads}
            label={g.user.name}
            first={Math.max(5, g.breached + g.warning > 20 ? 20 : g.breached + g.warning)}
            step={50}
            button
            renderRow={(l) => (
              <LeadRow key={l.id} lead={l} productName={products.get(l.product_id)}>
                <ReassignPicker lead={l} choices={choices} users={s.users} label={`${S.reassign} ${l.contact_name}`} />
              </LeadRow>
            )}
          />
        </section>
      ))}
    </Screen>
  );
}
