// Every kind of record the server syncs, in one table: where the device keeps it, how a
// pending mutation of it shows on screen, which record a refused mutation is shown on, and
// which screen shows it. db.js (stores), engine.js (pulled changes, problems), outbox.js
// (mutation names), apply.js (the view) and store.js (what a tab holds) derive their lists
// from here. A new kind of record is one entry below, plus its screen (app.jsx) and, if it
// brings a store or an index of its own, a database version step (db.js).
import { orgSettings } from '../org.js';
import {
  CONTACTS, CONTACT_KINDS, LEAD_DEFAULTS, OPEN_STAGES, clockAfterContact, clockAfterReschedule,
  clockAfterStage, ms, nextAfterContact, stageMoveAllowed, startedClock, teamOfNewLead,
} from './leads.js';
import { applyClaim, applyConvert, applyReply, applyResolve } from './questions.js';

// The store shared by entities without one of their own, keyed "entity:id", each row the
// server's data plus `key` and `entity`. An entity a newer server sends before this release
// knows it lands here too, and is shown nowhere.
export const RECORDS = 'records';

// --- the pending mutations of leads and follow-ups ----------------------------------------
// Each applies one outbox entry's args to the view in place: `state` holds a Map (by id) for
// every entity that has mutations, under its `view` name (state.leads, state.followups).
// `ctx` is what a pending change's SLA clock is computed from (clockContext, below).

// The synced records a clock needs, from the held lists by view name: policies (the
// target), calendars and the organisation's zone (the hours), people (a new lead's team).
export function clockContext(lists) {
  return {
    policies: lists.slaPolicies || [],
    calendars: lists.calendars || [],
    timezone: orgSettings(lists.org || []).timezone,
    users: lists.users || [],
  };
}

function markPending(record, entry) {
  record._pending = [...(record._pending || []), entry.id];
}

// A new lead, filed and timed as the server will: its owner's team, and the first-response
// clock from its capture in that team's hours (the server counts from when it receives it:
// the same deadline when the capture syncs within the same closed hours or promptly).
function createLead(state, a, entry, me, ctx = {}) {
  if (state.leads.has(a.id)) return; // the server's copy already carries it
  const ownerId = a.owner_id || me?.id || null;
  const lead = {
    ...LEAD_DEFAULTS,
    ...a,
    owner_id: ownerId,
    team_id: teamOfNewLead(a, ownerId, ctx, me),
    created_by: me?.id || null,
    created_at: entry.client_time,
    updated_at: entry.client_time,
    _local: true,
  };
  if (entry.client_time && OPEN_STAGES.includes(lead.stage)) {
    lead.sla = startedClock(lead, 'first_response', entry.client_time, ctx);
  }
  markPending(lead, entry);
  state.leads.set(a.id, lead);
}

function updateLead(state, a, entry) {
  const old = state.leads.get(a.id);
  if (!old) return;
  const skip = new Set((entry.conflicts || []).map((c) => c.field));
  const set = Object.fromEntries(Object.entries(a.set || {}).filter(([k]) => !skip.has(k)));
  const lead = { ...old, ...set, updated_at: entry.client_time };
  if ('next_follow_up_at' in set) lead.sla = clockAfterReschedule(old, set.next_follow_up_at);
  markPending(lead, entry);
  state.leads.set(a.id, lead);
}

function setStage(state, a, entry, me, ctx = {}) {
  const old = state.leads.get(a.id);
  if (!old || !stageMoveAllowed(old.stage, a.stage)) return;
  const lead = { ...old, stage: a.stage, sla: clockAfterStage(old, a.stage, entry.client_time, ctx) };
  if (a.stage === 'lost') lead.lost_reason = a.lost_reason;
  if (a.stage === 'won') lead.won_value = a.won_value;
  if (OPEN_STAGES.includes(a.stage)) lead.lost_reason = null;
  markPending(lead, entry);
  state.leads.set(a.id, lead);
  if (a.note) {
    const id = `local-note-${entry.id}`;
    state.followups.set(id, {
      id, lead_id: a.id, kind: 'note', note: a.note, outcome: null,
      happened_at: entry.client_time, next_follow_up_at: null, quoted_amount: null,
      author_id: me?.id || null, _pending: [entry.id], _local: true,
    });
  }
}

function assignLead(state, a, entry) {
  const old = state.leads.get(a.id);
  if (!old) return;
  const lead = { ...old, owner_id: a.owner_id };
  markPending(lead, entry);
  state.leads.set(a.id, lead);
}

// A follow-up also moves its lead on, as the server will: stage, next follow-up, SLA clock.
function createFollowup(state, a, entry, me, ctx = {}) {
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
  lead.next_follow_up_at = nextAfterContact(old, a.kind, a.happened_at, a.next_follow_up_at);
  if (CONTACTS.has(a.kind) && !(ms(a.happened_at) < ms(old.sla?.started_at))) {
    const latest = old.last_follow_up_at && old.last_follow_up_at > a.happened_at ? old.last_follow_up_at : a.happened_at;
    lead.sla = clockAfterContact(old, latest, lead.next_follow_up_at, ctx);
  } else if (a.next_follow_up_at != null) {
    lead.sla = clockAfterReschedule(old, a.next_follow_up_at);
  }
  if (CONTACT_KINDS.includes(a.kind) &&
      (!lead.last_follow_up_at || a.happened_at > lead.last_follow_up_at)) {
    lead.last_follow_up_at = a.happened_at;
  }
  markPending(lead, entry);
  state.leads.set(a.lead_id, lead);
}

