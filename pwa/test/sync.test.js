import { describe, it, expect } from 'vitest';
import { openLeadSyncDb, getMeta, clearAll } from '../src/sync/db.js';
import { enqueue, listOutbox, pendingCount } from '../src/sync/outbox.js';
import { materialize } from '../src/sync/apply.js';
import { backoffDelay } from '../src/sync/engine.js';
import {
  steps, L1, F1, T, replay, freshDb, engineFor, NetworkDown,
} from './helpers.js';

const firstPush = steps('first_push')[0];
const firstPull = steps('first_pull');
const conflictPush = steps('conflict_push')[0];
const conflictPull = steps('conflict_pull');
const reassignPull = steps('reassign_pull');
const resetPull = steps('reset_pull');
const crash = () => {
  throw new NetworkDown();
};

// The user's three offline actions, exactly as recorded (the second is refused by the server).
async function offlineWork(db) {
  for (const m of firstPush.request.mutations) await enqueue(db, m.name, m.args, new Date(T));
}

async function view(db) {
  return materialize({
    leads: await db.getAll('leads'),
    followups: await db.getAll('followups'),
    outbox: await listOutbox(db),
    me: { id: 'me' },
  });
}

async function reopen(name, old) {
  old.close(); // the app dies: the next start opens the same database afresh
  return openLeadSyncDb(name);
}

async function expectCaughtUp(db) {
  expect(await pendingCount(db)).toBe(0);
  expect(await getMeta(db, 'acked_mutation_id')).toBe(3);
  expect(await getMeta(db, 'next_mutation_id')).toBe(4);
  expect(await getMeta(db, 'cursor')).toBe(firstPull.at(-1).answer.cursor);
  const lead = await db.get('leads', L1);
  expect(lead.contact_name).toBe('Ada Lovelace');
  expect(lead.stage).toBe('contacted');
  expect(await db.get('followups', F1)).toMatchObject({ lead_id: L1, kind: 'call' });
  expect((await db.getAll('leads')).length).toBe(4);
  expect((await db.getAll('products')).length).toBe(3);
}

describe('outbox', () => {
  it('allocates ids 1, 2, 3 … in the transaction that stores the mutation, across connections', async () => {
    const { db, name } = await freshDb();
    const other = await openLeadSyncDb(name); // a second tab
    const args = (i) => ({ id: `lead-${i}`, contact_name: `n${i}` });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => enqueue(i % 2 ? other : db, 'lead.create', args(i))),
    );
    const ids = (await listOutbox(db)).map((e) => e.id);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await getMeta(db, 'next_mutation_id')).toBe(21);
  });
});

