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
  possible_duplicate_of: null, version: 0,
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
      mark(lead);
      state.leads.set(a.id, lead);
      return;
    }
    case 'lead.set_stage': {
      const old = state.leads.get(a.id);
      if (!old || !stageMoveAllowed(old.stage, a.stage)) return;
      const lead = { ...old, stage: a.stage };
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

// My queue: open leads, overdue first (most overdue on top), then soonest, then the rest.
export function byUrgency(leads, now = Date.now()) {
  const key = (l) => (l.next_follow_up_at ? Date.parse(l.next_follow_up_at) : Infinity);
  return [...leads]
    .filter((l) => OPEN_STAGES.includes(l.stage))
    .sort((a, b) => key(a) - key(b) || (a.created_at < b.created_at ? 1 : -1));
}

export function isOverdue(lead, now = Date.now()) {
  return !!lead.next_follow_up_at && Date.parse(lead.next_follow_up_at) < now;
}
