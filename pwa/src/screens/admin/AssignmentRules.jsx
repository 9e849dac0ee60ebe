// Assignment rules: who gets a lead nobody chose an owner for (a question handed to sales, a
// form inquiry, an imported row). An ordered list; the first rule whose every condition holds
// decides, and routes to a person or to a team (round-robin among its available reps). A rule
// without conditions catches the rest; without any match the default owner gets it. Online,
// like every administration screen (REST /assignment-rules; nothing of it is synced).
import { useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { Field, Screen } from '../../components.jsx';
import {
  AdminSection, BackToList, Confirm, FormEnd, ListHead, ProductSelect, save, useAdminForm, useEditing, useRemote,
} from './common.jsx';
import { saveTarget } from './form.js';
import { useStore } from '../../store.js';
import { sourceLabel } from '../../org.js';
import { CONDITIONS, matchText, ruleBody } from './deskAdmin.js';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

export function AdminAssignmentRules() {
  const s = useStore();
  const remote = useRemote('/assignment-rules');
  const teams = useRemote('/teams');
  const { editing, status, say, open, close, done } = useEditing(remote.reload);
  const rules = [...(remote.data || [])].sort((a, b) => a.position - b.position);
  const people = s.users.filter((u) => u.active !== false && u.role !== 'cs');
  const targets = { people, teams: teams.data || [] };

  if (editing) {
    return <RuleForm rule={editing === 'new' ? null : editing} count={rules.length} targets={targets} onDone={done} onCancel={close} />;
  }
  const nameOf = (r) => (r.owner_id
    ? people.find((u) => u.id === r.owner_id)?.name || S.owner
    : S.ruleTeamRoundRobin(targets.teams.find((t) => t.id === r.team_id)?.name || S.ruleTeam));

  async function move(rule, position) {
    const res = await save('PATCH', `/assignment-rules/${rule.id}`, { position });
    if (res.ok) done(S.ruleMoved(rule.name, position));
    else say(res.message);
  }

  return (
    <AdminSection title={S.adminRules} error={remote.error} onRetry={remote.reload}>
      <ListHead intro={S.rulesIntro} status={status} tone="ok" newLabel={S.ruleNew} onNew={() => open('new')} />
      {remote.loading && !remote.data ? null : rules.length === 0 ? <p class="empty">{S.rulesEmpty}</p> : (
        <ol class="adm-list rules">
          {rules.map((r, i) => (
            <li key={r.id} class="adm-list-row">
              <button type="button" class="adm-product" onClick={() => open(r)}>
                <span class="adm-product-name">{i + 1}. {r.name}</span>
                <span class="adm-product-sub">{matchText(r.match, { products: s.products })}</span>
                <span class="adm-product-sub">→ {nameOf(r)}</span>
              </button>
              <button type="button" class="adm-icon" aria-label={S.ruleUp(r.name)} disabled={i === 0} onClick={() => move(r, r.position - 1)}>↑</button>
              <button type="button" class="adm-icon" aria-label={S.ruleDown(r.name)} disabled={i === rules.length - 1} onClick={() => move(r, r.position + 1)}>↓</button>
            </li>
          ))}
        </ol>
      )}
    </AdminSection>
  );
}

// The server's fields as the form shows them: the conditions' own (sent inside `match`) at
// each condition, an owner's or a team's at "Goes to".
function ruleFields(res) {
  const fields = { ...res.fields };
  if (fields.match && typeof fields.match === 'object' && !Array.isArray(fields.match)) Object.assign(fields, fields.match);
  delete fields.match;
  if (fields.owner_id || fields.team_id) fields.to = [].concat(fields.owner_id || [], fields.team_id || []);
  delete fields.owner_id;
  delete fields.team_id;
  return fields;
}

function RuleForm({ rule, count, targets, onDone, onCancel }) {
  const s = useStore();
  const { form, errors, message, busy, setErrors, setMessage, bind, pick, call, send, onSubmit } = useAdminForm(() => ({
    name: rule?.name || '',
    ...Object.fromEntries(CONDITIONS.map((k) => [k, rule?.match?.[k] || ''])),
    to: rule?.owner_id ? `user:${rule.owner_id}` : rule?.team_id ? `team:${rule.team_id}` : '',
  }), { idPrefix: 'rule', known: ['name', 'to', ...CONDITIONS], fieldsOf: ruleFields });
  const [confirming, setConfirming] = useState(false);

  const submit = onSubmit(async () => {
    if (!form.to) {
      setErrors({ to: [S.ruleChooseTarget] });
      return;
    }
    const body = ruleBody(form);
    if (!rule) body.position = count + 1;
    if (await send(...saveTarget('/assignment-rules', rule), body)) onDone(S.cannedAdmSaved);
  });

  async function remove() {
    const res = await call('DELETE', `/assignment-rules/${rule.id}`);
    if (res.ok) onDone(S.ruleDeleted(rule.name));
    else setMessage(res.message);
  }

  const sources = [...s.org.lead_sources];
  if (form.source && !sources.includes(form.source)) sources.push(form.source);
  return (
    <Screen title={rule ? S.ruleEdit : S.ruleNew}>
      <BackToList label={`← ${S.adminRules}`} onBack={onCancel} />
      <form class="form" onSubmit={submit} noValidate>
        <Field name="name" label={S.ruleName} required maxLength={120} autocomplete="off" {...bind('name')} />
        <p class="adm-help">{S.ruleConditionsHelp}</p>
        <Field name="region" label={S.ruleRegion} maxLength={120} autocomplete="off" {...bind('region')} />
        <Field name="region_prefix" label={S.ruleRegionPrefix} maxLength={40} autocomplete="off" {...bind('region_prefix')} />
        <label>{S.ruleSource}
          <select name="source" {...pick('source')}>
            <option value="">{S.slaAdmAnySource}</option>
            {sources.map((v) => <option key={v} value={v}>{sourceLabel(v)}</option>)}
          </select>
        </label>
        <ProductSelect label={S.ruleProduct} {...pick('product_id')} />
        <label>{S.rulePriority}
          <select name="priority" {...pick('priority')}>
            <option value="">{S.slaAdmAnyPriority}</option>
            {PRIORITIES.map((v) => <option key={v} value={v}>{S.slaAdmPriority[v]}</option>)}
          </select>
        </label>
        <label>{S.ruleTo}
          <select name="to" aria-invalid={errors.to ? 'true' : undefined} aria-describedby={errors.to ? 'rule-to-error' : undefined} {...pick('to')}>
            <option value="">{S.ruleChoose}</option>
            <optgroup label={S.ruleTeams}>
              {targets.teams.map((t) => <option key={t.id} value={`team:${t.id}`}>{S.ruleTeamRoundRobin(t.name)}</option>)}
            </optgroup>
            <optgroup label={S.rulePeople}>
              {targets.people.map((u) => <option key={u.id} value={`user:${u.id}`}>{u.name}</option>)}
            </optgroup>
          </select>
        </label>
        {errors.to && <p class="field-error" id="rule-to-error">{[].concat(errors.to).join(' ')}</p>}
        <FormEnd message={message} busy={busy} label={S.save} onCancel={onCancel} />
      </form>
      {rule && (
        <section class="adm-active">
          {confirming ? (
            <Confirm id="rule-del-q" question={S.ruleDeleteConfirm(rule.name)} action={S.ruleDelete} busy={busy}
              onConfirm={remove} back={S.keep} onBack={() => setConfirming(false)} />
          ) : (
            <button type="button" class="adm-deactivate" onClick={() => setConfirming(true)}>{S.ruleDelete}</button>
          )}
        </section>
      )}
    </Screen>
  );
}
