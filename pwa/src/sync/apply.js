// What the screen shows: the server's copy with the still-pending mutations re-applied on
// top, in outbox order. Pure functions, so the UI and the tests share one definition.

export const OPEN_STAGES = ['new', 'contacted', 'quoted', 'negotiating'];
export const STAGES = [...OPEN_STAGES, 'won', 'lost'];
const CONTACT_KINDS = ['call', 'visit', 'message', 'email', 'quote'];

function stageMoveAllowed(current, target) {
  if (current === target) return true;
  if (current === 'won') return false;
  if (current === 'lost') return OPEN_STAGES.includes(target);
  if (target === 'won' || target === 'lost') return true;
  return OPEN_STAGES.indexOf(target) > OPEN_STAGES.indexOf(current);
}

const LEAD_DEFAULTS = {
  company: null, phone: null, email: null, region: null, territory: null, source: 'other',
  product_id: null, product_text: null, quantity: null, estimated_value: null, currency: null,
  priority: 'normal', notes: null, team_id: null, stage: 'new', lost_reason: null,
  won_value: null, next_follow_up_at: null, last_follow_up_at: null,
  possible_duplicate_of: null, version: 0, sla: null,
};

// Apply one outbox entry to `state` ({leads: Map, followups: Map}) in place.
export function applyMutation(state, entry, me) {
  if (entry.status === 'rejected') return;
  const a = entry.args || {};
  const mark = (lead) => {
    lead._pending = [...(lead._pending || []), entry.id];
  };
  switch (entry.name) {
    case 'lead.create': {
      if (state.leads.has(a.id)) return; // the server's copy already carries it
      const lead = {
        ...LEAD_DEFAULTS,
        ...a,
        owner_id: a.owner_id || me?.id || null,
        created_by: me?.id || null,
        created_at: entry.client_time,
        updated_at: entry.client_time,
        _local: true,
      };
      mark(lead);
      state.leads.set(a.id, lead);
      return;
    }
    case 'lead.update': {
      const old = state.leads.get(a.id);
      if (!old) return;
      const skip = new Set((entry.conflicts || []).map((c) => c.field));
      const set = Object.fromEntries(Object.entries(a.set || {}).filter(([k]) => !skip.has(k)));
      const lead = { ...old, ...set, updated_at: entry.client_time };
      if ('next_follow_up_at' in set) lead.sla = clockAfterReschedule(old, set.next_follow_up_at);
      mark(lead);
      state.leads.set(a.id, lead);
      return;
    }
    case 'lead.set_stage': {
      const old = state.leads.get(a.id);
      if (!old || !stageMoveAllowed(old.stage, a.stage)) return;
      const lead = { ...old, stage: a.stage, sla: clockAfterStage(old, a.stage) };
      if (a.stage === 'lost') lead.lost_reason = a.lost_reason;
      if (a.stage === 'won') lead.won_value = a.won_value;
      if (OPEN_STAGES.includes(a.stage)) lead.lost_reason = null;
      mark(lead);
      state.leads.set(a.id, lead);
      if (a.note) {
        const id = `local-note-${entry.id}`;
        state.followups.set(id, {
          id, lead_id: a.id, kind: 'note', note: a.note, outcome: null,
          happened_at: entry.client_time, next_follow_up_at: null, quoted_amount: null,
          author_id: me?.id || null, _pending: [entry.id], _local: true,
        });
      }
      return;
    }
    case 'lead.assign': {
      const old = state.leads.get(a.id);
      if (!old) return;
      const lead = { ...old, owner_id: a.owner_id };
      mark(lead);
      state.leads.set(a.id, lead);
      return;
    }
    case 'followup.create': {
      if (state.followups.has(a.id)) return;
      state.followups.set(a.id, {
        outcome: null, next_follow_up_at: null, quoted_amount: null, note: null,
        ...a, author_id: me?.id || null, _pending: [entry.id], _local: true,
      });
      const old = state.leads.get(a.lead_id);
      if (!old) return;
      const lead = { ...old };
      const quoted = a.kind === 'quote' || a.quoted_amount != null;
      if (quoted && (lead.stage === 'new' || lead.stage === 'contacted')) lead.stage = 'quoted';
      else if (CONTACT_KINDS.includes(a.kind) && lead.stage === 'new') lead.stage = 'contacted';
      if (a.next_follow_up_at != null) lead.next_follow_up_at = a.next_follow_up_at;
      if (CONTACTS.has(a.kind) && !(ms(a.happened_at) < ms(old.sla?.started_at))) {
        lead.sla = clockAfterContact(old, a.happened_at);
      } else if (a.next_follow_up_at != null) {
        lead.sla = clockAfterReschedule(old, a.next_follow_up_at);
      }
      if (CONTACT_KINDS.includes(a.kind) &&
          (!lead.last_follow_up_at || a.happened_at > lead.last_follow_up_at)) {
        lead.last_follow_up_at = a.happened_at;
      }
      mark(lead);
      state.leads.set(a.lead_id, lead);
      return;
    }
    default:
  }
}

// Server truth plus what is not yet acknowledged, as plain Maps keyed by id.
export function materialize({ leads, followups, outbox, me }) {
  const state = {
    leads: new Map(leads.map((l) => [l.id, l])),
    followups: new Map(followups.map((f) => [f.id, f])),
  };
  for (const entry of [...outbox].sort((x, y) => x.id - y.id)) applyMutation(state, entry, me);
  return state;
}

