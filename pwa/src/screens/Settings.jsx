import { useState } from 'preact/hooks';
import { S, ROLE_LABEL } from '../strings.js';
import { enableReminders, signOut, syncNow, useStore } from '../store.js';
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
      <button type="button" class="danger" onClick={doSignOut}>{S.signOut}</button>
    </Screen>
  );
}
