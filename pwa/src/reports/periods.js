// The period picker's arithmetic: local dates of the organisation ("YYYY-MM-DD"), presets
// (this/last ISO week, month, quarter, year) and what a report compares a period with.
// The server (app/reports/periods.py) decides the comparisons; this mirrors its rules only
// to *name* them on screen ("vs February 2026"): previous = the unit before when the period
// is exactly one ISO week, month, quarter or year, else the same number of days before;
// year_ago = the same dates a year earlier (29 Feb → 28 Feb), a whole month, quarter or year
// compared with that whole unit.
import { S } from '../strings.js';

export const PRESETS = [
  'this_week', 'last_week', 'this_month', 'last_month', 'this_quarter', 'last_quarter',
  'this_year', 'last_year', 'custom',
];
export const MAX_DAYS = 5 * 366; // the server refuses longer periods

const DAY = 86_400_000;

// "YYYY-MM-DD" ↔ a UTC midnight Date: date arithmetic without any time zone in the way.
export function parseDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '');
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3] ? d : null;
}
export function dayText(d) {
  return d.toISOString().slice(0, 10);
}
const addDays = (d, n) => new Date(d.getTime() + n * DAY);
const ymd = (y, m, day) => new Date(Date.UTC(y, m, day)); // m 0-based; overflow rolls over
const monthEnd = (y, m) => ymd(y, m + 1, 0);

// Today's date in a time zone (the organisation's): "YYYY-MM-DD".
export function todayIn(timeZone, now = new Date()) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timeZone || undefined, year: 'numeric', month: '2-digit', day: '2-digit',
    }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  }
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const weekday = (d) => (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6 (ISO)

// A preset's first and last day around `today` ("YYYY-MM-DD"); null for 'custom'.
export function presetRange(preset, today) {
  const t = parseDay(today);
  if (!t) return null;
  const y = t.getUTCFullYear(), m = t.getUTCMonth();
  const q = Math.floor(m / 3) * 3;
  let start, end;
  switch (preset) {
    case 'this_week': start = addDays(t, -weekday(t)); end = addDays(start, 6); break;
    case 'last_week': start = addDays(t, -weekday(t) - 7); end = addDays(start, 6); break;
    case 'this_month': start = ymd(y, m, 1); end = monthEnd(y, m); break;
    case 'last_month': start = ymd(y, m - 1, 1); end = monthEnd(y, m - 1); break;
    case 'this_quarter': start = ymd(y, q, 1); end = monthEnd(y, q + 2); break;
    case 'last_quarter': start = ymd(y, q - 3, 1); end = monthEnd(y, q - 1); break;
    case 'this_year': start = ymd(y, 0, 1); end = ymd(y, 11, 31); break;
    case 'last_year': start = ymd(y - 1, 0, 1); end = ymd(y - 1, 11, 31); break;
    default: return null;
  }
  return { from: dayText(start), to: dayText(end) };
}

// The preset a period is, around `today` (for a period restored from the device), else 'custom'.
export function presetOf(from, to, today) {
  for (const p of PRESETS) {
    const r = presetRange(p, today);
    if (r && r.from === from && r.to === to) return p;
  }
  return 'custom';
}

// A custom period's problems, as {from?, to?} messages (empty: fine).
export function checkPeriod(from, to) {
  const errors = {};
  const a = parseDay(from), b = parseDay(to);
  if (!a) errors.from = S.rptNeedDate;
  if (!b) errors.to = S.rptNeedDate;
  if (a && b) {
    if (b < a) errors.to = S.rptToBeforeFrom;
    else if (days(from, to) > MAX_DAYS) errors.to = S.rptTooLong;
  }
  return errors;
}

export function days(from, to) {
  return Math.round((parseDay(to) - parseDay(from)) / DAY) + 1;
}

// ISO week number and its year of a Monday-based week.
export function isoWeek(d) {
  const thursday = addDays(d, 3 - weekday(d));
  const jan1 = ymd(thursday.getUTCFullYear(), 0, 1);
  return { year: thursday.getUTCFullYear(), week: Math.floor((thursday - jan1) / DAY / 7) + 1 };
}

// 'week', 'month', 'quarter' or 'year' when the period is exactly one, else null.
export function unitOf(from, to) {
  const a = parseDay(from), b = parseDay(to);
  if (!a || !b) return null;
  if (weekday(a) === 0 && days(from, to) === 7) return 'week';
  if (a.getUTCDate() !== 1 || dayText(b) !== dayText(monthEnd(b.getUTCFullYear(), b.getUTCMonth()))) return null;
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
  if (months === 1) return 'month';
  if (months === 3 && a.getUTCMonth() % 3 === 0) return 'quarter';
  if (months === 12 && a.getUTCMonth() === 0) return 'year';
  return null;
}

const UNIT_MONTHS = { month: 1, quarter: 3, year: 12 };

function shiftUnit(from, unit, units) {
  const a = parseDay(from);
  if (unit === 'week') {
    const start = addDays(a, 7 * units);
    return { from: dayText(start), to: dayText(addDays(start, 6)) };
  }
  const months = UNIT_MONTHS[unit];
  const start = ymd(a.getUTCFullYear(), a.getUTCMonth() + units * months, 1);
  return { from: dayText(start), to: dayText(monthEnd(start.getUTCFullYear(), start.getUTCMonth() + months - 1)) };
}

function yearEarlier(text) {
  const d = parseDay(text);
  const y = d.getUTCFullYear() - 1, m = d.getUTCMonth();
  const day = m === 1 && d.getUTCDate() === 29 ? 28 : d.getUTCDate();
  return dayText(ymd(y, m, day));
}

// The periods a report compares {from, to} with: {previous, year_ago}, each {from, to}.
export function comparisonsOf(from, to) {
  const unit = unitOf(from, to);
  const n = days(from, to);
  const previous = unit
    ? shiftUnit(from, unit, -1)
    : { from: dayText(addDays(parseDay(from), -n)), to: dayText(addDays(parseDay(from), -1)) };
  const yearAgo = unit && unit !== 'week'
    ? shiftUnit(from, unit, -12 / UNIT_MONTHS[unit])
    : { from: yearEarlier(from), to: yearEarlier(to) };
  return { previous, year_ago: yearAgo };
}

// How a period reads: "Week 10, 2026", "March 2026", "Q1 2026", "2026", or "2 Mar – 15 Apr 2026".
export function periodLabel(from, to) {
  const a = parseDay(from), b = parseDay(to);
  if (!a || !b) return '';
  const unit = unitOf(from, to);
  const y = a.getUTCFullYear();
  if (unit === 'week') {
    const w = isoWeek(a);
    return S.rptWeekLabel(w.week, w.year, shortDay(a, false), shortDay(b, false));
  }
  if (unit === 'month') return monthYear(a);
  if (unit === 'quarter') return S.rptQuarterLabel(a.getUTCMonth() / 3 + 1, y);
  if (unit === 'year') return String(y);
  if (from === to) return shortDay(a, true);
  return `${shortDay(a, a.getUTCFullYear() !== b.getUTCFullYear())} – ${shortDay(b, true)}`;
}

function shortDay(d, withYear) {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC', day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}),
  }).format(d);
}
function monthYear(d) {
  return new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(d);
}
