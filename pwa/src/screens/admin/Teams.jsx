// Teams: the organisation's teams with how many active people each has; add one, rename one.
// There is no deleting: leads are filed under a team (and team leads see a team's leads by
// it), so a team stays; who is in it is changed under People.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { Field, Screen } from '../../components.jsx';
import { Link } from '../../router.jsx';
import { BackToAdmin, RemoteError, save, useRemote } from './common.jsx';

export function AdminTeams() {
  const teams = useRemote('/teams');
  const users = useRemote('/users');
  const [status, setStatus] = useState('');
  const [renaming, setRenaming] = useState(null); // the team's id

  const members = useMemo(() => {
    const count = new Map();
    for (const u of users.data || []) {
      if (!u.active) continue;
      for (const t of u.team_ids) count.set(t, (count.get(t) || 0) + 1);
    }
    return count;
  }, [users.data]);

  const error = teams.error || users.error;
  const list = teams.data || [];
  return (
    <Screen title={S.adminTeams}>
      <BackToAdmin />
      {error ? (
        <RemoteError error={error} onRetry={() => { teams.reload(); users.reload(); }} />
      ) : (
        <>
          <p class="muted">{S.tmsIntro} {S.tmsWhoIsIn} <Link href="/admin/users">{S.adminUsers}</Link>.</p>
          <p class="ppl-status" role="status">{status}</p>
          <NewTeam onAdded={(team) => { setStatus(S.tmsAdded(team.name)); teams.reload(); }} />
          {teams.data && !list.length && <p class="empty">{S.tmsNone}</p>}
          <ul class="tms-list">
            {list.map((t) => (
              <li key={t.id}>
                {renaming === t.id ? (
                  <RenameTeam team={t} onCancel={() => setRenaming(null)}
                    onRenamed={(team) => { setRenaming(null); setStatus(S.tmsRenamed(team.name)); teams.reload(); }} />
                ) : (
                  <div class="tms-row">
                    <span class="tms-text">
                      <strong>{t.name}</strong>
                      <span class="muted">{users.data ? S.tmsMembers(members.get(t.id) || 0) : '…'}</span>
                    </span>
                    <button type="button" aria-label={S.tmsRenameLabel(t.name)}
                      onClick={() => { setStatus(''); setRenaming(t.id); }}>{S.tmsRename}</button>
                  </div>
                )}
              </li>
            ))}
          </ul>
          {list.length > 0 && <p class="muted ppl-help">{S.tmsNoDelete}</p>}
        </>
      )}
    </Screen>
  );
}

// The server's word on a team name: taken (409) or not valid (422), at the field.
function nameError(res) {
  if (res.status === 409) return [S.tmsNameTaken];
  return res.fields.name || [res.message];
}

function NewTeam({ onAdded }) {
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    const res = await save('POST', '/teams', { name: name.trim() });
    setBusy(false);
    if (res.ok) {
      setName('');
      setError(null);
      onAdded(res.data);
    } else setError(nameError(res));
  }
  return (
    <form class="form tms-new" onSubmit={submit} noValidate>
      <Field name="name" label={S.tmsNew} autocomplete="off" value={name} error={error} idPrefix="team-new"
        onInput={(e) => { setName(e.currentTarget.value); setError(null); }} />
      <button type="submit" class="primary" disabled={busy}>{S.tmsAdd}</button>
    </form>
  );
}

function RenameTeam({ team, onCancel, onRenamed }) {
  const [name, setName] = useState(team.name);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    if (name.trim() === team.name) {
      onCancel();
      return;
    }
    setBusy(true);
    const res = await save('PATCH', `/teams/${team.id}`, { name: name.trim() });
    setBusy(false);
    if (res.ok) onRenamed(res.data);
    else setError(nameError(res));
  }
  return (
    <form class="form tms-rename" onSubmit={submit} noValidate>
      <Field name="name" label={S.tmsNewName(team.name)} autocomplete="off" value={name} error={error}
        idPrefix={`team-${team.id}`} autoFocus
        onInput={(e) => { setName(e.currentTarget.value); setError(null); }} />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{S.tmsSave}</button>
        <button type="button" onClick={onCancel}>{S.cancel}</button>
      </div>
    </form>
  );
}
