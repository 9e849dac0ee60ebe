import { describe, it, expect } from 'vitest';
import { materialize, byUrgency } from '../src/sync/apply.js';

const base = {
  id: 'L', contact_name: 'A', stage: 'new', version: 3, phone: '1', next_follow_up_at: null,
  last_follow_up_at: null, lost_reason: null, won_value: null, owner_id: 'me',
};
const e = (id, name, args, extra = {}) => ({ id, name, args, client_time: '2026-01-01T10:00:00.000Z', status: 'pending', ...extra });

describe('materialize', () => {
  it('re-applies pending mutations in order on top of server state', () => {
    const view = materialize({
      leads: [base],
      followups: [],
      me: { id: 'me' },
      outbox: [
        e(2, 'followup.create', { id: 'F', lead_id: 'L', kind: 'quote', quoted_amount: 10, happened_at: '2026-01-01T10:00:00Z', next_follow_up_at: '2026-01-02T10:00:00Z' }),
        e(1, 'lead.update', { id: 'L', base_version: 3, set: { phone: '2' } }),
        e(3, 'lead.set_stage', { id: 'L', stage: 'lost', lost_reason: 'no_response', note: 'gone' }),
      ],
    });
    const lead = view.leads.get('L');
    expect(lead).toMatchObject({ phone: '2', stage: 'lost', lost_reason: 'no_response', next_follow_up_at: '2026-01-02T10:00:00Z' });
    expect(lead._pending).toEqual([1, 2, 3]);
    expect(view.followups.get('F')).toMatchObject({ kind: 'quote', quoted_amount: 10 });
    expect([...view.followups.values()].map((f) => f.kind).sort()).toEqual(['note', 'quote']);
  });

  it('skips rejected mutations and conflicting fields, and never moves a stage the server would refuse', () => {
    const view = materialize({
      leads: [{ ...base, stage: 'won' }],
      followups: [],
      outbox: [
        e(1, 'lead.update', { id: 'L', base_version: 3, set: { phone: 'x' } }, { status: 'rejected' }),
        e(2, 'lead.update', { id: 'L', base_version: 3, set: { phone: '9', company: 'C' } }, { status: 'conflict', conflicts: [{ field: 'phone', server_value: '1' }] }),
        e(3, 'lead.set_stage', { id: 'L', stage: 'new' }),
      ],
    });
    expect(view.leads.get('L')).toMatchObject({ phone: '1', company: 'C', stage: 'won' });
  });

  it('a create already in the server copy is not duplicated', () => {
    const view = materialize({ leads: [base], followups: [], outbox: [e(1, 'lead.create', { id: 'L', contact_name: 'other' })] });
    expect(view.leads.get('L').contact_name).toBe('A');
    expect(view.leads.size).toBe(1);
  });
});

describe('byUrgency', () => {
  it('puts overdue first, then soonest, then leads without a date; closed leads out', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const leads = [
      { id: 'none', stage: 'new', next_follow_up_at: null, created_at: '1' },
      { id: 'later', stage: 'new', next_follow_up_at: '2026-01-03T00:00:00Z' },
      { id: 'overdue', stage: 'contacted', next_follow_up_at: '2026-01-01T08:00:00Z' },
      { id: 'soon', stage: 'quoted', next_follow_up_at: '2026-01-01T13:00:00Z' },
      { id: 'won', stage: 'won', next_follow_up_at: '2025-01-01T00:00:00Z' },
    ];
    expect(byUrgency(leads, now).map((l) => l.id)).toEqual(['overdue', 'soon', 'later', 'none']);
  });
});