// --- the SLA clock ---------------------------------------------------------------------
// The server computes each lead's clock (`lead.sla`, or null) in business time; the device
// only reads it. Between syncs the device clock moves it on: a running clock whose warn_at or
// due_at has passed reads as "warning" or "breached" before the server says so.

export const RUNNING = ['ok', 'warning', 'breached'];
const CONTACTS = new Set(CONTACT_KINDS);

// Milliseconds since the epoch of an ISO time, or null. Cached per string: sorting 10,000
// leads would otherwise parse the same dates again and again.
const parsed = new Map();
export function ms(iso) {
  if (!iso) return null;
  let v = parsed.get(iso);
  if (v === undefined) {
    if (parsed.size > 50_000) parsed.clear();
    v = Date.parse(iso);
    parsed.set(iso, v);
  }
  return Number.isNaN(v) ? null : v;
}

// What the lead's clock says now: {metric, state, due, warn, running} or null. `due` is what
// the countdown counts to: the running clock's due_at, else the lead's own next follow-up.
export function clockOf(lead, now = Date.now()) {
  const c = lead.sla;
  if (c && RUNNING.includes(c.state) && c.due_at) {
    const due = ms(c.due_at);
    const warn = ms(c.warn_at);
    let state = c.state;
    if (due != null && now >= due) state = 'breached';
    else if (state === 'ok' && warn != null && now >= warn) state = 'warning';
    return { metric: c.metric, state, due, warn, running: true };
  }
  const due = ms(lead.next_follow_up_at);
  return {
    metric: c?.metric || null,
    state: c?.state || null, // paused, met or none: not counting
    due,
    warn: null,
    running: false,
  };
}

// 0: breached (or, without a running clock, the next follow-up has passed), 1: warning,
// 2: anything else with a deadline, 3: no deadline at all.
export function urgencyRank(lead, now = Date.now()) {
  const c = clockOf(lead, now);
  if (c.due == null) return 3;
  if (c.state === 'breached' || (!c.running && c.due <= now)) return 0;
  if (c.running && c.state === 'warning') return 1;
  return 2;
}

export function isOverdue(lead, now = Date.now()) {
  const due = clockOf(lead, now).due;
  return due != null && due <= now;
}

// My queue: open leads by SLA urgency: breached first, then warning, then by deadline (the
// clock's due_at, else next_follow_up_at; soonest, i.e. most overdue, first); leads without
// any deadline last, newest first. Keys are computed once per lead, not per comparison.
export function byUrgency(leads, now = Date.now()) {
  const keyed = [];
  for (const l of leads) {
    if (!OPEN_STAGES.includes(l.stage)) continue;
    const due = clockOf(l, now).due;
    keyed.push({ l, rank: urgencyRank(l, now), due: due ?? Infinity, created: l.created_at || '' });
  }
  keyed.sort(
    (a, b) =>
      a.rank - b.rank ||
      a.due - b.due ||
      (a.created < b.created ? 1 : a.created > b.created ? -1 : 0),
  );
  return keyed.map((k) => k.l);
}

// The SLA policy that applies to a lead's clock, as the server picks it: the most specific
// active match (priority and source beat either, which beats a catch-all), then the stricter.
export function policyFor(lead, policies) {
  const metric = lead.sla?.metric;
  if (!metric) return null;
  let best = null;
  let bestKey = null;
  for (const p of policies || []) {
    if (p.active === false || (p.item_type && p.item_type !== 'lead') || p.metric !== metric) continue;
    if (p.priority != null && p.priority !== lead.priority) continue;
    if (p.source != null && p.source !== lead.source) continue;
    const key = [(p.priority != null) + (p.source != null), -p.target_minutes];
    if (!best || key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
      best = p;
      bestKey = key;
    }
  }
  return best;
}

// What a pending mutation will do to the clock, as far as the device can tell without the
// business calendar: a contact meets it (the server then starts the next one), won/lost pause
// it, an earlier next follow-up pulls a follow-up deadline in. The next sync brings the truth.
function clockAfterContact(lead, happenedAt) {
  const c = lead.sla;
  if (!c || !RUNNING.includes(c.state)) return c;
  return { ...c, state: 'met', met_at: happenedAt, _local: true };
}

function clockAfterStage(lead, stage) {
  const c = lead.sla;
  if (!c || !RUNNING.includes(c.state)) return c;
  return stage === 'won' || stage === 'lost' ? { ...c, state: 'paused', _local: true } : c;
}

function clockAfterReschedule(lead, next) {
  const c = lead.sla;
  if (!c || c.metric !== 'follow_up' || !RUNNING.includes(c.state) || !next) return c;
  const due = ms(c.due_at);
  const at = ms(next);
  if (at == null || (due != null && at >= due)) return c;
  const start = ms(c.started_at);
  const capped = start != null && at < start ? c.started_at : next;
  const warn = ms(c.warn_at);
  return {
    ...c,
    due_at: capped,
    warn_at: warn != null && warn > ms(capped) ? capped : c.warn_at,
    state: 'ok', // re-evaluated against the device clock by clockOf
    _local: true,
  };
}
