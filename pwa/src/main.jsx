import { render } from 'preact';
import { App } from './app.jsx';
import { init } from './store.js';
import { navigate } from './router.jsx';
import './styles.css';

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('SW', e));
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data?.type === 'navigate') navigate(new URL(e.data.url).pathname);
  });
}

init().then(() => render(<App />, document.getElementById('app')));
