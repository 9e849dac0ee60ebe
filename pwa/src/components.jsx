import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { S, STAGE_LABEL, FIELD_LABEL, MUTATION_LABEL } from './strings.js';
import { fmtAgo, fmtCountdown, fmtIn, fmtTime } from './format.js';
import { clockOf, isOverdue } from './sync/apply.js';
import { pathOf } from './sync/entities.js';
import { Link } from './router.jsx';
import { dismissProblem, mutate, resendDraft, syncNow, useStore } from './store.js';
import { checkMutation } from './rules.js';

// The current time, ticking: countdowns run from the device clock, offline too. One timer per
// period for the whole app, however many rows subscribe.
const tickers = new Map(); // ms -> {subs: Set, timer}
function subscribeTick(ms, fn) {
  let t = tickers.get(ms);
  if (!t) {
    t = { subs: new Set(), timer: null };
    tickers.set(ms, t);
  }
  t.subs.add(fn);
  if (!t.timer) {
    t.timer = setInterval(() => {
      const now = Date.now();
      for (const f of t.subs) f(now);
    }, ms);
  }
  return () => {
    t.subs.delete(fn);
    if (!t.subs.size) {
      clearInterval(t.timer);
      t.timer = null;
    }
  };
}

export function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => subscribeTick(ms, setNow), [ms]);
  return now;
}

// The one countdown of a lead, labelled with what is due ("Reply due", "Follow-up due"): to
// its running SLA clock's due_at, else to its next follow-up; none for a won or lost lead
// (its clock is paused). It turns "Overdue" by itself when the time passes, before any sync
// says so. The text is format.js's fmtCountdown, the same everywhere.
export function Countdown({ lead }) {
  const now = useNow(1000);
  const c = clockOf(lead, now);
  if (c.due == null) {
    return <span class="due none">{c.state === 'paused' ? S.slaPausedShort : S.noFollowUp}</span>;
  }
  const t = fmtCountdown(c.due - now, c.running ? c.metric : 'follow_up');
  const cls = t.over ? 'due overdue' : c.running && c.state === 'warning' ? 'due warning' : 'due';
  return (
    <span class={cls} role="timer" data-state={t.over ? 'breached' : c.state || 'none'}>
      <span class="due-what">{t.label} · </span><span class="due-text">{t.text}</span>
    </span>
  );
}

// Moves focus to the screen's heading when the screen changes, for screen readers.
// `wide`: a screen that uses a laptop's width (the desk's queue beside its conversation).
export function Screen({ title, children, actions, wide = false }) {
  const h = useRef(null);
  useEffect(() => {
    h.current?.focus();
    document.title = `${title} · ${S.appName}`;
  }, [title]);
  return (
    <main id="main" class={wide ? 'screen screen-wide' : 'screen'}>
      <header class="screen-head">
        <h1 tabIndex={-1} ref={h}>{title}</h1>
        {actions}
      </header>
      {children}
    </main>
  );
}

export function LeadRow({ lead, productName, ownerName, children }) {
  const now = Date.now();
  const c = clockOf(lead, now);
  const overdue = isOverdue(lead, now);
  const product = productName || lead.product_text;
  const cls = overdue ? ' is-overdue' : c.state === 'warning' && c.running ? ' is-warning' : '';
  return (
    <li class={`lead-row${cls}`}>
      <Link href={pathOf('lead', lead.id)} class="lead-link">
        <span class="lead-main">
          <strong class="lead-name">{lead.contact_name}</strong>
          {lead.company && <span class="muted"> · {lead.company}</span>}
        </span>
        <span class="lead-sub">
          <span class={`stage stage-${lead.stage}`}>{STAGE_LABEL[lead.stage] || lead.stage}</span>
          {product && <span class="muted">{product}</span>}
          {ownerName && <span class="muted">{ownerName}</span>}
          {(lead._draft || lead._needsFix) && <span class="badge fix">{S.needsFixing}</span>}
          {lead._pending && <span class="badge" title={S.notSent}>{S.pendingBadge}</span>}
        </span>
        <Countdown lead={lead} />
      </Link>
      {children}
    </li>
  );
}

