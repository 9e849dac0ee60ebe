// Database versions: an install of the first release (version 1) opened by this code keeps
// every record, the whole outbox, problems and meta, and then works as a new install does.
import { describe, it, expect } from 'vitest';
import { openDB } from 'idb';
import { DB_VERSION, MIGRATIONS, SCHEMA, getMeta, openLeadSyncDb } from '../src/sync/db.js';
import { enqueue, listOutbox } from '../src/sync/outbox.js';
import { applyPage } from '../src/sync/engine.js';
import { materialize } from '../src/sync/apply.js';
import { ENTITIES, SERVER_STORES } from '../src/sync/entities.js';
import { readOrgSettings } from '../src/org.js';
import { CLIENT_ID, F1, L1, T, engineFor, replay, steps } from './helpers.js';
import { upgradeV1 } from './fixtures/schema-v1.js';

// --- the first release, as installed on phones: historic fixtures, never to be changed ------

// How that release stored a pulled `put` (src/sync/engine.js applyPage at version 1).
const V1_STORES = { lead: 'leads', followup: 'followups', user: 'users', product: 'products' };
function storedByV1(c) {
  const storeName = V1_STORES[c.entity] || 'records';
  let rec = c.data;
  if (storeName === 'records') rec = { ...c.data, key: `${c.entity}:${c.id}`, entity: c.entity };
  if (rec.id == null) rec = { ...rec, id: c.id };
  return [storeName, rec];
}

// ---------------------------------------------------------------------------------------------

const ORG = 'cccccccc-0000-4000-8000-000000000001';
const P1 = 'dddddddd-0000-4000-8000-000000000001';
const P2 = 'dddddddd-0000-4000-8000-000000000002';
const L2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const F2 = 'bbbbbbbb-0000-4000-8000-000000000002';
const firstPull = steps('first_pull');
const CURSOR = firstPull.at(-1).answer.cursor;
const ME = { id: 'rep-1', name: 'Robin Rep', role: 'rep' };

const put = (entity, id, data) => ({ entity, op: 'put', id, data: { id, ...data } });
const serverChanges = [
  ...firstPull.flatMap((s) => s.answer.changes),
  put('org', ORG, { name: 'Demo Trading', lead_sources: ['phone', 'Alibaba'], lost_reasons: ['other'], version: 7 }),
  put('sla_policy', P1, { name: 'Reply', metric: 'first_response', target_minutes: 60, active: true, version: 1 }),
  put('sla_policy', P2, { name: 'Follow-up', metric: 'follow_up', target_minutes: 1440, active: true, version: 2 }),
  // A kind of record the server may send one day: kept in `records`, untouched.
  put('quote', 'k1', { total: 10, version: 1 }),
  // Questions and their messages, sent by a server before the release that knows them:
  // version 3 moves them to their own stores.
  put('question', 'q1', { name: 'Ada', status: 'new', version: 1 }),
  put('reply', 'm1', { question_id: 'q1', author: 'consumer', body: 'Price of M200?', version: 1 }),
];

const entry = (id, name, args, extra = {}) => ({ id, name, args, client_time: T, status: 'pending', ...extra });
const outboxV1 = [
  entry(4, 'lead.update', { id: L1, base_version: 22, set: { phone: '+49 30 1111111', company: 'Analytical Engines' } }, {
    status: 'conflict', error: undefined, conflicts: [{ field: 'phone', server_value: '+49 30 7654321' }],
  }),
  entry(5, 'lead.create', { id: L2, contact_name: 'Grace Hopper', source: 'phone', phone: '+1 555 0100' }),
  entry(6, 'followup.create', { id: F2, lead_id: L2, kind: 'call', note: 'first call', happened_at: T }),
];
// As src/sync/engine.js storeResults wrote them at version 1 (lead_id, no entity).
const problemsV1 = [
  {
    mutation_id: 2, name: 'lead.update', args: { id: L1, base_version: 0, set: { phone: 'not a phone' } },
    lead_id: L1, status: 'rejected', conflicts: [], at: T,
    error: { code: 'validation_error', message: 'Invalid input.', fields: { phone: ['Not a phone number.'] } },
  },
  {
    mutation_id: 4, name: 'lead.update', args: outboxV1[0].args, lead_id: L1, status: 'conflict', error: null,
    conflicts: [{ field: 'phone', server_value: '+49 30 7654321' }], at: T,
  },
];
const metaV1 = {
  client_id: CLIENT_ID,
  cursor: CURSOR,
  acked_mutation_id: 3,
  next_mutation_id: 7,
  pushed_mutation_id: 4,
  session: { user: ME, csrf_token: 'csrf-1' },
  csrf_token: 'csrf-1',
  last_sync_at: '2026-01-01T10:05:00.000Z',
  server_time: '2026-01-01T10:05:00Z',
  last_sync_ok_at: '2026-01-01T10:05:00.000Z',
};

