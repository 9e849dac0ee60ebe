// The outbox: each mutation gets its id in the same IndexedDB transaction that stores it,
// so ids run 1, 2, 3 … with no gaps and no two tabs ever use one id twice.
import { MUTATIONS, MUTATION_NAMES } from './entities.js';

export { MUTATION_NAMES }; // each entity's, from the entity table

// In `tx` (meta + outbox, readwrite). A create (`once` in the entity table) of a record
// whose create is already waiting in the outbox is that entry: a double tap on Save, or a
// form submitted twice, is one mutation.
async function enqueueIn(tx, name, args, now) {
  if (!MUTATION_NAMES.includes(name)) throw new Error(`unknown mutation ${name}`);
  const m = MUTATIONS[name];
  if (m.once) {
    const target = m.target(args);
    const same = (await tx.objectStore('outbox').getAll()).find(
      (e) => e.name === name && e.status === 'pending' && m.target(e.args || {}) === target,
    );
    if (same) return same;
  }
  const meta = tx.objectStore('meta');
  const next = (await meta.get('next_mutation_id')) || 1;
  const at = now.toISOString();
  const stamped = m.stamp ? m.stamp(args, at) : args;
  const entry = { id: next, name, args: stamped, client_time: at, status: 'pending' };
  await tx.objectStore('outbox').add(entry);
  await meta.put(next + 1, 'next_mutation_id');
  return entry;
}

export async function enqueue(db, name, args, now = new Date()) {
  const tx = db.transaction(['meta', 'outbox'], 'readwrite');
  const entry = await enqueueIn(tx, name, args, now);
  await tx.done;
  return entry;
}

// Send a draft (a refused mutation kept in `problems`) again, as fixed: a NEW mutation with
// a new id (the refused one was counted by the server and is done), and the draft gone, in
// one transaction, so the input is always in exactly one place. If the server refuses it
// again, it comes back as a new draft.
export async function resendDraft(db, problemKey, args, now = new Date()) {
  const tx = db.transaction(['meta', 'outbox', 'problems'], 'readwrite');
  const draft = await tx.objectStore('problems').get(problemKey);
  if (!draft) {
    await tx.done;
    return null; // already sent (another tab) or discarded
  }
  const entry = await enqueueIn(tx, draft.name, args ?? draft.args, now);
  await tx.objectStore('problems').delete(problemKey);
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
