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
import { AdminSection, BackToList, Confirm, FormEnd, useAdminForm, useRemote } from './common.jsx';

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
    <AdminSection title={S.adminUsers} error={error} onRetry={() => { reload(); teams.reload(); }}>
      <PeopleList
        people={users.data} teams={teamList} waiting={waiting} me={me}
        query={query} setQuery={setQuery} status={status}
        onInvite={() => { setStatus(''); setView('invite'); }}
        onOpen={(person) => { setStatus(''); setView({ person }); }} />
    </AdminSection>
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
function RoleAndTeams({ form, set, teams, errors, disabled }) {
  const { role, team_ids: teamIds } = form;
  const toggle = (id) =>
    set('team_ids', teamIds.includes(id) ? teamIds.filter((t) => t !== id) : [...teamIds, id]);
  const roleError = errors.role && [].concat(errors.role).join(' ');
  const teamError = errors.team_ids && [].concat(errors.team_ids).join(' ');
  return (
    <>
      <div class="field">
        <label>
          <span>{S.pplRole}</span>
          <select name="role" value={role} disabled={disabled} aria-describedby="ppl-role-help"
            aria-invalid={roleError ? 'true' : undefined} onChange={(e) => set('role', e.currentTarget.value)}>
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

// A refused save's fields as the forms show them (a taken email said in full).
function emailSaidInFull(res) {
  const fields = { ...res.fields };
  if (res.status === 409 && fields.email) fields.email = [S.pplEmailTaken];
  return fields;
}

// A change answers the refusal it was made for: its field's message and the summary go.
const PEOPLE_FORM = { fieldsOf: emailSaidInFull, editClearsMessage: true };

function InviteForm({ teams, onCancel, onSent }) {
  const { form, errors, message, busy, set, bind, send, onSubmit } = useAdminForm(
    { email: '', name: '', role: 'rep', team_ids: [] },
    { ...PEOPLE_FORM, idPrefix: 'invite', known: ['email', 'name', 'role', 'team_ids'] },
  );

  const submit = onSubmit(async () => {
    const res = await send('POST', '/users', {
      email: form.email.trim(), name: form.name.trim(), role: form.role, team_ids: form.team_ids,
    });
    if (res) {
      const { invitation, ...person } = res.data;
      onSent(invitation, person);
    }
  });

  return (
    <Screen title={S.pplInvite}>
      <BackToList label={S.pplBack} onBack={onCancel} />
      <p class="muted">{S.pplInviteHelp}</p>
      <form class="form" onSubmit={submit} noValidate>
        <Field name="email" type="email" label={S.pplEmail} required autocomplete="off" inputMode="email"
          autocapitalize="none" spellcheck={false} {...bind('email')} />
        <Field name="name" label={S.pplName} required autocomplete="off" {...bind('name')} />
        <RoleAndTeams form={form} set={set} teams={teams} errors={errors} />
        <FormEnd message={message} busy={busy} label={S.pplSendInvite} saving={S.pplSending} onCancel={onCancel} />
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
  const { form, errors, message, busy, setMessage, set, send, onSubmit } = useAdminForm(
    () => ({ role: person.role, team_ids: person.team_ids }),
    { ...PEOPLE_FORM, known: ['role', 'team_ids'] },
  );
  const [confirming, setConfirming] = useState(false);
  // The answer's person (or invitation), or null when refused.
  const sendChange = async (method, path, body) => {
    setMessage('');
    return (await send(method, path, body))?.data || null;
  };

  const submit = onSubmit(async () => {
    const body = {};
    if (form.role !== person.role) body.role = form.role;
    if (!sameTeams(form.team_ids, person.team_ids)) body.team_ids = form.team_ids;
    if (!Object.keys(body).length) {
      onDone(S.pplNothingChanged);
      return;
    }
    const saved = await sendChange('PATCH', `/users/${person.id}`, body);
    if (saved) onDone(S.pplSaved(saved.name));
  });

  async function setActive(active) {
    setConfirming(false);
    const saved = await sendChange('PATCH', `/users/${person.id}`, { active });
    if (saved) onDone(active ? S.pplReactivated(saved.name) : S.pplDeactivated(saved.name));
  }

  async function resend() {
    const sent = await sendChange('POST', `/users/${person.id}/invitation`);
    if (sent) onSent(sent);
  }

  return (
    <Screen title={person.name}>
      <BackToList label={S.pplBack} onBack={onCancel} />
      <p class="ppl-email">{person.email}</p>
      {!person.active && <p class="note">{S.pplInactiveHelp}</p>}
      {self && <p class="note">{S.pplSelfNote}</p>}
      <form class="form" onSubmit={submit} noValidate>
        <RoleAndTeams form={form} set={set} teams={teams} errors={errors} disabled={self} />
        <FormEnd message={message} busy={busy} label={S.pplSaveChanges} saving={S.pplSaving} onCancel={onCancel} />
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
            <Confirm id="ppl-confirm"
              question={person.active ? S.pplDeactivateConfirm(person.name) : S.pplReactivateConfirm(person.name)}
              action={person.active ? S.pplDeactivate : S.pplReactivate} actionClass={person.active ? 'danger-fill' : 'primary'}
              busy={busy} onConfirm={() => setActive(!person.active)} onBack={() => setConfirming(false)} />
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
