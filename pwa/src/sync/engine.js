// The sync engine: push the outbox, then pull until caught up; forever, with backoff.
import { ensureClientId, getMeta, setMeta } from './db.js';
import { SERVER_STORES, entityOf, keyOf, problemRecord, storedForm } from './entities.js';
import { renumberFrom, unsent } from './outbox.js';
import { unwrap } from 'idb';
import { HttpError } from './api.js';

export const LOOP_LOCK = 'leadsync-sync-loop';
export const RUN_LOCK = 'leadsync-sync-run';
const PULL_STORES = ['meta', 'outbox', ...SERVER_STORES];

export class AuthRequired extends Error {}

// Full-jitter exponential backoff: between half and all of min(cap, base * 2^n).
export function backoffDelay(failures, random = Math.random, base = 1000, cap = 5 * 60_000) {
  const ceiling = Math.min(cap, base * 2 ** Math.min(failures, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// Store one pulled page and its cursor in ONE transaction, and drop the outbox entries it
// acknowledges in that same transaction.
export async function applyPage(db, page) {
  // Relaxed durability: the page, its cursor and the acknowledgement stay one atomic
  // transaction; only the flush to disk is not awaited. Lost in a power cut, it is pulled
  // again (and any unacknowledged mutation resent, which the server answers "duplicate").
  const tx = db.transaction(PULL_STORES, 'readwrite', { durability: 'relaxed' });
  const meta = tx.objectStore('meta');
  if (page.reset) {
    for (const s of SERVER_STORES) await tx.objectStore(s).clear();
  }
  // The page's writes go straight to the raw object stores, all issued at once with no
  // promise per request: a first sync is tens of thousands of records, and a failed write
  // aborts the transaction, which `tx.done` reports.
  const raw = unwrap(tx);
  const stores = {};
  for (const c of page.changes || []) {
    const entity = entityOf(c.entity); // where and how: the entity table
    const store = (stores[entity.store] ||= raw.objectStore(entity.store));
    if (c.op === 'put') {
      store.put(storedForm(entity, c));
    } else if (c.op === 'del') {
      store.delete(keyOf(entity, c.id)); // a del of a record we lack is nothing
    }
  }
  await meta.put(page.cursor, 'cursor');
  const ackedBefore = (await meta.get('acked_mutation_id')) || 0;
  const acked = Math.max(ackedBefore, page.last_mutation_id || 0);
  await meta.put(acked, 'acked_mutation_id');
  if (acked > 0) await tx.objectStore('outbox').delete(IDBKeyRange.upperBound(acked));
  // Never hand out an id the server has already counted.
  const next = (await meta.get('next_mutation_id')) || 1;
  if (next <= acked) await meta.put(acked + 1, 'next_mutation_id');
  if (!page.has_more) {
    await meta.put(new Date().toISOString(), 'last_sync_at'); // device clock, for "synced 2 min ago"
    if (page.server_time) await meta.put(page.server_time, 'server_time');
  }
  await tx.done;
  return { ackedBefore, acked };
}

// Record what the server said about each pushed mutation; rejections and conflicts become
// problems shown on their record (the entity table's `shownOn`: a lead) until dismissed.
export async function storeResults(db, sent, answer, now = new Date()) {
  const byId = new Map(sent.map((e) => [e.id, e]));
  const tx = db.transaction(['meta', 'outbox', 'problems'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  for (const r of answer.results || []) {
    const entry = byId.get(r.id);
    if (!entry) continue;
    const current = await outbox.get(r.id);
    if (current) {
      await outbox.put({ ...current, status: r.status, error: r.error, conflicts: r.conflicts });
    }
    if (r.status === 'rejected' || r.status === 'conflict') {
      await tx.objectStore('problems').add({
        mutation_id: r.id,
        name: entry.name,
        args: entry.args,
        ...problemRecord(entry),
        status: r.status,
        error: r.error || null,
        conflicts: r.conflicts || [],
        at: now.toISOString(),
      });
    }
  }
  await tx.objectStore('meta').put(answer.last_mutation_id, 'pushed_mutation_id');
  await tx.done;
}

export class SyncEngine {
  constructor({
    db,
    api,
    locks = globalThis.navigator?.locks,
    isOnline = () => globalThis.navigator?.onLine ?? true,
    random = Math.random,
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (t) => clearTimeout(t),
    periodMs = 3 * 60_000,
    pageLimit = 1000, // the server's maximum
    batchSize = 200,
    onStatus = () => {},
    onChange = () => {},
    log = (...a) => console.warn(...a),
  }) {
    Object.assign(this, { db, api, locks, isOnline, random, setTimer, clearTimer });
    Object.assign(this, { periodMs, pageLimit, batchSize, onStatus, onChange, log });
    this.status = { state: 'idle', failures: 0, lastError: null, nextAttemptAt: null };
    this.running = false;
    this.wake = null;
  }

  setStatus(patch) {
    this.status = { ...this.status, ...patch };
    this.onStatus(this.status);
  }

  // --- one round ----------------------------------------------------------------------

  async push() {
    const clientId = await ensureClientId(this.db);
    for (;;) {
      const batch = await unsent(this.db, this.batchSize);
      if (!batch.length) return;
      let answer;
      try {
        answer = await this.api.post('/sync/push', {
          client_id: clientId,
          mutations: batch.map(({ id, name, args, client_time }) => ({ id, name, args, client_time })),
        });
      } catch (e) {
        if (e instanceof HttpError && e.code === 'mutation_gap' && e.body?.error?.expected) {
          await renumberFrom(this.db, e.body.error.expected);
          continue;
        }
        if (e instanceof HttpError && e.status === 413 && this.batchSize > 1) {
          this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
          continue;
        }
        throw e;
      }
      await storeResults(this.db, batch, answer);
      this.onChange('push');
      if (!(answer.results || []).length) return; // nothing answered: do not spin
    }
  }

  // Pages are applied strictly in order, each with its cursor; the next page is already
  // being fetched while one is written (a first sync is ~60 pages: network, server and
  // IndexedDB then overlap instead of taking turns).
  async pull() {
    const clientId = await ensureClientId(this.db);
    const fetchPage = (cursor) => {
      const q = new URLSearchParams({ client_id: clientId, limit: String(this.pageLimit) });
      if (cursor) q.set('cursor', cursor);
      const answer = this.api.get(`/sync/pull?${q}`);
      answer.catch(() => {}); // awaited below; not "unhandled" while a page is being written
      return answer;
    };
    let next = fetchPage(await getMeta(this.db, 'cursor'));
    for (;;) {
      const page = await next;
      next = page.has_more ? fetchPage(page.cursor) : null;
      const applied = await applyPage(this.db, page);
      this.onChange('pull', page, applied);
      if (!page.has_more) return page;
    }
  }

  // Push, then pull: one at a time per device (RUN_LOCK), whoever runs it (tab or worker).
  async syncOnce() {
    const run = async () => {
      this.setStatus({ state: 'syncing' });
      await this.push();
      await this.pull();
      await setMeta(this.db, 'last_sync_ok_at', new Date().toISOString());
    };
    if (this.locks?.request) return this.locks.request(RUN_LOCK, run);
    return run();
  }

  // --- the loop -----------------------------------------------------------------------

  // A nudge (a new mutation, the timer): sync soon, but never cut a backoff short.
  // force (back online, signed in again, the user's "sync now"): sync at once.
  trigger({ force = false } = {}) {
    this.dirty = true;
    if (force) this.status.failures = 0;
    if (this.wake && (force || this.status.state !== 'error')) this.wake();
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const t = ms == null ? null : this.setTimer(done, ms);
      const self = this;
      function done() {
        if (t != null) self.clearTimer(t);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  // One loop per device: the tab holding LOOP_LOCK runs it; the others wait their turn.
  start() {
    if (this.running) return;
    this.running = true;
    if (this.locks?.request) {
      this.locks
        .request(LOOP_LOCK, () => {
          this.setStatus({ leader: true });
          return this.loop();
        })
        .catch((e) => this.log('sync loop lock', e));
    } else {
      this.setStatus({ leader: true });
      this.loop();
    }
  }

  stop() {
    this.running = false;
    this.trigger({ force: true });
  }

  async loop() {
    while (this.running) {
      let delay;
      if (!this.isOnline()) {
        this.setStatus({ state: 'offline', nextAttemptAt: null });
        await this.sleep(null); // woken by `online` (trigger)
        continue;
      }
      try {
        this.dirty = false;
        await this.syncOnce();
        this.setStatus({ state: 'idle', failures: 0, lastError: null, lastSyncAt: new Date().toISOString() });
        delay = this.dirty ? 0 : this.periodMs;
      } catch (e) {
        if (e instanceof HttpError && e.status === 401) {
          this.setStatus({ state: 'signed_out', lastError: e.message, nextAttemptAt: null });
          this.onChange('signed_out');
          await this.sleep(null); // until signed in again
          continue;
        }
        const failures = this.status.failures + 1;
        delay = backoffDelay(failures - 1, this.random);
        this.setStatus({
          state: 'error',
          failures,
          lastError: e?.message || String(e),
          nextAttemptAt: new Date(Date.now() + delay).toISOString(),
        });
        this.log('sync failed; retrying in', delay, 'ms', e);
      }
      if (this.running) await this.sleep(delay);
    }
  }
}
