import { useEffect, useState } from 'preact/hooks';
import { S } from '../strings.js';
import { signIn, unsentOfOthers, useStore } from '../store.js';
import { navigate } from '../router.jsx';
import { HttpError } from '../sync/api.js';

export function SignIn() {
  const s = useStore();
  const remembered = s.session?.user;
  const [email, setEmail] = useState(remembered?.email || '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [parked, setParked] = useState([]);
  useEffect(() => {
    unsentOfOthers().then((u) => setParked(u.parked));
    document.title = `${S.signInTitle}`;
  }, []);
  const typed = email.trim().toLowerCase();
  const other = remembered && typed && typed !== remembered.email && s.outbox.length > 0;

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(email.trim(), password);
      // A deep link (a reminder tapped while signed out) survives signing in.
      navigate(location.pathname === '/signin' ? '/' : location.pathname, { replace: true });
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) setError(S.signInFailed);
      else if (!navigator.onLine || err instanceof TypeError) setError(S.signInOffline);
      else setError(S.signInError(err.message));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="screen signin">
      <h1>{S.signInTitle}</h1>
      {!s.online && <p class="note">{S.signInOffline}</p>}
      {s.sessionExpired && <p class="note">{S.sessionExpired}</p>}
      {s.sessionExpired && s.outbox.length > 0 && (
        <p class="note">{S.pending(s.outbox.length)}</p>
      )}
      <form onSubmit={submit} class="form">
        <label>
          {S.email}
          <input type="email" name="email" autocomplete="username" required value={email}
            onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          {S.password}
          <input type="password" name="password" autocomplete="current-password" required value={password}
            onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {other && <p class="warn">{S.setAside(remembered.email, s.outbox.length)}</p>}
        {parked
          .filter((p) => p.user.email !== typed)
          .map((p) => <p key={p.user.id} class="note">{S.keptFor(p.user.email, p.count)}</p>)}
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? S.signingIn : S.signIn}</button>
      </form>
    </main>
  );
}
