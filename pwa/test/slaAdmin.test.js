import { describe, it, expect } from 'vitest';
import {
  calendarChecks, calendarForm, definitionOf, fmtWhen, joinMinutes, nextInterval, placeCalendarErrors,
  placeDefinitionError, policyBody, policyForm, policyTrial, splitMinutes, weekSummary,
} from '../src/screens/admin/slaForms.js';

const DAY_SHORT = { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' };

describe('durations as hours and minutes', () => {
  it('reads what an admin types', () => {
    expect(joinMinutes('2', '30')).toEqual({ value: 150 });
    expect(joinMinutes('2', '')).toEqual({ value: 120 });
    expect(joinMinutes('', '45')).toEqual({ value: 45 });
    expect(joinMinutes(' 1 ', ' 5 ')).toEqual({ value: 65 });
  });
  it('refuses what the server would', () => {
    expect(joinMinutes('', '')).toEqual({ error: 'durationRequired' });
    expect(joinMinutes('', '', { optional: true })).toEqual({ value: null });
    expect(joinMinutes('1.5', '')).toEqual({ error: 'wholeNumbers' });
    expect(joinMinutes('-1', '')).toEqual({ error: 'wholeNumbers' });
    expect(joinMinutes('1', '75')).toEqual({ error: 'minutes59' });
    expect(joinMinutes('0', '0')).toEqual({ error: 'durationZero' });
    expect(joinMinutes('8760', '1')).toEqual({ error: 'targetTooLong' });
    expect(joinMinutes('8760', '0')).toEqual({ value: 525600 });
  });
  it('shows stored minutes back as hours and minutes', () => {
    expect(splitMinutes(150)).toEqual({ hours: '2', minutes: '30' });
    expect(splitMinutes(null)).toEqual({ hours: '', minutes: '' });
  });
});

const STORED = {
  id: 'p1', name: 'Within 2 h', item_type: 'lead', metric: 'first_response', priority: null, source: 'website',
  target_minutes: 120, warn_ratio: 0.8, escalate_after_minutes: null, active: true,
};

describe('a policy form', () => {
  it('creates with everything, edits with what changed', () => {
    const form = { ...policyForm(null), name: 'Urgent', priority: 'urgent', targetHours: '0', targetMinutes: '30' };
    expect(policyBody(form).body).toEqual({
      name: 'Urgent', metric: 'first_response', item_type: 'lead', priority: 'urgent', source: null,
      target_minutes: 30, warn_ratio: 0.8, escalate_after_minutes: 120,
    });
    // A consumer question's first reply is a question's policy.
    expect(policyBody({ ...form, metric: 'first_reply' }).body).toMatchObject({ metric: 'first_reply', item_type: 'question' });
    const edit = policyForm(STORED);
    expect(edit.escalateHours).toBe('');
    expect(policyBody(edit, STORED).body).toEqual({});
    expect(policyBody({ ...edit, targetHours: '3', warnPercent: '90' }, STORED).body).toEqual({
      target_minutes: 180, warn_ratio: 0.9,
    });
    expect(policyBody({ ...edit, source: '' }, STORED).body).toEqual({ source: null });
  });
  it('names each field it cannot read by the server field', () => {
    const bad = { ...policyForm(STORED), name: ' ', targetMinutes: '99', warnPercent: '101', escalateHours: 'x' };
    expect(policyBody(bad, STORED).errors).toEqual({
      name: 'required', target_minutes: 'minutes59', warn_ratio: 'warnRange', escalate_after_minutes: 'wholeNumbers',
    });
  });
  it('tries the policy as edited, and the stored one when unchanged', () => {
    const edit = policyForm(STORED);
    expect(policyTrial(edit, STORED)).toEqual({
      item_type: 'lead', metric: 'first_response', priority: null, source: 'website',
    });
    expect(policyTrial({ ...edit, targetHours: '1' }, STORED).policy).toMatchObject({
      id: 'p1', target_minutes: 60, source: 'website', active: true,
    });
    // A new policy without a name yet is previewed; a target that cannot be read is not.
    expect(policyTrial(policyForm(null)).policy).toMatchObject({ id: null, name: null, target_minutes: 120 });
    expect(policyTrial({ ...policyForm(null), targetMinutes: '60' })).toBeNull();
  });
});

const DEFINITION = {
  timezone: 'Europe/Berlin',
  weekly: {
    mon: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    tue: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    wed: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    thu: [{ start: '08:00', end: '12:00' }, { start: '13:00', end: '17:00' }],
    fri: [{ start: '08:00', end: '14:00' }],
    sat: [{ start: '00:00', end: '24:00' }],
    sun: [],
  },
  holidays: ['2026-12-25', '2026-12-26'],
  overrides: { '2026-12-24': [{ start: '08:00', end: '12:00' }], '2026-12-31': [] },
};

describe('a calendar form', () => {
  it('gives back the definition it was made from', () => {
    const form = calendarForm({ name: 'Office', kind: 'sales', team_id: null, definition: DEFINITION });
    expect(form.weekly.sat[0]).toMatchObject({ start: '00:00', end: '00:00' }); // 24:00 cannot be typed
    expect(definitionOf(form)).toEqual(DEFINITION);
  });
  it('starts a new calendar as Mon–Fri 09:00–17:00 in the organisation zone', () => {
    const form = calendarForm(null, { timezone: 'Europe/Vienna' });
    expect(weekSummary(definitionOf(form), DAY_SHORT)).toBe('Mon–Fri 09:00–17:00');
    expect(definitionOf(form).timezone).toBe('Europe/Vienna');
    expect(calendarChecks(form)).toEqual({ name: 'required' });
  });
  it('checks what it can before asking the server', () => {
    const form = calendarForm({ name: 'X', kind: 'sales', team_id: null, definition: DEFINITION });
    form.weekly.mon = [{ key: 'a', start: '09:00', end: '' }];
    form.weekly.tue = [{ key: 'b', start: '09:00', end: '09:00' }];
    form.overrides[0].intervals = [{ key: 'c', start: '', end: '12:00' }];
    expect(calendarChecks(form)).toEqual({
      'weekly.mon': 'bothTimes', 'weekly.tue': 'sameTimes', 'overrides.2026-12-24': 'bothTimes',
    });
    for (const day of Object.keys(form.weekly)) form.weekly[day] = [];
    expect(calendarChecks(form).weekly).toBe('noHours');
  });
  it('adds an hour after the last interval of a day', () => {
    expect(nextInterval([{ start: '08:00', end: '12:00' }])).toMatchObject({ start: '12:00', end: '13:00' });
    expect(nextInterval([{ start: '18:00', end: '23:30' }])).toMatchObject({ start: '23:30', end: '00:30' });
    expect(nextInterval([])).toMatchObject({ start: '09:00', end: '17:00' });
  });
  it('summarises a week, consecutive equal days together', () => {
    expect(weekSummary(DEFINITION, DAY_SHORT)).toBe(
      'Mon–Thu 08:00–12:00, 13:00–17:00 · Fri 08:00–14:00 · Sat 00:00–24:00',
    );
  });
});

describe("the server's messages about a definition, placed", () => {
  it('at the day, date or part they name', () => {
    expect(placeDefinitionError("weekly.mon[0].end: expected a time 'HH:MM', got '9'")).toEqual({
      where: 'weekly.mon', text: "expected a time 'HH:MM', got '9'",
    });
    expect(placeDefinitionError('weekly hours: tue 09:00-13:00 overlaps tue 12:00-17:00')).toEqual({
      where: 'weekly.tue', text: 'tue 09:00-13:00 overlaps tue 12:00-17:00',
    });
    expect(placeDefinitionError('overrides.2026-12-24: 2026-12-23 18:00-02:00 overlaps 2026-12-24 01:00-03:00').where)
      .toBe('overrides.2026-12-24');
    expect(placeDefinitionError('weekly: the calendar needs at least one opening interval').where).toBe('weekly');
    expect(placeDefinitionError("holidays[3]: expected a date 'YYYY-MM-DD', got '2026-02-30'").where).toBe('holidays');
    expect(placeDefinitionError("timezone: unknown time zone 'Mars/Base'").where).toBe('timezone');
    expect(placeDefinitionError("calendar: unknown keys ['x']")).toEqual({
      where: 'definition', text: "calendar: unknown keys ['x']",
    });
  });
  it('from a save and from a preview alike', () => {
    const msg = ['weekly hours: mon 08:00-18:00 overlaps mon 12:00-13:00'];
    expect(placeCalendarErrors({ definition: msg })).toEqual({ 'weekly.mon': ['mon 08:00-18:00 overlaps mon 12:00-13:00'] });
    expect(placeCalendarErrors({ calendar: { definition: msg } })).toEqual({ 'weekly.mon': ['mon 08:00-18:00 overlaps mon 12:00-13:00'] });
    expect(placeCalendarErrors({ name: ['Too long.'] })).toEqual({ name: ['Too long.'] });
  });
});

describe('how a deadline reads', () => {
  const friday = '2026-11-27T15:30:00Z'; // 16:30 in Berlin
  it('weekday and time in the calendar zone when near, with the date when not', () => {
    expect(fmtWhen('2026-11-30T09:30:00Z', 'Europe/Berlin', friday, 'en-US')).toBe('Mon 10:30');
    expect(fmtWhen('2026-11-30T09:30:00Z', 'America/New_York', friday, 'en-US')).toBe('Mon 04:30');
    expect(fmtWhen('2026-12-14T09:30:00Z', 'Europe/Berlin', friday, 'en-US')).toBe('Mon, Dec 14, 10:30');
    expect(fmtWhen('2027-01-04T09:30:00Z', 'Europe/Berlin', friday, 'en-US')).toBe('Mon, Jan 4, 2027, 10:30');
  });
});
