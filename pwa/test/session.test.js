// The session on the device: an offline start opens with the remembered person; a 401 keeps
// the outbox for the same person's next sign-in; another person never sends it.
import { describe, it, expect } from 'vitest';
import { openLeadSyncDb, getMeta, setMeta } from '../src/sync/db.js';
import { enqueue, listOutbox, pendingCount } from '../src/sync/outbox.js';
import { Api } from '../src/sync/api.js';
import { SyncEngine } from '../src/sync/engine.js';
import {
  checkSession, signInAs, parkedAccounts, forgetAccount, PARKED,
} from '../src/sync/accounts.js';
import { steps, replay, freshDb, NetworkDown, CLIENT_ID, L1, T } from './helpers.js';

const firstPush = steps('first_push')[0];
const firstPull = steps('first_pull');
const ROBIN = { id: 'u-robin', email: 'robin@demo.test', name: 'Robin', role: 'rep' };
const RILEY = { id: 'u-riley', email: 'riley@demo.test', name: 'Riley', role: 'rep' };

const json = (status, body) => () =>
  new Response(body === undefined ? null : JSON.stringify(body), { status });
const signedOut = json(401, { error: { code: 'unauthorized', message: 'Sign in first.' } });
const loginAs = (user, csrf = 'csrf-1') => (url, init) => {
  expect(`${init.method} ${url}`).toBe('POST /api/v1/auth/login');
  expect(JSON.parse(init.body).email).toBe(user.email);
  return json(200, { user, csrf_token: csrf })();
};
const offline = () => {
  throw new NetworkDown();
};

// The app's Api: the CSRF token kept with the session in meta (as store.js keeps it).
function apiFor(db, fetch) {
  return new Api({
    fetch,
    getCsrf: async () => (await getMeta(db, 'session'))?.csrf_token,
    setCsrf: async (token) => {
      const session = await getMeta(db, 'session');
      if (session) await setMeta(db, 'session', { ...session, csrf_token: token });
    },
  });
}

const engine = (db, api) => new SyncEngine({ db, api, locks: null, pageLimit: 3, log: () => {} });

// Robin, signed in on this device, captures a lead (with an edit and a call) offline.
async function robinsOfflineWork() {
  const { db, name } = await freshDb();
  await setMeta(db, 'session', { user: ROBIN, csrf_token: 'csrf-1' });
  for (const m of firstPush.request.mutations) await enqueue(db, m.name, m.args, new Date(T));
  return { db, name };
}

async function restart(name, db) {
  db.close(); // the browser (or phone) restarts: the same database, opened afresh
  return openLeadSyncDb(name);
}

describe('an offline start', () => {
  it('opens with the remembered person and the capture pending, and sends it once online', async () => {
    const { db: before, name } = await robinsOfflineWork();
    const db = await restart(name, before);

    // No network: nothing is asked, the remembered person is signed in.
    const none = replay([]);
    expect(await checkSession(db, apiFor(db, none), { online: false })).toEqual({
      session: { user: ROBIN, csrf_token: 'csrf-1' },
      expired: false,
    });
    expect(none.calls).toHaveLength(0);
    // "Online" but the server cannot be reached (lie-fi): still the remembered person.
    const unreachable = replay([offline]);
    const check = await checkSession(db, apiFor(db, unreachable));
    expect(check).toMatchObject({ session: { user: ROBIN }, expired: false });
    expect(await pendingCount(db)).toBe(3);

    // Back online: the server confirms the session, and the sync sends the outbox.
    const fetch = replay([json(200, { user: ROBIN, csrf_token: 'csrf-1' }), firstPush, ...firstPull]);
    const api = apiFor(db, fetch);
    expect(await checkSession(db, api)).toMatchObject({ session: { user: ROBIN }, expired: false });
    await engine(db, api).syncOnce();
    expect(fetch.remaining()).toBe(0);
    expect(await pendingCount(db)).toBe(0);
    expect((await db.get('leads', L1)).contact_name).toBe('Ada Lovelace');
  });
});

