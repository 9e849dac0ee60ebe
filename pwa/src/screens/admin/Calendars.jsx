// Business calendars: the hours SLA deadlines count in. The organisation's calendar counts
// for every lead; a team's own replaces it for the team's leads; without any, Mon–Fri
// 09:00–17:00 in the organisation's time zone (app/sla/calendars.py). A calendar is edited
// as a form — hours per weekday, holidays, special days, its time zone — never as JSON; the
// preview asks the server as the admin types, so its checks (overlapping hours…) show at
// once, in place.
import { Fragment } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { useStore } from '../../store.js';
import { Field, Screen, fieldMessage } from '../../components.jsx';
import { AdminSection, BackToList, FormEnd, ListHead, ZoneOptions, useAdminForm, useEditing, useRemote } from './common.jsx';
import { saveTarget } from './form.js';
import { browserTimeZones, timeZoneGroups } from './catalog.js';
import { Choice, SlaPreview, focusFirstInvalid } from './SlaParts.jsx';
import {
  WEEKDAYS, calendarChecks, calendarForm, definitionOf, newInterval, nextInterval, placeCalendarErrors, todayIn,
  upcoming, weekSummary,
} from './slaForms.js';

const KINDS = ['sales', 'service'];

export function AdminCalendars() {
  const remote = useRemote('/sla/calendars');
  const teams = useRemote('/teams');
  const { editing, status, open, close, done } = useEditing(remote.reload);
  const teamNames = useMemo(() => new Map((teams.data || []).map((t) => [t.id, t.name])), [teams.data]);

  if (editing) {
    return (
      <CalendarForm calendar={editing === 'new' ? null : editing} calendars={remote.data || []}
        teams={teams.data || []} onDone={done} onCancel={close} />
    );
  }
  const error = remote.error || teams.error;
  return (
    <AdminSection title={S.adminCalendars} error={error} onRetry={() => { remote.reload(); teams.reload(); }}>
      <ListHead intro={S.slaAdmCalendarsIntro} status={status} tone="" newLabel={S.slaAdmNewCalendar}
        onNew={() => open('new')} />
      {remote.data && teams.data && (
        <CalendarList calendars={remote.data} teamNames={teamNames}
          onEdit={open} />
      )}
    </AdminSection>
  );
}

const owner = (c, teamNames) => (c.team_id ? teamNames.get(c.team_id) || S.slaAdmUnknownTeam : S.slaAdmOrgDefault);

