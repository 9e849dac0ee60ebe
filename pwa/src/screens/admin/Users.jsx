// People: everyone in the organisation, inviting someone by email, changing a person's role
// and teams, deactivating and reactivating. Straight from the REST API (/users, /teams,
// /users/invitations); every rule (an admin never demotes or deactivates themself, emails are
// unique…) is the server's, and its refusals are shown where they belong.
import { useMemo, useRef, useState } from 'preact/hooks';
import { S, ROLE_LABEL } from '../../strings.js';
import { useStore } from '../../store.js';
import { fmtDateTime } from '../../format.js';
import { Field, Screen } from '../../components.jsx';
import { Link } from '../../router.jsx';
import { BackToAdmin, RemoteError, save, useRemote, splitRefusal } from './common.jsx';

const ROLES = ['rep', 'lead', 'cs', 'admin'];
// From this many people on, a search box above the list.
const SEARCH_FROM = 8;

export function AdminUsers() {
  const me = useStore().session.user;
  const users = useRemote('/users');
  const teams = useRemote('/teams');
  const invitations = useRemote('/users/invitations');
  // What is shown: the list; 'invite' (the form); {person}; or {sent, person} (a new link).
  const [view, setView] = useState('list');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');

  const teamList = teams.data || [];
  const waiting = useMemo(
    () => new Map((invitations.data || []).map((w) => [w.user_id, w])),
    [invitations.data],
  );
  const reload = () => {
    users.reload();
    invitations.reload();
  };
  const toList = (message = '') => {
    setStatus(message);
    setView('list');
  };

  if (view === 'invite') {
    return (
      <InviteForm teams={teamList} onCancel={() => toList()}
        onSent={(sent, person) => { reload(); setView({ sent, person }); }} />
    );
  }
  if (view.sent) {
    return (
      <InviteResult sent={view.sent} person={view.person} onDone={() => toList()}
        onAnother={() => setView('invite')} />
    );
  }
  if (view.person) {
    const person = (users.data || []).find((u) => u.id === view.person.id) || view.person;
    return (
      <PersonForm person={person} me={me} teams={teamList} waiting={waiting.get(person.id)}
        onCancel={() => toList()}
        onDone={(message) => { reload(); toList(message); }}
        onSent={(sent) => { reload(); setView({ sent, person }); }} />
    );
  }

  const error = users.error || teams.error || invitations.error;
  return (
    <Screen title={S.adminUsers}>
      <BackToAdmin />
      {error ? (
        <RemoteError error={error} onRetry={() => { reload(); teams.reload(); }} />
      ) : (
        <PeopleList
          people={users.data} teams={teamList} waiting={waiting} me={me}
          query={query} setQuery={setQuery} status={status}
          onInvite={() => { setStatus(''); setView('invite'); }}
          onOpen={(person) => { setStatus(''); setView({ person }); }} />
      )}
    </Screen>
  );
}

const teamNames = (person, teams) =>
  teams.filter((t) => person.team_ids.includes(t.id)).map((t) => t.name);

// "Invited" while the link works, "Invitation expired" once it does not; null for people
// who have a password.
function invitationBadge(w) {
  if (!w) return null;
  return w.live ? S.pplInvitedBadge : S.pplExpiredBadge;
}

function matches(person, teams, q) {
  if (!q) return true;
  const text = [person.name, person.email, ROLE_LABEL[person.role], ...teamNames(person, teams)]
    .join(' ')
    .toLowerCase();
  return q.split(/\s+/).every((word) => text.includes(word));
}