const onItsLead = (a) => ['lead', a.id];

// --- the table ------------------------------------------------------------------------------
// name      the entity a pulled change names (the server's feeds, in their order)
// store     its object store (keyPath `id`), or RECORDS; `indexes` {name: keyPath} of its own
//           store. A pulled `put` stores the server's data as it is (in RECORDS with its key
//           and entity), a `del` deletes the key (a record we lack is nothing); `reset`
//           clears every such store. Pending edits live in the outbox and are re-applied over
//           the stored copy for display (`mutations`), so a pull never overwrites them.
// view      where a tab holds it (store.js `state[view]`), null if nowhere; `load` 'all'
//           (every stored record) or 'pending' (only those pending mutations write; the
//           rest read on demand); `shape` turns the rows into what the screens read.
// mutations the outbox mutations of this entity: `apply` (to the view, above), `target` (the
//           record of this entity it writes), `shownOn` ([entity, id] a refusal of it is
//           shown on: its problem's `entity` and `record_id`), `once` (a create: a second
//           enqueue of the same record while the first is unsent is a no-op).
// route     the screen showing one record ('/leads/:id'), null if none of its own;
//           `title` names a record (the problems screen links to it).
export const ENTITIES = [
  {
    name: 'org', // one record: the organisation's lists (quick capture, lost reason)
    store: RECORDS,
    view: 'org',
    load: 'all',
    shape: orgSettings,
    route: null,
  },
  {
    name: 'product', // capture's product select; names in lists and lead detail
    store: 'products',
    view: 'products',
    load: 'all',
    route: null,
  },
  {
    name: 'sla_policy', // lead detail: the target of the lead's clock (policyFor)
    store: 'sla_policies', // database version 2; `records` before
    view: 'slaPolicies',
    load: 'all',
    route: null,
  },
  {
    name: 'user', // owners in lists and lead detail, the team board, reassignment
    store: 'users',
    view: 'users',
    load: 'all',
    route: null,
  },
  {
    name: 'calendar', // the business hours a pending change's SLA clock counts in (leads.js)
    store: RECORDS, // "calendar:<id>": a handful per organisation, no index of their own
    view: 'calendars',
    load: 'all',
    route: null,
  },
  {
    name: 'lead', // my queue, search, team board; one lead in lead detail
    store: 'leads',
    view: 'leads',
    load: 'all',
    mutations: {
      // `stamp`: what the outbox adds to the args when the person acts. A capture counts
      // from the moment it was made (the server starts its reply clock then, as the device
      // shows it), however long it waits offline.
      'lead.create': {
        apply: createLead, target: (a) => a.id, shownOn: onItsLead, once: true,
        stamp: (args, at) => ({ captured_at: at, ...args }),
      },
      'lead.update': { apply: updateLead, target: (a) => a.id, shownOn: onItsLead },
      'lead.set_stage': { apply: setStage, target: (a) => a.id, shownOn: onItsLead },
      'lead.assign': { apply: assignLead, target: (a) => a.id, shownOn: onItsLead },
    },
    route: '/leads/:id',
    title: (lead) => lead.contact_name,
  },
  {
    // Tens of thousands per rep: a tab holds only the pending ones; a lead's timeline reads
    // its own by the lead_id index (store.js followupsOf). A lead's del comes with its
    // follow-ups' dels from the server.
    name: 'followup',
    store: 'followups',
    indexes: { lead_id: 'lead_id' },
    view: 'followups',
    load: 'pending',
    mutations: {
      'followup.create': {
        apply: createFollowup, target: (a) => a.id, shownOn: (a) => ['lead', a.lead_id], once: true,
      },
    },
    route: null, // in its lead's timeline
  },
  {
    // The desk's queue (customer service, admins; team leads read it): every question the
    // person may see is held (5,000 open ones sort in a few ms). Its pending claim, resolve and
    // hand-off show at once; a refusal (`claimed`: a colleague holds it) shows on it.
    name: 'question',
    store: 'questions', // database version 3; `records` before
    view: 'questions',
    load: 'all',
    mutations: {
      'question.claim': { apply: applyClaim, target: (a) => a.id, shownOn: (a) => ['question', a.id] },
      'question.resolve': { apply: applyResolve, target: (a) => a.id, shownOn: (a) => ['question', a.id] },
      'question.convert': {
        apply: applyConvert, target: (a) => a.id, shownOn: (a) => ['question', a.id], once: true,
      },
    },
    route: '/questions/:id',
    title: (q) => q.name,
  },
  {
    // One message of a conversation (the consumer's, a reply, a staff note). Like follow-ups,
    // a tab holds only the pending ones; a conversation reads its own by the question_id index
    // (store.js repliesOf).
    name: 'reply',
    store: 'replies', // database version 3
    indexes: { question_id: 'question_id' },
    view: 'replies',
    load: 'pending',
    mutations: {
      // A reply (or a note, `internal: true`): its id is made on the device, so a double tap
      // is one message.
      'question.reply': {
        apply: applyReply, target: (a) => a.id, shownOn: (a) => ['question', a.question_id], once: true,
      },
    },
    route: null, // in its question's conversation
  },
  {
    name: 'canned_answer', // the desk's ready answers, searched and filled in offline (canned.js)
    store: RECORDS, // "canned_answer:<id>": hundreds per organisation at most
    view: 'cannedAnswers',
    load: 'all',
    route: null,
  },
];

