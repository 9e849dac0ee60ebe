// The device's business time (src/sync/business-time.js) and the clocks it gives a change
// not yet sent. tests/sla/test_business_time_port.py holds the same code to the server's on
// thousands of generated cases; these are the cases a person can check by hand.
import { describe, it, expect } from 'vitest';
import { BusinessCalendar, calendarFor, wallToUtc } from '../src/sync/business-time.js';
import { materialize } from '../src/sync/apply.js';

const Z = (s) => Date.parse(s);
const H = 3_600_000;
const weekdays = (intervals) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, intervals]));
const SHANGHAI = {
  timezone: 'Asia/Shanghai',
  weekly: weekdays([{ start: '08:30', end: '12:00' }, { start: '13:30', end: '18:00' }]),
  holidays: ['2026-12-01'],
  overrides: { '2026-12-03': [{ start: '10:00', end: '11:00' }] },
};

describe('a calendar of its own: zone, lunch break, holidays, overrides', () => {
  const cal = new BusinessCalendar(SHANGHAI);
  it('counts in the calendar’s zone and skips the lunch break', () => {
    // Monday 2026-11-30 11:00 in Shanghai (03:00Z): 1 h before lunch, 1 h after.
    expect(cal.addBusinessTime(Z('2026-11-30T03:00:00Z'), 2 * H)).toBe(Z('2026-11-30T06:30:00Z'));
  });
  it('skips a holiday and keeps only an override’s hours', () => {
    // Monday 17:00: 1 h Monday, Tuesday is a holiday, 1 h Wednesday from 08:30.
    expect(cal.addBusinessTime(Z('2026-11-30T09:00:00Z'), 2 * H)).toBe(Z('2026-12-02T01:30:00Z'));
    // Thursday only 10:00-11:00: 1 h of Thursday then Friday 08:30 + 1 h.
    expect(cal.addBusinessTime(Z('2026-12-03T00:00:00Z'), 2 * H)).toBe(Z('2026-12-04T01:30:00Z'));
    expect(cal.businessTimeBetween(Z('2026-11-30T00:00:00Z'), Z('2026-12-05T00:00:00Z'))).toBe((8 + 8 + 1 + 8) * H);
  });
  it('is due at closing time when the work ends there, and at the start for no work', () => {
    expect(cal.addBusinessTime(Z('2026-11-30T09:00:00Z'), H)).toBe(Z('2026-11-30T10:00:00Z')); // 18:00
    expect(cal.addBusinessTime(Z('2026-11-28T12:00:00Z'), 0)).toBe(Z('2026-11-28T12:00:00Z')); // Saturday
    expect(cal.nextOpen(Z('2026-11-28T12:00:00Z'))).toBe(Z('2026-11-30T00:30:00Z'));
  });
});

describe('the days the clocks change (Europe/Berlin 2026)', () => {
  const sunday = (start, end) => new BusinessCalendar({ timezone: 'Europe/Berlin', weekly: { sun: [{ start, end }] } });
  it('counts real hours: 3 on the spring day, 5 on the autumn day for 01:00-05:00', () => {
    const cal = sunday('01:00', '05:00');
    expect(cal.businessTimeBetween(Z('2026-03-28T12:00:00Z'), Z('2026-03-30T00:00:00Z'))).toBe(3 * H);
    expect(cal.businessTimeBetween(Z('2026-10-24T12:00:00Z'), Z('2026-10-26T00:00:00Z'))).toBe(5 * H);
  });
  it('reads a skipped wall time as the jump, a repeated one as its first time', () => {
    expect(wallToUtc('Europe/Berlin', Z('2026-03-29T02:30:00Z'))).toBe(Z('2026-03-29T01:00:00Z'));
    expect(wallToUtc('Europe/Berlin', Z('2026-10-25T02:30:00Z'))).toBe(Z('2026-10-25T00:30:00Z'));
    // An interval wholly inside the skipped hour is empty that day (and only that day).
    const gap = sunday('02:00', '03:00');
    expect(gap.businessTimeBetween(Z('2026-03-28T00:00:00Z'), Z('2026-03-30T00:00:00Z'))).toBe(0);
    expect(gap.addBusinessTime(Z('2026-03-28T00:00:00Z'), H)).toBe(Z('2026-04-05T01:00:00Z'));
  });
  it('keeps a night shift on the day it starts: a holiday cancels its own night only', () => {
    const night = new BusinessCalendar({
      timezone: 'Europe/Berlin', weekly: weekdays([{ start: '22:00', end: '06:00' }]), holidays: ['2026-12-02'],
    });
    // Tuesday 23:00 (22:00Z): 7 h run into the holiday's morning, its own night is off.
    expect(night.addBusinessTime(Z('2026-12-01T22:00:00Z'), 8 * H)).toBe(Z('2026-12-03T22:00:00Z'));
  });
});