describe('a session the server ended (401)', () => {
  it('keeps the outbox; the same person signing in again sends it', async () => {
    const { db } = await robinsOfflineWork();
    const fetch = replay([
      signedOut, // GET /auth/me at start
      signedOut, // the sync's push
      loginAs(ROBIN),
      firstPush,
      ...firstPull,
    ]);
    const api = apiFor(db, fetch);
    expect(await checkSession(db, api)).toMatchObject({ session: { user: ROBIN }, expired: true });
    await expect(engine(db, api).syncOnce()).rejects.toMatchObject({ status: 401 });
    expect(await pendingCount(db)).toBe(3);
    expect(await getMeta(db, 'session')).toMatchObject({ user: ROBIN }); // still remembered

    const again = await signInAs(db, api, ROBIN.email, 'pw');
    expect(again).toMatchObject({ switched: false, restored: 0, session: { user: ROBIN } });
    expect((await listOutbox(db)).map((m) => m.id)).toEqual([1, 2, 3]);
    expect(await getMeta(db, 'client_id')).toBe(CLIENT_ID);

    await engine(db, api).syncOnce(); // replay() checks the push is the recorded one
    expect(fetch.remaining()).toBe(0);
    expect(await pendingCount(db)).toBe(0);
  });
});

describe('another person signing in on the same device', () => {
  it("sets the first person's outbox aside, never sends it under the second name, and sends it when the first signs in again", async () => {
    const { db } = await robinsOfflineWork();
    const fetch = replay([loginAs(RILEY, 'csrf-riley')]);
    const api = apiFor(db, fetch);

    const riley = await signInAs(db, api, RILEY.email, 'pw');
    expect(riley).toMatchObject({ switched: true, restored: 0 });
    // Riley's device: no outbox, no server copy, no client id of Robin's.
    expect(await pendingCount(db)).toBe(0);
    expect(await db.getAll('leads')).toEqual([]);
    expect(await getMeta(db, 'client_id')).toBeUndefined();
    expect(await getMeta(db, 'next_mutation_id')).toBeUndefined();
    expect(await getMeta(db, 'session')).toEqual({ user: RILEY, csrf_token: 'csrf-riley' });
    expect(await parkedAccounts(db)).toEqual([
      { user: { id: ROBIN.id, email: ROBIN.email, name: ROBIN.name }, count: 3 },
    ]);
    // Riley's sync pushes nothing (Robin's mutations are not in the outbox) …
    await engine(db, api).push();
    expect(fetch.calls).toHaveLength(1); // only the sign-in
    // … and Riley signing out does not delete Robin's work.
    await forgetAccount(db);
    expect(await getMeta(db, 'session')).toBeUndefined();
    expect(await parkedAccounts(db)).toHaveLength(1);

    // Robin signs in again: the outbox, its numbers and client id come back and are sent.
    const back = replay([loginAs(ROBIN), firstPush, ...firstPull]);
    const robinApi = apiFor(db, back);
    expect(await signInAs(db, robinApi, ROBIN.email, 'pw')).toMatchObject({ restored: 3 });
    expect((await listOutbox(db)).map((m) => m.id)).toEqual([1, 2, 3]);
    expect(await getMeta(db, 'client_id')).toBe(CLIENT_ID);
    expect(await getMeta(db, 'next_mutation_id')).toBe(4);
    expect(await db.getAllKeys('meta')).not.toContain(PARKED + ROBIN.id);
    await engine(db, robinApi).syncOnce();
    expect(back.remaining()).toBe(0);
    expect(await pendingCount(db)).toBe(0);
    expect(await parkedAccounts(db)).toEqual([]);
  });

  it("keeps Riley's own unsent work aside too when Robin comes back", async () => {
    const { db } = await robinsOfflineWork();
    await signInAs(db, apiFor(db, replay([loginAs(RILEY)])), RILEY.email, 'pw');
    await setMeta(db, 'client_id', '22222222-2222-4222-8222-222222222222');
    await enqueue(db, 'lead.create', { id: 'riley-lead', contact_name: 'R' }, new Date(T));
    await signInAs(db, apiFor(db, replay([loginAs(ROBIN)])), ROBIN.email, 'pw');
    expect(await pendingCount(db)).toBe(3);
    expect((await parkedAccounts(db)).map((p) => [p.user.email, p.count])).toEqual([
      [RILEY.email, 1],
    ]);
  });
});
