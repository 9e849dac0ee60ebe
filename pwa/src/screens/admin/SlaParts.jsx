// What the SLA policy and calendar screens share: a labelled select, a duration typed as
// hours and minutes, and the preview "An inquiry now would be due Tue 09:40 (in 2 h of
// business time)" — the server's answer (POST /sla/preview, worked out as a real lead's clock
// is) to what the form holds, asked again a moment after each edit.
import { useEffect, useRef, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { fieldMessage } from '../../components.jsx';
import { apiRequest, useStore } from '../../store.js';
import { HttpError } from '../../sync/api.js';
import { fmtMinutes, fromLocalInput } from '../../format.js';
import { deviceTimeZone, fmtWhen } from './slaForms.js';

const WAIT_MS = 400; // after the last keystroke

// `body`: the preview request without `at`, or null while the form is incomplete.
// `onFields(fields)`: the server's field errors about what was tried (null when fine), for
// the form to show in place.
export function SlaPreview({ body, onFields }) {
  const s = useStore();
  const [arrival, setArrival] = useState(''); // datetime-local, '' = now
  const [state, setState] = useState({ data: null, problem: null, busy: false });
  const asked = useRef(0);
  const request = body && { ...body, ...(arrival ? { at: fromLocalInput(arrival) } : {}) };
  const wire = request ? JSON.stringify(request) : null;

  useEffect(() => {
    if (!wire || !s.online) {
      setState((st) => (st.busy ? { ...st, busy: false } : st));
      return undefined;
    }
    const n = ++asked.current;
    setState((st) => ({ ...st, busy: true }));
    const timer = setTimeout(async () => {
      try {
        const data = await apiRequest('POST', '/sla/preview', JSON.parse(wire));
        if (n !== asked.current) return;
        setState({ data, problem: null, busy: false });
        onFields?.(null);
      } catch (e) {
        if (n !== asked.current) return;
        const fields = e instanceof HttpError ? e.body?.error?.fields : null;
        if (fields) onFields?.(fields);
        const problem = !(e instanceof HttpError) ? S.slaAdmPreviewOffline
          : fields ? (fields.at ? [].concat(fields.at).join(' ') : S.slaAdmPreviewFix)
          : e.message;
        setState({ data: null, problem, busy: false });
      }
    }, WAIT_MS);
    return () => clearTimeout(timer);
  }, [wire, s.online]);

  // On a long form the answer also shows in a line above the tab bar while the preview
  // itself is scrolled out of view (the preview's status region is what is read out).
  const section = useRef(null);
  const [away, setAway] = useState(false);
  useEffect(() => {
    if (!section.current || typeof IntersectionObserver === 'undefined') return undefined;
    const io = new IntersectionObserver(([entry]) => setAway(!entry.isIntersecting));
    io.observe(section.current);
    return () => io.disconnect();
  }, []);

  let text;
  let short = null;
  if (!s.online) text = <p>{S.slaAdmPreviewOffline}</p>;
  else if (!body) text = <p>{S.slaAdmPreviewFix}</p>;
  else if (state.problem) text = <p class="error">{state.problem}</p>;
  else if (state.data) {
    text = <PreviewText data={state.data} arrival={arrival} />;
    short = S.slaAdmPreviewDock(fmtWhen(state.data.due_at, state.data.timezone, state.data.at), fmtMinutes(state.data.business_minutes));
  } else text = <p class="muted">{S.slaAdmPreviewWorking}</p>;
  if (!short && body && state.problem) short = S.slaAdmPreviewDockFix;

  return (
    <section class="sla-preview" ref={section} aria-labelledby="sla-preview-h" aria-busy={state.busy ? 'true' : 'false'}>
      {away && short && <p class="sla-preview-dock" aria-hidden="true">{short}</p>}
      <h2 id="sla-preview-h">{S.slaAdmPreview}</h2>
      <div class="sla-preview-text" role="status" aria-live="polite" data-testid="sla-preview">{text}</div>
      <div class="sla-preview-at">
        <label for="sla-preview-at">{S.slaAdmPreviewAt}</label>
        <span class="sla-preview-at-row">
          <input id="sla-preview-at" type="datetime-local" value={arrival} onInput={(e) => setArrival(e.currentTarget.value)} />
          {arrival && <button type="button" onClick={() => setArrival('')}>{S.slaAdmPreviewNow}</button>}
        </span>
      </div>
    </section>
  );
}

function PreviewText({ data, arrival }) {
  const zone = data.timezone;
  const due = fmtWhen(data.due_at, zone, data.at);
  const took = fmtMinutes(data.business_minutes);
  const policy = data.policy
    ? S.slaAdmPreviewPolicy(data.policy.name || S.slaAdmThisPolicy, data.policy.unsaved)
    : S.slaAdmPreviewDefaultPolicy;
  const hours = data.calendar
    ? S.slaAdmPreviewCalendar(data.calendar.name || S.slaAdmTheseHours, data.calendar.unsaved)
    : S.slaAdmPreviewDefaultCalendar;
  return (
    <>
      <p class="sla-preview-due">
        {arrival ? S.slaAdmPreviewArriving(fmtWhen(data.at, zone)) : S.slaAdmPreviewNowDue}{' '}
        <strong>{due}</strong> {S.slaAdmPreviewIn(took)}
      </p>
      <p class="muted">
        {policy} · {hours}
        {zone !== deviceTimeZone() && <> · {S.slaAdmPreviewZone(zone)}</>}
      </p>
    </>
  );
}

// A labelled select with the server's (or the form's) message below it.
export function Choice({ name, label, value, options, onChange, error, help, idPrefix = 'sla', ...rest }) {
  const msg = fieldMessage(error);
  const errorId = `${idPrefix}-${name}-error`;
  const helpId = `${idPrefix}-${name}-help`;
  const describedBy = [help && helpId, msg && errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label>
        <span>{label}</span>
        <select name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}
          aria-invalid={msg ? 'true' : undefined} aria-describedby={describedBy} {...rest}>
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>{o.label}</option>
          ))}
        </select>
      </label>
      {help && <p class="adm-help" id={helpId}>{help}</p>}
      {msg && <p class="field-error" id={errorId}>{msg}</p>}
    </div>
  );
}

