// The outbox: each mutation gets its id in the same IndexedDB transaction that stores it,
// so ids run 1, 2, 3 … with no gaps and no two tabs ever use one id twice.
import { MUTATION_NAMES } from './entities.js';

export { MUTATION_NAMES }; // each entity's, from the entity table

export async function enqueue(db, name, args, now = new Date()) {
  if (!MUTATION_NAMES.includes(name)) throw new Error(`unknown mutation ${name}`);
  const tx = db.transaction(['meta', 'outbox'], 'readwrite');
  const meta = tx.objectStore('meta');
  const next = (await meta.get('next_mutation_id')) || 1;
  const entry = { id: next, name, args, client_time: now.toISOString(), status: 'pending' };
  await tx.objectStore('outbox').add(entry);
  await meta.put(next + 1, 'next_mutation_id');
  await tx.done;
  return entry;
}

export async function listOutbox(db) {
  return db.getAll('outbox');
}

export async function pendingCount(db) {
  return db.count('outbox');
}

// Mutations the server has not answered yet (no result stored): what a push sends.
export async function unsent(db, limit) {
  const all = await db.getAll('outbox');
  return all.filter((e) => e.status === 'pending').slice(0, limit);
}

// The server expects `expected` next (409 mutation_gap): it never saw our entries, so they
// are renumbered from there, in one transaction.
export async function renumberFrom(db, expected) {
  const tx = db.transaction(['meta', 'outbox'], 'readwrite');
  const store = tx.objectStore('outbox');
  const entries = (await store.getAll()).filter((e) => e.id >= expected);
  for (const e of entries) await store.delete(e.id);
  let id = expected;
  for (const e of entries) await store.add({ ...e, id: id++ });
  await tx.objectStore('meta').put(id, 'next_mutation_id');
  await tx.done;
}
