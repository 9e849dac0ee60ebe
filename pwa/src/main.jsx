import { render } from 'preact';
import { App } from './app.jsx';
import { init, state, syncNow } from './store.js';
import { navigate } from './router.jsx';
import './styles.css';

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('SW', e));
  // A page loaded while the worker was activating is missed by its clients.claim(): ask again.
  navigator.serviceWorker.ready.then((reg) => {
    if (!navigator.serviceWorker.controller) reg.active?.postMessage({ type: 'claim' });
  });
  // A tapped reminder (src/sw.js): show its lead, and fetch news at once (it may be new here).
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data?.type !== 'navigate') return;
    navigate(new URL(e.data.url).pathname);
    if (state.session) syncNow();
  });
}

// Rendered at once: until the database is open the app shows nothing, or why it waits.
render(<App />, document.getElementById('app'));
init().catch((e) => console.error('LeadSync did not start', e));
