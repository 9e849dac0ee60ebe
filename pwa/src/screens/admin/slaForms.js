// The pure parts of the SLA policy and business calendar screens (Policies.jsx,
// Calendars.jsx): durations typed as hours and minutes, a calendar's definition as a form and
// back, where the server's message about a definition belongs, and how a deadline reads.
// Kept apart from the screens so Vitest checks them without a browser.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// The server's limits (app/sla/schemas.py), in business minutes.
export const TARGET_MAX = 60 * 24 * 365;
export const ESCALATE_MAX = 60 * 24 * 90;

// --- durations ----------------------------------------------------------------------------

// Business minutes → the two inputs: 150 → {hours: '2', minutes: '30'}; null → blanks.
export function splitMinutes(total) {
  if (total == null) return { hours: '', minutes: '' };
  return { hours: String(Math.floor(total / 60)), minutes: String(total % 60) };
}

const WHOLE = /^\d{1,6}$/;

// The two inputs → {value} (minutes; null when both are blank and `optional`) or {error}
// (a code of S.slaAdmCheck). Minutes may be left blank ("2" hours); 0–59 otherwise.
export function joinMinutes(hours, minutes, { optional = false, max = TARGET_MAX } = {}) {
  const h = String(hours ?? '').trim();
  const m = String(minutes ?? '').trim();
  if (!h && !m) return optional ? { value: null } : { error: 'durationRequired' };
  if ((h && !WHOLE.test(h)) || (m && !WHOLE.test(m))) return { error: 'wholeNumbers' };
  const mm = m ? Number(m) : 0;
  if (mm > 59) return { error: 'minutes59' };
  const value = (h ? Number(h) : 0) * 60 + mm;
  if (value < 1) return { error: 'durationZero' };
  if (value > max) return { error: max === TARGET_MAX ? 'targetTooLong' : 'escalateTooLong' };
  return { value };
}

// --- policies -----------------------------------------------------------------------------

// Each metric times one kind of item: a lead's first response and follow-ups, a consumer
// question's first reply (app/sla: a TimedKind's metrics).
export const itemTypeOf = (metric) => (metric === 'first_reply' ? 'question' : 'lead');

export function policyForm(policy) {
  const target = splitMinutes(policy?.target_minutes ?? 120);
  const escalate = splitMinutes(policy ? policy.escalate_after_minutes : 120);
  return {
    name: policy?.name ?? '',
    metric: policy?.metric ?? 'first_response',
    priority: policy?.priority ?? '',
    source: policy?.source ?? '',
    targetHours: target.hours,
    targetMinutes: target.minutes,
    warnPercent: String(Math.round((policy?.warn_ratio ?? 0.8) * 100)),
    escalateHours: escalate.hours,
    escalateMinutes: escalate.minutes,
  };
}

// What the form holds, read: {values} in the API's terms, and {errors: {field: code}} keyed
// by the server's field names for what cannot be read (the values of those are undefined).
function readPolicy(form) {
  const errors = {};
  const name = form.name.trim();
  if (!name) errors.name = 'required';
  else if (name.length > 120) errors.name = 'tooLong120';
  const target = joinMinutes(form.targetHours, form.targetMinutes);
  if (target.error) errors.target_minutes = target.error;
  const escalate = joinMinutes(form.escalateHours, form.escalateMinutes, {
    optional: true,
    max: ESCALATE_MAX,
  });
  if (escalate.error) errors.escalate_after_minutes = escalate.error;
  const pct = String(form.warnPercent ?? '').trim();
  const warnOk = /^\d{1,3}$/.test(pct) && Number(pct) >= 5 && Number(pct) <= 100;
  if (!warnOk) errors.warn_ratio = 'warnRange';
  const values = {
    name,
    priority: form.priority || null,
    source: form.source || null,
    target_minutes: target.value,
    warn_ratio: warnOk ? Number(pct) / 100 : undefined,
    escalate_after_minutes: escalate.value,
  };
  return { values, errors };
}

