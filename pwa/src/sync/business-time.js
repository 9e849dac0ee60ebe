// Business time as the server counts it: a port of app/business_time.py (BusinessCalendar)
// and of the choice of calendar in app/sla/calendars.py (calendar_for), so the device
// computes a deadline offline to the same millisecond the server will. Pure functions, no
// dependency: the zones' offsets come from the browser's own time zone data (Intl).
// tests/sla/test_business_time_port.py holds this file to the Python on generated
// calendars (DST changes, holidays, overrides, night shifts); change both together.
//
// The rules, as the server's (its module docstring says why):
// * opening hours are wall-clock times in the calendar's zone; durations are real time;
// * a wall time the clock skips (spring forward) means the instant of the jump, one it
//   shows twice (fall back) its first occurrence;
// * an interval may run past midnight and belongs to the day it starts on; holidays and
//   overrides replace the intervals *starting* on their date;
// * intervals are half-open, and touching ones make one open period;
// * a deadline is the earliest instant at which the working time has elapsed (work done at
//   closing time is due at closing time); a zero duration is due at the start itself.
// Instants are milliseconds since the epoch; durations milliseconds.
// Like the server, a search jumps over whole regular weeks (no holiday or override, no clock
// change: each holds the weekly hours' nominal open time), so its cost grows with the special
// dates and clock changes it passes, not with how little a week is open.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MINUTE = 60_000;
const DAY = 86_400_000;
const MINUTES_PER_DAY = 24 * 60;
// How far a search for working time may look before giving up: past the server's longest
// deadline (a year's target plus 90 days' escalation at its minimum of an hour a week, about
// 210 years).
const SEARCH_DAYS = 366 * 250;

const weekdaysHours = (start, end) =>
  Object.fromEntries(WEEKDAYS.map((d, i) => [d, i < 5 ? [{ start, end }] : []]));

// The server's default hours (app/business_time.py DEFAULT_SALES_HOURS): Monday to Friday
// 09:00–17:00, counted in the organisation's time zone when it has no calendar of its own.
export const DEFAULT_SALES_HOURS = {
  timezone: 'UTC',
  weekly: weekdaysHours('09:00', '17:00'),
  holidays: [],
  overrides: {},
};

// --- a zone's wall clock --------------------------------------------------------------------