describe('which calendar counts, as the server picks it', () => {
  const org = { id: 'c1', kind: 'sales', team_id: null, definition: SHANGHAI };
  const team = { id: 'c2', kind: 'sales', team_id: 'T', definition: { timezone: 'UTC', weekly: { sat: [{ start: '00:00', end: '24:00' }] } } };
  const service = { id: 'c3', kind: 'service', team_id: null, definition: { timezone: 'UTC', weekly: { sun: [{ start: '00:00', end: '24:00' }] } } };
  it('the team’s own, else the organisation’s, else the default hours in the organisation’s zone', () => {
    expect(calendarFor([org, team, service], 'Europe/Berlin', 'sales', 'T').timezone).toBe('UTC');
    expect(calendarFor([org, team, service], 'Europe/Berlin', 'sales', 'other').timezone).toBe('Asia/Shanghai');
    const fallback = calendarFor([service], 'Europe/Berlin', 'sales', null);
    expect(fallback.timezone).toBe('Europe/Berlin');
    // Monday 2026-11-30 16:00 in Berlin + 2 h of 09:00-17:00: Tuesday 10:00 Berlin.
    expect(fallback.addBusinessTime(Z('2026-11-30T15:00:00Z'), 2 * H)).toBe(Z('2026-12-01T09:00:00Z'));
  });
});

describe('the clock of a change not yet sent', () => {
  const entry = (id, name, args, at) => ({ id, name, args, client_time: at, status: 'pending' });
  const me = { id: 'me', role: 'rep', team_ids: ['T'] };
  const calendars = [
    { id: 'c1', kind: 'sales', team_id: null, definition: SHANGHAI },
    { id: 'c2', kind: 'sales', team_id: 'T2', definition: { timezone: 'UTC', weekly: { sat: [{ start: '00:00', end: '24:00' }] } } },
  ];
  const org = [{ entity: 'org', key: 'org:o', id: 'o', timezone: 'Asia/Shanghai', version: 1 }];

  it('an offline capture shows its reply deadline in the organisation’s hours, not the device’s', () => {
    const view = materialize({
      leads: [], followups: [], slaPolicies: [], calendars, org, users: [me], me,
      outbox: [entry(1, 'lead.create', { id: 'L', contact_name: 'Wang', source: 'phone' }, '2026-11-30T03:00:00.000Z')],
    });
    const lead = view.leads.get('L');
    expect(lead.team_id).toBe('T');
    expect(lead.sla).toMatchObject({
      metric: 'first_response', state: 'ok', started_at: '2026-11-30T03:00:00.000Z',
      due_at: '2026-11-30T06:30:00.000Z', // 11:00 + 2 h around lunch: 14:30 in Shanghai
      warn_at: '2026-11-30T06:06:00.000Z', // 80 % of the 2 business hours: 96 min
    });
  });

  it('a synced policy sets the target, the owner’s team picks its own calendar', () => {
    const policies = [{ id: 'p', item_type: 'lead', metric: 'first_response', priority: 'urgent', source: null, target_minutes: 30, warn_ratio: 0.5, active: true }];
    const view = materialize({
      leads: [], followups: [], slaPolicies: policies, calendars, org,
      users: [me, { id: 'sam', role: 'rep', team_ids: ['T2', 'T9'] }], me,
      outbox: [
        entry(1, 'lead.create', { id: 'U', contact_name: 'Li', source: 'phone', priority: 'urgent' }, '2026-11-30T11:50:00.000Z'),
        entry(2, 'lead.create', { id: 'S', contact_name: 'Zhou', source: 'phone', owner_id: 'sam' }, '2026-11-30T11:50:00.000Z'),
      ],
    });
    // 19:50 Monday in Shanghai: closed, so Tuesday is a holiday, Wednesday 08:30 + 30 min.
    expect(view.leads.get('U').sla.due_at).toBe('2026-12-02T01:00:00.000Z');
    // Sam's team T2 works Saturdays round the clock (UTC): 2 h from Saturday 00:00.
    expect(view.leads.get('S')).toMatchObject({ team_id: 'T2', sla: { due_at: '2026-12-05T02:00:00.000Z' } });
  });

  it('a contact offline starts the follow-up cadence in the same hours', () => {
    const lead = {
      id: 'L', contact_name: 'Wang', stage: 'new', version: 2, owner_id: 'me', team_id: 'T', priority: 'normal',
      source: 'phone', next_follow_up_at: null, last_follow_up_at: null,
      sla: { metric: 'first_response', state: 'ok', started_at: '2026-11-30T01:00:00.000Z', warn_at: '2026-11-30T02:36:00.000Z', due_at: '2026-11-30T03:00:00.000Z' },
    };
    const view = materialize({
      leads: [lead], followups: [], slaPolicies: [], calendars, org, users: [me], me,
      outbox: [entry(1, 'followup.create', { id: 'F', lead_id: 'L', kind: 'call', happened_at: '2026-11-30T03:00:00.000Z' }, '2026-11-30T03:00:00.000Z')],
    });
    // 24 business hours from Monday 11:00: Monday 5.5, Tuesday a holiday, Wednesday 8,
    // Thursday only 1 (its override), Friday 8, then 1.5 on Monday: 10:00 on 7 December.
    expect(view.leads.get('L').sla).toMatchObject({ metric: 'follow_up', due_at: '2026-12-07T02:00:00.000Z' });
  });
});

