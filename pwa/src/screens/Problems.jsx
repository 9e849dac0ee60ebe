import { S } from '../strings.js';
import { dismissProblem, useStore } from '../store.js';
import { Screen, problemText } from '../components.jsx';
import { Link } from '../router.jsx';

export function Problems() {
  const s = useStore();
  return (
    <Screen title={S.problemsTitle}>
      {s.problems.length === 0 && <p class="empty">{S.noProblems}</p>}
      <ul class="problems">
        {s.problems.map((p) => {
          const lead = s.leads.get(p.lead_id);
          return (
            <li key={p.key} class="problem">
              {lead && <Link href={`/leads/${lead.id}`}><strong>{lead.contact_name}</strong></Link>}
              <span>{problemText(p)}</span>
              <button type="button" class="link" onClick={() => dismissProblem(p.key)}>{S.dismiss}</button>
            </li>
          );
        })}
      </ul>
    </Screen>
  );
}
