// A fake fetch that replays answers recorded from the real server (fixtures/recorded.json,
// made by scripts/record_fixtures.py) and checks that each request is the recorded one.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { openLeadSyncDb, setMeta } from '../src/sync/db.js';
import { Api } from '../src/sync/api.js';
import { SyncEngine } from '../src/sync/engine.js';

export const RECORDED = JSON.parse(
  readFileSync(new URL('./fixtures/recorded.json', import.meta.url), 'utf8'),
);
export const steps = (name) => RECORDED.filter((s) => s.step === name);
export const CLIENT_ID = '11111111-1111-4111-8111-111111111111';
export const L1 = 'aaaaaaaa-0000-4000-8000-000000000001';
export const F1 = 'bbbbbbbb-0000-4000-8000-000000000001';
export const T = '2026-01-01T10:00:00Z';

const normal = (body) =>
  body && body.mutations
    ? {
        ...body,
        mutations: body.mutations.map((m) => ({ ...m, client_time: Date.parse(m.client_time) })),
      }
    : body;

export class NetworkDown extends TypeError {
  constructor() {
    super('Failed to fetch');
  }
}

// Each item: a recorded step (answered as recorded), or a function (url, init) => Response.
export function replay(items, { before } = {}) {
  const queue = [...items];
  const fetch = async (url, init = {}) => {
    const item = queue.shift();
    fetch.calls.push({ url, method: init.method, body: init.body && JSON.parse(init.body) });
    if (!item) throw new Error(`unexpected request ${init.method} ${url}`);
    if (typeof item === 'function') return item(url, init);
    expect(`${init.method} ${url}`).toBe(`${item.method} ${item.path}`);
    if (item.method === 'POST') {
      expect(normal(JSON.parse(init.body))).toEqual(normal(item.request));
      expect(init.headers['X-CSRF-Token']).toBe('csrf-1');
    }
    if (before) await before(item, fetch.calls.length);
    return new Response(JSON.stringify(item.answer), { status: item.status });
  };
  fetch.calls = [];
  fetch.remaining = () => queue.length;
  return fetch;
}

let n = 0;
export async function freshDb() {
  const name = `test-${++n}-${Math.random()}`;
  const db = await openLeadSyncDb(name);
  await setMeta(db, 'client_id', CLIENT_ID);
  await setMeta(db, 'csrf_token', 'csrf-1');
  return { db, name };
}

export function engineFor(db, fetch, extra = {}) {
  const api = new Api({
    fetch,
    base: '/api/v1',
    getCsrf: () => db.get('meta', 'csrf_token'),
    setCsrf: (t) => db.put('meta', t, 'csrf_token'),
  });
  return new SyncEngine({ db, api, locks: null, pageLimit: 3, log: () => {}, ...extra });
}
