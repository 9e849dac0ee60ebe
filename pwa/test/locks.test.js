import { describe, it, expect } from 'vitest';
import { freshDb, engineFor, replay } from './helpers.js';
import { openLeadSyncDb } from '../src/sync/db.js';

// Exclusive, queued locks: what navigator.locks gives every tab of one origin.
class FakeLocks {
  constructor() {
    this.queues = new Map();
  }
  request(name, fn) {
    const prev = this.queues.get(name) || Promise.resolve();
    const run = prev.then(() => fn());
    this.queues.set(name, run.catch(() => {}));
    return run;
  }
}

const emptyPage = () =>
  new Response(JSON.stringify({ cursor: 'c', has_more: false, reset: false, last_mutation_id: 0, changes: [] }));

describe('one sync loop per device', () => {
  it('runs the loop in one tab only; another takes over when it closes', async () => {
    const { db, name } = await freshDb();
    const db2 = await openLeadSyncDb(name);
    const locks = new FakeLocks();
    const idle = { setTimer: () => 1, clearTimer: () => {} }; // park after one round
    const tab1 = engineFor(db, replay([emptyPage]), { locks, ...idle });
    const tab2fetch = replay([emptyPage]);
    const tab2 = engineFor(db2, tab2fetch, { locks, ...idle });
    tab1.start();
    tab2.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(tab1.status.leader).toBe(true);
    expect(tab2.status.leader).toBeFalsy();
    expect(tab2fetch.calls).toHaveLength(0);

    tab1.stop(); // the tab closes: its lock is released
    await new Promise((r) => setTimeout(r, 50));
    expect(tab2.status.leader).toBe(true);
    expect(tab2fetch.calls).toHaveLength(1);
    tab2.stop();
  });
});