let n = 0;
// A database made by the first release, holding a synced copy and unsent work.
async function installedV1() {
  const name = `upgrade-${++n}-${Math.random()}`;
  const db = await openDB(name, 1, { upgrade: upgradeV1 });
  const tx = db.transaction([...db.objectStoreNames], 'readwrite');
  for (const c of serverChanges) {
    const [store, rec] = storedByV1(c);
    tx.objectStore(store).put(rec);
  }
  for (const e of outboxV1) tx.objectStore('outbox').add(e);
  for (const p of problemsV1) tx.objectStore('problems').add(p);
  for (const [k, v] of Object.entries(metaV1)) tx.objectStore('meta').put(v, k);
  await tx.done;
  const before = await dump(db);
  db.close();
  return { name, before };
}

// Every store's rows (meta with its keys).
async function dump(db) {
  const out = {};
  for (const store of db.objectStoreNames) {
    if (store === 'meta') {
      const keys = await db.getAllKeys('meta');
      out.meta = Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await db.get('meta', k)])));
    } else {
      out[store] = await db.getAll(store);
    }
  }
  return out;
}

// Store names, keyPaths, autoIncrement and indexes, as the browser reports them.
function schemaOf(db) {
  const names = [...db.objectStoreNames].sort();
  const tx = db.transaction(names);
  return Object.fromEntries(
    names.map((name) => {
      const s = tx.objectStore(name);
      const indexes = Object.fromEntries(
        [...s.indexNames].sort().map((i) => {
          const ix = s.index(i);
          return [i, { keyPath: ix.keyPath, unique: ix.unique, multiEntry: ix.multiEntry }];
        }),
      );
      return [name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement, indexes }];
    }),
  );
}

// SCHEMA (what the entity table and db.js declare) in the same form.
function declared() {
  return Object.fromEntries(
    Object.keys(SCHEMA).sort().map((name) => {
      const { keyPath, autoIncrement = false, indexes } = SCHEMA[name];
      const ix = Object.fromEntries(
        Object.keys(indexes).sort().map((i) => [i, { keyPath: indexes[i], unique: false, multiEntry: false }]),
      );
      return [name, { keyPath, autoIncrement, indexes: ix }];
    }),
  );
}

