import { useEffect, useRef, useState } from 'preact/hooks';
import { S, STAGE_LABEL, FIELD_LABEL, MUTATION_LABEL } from './strings.js';
import { fmtAgo, fmtDuration } from './format.js';
import { isOverdue } from './sync/apply.js';
import { Link } from './router.jsx';
import { syncNow, useStore } from './store.js';

// The current time, ticking: countdowns run from the device clock, offline too.
export function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function Countdown({ at }) {
  const now = useNow(1000);
  if (!at) return <span class="due none">{S.noFollowUp}</span>;
  const diff = Date.parse(at) - now;
  const over = diff < 0;
  return (
    <span class={over ? 'due overdue' : 'due'} role="timer">
      {over ? S.overdueBy(fmtDuration(diff)) : S.dueIn(fmtDuration(diff))}
    </span>
  );
}

// Moves focus to the screen's heading when the screen changes, for screen readers.
export function Screen({ title, children, actions }) {
  const h = useRef(null);
  useEffect(() => {
    h.current?.focus();
    document.title = `${title} · ${S.appName}`;
  }, [title]);
  return (
    <main id="main" class="screen">
      <header class="screen-head">
        <h1 tabIndex={-1} ref={h}>{title}</h1>
        {actions}
      </header>
      {children}
    </main>
  );
}

export function LeadRow({ lead, products, showOwner, users, children }) {
  const overdue = isOverdue(lead);
  const product = products?.find((p) => p.id === lead.product_id)?.name || lead.product_text;
  const owner = showOwner && users?.find((u) => u.id === lead.owner_id)?.name;
  return (
    <li class={`lead-row${overdue ? ' is-overdue' : ''}`}>
      <Link href={`/leads/${lead.id}`} class="lead-link">
        <span class="lead-main">
          <strong class="lead-name">{lead.contact_name}</strong>
          {lead.company && <span class="muted"> · {lead.company}</span>}
        </span>
        <span class="lead-sub">
          <span class={`stage stage-${lead.stage}`}>{STAGE_LABEL[lead.stage] || lead.stage}</span>
          {product && <span class="muted">{product}</span>}
          {owner && <span class="muted">{owner}</span>}
          {lead._pending && <span class="badge" title={S.notSent}>{S.pendingBadge}</span>}
        </span>
        <Countdown at={lead.next_follow_up_at} />
      </Link>
      {children}
    </li>
  );
}

export function problemText(p) {
  if (p.status === 'conflict') {
    return p.conflicts
      .map((c) => S.conflictMsg(FIELD_LABEL[c.field] || c.field, c.server_value))
      .join(' ');
  }
  const fields = p.error?.fields;
  const why = fields
    ? Object.entries(fields)
        .map(([f, msgs]) => `${FIELD_LABEL[f] || f}: ${[].concat(msgs).join(' ')}`)
        .join('; ')
    : p.error?.message || p.error?.code || '';
  return S.rejectedMsg(MUTATION_LABEL[p.name] || p.name, why);
}

export function StatusBar() {
  const s = useStore();
  const now = useNow(15000);
  const pending = s.outbox.filter((e) => e.status === 'pending' || e.status === 'applied' || e.status === 'duplicate' || e.status === 'conflict').length;
  const st = s.status;
  const line =
    !s.online ? S.offline
    : st.state === 'syncing' ? S.syncing
    : st.state === 'error' ? S.syncError(st.lastError, fmtAgo(st.nextAttemptAt, now))
    : S.online;
  return (
    <div class={`statusbar ${s.online ? 'on' : 'off'}`} role="status" aria-live="polite">
      <span class="dot" aria-hidden="true" />
      <span class="sb-state">{line}</span>
      <span class="sb-pending">{pending ? S.pending(pending) : S.allSent}</span>
      <span class="sb-last">{s.lastSyncAt ? S.lastSync(fmtAgo(s.lastSyncAt, now)) : S.neverSynced}</span>
      {s.problems.length > 0 && (
        <Link href="/problems" class="sb-problems">{S.problemsCount(s.problems.length)}</Link>
      )}
      {s.online && st.state !== 'syncing' && (
        <button type="button" class="link sb-sync" onClick={syncNow}>{S.syncNow}</button>
      )}
      {pending > 0 && s.persisted === false && <p class="sb-warn">{S.evictable}</p>}
      {s.sessionExpired && (
        <p class="sb-warn"><Link href="/signin">{S.sessionExpired}</Link></p>
      )}
    </div>
  );
}