// A long list without the cost of a long list: the first rows at once, more as the end
// comes into view (or on a button), so 5,000 leads render like 40.
// A new `resetKey` (a new search) starts again at `first` rows, without remounting the rows:
// the same leads keep their elements.
export function LeadList({ leads, label, first = 40, step = 200, renderRow, button = false, resetKey }) {
  const [grown, setGrown] = useState({ key: resetKey, n: first });
  const shown = grown.key === resetKey ? grown.n : first;
  const setShown = (f) => setGrown((g) => ({ key: resetKey, n: f(g.key === resetKey ? g.n : first) }));
  const end = useRef(null);
  const more = leads.length > shown;
  useEffect(() => {
    if (button || !more || !end.current || typeof IntersectionObserver === 'undefined') return undefined;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setShown((n) => n + step);
      },
      { rootMargin: '600px 0px' },
    );
    io.observe(end.current);
    return () => io.disconnect();
  }, [button, more, shown, step, resetKey]);
  return (
    <>
      <ul class="lead-list" aria-label={label}>
        {leads.slice(0, shown).map(renderRow)}
      </ul>
      {more && (button ? (
        <button type="button" class="more" onClick={() => setShown((n) => n + step)}>
          {S.showMore(Math.min(step, leads.length - shown), leads.length - shown)}
        </button>
      ) : (
        <p class="more muted" ref={end}>{S.moreBelow(leads.length - shown)}</p>
      ))}
    </>
  );
}

// Names by id, built once per list rather than searched once per row.
export function useNames(list) {
  return useMemo(() => new Map((list || []).map((x) => [x.id, x.name])), [list]);
}

export function problemText(p) {
  if (p.status === 'conflict') {
    return p.conflicts
      .map((c) => S.conflictMsg(FIELD_LABEL[c.field] || c.field, c.server_value))
      .join(' ');
  }
  // A colleague holds the question (the desk's `claimed`): who, and until when, in local time.
  if (p.error?.code === 'claimed') {
    const holder = p.error.claimed_by?.name || [].concat(p.error.fields?.claimed_by || [])[0];
    const why = holder ? S.claimedBy(holder, p.error.claimed_until ? fmtTime(p.error.claimed_until) : null) : p.error.message;
    return S.rejectedMsg(MUTATION_LABEL[p.name] || p.name, why);
  }
  const fields = p.error?.fields;
  const why = fields
    ? Object.entries(fields)
        .map(([f, msgs]) => `${FIELD_LABEL[f] || f}: ${[].concat(msgs).join(' ')}`)
        .join('; ')
    : p.error?.message || p.error?.code || '';
  return S.rejectedMsg(MUTATION_LABEL[p.name] || p.name, why);
}

// The database could not be opened yet (a tab of an older version holds it, or it failed),
// or another tab upgraded it under this one (shown in the status bar, which stays in view).
// Reloading loses nothing stored.
export function DbNotice({ s }) {
  const text = s.dbError ? S.dbError(s.dbError) : s.dbReplaced ? S.dbReplaced : S.dbBlocked;
  return (
    <div class="db-notice" role="alert">
      <p>{text}</p>
      {(s.dbError || s.dbReplaced) && (
        <button type="button" class="primary" onClick={() => location.reload()}>{S.reload}</button>
      )}
    </div>
  );
}

