// The app's state: the session, the materialized view of IndexedDB, and the sync status.
// Every tab has one; the tab holding the sync-loop lock runs the loop and tells the others.
import { useEffect, useState } from 'preact/hooks';
import { storageAtRisk } from './storage.js';
import { openLeadSyncDb, ensureClientId, getMeta, setMeta } from './sync/db.js';
import { enqueue, resendDraft as resendDraftIn } from './sync/outbox.js';
import { checkSession as askServer, forgetAccount, parkedAccounts, signInAs } from './sync/accounts.js';
import { materialize } from './sync/apply.js';
import { MUTATIONS, RECORDS, VIEWS, heldInView, keyOf, recordsRange } from './sync/entities.js';
import { Api } from './sync/api.js';
import { SyncEngine } from './sync/engine.js';
import { subscribeToReminders } from './push.js';

export const SYNC_TAG = 'leadsync-sync';
const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('leadsync') : null;

let db;
let api;
let engine;
const listeners = new Set();
export let state = {
  ready: false,
  session: null, // {user, csrf_token}: remembered in IndexedDB, so it opens offline too
  sessionExpired: false, // the server said 401: sign in again (the device's data stays)
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  status: { state: 'idle', failures: 0 },
  // Each synced entity a tab holds, under its `view` name (the entity table): leads,
  // followups (only those pending mutations touch; see followupsOf()), products,
  // slaPolicies, users, and org (the organisation's lists; the defaults until synced).
  ...Object.fromEntries(
    VIEWS.map((e) => [e.view, e.mutations ? new Map() : e.shape ? e.shape([]) : []]),
  ),
  dataVersion: 0, // bumped by every refresh
  outbox: [],
  problems: [],
  lastSyncAt: null,
  clientId: null,
  persisted: null,
  storageAtRisk: false, // not persistent and nearly out of room (storage.js)
  dbBlocked: false, // waiting for another tab to let go of an older database version
  dbReplaced: false, // another tab upgraded the database: this one must reload
  dbError: null, // the database could not be opened (or upgraded)
};

function set(patch) {
  state = { ...state, ...patch };
  for (const l of listeners) l(state);
}

export function useStore() {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => listeners.delete(setS);
  }, []);
  return s;
}

const VIEW_STORES = [...new Set([...VIEWS.map((e) => e.store), 'outbox', 'problems', 'meta'])];
const HELD = VIEWS.filter((e) => e.load === 'all');
const PENDING_ONLY = VIEWS.filter((e) => e.load === 'pending');

// The stored records of the entities a tab holds in full, by view name.
function readHeld(tx) {
  return Promise.all(
    HELD.map((e) =>
      e.store === RECORDS
        ? tx.objectStore(RECORDS).getAll(recordsRange(e))
        : tx.objectStore(e.store).getAll(),
    ),
  ).then((lists) => Object.fromEntries(HELD.map((e, i) => [e.view, lists[i]])));
}

// Of an entity held 'pending' (follow-ups): the stored records the outbox's mutations write.
async function readPending(tx, e, outbox) {
  const store = tx.objectStore(e.store);
  const ids = [];
  for (const m of outbox) {
    const mutation = MUTATIONS[m.name];
    const id = mutation?.entity === e.name && m.args ? mutation.target(m.args) : null;
    if (id != null) ids.push(id);
  }
  return (await Promise.all(ids.map((id) => store.get(keyOf(e, id))))).filter(Boolean);
}

let refreshing = null;
let again = false;
// Re-read IndexedDB and re-apply pending mutations on top of the server's copy. Follow-ups
// stay in IndexedDB (a rep has tens of thousands): the view holds only those the outbox
// touches; a lead's timeline reads its own with followupsOf().
export async function refresh() {
  if (state.dbReplaced) return undefined; // the connection is closed; the tab must reload
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const tx = db.transaction(VIEW_STORES);
      const [rows, outbox, problems, lastSyncAt] = await Promise.all([
        readHeld(tx),
        tx.objectStore('outbox').getAll(),
        tx.objectStore('problems').getAll(),
        tx.objectStore('meta').get('last_sync_at'),
      ]);
      for (const e of PENDING_ONLY) rows[e.view] = await readPending(tx, e, outbox);
      const view = { ...rows, ...materialize({ ...rows, outbox, problems, me: state.session?.user }) };
      for (const e of VIEWS) if (e.shape) view[e.view] = e.shape(view[e.view]);
      set({ ...view, outbox, problems, lastSyncAt, dataVersion: state.dataVersion + 1 });
    } while (again);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

