// What the device knows of a consumer question by itself: whether a claim is live, its
// first-reply clock read by the device clock, the desk's order, and how each pending desk
// mutation (claim, reply, note, resolve, hand-off) shows before the server answers. Pure
// functions; the entity table (entities.js) wires the mutations, the desk screens read the rest.
import { RUNNING, clockOf, ms } from './leads.js';

// How long the server's claim holds without a reply (QUESTION_CLAIM_MINUTES, default 15). Only
// what a pending claim shows until the next pull brings the server's `claim_until`.
export const CLAIM_MINUTES = 15;

export const OPEN_STATUSES = ['new', 'open'];

// The question's claim as the server sent it, {user_id, name, until} or null: the REST form
// (`claim`) or the flat one (`claimed_by`, `claimed_by_name`, `claim_until`).
export function claimOf(q) {
  if (!q) return null;
  if ('claim' in q) return q.claim ? { user_id: q.claim.user_id, name: q.claim.name ?? null, until: q.claim.until ?? null } : null;
  return q.claimed_by ? { user_id: q.claimed_by, name: q.claimed_by_name ?? null, until: q.claim_until ?? null } : null;
}

// The question with this claim (or none), in both forms.
function withClaim(q, claim) {
  return {
    ...q,
    claim,
    claimed_by: claim?.user_id ?? null,
    claimed_by_name: claim?.name ?? null,
    claim_until: claim?.until ?? null,
  };
}

// A claim that still holds at `now`: {user_id, name, until} or null.
export function liveClaim(q, now = Date.now()) {
  const c = claimOf(q);
  if (!c?.user_id) return null;
  const until = ms(c.until);
  if (until != null && until <= now) return null;
  return c;
}

// Someone else holds it: a reply or resolve from me would be refused (`claimed`).
export const heldByOther = (q, meId, now = Date.now()) => {
  const c = liveClaim(q, now);
  return !!c && c.user_id !== meId;
};

// The question's first-reply clock at `now` (leads.js clockOf reads any `sla` the same way):
// {metric, state, due, warn, running}. A resolved question counts to nothing.
export function questionClock(q, now = Date.now()) {
  if (q.status === 'resolved') {
    return { metric: q.sla?.metric || null, state: q.sla?.state === 'met' ? 'met' : 'paused', due: null, warn: null, running: false };
  }
  return clockOf({ sla: q.sla }, now);
}

// The desk's order, as the server's: open clocks first, earliest deadline first (an overdue
// one is the earliest), then the oldest question. Keys computed once per question.
export function deskOrder(questions, now = Date.now()) {
  const keyed = [];
  for (const q of questions) {
    const c = questionClock(q, now);
    const open = c.running && c.due != null;
    keyed.push({ q, open: open ? 0 : 1, due: open ? c.due : Infinity, created: q.created_at || '' });
  }
  keyed.sort((a, b) => a.open - b.open || a.due - b.due || (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
  return keyed.map((k) => k.q);
}

// Which questions a desk tab shows: 'open' (new and answered), 'mine' (open, claimed by me now),
// 'resolved' (most recently resolved first).
export function deskList(questions, filter, meId, now = Date.now()) {
  const all = questions instanceof Map ? [...questions.values()] : questions || [];
  if (filter === 'resolved') {
    return all
      .filter((q) => q.status === 'resolved')
      .sort((a, b) => ((a.resolved_at || '') < (b.resolved_at || '') ? 1 : -1));
  }
  const open = all.filter((q) => OPEN_STATUSES.includes(q.status));
  const mine = filter === 'mine' ? open.filter((q) => liveClaim(q, now)?.user_id === meId) : open;
  return deskOrder(mine, now);
}

// A conversation in order: the server's position, then the time (a pending reply last).
export function conversationOrder(replies) {
  return [...replies].sort((a, b) => {
    const pa = a.position ?? Infinity;
    const pb = b.position ?? Infinity;
    if (pa !== pb) return pa - pb;
    return (a.at || '') < (b.at || '') ? -1 : (a.at || '') > (b.at || '') ? 1 : 0;
  });
}

// --- pending mutations, shown as the server will apply them ------------------------------
// `state.questions` and `state.replies` are Maps by id (entities.js, materialize).

function markPending(record, entry) {
  record._pending = [...(record._pending || []), entry.id];
}

const plusMinutes = (iso, minutes) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

function claimFor(q, me, at) {
  return withClaim(q, { user_id: me?.id ?? null, name: me?.name ?? null, until: plusMinutes(at, CLAIM_MINUTES) });
}

// A claim: mine for CLAIM_MINUTES from the tap, unless a colleague's live claim holds it (the
// server will refuse it: the question stays as it is, and the refusal shows on it).
export function applyClaim(state, a, entry, me) {
  const q = state.questions.get(a.id);
  if (!q) return;
  const at = entry.client_time || new Date().toISOString();
  const next = heldByOther(q, me?.id, ms(at)) ? { ...q } : claimFor(q, me, at);
  markPending(next, entry);
  state.questions.set(a.id, next);
}

// A reply (or a note, `internal`): a message of mine in the conversation. A reply to the
// consumer also claims the question, moves it from new to open and meets its first-reply clock.
export function applyReply(state, a, entry, me) {
  const at = entry.client_time || new Date().toISOString();
  if (!state.replies.has(a.id)) {
    state.replies.set(a.id, {
      id: a.id, question_id: a.question_id, author: 'staff', author_id: me?.id ?? null,
      name: me?.name ?? null, body: a.body, internal: !!a.internal, at, position: null,
      _pending: [entry.id], _local: true,
    });
  }
  const q = state.questions.get(a.question_id);
  if (!q) return;
  let next = { ...q, message_count: (q.message_count || 0) + 1, updated_at: at };
  if (!a.internal && !heldByOther(q, me?.id, ms(at))) {
    next = claimFor(next, me, at);
    if (next.status === 'new') next.status = 'open';
    next.first_replied_at ||= at;
    if (next.sla && next.sla.metric === 'first_reply' && RUNNING.includes(next.sla.state)) {
      next.sla = { ...next.sla, state: 'met', met_at: at, _local: true };
    }
  }
  markPending(next, entry);
  state.questions.set(a.question_id, next);
}

// Resolved: the claim ends; a clock still running stops (the consumer writing again reopens it).
export function applyResolve(state, a, entry, me) {
  const q = state.questions.get(a.id);
  if (!q) return;
  const at = entry.client_time || new Date().toISOString();
  if (heldByOther(q, me?.id, ms(at))) {
    const same = { ...q };
    markPending(same, entry);
    state.questions.set(a.id, same);
    return;
  }
  const next = { ...withClaim(q, null), status: 'resolved', resolved_at: at };
  if (next.sla && RUNNING.includes(next.sla.state)) next.sla = { ...next.sla, state: 'paused', _local: true };
  markPending(next, entry);
  state.questions.set(a.id, next);
}

// Handed to sales: the question points at its new lead at once; whose lead it became
// (`lead_owner_name`) comes with the server's copy.
export function applyConvert(state, a, entry) {
  const q = state.questions.get(a.id);
  if (!q) return;
  const next = { ...q, lead_id: q.lead_id || a.lead_id };
  markPending(next, entry);
  state.questions.set(a.id, next);
}
