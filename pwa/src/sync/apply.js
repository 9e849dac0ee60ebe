// What the screen shows: the server's copy with the still-pending mutations re-applied on
// top, in outbox order. Pure functions, so the UI and the tests share one definition. How
// each mutation applies is its entity's (entities.js); the lead rules and the SLA clock are
// in leads.js, re-exported here for the screens.
import { MATERIALIZED, MUTATIONS } from './entities.js';

export * from './leads.js';

// Apply one outbox entry to `state` (a Map per entity with mutations: {leads, followups}) in place.
export function applyMutation(state, entry, me) {
  if (entry.status === 'rejected') return;
  MUTATIONS[entry.name]?.apply(state, entry.args || {}, entry, me);
}

// Server truth plus what is not yet acknowledged, as plain Maps keyed by id: `lists` holds
// the stored records of each such entity under its view name ({leads, followups}).
export function materialize({ outbox, me, ...lists }) {
  const state = {};
  for (const e of MATERIALIZED) state[e.view] = new Map((lists[e.view] || []).map((r) => [r.id, r]));
  for (const entry of [...outbox].sort((x, y) => x.id - y.id)) applyMutation(state, entry, me);
  return state;
}
