import { S } from '../strings.js';
import { mutate, useStore } from '../store.js';
import { byUrgency, isOverdue } from '../sync/apply.js';
import { LeadRow, Screen, useNow } from '../components.jsx';

export function Team() {
  const s = useStore();
  useNow(30000);
  const people = s.users.filter((u) => u.active !== false && (u.role === 'rep' || u.role === 'lead'));
  const open = byUrgency([...s.leads.values()]);
  const groups = people
    .map((u) => {
      const leads = open.filter((l) => l.owner_id === u.id);
      return { user: u, leads, overdue: leads.filter((l) => isOverdue(l)).length };
    })
    .filter((g) => g.leads.length)
    .sort((a, b) => b.overdue - a.overdue || b.leads.length - a.leads.length);
  return (
    <Screen title={S.teamTitle}>
      {groups.length === 0 && <p class="empty">{S.teamEmpty}</p>}
      {groups.map((g) => (
        <section key={g.user.id} class="team-group" aria-labelledby={`rep-${g.user.id}`}>
          <h2 id={`rep-${g.user.id}`}>
            {g.user.name} <span class={g.overdue ? 'count overdue' : 'count'}>{S.openCount(g.leads.length, g.overdue)}</span>
          </h2>
          <ul class="lead-list">
            {g.leads.map((l) => (
              <LeadRow key={l.id} lead={l} products={s.products}>
                <label class="assign">{S.reassign}
                  <select aria-label={`${S.reassign} ${l.contact_name}`} value={l.owner_id} onChange={(e) => mutate('lead.assign', { id: l.id, owner_id: e.currentTarget.value })}>
                    {people.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
                  </select>
                </label>
              </LeadRow>
            ))}
          </ul>
        </section>
      ))}
    </Screen>
  );
}