describe('sync against recorded server answers', () => {
  it('pushes then pulls every page; a rejected mutation in the middle of the outbox is kept as a problem and does not block the others', async () => {
    const { db } = await freshDb();
    await offlineWork(db);
    let afterPush;
    const fetch = replay([firstPush, ...firstPull], {
      before: async (_item, n) => {
        if (n === 2) afterPush = await view(db); // push answered, first pull page in flight
      },
    });
    await engineFor(db, fetch).syncOnce();
    expect(fetch.remaining()).toBe(0);
    await expectCaughtUp(db);
    // Between push and pull, the rejected update is no longer shown; the others still are.
    expect(afterPush.leads.get(L1).phone).toBe('+49 30 1234567');
    expect(afterPush.followups.get(F1)).toBeTruthy();
    const problems = await db.getAll('problems');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      mutation_id: 2, lead_id: L1, status: 'rejected', name: 'lead.update',
      error: { code: 'validation_error', fields: { phone: ['Not a phone number.'] } },
    });
  });

  it('survives a crash between two pages of a pull: the stored cursor matches the stored changes', async () => {
    const { db, name } = await freshDb();
    await offlineWork(db);
    const fetch1 = replay([firstPush, firstPull[0], firstPull[1], crash]);
    await expect(engineFor(db, fetch1).syncOnce()).rejects.toThrow('Failed to fetch');
    // Pages 1 and 2 are stored with page 2's cursor; nothing of page 3.
    expect(await getMeta(db, 'cursor')).toBe(firstPull[1].answer.cursor);
    expect((await db.getAll('products')).length).toBe(3);
    expect((await db.getAll('users')).length).toBe(3);
    expect((await db.getAll('leads')).length).toBe(0);
    expect(await pendingCount(db)).toBe(3); // not acknowledged by any pull yet
    const shown = await view(db);
    expect(shown.leads.get(L1).contact_name).toBe('Ada Lovelace');

    const db2 = await reopen(name, db);
    // The restarted app sends nothing twice (the push was answered) and resumes at page 3:
    // replay() checks each request's path, so a wrong cursor fails here.
    const fetch2 = replay(firstPull.slice(2));
    await engineFor(db2, fetch2).syncOnce();
    expect(fetch2.remaining()).toBe(0);
    await expectCaughtUp(db2);
  });

  it('survives a crash between push and pull, even when the push answer was lost', async () => {
    const { db, name } = await freshDb();
    await offlineWork(db);
    // The server applied the batch, but the connection dropped before the answer arrived.
    const fetch1 = replay([crash]);
    await expect(engineFor(db, fetch1).syncOnce()).rejects.toThrow();
    expect((await listOutbox(db)).map((e) => e.status)).toEqual(['pending', 'pending', 'pending']);

    const db2 = await reopen(name, db);
    // The retry sends the same ids again; the server answers them as duplicates (what it
    // answers to a repeated batch), then the pull carries their effects and acknowledges them.
    const duplicates = {
      ...firstPush,
      answer: { last_mutation_id: 3, results: [1, 2, 3].map((id) => ({ id, status: 'duplicate' })) },
    };
    const fetch2 = replay([duplicates, firstPull[0], crash]);
    await expect(engineFor(db2, fetch2).syncOnce()).rejects.toThrow();
    // Still shown from the outbox while unacknowledged.
    expect((await view(db2)).leads.get(L1).stage).toBe('contacted');

    const db3 = await reopen(name, db2);
    const fetch3 = replay(firstPull.slice(1));
    await engineFor(db3, fetch3).syncOnce();
    await expectCaughtUp(db3);
  });

  it('keeps an edit made while a pull is in flight, with the next id, on top of server state', async () => {
    const { db } = await freshDb();
    await offlineWork(db);
    const edit = conflictPush.request.mutations[0];
    let editedId;
    const fetch = replay([firstPush, ...firstPull], {
      before: async (_item, n) => {
        if (n === 4) editedId = (await enqueue(db, edit.name, edit.args, new Date(T))).id;
      },
    });
    await engineFor(db, fetch).syncOnce();
    expect(editedId).toBe(4);
    const outbox = await listOutbox(db);
    expect(outbox.map((e) => [e.id, e.status])).toEqual([[4, 'pending']]);
    // Server truth (the lead as pulled) plus the pending edit.
    const shown = (await view(db)).leads.get(L1);
    expect((await db.get('leads', L1)).phone).toBe('+49 30 1234567');
    expect(shown.phone).toBe('+49 30 1111111');
    expect(shown.company).toBe('Analytical Engines');
    expect(shown._pending).toEqual([4]);

    // Meanwhile the team lead changed the phone: the next round reports a conflict.
    const fetch2 = replay([conflictPush, ...conflictPull]);
    await engineFor(db, fetch2).syncOnce();
    expect(await pendingCount(db)).toBe(0);
    const lead = await db.get('leads', L1);
    expect(lead.phone).toBe('+49 30 7654321');
    expect(lead.company).toBe('Analytical Engines');
    const conflict = (await db.getAll('problems')).find((p) => p.status === 'conflict');
    expect(conflict).toMatchObject({
      mutation_id: 4, lead_id: L1,
      conflicts: [{ field: 'phone', server_value: '+49 30 7654321' }],
    });
  });

  it('drops a lead reassigned away, and on reset drops the server copy but not the outbox', async () => {
    const { db } = await freshDb();
    await offlineWork(db);
    await engineFor(db, replay([firstPush, ...firstPull])).syncOnce();
    const edit = conflictPush.request.mutations[0];
    await enqueue(db, edit.name, edit.args, new Date(T));
    await engineFor(db, replay([conflictPush, ...conflictPull])).syncOnce();

    await engineFor(db, replay(reassignPull)).syncOnce();
    expect(await db.get('leads', L1)).toBeUndefined();
    expect(await db.get('followups', F1)).toBeUndefined();

    // Offline capture, then the server answers `reset` (e.g. an expired cursor).
    const NEW = 'cccccccc-0000-4000-8000-000000000001';
    await enqueue(db, 'lead.create', { id: NEW, contact_name: 'New inquiry' });
    await db.put('leads', { id: 'stale', contact_name: 'gone from the server', stage: 'new' });
    await db.put('meta', 'not-a-cursor', 'cursor');
    const pushNew = (url, init) => {
      const body = JSON.parse(init.body);
      expect(body.mutations.map((m) => m.id)).toEqual([5]);
      return new Response(JSON.stringify({ last_mutation_id: 5, results: [{ id: 5, status: 'applied' }] }));
    };
    await engineFor(db, replay([pushNew, ...resetPull])).syncOnce();
    expect(await db.get('leads', 'stale')).toBeUndefined();
    expect((await db.getAll('leads')).length).toBe(3);
    // The recorded reset run predates mutation 5, so it stays in the outbox and on screen.
    expect((await listOutbox(db)).map((e) => e.id)).toEqual([5]);
    expect((await view(db)).leads.get(NEW).contact_name).toBe('New inquiry');
    expect(await getMeta(db, 'acked_mutation_id')).toBe(4);
  });

  it('renumbers unsent mutations when the server reports a gap', async () => {
    const { db } = await freshDb();
    await db.put('meta', 7, 'next_mutation_id');
    await enqueue(db, 'lead.create', { id: 'x', contact_name: 'X' });
    const gap = () =>
      new Response(JSON.stringify({ error: { code: 'mutation_gap', message: 'gap', expected: 1 } }), { status: 409 });
    const ok = (url, init) => {
      expect(JSON.parse(init.body).mutations[0].id).toBe(1);
      return new Response(JSON.stringify({ last_mutation_id: 1, results: [{ id: 1, status: 'applied' }] }));
    };
    const page = () =>
      new Response(JSON.stringify({ cursor: 'c', has_more: false, reset: false, last_mutation_id: 1, changes: [] }));
    await engineFor(db, replay([gap, ok, page])).syncOnce();
    expect(await pendingCount(db)).toBe(0);
    expect(await getMeta(db, 'next_mutation_id')).toBe(2);
  });
});

