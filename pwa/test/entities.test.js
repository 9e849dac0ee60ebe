// The entity table and what the other modules derive from it.
import { describe, it, expect } from 'vitest';
import {
  ENTITIES, MUTATION_NAMES, RECORDS, SERVER_STORES, entityOf, heldInView, matchRoute, pathOf,
  problemRecord, problemsOf,
} from '../src/sync/entities.js';
import { applyPage } from '../src/sync/engine.js';
import { enqueue } from '../src/sync/outbox.js';
import { freshDb } from './helpers.js';

const page = (changes) => ({ changes, cursor: 'c', has_more: false, last_mutation_id: 0 });

describe('the entity table', () => {
  it('has the entities the server pulls, in its order, each in a store of the server copy', () => {
    expect(ENTITIES.map((e) => e.name)).toEqual([
      'org', 'product', 'sla_policy', 'user', 'calendar', 'lead', 'followup', 'question', 'reply', 'canned_answer',
    ]);
    expect(SERVER_STORES).toEqual(['records', 'products', 'sla_policies', 'users', 'leads', 'followups', 'questions', 'replies']);
    for (const e of ENTITIES) expect(SERVER_STORES).toContain(e.store);
  });

  it('gives the outbox its mutation names', () => {
    expect(MUTATION_NAMES).toEqual([
      'lead.create', 'lead.update', 'lead.set_stage', 'lead.assign', 'followup.create',
      'question.claim', 'question.resolve', 'question.convert', 'question.reply',
    ]);
  });

  it('keeps an entity this release does not know in records, and a del removes it', async () => {
    const { db } = await freshDb();
    expect(entityOf('quote')).toMatchObject({ store: RECORDS, view: null });
    expect(heldInView('quote')).toBe(false);
    await applyPage(db, page([{ entity: 'quote', op: 'put', id: 'q1', data: { total: 10 } }]));
    expect(await db.get('records', 'quote:q1')).toEqual({ key: 'quote:q1', entity: 'quote', id: 'q1', total: 10 });
    await applyPage(db, page([{ entity: 'quote', op: 'del', id: 'q1' }]));
    expect(await db.count('records')).toBe(0);
  });

  it('stores each known entity where the table says, keyed as it says', async () => {
    const { db } = await freshDb();
    await applyPage(db, page(ENTITIES.map((e) => ({ entity: e.name, op: 'put', id: `${e.name}-1`, data: { version: 1 } }))));
    for (const e of ENTITIES) {
      const key = e.store === RECORDS ? `${e.name}:${e.name}-1` : `${e.name}-1`;
      expect(await db.get(e.store, key)).toMatchObject({ id: `${e.name}-1`, version: 1 });
    }
  });

  it('says which record a refused mutation is shown on, and a follow-up’s is its lead', () => {
    const followup = { name: 'followup.create', args: { id: 'F', lead_id: 'L', kind: 'call' } };
    expect(problemRecord(followup)).toEqual({ entity: 'lead', record_id: 'L', lead_id: 'L' });
    expect(problemRecord({ name: 'lead.assign', args: { id: 'L2' } })).toEqual({ entity: 'lead', record_id: 'L2', lead_id: 'L2' });
    const problems = [{ entity: 'lead', record_id: 'L' }, { entity: 'lead', record_id: 'M' }];
    expect(problemsOf(problems, 'lead', 'L')).toEqual([problems[0]]);
  });

  it('routes a record’s screen both ways', () => {
    expect(pathOf('lead', 'a b')).toBe('/leads/a%20b');
    expect(matchRoute('/leads/a%20b')).toEqual({ entity: 'lead', id: 'a b' });
    expect(matchRoute('/leads/x/y')).toBeNull();
    expect(matchRoute('/new')).toBeNull();
    expect(pathOf('product', 'p1')).toBeNull();
  });

  it('refuses a mutation name no entity has', async () => {
    const { db } = await freshDb();
    await expect(enqueue(db, 'quote.create', { id: 'q' })).rejects.toThrow('unknown mutation quote.create');
  });
});