// The sync state, on every screen. Online with nothing wrong it is one line: when it last
// synced (or the changes on their way: "Sending 1 change…"), and "Sync now"; a change just
// made does not make it grow and shift the screen under the person's finger. What needs
// attention (offline, refused changes, a failing sync, unsent changes in storage at risk,
// the session ended) spells itself out and the bar grows to show it.
export function StatusBar() {
  const s = useStore();
  const now = useNow(5000);
  const pending = s.outbox.filter((e) => e.status === 'pending' || e.status === 'applied' || e.status === 'duplicate' || e.status === 'conflict').length;
  const st = s.status;
  const syncing = st.state === 'syncing';
  const failing = st.state === 'error';
  const atRisk = pending > 0 && s.storageAtRisk;
  const calm = s.online && !s.problems.length && !failing && !atRisk && !s.sessionExpired && !s.dbReplaced;
  const last = s.lastSyncAt ? S.lastSync(fmtAgo(s.lastSyncAt, now)) : S.neverSynced;
  const line =
    !s.online ? S.offline
    : syncing ? S.syncing
    : failing ? S.syncError(st.lastError, fmtIn(st.nextAttemptAt, now))
    : S.online;
  const syncButton = s.online && (
    // Kept in place while syncing (aria-disabled), so keyboard focus on it is not lost.
    <button type="button" class="link sb-sync" aria-disabled={syncing ? 'true' : undefined}
      onClick={syncing ? undefined : syncNow}>{S.syncNow}</button>
  );
  return (
    <>
      <div class={`statusbar ${s.online ? 'on' : 'off'}${calm ? ' calm' : ''}`} role="status" aria-live="polite">
        <span class="dot" aria-hidden="true" />
        {calm ? (
          <>
            <span class="sr-only">{S.online}. {pending ? '' : `${S.allSent}. `}</span>
            {pending > 0 ? (
              <span class="sb-last">{syncing ? S.sending(pending) : S.pending(pending)}</span>
            ) : (
              // Ticks every 5 s: not read out each time (aria-live off inside the status region).
              <span class="sb-last" aria-live="off">{syncing ? S.syncing : last}</span>
            )}
          </>
        ) : (
          <>
            <span class="sb-state">{line}</span>
            <span class="sb-pending">{pending ? S.pending(pending) : S.allSent}</span>
            <span class="sb-last" aria-live="off">{last}</span>
          </>
        )}
        {s.problems.length > 0 && (
          <Link href="/problems" class="sb-problems">{S.problemsCount(s.problems.length)}</Link>
        )}
        {syncButton}
        {atRisk && <p class="sb-warn">{S.evictable}</p>}
        {s.sessionExpired && (
          <p class="sb-warn"><Link href="/signin">{S.sessionExpired}</Link></p>
        )}
        {s.dbReplaced && <DbNotice s={s} />}
      </div>
      <Notice />
    </>
  );
}

// A short notice above the tab bar, with one action (Undo) for a while: one for the whole
// app, so it outlives the screen that raised it (a reassigned lead may leave the list it
// was on). It stays while the pointer or focus is on it.
let notice = null;
const noticeSubs = new Set();
export function showNotice(text, { action = null, onAction = null, ms = 10_000 } = {}) {
  notice = { id: (notice?.id || 0) + 1, text, action, onAction, ms };
  for (const f of noticeSubs) f(notice);
}
export function clearNotice() {
  notice = null;
  for (const f of noticeSubs) f(null);
}

function Notice() {
  const [n, setN] = useState(notice);
  const [held, setHeld] = useState(false);
  useEffect(() => {
    noticeSubs.add(setN);
    return () => noticeSubs.delete(setN);
  }, []);
  useEffect(() => {
    if (!n || held) return undefined;
    const t = setTimeout(() => {
      if (notice?.id === n.id) clearNotice();
    }, n.ms);
    return () => clearTimeout(t);
  }, [n, held]);
  // The live region stays in the document, so what appears in it is read out.
  return (
    <div class="notice-region" role="status" aria-live="polite"
      onPointerEnter={() => setHeld(true)} onPointerLeave={() => setHeld(false)}
      onFocusIn={() => setHeld(true)} onFocusOut={() => setHeld(false)}>
      {n && (
        <div class="notice" key={n.id}>
          <span class="notice-text">{n.text}</span>
          {n.action && (
            <button type="button" class="notice-action" onClick={() => {
              clearNotice();
              setHeld(false);
              n.onAction();
            }}>{n.action}</button>
          )}
          <button type="button" class="link notice-close" aria-label={S.closeNotice} onClick={() => {
            clearNotice();
            setHeld(false);
          }}>✕</button>
        </div>
      )}
    </div>
  );
}

