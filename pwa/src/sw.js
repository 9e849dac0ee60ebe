/* The service worker: precaches the app shell (Workbox, injectManifest), answers every
   client-side route with index.html offline, runs a sync on Background Sync, and shows push
   notifications. */
import { precacheAndRoute, cleanupOutdatedCaches, createHandlerBoundToURL } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { openLeadSyncDb, getMeta, setMeta } from './sync/db.js';
import { Api } from './sync/api.js';
import { SyncEngine } from './sync/engine.js';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/healthz/, /^\/readyz/],
  }),
);

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

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

// Push: the server sends {title, body, lead_id, url}. Subscribing is the app's job
// (see src/push.js, the hook for the subscription UI).
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data?.text() };
  }
  const url = data.url || (data.lead_id ? `/leads/${data.lead_id}` : '/');
  event.waitUntil(
    self.registration.showNotification(data.title || 'LeadSync', {
      body: data.body || '',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      tag: data.lead_id ? `lead-${data.lead_id}` : undefined,
      data: { url, lead_id: data.lead_id || null },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || '/', self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin) {
          await client.focus();
          client.postMessage({ type: 'navigate', url });
          return;
        }
      }
      await self.clients.openWindow(url);
    })(),
  );
});
