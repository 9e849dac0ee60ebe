import { describe, it, expect } from 'vitest';
import { materialize, clockOf, defaultNextFollowUp, byUrgency } from '../src/sync/apply.js';
import { calendarFor } from '../src/sync/business-time.js';
import { checkMutation } from '../src/rules.js';

// Local wall times (the device's calendar is local): 2026-01-05 is a Monday.
const local = (y, mo, d, h, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();
const iso = (t) => new Date(t).toISOString();
const entry = (id, name, args, client_time) => ({ id, name, args, client_time, status: 'pending' });

const lead = (extra = {}) => ({
  id: 'L', contact_name: 'A', stage: 'contacted', version: 3, owner_id: 'me', priority: 'normal',
  source: 'phone', last_follow_up_at: null, lost_reason: null, won_value: null, ...extra,
});

describe('the device clock after a contact (the server rule)', () => {
  const callAt = local(2026, 1, 5, 10, 0); // Monday 10:00
  const stale = iso(callAt - 39 * 60_000);
  const breached = { metric: 'follow_up', state: 'breached', started_at: iso(callAt - 86_400_000 * 3), warn_at: stale, due_at: stale };

  it('a call without a next date clears a past one; the cadence (3 business days) decides', () => {
    const view = materialize({
      leads: [lead({ next_follow_up_at: stale, sla: breached })], followups: [], slaPolicies: [],
      outbox: [entry(1, 'followup.create', { id: 'F', lead_id: 'L', kind: 'call', happened_at: iso(callAt) }, iso(callAt))],
    });
    const l = view.leads.get('L');
    expect(l.next_follow_up_at).toBeNull();
    const c = clockOf(l, callAt + 60_000);
    expect(c).toMatchObject({ metric: 'follow_up', state: 'ok', running: true });
    expect(c.due).toBe(local(2026, 1, 8, 10, 0)); // Thursday 10:00: 24 business hours later
  });

  it('follows the synced policy target and a future next date as the earlier cap', () => {
    const policies = [{ id: 'p', metric: 'follow_up', priority: null, source: null, target_minutes: 120, warn_ratio: 0.5, active: true }];
    const next = iso(local(2026, 1, 5, 11, 0));
    const view = materialize({
      leads: [lead({ next_follow_up_at: stale, sla: breached }), lead({ id: 'M', next_follow_up_at: null, sla: null })],
      followups: [], slaPolicies: policies,
      outbox: [
        entry(1, 'followup.create', { id: 'F', lead_id: 'L', kind: 'visit', happened_at: iso(callAt), next_follow_up_at: next }, iso(callAt)),
        entry(2, 'followup.create', { id: 'G', lead_id: 'M', kind: 'call', happened_at: iso(callAt) }, iso(callAt)),
      ],
    });
    expect(clockOf(view.leads.get('L'), callAt).due).toBe(Date.parse(next));
    expect(view.leads.get('L').next_follow_up_at).toBe(next);
    expect(clockOf(view.leads.get('M'), callAt).due).toBe(local(2026, 1, 5, 12, 0));
  });

  it('a note keeps the next date; a won or lost lead shows no countdown and sorts out of the queue', () => {
    const view = materialize({
      leads: [lead({ next_follow_up_at: stale, sla: null }), lead({ id: 'W', stage: 'lost', next_follow_up_at: iso(callAt + 3_600_000), sla: { ...breached, state: 'paused' } })],
      followups: [],
      outbox: [entry(1, 'followup.create', { id: 'F', lead_id: 'L', kind: 'note', happened_at: iso(callAt) }, iso(callAt))],
    });
    expect(view.leads.get('L').next_follow_up_at).toBe(stale);
    expect(clockOf(view.leads.get('W'), callAt)).toMatchObject({ due: null, state: 'paused', running: false });
    expect(byUrgency([...view.leads.values()], callAt).map((l) => l.id)).toEqual(['L']);
  });

  it('reopening a lost lead restarts its clock from the reopening', () => {
    const reopenAt = iso(callAt);
    const view = materialize({
      leads: [lead({ stage: 'lost', last_follow_up_at: stale, next_follow_up_at: null, sla: { ...breached, state: 'paused' } })],
      followups: [],
      outbox: [entry(1, 'lead.set_stage', { id: 'L', stage: 'contacted', note: 'called back' }, reopenAt)],
    });
    const l = view.leads.get('L');
    expect(l.stage).toBe('contacted');
    expect(clockOf(l, callAt)).toMatchObject({ metric: 'follow_up', running: true, due: local(2026, 1, 8, 10, 0) });
    expect([...view.followups.values()][0]).toMatchObject({ kind: 'note', note: 'called back' });
  });
});

describe('business time and the offered next follow-up', () => {
  it('before anything is synced, counts the default Monday to Friday 09:00-17:00 in local time', () => {
    const add = (t, min) => calendarFor([], null).addBusinessTime(t, min * 60_000);
    expect(add(local(2026, 1, 9, 16, 0), 120)).toBe(local(2026, 1, 12, 10, 0)); // Fri → Mon
    expect(add(local(2026, 1, 10, 12, 0), 60)).toBe(local(2026, 1, 12, 10, 0)); // Saturday
    expect(add(local(2026, 1, 5, 7, 0), 30)).toBe(local(2026, 1, 5, 9, 30));
  });
  it('offers two business days ahead at 09:00, or the lead\'s own date while it is ahead', () => {
    expect(defaultNextFollowUp(lead({ next_follow_up_at: null }), local(2026, 1, 8, 15, 0))).toBe(iso(local(2026, 1, 12, 9, 0)));
    const own = iso(local(2026, 1, 20, 14, 0));
    expect(defaultNextFollowUp(lead({ next_follow_up_at: own }), local(2026, 1, 8, 15, 0))).toBe(own);
  });
  it('a next follow-up before the contact is stopped with an inline message', () => {
    const args = { id: 'F', lead_id: 'L', kind: 'call', happened_at: '2026-01-05T10:00:00.000Z' };
    expect(checkMutation('followup.create', { ...args, next_follow_up_at: '2026-01-05T09:00:00.000Z' }).next_follow_up_at.code).toBe('past');
    expect(checkMutation('followup.create', { ...args, next_follow_up_at: '2026-01-06T09:00:00.000Z' })).toEqual({});
  });
});