describe('long targets jump whole weeks, as the server does (issue 14, finding 9)', () => {
  it('counts a year of minutes in an hour a week at once', () => {
    // Mondays 09:00-10:00 UTC. 525,600 minutes are 8,760 hours: the last is Monday 10:00
    // 8,759 weeks after Monday 2026-11-23, 61,313 days later: 2194-10-06 (168 years of 365
    // days and 41 leap days are 61,361 days, to 2194-11-23; 48 days back).
    const cal = new BusinessCalendar({ timezone: 'UTC', weekly: { mon: [{ start: '09:00', end: '10:00' }] } });
    const start = Z('2026-11-23T08:00:00Z');
    const began = performance.now();
    const due = cal.addBusinessTime(start, 525_600 * 60_000);
    expect(new Date(due).toISOString()).toBe('2194-10-06T10:00:00.000Z');
    expect(cal.businessTimeBetween(start, due)).toBe(525_600 * 60_000);
    expect(performance.now() - began).toBeLessThan(1000);
  });
  it('stops at clock changes, holidays and overrides', () => {
    // Berlin, Mondays 09:00-10:00 and Sunday nights 23:30-00:30 over 2026 (clock changes
    // 29 March and 25 October, a holiday Monday 6 April, Monday 20 July only 09:00-09:30):
    // 52 Mondays less 1.5 h, 50.5 h, and 52 h of Sunday nights (the half hours after
    // midnight of 4/5 January 2026 and before that of 3/4 January 2027 and 51 whole ones).
    const cal = new BusinessCalendar({
      timezone: 'Europe/Berlin',
      weekly: { mon: [{ start: '09:00', end: '10:00' }], sun: [{ start: '23:30', end: '00:30' }] },
      holidays: ['2026-04-06'],
      overrides: { '2026-07-20': [{ start: '09:00', end: '09:30' }] },
    });
    const start = Z('2026-01-04T23:00:00Z'); // Monday 5 January 00:00 in Berlin
    const end = Z('2027-01-03T23:00:00Z'); // Monday 4 January 2027 00:00
    expect(cal.businessTimeBetween(start, end)).toBe(102.5 * H);
    expect(cal.addBusinessTime(start, 102.5 * H)).toBe(end);
    expect(cal.addBusinessTime(start, 102 * H)).toBe(Z('2026-12-28T09:00:00Z')); // 10:00 there
  });
});
