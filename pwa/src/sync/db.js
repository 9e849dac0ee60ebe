// The device's IndexedDB: a copy of the server's visible set, the outbox and sync state.
import { openDB, deleteDB } from 'idb';

export const DB_NAME = 'leadsync';
export const DB_VERSION = 1;

// Stores holding the server's copy: dropped on `reset`, never holding unsent work.
export const SERVER_STORES = ['leads', 'followups', 'users', 'products', 'records'];
// Entities with a store of their own; any other entity goes to `records` keyed "entity:id".
export const ENTITY_STORES = { lead: 'leads', followup: 'followups', user: 'users', product: 'products' };
export const ALL_STORES = ['meta', 'outbox', 'problems', ...SERVER_STORES];

export function openLeadSyncDb(name = DB_NAME) {
  return openDB(name, DB_VERSION, {
    upgrade(db) {
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
    blocking() {
      // Another tab wants a newer schema: let it have the database.
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
