import { useEffect, useState } from 'preact/hooks';
import { S, STAGE_LABEL, KIND_LABEL, SLA_METRIC, SLA_STATE } from '../strings.js';
import { lostReasonChoice, lostReasonLabel, lostReasonOptions, sourceLabel } from '../org.js';
import { dismissProblem, followupsOf, mutate, useStore } from '../store.js';
import { uuid } from '../sync/db.js';
import { fmtDateTime, fmtMinutes, fmtMoney, fromLocalInput, phoneShown, toLocalInput } from '../format.js';
import { Countdown, DraftCard, ReassignPicker, Screen, fieldMessage, problemText, useNow } from '../components.jsx';
import { OPEN_STAGES, clockOf, defaultNextFollowUp, policyFor } from '../sync/apply.js';
import { isDraft, pathOf, problemsOf } from '../sync/entities.js';
import { Link } from '../router.jsx';
import { checkMutation, ownerChoices } from '../rules.js';
import { LeadConversation } from './Questions.jsx';

const ACTIONS = [
  ['call', S.actCalled],
  ['visit', S.actVisited],
  ['quote', S.actQuote],
  ['next', S.actNext],
  ['won', S.actWon],
  ['lost', S.actLost],
  ['edit', S.actEdit],
  ['reopen', S.actReopen],
];

