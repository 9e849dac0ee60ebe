import { describe, it, expect } from 'vitest';
import {
  checkPeriod, comparisonsOf, periodLabel, presetOf, presetRange, todayIn, unitOf,
} from '../src/reports/periods.js';
import { change, changeText, fmtValue, toneOf } from '../src/reports/compare.js';
import { figuresFor, reportsFor, REPORT } from '../src/reports/defs.js';
import { copyKey, latestCopy, MAX_COPIES, paramsOf, readCopy, reportPath, saveCopy } from '../src/reports/copies.js';
import { openLeadSyncDb } from '../src/sync/db.js';

describe('todayIn: the date in the organisation’s time zone', () => {
  // 2026-03-01 23:30 UTC is already 2 March in Berlin, still 1 March in New York.
  const now = new Date('2026-03-01T23:30:00Z');
  it('is the local date of the zone, not of UTC or the device', () => {
    expect(todayIn('Europe/Berlin', now)).toBe('2026-03-02');
    expect(todayIn('America/New_York', now)).toBe('2026-03-01');
    expect(todayIn('Pacific/Kiritimati', new Date('2025-12-31T10:30:00Z'))).toBe('2026-01-01');
  });
  it('a bad zone falls back to the device’s rather than failing', () => {
    expect(todayIn('Not/AZone', now)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('presetRange: this/last week, month, quarter, year', () => {
  it('weeks are ISO weeks, Monday to Sunday', () => {
    // Sunday 8 March 2026 belongs to the week that began Monday 2 March.
    expect(presetRange('this_week', '2026-03-08')).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(presetRange('this_week', '2026-03-02')).toEqual({ from: '2026-03-02', to: '2026-03-08' });
    expect(presetRange('last_week', '2026-03-02')).toEqual({ from: '2026-02-23', to: '2026-03-01' });
    // Across a year end: Thursday 1 January 2026 is in the week of Monday 29 December.
    expect(presetRange('this_week', '2026-01-01')).toEqual({ from: '2025-12-29', to: '2026-01-04' });
    expect(presetRange('last_week', '2026-01-01')).toEqual({ from: '2025-12-22', to: '2025-12-28' });
  });
  it('months, with February of a leap year', () => {
    expect(presetRange('this_month', '2024-02-10')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(presetRange('last_month', '2024-03-31')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(presetRange('last_month', '2026-01-15')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });
  it('quarters, the last one reaching into the year before', () => {
    expect(presetRange('this_quarter', '2026-05-20')).toEqual({ from: '2026-04-01', to: '2026-06-30' });
    expect(presetRange('last_quarter', '2026-05-20')).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(presetRange('last_quarter', '2026-02-01')).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(presetRange('this_quarter', '2026-12-31')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
  });
  it('years; custom has no range of its own', () => {
    expect(presetRange('this_year', '2026-07-04')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(presetRange('last_year', '2026-07-04')).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(presetRange('custom', '2026-07-04')).toBeNull();
  });
  it('presetOf finds the preset of a stored period, or says custom', () => {
    expect(presetOf('2026-02-01', '2026-02-28', '2026-03-05')).toBe('last_month');
    expect(presetOf('2026-02-01', '2026-02-27', '2026-03-05')).toBe('custom');
  });
});

describe('checkPeriod: a custom period the server will take', () => {
  it('needs both dates, in order, at most 5 years', () => {
    expect(checkPeriod('2026-03-01', '2026-03-31')).toEqual({});
    expect(checkPeriod('', '2026-03-31').from).toBe('Enter a date.');
    expect(checkPeriod('2026-03-31', '2026-03-01').to).toBe('The end lies before the start.');
    expect(checkPeriod('2020-01-01', '2026-01-01').to).toBe('A report covers at most 5 years.');
    expect(checkPeriod('2021-01-01', '2025-12-31')).toEqual({});
    expect(checkPeriod('2026-02-30', '2026-03-01').from).toBe('Enter a date.');
  });
});

describe('comparisons, as app/reports/periods.py defines them', () => {
  it('a whole month compares with the month before and the same month a year earlier', () => {
    expect(unitOf('2026-03-01', '2026-03-31')).toBe('month');
    expect(comparisonsOf('2026-03-01', '2026-03-31')).toEqual({
      previous: { from: '2026-02-01', to: '2026-02-28' },
      year_ago: { from: '2025-03-01', to: '2025-03-31' },
    });
    // February 2025 with all 29 days of February 2024.
    expect(comparisonsOf('2025-02-01', '2025-02-28').year_ago).toEqual({ from: '2024-02-01', to: '2024-02-29' });
  });
  it('a quarter and a year', () => {
    expect(comparisonsOf('2026-01-01', '2026-03-31').previous).toEqual({ from: '2025-10-01', to: '2025-12-31' });
    expect(comparisonsOf('2026-01-01', '2026-12-31')).toEqual({
      previous: { from: '2025-01-01', to: '2025-12-31' },
      year_ago: { from: '2025-01-01', to: '2025-12-31' },
    });
  });
  it('a week: the week before, and the same dates a year earlier', () => {
    expect(comparisonsOf('2026-03-02', '2026-03-08')).toEqual({
      previous: { from: '2026-02-23', to: '2026-03-01' },
      year_ago: { from: '2025-03-02', to: '2025-03-08' },
    });
  });
  it('any other period: the same number of days before; 29 February maps to 28 February', () => {
    expect(unitOf('2024-02-10', '2024-02-29')).toBeNull();
    expect(comparisonsOf('2024-02-10', '2024-02-29')).toEqual({
      previous: { from: '2024-01-21', to: '2024-02-09' },
      year_ago: { from: '2023-02-10', to: '2023-02-28' },
    });
  });
  it('labels', () => {
    expect(periodLabel('2026-03-01', '2026-03-31')).toMatch(/March 2026/);
    expect(periodLabel('2026-01-01', '2026-03-31')).toBe('Q1 2026');
    expect(periodLabel('2026-01-01', '2026-12-31')).toBe('2026');
    expect(periodLabel('2026-03-02', '2026-03-08')).toMatch(/^Week 10, 2026 \(/);
    expect(periodLabel('2025-12-29', '2026-01-04')).toMatch(/^Week 1, 2026 \(/);
    expect(periodLabel('2026-03-03', '2026-04-15')).toMatch(/2026$/);
  });
});

describe('change and percentage', () => {
  const L = 'en-US';
  it('up and down with sign, arrow and percentage', () => {
    const up = change(12, 10);
    expect(up).toEqual({ state: 'up', delta: 2, pct: 0.2 });
    expect(changeText(up, 'count', null, L)).toEqual({
      arrow: '▲', text: '+2 (+20%)', words: 'up 2 (+20%)', main: '+2', pct: '(+20%)',
    });
    const down = change(3, 4);
    expect(changeText(down, 'count', null, L).text).toBe('−1 (−25%)');
    expect(changeText(down, 'count', null, L).arrow).toBe('▼');
  });
  it('a zero base: the change, and "new" instead of an endless percentage', () => {
    expect(change(5, 0)).toEqual({ state: 'up', delta: 5, pct: null });
    expect(changeText(change(5, 0), 'count', null, L).text).toBe('+5 (new)');
    expect(changeText(change(0, 4), 'count', null, L).text).toBe('−4 (−100%)');
    expect(changeText(change(0, 0), 'count', null, L).text).toBe('no change');
  });
  it('null on either side: nothing to compare', () => {
    expect(change(null, 0.5, 'ratio').state).toBe('none');
    expect(change(0.5, null, 'ratio').state).toBe('none');
    expect(changeText(change(0.5, null, 'ratio'), 'ratio', null, L)).toMatchObject({
      arrow: '–', text: 'no comparison', words: 'no comparison',
    });
  });
  it('ratios change in percentage points, without a percentage of a percentage', () => {
    const ch = change(0.3333, 0.25, 'ratio');
    expect(ch.state).toBe('up');
    expect(changeText(ch, 'ratio', null, L).text).toBe('+8.3 pts');
    expect(changeText(change(0.25, 0.25, 'ratio'), 'ratio', null, L).text).toBe('no change');
  });
  it('money and minutes', () => {
    expect(changeText(change(1500.5, 1000), 'money', 'EUR', L).text).toBe('+€501 (+50.1%)');
    expect(changeText(change(2.5, 4), 'money', 'EUR', L).text).toBe('−€1.50 (−37.5%)');
    expect(changeText(change(90, 120, 'minutes'), 'minutes', null, L).text).toBe('−30 min (−25%)');
  });
  it('tone follows which way is better; colour is never the only sign', () => {
    expect(toneOf(change(5, 3), 'up')).toBe('good');
    expect(toneOf(change(5, 3), 'down')).toBe('bad');
    expect(toneOf(change(3, 5), 'down')).toBe('good');
    expect(toneOf(change(3, 5), null)).toBe('neutral');
    expect(toneOf(change(3, 3), 'up')).toBe('neutral');
  });
  it('values', () => {
    expect(fmtValue(0.3333, 'ratio', null, L)).toBe('33.3%');
    expect(fmtValue(null, 'ratio', null, L)).toBe('–');
    expect(fmtValue(12345.67, 'money', 'EUR', L)).toBe('€12,346');
    expect(fmtValue(12.5, 'money', 'EUR', L)).toBe('€12.50');
    expect(fmtValue(1234, 'count', null, L)).toBe('1,234');
    expect(fmtValue(95, 'minutes', null, L)).toBe('1 h 35 min');
    expect(fmtValue(0.8333, 'score', null, L)).toBe('0.83');
  });
});

describe('who sees which report', () => {
  it('the SLA board first for managers; a rep’s scorecard first and no channels', () => {
    expect(reportsFor('lead').map((r) => r.id)).toEqual(['sla', 'inquiries', 'lost', 'demand', 'channels', 'reps']);
    expect(reportsFor('admin')[0].id).toBe('sla');
    expect(reportsFor('rep').map((r) => r.id)).toEqual(['reps', 'sla', 'inquiries', 'lost', 'demand']);
    expect(reportsFor('cs')).toEqual([]);
  });
  it('a rep’s scorecard leaves out score and rank (they compare the rep with nobody)', () => {
    const keys = (role) => figuresFor(REPORT.reps, role).map((x) => x.key);
    expect(keys('lead')).toContain('score');
    expect(keys('rep')).not.toContain('score');
    expect(keys('rep')).not.toContain('rank');
  });
});

describe('copies of answers in the meta store', () => {
  it('one key per question and person; the latest copy of a report; old copies pruned', async () => {
    const db = await openLeadSyncDb(`reports-test-${Math.random()}`);
    const path = reportPath('inquiries', { from: '2026-03-01', to: '2026-03-31', group_by: 'source', team_id: '' });
    expect(path).toBe('/reports/inquiries?from=2026-03-01&to=2026-03-31&group_by=source');
    expect(paramsOf(path)).toEqual({ from: '2026-03-01', to: '2026-03-31', group_by: 'source' });
    await saveCopy(db, 'u1', path, { rows: [1] }, new Date('2026-03-05T10:00:00Z'));
    const other = reportPath('inquiries', { from: '2026-02-01', to: '2026-02-28', group_by: 'month' });
    await saveCopy(db, 'u1', other, { rows: [2] }, new Date('2026-03-05T11:00:00Z'));
    await saveCopy(db, 'u2', path, { rows: [3] }, new Date('2026-03-05T12:00:00Z'));
    expect((await readCopy(db, 'u1', path)).data).toEqual({ rows: [1] });
    expect((await readCopy(db, 'u2', path)).data).toEqual({ rows: [3] });
    expect(await readCopy(db, 'u1', '/reports/lost?from=x')).toBeNull();
    expect((await latestCopy(db, 'u1', 'inquiries')).path).toBe(other);
    expect(await latestCopy(db, 'u1', 'lost')).toBeNull();
    expect(await db.get('meta', copyKey('u1', path))).toBeTruthy();
    for (let i = 0; i < MAX_COPIES + 3; i += 1) {
      await saveCopy(db, 'u1', reportPath('lost', { from: `2025-01-${String(i % 28 + 1).padStart(2, '0')}`, to: '2026-01-01', group_by: String(i) }), {}, new Date(Date.UTC(2026, 3, 1, 0, i)));
    }
    const kept = await db.getAllKeys('meta', IDBKeyRange.bound('report:u1:', 'report:u1:\uffff'));
    expect(kept.length).toBe(MAX_COPIES);
    expect(await readCopy(db, 'u1', path)).toBeNull(); // the oldest went first
    expect(await readCopy(db, 'u2', path)).not.toBeNull(); // another person's stay
    db.close();
  });
});

describe('money in a table', () => {
  it('whole amounts without cents, small amounts with', () => {
    expect(fmtValue(0, 'money', 'EUR', 'en-US')).toBe('€0');
    expect(fmtValue(40, 'money', 'EUR', 'en-US')).toBe('€40');
    expect(fmtValue(12.3, 'money', 'EUR', 'en-US')).toBe('€12.30');
    expect(fmtValue(-250.4, 'money', 'EUR', 'en-US')).toBe('-€250');
  });
});

describe('chart labels', async () => {
  const { wrapLabel, shortKey } = await import('../src/reports/charts.js');
  it('long names on two lines, so similar ones stay apart', () => {
    expect(wrapLabel('Website')).toBe('Website');
    expect(wrapLabel('Industrial mixer M200')).toEqual(['Industrial mixer', 'M200']);
    expect(wrapLabel('Industrial mixer M400')).toEqual(['Industrial mixer', 'M400']);
    expect(wrapLabel('Maintenance contract (1 year)')).toEqual(['Maintenance', 'contract (1 year)']);
  });
  it('time buckets read short on the axis', () => {
    expect(shortKey('2026-W10', 'week')).toBe('W10');
    expect(shortKey('2026-Q1', 'quarter')).toBe('Q1 26');
    expect(shortKey('2026-03', 'month', 'en-US')).toBe('Mar 26');
    expect(shortKey('2026', 'year')).toBe('2026');
  });
});
