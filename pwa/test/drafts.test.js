// A capture the server refuses stays on the device as a draft (kept in `problems` with the
// person's input and the refusal's fields), is shown as its lead, and is sent again as a new
// mutation once fixed; a double enqueue of one create is one mutation.
import { describe, it, expect } from 'vitest';
import { enqueue, listOutbox, resendDraft } from '../src/sync/outbox.js';
import { materialize } from '../src/sync/apply.js';
import { freshDb, engineFor, T } from './helpers.js';

const LEAD = 'cccccccc-0000-4000-8000-000000000001';
const FU = 'dddddddd-0000-4000-8000-000000000001';
const json = (body, status = 200) => new Response(JSON.stringify(body), { status });

// A tiny server: refuses a phone without enough digits, keeps what it accepts, answers pulls.
function fakeServer() {
  const server = { leads: new Map(), last: 0, pushes: [] };
  server.fetch = async (url, init = {}) => {
    if (url.includes('/sync/push')) {
      const body = JSON.parse(init.body);
      server.pushes.push(body.mutations);
      const results = body.mutations.map((m) => {
        server.last = Math.max(server.last, m.id);
        if (m.name === 'lead.create' && m.args.phone && m.args.phone.replace(/\D/g, '').length < 6) {
          return { id: m.id, status: 'rejected', error: { code: 'validation_failed', message: 'Invalid input.', fields: { phone: ['Not a possible phone number.'] } } };
        }
        if (m.name === 'followup.create' && !server.leads.has(m.args.lead_id)) {
          return { id: m.id, status: 'rejected', error: { code: 'not_found', message: 'No such lead.' } };
        }
        if (m.name === 'lead.create') {
          if (server.leads.has(m.args.id)) return { id: m.id, status: 'duplicate' };
          server.leads.set(m.args.id, { ...m.args, stage: 'new', version: 1 });
        }
        return { id: m.id, status: 'applied' };
      });
      return json({ results, last_mutation_id: server.last });
    }
    if (url.includes('/sync/pull')) {
      const changes = [...server.leads.values()].map((l) => ({ entity: 'lead', op: 'put', id: l.id, data: l }));
      return json({ changes, cursor: `c${server.last}`, has_more: false, last_mutation_id: server.last });
    }
    throw new Error(`unexpected ${url}`);
  };
  return server;
}

async function view(db) {
  return materialize({
    leads: await db.getAll('leads'), followups: [], outbox: await listOutbox(db),
    problems: await db.getAll('problems'), me: { id: 'me' },
  });
}