// The form → {body} for the API, or {errors: {field: code}}. Editing sends only what
// changed (the metric of a policy is fixed).
export function policyBody(form, policy = null) {
  const { values, errors } = readPolicy(form);
  if (Object.keys(errors).length) return { errors };
  if (!policy) return { body: { ...values, metric: form.metric, item_type: itemTypeOf(form.metric) } };
  const body = {};
  for (const [k, v] of Object.entries(values)) {
    const was = k === 'warn_ratio' ? Math.round(policy[k] * 100) / 100 : policy[k] ?? null;
    if (v !== was) body[k] = v;
  }
  return { body };
}

// The preview request for what the form holds, with the policy as edited unless unchanged
// (null while the target, warning or escalation cannot be read; a missing name does not
// stop it).
export function policyTrial(form, policy = null) {
  const { values, errors } = readPolicy(form);
  if (Object.keys(errors).some((f) => f !== 'name')) return null;
  const metric = policy?.metric ?? form.metric;
  const ask = { item_type: itemTypeOf(metric), metric, priority: values.priority, source: values.source };
  // Unchanged, the stored policy answers for itself.
  if (policy && !errors.name && !Object.keys(policyBody(form, policy).body).length) return ask;
  return {
    ...ask,
    policy: {
      ...values,
      name: values.name || null,
      id: policy?.id ?? null,
      active: policy ? policy.active !== false : true,
    },
  };
}

// --- calendars ----------------------------------------------------------------------------

let keys = 0;
const key = () => `k${++keys}`;

// "24:00" (midnight at the end of the day) cannot be typed in a time input: it shows as
// 00:00, and 00:00–00:00 is sent as the whole day (the server would refuse equal times).
const toInput = (end) => (end === '24:00' ? '00:00' : end);
function toWire({ start, end }) {
  return { start, end: start === '00:00' && end === '00:00' ? '24:00' : end };
}

const intervalsForm = (list) => (list || []).map((i) => ({ key: key(), start: i.start, end: toInput(i.end) }));

export function calendarForm(calendar, { timezone = 'UTC', teamId = '' } = {}) {
  const d = calendar?.definition;
  const weekly = {};
  for (const day of WEEKDAYS) {
    weekly[day] = d
      ? intervalsForm(d.weekly?.[day])
      : day === 'sat' || day === 'sun'
        ? []
        : [{ key: key(), start: '09:00', end: '17:00' }];
  }
  return {
    name: calendar?.name ?? '',
    kind: calendar?.kind ?? 'sales',
    team_id: calendar ? calendar.team_id ?? '' : teamId,
    timezone: d?.timezone ?? timezone,
    weekly,
    holidays: [...(d?.holidays || [])].sort(),
    overrides: Object.keys(d?.overrides || {})
      .sort()
      .map((date) => ({ key: key(), date, intervals: intervalsForm(d.overrides[date]) })),
  };
}

export const newInterval = (start = '09:00', end = '17:00') => ({ key: key(), start, end });

