import { useEffect, useRef, useState } from 'preact/hooks';
import { S, ROLE_LABEL } from '../strings.js';
import {
  enableReminders, loadDevices, loadPreferences, removePushSubscription, revokeDeviceToken,
  savePreferences, signOut, syncNow, useStore,
} from '../store.js';
import { Screen } from '../components.jsx';
import { Link } from '../router.jsx';
import { adminSectionsFor } from './admin/sections.js';
import { pushSupported } from '../push.js';
import { currentPushSubscription, subscriptionName, tokenName } from '../devices.js';
import { fmtDateTime } from '../format.js';

export function Settings() {
  const s = useStore();
  const u = s.session.user;
  const [reminders, setReminders] = useState('');
  const [devicesVersion, setDevicesVersion] = useState(0);
  async function doSignOut() {
    if (confirm(S.signOutConfirm(s.outbox.length))) await signOut();
  }
  async function turnOnReminders() {
    try {
      setReminders((await enableReminders()) ? 'on' : 'denied');
      setDevicesVersion((v) => v + 1); // this browser may now be on the list
    } catch (e) {
      setReminders(e.message);
    }
  }
  return (
    <Screen title={S.settingsTitle}>
      {adminSectionsFor(u.role).length > 0 && (
        <p class="admin-link">
          <Link href="/admin">
            <span class="admin-title">{S.adminOpen}</span>
            <span class="admin-hint">
              {u.role === 'admin' ? S.adminOpenHint : adminSectionsFor(u.role).map((x) => x.title).join(', ')}
            </span>
          </Link>
        </p>
      )}
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
      <YourDevices online={s.online} version={devicesVersion} />
      <WorkingHours role={u.role} />
      <button type="button" class="danger" onClick={doSignOut}>{S.signOut}</button>
    </Screen>
  );
}

// The browsers that receive this person's reminders and their device tokens (integrations,
// other apps), each removable. Straight from the server: offline it says so and stays out of
// the way of the rest of Settings.
function YourDevices({ online, version }) {
  const [data, setData] = useState(null); // {subscriptions, tokens, here: this browser's endpoint}
  const [failed, setFailed] = useState(false);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(null);
  const loads = useRef(0);

  async function load() {
    const n = ++loads.current;
    try {
      const [devices, here] = await Promise.all([loadDevices(), currentPushSubscription()]);
      if (n !== loads.current) return;
      setData({ ...devices, here: here?.endpoint || null });
      setFailed(false);
    } catch {
      if (n === loads.current) setFailed(true);
    }
  }

  useEffect(() => {
    if (online) load();
    else {
      loads.current++; // an answer still on its way is stale
      setFailed(true);
    }
  }, [online, version]);

  async function act(key, question, run, done) {
    if (busy || !confirm(question)) return;
    setBusy(key);
    setStatus('');
    try {
      await run();
      setStatus(done);
    } catch (err) {
      setStatus(err?.status ? S.deviceActionFailed(err.message) : S.devicesNeedConnection);
    } finally {
      setBusy(null);
      if (navigator.onLine) await load();
    }
  }

  function removeSubscription(sub, name) {
    const here = !!data.here && sub.endpoint === data.here;
    return act(`sub:${sub.id}`, S.removeReminderConfirm(name, here), async () => {
      await removePushSubscription(sub.id);
      if (here) {
        // Keep the browser honest too: it no longer receives reminders at all.
        const local = await currentPushSubscription();
        try {
          await local?.unsubscribe();
        } catch {
          /* the server no longer sends to it either way */
        }
      }
    }, S.removedReminder(name));
  }

  function revokeToken(token, name) {
    return act(`tok:${token.id}`, S.revokeTokenConfirm(name), () => revokeDeviceToken(token.id), S.revokedToken(name));
  }

  let body;
  if (failed) body = <p class="note">{S.devicesNeedConnection}</p>;
  else if (!data) body = <p class="muted">{S.devicesLoading}</p>;
  else {
    body = (
      <>
        <h3 id="devices-rem-h">{S.reminderDevices}</h3>
        {data.subscriptions.length ? (
          <ul class="devices" aria-labelledby="devices-rem-h">
            {data.subscriptions.map((sub) => {
              const here = !!data.here && sub.endpoint === data.here;
              const name = subscriptionName(sub);
              const label = here ? `${name} (${S.thisBrowser.toLowerCase()})` : name;
              return (
                <DeviceRow key={sub.id} name={name} badge={here && S.thisBrowser} busy={busy}
                  lines={[
                    S.addedOn(fmtDateTime(sub.created_at)),
                    sub.last_success_at && S.lastReminderOn(fmtDateTime(sub.last_success_at)),
                    sub.expires_at && S.expiresOn(fmtDateTime(sub.expires_at)),
                  ]}
                  action={S.remove} actionLabel={S.removeReminderLabel(label)}
                  onAction={() => removeSubscription(sub, name)} />
              );
            })}
          </ul>
        ) : (
          <p class="muted">{S.noReminderDevices}</p>
        )}
        <h3 id="devices-tok-h">{S.tokenDevices}</h3>
        {data.tokens.length ? (
          <ul class="devices" aria-labelledby="devices-tok-h">
            {data.tokens.map((token) => {
              const name = tokenName(token);
              return (
                <DeviceRow key={token.id} name={name} busy={busy}
                  lines={[
                    S.addedOn(fmtDateTime(token.created_at)),
                    token.last_used_at ? S.lastUsedOn(fmtDateTime(token.last_used_at)) : S.neverUsed,
                  ]}
                  action={S.revoke} actionLabel={S.revokeTokenLabel(name)}
                  onAction={() => revokeToken(token, name)} />
              );
            })}
          </ul>
        ) : (
          <p class="muted">{S.noTokenDevices}</p>
        )}
      </>
    );
  }
  return (
    <section aria-labelledby="devices-h">
      <h2 id="devices-h">{S.yourDevices}</h2>
      <p class="muted">{S.yourDevicesHelp}</p>
      {body}
      <p role="status" class={status ? 'note' : 'sr-only'}>{status}</p>
    </section>
  );
}

// One device in "Your devices": its name, facts about it, and the button that removes it.
function DeviceRow({ name, badge, lines, action, actionLabel, onAction, busy }) {
  return (
    <li>
      <div class="device-text">
        <strong>{name}</strong> {badge && <span class="badge">{badge}</span>}
        {lines.filter(Boolean).map((line) => <span class="muted" key={line}>{line}</span>)}
      </div>
      <button type="button" aria-label={actionLabel} aria-disabled={busy ? 'true' : undefined} onClick={onAction}>
        {action}
      </button>
    </li>
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
  const set = (key) => (e) => {
    const value = e.target.type === 'checkbox' ? e.target.checked : e.target.value;
    setForm((f) => ({ ...f, [key]: value }));
  };
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