// A refresh at most once per `ms`, for bursts (the pages of a long pull).
// `full` false: only stored follow-ups changed; an open timeline re-reads its own.
let refreshTimer = null;
let lastRefreshAt = 0;
let fullPending = false;
export function refreshSoon(full = true, ms = 1000) {
  fullPending ||= full;
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    lastRefreshAt = Date.now();
    const light = !fullPending;
    fullPending = false;
    if (light) set({ dataVersion: state.dataVersion + 1 });
    else refresh();
    broadcast({ type: 'changed', light });
  }, Math.max(0, lastRefreshAt + ms - Date.now()));
}

// A lead's timeline: the server's follow-ups from IndexedDB (by the lead_id index) with the
// pending ones of the view on top.
export async function followupsOf(leadId) {
  const stored = await db.getAllFromIndex('followups', 'lead_id', leadId);
  const byId = new Map(stored.map((f) => [f.id, f]));
  for (const f of state.followups.values()) if (f.lead_id === leadId) byId.set(f.id, f);
  return [...byId.values()].sort((a, b) => (a.happened_at < b.happened_at ? 1 : -1));
}

// A question's conversation: the server's messages from IndexedDB (by the question_id
// index) with the pending replies and notes of the view on top.
export async function repliesOf(questionId) {
  const stored = await db.getAllFromIndex('replies', 'question_id', questionId);
  const byId = new Map(stored.map((r) => [r.id, r]));
  for (const r of state.replies.values()) if (r.question_id === questionId) byId.set(r.id, r);
  return [...byId.values()];
}

function broadcast(msg) {
  channel?.postMessage(msg);
}

function onStatus(status) {
  set({ status });
  broadcast({ type: 'status', status });
}

async function requestBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker?.ready;
    await reg?.sync?.register(SYNC_TAG);
  } catch {
    // Background Sync is not everywhere (Firefox, Safari): the open app's loop covers it.
  }
}

export async function init() {
  try {
    db = await openLeadSyncDb(undefined, {
      // An older tab still holds the previous version (a tab of the release before this one
      // cannot be asked to let go): say so until it is closed or reloaded.
      onBlocked: () => set({ dbBlocked: true }),
      onReplaced: () => {
        engine?.stop();
        set({ dbReplaced: true });
      },
    });
  } catch (e) {
    set({ dbError: e?.message || String(e), dbBlocked: false });
    throw e;
  }
  set({ dbBlocked: false });
  api = new Api({
    getCsrf: async () => (await getMeta(db, 'session'))?.csrf_token,
    setCsrf: async (token) => {
      const session = await getMeta(db, 'session');
      if (session) await setMeta(db, 'session', { ...session, csrf_token: token });
    },
  });
  engine = new SyncEngine({
    db,
    api,
    onStatus,
    onChange: (what, page, applied) => {
      if (what === 'signed_out') set({ sessionExpired: true });
      // While a pull has more pages, the screen catches up once a second rather than after
      // each page (re-reading 10,000 leads 60 times was most of a first sync's time), and a
      // page of follow-ups only (most of a first sync) changes nothing the view holds.
      if (what === 'pull' && page?.has_more) {
        const viewChanged =
          page.reset ||
          applied?.acked !== applied?.ackedBefore ||
          (page.changes || []).some((c) => heldInView(c.entity));
        refreshSoon(viewChanged);
      } else {
        refresh();
        broadcast({ type: 'changed' });
      }
    },
  });
  channel?.addEventListener('message', (e) => {
    const msg = e.data || {};
    if (msg.type === 'changed') {
      if (msg.light) set({ dataVersion: state.dataVersion + 1 });
      else refresh();
    }
    if (msg.type === 'status' && !engine.status.leader) set({ status: msg.status });
    if (msg.type === 'kick') engine.trigger();
    if (msg.type === 'signed_out') location.reload();
    if (msg.type === 'signed_in') {
      // Another tab signed in: the same person carries on here; another one needs a reload.
      if (msg.userId !== state.session?.user.id) location.reload();
      else getMeta(db, 'session').then((session) => set({ session, sessionExpired: false }));
    }
  });
  navigator.serviceWorker?.addEventListener('message', (e) => {
    if (e.data?.type === 'changed') refresh();
    // A push arrived (a new question for the desk, a reminder): whatever it is about may be
    // new on this device, so pull now rather than at the next round.
    if (e.data?.type === 'pushed' && state.session) syncNow();
  });
  addEventListener('online', () => {
    set({ online: true });
    engine.trigger({ force: true });
  });
  addEventListener('offline', () => set({ online: false }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') engine.trigger();
  });

  const session = await getMeta(db, 'session');
  const clientId = await getMeta(db, 'client_id');
  set({ session: session || null, clientId: clientId || null });
  await refresh();
  set({ ready: true });
  if (session) {
    startSync();
    checkSession();
  }
  checkPersistence();
}