describe('an install of the first release, opened by this code', () => {
  it('keeps every record, the outbox in order with its ids, problems and meta; moves SLA policies to their store', async () => {
    const { name, before } = await installedV1();
    expect(before.outbox.map((e) => e.id)).toEqual([4, 5, 6]);
    expect(before.records.filter((r) => r.entity === 'sla_policy')).toHaveLength(2);

    const db = await openLeadSyncDb(name);
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(3);
    const after = await dump(db);

    expect(after.outbox).toEqual(before.outbox); // same entries, same ids, same order, same answers
    expect(after.meta).toEqual(before.meta); // client_id, cursor, acked/next/pushed ids, session
    for (const store of ['leads', 'followups', 'users', 'products']) {
      expect(after[store]).toEqual(before[store]);
    }
    expect(after.leads).toHaveLength(4);
    expect(after.followups.length).toBeGreaterThan(0);
    // `records` keeps the organisation and the unknown kind; the policies, questions and
    // messages moved, as pulled.
    const moved = ['sla_policy', 'question', 'reply'];
    expect(after.records).toEqual(before.records.filter((r) => !moved.includes(r.entity)));
    expect(after.records.map((r) => r.key)).toEqual([`org:${ORG}`, 'quote:k1']);
    expect(after.questions).toEqual([{ id: 'q1', name: 'Ada', status: 'new', version: 1 }]);
    expect(after.replies).toEqual([{ id: 'm1', question_id: 'q1', author: 'consumer', body: 'Price of M200?', version: 1 }]);
    expect(await db.getAllFromIndex('replies', 'question_id', 'q1')).toHaveLength(1);
    expect(after.sla_policies).toEqual(
      serverChanges.filter((c) => c.entity === 'sla_policy').map((c) => c.data),
    );
    // Problems: the same rows under the same keys, now naming their record.
    expect(after.problems).toEqual(
      before.problems.map((p) => ({ ...p, entity: 'lead', record_id: p.lead_id })),
    );
    expect(after.problems.map((p) => p.key)).toEqual([1, 2]);
    expect(await db.getAllFromIndex('problems', 'lead_id', L1)).toHaveLength(2);
    db.close();
  });

  it('then works as before: the view, a new mutation, a push and a pulled page', async () => {
    const { name } = await installedV1();
    const db = await openLeadSyncDb(name);

    // The view: the stored copy with the pending mutations on top.
    const view = materialize({
      leads: await db.getAll('leads'),
      followups: [],
      outbox: await listOutbox(db),
      me: ME,
    });
    expect(view.leads.get(L2)).toMatchObject({ contact_name: 'Grace Hopper', stage: 'contacted', _pending: [5, 6] });
    expect(view.leads.get(L1)).toMatchObject({ company: 'Analytical Engines', _pending: [4] });
    expect(view.leads.get(L1).phone).not.toBe('+49 30 1111111'); // the conflicting field stays the server's
    expect(await readOrgSettings(db)).toMatchObject({ synced: true, lead_sources: ['phone', 'Alibaba'] });
    expect((await db.getAllFromIndex('followups', 'lead_id', L1)).map((f) => f.id)).toContain(F1);

    // A new mutation takes the next id after the outbox's.
    const added = await enqueue(db, 'lead.assign', { id: L2, owner_id: 'rep-2' }, new Date(T));
    expect(added.id).toBe(7);
    expect((await listOutbox(db)).map((e) => e.id)).toEqual([4, 5, 6, 7]);

    // A sync round: the unsent ones go out (their ids unchanged), a page comes back on the
    // stored cursor, acknowledges them and updates a policy in its new store.
    const push = (url, init) => {
      const body = JSON.parse(init.body);
      expect(body.client_id).toBe(CLIENT_ID);
      expect(body.mutations.map((m) => [m.id, m.name])).toEqual([[5, 'lead.create'], [6, 'followup.create'], [7, 'lead.assign']]);
      const results = body.mutations.map((m) => ({ id: m.id, status: m.id === 7 ? 'rejected' : 'applied', error: m.id === 7 ? { code: 'forbidden', message: 'No.' } : undefined }));
      return new Response(JSON.stringify({ last_mutation_id: 7, results }));
    };
    const pull = (url) => {
      expect(new URL(url, 'http://x').searchParams.get('cursor')).toBe(CURSOR);
      return new Response(JSON.stringify({
        cursor: 'after-upgrade', has_more: false, reset: false, last_mutation_id: 7,
        changes: [
          put('lead', L2, { contact_name: 'Grace Hopper', stage: 'contacted', owner_id: ME.id, version: 1 }),
          put('followup', F2, { lead_id: L2, kind: 'call', note: 'first call', happened_at: T, version: 1 }),
          put('sla_policy', P1, { name: 'Reply fast', metric: 'first_response', target_minutes: 30, active: true, version: 3 }),
          { entity: 'sla_policy', op: 'del', id: P2 },
        ],
      }));
    };
    await engineFor(db, replay([push, pull])).syncOnce();
    expect(await listOutbox(db)).toEqual([]);
    expect(await getMeta(db, 'cursor')).toBe('after-upgrade');
    expect(await getMeta(db, 'acked_mutation_id')).toBe(7);
    expect(await getMeta(db, 'next_mutation_id')).toBe(8);
    expect(await getMeta(db, 'client_id')).toBe(CLIENT_ID);
    expect(await db.getAll('sla_policies')).toEqual([
      { id: P1, name: 'Reply fast', metric: 'first_response', target_minutes: 30, active: true, version: 3 },
    ]);
    expect((await db.getAll('records')).map((r) => r.key)).toEqual([`org:${ORG}`, 'quote:k1']);
    expect(await db.get('leads', L2)).toMatchObject({ contact_name: 'Grace Hopper' });
    // The refusal is a problem on its lead, in the new shape.
    const refused = (await db.getAll('problems')).find((p) => p.mutation_id === 7);
    expect(refused).toMatchObject({ entity: 'lead', record_id: L2, lead_id: L2, status: 'rejected' });
    db.close();
  });

  it('a reset after the upgrade drops the server copy, new stores included, never the outbox', async () => {
    const { name } = await installedV1();
    const db = await openLeadSyncDb(name);
    await applyPage(db, { reset: true, cursor: 'c1', has_more: false, last_mutation_id: 3, changes: [] });
    for (const store of SERVER_STORES) expect(await db.count(store)).toBe(0);
    expect((await listOutbox(db)).map((e) => e.id)).toEqual([4, 5, 6]);
    expect(await getMeta(db, 'client_id')).toBe(CLIENT_ID);
    db.close();
  });

  it('waits while a tab of the first release holds the database, then upgrades with nothing lost', async () => {
    const { name, before } = await installedV1();
    const old = await openDB(name, 1); // that release never lets go by itself
    let blocked = 0;
    const opening = openLeadSyncDb(name, { onBlocked: () => blocked++ });
    await new Promise((r) => setTimeout(r, 50));
    expect(blocked).toBe(1);
    old.close(); // the user closes or reloads that tab
    const db = await opening;
    expect(db.version).toBe(DB_VERSION);
    expect(await listOutbox(db)).toEqual(before.outbox);
    db.close();
  });

  it('a step that fails leaves the database as it was, at version 1', async () => {
    const { name, before } = await installedV1();
    const old = await openDB(name, 1);
    // A row no store keyed by id can hold: moving it fails, so the whole upgrade is undone.
    await old.put('records', { key: 'sla_policy:bad', entity: 'sla_policy', id: { not: 'a key' } });
    old.close();
    const errors = [];
    const consoleError = console.error;
    console.error = (...a) => errors.push(a);
    try {
      await expect(openLeadSyncDb(name)).rejects.toThrow();
    } finally {
      console.error = consoleError;
    }
    expect(String(errors[0]?.[0])).toContain('database upgrade failed');
    const db = await openDB(name);
    expect(db.version).toBe(1);
    expect([...db.objectStoreNames]).not.toContain('sla_policies');
    const after = await dump(db);
    expect(after.outbox).toEqual(before.outbox);
    expect(after.meta).toEqual(before.meta);
    expect(after.records).toHaveLength(before.records.length + 1);
    expect(after.problems).toEqual(before.problems);
    db.close();
  });
});

