// Push reminders: the service worker shows {title, body, lead_id, url} payloads and opens the
// lead on click; this subscribes the browser with the server's VAPID key.
export const pushSupported = () =>
  typeof navigator !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window;

function keyBytes(base64url) {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

// `api` is the app's Api (session cookie + CSRF). Resolves to true when subscribed.
export async function subscribeToReminders(api) {
  if (!pushSupported()) return false;
  if ((await Notification.requestPermission()) !== 'granted') return false;
  const { public_key: publicKey } = await api.get('/push/key');
  const reg = await navigator.serviceWorker.ready;
  const sub =
    (await reg.pushManager.getSubscription()) ||
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  await api.post('/push/subscriptions', sub.toJSON());
  return true;
}