// The remembered user is shown at once (offline too); online, the server confirms it, or
// says 401 and the sign-in screen comes (the outbox and the local data stay).
async function checkSession() {
  const { session, expired } = await askServer(db, api, { online: navigator.onLine });
  if (expired) set({ sessionExpired: true });
  else if (session) set({ session, sessionExpired: false });
}

async function checkPersistence() {
  if (!navigator.storage?.persisted) return;
  let persisted = await navigator.storage.persisted();
  if (!persisted && navigator.storage.persist) {
    try {
      persisted = await navigator.storage.persist();
    } catch {
      persisted = false;
    }
  }
  let estimate = {};
  try {
    estimate = (await navigator.storage.estimate?.()) || {};
  } catch {
    // no estimate: storageAtRisk treats it as unknown
  }
  set({ persisted, storageAtRisk: storageAtRisk({ persisted, usage: estimate.usage, quota: estimate.quota }) });
}

function startSync() {
  engine.start();
  engine.trigger({ force: true });
}

export function syncNow() {
  if (engine.status.leader) engine.trigger({ force: true });
  else broadcast({ type: 'kick' });
}

// Every change the user makes goes through here: into the outbox, onto the screen, and off
// to the server when it can.
export async function mutate(name, args) {
  if (state.dbReplaced) throw new Error('reload needed: the database was upgraded in another tab');
  const entry = await enqueue(db, name, args);
  await afterOutboxWrite();
  return entry;
}

// A new outbox entry: show it in every tab and send it as soon as it can go.
async function afterOutboxWrite() {
  await refresh();
  broadcast({ type: 'changed' });
  if (engine.status.leader) engine.trigger();
  else broadcast({ type: 'kick' });
  requestBackgroundSync();
}

// Signing in again as the same person keeps everything and sends the outbox. Another person:
// the first one's unsent work is set aside (never sent under the new name, never deleted)
// until they sign in here again; the server copy on the device is cleared.
export async function signIn(email, password) {
  const { session, switched } = await signInAs(db, api, email, password);
  const clientId = await ensureClientId(db);
  set({ session, sessionExpired: false, clientId });
  await refresh();
  broadcast({ type: switched ? 'signed_out' : 'signed_in', userId: session.user.id });
  if (!engine.running) startSync();
  else engine.trigger({ force: true });
  broadcast({ type: 'kick' }); // the tab running the sync loop may be another one
}

// Unsent changes on this device that are not the signed-in person's to send: the remembered
// person's own outbox (when someone else is about to sign in), and any set aside before.
export async function unsentOfOthers() {
  const parked = await parkedAccounts(db);
  return { current: state.outbox.length, parked };
}

export async function signOut() {
  engine.stop();
  try {
    await api.post('/auth/logout');
  } catch {
    // offline: the cookie stays until it expires; the local data goes now
  }
  await forgetAccount(db); // others' unsent work set aside on this device stays
  broadcast({ type: 'signed_out' });
  location.assign('/');
}

// A draft (a refused mutation kept with the person's input) sent again as fixed: a new
// mutation, the draft gone in the same transaction (outbox.js resendDraft).
export async function resendDraft(key, args) {
  if (state.dbReplaced) throw new Error('reload needed: the database was upgraded in another tab');
  const entry = await resendDraftIn(db, key, args);
  await afterOutboxWrite();
  return entry;
}

export async function dismissProblem(key) {
  await db.delete('problems', key);
  await refresh();
  broadcast({ type: 'changed' });
}

// A plain API call with the session (administration screens: online-only, nothing queued).
export function apiRequest(method, path, body) {
  return api.request(method, path, body);
}

export function me() {
  return state.session?.user || null;
}

export async function enableReminders() {
  return subscribeToReminders(api);
}

// Quiet hours: reminders wait for the person's working hours (server-side, per user).
export async function loadPreferences() {
  return api.request('GET', '/auth/me/preferences');
}

export async function savePreferences(preferences) {
  return api.request('PATCH', '/auth/me/preferences', preferences);
}

// "Your devices": the browsers that receive this person's reminders and their device tokens.
// Both need the network (nothing of this is synced); the caller shows a note when they fail.
export async function loadDevices() {
  const [subscriptions, tokens] = await Promise.all([
    api.get('/push/subscriptions'),
    api.get('/auth/tokens'),
  ]);
  return { subscriptions: subscriptions || [], tokens: tokens || [] };
}

export async function removePushSubscription(id) {
  return api.request('DELETE', `/push/subscriptions/${encodeURIComponent(id)}`);
}

export async function revokeDeviceToken(id) {
  return api.request('DELETE', `/auth/tokens/${encodeURIComponent(id)}`);
}