describe('the loop', () => {
  it('backs off exponentially with jitter and keeps going after thrown errors', async () => {
    const { db } = await freshDb();
    const delays = [];
    let engine;
    const ok = () =>
      new Response(JSON.stringify({ cursor: 'c', has_more: false, reset: false, last_mutation_id: 0, changes: [] }));
    const boom = () => {
      throw new Error('boom');
    };
    const fail503 = () => new Response('{"error":{"code":"unavailable","message":"down"}}', { status: 503 });
    const fetch = replay([crash, boom, fail503, crash, ok]);
    await new Promise((resolve) => {
      engine = engineFor(db, fetch, {
        random: () => 0.5,
        setTimer: (fn, ms) => {
          delays.push(ms);
          if (ms === engine.periodMs) {
            engine.running = false;
            resolve();
          } else queueMicrotask(fn);
          return 1;
        },
        clearTimer: () => {},
      });
      engine.start();
    });
    expect(delays).toEqual([750, 1500, 3000, 6000, engine.periodMs]);
    expect(engine.status.state).toBe('idle');
    expect(engine.status.failures).toBe(0);
  });

  it('bounds the jittered delay', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(30, () => 1)).toBe(300000);
  });
});

describe('clearAll', () => {
  it('wipes everything, client_id included', async () => {
    const { db } = await freshDb();
    await enqueue(db, 'lead.create', { id: 'a', contact_name: 'A' });
    await clearAll(db);
    expect(await pendingCount(db)).toBe(0);
    expect(await getMeta(db, 'client_id')).toBeUndefined();
  });
});

