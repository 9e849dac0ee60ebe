// SLA policies: how long a new inquiry may wait for its first response, and a lead between
// follow-ups, in business time; per priority and/or source, or for any. The most specific
// active policy matching a lead sets its clock (app/sla/policies.py). Policies are never
// deleted, only deactivated (clocks and reports refer to them). Devices get them by sync.
import { useMemo, useRef } from 'preact/hooks';
import { S, SLA_METRIC } from '../../strings.js';
import { useStore } from '../../store.js';
import { fmtMinutes } from '../../format.js';
import { sourceLabel } from '../../org.js';
import { Field, Screen } from '../../components.jsx';
import { AdminSection, BackToList, FormEnd, ListHead, useAdminForm, useEditing, useRemote } from './common.jsx';
import { nothingToSave, saveTarget } from './form.js';
import { Choice, Duration, SlaPreview, focusFirstInvalid } from './SlaParts.jsx';
import { DEFAULT_TARGETS } from '../../sync/leads.js';
import { itemTypeOf, policyBody, policyForm, policyTrial } from './slaForms.js';

const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
// A lead's two clocks, then a consumer question's.
const METRICS = ['first_response', 'follow_up', 'first_reply'];
// The server's field names, each shown at its place in the form.
const FIELDS = ['name', 'metric', 'priority', 'source', 'target_minutes', 'warn_ratio', 'escalate_after_minutes'];

export function AdminPolicies() {
  const s = useStore();
  const remote = useRemote('/sla/policies');
  const { editing, status, open, close, done } = useEditing(remote.reload);
  // Policies count for every team: admins set them (app/accounts/permissions.py
  // may_set_sla_policies); team leads read them.
  const writes = s.session.user.role === 'admin';

  if (editing && writes) {
    return <PolicyForm policy={editing === 'new' ? null : editing} onDone={done} onCancel={close} />;
  }
  return (
    <AdminSection title={S.adminPolicies} error={remote.error} onRetry={remote.reload}>
      <ListHead intro={S.slaAdmPoliciesIntro} note={!writes && <p class="note">{S.slaAdmPoliciesReadOnly}</p>}
        status={status} tone="" newLabel={S.slaAdmNewPolicy} onNew={writes && (() => open('new'))} />
      {remote.data && <PolicyList policies={remote.data} onEdit={writes ? open : null} />}
    </AdminSection>
  );
}

export const matchLabel = (p) =>
  `${p.priority ? S.slaAdmPriorityMatch(S.slaAdmPriority[p.priority] || p.priority) : S.slaAdmAnyPriority} · ${
    p.source ? sourceLabel(p.source) : S.slaAdmAnySource}`;

function PolicyList({ policies, onEdit }) {
  const Item = onEdit ? 'button' : 'div'; // read-only for those who may not change them
  const groups = useMemo(() => METRICS.map((metric) => ({
    metric,
    list: policies
      .filter((p) => (p.item_type || 'lead') === itemTypeOf(metric) && p.metric === metric)
      .sort((a, b) => (b.active - a.active) || a.name.localeCompare(b.name)),
  })), [policies]);
  return groups.map(({ metric, list }) => (
    <section key={metric} aria-labelledby={`pol-${metric}`}>
      <h2 id={`pol-${metric}`}>{SLA_METRIC[metric]}</h2>
      {!list.length ? (
        <p class="empty">{S.slaAdmNoPolicy(fmtMinutes(DEFAULT_TARGETS[metric].target_minutes))}</p>
      ) : (
        <ul class="sla-list">
          {list.map((p) => (
            <li key={p.id}>
              <Item class={p.active ? 'sla-item' : 'sla-item is-inactive'} {...(onEdit ? { type: 'button', onClick: () => onEdit(p) } : {})}>
                <span class="sla-item-name">{p.name}</span>
                <span class="sla-item-sub">{matchLabel(p)}</span>
                <span class="sla-item-sub">
                  <strong>{S.slaAdmTargetShort(fmtMinutes(p.target_minutes))}</strong>
                  {' · '}{S.slaAdmWarnShort(Math.round(p.warn_ratio * 100))}
                  {' · '}{p.escalate_after_minutes ? S.slaAdmEscalateShort(fmtMinutes(p.escalate_after_minutes)) : S.slaAdmNoEscalation}
                </span>
                {!p.active && <span class="badge">{S.slaAdmInactive}</span>}
              </Item>
            </li>
          ))}
        </ul>
      )}
    </section>
  ));
}

const checkText = (code) => [S.slaAdmCheck[code] || code];
// Where the message of each part of the form shows: a duration's hours and minutes at the
// duration, the percentage at the warning ratio.
const FIELD_OF = {
  targetHours: 'target_minutes', targetMinutes: 'target_minutes', escalateHours: 'escalate_after_minutes',
  escalateMinutes: 'escalate_after_minutes', warnPercent: 'warn_ratio',
};