// A duration in business time as two small inputs, "[2] h [30] min".
export function Duration({ name, legend, hours, minutes, onHours, onMinutes, error, help, idPrefix = 'sla' }) {
  const msg = fieldMessage(error);
  const errorId = `${idPrefix}-${name}-error`;
  const helpId = `${idPrefix}-${name}-help`;
  const describedBy = [help && helpId, msg && errorId].filter(Boolean).join(' ') || undefined;
  const input = (value, set, unit) => (
    <label class="sla-duration-part">
      <input type="text" inputMode="numeric" autocomplete="off" maxLength={6} value={value}
        aria-label={`${legend}: ${unit}`} aria-invalid={msg ? 'true' : undefined}
        aria-describedby={describedBy} onInput={(e) => set(e.currentTarget.value)} />
      <span aria-hidden="true">{unit === S.slaAdmHours ? S.slaAdmH : S.slaAdmMin}</span>
    </label>
  );
  return (
    <fieldset class="sla-duration">
      <legend>{legend}</legend>
      <div class="sla-duration-row">
        {input(hours, onHours, S.slaAdmHours)}
        {input(minutes, onMinutes, S.slaAdmMinutes)}
      </div>
      {help && <p class="adm-help" id={helpId}>{help}</p>}
      {msg && <p class="field-error" id={errorId}>{msg}</p>}
    </fieldset>
  );
}

// After a refused save: to the first field marked, once it is drawn (it may be far above).
export function focusFirstInvalid(form) {
  setTimeout(() => form?.querySelector('[aria-invalid="true"]')?.focus(), 0);
}