// The interval "Add hours" appends: an hour from where the day's last one ends (13:00 →
// 13:00–14:00), else 09:00–17:00.
export function nextInterval(intervals) {
  const last = intervals[intervals.length - 1];
  if (!last?.end) return newInterval();
  const [h, m] = last.end.split(':').map(Number);
  const end = `${String((h + 1) % 24).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  return newInterval(last.end, end);
}

// The definition the form stands for, as the server reads it.
export function definitionOf(form) {
  const weekly = {};
  for (const day of WEEKDAYS) weekly[day] = form.weekly[day].map(toWire);
  const overrides = {};
  for (const o of [...form.overrides].sort((a, b) => (a.date < b.date ? -1 : 1))) {
    overrides[o.date] = o.intervals.map(toWire);
  }
  return { timezone: form.timezone, weekly, holidays: [...form.holidays].sort(), overrides };
}

function intervalProblem(list) {
  for (const i of list) {
    if (!i.start || !i.end) return 'bothTimes';
    if (i.start === i.end && i.start !== '00:00') return 'sameTimes';
  }
  return null;
}

// What the form can tell before asking the server: {where: code}, `where` as in
// placeDefinitionError ('name', 'weekly', 'weekly.mon', 'overrides.2026-12-24'). Overlaps
// and the like are the server's to say (the preview asks it as the admin types).
export function calendarChecks(form) {
  const errors = {};
  const name = form.name.trim();
  if (!name) errors.name = 'required';
  else if (name.length > 120) errors.name = 'tooLong120';
  for (const day of WEEKDAYS) {
    const problem = intervalProblem(form.weekly[day]);
    if (problem) errors[`weekly.${day}`] = problem;
  }
  if (!WEEKDAYS.some((day) => form.weekly[day].length)) errors.weekly = 'noHours';
  for (const o of form.overrides) {
    const problem = intervalProblem(o.intervals);
    if (problem) errors[`overrides.${o.date}`] = problem;
  }
  return errors;
}

// The server's message about a definition (app/business_time.py) → where it belongs in the
// form and what to show there: {where, text}. Its messages start with the path of what is
// wrong: "weekly.mon[0].end: …", "weekly hours: mon 09:00-13:00 overlaps mon 12:00-17:00",
// "holidays[2]: …", "overrides.2026-12-24: …", "timezone: …".
export function placeDefinitionError(message) {
  const text = String(message ?? '');
  let m = /^weekly\.(mon|tue|wed|thu|fri|sat|sun)\b[^:]*:\s*(.*)$/s.exec(text);
  if (m) return { where: `weekly.${m[1]}`, text: m[2] };
  m = /^weekly hours:\s*((mon|tue|wed|thu|fri|sat|sun)\b.*)$/s.exec(text);
  if (m) return { where: `weekly.${m[2]}`, text: m[1] };
  m = /^overrides\.(\d{4}-\d{2}-\d{2})\b[^:]*:\s*(.*)$/s.exec(text);
  if (m) return { where: `overrides.${m[1]}`, text: m[2] };
  m = /^(weekly|holidays|timezone)\b[^:]*:\s*(.*)$/s.exec(text);
  if (m) return { where: m[1], text: m[2] };
  return { where: 'definition', text };
}

// The server's field errors of a save or a preview → {where: [text]} for the form.
export function placeCalendarErrors(fields = {}) {
  const placed = {};
  const add = (where, text) => {
    placed[where] = [...(placed[where] || []), text];
  };
  const definition = fields.definition || fields.calendar?.definition;
  for (const msg of [].concat(definition || [])) {
    const p = placeDefinitionError(msg);
    add(p.where, p.text);
  }
  for (const [f, msgs] of Object.entries(fields)) {
    if (f === 'definition' || f === 'calendar') continue;
    for (const msg of [].concat(msgs)) add(f, typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  return placed;
}

// "Mon–Fri 08:00–18:00 · Sat 10:00–14:00": consecutive days with the same hours together.
export function weekSummary(definition, dayNames) {
  const parts = [];
  let run = null;
  const hoursOf = (day) =>
    (definition?.weekly?.[day] || []).map((i) => `${i.start}–${i.end}`).join(', ');
  for (const day of WEEKDAYS) {
    const hours = hoursOf(day);
    if (run && run.hours === hours) run.last = day;
    else {
      if (run) parts.push(run);
      run = { first: day, last: day, hours };
    }
  }
  parts.push(run);
  return parts
    .filter((r) => r.hours)
    .map((r) => `${dayNames[r.first]}${r.first === r.last ? '' : `–${dayNames[r.last]}`} ${r.hours}`)
    .join(' · ');
}

// The dates from `today` on (ISO strings compare as dates).
export const upcoming = (dates, today) => dates.filter((d) => d >= today);

// Today's date in a time zone, "YYYY-MM-DD".
export function todayIn(timeZone, now = new Date()) {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

// --- how a deadline reads -----------------------------------------------------------------

// "Tue 09:40" when within six days of `from`, else "Tue, Jan 12, 09:40" (and the year when
// it is not `from`'s), in the calendar's time zone: the hours the calendar speaks of.
export function fmtWhen(iso, timeZone, from = Date.now(), locale = undefined) {
  const d = new Date(iso);
  const ref = new Date(from);
  const near = Math.abs(d - ref) < 6 * 864e5;
  const opts = { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (!near) Object.assign(opts, { day: 'numeric', month: 'short' });
  if (!near && d.getUTCFullYear() !== ref.getUTCFullYear()) opts.year = 'numeric';
  try {
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone }).format(d);
  } catch {
    return new Intl.DateTimeFormat(locale, opts).format(d);
  }
}

export function deviceTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
