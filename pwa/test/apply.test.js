import { describe, it, expect } from 'vitest';
import { materialize, byUrgency, clockOf, policyFor } from '../src/sync/apply.js';

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

describe('byUrgency with SLA clocks', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const clock = (state, due, warn = null, metric = 'follow_up') => ({
    metric, state, started_at: '2026-01-01T08:00:00.000Z', warn_at: warn, due_at: due,
    breached_at: null, met_at: null, escalated_at: null,
  });
  const lead = (id, sla, next = null, extra = {}) => ({ id, stage: 'contacted', sla, next_follow_up_at: next, created_at: '2026-01-01T00:00:00Z', ...extra });

  it('puts breached first, then warning, then by due_at; falls back to next_follow_up_at without a clock', () => {
    const leads = [
      lead('ok-later', clock('ok', '2026-01-02T12:00:00.000Z', '2026-01-02T10:00:00.000Z')),
      lead('nosla-soon', null, '2026-01-01T15:00:00.000Z'),
      lead('warning-late', clock('warning', '2026-01-01T18:00:00.000Z', '2026-01-01T11:00:00.000Z')),
      lead('breached', clock('breached', '2026-01-01T09:00:00.000Z')),
      lead('ok-soon', clock('ok', '2026-01-01T14:00:00.000Z', '2026-01-01T13:00:00.000Z'), '2026-01-01T12:30:00.000Z'),
      lead('warning-early', clock('warning', '2026-01-01T13:00:00.000Z', '2026-01-01T11:00:00.000Z')),
      lead('none', null, null),
      lead('met', clock('met', '2026-01-01T10:00:00.000Z'), '2026-01-01T16:00:00.000Z'),
      lead('won', clock('breached', '2026-01-01T01:00:00.000Z'), null, { stage: 'won' }),
    ];
    expect(byUrgency(leads, now).map((l) => l.id)).toEqual([
      'breached', 'warning-early', 'warning-late', 'ok-soon', 'nosla-soon', 'met', 'ok-later', 'none',
    ]);
  });

  it('moves a clock on by the device clock: warning at warn_at, breached at due_at, before any sync', () => {
    const l = lead('a', clock('ok', '2026-01-01T12:00:30.000Z', '2026-01-01T11:59:00.000Z'));
    expect(clockOf(l, now).state).toBe('warning');
    expect(clockOf(l, now + 31_000).state).toBe('breached');
    const later = lead('b', clock('ok', '2026-01-01T12:01:00.000Z'));
    const early = lead('c', clock('ok', '2026-01-01T12:02:00.000Z', '2026-01-01T11:00:00.000Z'));
    // Server still says "ok" for both; at 12:01:30 `b` is overdue locally and jumps ahead.
    expect(byUrgency([early, later], now).map((x) => x.id)).toEqual(['c', 'b']);
    expect(byUrgency([early, later], now + 90_000).map((x) => x.id)).toEqual(['b', 'c']);
  });

  it('a pending contact starts the follow-up cadence locally; won pauses it', () => {
    const l = lead('L', clock('breached', '2026-01-01T09:00:00.000Z'), null, { last_follow_up_at: null });
    const view = materialize({
      leads: [l, { ...l, id: 'M' }],
      followups: [],
      outbox: [
        e(1, 'followup.create', { id: 'F', lead_id: 'L', kind: 'call', happened_at: '2026-01-01T11:00:00.000Z' }),
        e(2, 'lead.set_stage', { id: 'M', stage: 'won', won_value: 5 }),
      ],
    });
    expect(view.leads.get('L').sla).toMatchObject({ metric: 'follow_up', state: 'ok', started_at: '2026-01-01T11:00:00.000Z', _local: true });
    expect(view.leads.get('M').sla.state).toBe('paused');
    expect(clockOf(view.leads.get('L'), now)).toMatchObject({ running: true, state: 'ok' });
    expect(clockOf(view.leads.get('M'), now)).toMatchObject({ due: null, state: 'paused' });
  });

  it('picks the policy the server would: most specific, then strictest', () => {
    const policies = [
      { id: 'any', metric: 'follow_up', priority: null, source: null, target_minutes: 60, active: true },
      { id: 'prio', metric: 'follow_up', priority: 'high', source: null, target_minutes: 240, active: true },
      { id: 'prio2', metric: 'follow_up', priority: null, source: 'website', target_minutes: 120, active: true },
      { id: 'both-off', metric: 'follow_up', priority: 'high', source: 'website', target_minutes: 30, active: false },
    ];
    const l = lead('L', clock('ok', '2026-01-02T00:00:00.000Z'), null, { priority: 'high', source: 'website' });
    expect(policyFor(l, policies).id).toBe('prio2');
    expect(policyFor({ ...l, priority: 'normal', source: 'phone' }, policies).id).toBe('any');
  });
});
