// Who is signed in on this device, and whose unsent work is whose.
//
// The session (user + CSRF token) is remembered in `meta`, so the app opens signed in with
// no network (the cookie lasts SESSION_LIFETIME_DAYS and is renewed by use). A 401 ends
// the session but never the device's data: the outbox waits for the same person to sign in
// again. Signing in as someone else sets the first person's unsent work aside ("parked",
// with their client_id and mutation numbers) rather than sending it under the new name or
// deleting it; it comes back, and is sent, when they sign in here again.
import { ALL_STORES, getMeta, setMeta } from './db.js';
import { HttpError } from './api.js';

export const PARKED = 'parked:';
// An account's place in the server's mutation sequence: kept with its parked outbox.
const SEQUENCE = ['client_id', 'next_mutation_id', 'acked_mutation_id', 'pushed_mutation_id'];

const person = (user) => ({ id: user.id, email: user.email, name: user.name });

// At start, after the remembered session is shown: ask the server whether it still holds.
// Offline or unreachable, the remembered user stays (the app keeps working from the device).
// Resolves to {session, expired}: `expired` when the server says 401.
export async function checkSession(db, api, { online = true } = {}) {
  const stored = (await getMeta(db, 'session')) || null;
  if (!stored || !online) return { session: stored, expired: false };
  try {
    const me = await api.get('/auth/me');
    if (me.user.id !== stored.user.id) {
      // The cookie is someone else's (signed in elsewhere in this browser): this device's
      // work must not go out under their name, so its own person has to sign in again.
      return { session: stored, expired: true };
    }
    const session = { user: me.user, csrf_token: me.csrf_token };
    await setMeta(db, 'session', session);
    return { session, expired: false };
  } catch (e) {
    if (e instanceof HttpError && e.status === 401) return { session: stored, expired: true };
    return { session: stored, expired: false };
  }
}

// Sign in, then make the device this person's: the same person keeps everything (the outbox
// is sent by the next sync); another person's unsent work is parked, the server copy is
// cleared, and this person's own parked work (if any) comes back.
// Resolves to {session, switched, restored} (restored: the number of mutations back).
export async function signInAs(db, api, email, password) {
  const answer = await api.request('POST', '/auth/login', { email, password }, { retryCsrf: false });
  const session = { user: answer.user, csrf_token: answer.csrf_token };
  return { session, ...(await becomeAccount(db, session)) };
}

// One transaction, so a crash leaves either the old account's device or the new one's.
export async function becomeAccount(db, session) {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  const meta = tx.objectStore('meta');
  const previous = await meta.get('session');
  if (previous && previous.user.id === session.user.id) {
    await meta.put(session, 'session');
    await tx.done;
    return { switched: false, restored: 0 };
  }
  const parked = await readParked(meta);
  const outbox = await tx.objectStore('outbox').getAll();
  const problems = await tx.objectStore('problems').getAll();
  if (!previous && outbox.length) {
    // Work with no one's name on it (never made by this release): left exactly as it is.
    await meta.put(session, 'session');
    await tx.done;
    return { switched: false, restored: 0 };
  }
  if (previous && (outbox.length || problems.length)) {
    const sequence = {};
    for (const key of SEQUENCE) sequence[key] = (await meta.get(key)) ?? null;
    parked.set(previous.user.id, {
      user: person(previous.user),
      ...sequence,
      outbox,
      problems,
      parked_at: new Date().toISOString(),
    });
  }
  await Promise.all(ALL_STORES.map((s) => tx.objectStore(s).clear()));
  const own = parked.get(session.user.id);
  parked.delete(session.user.id);
  for (const [id, work] of parked) await meta.put(work, PARKED + id);
  if (own) {
    for (const key of SEQUENCE) if (own[key] != null) await meta.put(own[key], key);
    for (const entry of own.outbox) await tx.objectStore('outbox').put(entry);
    for (const problem of own.problems) await tx.objectStore('problems').put(problem);
  }
  await meta.put(session, 'session');
  await tx.done;
  return { switched: Boolean(previous), restored: own ? own.outbox.length : 0 };
}

// Sign-out: this person's data goes (they confirmed it); other people's parked work stays.
export async function forgetAccount(db) {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  const meta = tx.objectStore('meta');
  const parked = await readParked(meta);
  await Promise.all(ALL_STORES.map((s) => tx.objectStore(s).clear()));
  for (const [id, work] of parked) await meta.put(work, PARKED + id);
  await tx.done;
}

// Unsent work set aside on this device, per person: [{user, count}].
export async function parkedAccounts(db) {
  const tx = db.transaction('meta');
  const parked = await readParked(tx.objectStore('meta'));
  return [...parked.values()]
    .filter((work) => work.outbox.length)
    .map((work) => ({ user: work.user, count: work.outbox.length }));
}

async function readParked(meta) {
  const range = IDBKeyRange.bound(PARKED, `${PARKED}\uffff`);
  const [keys, values] = await Promise.all([meta.getAllKeys(range), meta.getAll(range)]);
  return new Map(keys.map((key, i) => [key.slice(PARKED.length), values[i]]));
}