function PeopleList({ people, teams, waiting, me, query, setQuery, status, onInvite, onOpen }) {
  const q = query.trim().toLowerCase();
  const found = useMemo(() => (people || []).filter((p) => matches(p, teams, q)), [people, teams, q]);
  const active = found.filter((p) => p.active);
  const inactive = found.filter((p) => !p.active);
  return (
    <>
      <p class="muted">{S.pplIntro}</p>
      <p class="ppl-status" role="status">{status}</p>
      <button type="button" class="primary" onClick={onInvite}>{S.pplInvite}</button>
      {people && people.length >= SEARCH_FROM && (
        <label class="ppl-search">
          <span>{S.pplSearch}</span>
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      )}
      {people && !found.length && <p class="empty">{S.pplNoMatch(query.trim())}</p>}
      {active.length > 0 && (
        <PeopleRows title={S.pplActive(active.length)} list={active} teams={teams} waiting={waiting} me={me} onOpen={onOpen} />
      )}
      {inactive.length > 0 && (
        <PeopleRows title={S.pplInactive(inactive.length)} list={inactive} teams={teams} waiting={waiting} me={me} onOpen={onOpen} />
      )}
    </>
  );
}

function PeopleRows({ title, list, teams, waiting, me, onOpen }) {
  return (
    <section>
      <h2>{title}</h2>
      <ul class="ppl-list">
        {list.map((p) => {
          const names = teamNames(p, teams);
          const badge = p.active && invitationBadge(waiting.get(p.id));
          return (
            <li key={p.id}>
              <button type="button" class={p.active ? 'ppl-row' : 'ppl-row is-inactive'} onClick={() => onOpen(p)}>
                <span class="ppl-name">
                  {p.name}
                  {p.id === me.id && <span class="muted"> · {S.pplYou}</span>}
                </span>
                <span class="ppl-email">{p.email}</span>
                <span class="ppl-sub">
                  <span class="ppl-role">{ROLE_LABEL[p.role] || p.role}</span>
                  <span>{names.length ? names.join(', ') : S.pplNoTeam}</span>
                </span>
                {(!p.active || badge) && (
                  <span class="ppl-badges">
                    {!p.active && <span class="badge ppl-off">{S.pplInactiveBadge}</span>}
                    {badge && <span class="badge">{badge}</span>}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

// The role choice with what the role may do, and the team checkboxes: shared by the
// invitation and the person's form.
function RoleAndTeams({ role, setRole, teamIds, setTeamIds, teams, errors, disabled }) {
  const toggle = (id) =>
    setTeamIds(teamIds.includes(id) ? teamIds.filter((t) => t !== id) : [...teamIds, id]);
  const roleError = errors.role && [].concat(errors.role).join(' ');
  const teamError = errors.team_ids && [].concat(errors.team_ids).join(' ');
  return (
    <>
      <div class="field">
        <label>
          <span>{S.pplRole}</span>
          <select name="role" value={role} disabled={disabled} aria-describedby="ppl-role-help"
            aria-invalid={roleError ? 'true' : undefined} onChange={(e) => setRole(e.currentTarget.value)}>
            {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABEL[r]}</option>)}
          </select>
        </label>
        <p class="muted ppl-help" id="ppl-role-help">{S.pplRoleHelp[role]}</p>
        {roleError && <p class="field-error">{roleError}</p>}
      </div>
      <fieldset class="ppl-teams" aria-invalid={teamError ? 'true' : undefined}>
        <legend>{S.pplTeams}</legend>
        {teams.length ? teams.map((t) => (
          <label class="check" key={t.id}>
            <input type="checkbox" name="team" value={t.id} checked={teamIds.includes(t.id)} onChange={() => toggle(t.id)} />
            {t.name}
          </label>
        )) : <p class="muted">{S.pplNoTeams} <Link href="/admin/teams">{S.adminTeams}</Link></p>}
        {teamError && <p class="field-error">{teamError}</p>}
      </fieldset>
    </>
  );
}

// A refused save, split for the form (a taken email said in full).
function splitErrors(res, known) {
  const fields = { ...res.fields };
  if (res.status === 409 && fields.email) fields.email = [S.pplEmailTaken];
  return splitRefusal(res, known, fields);
}

function InviteForm({ teams, onCancel, onSent }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('rep');
  const [teamIds, setTeamIds] = useState([]);
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage('');
    const res = await save('POST', '/users', { email: email.trim(), name: name.trim(), role, team_ids: teamIds });
    setBusy(false);
    if (res.ok) {
      const { invitation, ...person } = res.data;
      onSent(invitation, person);
      return;
    }
    const { inPlace, message: text } = splitErrors(res, ['email', 'name', 'role', 'team_ids']);
    setErrors(inPlace);
    setMessage(text);
  }
  // A change answers the refusal it was made for: its field's message and the summary go.
  const changed = (set, key) => (value) => {
    set(value);
    setMessage('');
    if (errors[key]) setErrors({ ...errors, [key]: undefined });
  };
  const typed = (set, key) => (e) => changed(set, key)(e.currentTarget.value);

  return (
    <Screen title={S.pplInvite}>
      <p class="back"><button type="button" class="link" onClick={onCancel}>{S.pplBack}</button></p>
      <p class="muted">{S.pplInviteHelp}</p>
      <form class="form" onSubmit={submit} noValidate>
        <Field name="email" type="email" label={S.pplEmail} required autocomplete="off" inputMode="email"
          autocapitalize="none" spellcheck={false} value={email} onInput={typed(setEmail, 'email')}
          error={errors.email} idPrefix="invite" />
        <Field name="name" label={S.pplName} required autocomplete="off" value={name}
          onInput={typed(setName, 'name')} error={errors.name} idPrefix="invite" />
        <RoleAndTeams role={role} setRole={changed(setRole, 'role')} teamIds={teamIds}
          setTeamIds={changed(setTeamIds, 'team_ids')} teams={teams} errors={errors} />
        {message && <p class="error" role="alert">{message}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{busy ? S.pplSending : S.pplSendInvite}</button>
          <button type="button" onClick={onCancel}>{S.cancel}</button>
        </div>
      </form>
    </Screen>
  );
}

// A new invitation link, shown once: whether the email went, the link to copy or share, and
// until when it works.
function InviteResult({ sent, person, onDone, onAnother }) {
  const [copied, setCopied] = useState('');
  const input = useRef(null);
  const mail = sent.email === 'sent' ? S.pplMailSent(person.email)
    : sent.email === 'failed' ? S.pplMailFailed : S.pplMailOff;

  async function copy() {
    try {
      await navigator.clipboard.writeText(sent.url);
      setCopied(S.pplCopied);
    } catch {
      // No clipboard API (plain HTTP, an older browser): copy the selected text instead.
      input.current?.select();
      let done = false;
      try {
        done = document.execCommand('copy');
      } catch {
        done = false;
      }
      setCopied(done ? S.pplCopied : S.pplCopyFailed);
    }
  }
  async function share() {
    try {
      await navigator.share({ title: S.pplInvitation, url: sent.url });
    } catch {
      // Closed without sharing: nothing to say.
    }
  }

  return (
    <Screen title={S.pplInvitedTitle}>
      <p class="ppl-status">{S.pplInvitedWho(person.name, person.email)}</p>
      <p class={sent.email === 'sent' ? '' : 'note'}>{mail}</p>
      <div class="field">
        <label>
          <span>{S.pplLink}</span>
          <input ref={input} class="ppl-link" name="invitation-link" readOnly value={sent.url}
            aria-describedby="ppl-link-help" onFocus={(e) => e.currentTarget.select()} />
        </label>
        <p class="muted ppl-help" id="ppl-link-help">{S.pplLinkHelp(fmtDateTime(sent.expires_at))}</p>
      </div>
      <div class="row">
        <button type="button" class="primary" onClick={copy}>{S.pplCopy}</button>
        {typeof navigator.share === 'function' && <button type="button" onClick={share}>{S.pplShare}</button>}
      </div>
      <p role="status" class={copied ? 'ppl-status' : 'sr-only'}>{copied}</p>
      <div class="row ppl-after">
        <button type="button" onClick={onDone}>{S.pplDone}</button>
        <button type="button" onClick={onAnother}>{S.pplInviteAnother}</button>
      </div>
    </Screen>
  );
}

const sameTeams = (a, b) => a.length === b.length && a.every((t) => b.includes(t));

function PersonForm({ person, me, teams, waiting, onCancel, onDone, onSent }) {
  const self = person.id === me.id;
  const [role, setRole] = useState(person.role);
  const [teamIds, setTeamIds] = useState(person.team_ids);
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);

  const changed = (set, key) => (value) => {
    set(value);
    setMessage('');
    if (errors[key]) setErrors({ ...errors, [key]: undefined });
  };

  async function send(method, path, body) {
    setBusy(true);
    setMessage('');
    const res = await save(method, path, body);
    setBusy(false);
    if (res.ok) return res.data;
    const { inPlace, message: text } = splitErrors(res, ['role', 'team_ids']);
    setErrors(inPlace);
    setMessage(text);
    return null;
  }

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const body = {};
    if (role !== person.role) body.role = role;
    if (!sameTeams(teamIds, person.team_ids)) body.team_ids = teamIds;
    if (!Object.keys(body).length) {
      onDone(S.pplNothingChanged);
      return;
    }
    const saved = await send('PATCH', `/users/${person.id}`, body);
    if (saved) onDone(S.pplSaved(saved.name));
  }

  async function setActive(active) {
    setConfirming(false);
    const saved = await send('PATCH', `/users/${person.id}`, { active });
    if (saved) onDone(active ? S.pplReactivated(saved.name) : S.pplDeactivated(saved.name));
  }

  async function resend() {
    const sent = await send('POST', `/users/${person.id}/invitation`);
    if (sent) onSent(sent);
  }

  return (
    <Screen title={person.name}>
      <p class="back"><button type="button" class="link" onClick={onCancel}>{S.pplBack}</button></p>
      <p class="ppl-email">{person.email}</p>
      {!person.active && <p class="note">{S.pplInactiveHelp}</p>}
      {self && <p class="note">{S.pplSelfNote}</p>}
      <form class="form" onSubmit={submit} noValidate>
        <RoleAndTeams role={role} setRole={changed(setRole, 'role')} teamIds={teamIds}
          setTeamIds={changed(setTeamIds, 'team_ids')} teams={teams} errors={errors} disabled={self} />
        {message && <p class="error" role="alert">{message}</p>}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>{busy ? S.pplSaving : S.pplSaveChanges}</button>
          <button type="button" onClick={onCancel}>{S.cancel}</button>
        </div>
      </form>
      {waiting && person.active && (
        <section class="ppl-section" aria-labelledby="ppl-inv-h">
          <h2 id="ppl-inv-h">{S.pplInvitation}</h2>
          <p class="muted">
            {waiting.live ? S.pplWaiting(fmtDateTime(waiting.expires_at))
              : waiting.sent_at ? S.pplWaitingExpired : S.pplWaitingNone}
          </p>
          <p class="muted">{S.pplResendHelp}</p>
          <button type="button" disabled={busy} onClick={resend}>{S.pplResend}</button>
        </section>
      )}
      {!self && (
        <section class="ppl-section" aria-labelledby="ppl-access-h">
          <h2 id="ppl-access-h">{S.pplAccess}</h2>
          {person.active && <p class="muted">{S.pplActiveHelp}</p>}
          {confirming ? (
            <div class="confirm" role="alertdialog" aria-labelledby="ppl-confirm">
              <p id="ppl-confirm">
                {person.active ? S.pplDeactivateConfirm(person.name) : S.pplReactivateConfirm(person.name)}
              </p>
              <div class="row">
                <button type="button" class={person.active ? 'danger-fill' : 'primary'} disabled={busy}
                  onClick={() => setActive(!person.active)}>
                  {person.active ? S.pplDeactivate : S.pplReactivate}
                </button>
                <button type="button" onClick={() => setConfirming(false)}>{S.cancel}</button>
              </div>
            </div>
          ) : (
            <button type="button" class={person.active ? 'ppl-deactivate' : ''} disabled={busy}
              onClick={() => setConfirming(true)}>
              {person.active ? S.pplDeactivate : S.pplReactivate}
            </button>
          )}
        </section>
      )}
    </Screen>
  );
}
