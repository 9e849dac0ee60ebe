import { useEffect, useState } from 'preact/hooks';
import { S, ROLE_LABEL } from '../strings.js';
import { enableReminders, loadPreferences, savePreferences, signOut, syncNow, useStore } from '../store.js';
import { Screen } from '../components.jsx';
import { pushSupported } from '../push.js';

export function Settings() {
  const s = useStore();
  const u = s.session.user;
  const [reminders, setReminders] = useState('');
  async function doSignOut() {
    if (confirm(S.signOutConfirm(s.outbox.length))) await signOut();
  }
  async function turnOnReminders() {
    try {
      setReminders((await enableReminders()) ? 'on' : 'denied');
    } catch (e) {
      setReminders(e.message);
    }
  }
  return (
    <Screen title={S.settingsTitle}>
      <section aria-labelledby="acc-h">
        <h2 id="acc-h">{S.account}</h2>
        <dl class="facts">
          <dt>{S.name}</dt><dd>{u.name}</dd>
          <dt>{S.email}</dt><dd>{u.email}</dd>
          <dt>{S.role}</dt><dd>{ROLE_LABEL[u.role] || u.role}</dd>
        </dl>
      </section>
      <section aria-labelledby="dev-h">
        <h2 id="dev-h">{S.device}</h2>
        <dl class="facts">
          <dt>{S.clientId}</dt><dd class="mono">{s.clientId}</dd>
          <dt>{S.storage}</dt><dd>{s.persisted ? S.persisted : S.notPersisted}</dd>
          <dt>{S.outboxLabel}</dt><dd>{s.outbox.length ? S.pending(s.outbox.length) : S.allSent}</dd>
        </dl>
        <button type="button" onClick={syncNow}>{S.syncNow}</button>
      </section>
      {pushSupported() && (
        <section aria-labelledby="push-h">
          <h2 id="push-h">{S.notifications}</h2>
          <button type="button" onClick={turnOnReminders}>{S.remindersOn}</button>
          {reminders && <p class="note" role="status">{reminders === 'on' ? S.remindersDone : reminders === 'denied' ? S.remindersDenied : reminders}</p>}
        </section>
      )}
      <WorkingHours role={u.role} />
      <button type="button" class="danger" onClick={doSignOut}>{S.signOut}</button>
    </Screen>
  );
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

// The person's quiet hours: one interval Mon–Fri in their time zone.
function WorkingHours({ role }) {
  const [form, setForm] = useState(null);
  const [status, setStatus] = useState('');
  useEffect(() => {
    loadPreferences()
      .then((p) => {
        const first = p.working_hours?.weekly?.mon?.[0];
        setForm({
          timezone: p.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone,
          start: first?.start || '09:00',
          end: first?.end || '17:00',
          any: !!p.escalations_any_hour,
        });
      })
      .catch(() => setStatus(S.needsNetwork));
  }, []);
  if (!form) return status ? <p class="note">{status}</p> : null;
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  async function save(e) {
    e.preventDefault();
    const interval = [{ start: form.start, end: form.end }];
    try {
      await savePreferences({
        timezone: form.timezone,
        working_hours: { timezone: form.timezone, weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, interval])) },
        escalations_any_hour: form.any,
      });
      setStatus(S.saved);
    } catch (err) {
      setStatus(err.message || S.needsNetwork);
    }
  }
  return (
    <section aria-labelledby="hours-h">
      <h2 id="hours-h">{S.workingHours}</h2>
      <p class="note">{S.workingHoursHelp}</p>
      <form class="form" onSubmit={save}>
        <label>{S.timeZone}<input name="timezone" value={form.timezone} onInput={set('timezone')} required /></label>
        <label>{S.workStart}<input type="time" name="start" value={form.start} onInput={set('start')} required /></label>
        <label>{S.workEnd}<input type="time" name="end" value={form.end} onInput={set('end')} required /></label>
        {role !== 'rep' && role !== 'cs' && (
          <label class="check"><input type="checkbox" checked={form.any} onChange={set('any')} /> {S.escalationsAnyHour}</label>
        )}
        <button type="submit">{S.save}</button>
        {status && <p class="note" role="status">{status}</p>}
      </form>
    </section>
  );
}