const formatters = new Map();
function formatter(zone) {
  let f = formatters.get(zone);
  if (!f) {
    // Throws RangeError for a zone this browser does not know.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

// What the clock on the wall in `zone` shows at instant `t`, as the milliseconds of that
// wall time read as if it were UTC (a "naive" time, as Python's astimezone(zone) without
// its tzinfo). Zone offsets are whole seconds, so the milliseconds carry over.
export function wallAt(zone, t) {
  const s = Math.floor(t / 1000) * 1000;
  const v = {};
  for (const p of formatter(zone).formatToParts(new Date(s))) v[p.type] = p.value;
  const d = new Date(0);
  d.setUTCFullYear(Number(v.year), Number(v.month) - 1, Number(v.day));
  d.setUTCHours(Number(v.hour), Number(v.minute), Number(v.second), 0);
  return d.getTime() + (t - s);
}

const offsetAt = (zone, t) => wallAt(zone, t) - t;

// The first instant at which the clock in `zone` shows the naive `wall` time or later: the
// earlier of two for a time shown twice, the instant of the jump for a skipped one (the
// server's _wall_to_utc).
export function wallToUtc(zone, wall) {
  // The offsets in force around it: before and after any change near it, and at the
  // readings those give (two changes within a day or two).
  const offsets = new Set([offsetAt(zone, wall - DAY), offsetAt(zone, wall + DAY)]);
  for (const o of [...offsets]) offsets.add(offsetAt(zone, wall - o));
  let first = null;
  for (const o of offsets) {
    const t = wall - o;
    if (wallAt(zone, t) === wall && (first === null || t < first)) first = t;
  }
  if (first !== null) return first;
  // In a gap: the jump lies between the reading with the offset after it (before the jump)
  // and the one with the offset before it (after the jump); bisect for it on whole seconds.
  let low = Math.floor((wall - Math.max(...offsets)) / 1000);
  let high = Math.floor((wall - Math.min(...offsets)) / 1000);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (wallAt(zone, mid * 1000) >= wall) high = mid;
    else low = mid;
  }
  return high * 1000;
}

// --- the calendar -----------------------------------------------------------------------------

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
function minuteOf(value, allow24) {
  if (allow24 && value === '24:00') return MINUTES_PER_DAY;
  const m = HHMM.exec(value);
  if (!m) throw new Error(`expected a time 'HH:MM', got ${JSON.stringify(value)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

// {start, end} "HH:MM" → [start minute, end minute] after the day's local midnight; an end at
// or before the start is on the next day, "24:00" midnight at the day's end (Interval.parse).
function interval({ start, end }) {
  const s = minuteOf(start, false);
  let e = minuteOf(end, true);
  if (e === s) throw new Error(`empty interval ${start}-${end}`);
  if (e < s) e += MINUTES_PER_DAY;
  return [s, e];
}
const intervals = (list) => (list || []).map(interval).sort((a, b) => a[0] - b[0] || a[1] - b[1]);

// A local date as a day number (days since 1970-01-01), its ISO form and weekday (Monday 0).
const isoOf = (day) => new Date(day * DAY).toISOString().slice(0, 10);
const weekdayOf = (day) => (((day % 7) + 7 + 3) % 7); // 1970-01-01 was a Thursday

export class BusinessCalendar {
  // `definition`: the JSON form the server stores (calendar.definition on the wire). Throws
  // for what the server would refuse to count in (no weekly hours, a zone unknown here).
  constructor(definition) {
    this.timezone = definition.timezone;
    formatter(this.timezone);
    this.weekly = WEEKDAYS.map((d) => intervals(definition.weekly?.[d]));
    if (!this.weekly.some((day) => day.length)) throw new Error('the calendar has no weekly hours');
    this.holidays = new Set(definition.holidays || []);
    this.overrides = new Map(Object.entries(definition.overrides || {}).map(([d, l]) => [d, intervals(l)]));
    this.days = new Map(); // day number → its open periods [[from, to], …] (real instants)
    // Nominal open time of an ordinary week, and the holidays and overrides as sorted day
    // numbers (the weeks a jump may not cross).
    this.weekOpen = this.weekly.flat().reduce((sum, [s, e]) => sum + (e - s) * MINUTE, 0);
    this.specialDays = [...this.holidays, ...this.overrides.keys()]
      .map((iso) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY))
      .sort((a, b) => a - b);
  }

  firstDay(at) {
    return Math.floor(wallAt(this.timezone, at) / DAY) - 1;
  }

  // Whether every period of local `day` starts at or after `at`.
  midnightAtOrAfter(day, at) {
    return wallToUtc(this.timezone, day * DAY) >= at;
  }

  // How many whole weeks from local `day` on (at most `most`) hold exactly `weekOpen` each:
  // none of their days a holiday or an override, and the zone's offset the same from `day`'s
  // midnight to the midnight two days after their last day (the server's _regular_weeks;
  // the offset is sampled once a week, clock changes being more than a week apart).
  regularWeeks(day, most) {
    if (most <= 0) return 0;
    const special = this.specialDays.find((d) => d >= day);
    if (special !== undefined) most = Math.min(most, Math.floor((special - day) / 7));
    if (most <= 0) return 0;
    const zone = this.timezone;
    const offset = offsetAt(zone, wallToUtc(zone, day * DAY));
    const steady = (wall) => offsetAt(zone, wall - offset) === offset;
    let weeks = 0;
    while (weeks < most) {
      const following = (day + 7 * (weeks + 1)) * DAY;
      if (!steady(following) || !steady(following + DAY)) break;
      weeks += 1;
    }
    return weeks;
  }

  // The intervals that start on local date `day`.
  intervalsOn(day) {
    const iso = isoOf(day);
    if (this.holidays.has(iso)) return [];
    return this.overrides.get(iso) ?? this.weekly[weekdayOf(day)];
  }

  dayPeriods(day) {
    let periods = this.days.get(day);
    if (periods) return periods;
    const midnight = day * DAY;
    periods = [];
    for (const [s, e] of this.intervalsOn(day)) {
      const from = wallToUtc(this.timezone, midnight + s * MINUTE);
      const to = wallToUtc(this.timezone, midnight + e * MINUTE);
      if (to > from) periods.push([from, to]); // empty when wholly inside a skipped hour
    }
    if (this.days.size >= 8192) this.days.clear();
    this.days.set(day, periods);
    return periods;
  }

  // The open periods ending after `at`, in order (not merged), from the local day before
  // `at` (the night shift of the day before may still run).
  * periodsFrom(at) {
    const first = Math.floor(wallAt(this.timezone, at) / DAY) - 1;
    for (let day = first; day < first + SEARCH_DAYS; day += 1) {
      for (const p of this.dayPeriods(day)) if (p[1] > at) yield p;
    }
    throw new Error('no working time found within the searched years');
  }

  // The instant at which `duration` ms of working time have elapsed after `start`.
  addBusinessTime(start, duration) {
    if (!(duration >= 0)) throw new Error(`duration must not be negative, got ${duration}`);
    if (duration === 0) return start;
    let remaining = duration;
    let day = this.firstDay(start);
    for (const last = day + SEARCH_DAYS; day < last;) {
      if (remaining > this.weekOpen && this.midnightAtOrAfter(day, start)) {
        const weeks = this.regularWeeks(day, Math.floor((remaining - 1) / this.weekOpen));
        if (weeks) {
          remaining -= weeks * this.weekOpen;
          day += 7 * weeks;
          continue;
        }
      }
      for (const [from, to] of this.dayPeriods(day)) {
        if (to <= start) continue;
        const begin = Math.max(from, start);
        const available = to - begin;
        if (remaining <= available) return begin + remaining;
        remaining -= available;
      }
      day += 1;
    }
    throw new Error('no working time found within the searched years');
  }

  // Working time (ms) in [start, end); zero when end <= start.
  businessTimeBetween(start, end) {
    let total = 0;
    if (end <= start) return total;
    const lastDay = Math.floor(wallAt(this.timezone, end) / DAY);
    let day = this.firstDay(start);
    for (const last = day + SEARCH_DAYS; day < last;) {
      // Whole weeks whose periods all end before the local day before `end`'s.
      const wholeWeeks = Math.floor((lastDay - day - 2) / 7);
      if (wholeWeeks > 0 && this.midnightAtOrAfter(day, start)) {
        const weeks = this.regularWeeks(day, wholeWeeks);
        if (weeks) {
          total += weeks * this.weekOpen;
          day += 7 * weeks;
          continue;
        }
      }
      for (const [from, to] of this.dayPeriods(day)) {
        if (to <= start) continue;
        if (from >= end) return total;
        total += Math.min(to, end) - Math.max(from, start);
      }
      day += 1;
    }
    return total;
  }

  // `at` itself while open, else the start of the next open period.
  nextOpen(at) {
    for (const [from] of this.periodsFrom(at)) return Math.max(from, at);
    return at;
  }
}

// --- which calendar counts ---------------------------------------------------------------------

const made = new Map();
const byObject = new WeakMap(); // a synced record's definition: no JSON text per clock
// A calendar from its JSON form, shared by equal definitions (so their day periods are
// computed once); null for one this device cannot count in.
export function calendarOf(definition) {
  if (byObject.has(definition)) return byObject.get(definition);
  const key = JSON.stringify(definition);
  if (!made.has(key)) {
    let calendar = null;
    try {
      calendar = new BusinessCalendar(definition);
    } catch (error) {
      console.warn('a business calendar this device cannot count in', error);
    }
    if (made.size > 64) made.clear();
    made.set(key, calendar);
  }
  const calendar = made.get(key);
  if (definition && typeof definition === 'object') byObject.set(definition, calendar);
  return calendar;
}

const deviceZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// The calendar an item's deadlines count in, as the server picks it (calendar_for): the
// team's own calendar of this kind, else the organisation's, else the default hours in the
// organisation's time zone. `calendars`: the synced `calendar` records; `timezone`: the
// organisation's (the `org` record's), null until it is synced — then the device's own zone
// is the best guess.
export function calendarFor(calendars, timezone, kind = 'sales', teamId = null) {
  let own = null;
  let org = null;
  for (const c of calendars || []) {
    if (c.kind !== kind) continue;
    if (teamId != null && c.team_id === teamId) own = own || c;
    else if (c.team_id == null) org = org || c;
  }
  for (const c of [own, org]) {
    const calendar = c && calendarOf(c.definition);
    if (calendar) return calendar;
  }
  return calendarOf({ ...DEFAULT_SALES_HOURS, timezone: timezone || deviceZone() })
    || calendarOf(DEFAULT_SALES_HOURS);
}