// --- derived from the table -----------------------------------------------------------------

export const ENTITY = Object.fromEntries(ENTITIES.map((e) => [e.name, e]));

const unknown = new Map();
// The table's entry, or for an entity this release does not know, one that keeps it in RECORDS.
export function entityOf(name) {
  if (ENTITY[name]) return ENTITY[name];
  if (!unknown.has(name)) unknown.set(name, { name, store: RECORDS, view: null, route: null });
  return unknown.get(name);
}

// The stores holding the server's copy: dropped on `reset`, never holding unsent work.
export const SERVER_STORES = [...new Set([...ENTITIES.map((e) => e.store), RECORDS])];

// What those stores look like at the current database version (db.js checks its steps
// against this in the tests).
export const SERVER_SCHEMA = Object.fromEntries(
  SERVER_STORES.map((store) => {
    if (store === RECORDS) return [store, { keyPath: 'key', indexes: {} }];
    const indexes = Object.assign({}, ...ENTITIES.filter((e) => e.store === store).map((e) => e.indexes));
    return [store, { keyPath: 'id', indexes }];
  }),
);

// A record's key in its store.
export const keyOf = (entity, id) => (entity.store === RECORDS ? `${entity.name}:${id}` : id);

// A pulled `put` change as stored.
export function storedForm(entity, change) {
  let rec = change.data;
  if (entity.store === RECORDS) rec = { ...rec, key: `${entity.name}:${change.id}`, entity: entity.name };
  if (rec.id == null) rec = { ...rec, id: change.id };
  return rec;
}

// The range of an entity's keys in RECORDS.
export const recordsRange = (entity) => IDBKeyRange.bound(`${entity.name}:`, `${entity.name}:\uffff`);

// Every mutation by name: {name, entity, apply, target, shownOn}.
export const MUTATIONS = Object.fromEntries(
  ENTITIES.flatMap((e) =>
    Object.entries(e.mutations || {}).map(([name, m]) => [name, { ...m, name, entity: e.name }]),
  ),
);
export const MUTATION_NAMES = Object.keys(MUTATIONS);

// What a tab holds, and the entities the view holds as Maps with pending mutations applied.
export const VIEWS = ENTITIES.filter((e) => e.view);
export const MATERIALIZED = ENTITIES.filter((e) => e.view && e.mutations);

// Whether a pulled change of this entity changes what a tab holds (else no re-read needed).
export const heldInView = (name) => ENTITY[name]?.load === 'all';

// The record a refused mutation is shown on, as stored with its problem. `lead_id` too when
// that is a lead: the first database version's index, and what older problems carry.
export function problemRecord(entry) {
  const m = MUTATIONS[entry.name];
  const [entity, id] = m ? m.shownOn(entry.args || {}) : [null, null];
  return { entity, record_id: id ?? null, ...(entity === 'lead' ? { lead_id: id } : {}) };
}

export const problemsOf = (problems, entity, id) =>
  problems.filter((p) => p.entity === entity && p.record_id === id);

// A draft: a refused mutation kept (in `problems`) with the person's input (`args`) and the
// server's reasons (`error.fields`), until it is sent again or discarded. A conflict is not
// one (the rest of its change was applied).
export const isDraft = (p) => p.status === 'rejected' && !!p.args && !!MUTATIONS[p.name];

// A record as the tab holds it (a Map or a list under the entity's view name).
export function recordIn(state, entity, id) {
  const held = state[ENTITY[entity]?.view];
  if (held instanceof Map) return held.get(id);
  return Array.isArray(held) ? held.find((r) => r.id === id) : undefined;
}

// The path of a record's screen, or null.
export function pathOf(entity, id) {
  const route = ENTITY[entity]?.route;
  return route ? route.replace(':id', encodeURIComponent(id)) : null;
}

const ROUTES = ENTITIES.filter((e) => e.route?.includes(':id')).map((e) => {
  const [before, after] = e.route.split(':id');
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { entity: e.name, re: new RegExp(`^${escape(before)}([^/]+)${escape(after)}$`) };
});

// A path of a record's screen -> {entity, id}, else null.
export function matchRoute(path) {
  for (const r of ROUTES) {
    const m = path.match(r.re);
    if (m) return { entity: r.entity, id: decodeURIComponent(m[1]) };
  }
  return null;
}