describe('the schema', () => {
  it('a new install and an upgraded one have the same stores, keys and indexes: the declared ones', async () => {
    const { name } = await installedV1();
    const upgraded = await openLeadSyncDb(name);
    const fresh = await openLeadSyncDb(`fresh-${Math.random()}`);
    expect(schemaOf(upgraded)).toEqual(schemaOf(fresh));
    expect(schemaOf(fresh)).toEqual(declared());
    upgraded.close();
    fresh.close();
  });

  it('declares a store for every entity of the table, and version 1 is still the first release', async () => {
    for (const e of ENTITIES) expect(SCHEMA[e.store]).toBeTruthy();
    const historic = await openDB(`v1-${Math.random()}`, 1, { upgrade: upgradeV1 });
    const step1 = await openDB(`s1-${Math.random()}`, 1, { upgrade: (db, o, v, tx) => MIGRATIONS[0](db, tx) });
    expect(schemaOf(step1)).toEqual(schemaOf(historic));
    historic.close();
    step1.close();
  });

  it('closes its connection when another tab opens a newer version, and says so', async () => {
    const name = `newer-${Math.random()}`;
    let replaced = 0;
    const db = await openLeadSyncDb(name, { onReplaced: () => replaced++ });
    await enqueue(db, 'lead.create', { id: 'x', contact_name: 'X' });
    let blocked = false;
    const newer = await new Promise((resolve, reject) => {
      const req = indexedDB.open(name, DB_VERSION + 1);
      req.onblocked = () => {
        blocked = true;
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    expect(blocked).toBe(false);
    expect(replaced).toBe(1);
    const tx = newer.transaction('outbox');
    const rows = await new Promise((r) => {
      tx.objectStore('outbox').getAll().onsuccess = (e) => r(e.target.result);
    });
    expect(rows.map((e) => e.args.id)).toEqual(['x']);
    newer.close();
  });
});