function ActionForm({ kind, lead, org, onDone }) {
  const [f, setF] = useState({
    note: '', outcome: '', amount: '', reason: lostReasonChoice(org), value: lead.estimated_value ?? '',
    // A contact's form offers a future next follow-up (the lead's own if still ahead).
    next: toLocalInput(kind === 'next' ? lead.next_follow_up_at : defaultNextFollowUp(lead)), reopen: 'contacted', phone: lead.phone || '', company: lead.company || '',
    email: lead.email || '', notes: lead.notes || '',
  });
  const bind = (k) => ({ value: f[k], onInput: (e) => setF({ ...f, [k]: e.currentTarget.value }) });
  const reason = lostReasonChoice(org, f.reason); // one of the organisation's, even after a sync
  const now = () => new Date().toISOString();
  // One follow-up id per open form: a second submit is the same follow-up (outbox: a no-op).
  const [followupId] = useState(uuid);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const err = (k) => fieldMessage(errors[k]);
  const described = (k) => (errors[k] ? { 'aria-invalid': 'true', 'aria-describedby': `act-${k}-error` } : {});
  const message = (k) => errors[k] && <p class="field-error" id={`act-${k}-error`}>{err(k)}</p>;
  // A form's field -> the mutation's: what the rules check, with the form's names.
  const FORM_NAME = { quoted_amount: 'amount', won_value: 'value', next_follow_up_at: 'next' };

  // Checked with rules.js before anything is saved; each problem shown at its field.
  function checked(name, args) {
    const found = checkMutation(name, args);
    const byForm = Object.fromEntries(Object.entries(found).map(([k, v]) => [FORM_NAME[k] || k, v]));
    setErrors(byForm);
    return Object.keys(byForm).length === 0;
  }

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      if (await save()) onDone();
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    const next = fromLocalInput(f.next);
    if (kind === 'call' || kind === 'visit' || kind === 'quote') {
      const args = { id: followupId, lead_id: lead.id, kind, note: f.note || null, happened_at: now() };
      if (f.outcome) args.outcome = f.outcome;
      if (next && next !== lead.next_follow_up_at) args.next_follow_up_at = next;
      if (kind === 'quote' && f.amount !== '') args.quoted_amount = Number(f.amount);
      if (!checked('followup.create', args)) return false;
      await mutate('followup.create', args);
    } else if (kind === 'next') {
      if (next && Date.parse(next) < Date.now()) {
        setErrors({ next: { code: 'past' } });
        return false;
      }
      await mutate('lead.update', { id: lead.id, base_version: lead.version, set: { next_follow_up_at: next } });
    } else if (kind === 'won') {
      const args = { id: lead.id, stage: 'won', won_value: Number(f.value), note: f.note || undefined };
      if (!checked('lead.set_stage', args)) return false;
      await mutate('lead.set_stage', args);
    } else if (kind === 'lost') {
      const args = { id: lead.id, stage: 'lost', lost_reason: reason, note: f.note || undefined };
      if (!checked('lead.set_stage', args)) return false;
      await mutate('lead.set_stage', args);
    } else if (kind === 'reopen') {
      const args = { id: lead.id, stage: f.reopen, note: f.note || undefined };
      if (!checked('lead.set_stage', args)) return false;
      await mutate('lead.set_stage', args);
    } else if (kind === 'edit') {
      const set = {};
      for (const k of ['phone', 'company', 'email', 'notes']) {
        const v = f[k].trim() || null;
        if (v !== (lead[k] ?? null)) set[k] = v;
      }
      const args = { id: lead.id, base_version: lead.version, set };
      if (!checked('lead.update', args)) return false;
      if (Object.keys(set).length) await mutate('lead.update', args);
    }
    return true;
  }

  return (
    <form class="form action-form" onSubmit={submit} aria-label={ACTIONS.find(([k]) => k === kind)[1]}>
      {kind === 'quote' && (
        <label>{S.amount}
          <input name="amount" type="number" inputMode="decimal" min="0" step="0.01" required {...bind('amount')} {...described('amount')} />
        </label>
      )}
      {kind === 'won' && (
        <label>{S.wonValue}
          <input name="won_value" type="number" inputMode="decimal" min="0.01" step="0.01" required {...bind('value')} {...described('value')} />
        </label>
      )}
      {message('amount')}{message('value')}
      {kind === 'lost' && (
        <label>{S.lostReason}
          <select name="lost_reason" aria-label={S.lostReason} value={reason} onChange={(e) => setF({ ...f, reason: e.currentTarget.value })}>
            {lostReasonOptions(org).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </label>
      )}
      {kind === 'edit' && (
        <>
          <label>{S.phone}<input name="phone" type="tel" inputMode="tel" {...bind('phone')} {...described('phone')} /></label>
          {message('phone')}
          <label>{S.company}<input name="company" {...bind('company')} {...described('company')} /></label>
          {message('company')}
          <label>{S.email}<input name="email" type="email" {...bind('email')} {...described('email')} /></label>
          {message('email')}
          <label>{S.notes}<textarea name="notes" rows={2} {...bind('notes')} {...described('notes')} /></label>
          {message('notes')}
        </>
      )}
      {kind === 'reopen' && (
        <label>{S.reopenStage}
          <select name="reopen_stage" value={f.reopen} onChange={(e) => setF({ ...f, reopen: e.currentTarget.value })}>
            {OPEN_STAGES.map((st) => <option key={st} value={st}>{STAGE_LABEL[st]}</option>)}
          </select>
        </label>
      )}
      {['call', 'visit', 'quote', 'won', 'lost', 'reopen'].includes(kind) && (
        <label>{kind === 'reopen' ? S.reopenNote : S.note}<textarea name="note" rows={2} {...bind('note')} {...described('note')} /></label>
      )}
      {message('note')}
      {['call', 'visit', 'quote'].includes(kind) && (
        <label>{S.outcome}<input name="outcome" {...bind('outcome')} {...described('outcome')} /></label>
      )}
      {message('outcome')}
      {['call', 'visit', 'quote', 'next'].includes(kind) && (
        <label>{S.nextFollowUp}
          <input name="next_follow_up_at" type="datetime-local" required={kind === 'next'} {...bind('next')} {...described('next')} />
        </label>
      )}
      {message('next')}
      {Object.keys(errors).length > 0 && <p class="error" role="alert">{S.fixBelow}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{S.save}</button>
        <button type="button" onClick={onDone}>{S.cancel}</button>
      </div>
    </form>
  );
}

// The lead's SLA clock as the server computed it, moved on by the device clock: which
// deadline, its state, when it is due (with a countdown), met/breached/escalated times and
// the policy's target.
function SlaClock({ lead, policies }) {
  const now = useNow(1000);
  const sla = lead.sla;
  // The lead's one countdown leads the row (what is due, how long; none once closed).
  if (!sla) return <dd class="sla"><Countdown lead={lead} /><br /><span class="muted">{S.slaNone}</span></dd>;
  const c = clockOf(lead, now);
  const state = c.running ? c.state : sla.state;
  const policy = policyFor(lead, policies);
  return (
    <dd class="sla">
      <Countdown lead={lead} /><br />
      <span class="sla-metric">{SLA_METRIC[sla.metric] || sla.metric}</span>{' '}
      <span class={`sla-state sla-${state}`}>{SLA_STATE[state] || state}</span>
      {c.running && sla.due_at && <><br />{S.slaDue} {fmtDateTime(sla.due_at)}</>}
      {sla.met_at && state === 'met' && <><br />{S.slaMetAt(fmtDateTime(sla.met_at))}</>}
      {sla.breached_at && state === 'breached' && <><br />{S.slaBreachedAt(fmtDateTime(sla.breached_at))}</>}
      {sla.escalated_at && <><br />{S.slaEscalatedAt(fmtDateTime(sla.escalated_at))}</>}
      {policy && <><br /><span class="muted">{S.slaTarget(fmtMinutes(policy.target_minutes), policy.name)}</span></>}
      {sla._local && <><br /><span class="muted">{S.slaLocal}</span></>}
    </dd>
  );
}

// The lead's follow-ups, re-read from IndexedDB whenever the data changes.
function useTimeline(id, version) {
  const [timeline, setTimeline] = useState([]);
  useEffect(() => {
    let live = true;
    followupsOf(id).then((list) => live && setTimeline(list));
    return () => {
      live = false;
    };
  }, [id, version]);
  return timeline;
}

export function LeadDetail({ id }) {
  const s = useStore();
  const [action, setAction] = useState(null);
  const timeline = useTimeline(id, s.dataVersion);
  const lead = s.leads.get(id);
  if (!lead) {
    return <Screen title={S.leadNotFound}><p><Link href="/" class="button">{S.back}</Link></p></Screen>;
  }
  const me = s.session.user;
  const product = s.products.find((p) => p.id === lead.product_id);
  const owner = s.users.find((u) => u.id === lead.owner_id);
  const onLead = problemsOf(s.problems, 'lead', id);
  const drafts = onLead.filter(isDraft);
  const problems = onLead.filter((p) => !isDraft(p));
  const open = OPEN_STAGES.includes(lead.stage);
  const canAssign = me.role === 'lead' || me.role === 'admin';
  const assignable = canAssign ? ownerChoices(me, s.users).choices : [];
  const money = (v) => fmtMoney(v, lead.currency || product?.currency);
  // A phone typed or changed here is not normalised until the server has it.
  const phone = phoneShown(lead, {
    unsent: s.outbox.some((e) => e.args?.id === lead.id
      && (e.name === 'lead.create' || (e.name === 'lead.update' && 'phone' in (e.args.set || {})))),
  });

  return (
    <Screen title={lead.contact_name}>
      {lead._draft && <p class="note">{S.draftLeadNote}</p>}
      {drafts.map((p) => <DraftCard key={p.key} problem={p} />)}
      {problems.length > 0 && (
        <ul class="problems" aria-label={S.problemsTitle}>
          {problems.map((p) => (
            <li key={p.key} class="problem" role="alert">
              <span>{problemText(p)}</span>
              <button type="button" class="link" onClick={() => dismissProblem(p.key)}>{S.dismiss}</button>
            </li>
          ))}
        </ul>
      )}
      <dl class="facts">
        {lead.company && <><dt>{S.company}</dt><dd>{lead.company}</dd></>}
        {phone && <><dt>{S.phone}</dt><dd class="phone"><a href={`tel:${phone.tel}`}>{phone.text}</a>
          {/* The number kept whole on its line (no-break spaces), unless it cannot fit at all. */}
          {phone.typed && <span class="muted phone-typed">{S.phoneTyped(phone.typed.replace(/ /g, '\u00a0'))}</span>}</dd></>}
        {lead.email && <><dt>{S.email}</dt><dd><a href={`mailto:${lead.email}`}>{lead.email}</a></dd></>}
        {(product || lead.product_text) && <><dt>{S.product}</dt><dd>{product?.name || lead.product_text}</dd></>}
        <dt>{S.stage}</dt>
        <dd><span class={`stage stage-${lead.stage}`}>{STAGE_LABEL[lead.stage]}</span>
          {lead.stage === 'won' && lead.won_value != null && ` · ${money(lead.won_value)}`}
          {lead.stage === 'lost' && lead.lost_reason && ` · ${lostReasonLabel(lead.lost_reason)}`}
        </dd>
        <dt>{S.source}</dt><dd>{sourceLabel(lead.source)}</dd>
        {owner && <><dt>{S.owner}</dt><dd>{owner.name}</dd></>}
        <dt>{S.sla}</dt>
        <SlaClock lead={lead} policies={s.slaPolicies} />
        {/* A closed lead owes no follow-up: the row would only confuse. */}
        {OPEN_STAGES.includes(lead.stage) && <><dt>{S.nextFollowUp}</dt>
          <dd>{lead.next_follow_up_at ? fmtDateTime(lead.next_follow_up_at) : <span class="muted">{S.noNextFollowUp}</span>}</dd></>}
        {lead.possible_duplicate_of && <><dt>{S.possibleDuplicate}</dt>
          <dd class="duplicate">{S.duplicateOf}{' '}{s.leads.has(lead.possible_duplicate_of)
            ? <Link href={pathOf('lead', lead.possible_duplicate_of)}>{s.leads.get(lead.possible_duplicate_of).contact_name}</Link>
            : S.duplicateHidden}</dd></>}
        {lead.notes && <><dt>{S.notes}</dt><dd class="pre">{lead.notes}</dd></>}
      </dl>
      {lead._pending && <p class="note">{S.notSent}</p>}

      {!lead._draft && <section aria-labelledby="actions-h">
        <h2 id="actions-h">{S.actions}</h2>
        <div class="actions" role="group" aria-label={S.actions}>
          {ACTIONS.filter(([k]) => (open ? k !== 'reopen' : k === 'edit' || (lead.stage === 'lost' && k === 'reopen'))).map(([k, label]) => (
            <button key={k} type="button" aria-pressed={action === k} onClick={() => setAction(action === k ? null : k)}>
              {label}
            </button>
          ))}
        </div>
        {lead.stage === 'won' && <p class="note">{S.wonFinal}</p>}
        {action && <ActionForm key={action} kind={action} lead={lead} org={s.org} onDone={() => setAction(null)} />}
        {canAssign && <ReassignPicker lead={lead} choices={assignable} users={s.users} />}
      </section>}

      {/* Handed over by the desk: the conversation it came from (online; the consumer may write again). */}
      {lead.source === 'customer_service' && <LeadConversation lead={lead} online={s.online} />}

      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">{S.timeline}</h2>
        {timeline.length === 0 ? <p class="empty">{S.noTimeline}</p> : (
          <ol class="timeline">
            {timeline.map((f) => (
              <li key={f.id}>
                <span class="tl-kind">{KIND_LABEL[f.kind] || f.kind}</span>
                <time dateTime={f.happened_at}>{fmtDateTime(f.happened_at)}</time>
                {f._pending && <span class="badge">{S.pendingBadge}</span>}
                {f.quoted_amount != null && <span class="tl-amount">{money(f.quoted_amount)}</span>}
                {f.note && <p class="pre">{f.note}</p>}
                {f.outcome && <p class="muted">{f.outcome}</p>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </Screen>
  );
}