function CalendarList({ calendars, teamNames, onEdit }) {
  return KINDS.map((kind) => {
    const list = calendars
      .filter((c) => c.kind === kind)
      .sort((a, b) => (a.team_id ? 1 : 0) - (b.team_id ? 1 : 0) || a.name.localeCompare(b.name));
    const hasOrg = list.some((c) => !c.team_id);
    return (
      <section key={kind} aria-labelledby={`cal-${kind}`}>
        <h2 id={`cal-${kind}`}>{S.slaAdmKind[kind]}</h2>
        {!hasOrg && <p class="empty">{S.slaAdmNoOrgCalendar}</p>}
        {list.length > 0 && (
          <ul class="sla-list">
            {list.map((c) => {
              const d = c.definition || {};
              const next = upcoming(d.holidays || [], todayIn(d.timezone)).length;
              return (
                <li key={c.id}>
                  <button type="button" class="sla-item" onClick={() => onEdit(c)}>
                    <span class="sla-item-name">{c.name}</span>
                    <span class="sla-item-sub"><strong>{owner(c, teamNames)}</strong></span>
                    <span class="sla-item-sub">
                      {(weekSummary(d, S.slaAdmDayShort) || S.slaAdmClosed).split(' · ').map((part, i) => (
                        <Fragment key={part}>{i ? ' · ' : ''}<span class="nowrap">{part}</span></Fragment>
                      ))}
                    </span>
                    <span class="sla-item-sub">{d.timezone} · {S.slaAdmHolidaysAhead(next)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    );
  });
}

// Errors kept by where they show: 'name', 'team_id', 'timezone', 'weekly', 'weekly.mon',
// 'holidays', 'overrides.<date>', 'definition' (anything else).
const FORM_PLACES = ['name', 'kind', 'team_id', 'timezone', 'weekly', 'holidays', 'definition'];
const inForm = (where) => FORM_PLACES.includes(where) || where.startsWith('weekly.') || where.startsWith('overrides.');

function CalendarForm({ calendar, calendars, teams, onDone, onCancel }) {
  const s = useStore();
  // Whose calendar of a kind exists already ('' for the organisation): a second is refused.
  const takenFor = (kind) => new Set(calendars.filter((c) => c.kind === kind && c.id !== calendar?.id).map((c) => c.team_id || ''));
  const firstFree = (kind) => ['', ...teams.map((t) => t.id)].find((id) => !takenFor(kind).has(id)) ?? '';
  // A new calendar starts in the organisation's calendar's zone (else the organisation's).
  const zone = calendars.find((c) => !c.team_id)?.definition?.timezone || s.org.timezone || 'UTC';
  const formRef = useRef(null);
  // errors: of the last save (or the form's own checks), by where they show.
  const { form, errors, message, busy, change, send, refuseChecks, onSubmit } = useAdminForm(
    () => calendarForm(calendar, { timezone: zone, teamId: firstFree('sales') }),
    {
      known: inForm, notSaved: S.slaAdmNotSaved, onRefused: () => focusFirstInvalid(formRef.current),
      fieldsOf: (res) => {
        const placed = placeCalendarErrors(res.fields);
        if (res.status === 409) placed.team_id = [res.message];
        return placed;
      },
    },
  );
  const [live, setLive] = useState({}); // what the preview's server check says now
  const zones = useMemo(() => timeZoneGroups(browserTimeZones(), form.timezone), [form.timezone]);

  const setDay = (day, intervals) => change((f) => ({ weekly: { ...f.weekly, [day]: intervals } }), `weekly.${day}`, 'weekly');

  // The form's own checks show as the admin edits (a name only once Save was pressed); the
  // server's, from the last save or from the preview asking it now.
  const checks = calendarChecks(form);
  const hoursChecked = Object.keys(checks).some((k) => k !== 'name');
  const definition = definitionOf(form);
  const unchanged = Boolean(calendar) && JSON.stringify(definition) === JSON.stringify(definitionOf(calendarForm(calendar)));
  const messageAt = (where) =>
    errors[where] || (where !== 'name' && checks[where] ? [S.slaAdmCheck[checks[where]]] : null) || live[where] || null;

  const taken = takenFor(form.kind);
  const allTaken = !calendar && ['', ...teams.map((t) => t.id)].every((id) => taken.has(id));
  const teamOptions = [
    { value: '', label: S.slaAdmOrgDefault + (taken.has('') ? S.slaAdmHasOne : ''), disabled: taken.has('') },
    ...teams.map((t) => ({ value: t.id, label: t.name + (taken.has(t.id) ? S.slaAdmHasOne : ''), disabled: taken.has(t.id) })),
  ];

  const submit = onSubmit(async () => {
    if (Object.keys(checks).length) return refuseChecks(checks, (code) => S.slaAdmCheck[code]);
    let body;
    if (calendar) {
      body = {};
      if (form.name.trim() !== calendar.name) body.name = form.name.trim();
      if (!unchanged) body.definition = definition;
      if (!Object.keys(body).length) {
        onDone(S.slaAdmNothingChanged);
        return;
      }
    } else {
      body = { name: form.name.trim(), kind: form.kind, team_id: form.team_id || null, definition };
    }
    const res = await send(...saveTarget('/sla/calendars', calendar), body);
    if (res) onDone(S.slaAdmCalendarSaved(res.data.name));
  });

  // A typical new inquiry (normal priority, no source a policy names) of the calendar's
  // team; the hours as edited, unless unchanged (then the stored calendar answers).
  const trial = hoursChecked || form.kind !== 'sales' ? null : {
    metric: 'first_response',
    priority: 'normal',
    team_id: form.team_id || null,
    ...(unchanged ? {} : { calendar: { id: calendar?.id ?? null, name: form.name.trim() || null, definition } }),
  };

  return (
    <Screen title={calendar ? S.slaAdmEditCalendar : S.slaAdmNewCalendar}>
      <BackToList label={`← ${S.adminCalendars}`} onBack={onCancel} />
      <form class="form sla-form" ref={formRef} onSubmit={submit} noValidate>
        <Field name="name" label={S.slaAdmName} required autocomplete="off" idPrefix="cal" value={form.name}
          error={messageAt('name')} onInput={(e) => change({ name: e.currentTarget.value }, 'name')} />
        {calendar ? (
          <p class="sla-fixed">
            <span>{S.slaAdmKindLabel}</span> <strong>{S.slaAdmKind[calendar.kind]}</strong>
            <br /><span>{S.slaAdmBelongs}</span> <strong>{calendar.team_id ? teams.find((t) => t.id === calendar.team_id)?.name || S.slaAdmUnknownTeam : S.slaAdmOrgDefault}</strong>
          </p>
        ) : (
          <>
            <Choice name="kind" label={S.slaAdmKindLabel} value={form.kind} idPrefix="cal" error={messageAt('kind')}
              onChange={(v) => change({ kind: v, team_id: takenFor(v).has(form.team_id) ? firstFree(v) : form.team_id }, 'kind', 'team_id')} options={KINDS.map((k) => ({ value: k, label: S.slaAdmKind[k] }))}
              help={S.slaAdmKindHelp[form.kind]} />
            <Choice name="team_id" label={S.slaAdmBelongs} value={form.team_id} idPrefix="cal" error={messageAt('team_id') || (allTaken ? [S.slaAdmAllTaken] : null)}
              onChange={(v) => change({ team_id: v }, 'team_id')} options={teamOptions} help={S.slaAdmBelongsHelp} />
          </>
        )}
        <div class="field">
          <label>
            <span>{S.slaAdmZone}</span>
            <select name="timezone" value={form.timezone} onChange={(e) => change({ timezone: e.currentTarget.value }, 'timezone')}
              aria-invalid={messageAt('timezone') ? 'true' : undefined}
              aria-describedby={messageAt('timezone') ? 'cal-timezone-error' : undefined}>
              <ZoneOptions zones={zones} />
            </select>
          </label>
          <PlaceError id="cal-timezone-error" error={messageAt('timezone')} />
        </div>

        <fieldset class="cal-week">
          <legend>{S.slaAdmWeek}</legend>
          <p class="adm-help">{S.slaAdmWeekHelp}</p>
          {WEEKDAYS.map((day) => (
            <DayHours key={day} day={day} label={S.slaAdmDay[day]} intervals={form.weekly[day]}
              onChange={(list) => setDay(day, list)} error={messageAt(`weekly.${day}`)} />
          ))}
          <button type="button" class="cal-copy" onClick={() => {
            const week = { ...form.weekly };
            for (const day of ['tue', 'wed', 'thu', 'fri']) week[day] = form.weekly.mon.map((i) => newInterval(i.start, i.end));
            change({ weekly: week }, 'weekly', 'weekly.tue', 'weekly.wed', 'weekly.thu', 'weekly.fri');
          }}>{S.slaAdmCopyMonday}</button>
          <PlaceError id="cal-weekly-error" error={messageAt('weekly')} />
        </fieldset>

        <Holidays form={form} change={change} error={messageAt('holidays')} />
        <SpecialDays form={form} change={change} messageAt={messageAt} />

        <PlaceError id="cal-definition-error" error={messageAt('definition')} />
        {form.kind === 'sales' ? (
          <SlaPreview body={trial} onFields={(fields) => setLive(fields ? placeCalendarErrors(fields) : {})} />
        ) : (
          <p class="muted">{S.slaAdmServiceNoPreview}</p>
        )}
        <FormEnd message={message} busy={busy} label={calendar ? S.slaAdmSave : S.slaAdmAddCalendar} saving={S.slaAdmSaving}
          onCancel={onCancel} />
      </form>
    </Screen>
  );
}

function PlaceError({ id, error }) {
  const msg = fieldMessage(error);
  return msg ? <p class="field-error" id={id}>{msg}</p> : null;
}

// One weekday's (or special day's) intervals: "[09:00] – [17:00] [Remove]", "Add hours".
function DayHours({ day, label, intervals, onChange, error, closedText = S.slaAdmClosed }) {
  const errorId = `cal-${day}-error`;
  const edit = (key, patch) => onChange(intervals.map((i) => (i.key === key ? { ...i, ...patch } : i)));
  return (
    <div class="cal-day" role="group" aria-labelledby={`cal-${day}-name`}
      aria-describedby={error ? errorId : undefined}>
      <div class="cal-day-head">
        <span class="cal-day-name" id={`cal-${day}-name`}>{label}</span>
        {!intervals.length && <span class="muted">{closedText}</span>}
        <button type="button" class="link cal-add" onClick={() => onChange([...intervals, nextInterval(intervals)])}
          aria-label={S.slaAdmAddHoursOn(label)}>{S.slaAdmAddHours}</button>
      </div>
      {intervals.map((i) => (
        <div class="cal-interval" key={i.key}>
          <input type="time" value={i.start} aria-label={S.slaAdmFrom(label)} aria-invalid={error ? 'true' : undefined}
            onInput={(e) => edit(i.key, { start: e.currentTarget.value })} />
          <span aria-hidden="true">–</span>
          <input type="time" value={i.end} aria-label={S.slaAdmUntil(label)} aria-invalid={error ? 'true' : undefined}
            onInput={(e) => edit(i.key, { end: e.currentTarget.value })} />
          <button type="button" class="cal-remove" aria-label={S.slaAdmRemoveHours(label, i.start, i.end)}
            onClick={() => onChange(intervals.filter((x) => x.key !== i.key))}>✕</button>
        </div>
      ))}
      {error && <p class="field-error" id={errorId}>{fieldMessage(error)}</p>}
    </div>
  );
}

const dateLabel = (iso) => {
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
};

// Dates before today are kept (the server keeps them) but folded away.
function usePast(dates, timezone) {
  const [showPast, setShowPast] = useState(false);
  const today = todayIn(timezone);
  const past = dates.filter((d) => d < today).length;
  return { today, past, showPast, setShowPast };
}

function Holidays({ form, change, error }) {
  const [day, setDay] = useState('');
  const [problem, setProblem] = useState(null);
  const { today, past, showPast, setShowPast } = usePast(form.holidays, form.timezone);
  const list = showPast ? form.holidays : upcoming(form.holidays, today);

  function add() {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return setProblem(S.slaAdmCheck.date);
    if (form.holidays.includes(day)) return setProblem(S.slaAdmCheck.holidayTwice);
    if (form.overrides.some((o) => o.date === day)) return setProblem(S.slaAdmCheck.holidayIsSpecial);
    setProblem(null);
    change({ holidays: [...form.holidays, day].sort() }, 'holidays');
    setDay('');
    return undefined;
  }

  const msg = problem || fieldMessage(error);
  return (
    <fieldset class="cal-dates">
      <legend>{S.slaAdmHolidays}</legend>
      <p class="adm-help">{S.slaAdmHolidaysHelp}</p>
      {list.length ? (
        <ul class="cal-date-list" aria-label={S.slaAdmHolidays}>
          {list.map((d) => (
            <li key={d}>
              <span>{dateLabel(d)}</span>
              <button type="button" class="cal-remove" aria-label={S.slaAdmRemoveHoliday(dateLabel(d))}
                onClick={() => change({ holidays: form.holidays.filter((x) => x !== d) }, 'holidays')}>✕</button>
            </li>
          ))}
        </ul>
      ) : <p class="empty">{S.slaAdmNoHolidays}</p>}
      <PastToggle past={past} shown={showPast} onToggle={() => setShowPast(!showPast)} />
      <AddDate label={S.slaAdmNewHoliday} addLabel={S.slaAdmAddHoliday} day={day}
        onDay={(value) => { setDay(value); setProblem(null); }} onAdd={add} error={msg} errorId="cal-holidays-error" />
    </fieldset>
  );
}

function SpecialDays({ form, change, messageAt }) {
  const [day, setDay] = useState('');
  const [problem, setProblem] = useState(null);
  const dates = form.overrides.map((o) => o.date);
  const { today, past, showPast, setShowPast } = usePast(dates, form.timezone);
  const list = showPast ? form.overrides : form.overrides.filter((o) => o.date >= today);

  function add() {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return setProblem(S.slaAdmCheck.date);
    if (dates.includes(day)) return setProblem(S.slaAdmCheck.specialTwice);
    if (form.holidays.includes(day)) return setProblem(S.slaAdmCheck.specialIsHoliday);
    setProblem(null);
    const weekday = WEEKDAYS[(new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7];
    // Starts as the weekday's usual hours, to shorten or lengthen.
    const usual = form.weekly[weekday].map((i) => newInterval(i.start, i.end));
    const overrides = [...form.overrides, { key: `o-${day}`, date: day, intervals: usual }]
      .sort((a, b) => (a.date < b.date ? -1 : 1));
    change({ overrides }, 'definition');
    setDay('');
    return undefined;
  }

  return (
    <fieldset class="cal-dates">
      <legend>{S.slaAdmSpecial}</legend>
      <p class="adm-help">{S.slaAdmSpecialHelp}</p>
      {list.length ? list.map((o) => (
        <div class="cal-special" key={o.key}>
          <DayHours day={`o-${o.date}`} label={dateLabel(o.date)} intervals={o.intervals} closedText={S.slaAdmClosedAllDay}
            error={messageAt(`overrides.${o.date}`)}
            onChange={(intervals) => change({ overrides: form.overrides.map((x) => (x.key === o.key ? { ...x, intervals } : x)) },
              `overrides.${o.date}`)} />
          <button type="button" class="link" aria-label={S.slaAdmRemoveSpecialOn(dateLabel(o.date))}
            onClick={() => change({ overrides: form.overrides.filter((x) => x.key !== o.key) }, `overrides.${o.date}`)}>
            {S.slaAdmRemoveSpecial}
          </button>
        </div>
      )) : <p class="empty">{S.slaAdmNoSpecial}</p>}
      <PastToggle past={past} shown={showPast} onToggle={() => setShowPast(!showPast)} />
      <AddDate label={S.slaAdmNewSpecial} addLabel={S.slaAdmAddSpecial} day={day}
        onDay={(value) => { setDay(value); setProblem(null); }} onAdd={add} error={problem} errorId="cal-special-error" />
    </fieldset>
  );
}

// Past holidays and special days are kept but folded away: "Show n past" / "Hide past".
function PastToggle({ past, shown, onToggle }) {
  if (past <= 0) return null;
  return (
    <button type="button" class="link" aria-expanded={shown ? 'true' : 'false'} onClick={onToggle}>
      {shown ? S.slaAdmHidePast : S.slaAdmShowPast(past)}
    </button>
  );
}

// A date to add (a holiday, a special day), with its message below.
function AddDate({ label, addLabel, day, onDay, onAdd, error, errorId }) {
  return (
    <>
      <div class="cal-add-date">
        <label>
          <span>{label}</span>
          <input type="date" value={day} onInput={(e) => onDay(e.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? errorId : undefined} />
        </label>
        <button type="button" onClick={onAdd}>{addLabel}</button>
      </div>
      {error && <p class="field-error" id={errorId}>{error}</p>}
    </>
  );
}
