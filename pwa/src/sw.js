/* The service worker: precaches the app shell (Workbox, injectManifest), answers every
   client-side route with index.html offline, runs a sync on Background Sync, and shows push
   notifications. */
import { precacheAndRoute, cleanupOutdatedCaches, createHandlerBoundToURL } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { openLeadSyncDb, getMeta, setMeta } from './sync/db.js';
import { Api } from './sync/api.js';
import { SyncEngine } from './sync/engine.js';
import { appUrl, pushData, reminderOf } from './reminders.js';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/healthz/, /^\/readyz/],
  }),
);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
// clients.claim() on activation skips a page whose navigation was still in flight (a reload
// or a second tab opened while this worker installed): such a page would stay uncontrolled
// until its next navigation. It asks to be claimed once `ready` resolves (src/main.jsx).
self.addEventListener('message', (event) => {
  if (event.data?.type === 'claim') event.waitUntil(self.clients.claim());
});

async function tellClients(msg) {
  for (const c of await self.clients.matchAll({ includeUncontrolled: true })) c.postMessage(msg);
}

// Background Sync: the browser wakes us when the device is back online, even with the app
// closed. The RUN_LOCK inside syncOnce keeps us from overlapping an open tab's loop.
async function backgroundSync() {
  const db = await openLeadSyncDb();
  try {
    if (!(await getMeta(db, 'session'))) return;
    const api = new Api({
      getCsrf: async () => (await getMeta(db, 'session'))?.csrf_token,
      setCsrf: async (token) => {
        const session = await getMeta(db, 'session');
        if (session) await setMeta(db, 'session', { ...session, csrf_token: token });
      },
    });
    const engine = new SyncEngine({ db, api, locks: self.navigator.locks });
    await engine.syncOnce(); // a throw makes the browser retry later
    await tellClients({ type: 'changed' });
  } finally {
    db.close();
  }
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'leadsync-sync') event.waitUntil(backgroundSync());
});

// Push reminders (what is shown: src/reminders.js); subscribing is the app's job (src/push.js).
function showReminder(data) {
  const { title, options } = reminderOf(data, self.location.origin);
  return self.registration.showNotification(title, options);
}

// Open app windows pull at once: a new question reaches the desk within seconds.
self.addEventListener('push', (event) => {
  const data = pushData(event.data);
  event.waitUntil(Promise.all([showReminder(data), tellClients({ type: 'pushed', kind: data.kind || null })]));
});

// A tap on a reminder: the app window already open (the focused one first) is brought to the
// front and told to show the lead (src/main.jsx routes it without a reload); with no window,
// a new one opens at the lead's deep link. Browser tests call this on the real Notification
// (there is no way to tap one from a test), through `self.leadsync`.
async function openFromNotification(notification) {
  notification.close();
  const url = appUrl(notification.data?.url, self.location.origin);
  const windows = (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter(
    (c) => new URL(c.url).origin === self.location.origin,
  );
  const client = windows.find((c) => c.focused) || windows.find((c) => c.visibilityState === 'visible') || windows[0];
  if (!client) {
    const opened = await self.clients.openWindow(url);
    return { opened: opened?.url ?? null, url };
  }
  client.postMessage({ type: 'navigate', url });
  try {
    await client.focus(); // allowed while handling a real tap
  } catch {
    // Not allowed outside a notification click (e.g. a test calling this): the navigation stands.
  }
  return { navigated: client.id, url };
}

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(openFromNotification(event.notification));
});

self.leadsync = { openFromNotification, showReminder };
