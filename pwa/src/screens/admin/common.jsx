// What every administration screen shares: reading a list from the API, saving with the
// server's field errors shown in place, and the note that administration needs the network.
// Administration is online-only on purpose: its changes reach every device through sync, and
// a refused admin change is answered at once (the form keeps what was typed) instead of
// waiting in an outbox.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { apiRequest, syncNow, useStore } from '../../store.js';
import { HttpError } from '../../sync/api.js';
import { Link } from '../../router.jsx';

// GET `path` now and whenever `reload()` is called; {data, error, loading, reload}.
export function useRemote(path) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    apiRequest('GET', path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => { live = false; };
  }, [path, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}

// Send a change; resolves to {ok: true, data} or {ok: false, message, fields} (fields: the
// server's per-field messages, for Field's `error`). A successful change also starts a sync,
// so the device's own copy (org lists, products, policies…) follows at once.
export async function save(method, path, body) {
  try {
    const data = await apiRequest(method, path, body);
    syncNow();
    return { ok: true, data };
  } catch (e) {
    if (e instanceof HttpError) {
      return { ok: false, status: e.status, message: e.message, fields: e.body?.error?.fields || {} };
    }
    return { ok: false, status: 0, message: S.adminNoConnection, fields: {} };
  }
}

// A refused save split for its form: the server's messages on the form's own fields
// (`known`), shown at each field, and one message under the form for the rest — or "Not
// saved" when every message has its field, or the server's message when it named none.
export function splitRefusal(res, known, fields = res.fields || {}) {
  const inPlace = Object.fromEntries(Object.entries(fields).filter(([f]) => known.includes(f)));
  const other = Object.entries(fields).filter(([f]) => !known.includes(f));
  const message = other.length
    ? other.map(([f, m]) => `${f}: ${[].concat(m).join(' ')}`).join('; ')
    : Object.keys(inPlace).length ? S.admNotSaved : res.message;
  return { inPlace, message };
}

// A section's list with one form over it: what is open (null: the list; 'new'; or a
// record), the line said after the last save, and opening or closing the form clears it.
export function useEditing(remote) {
  const [editing, setEditing] = useState(null);
  const [status, setStatus] = useState('');
  return {
    editing,
    status,
    open: (what) => { setStatus(''); setEditing(what); },
    close: () => { setStatus(''); setEditing(null); },
    done: (message) => { setEditing(null); setStatus(message); remote.reload(); },
  };
}

// Shown instead of a section's content when it cannot be read (offline, or refused).
export function RemoteError({ error, onRetry }) {
  const s = useStore();
  const text = !s.online || !(error instanceof HttpError) ? S.adminOffline : error.message;
  return (
    <div class="note" role="alert">
      <p>{text}</p>
      <button type="button" onClick={onRetry}>{S.adminRetry}</button>
    </div>
  );
}

// "← Administration": back to the list of sections.
export function BackToAdmin() {
  return <p class="back"><Link href="/admin">{S.adminBack}</Link></p>;
}