function PolicyForm({ policy, onDone, onCancel }) {
  const s = useStore();
  const formRef = useRef(null);
  const { form, errors, message, busy, setMessage, set: setField, bind, send, refuseChecks, onSubmit } = useAdminForm(
    () => policyForm(policy),
    {
      idPrefix: 'sla', known: FIELDS, notSaved: S.slaAdmNotSaved, errorKey: (k) => FIELD_OF[k] || k,
      onRefused: () => focusFirstInvalid(formRef.current),
    },
  );
  const set = (k) => (value) => setField(k, value);

  // The org's own sources, and the policy's even if the list no longer has it.
  const sources = [...s.org.lead_sources];
  if (form.source && !sources.includes(form.source)) sources.push(form.source);
  const sourceOptions = [{ value: '', label: S.slaAdmAnySource }, ...sources.map((v) => ({ value: v, label: sourceLabel(v) }))];
  const priorityOptions = [{ value: '', label: S.slaAdmAnyPriority }, ...PRIORITIES.map((v) => ({ value: v, label: S.slaAdmPriority[v] }))];

  // The answer's policy, or null when refused.
  const savePolicy = async (body) => (await send(...saveTarget('/sla/policies', policy), body))?.data || null;

  const submit = onSubmit(async () => {
    const { body, errors: found } = policyBody(form, policy);
    if (found) return refuseChecks(found, (code) => S.slaAdmCheck[code] || code);
    if (nothingToSave(policy, body)) return onDone(S.slaAdmNothingChanged);
    const saved = await savePolicy(body);
    if (saved) onDone(S.slaAdmPolicySaved(saved.name));
  });

  async function toggleActive() {
    if (busy) return;
    setMessage('');
    const saved = await savePolicy({ active: !policy.active });
    if (saved) onDone(saved.active ? S.slaAdmPolicyActivated(saved.name) : S.slaAdmPolicyDeactivated(saved.name));
  }

  const trial = policyTrial(form, policy);
  // The form's own checks show as the admin types (the name only once Save was pressed).
  const found = policyBody(form, policy).errors || {};
  const errorOf = (f) => errors[f] || (f !== 'name' && found[f] ? checkText(found[f]) : undefined);
  return (
    <Screen title={policy ? S.slaAdmEditPolicy : S.slaAdmNewPolicy}>
      <BackToList label={`← ${S.adminPolicies}`} onBack={onCancel} />
      {policy && !policy.active && <p class="note">{S.slaAdmInactiveHelp}</p>}
      <form class="form sla-form" ref={formRef} onSubmit={submit} noValidate>
        <Field name="name" label={S.slaAdmName} required autocomplete="off" {...bind('name')} />
        {policy ? (
          <p class="sla-fixed"><span>{S.slaAdmMetric}</span> <strong>{SLA_METRIC[policy.metric]}</strong></p>
        ) : (
          <Choice name="metric" label={S.slaAdmMetric} value={form.metric} onChange={set('metric')} error={errorOf('metric')}
            options={METRICS.map((m) => ({ value: m, label: SLA_METRIC[m] }))} help={S.slaAdmMetricHelp[form.metric]} />
        )}
        {itemTypeOf(form.metric) === 'lead' && <div class="sla-match">
          <Choice name="priority" label={S.slaAdmPriorityLabel} value={form.priority} onChange={set('priority')}
            error={errorOf('priority')} options={priorityOptions} />
          <Choice name="source" label={S.slaAdmSourceLabel} value={form.source} onChange={set('source')}
            error={errorOf('source')} options={sourceOptions} />
        </div>}
        <Duration name="target_minutes" legend={S.slaAdmTarget} hours={form.targetHours} minutes={form.targetMinutes}
          onHours={set('targetHours')} onMinutes={set('targetMinutes')} error={errorOf('target_minutes')}
          help={S.slaAdmTargetHelp} />
        <div class="field">
          <label>
            <span>{S.slaAdmWarn}</span>
            <span class="sla-percent">
              <input type="text" inputMode="numeric" maxLength={3} autocomplete="off" name="warn_ratio"
                value={form.warnPercent} onInput={(e) => set('warnPercent')(e.currentTarget.value)}
                aria-invalid={errorOf('warn_ratio') ? 'true' : undefined}
                aria-describedby={errorOf('warn_ratio') ? 'sla-warn_ratio-error' : undefined} />
              <span aria-hidden="true">%</span>
            </span>
          </label>
          {errorOf('warn_ratio') && <p class="field-error" id="sla-warn_ratio-error">{[].concat(errorOf('warn_ratio')).join(' ')}</p>}
        </div>
        <Duration name="escalate_after_minutes" legend={S.slaAdmEscalate} hours={form.escalateHours}
          minutes={form.escalateMinutes} onHours={set('escalateHours')} onMinutes={set('escalateMinutes')}
          error={errorOf('escalate_after_minutes')} help={S.slaAdmEscalateHelp} />
        <SlaPreview body={trial} />
        <FormEnd message={message} busy={busy} label={policy ? S.slaAdmSave : S.slaAdmAdd} saving={S.slaAdmSaving}
          onCancel={onCancel} />
      </form>
      {policy && (
        <section class="adm-active">
          <p class="muted">{policy.active ? S.slaAdmDeactivateHelp : S.slaAdmActivateHelp}</p>
          <button type="button" disabled={busy} onClick={toggleActive}>
            {policy.active ? S.slaAdmDeactivate : S.slaAdmActivate}
          </button>
        </section>
      )}
    </Screen>
  );
}
