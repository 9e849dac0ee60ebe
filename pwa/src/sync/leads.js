// What the device knows of a lead by itself: its stages, the stage moves the server allows,
// a new lead's defaults, and its SLA clock. Pure functions. The entity table (entities.js)
// builds the lead and follow-up mutations from these; the screens read the clock.
import { calendarFor } from './business-time.js';

export const OPEN_STAGES = ['new', 'contacted', 'quoted', 'negotiating'];
export const STAGES = [...OPEN_STAGES, 'won', 'lost'];
export const CONTACT_KINDS = ['call', 'visit', 'message', 'email', 'quote'];

export function stageMoveAllowed(current, target) {
  if (current === target) return true;
  if (current === 'won') return false;
  if (current === 'lost') return OPEN_STAGES.includes(target);
  if (target === 'won' || target === 'lost') return true;
  return OPEN_STAGES.indexOf(target) > OPEN_STAGES.indexOf(current);
}

export const LEAD_DEFAULTS = {
  company: null, phone: null, email: null, region: null, territory: null, source: 'other',
  product_id: null, product_text: null, quantity: null, estimated_value: null, currency: null,
  priority: 'normal', notes: null, team_id: null, stage: 'new', lost_reason: null,
  won_value: null, next_follow_up_at: null, last_follow_up_at: null,
  possible_duplicate_of: null, version: 0, sla: null,
};

// --- the SLA clock ---------------------------------------------------------------------
// The server computes each lead's clock (`lead.sla`, or null) in business time; the device
// reads it, and computes it the same way for what it has not sent yet (below). Between syncs
// the device clock moves it on: a running clock whose warn_at or due_at has passed reads as
// "warning" or "breached" before the server says so.

export const RUNNING = ['ok', 'warning', 'breached'];
export const CONTACTS = new Set(CONTACT_KINDS);

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
// A won or lost lead's clock is paused: nothing to count to (`due` null, state 'paused').
export function clockOf(lead, now = Date.now()) {
  const c = lead.sla;
  if (lead.stage === 'won' || lead.stage === 'lost' || c?.state === 'paused') {
    return { metric: c?.metric || null, state: 'paused', due: null, warn: null, running: false };
  }
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

// What a pending mutation will do to the clock, computed as the server will compute it: the
// synced SLA policies give the target, the synced business calendars (business-time.js, a
// port of the server's arithmetic) the hours it counts in. A new lead starts its first-
// response clock, a contact meets the running clock and starts the follow-up cadence from
// the contact, won/lost pause it, reopening restarts it, an earlier next follow-up pulls a
// follow-up deadline in. The next sync brings the server's own.
//
// `ctx` (entities.js clockContext): {policies, calendars, timezone, users} as synced:
// the SLA policies, the calendars, the organisation's time zone and the people (a new
// lead's team is its owner's first).

// The server's targets when no policy matches (app/leads/sla.py default_targets): answer
// within 2 business hours, follow up every 3 business days of 8 hours, warn at 80 %.
export const DEFAULT_TARGETS = {
  first_response: { target_minutes: 120, warn_ratio: 0.8 },
  follow_up: { target_minutes: 3 * 8 * 60, warn_ratio: 0.8 },
  first_reply: { target_minutes: 30, warn_ratio: 0.8 }, // a consumer's question (app/questions/sla.py)
};

// The calendar a lead's deadlines count in: its team's sales calendar, else the
// organisation's, else the default hours in the organisation's zone.
export function leadCalendar(lead, ctx = {}) {
  return calendarFor(ctx.calendars, ctx.timezone, 'sales', lead.team_id ?? null);
}

// The team a new lead is filed under, as the server files it: the one given, else the
// owner's first (team ids sorted, as the server sorts them), else none.
export function teamOfNewLead(args, ownerId, ctx = {}, me = null) {
  if (args.team_id) return args.team_id;
  const owner = (ctx.users || []).find((u) => u.id === ownerId) || (me?.id === ownerId ? me : null);
  const teams = [...(owner?.team_ids || [])].sort();
  return teams[0] ?? null;
}

// The clock of `metric` that starts at `at` (ISO) for `lead`, as the server's
// clock.started: the target of the policy that applies (else the default) in business time
// of the lead's calendar; for the follow-up cadence the lead's own next follow-up (`cap`),
// if sooner, is the deadline (never before the start); the warning at `warn_ratio` of the
// business time to the deadline.
export function startedClock(lead, metric, at, ctx = {}, cap = null) {
  const policy = policyFor({ ...lead, sla: { metric } }, ctx.policies);
  const { target_minutes: minutes, warn_ratio: ratio } = policy || DEFAULT_TARGETS[metric];
  const calendar = leadCalendar(lead, ctx);
  const start = ms(at);
  let due = calendar.addBusinessTime(start, minutes * 60_000);
  const capAt = metric === 'follow_up' ? ms(cap) : null;
  if (capAt != null && capAt < due) due = Math.max(capAt, start);
  const span = calendar.businessTimeBetween(start, due);
  const warn = calendar.addBusinessTime(start, Math.round(span * ratio));
  return {
    metric, state: 'ok', started_at: new Date(start).toISOString(),
    warn_at: new Date(warn).toISOString(), due_at: new Date(due).toISOString(),
    breached_at: null, met_at: null, escalated_at: null, _local: true,
  };
}

// A contact at `happenedAt` starts the follow-up cadence, capped by the lead's next follow-up
// (`next`, after the server's rule: a stale one is cleared).
export function clockAfterContact(lead, happenedAt, next = lead.next_follow_up_at, ctx = {}) {
  const c = lead.sla;
  if (c?.state === 'paused' || lead.stage === 'won' || lead.stage === 'lost') return c;
  return startedClock(lead, 'follow_up', happenedAt, ctx, next);
}

// The server's rule (app/leads/service.py create_follow_up): a contact without a next
// follow-up clears the lead's when it is at or before the contact.
export function nextAfterContact(lead, kind, happenedAt, next) {
  if (next != null) return next;
  if (!CONTACTS.has(kind)) return lead.next_follow_up_at;
  const old = ms(lead.next_follow_up_at);
  return old != null && old <= ms(happenedAt) ? null : lead.next_follow_up_at;
}

// Reopening a lost lead restarts its clock from now, as the server does: the follow-up
// cadence after a contact, else the first response.
export function clockAfterStage(lead, stage, at, ctx = {}) {
  const c = lead.sla;
  if ((lead.stage === 'won' || lead.stage === 'lost') && OPEN_STAGES.includes(stage) && at) {
    const metric = lead.last_follow_up_at ? 'follow_up' : 'first_response';
    return startedClock(lead, metric, at, ctx, lead.next_follow_up_at);
  }
  if (!c || !RUNNING.includes(c.state)) return c;
  return stage === 'won' || stage === 'lost' ? { ...c, state: 'paused', _local: true } : c;
}

export function clockAfterReschedule(lead, next) {
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

// The next follow-up a "Log a follow-up" form offers: the lead's own if it is still ahead,
// else two business days (Monday to Friday) from `now` at 09:00 local time.
export function defaultNextFollowUp(lead, now = Date.now()) {
  const own = ms(lead.next_follow_up_at);
  if (own != null && own > now) return lead.next_follow_up_at;
  const d = new Date(now);
  let added = 0;
  while (added < 2) {
    d.setDate(d.getDate() + 1);
    if (d.getDay() !== 0 && d.getDay() !== 6) added += 1;
  }
  d.setHours(9, 0, 0, 0);
  return d.toISOString();
}
