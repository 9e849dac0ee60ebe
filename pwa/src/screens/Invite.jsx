// The page an invitation link opens (/invite/<secret>), with nobody signed in: it says which
// organisation and person the link is for, lets the person choose a password (the server's
// rules: at least 8 characters), then signs them in as the sign-in screen does and opens the
// app. A used, expired, withdrawn or unknown link says so and what to do instead.
import { useEffect, useState } from 'preact/hooks';
import { S } from '../strings.js';
import { apiRequest, signIn, useStore } from '../store.js';
import { navigate } from '../router.jsx';
import { HttpError } from '../sync/api.js';
import { fmtDateTime } from '../format.js';
import { Field } from '../components.jsx';

// What went wrong, for the page: {code, text}. The server's message names the reason (used,
// expired…) and what to do; without an answer, the network is the reason.
function trouble(error) {
  if (error instanceof HttpError) return { code: error.code, text: error.message };
  return { code: 'offline', text: S.invOffline };
}

export function Invite({ token }) {
  const s = useStore();
  const [info, setInfo] = useState(null); // {org_name, name, email, expires_at}
  const [dead, setDead] = useState(null); // {code, text}
  const [attempt, setAttempt] = useState(0);
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const [fieldError, setFieldError] = useState(null);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [passwordSet, setPasswordSet] = useState(false);

  useEffect(() => {
    let live = true;
    setDead(null);
    apiRequest('POST', '/auth/invitation', { token }).then(
      (answer) => live && setInfo(answer),
      (error) => live && setDead(trouble(error)),
    );
    return () => { live = false; };
  }, [token, attempt]);

  useEffect(() => {
    document.title = `${info ? S.invTitle(info.org_name) : S.invDeadTitle} · ${S.appName}`;
  }, [info]);

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage('');
    setFieldError(null);
    try {
      await apiRequest('POST', '/auth/invitation/accept', { token, password });
    } catch (error) {
      setBusy(false);
      const fields = error instanceof HttpError ? error.body?.error?.fields : null;
      if (fields?.password) setFieldError(fields.password);
      else if (error instanceof HttpError && error.status === 404) setDead(trouble(error));
      else setMessage(trouble(error).text);
      return;
    }
    try {
      // The same sign-in as the sign-in screen's: this device becomes this person's.
      await signIn(info.email, password);
      navigate('/', { replace: true });
    } catch {
      setBusy(false);
      setPasswordSet(true);
    }
  }

  if (passwordSet || dead) {
    const offline = dead?.code === 'offline';
    return (
      <main id="main" class="screen signin inv">
        <h1>{passwordSet ? S.invTitle(info.org_name) : S.invDeadTitle}</h1>
        <p class={passwordSet ? '' : 'note'} role="alert">{passwordSet ? S.invSetButNotSignedIn : dead.text}</p>
        {offline ? (
          <button type="button" class="primary" onClick={() => setAttempt((n) => n + 1)}>{S.invRetry}</button>
        ) : (
          <a class="button primary" href="/">{S.invToSignIn}</a>
        )}
      </main>
    );
  }
  if (!info) {
    return (
      <main id="main" class="screen signin inv">
        <p class="muted" role="status">{S.invLoading}</p>
      </main>
    );
  }
  const other = s.session?.user && s.session.user.email !== info.email ? s.session.user.email : null;
  return (
    <main id="main" class="screen signin inv">
      <h1>{S.invTitle(info.org_name)}</h1>
      <p>{S.invWelcome(info.name, info.org_name)}</p>
      <p class="inv-who">
        <span class="muted">{S.invSignInWith}</span>
        <strong class="inv-email">{info.email}</strong>
      </p>
      {other && <p class="warn">{S.invOtherSignedIn(other)}</p>}
      <form class="form" onSubmit={submit} noValidate>
        {/* For password managers: the account the new password belongs to. */}
        <input type="email" name="username" autocomplete="username" value={info.email} readOnly hidden />
        <Field name="password" type={show ? 'text' : 'password'} label={S.invPassword} required
          autocomplete="new-password" value={password} error={fieldError} idPrefix="invite"
          aria-describedby={fieldError ? 'invite-password-error inv-help' : 'inv-help'}
          onInput={(e) => { setPassword(e.currentTarget.value); setFieldError(null); }} />
        <p class="muted inv-help" id="inv-help">{S.invPasswordHelp}</p>
        <label class="check">
          <input type="checkbox" checked={show} onChange={(e) => setShow(e.currentTarget.checked)} />
          {S.invShowPassword}
        </label>
        {message && <p class="error" role="alert">{message}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? S.invBusy : S.invSubmit}</button>
        <p class="muted inv-expires">{S.invExpires(fmtDateTime(info.expires_at))}</p>
      </form>
    </main>
  );
}
