import { useState } from 'preact/hooks';
import { S } from '../strings.js';
import { dismissProblem, useStore } from '../store.js';
import { DiscardConfirm, Screen, problemText } from '../components.jsx';
import { Link } from '../router.jsx';
import { ENTITY, isDraft, pathOf, recordIn } from '../sync/entities.js';

// Each problem links to the record it is shown on (the entity table's route and title).
function Target({ problem, s }) {
  const record = recordIn(s, problem.entity, problem.record_id);
  const path = pathOf(problem.entity, problem.record_id);
  const title = ENTITY[problem.entity]?.title;
  if (!record || !path || !title) return null;
  return <Link href={path}><strong>{title(record)}</strong></Link>;
}

// A draft (a refused change with the person's input) is fixed on its record's screen; it is
// only ever dropped by Discard, which asks first. A conflict is only news: Dismiss.
function Draft({ problem: p }) {
  const [confirming, setConfirming] = useState(false);
  const path = pathOf(p.entity, p.record_id);
  return (
    <>
      <span class="badge fix">{S.needsFixing}</span>
      <span>{problemText(p)}</span>
      {confirming ? (
        <DiscardConfirm id={`confirm-${p.key}`} problemKey={p.key} onKeep={() => setConfirming(false)} />
      ) : (
        <div class="row">
          {path && <Link href={path} class="button primary">{S.fixIt}</Link>}
          <button type="button" onClick={() => setConfirming(true)}>{S.discard}</button>
        </div>
      )}
    </>
  );
}

export function Problems() {
  const s = useStore();
  return (
    <Screen title={S.problemsTitle}>
      {s.problems.length === 0 && <p class="empty">{S.noProblems}</p>}
      <ul class="problems">
        {s.problems.map((p) => (
          <li key={p.key} class={isDraft(p) ? 'problem draft-problem' : 'problem'}>
            <Target problem={p} s={s} />
            {isDraft(p) ? <Draft problem={p} /> : (
              <>
                <span>{problemText(p)}</span>
                <button type="button" class="link" onClick={() => dismissProblem(p.key)}>{S.dismiss}</button>
              </>
            )}
          </li>
        ))}
      </ul>
    </Screen>
  );
}
