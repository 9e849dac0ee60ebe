import { S } from '../strings.js';
import { dismissProblem, useStore } from '../store.js';
import { Screen, problemText } from '../components.jsx';
import { Link } from '../router.jsx';
import { ENTITY, pathOf, recordIn } from '../sync/entities.js';

// Each problem links to the record it is shown on (the entity table's route and title).
function Target({ problem, s }) {
  const record = recordIn(s, problem.entity, problem.record_id);
  const path = pathOf(problem.entity, problem.record_id);
  const title = ENTITY[problem.entity]?.title;
  if (!record || !path || !title) return null;
  return <Link href={path}><strong>{title(record)}</strong></Link>;
}

export function Problems() {
  const s = useStore();
  return (
    <Screen title={S.problemsTitle}>
      {s.problems.length === 0 && <p class="empty">{S.noProblems}</p>}
      <ul class="problems">
        {s.problems.map((p) => (
          <li key={p.key} class="problem">
            <Target problem={p} s={s} />
            <span>{problemText(p)}</span>
            <button type="button" class="link" onClick={() => dismissProblem(p.key)}>{S.dismiss}</button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