// Giving a lead to someone else: the picker asks first ("Give this lead to Riley?"), then
// offers Undo for a while, which gives it back to the owner it had, by the same mutation
// (offline too: both wait in the outbox, in order).
// `choices`: whom this person may give leads to (rules.js ownerChoices, the server's
// may_give_lead_to); the current owner is listed too, so the picker shows who has it.
export function ReassignPicker({ lead, choices, users = [], label }) {
  const [to, setTo] = useState(null);
  const people = choices.some((u) => u.id === lead.owner_id)
    ? choices
    : [{ id: lead.owner_id, name: users.find((u) => u.id === lead.owner_id)?.name || S.owner }, ...choices];
  const yes = useRef(null);
  const select = useRef(null);
  const nameOf = (id) => people.find((u) => u.id === id)?.name || S.owner;
  useEffect(() => {
    if (to) yes.current?.focus();
  }, [to]);
  async function give() {
    const from = lead.owner_id;
    const target = to;
    setTo(null);
    select.current?.focus(); // the confirmation goes: focus back where the person was
    if (!target || target === from) return;
    await mutate('lead.assign', { id: lead.id, owner_id: target });
    const name = lead.contact_name;
    showNotice(S.reassignedTo(name, nameOf(target)), {
      action: S.undo,
      onAction: async () => {
        await mutate('lead.assign', { id: lead.id, owner_id: from });
        showNotice(S.reassignedBack(name, nameOf(from)), { ms: 5_000 });
      },
    });
    // The notice covers the bottom of the screen: keep the focused picker clear of it (the
    // page's scroll padding grows while a notice shows).
    requestAnimationFrame(() => select.current?.scrollIntoView({ block: 'nearest' }));
  }
  const qid = `reassign-q-${lead.id}`;
  return (
    <div class="reassign">
      <label class="assign">{S.reassign}
        <select ref={select} aria-label={label || S.reassign} value={to || lead.owner_id}
          onChange={(e) => setTo(e.currentTarget.value === lead.owner_id ? null : e.currentTarget.value)}>
          {people.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select>
      </label>
      {to && (
        <div class="confirm neutral" role="alertdialog" aria-labelledby={qid}>
          <p id={qid}>{S.reassignConfirm(nameOf(to))}</p>
          <div class="row">
            <button type="button" class="primary" ref={yes} onClick={give}>{S.reassignYes(nameOf(to))}</button>
            <button type="button" onClick={() => {
              setTo(null);
              select.current?.focus();
            }}>{S.cancel}</button>
          </div>
        </div>
      )}
    </div>
  );
}

// A field's message: a check of rules.js ({code, …}) or the server's (a list of strings).
export function fieldMessage(error) {
  if (!error) return null;
  if (Array.isArray(error) || typeof error === 'string') return [].concat(error).join(' ');
  return (S.fieldError[error.code] || (() => error.code))(error);
}

// A labelled input with its message below (aria-invalid, aria-describedby).
export function Field({ name, label, error, multiline, required, value, onInput, idPrefix = 'f', ...rest }) {
  const msg = fieldMessage(error);
  const id = `${idPrefix}-${name}-error`;
  const props = {
    name, value, onInput, 'aria-invalid': msg ? 'true' : undefined, 'aria-describedby': msg ? id : undefined, ...rest,
  };
  return (
    <div class="field">
      <label>
        <span>{label}{required && <span aria-hidden="true"> *</span>}</span>
        {multiline ? <textarea rows={2} {...props} /> : <input {...props} />}
      </label>
      {msg && <p class="field-error" id={id}>{msg}</p>}
    </div>
  );
}

// What of a refused mutation a person can fix in place: [field, label, kind] (kind: 'text',
// 'tel', 'email', 'multi', 'number'); the rest of its args is sent again as it was.
const LEAD_FIELDS = [
  ['contact_name', S.contactName, 'text'], ['phone', S.phone, 'tel'], ['company', S.company, 'text'],
  ['email', S.email, 'email'], ['product_text', S.productText, 'text'], ['notes', S.notes, 'multi'],
];
function draftFields(p) {
  const a = p.args || {};
  const bad = Object.keys(p.error?.fields || {});
  const present = (obj, f) => f in obj || bad.includes(f);
  if (p.name === 'lead.create') return LEAD_FIELDS.filter(([f]) => f !== 'product_text' || !a.product_id || present(a, f));
  if (p.name === 'lead.update') return LEAD_FIELDS.filter(([f]) => present(a.set || {}, f));
  if (p.name === 'followup.create') {
    return [
      ['note', S.note, 'multi'], ['outcome', S.outcome, 'text'],
      ...(a.kind === 'quote' || present(a, 'quoted_amount') ? [['quoted_amount', S.amount, 'number']] : []),
    ];
  }
  if (p.name === 'lead.set_stage') {
    return [...(a.stage === 'won' ? [['won_value', S.wonValue, 'number']] : []), ['note', S.note, 'multi']];
  }
  return [];
}

// The args to send again: the draft's, with the edited fields (blank = left out / null).
function fixedArgs(p, values) {
  const a = { ...p.args };
  const put = (obj, f, kind, v) => {
    const t = String(v ?? '').trim();
    if (kind === 'number') obj[f] = t === '' ? null : Number(t);
    else obj[f] = t === '' ? null : t;
  };
  for (const [f, , kind] of draftFields(p)) {
    if (p.name === 'lead.update') {
      a.set = { ...a.set };
      put(a.set, f, kind, values[f]);
    } else {
      put(a, f, kind, values[f]);
      if (a[f] == null && (p.name === 'lead.create' || p.name === 'lead.set_stage')) delete a[f];
    }
  }
  return a;
}

// A refused mutation kept as a draft: what the server said, field by field, the person's
// input to fix, "Send again" (a new mutation) and "Discard" (asks first).
export function DraftCard({ problem: p }) {
  const fields = draftFields(p);
  const source = p.name === 'lead.update' ? p.args.set || {} : p.args;
  const [values, setValues] = useState(() =>
    Object.fromEntries(fields.map(([f]) => [f, source[f] == null ? '' : String(source[f])])));
  const [touched, setTouched] = useState({});
  const [errors, setErrors] = useState({});
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const serverFields = p.error?.fields || {};
  const shown = new Set(fields.map(([f]) => f));
  const other = Object.entries(serverFields).filter(([f]) => !shown.has(f));
  const why = other.length
    ? other.map(([f, m]) => `${FIELD_LABEL[f] || f}: ${fieldMessage(m)}`).join('; ')
    : !Object.keys(serverFields).length ? p.error?.message || p.error?.code || '' : '';
  const errorOf = (f) => errors[f] || (!touched[f] && serverFields[f]) || null;
  const idPrefix = `d${p.key}`;

  async function send(e) {
    e.preventDefault();
    if (busy) return;
    const args = fixedArgs(p, values);
    const found = checkMutation(p.name, args);
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await resendDraft(p.key, args);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="draft form" onSubmit={send} noValidate aria-labelledby={`${idPrefix}-h`}>
      <h2 id={`${idPrefix}-h`}>{S.draftTitle(MUTATION_LABEL[p.name] || p.name)}</h2>
      <p>{S.draftHelp}</p>
      {why && <p class="error" role="alert">{S.draftOther(why)}</p>}
      {fields.map(([f, label, kind]) => (
        <Field key={f} name={f} label={label} idPrefix={idPrefix} error={errorOf(f)} multiline={kind === 'multi'}
          type={kind === 'number' ? 'number' : kind === 'tel' ? 'tel' : kind === 'email' ? 'email' : 'text'}
          inputMode={kind === 'number' ? 'decimal' : kind === 'tel' ? 'tel' : undefined}
          value={values[f]}
          onInput={(ev) => {
            setValues({ ...values, [f]: ev.currentTarget.value });
            setTouched({ ...touched, [f]: true });
            if (errors[f]) setErrors({ ...errors, [f]: undefined });
          }} />
      ))}
      {confirming ? (
        <DiscardConfirm id={`${idPrefix}-c`} problemKey={p.key} onKeep={() => setConfirming(false)} />
      ) : (
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{fields.length ? S.sendAgain : S.retry}</button>
          <button type="button" onClick={() => setConfirming(true)}>{S.discard}</button>
        </div>
      )}
    </form>
  );
}

// "Discard what you typed?" for a draft: nothing typed goes without a second, explicit tap.
export function DiscardConfirm({ id, problemKey, onKeep }) {
  return (
    <div class="confirm" role="alertdialog" aria-labelledby={id}>
      <p id={id}>{S.discardConfirm}</p>
      <div class="row">
        <button type="button" class="danger-fill" onClick={() => dismissProblem(problemKey)}>{S.discardYes}</button>
        <button type="button" onClick={onKeep}>{S.keep}</button>
      </div>
    </div>
  );
}
