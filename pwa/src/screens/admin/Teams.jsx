// Teams: the organisation's teams with how many active people each has; add one, rename one.
// There is no deleting: leads are filed under a team (and team leads see a team's leads by
// it), so a team stays; who is in it is changed under People.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { Field } from '../../components.jsx';
import { Link } from '../../router.jsx';
import { AdminSection, useAdminForm, useRemote } from './common.jsx';

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
    <AdminSection title={S.adminTeams} error={error} onRetry={() => { teams.reload(); users.reload(); }}>
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
    </AdminSection>
  );
}

// A team's name, its one field: the server's word on it, taken (409) or not valid (422), at
// the field.
function useTeamName(name, idPrefix) {
  const team = useAdminForm({ name }, { idPrefix });
  const sendName = async (method, path) => {
    const res = await team.call(method, path, { name: team.form.name.trim() });
    if (!res.ok) team.setErrors({ name: res.status === 409 ? [S.tmsNameTaken] : res.fields.name || [res.message] });
    return res.ok ? res.data : null;
  };
  return { ...team, sendName };
}

function NewTeam({ onAdded }) {
  const { busy, setForm, setErrors, bind, sendName, onSubmit } = useTeamName('', 'team-new');
  const submit = onSubmit(async () => {
    const added = await sendName('POST', '/teams');
    if (added) {
      setForm({ name: '' });
      setErrors({});
      onAdded(added);
    }
  });
  return (
    <form class="form tms-new" onSubmit={submit} noValidate>
      <Field name="name" label={S.tmsNew} autocomplete="off" {...bind('name')} />
      <button type="submit" class="primary" disabled={busy}>{S.tmsAdd}</button>
    </form>
  );
}

function RenameTeam({ team, onCancel, onRenamed }) {
  const { form, busy, bind, sendName, onSubmit } = useTeamName(team.name, `team-${team.id}`);
  const submit = onSubmit(async () => {
    if (form.name.trim() === team.name) {
      onCancel();
      return;
    }
    const renamed = await sendName('PATCH', `/teams/${team.id}`);
    if (renamed) onRenamed(renamed);
  });
  return (
    <form class="form tms-rename" onSubmit={submit} noValidate>
      <Field name="name" label={S.tmsNewName(team.name)} autocomplete="off" {...bind('name')} autoFocus />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{S.tmsSave}</button>
        <button type="button" onClick={onCancel}>{S.cancel}</button>
      </div>
    </form>
  );
}
