// The device's IndexedDB: a copy of the server's visible set, the outbox and sync state.
import { openDB, deleteDB } from 'idb';
import { SERVER_SCHEMA, SERVER_STORES } from './entities.js';

export const DB_NAME = 'leadsync';

// The device's own stores: never dropped by a reset, only by signing out.
export const LOCAL_SCHEMA = {
  meta: { keyPath: null, indexes: {} }, // client_id, cursor, acked/next mutation id, session
  outbox: { keyPath: 'id', indexes: {} },
  problems: { keyPath: 'key', autoIncrement: true, indexes: { lead_id: 'lead_id' } },
};
// Every store at DB_VERSION: the device's own, and the server copy's from the entity table.
export const SCHEMA = { ...LOCAL_SCHEMA, ...SERVER_SCHEMA };
export { SERVER_STORES };
export const ALL_STORES = Object.keys(SCHEMA);

// --- versions -------------------------------------------------------------------------------
// Step n upgrades version n-1 to n, inside the upgrade's one transaction: an install runs
// the steps above its version, in order, a new one all of them; if one fails, the
// transaction aborts and the database stays as it was. A released step (and what it calls)
// never changes: a new store, index or move is a new step at the end. The outbox, problems
// and meta (client_id, cursor, mutation ids) are the user's unsent work and sync position:
// a step keeps them, and moves server records rather than re-fetching them.

// Copies an entity's rows out of `records` ("entity:id", with `key` and `entity`) into its own
// store (keyed by id, the server's data as a pull stores it), in the upgrade transaction.
// Names are spelled out in the steps, not taken from the entity table: the table describes
// the latest version, a step the one it makes.
async function moveOutOfRecords(tx, entity, store) {
  const records = tx.objectStore('records');
  const range = IDBKeyRange.bound(`${entity}:`, `${entity}:\uffff`);
  const target = tx.objectStore(store);
  for (const row of await records.getAll(range)) {
    const { key, entity: _entity, ...data } = row;
    await target.put({ ...data, id: data.id ?? key.slice(entity.length + 1) });
  }
  await records.delete(range);
}

export const MIGRATIONS = [
  // 1: the first release.
  (db) => {
    db.createObjectStore('meta');
    db.createObjectStore('outbox', { keyPath: 'id' });
    const problems = db.createObjectStore('problems', { keyPath: 'key', autoIncrement: true });
    problems.createIndex('lead_id', 'lead_id');
    db.createObjectStore('leads', { keyPath: 'id' });
    const followups = db.createObjectStore('followups', { keyPath: 'id' });
    followups.createIndex('lead_id', 'lead_id');
    db.createObjectStore('users', { keyPath: 'id' });
    db.createObjectStore('products', { keyPath: 'id' });
    db.createObjectStore('records', { keyPath: 'key' });
  },
  // 2: SLA policies in a store of their own (the entity table's `sla_policies`; they were
  // "sla_policy:<id>" in `records`), and every problem names the record it is shown on
  // (`entity`, `record_id`; version 1 problems are all on a lead, `lead_id`).
  async (db, tx) => {
    db.createObjectStore('sla_policies', { keyPath: 'id' });
    await moveOutOfRecords(tx, 'sla_policy', 'sla_policies');
    let cursor = await tx.objectStore('problems').openCursor();
    while (cursor) {
      const p = cursor.value;
      if (!p.entity) await cursor.update({ ...p, entity: 'lead', record_id: p.lead_id ?? null });
      cursor = await cursor.continue();
    }
  },
  // 3: the service desk: questions in a store of their own, their messages ("reply") in
  // another, by question (a conversation reads its own). Any the device already holds in
  // `records` (a server that sent them before this release) move across.
  async (db, tx) => {
    db.createObjectStore('questions', { keyPath: 'id' });
    const replies = db.createObjectStore('replies', { keyPath: 'id' });
    replies.createIndex('question_id', 'question_id');
    await moveOutOfRecords(tx, 'question', 'questions');
    await moveOutOfRecords(tx, 'reply', 'replies');
  },
];
export const DB_VERSION = MIGRATIONS.length;

// `onBlocked`: this open waits for another tab (or the service worker) still holding an
// older version to let go. `onReplaced`: another tab upgrades the database (or deletes it),
// so this connection closes at once to let it; this tab must reload to use it.
export function openLeadSyncDb(name = DB_NAME, { onBlocked, onReplaced } = {}) {
  return openDB(name, DB_VERSION, {
    upgrade(db, oldVersion, newVersion, tx) {
      const steps = MIGRATIONS.slice(oldVersion, newVersion ?? DB_VERSION);
      (async () => {
        for (const step of steps) await step(db, tx);
      })().catch((e) => {
        console.error('database upgrade failed; left at version', oldVersion, e);
        tx.done.catch(() => {}); // the open request reports the abort
        try {
          tx.abort();
        } catch {
          // already finished
        }
      });
    },
    blocked(currentVersion, blockedVersion) {
      onBlocked?.({ currentVersion, blockedVersion });
    },
    blocking(currentVersion, blockedVersion, event) {
      event.target.close();
      onReplaced?.({ currentVersion, blockedVersion });
    },
  });
}

export async function getMeta(db, key) {
  return db.get('meta', key);
}

export async function setMeta(db, key, value) {
  return db.put('meta', value, key);
}

export function uuid() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The install's client_id: made once, in a transaction, so two tabs never make two.
export async function ensureClientId(db) {
  const tx = db.transaction('meta', 'readwrite');
  let id = await tx.store.get('client_id');
  if (!id) {
    id = uuid();
    await tx.store.put(id, 'client_id');
  }
  await tx.done;
  return id;
}

// Wipe everything of this device (sign-out): the next sign-in starts a fresh client_id.
export async function clearAll(db) {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  await Promise.all(ALL_STORES.map((s) => tx.objectStore(s).clear()));
  await tx.done;
}

export { deleteDB };