describe('drafts', () => {
  it('a refused create is kept with its fields and errors, shown as its lead, and resent as a new mutation once fixed', async () => {
    const { db } = await freshDb();
    const server = fakeServer();
    const engine = engineFor(db, server.fetch);
    const args = { id: LEAD, contact_name: 'Bad Phone Bernd', phone: '+49 12', notes: 'wants 3 pumps' };
    await enqueue(db, 'lead.create', args, new Date(T));
    await enqueue(db, 'followup.create', { id: FU, lead_id: LEAD, kind: 'call', note: 'called twice', happened_at: T }, new Date(T));
    await engine.syncOnce();

    // Both refused (the follow-up's lead is not on the server): the outbox is done with them
    // (counted), the person's input is kept.
    expect(await listOutbox(db)).toEqual([]);
    const drafts = await db.getAll('problems');
    expect(drafts).toHaveLength(2);
    const draft = drafts.find((p) => p.name === 'lead.create');
    expect(draft).toMatchObject({
      mutation_id: 1, status: 'rejected', args, entity: 'lead', record_id: LEAD,
      error: { fields: { phone: ['Not a possible phone number.'] } },
    });
    expect(drafts.find((p) => p.name === 'followup.create').args.note).toBe('called twice');

    // Still on the device: the lead shows, marked as a draft that needs fixing.
    const shown = (await view(db)).leads.get(LEAD);
    expect(shown).toMatchObject({ contact_name: 'Bad Phone Bernd', phone: '+49 12', _draft: draft.key, _needsFix: true });

    // Fixed and sent again: a new mutation (id 3), the draft gone in the same step.
    const entry = await resendDraft(db, draft.key, { ...args, phone: '+49 30 1234567' });
    expect(entry).toMatchObject({ id: 3, name: 'lead.create', status: 'pending' });
    expect(entry.args.phone).toBe('+49 30 1234567');
    expect((await db.getAll('problems')).map((p) => p.name)).toEqual(['followup.create']);
    expect((await view(db)).leads.get(LEAD)._pending).toEqual([3]);

    await engine.syncOnce();
    expect(server.pushes.at(-1).map((m) => [m.id, m.name])).toEqual([[3, 'lead.create']]);
    expect(await listOutbox(db)).toEqual([]);
    expect(await db.get('leads', LEAD)).toMatchObject({ phone: '+49 30 1234567' });
    const after = (await view(db)).leads.get(LEAD);
    expect(after._draft).toBeUndefined();

    // The follow-up's note comes back too, once its lead exists.
    const fu = (await db.getAll('problems'))[0];
    expect(await resendDraft(db, fu.key)).toMatchObject({ id: 4, name: 'followup.create' });
    await engine.syncOnce();
    expect(await db.getAll('problems')).toEqual([]);
    expect(server.pushes.at(-1)[0].args.note).toBe('called twice');
    expect(server.leads.size).toBe(1);
  });

  it('a draft already sent or discarded is not sent twice', async () => {
    const { db } = await freshDb();
    const key = await db.add('problems', {
      mutation_id: 1, name: 'lead.create', args: { id: LEAD, contact_name: 'X' }, entity: 'lead',
      record_id: LEAD, lead_id: LEAD, status: 'rejected', error: null, conflicts: [], at: T,
    });
    expect(await resendDraft(db, key)).toMatchObject({ id: 1 });
    expect(await resendDraft(db, key)).toBe(null);
    expect(await listOutbox(db)).toHaveLength(1);
  });

  it('enqueueing the same create twice (a double tap on Save) is one mutation', async () => {
    const { db } = await freshDb();
    const args = { id: LEAD, contact_name: 'Double Tap Dora' };
    const [a, b] = await Promise.all([enqueue(db, 'lead.create', args), enqueue(db, 'lead.create', args)]);
    expect(a.id).toBe(b.id);
    await enqueue(db, 'lead.create', args);
    const f = { id: FU, lead_id: LEAD, kind: 'call', happened_at: T };
    await enqueue(db, 'followup.create', f);
    await enqueue(db, 'followup.create', f);
    expect((await listOutbox(db)).map((e) => [e.id, e.name])).toEqual([[1, 'lead.create'], [2, 'followup.create']]);
    // Updates are not creates: two edits are two mutations.
    await enqueue(db, 'lead.update', { id: LEAD, base_version: 1, set: { notes: 'a' } });
    await enqueue(db, 'lead.update', { id: LEAD, base_version: 1, set: { notes: 'a' } });
    expect(await listOutbox(db)).toHaveLength(4);
  });

  it('a capture carries the moment it was made, kept when its draft is sent again', async () => {
    const { db } = await freshDb();
    const made = new Date('2026-03-02T08:15:00.000Z');
    const entry = await enqueue(db, 'lead.create', { id: LEAD, contact_name: 'Early Eva' }, made);
    expect(entry.args.captured_at).toBe('2026-03-02T08:15:00.000Z');
    // A capture that names its own moment (a draft sent again) keeps it.
    const again = await enqueue(
      db, 'lead.create', { id: FU, contact_name: 'Eva again', captured_at: '2026-03-01T07:00:00.000Z' },
      new Date('2026-03-05T10:00:00.000Z'),
    );
    expect(again.args.captured_at).toBe('2026-03-01T07:00:00.000Z');
    const note = await enqueue(db, 'followup.create', { id: LEAD, lead_id: LEAD, kind: 'note', happened_at: T });
    expect(note.args).not.toHaveProperty('captured_at');
  });
});
