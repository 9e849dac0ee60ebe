// What the screen shows: the server's copy with the still-pending mutations re-applied on
// top, in outbox order. Pure functions, so the UI and the tests share one definition. How
// each mutation applies is its entity's (entities.js); the lead rules and the SLA clock are
// in leads.js, re-exported here for the screens.
import { MATERIALIZED, MUTATIONS, clockContext, isDraft } from './entities.js';

export * from './leads.js';

// Apply one outbox entry to `state` (a Map per entity with mutations: {leads, followups}) in place.
// `ctx`: what pending clocks are computed from (entities.js clockContext: policies, calendars…).
export function applyMutation(state, entry, me, ctx = {}) {
  if (entry.status === 'rejected') return;
  MUTATIONS[entry.name]?.apply(state, entry.args || {}, entry, me, ctx);
}

// Server truth plus what is not yet acknowledged, as plain Maps keyed by id: `lists` holds
// the stored records of each such entity under its view name ({leads, followups}).
// `problems`: the drafts among them (refused mutations with the person's input) stay
// findable: a refused lead.create shows as its lead (`_draft`: the problem's key), and a lead
// with any draft on it is marked `_needsFix` (queue and search show "Needs fixing").
export function materialize({ outbox, me, problems = [], ...lists }) {
  const state = {};
  for (const e of MATERIALIZED) state[e.view] = new Map((lists[e.view] || []).map((r) => [r.id, r]));
  const ctx = clockContext(lists);
  for (const entry of [...outbox].sort((x, y) => x.id - y.id)) applyMutation(state, entry, me, ctx);
  const drafts = problems.filter(isDraft);
  if (drafts.length && state.leads) {
    for (const p of drafts) {
      if (p.name !== 'lead.create' || state.leads.has(p.args.id)) continue;
      const entry = { id: p.mutation_id, client_time: p.at, status: 'pending' };
      MUTATIONS['lead.create'].apply(state, p.args, entry, me, ctx);
      const lead = state.leads.get(p.args.id);
      if (lead) state.leads.set(lead.id, { ...lead, _pending: undefined, _draft: p.key });
    }
    for (const p of drafts) {
      if (p.entity !== 'lead') continue;
      const lead = state.leads.get(p.record_id);
      if (lead && !lead._needsFix) state.leads.set(lead.id, { ...lead, _needsFix: true });
    }
  }
  return state;
}
