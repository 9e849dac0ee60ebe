// The customer-service desk: the queue of consumer questions by first-reply deadline (live
// countdowns from the device clock, offline too), and one question's conversation with what
// answering it needs at hand: claim, reply or note, canned answers filled in for it, the
// product's facts, resolve and hand-off to sales. Every action is a mutation in the outbox,
// shown at once and sent when it can go, as everywhere else in the app. On a laptop the queue
// stays beside the conversation. Team leads read the desk; customer service and admins act.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { S } from '../strings.js';
import { fmtAgo, fmtCountdown, fmtDateTime, fmtTime } from '../format.js';
import {
  DiscardConfirm, LeadList, Screen, problemText, showNotice, useNames, useNow,
} from '../components.jsx';
import { Link } from '../router.jsx';
import { apiRequest, mutate, repliesOf, resendDraft, dismissProblem, syncNow, useStore } from '../store.js';
import { isDraft, pathOf, problemsOf } from '../sync/entities.js';
import { uuid } from '../sync/db.js';
import {
  OPEN_STATUSES, conversationOrder, deskList, heldByOther, liveClaim, questionClock,
} from '../sync/questions.js';
import { formatPrice, renderCanned, searchCanned } from '../canned.js';

const ANSWERING_ROLES = ['cs', 'admin']; // the server's may_answer_questions; team leads read
const mayAnswer = (user) => ANSWERING_ROLES.includes(user?.role);
const BODY_MAX = 5000;
const POLL_MS = 15_000;

// --- staying current -----------------------------------------------------------------------

// While the desk is open: a pull every 15 s (while the page is visible and online) and one
// whenever the window gets focus; a push (src/sw.js) pulls at once besides.
function useDeskPolling() {
  useEffect(() => {
    const pull = () => {
      if (document.visibilityState === 'visible' && navigator.onLine) syncNow();
    };
    const timer = setInterval(pull, POLL_MS);
    addEventListener('focus', pull);
    return () => {
      clearInterval(timer);
      removeEventListener('focus', pull);
    };
  }, []);
}

const WIDE = '(min-width: 64rem)';
// A laptop's width: the queue beside the conversation.
function useWide() {
  const query = typeof matchMedia === 'function' ? matchMedia(WIDE) : null;
  const [wide, setWide] = useState(!!query?.matches);
  useEffect(() => {
    if (!query) return undefined;
    const on = () => setWide(query.matches);
    query.addEventListener?.('change', on);
    return () => query.removeEventListener?.('change', on);
  }, []);
  return wide;
}

// --- the queue ---------------------------------------------------------------------------------

// The first-reply countdown of a question ("Reply due · 12 min", "Reply due · Overdue 4 min"),
// turning by itself from the device clock; once replied or resolved, what happened.
export function QuestionCountdown({ q }) {
  const now = useNow(1000);
  const c = questionClock(q, now);
  if (c.due == null) {
    const text = q.status === 'resolved' ? S.qStatus.resolved : q.first_replied_at ? S.qClockMet(fmtAgo(q.first_replied_at, now)) : S.qClockNone;
    return <span class="due none">{text}</span>;
  }
  const t = fmtCountdown(c.due - now, c.metric || 'first_reply');
  const cls = t.over ? 'due overdue' : c.state === 'warning' ? 'due warning' : 'due';
  return (
    <span class={cls} role="timer" data-state={t.over ? 'breached' : c.state || 'none'}>
      <span class="due-what">{t.label} · </span><span class="due-text">{t.text}</span>
    </span>
  );
}

function ClaimBadge({ q, meId }) {
  const claim = liveClaim(q, Date.now());
  if (!claim) return null;
  const mine = claim.user_id === meId;
  return <span class={mine ? 'badge claim mine' : 'badge claim'}>{mine ? S.qClaimedByYou : S.qClaimedBy(claim.name)}</span>;
}

function QuestionRow({ q, meId, productName, current }) {
  const product = productName || q.product_text;
  return (
    <li class={`lead-row q-row${current ? ' is-current' : ''}`}>
      <Link href={pathOf('question', q.id)} class="lead-link" aria-current={current ? 'page' : undefined}>
        <span class="lead-main">
          <strong class="lead-name">{q.name}</strong>
          {product && <span class="muted"> · {product}</span>}
        </span>
        <span class="lead-sub">
          <span class={`stage q-${q.status}`}>{S.qStatus[q.status] || q.status}</span>
          <span class="muted">{S.qMessages(q.message_count || 0)}</span>
          <ClaimBadge q={q} meId={meId} />
          {q._pending && <span class="badge" title={S.notSent}>{S.pendingBadge}</span>}
        </span>
        <QuestionCountdown q={q} />
      </Link>
    </li>
  );
}

let lastFilter = 'open'; // the desk opens where the person left it
// The last list computed, kept across renders: the same data in the same 30 s costs no sort.
let lastList = { questions: null, filter: null, meId: null, slot: null, list: [] };
function listFor(questions, filter, meId, now) {
  const slot = Math.floor(now / 30_000);
  const k = lastList;
  if (k.questions === questions && k.filter === filter && k.meId === meId && k.slot === slot) return k.list;
  lastList = { questions, filter, meId, slot, list: deskList(questions, filter, meId, now) };
  return lastList.list;
}

function DeskQueue({ currentId = null }) {
  const s = useStore();
  const now = useNow(30_000);
  const meId = s.session.user.id;
  const [filter, setFilterState] = useState(lastFilter);
  const setFilter = (f) => {
    lastFilter = f;
    setFilterState(f);
  };
  const list = useMemo(() => listFor(s.questions, filter, meId, now), [s.questions, filter, meId, now]);
  const products = useNames(s.products);
  const late = filter === 'resolved' ? 0 : list.filter((q) => questionClock(q, now).state === 'breached').length;
  useEffect(() => {
    // For measurements (bench/pwa_bench.py): when the desk's rows are in the document.
    performance.mark?.('desk-rendered', { detail: { rows: list.length } });
  }, [list]);
  const tabs = [['open', S.deskOpen], ['mine', S.deskMine], ['resolved', S.deskResolved]];
  return (
    <section class="desk-queue" aria-label={S.deskQueueLabel}>
      <div class="seg" role="group" aria-label={S.deskFilters}>
        {tabs.map(([k, label]) => (
          <button key={k} type="button" aria-pressed={filter === k} onClick={() => setFilter(k)}>{label}</button>
        ))}
      </div>
      {filter !== 'resolved' && list.length > 0 && (
        <p class={late ? 'count overdue' : 'count'}>{S.deskCount(list.length, late)}</p>
      )}
      {list.length === 0 ? (
        <p class="empty">{S.deskEmpty[filter]}</p>
      ) : (
        <LeadList
          leads={list}
          label={S.deskQueueLabel}
          first={25}
          resetKey={filter}
          renderRow={(q) => (
            <QuestionRow key={q.id} q={q} meId={meId} productName={products.get(q.product_id)} current={q.id === currentId} />
          )}
        />
      )}
    </section>
  );
}

export function Questions() {
  useDeskPolling();
  return (
    <Screen title={S.questionsTitle}>
      <DeskQueue />
    </Screen>
  );
}

// --- one question ----------------------------------------------------------------------------

// The conversation, re-read from IndexedDB whenever the data changes.
function useConversation(id, version) {
  const [messages, setMessages] = useState([]);
  useEffect(() => {
    let live = true;
    repliesOf(id).then((list) => live && setMessages(conversationOrder(list)));
    return () => {
      live = false;
    };
  }, [id, version]);
  return messages;
}

export function Message({ m, meId }) {
  const cls = m.author === 'consumer' ? 'msg msg-consumer' : m.internal ? 'msg msg-staff msg-note' : 'msg msg-staff';
  const who = m.author === 'consumer' ? m.name || S.qConsumer : m.author_id && m.author_id === meId ? S.qYou : m.name;
  return (
    <li class={cls}>
      <p class="msg-head">
        <strong>{who}</strong>
        {m.internal && <span class="badge note-badge">{S.qInternal}</span>}
        <time dateTime={m.at}>{fmtDateTime(m.at)}</time>
        {m._pending && <span class="badge">{S.pendingBadge}</span>}
      </p>
      {/* Text only: whatever a consumer typed (a <script> too) is shown, never run. */}
      <p class="msg-body pre">{m.body}</p>
    </li>
  );
}

// Refused desk actions on this question: what the server said, "Try again" (a new mutation
// with the same input) and Discard (asks first); a conflict is only news.
function QuestionProblems({ problems }) {
  const [confirming, setConfirming] = useState(null);
  if (!problems.length) return null;
  return (
    <ul class="problems" aria-label={S.problemsTitle}>
      {problems.map((p) => (
        <li key={p.key} class="problem draft-problem" role="alert">
          <span>{problemText(p)}</span>
          {p.name === 'question.reply' && p.args?.body && <p class="pre msg-kept">{p.args.body}</p>}
          {isDraft(p) ? (
            confirming === p.key ? (
              <DiscardConfirm id={`confirm-${p.key}`} problemKey={p.key} onKeep={() => setConfirming(null)} />
            ) : (
              <div class="row">
                <button type="button" class="primary" onClick={() => resendDraft(p.key, p.name === 'question.reply' ? { ...p.args, id: uuid() } : p.args)}>{S.retry}</button>
                <button type="button" onClick={() => setConfirming(p.key)}>{S.discard}</button>
              </div>
            )
          ) : (
            <button type="button" class="link" onClick={() => dismissProblem(p.key)}>{S.dismiss}</button>
          )}
        </li>
      ))}
    </ul>
  );
}

function ProductFacts({ product }) {
  if (!product) return null;
  return (
    <section class="q-facts" aria-labelledby="facts-h">
      <h2 id="facts-h">{S.factsTitle}</h2>
      <p><strong>{product.name}</strong>{product.list_price != null && <> · {S.factsPrice} {formatPrice(product.list_price, product.currency)}</>}</p>
      {product.spec && <details><summary>{S.factsSpec}</summary><p class="pre">{product.spec}</p></details>}
      {product.faq && <details><summary>{S.factsFaq}</summary><p class="pre">{product.faq}</p></details>}
      {!product.spec && !product.faq && <p class="muted">{S.factsNone}</p>}
    </section>
  );
}

const drafts = new Map(); // question id -> {body, internal}: text kept while the person looks elsewhere

function Composer({ q, s }) {
  const me = s.session.user;
  const kept = drafts.get(q.id) || { body: '', internal: false };
  const [body, setBodyState] = useState(kept.body);
  const [internal, setInternalState] = useState(kept.internal);
  const [error, setError] = useState(null);
  const [search, setSearch] = useState('');
  const busy = useRef(false);
  const area = useRef(null);
  const setBody = (v) => {
    setBodyState(v);
    drafts.set(q.id, { body: v, internal });
  };
  const setInternal = (v) => {
    setInternalState(v);
    drafts.set(q.id, { body, internal: v });
  };
  const org = s.org || {};
  const answers = useMemo(() => searchCanned(s.cannedAnswers, search, q.product_id).slice(0, 6), [s.cannedAnswers, search, q.product_id]);

  function insert(answer) {
    const text = renderCanned({ question: q, answer, products: s.products, org, me });
    setBody(body.trim() ? `${body.trimEnd()}\n\n${text}` : text);
    setInternal(false);
    setError(null);
    requestAnimationFrame(() => area.current?.focus());
  }

  async function send(e) {
    e.preventDefault();
    if (busy.current) return;
    const text = body.trim();
    if (!text) return setError(S.qEmptyBody);
    if (text.length > BODY_MAX) return setError(S.qTooLong);
    busy.current = true;
    try {
      await mutate('question.reply', { id: uuid(), question_id: q.id, body: text, internal });
      drafts.delete(q.id);
      setBodyState('');
      setError(null);
      showNotice(internal ? S.qNoteNotice : S.qSentNotice, { ms: 4_000 });
    } finally {
      busy.current = false;
    }
  }

  const label = internal ? S.qNoteLabel : S.qReplyLabel;
  // The canned answers come first: search, insert (one tap), then send (one more).
  return (
    <section class="composer" aria-labelledby="composer-h">
      <h2 id="composer-h">{S.qComposer}</h2>
      <div class="composer-body">
        <div class="canned" role="search" aria-label={S.cannedTitle}>
          <label>{S.cannedSearch}
            <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
          </label>
          {answers.length === 0 ? <p class="muted">{search.trim() ? S.cannedNone : S.cannedEmpty}</p> : (
            <ul class="canned-list" aria-label={S.cannedTitle}>
              {answers.map((a) => (
                <li key={a.id}>
                  <span class="canned-text">
                    <strong>{a.title}</strong>
                    {a.product_id && a.product_id === q.product_id && <span class="muted"> · {S.cannedForProduct}</span>}
                    <span class="canned-preview">{renderCanned({ question: q, answer: a, products: s.products, org, me })}</span>
                  </span>
                  <button type="button" aria-label={S.cannedInsertLabel(a.title)} onClick={() => insert(a)}>{S.cannedInsert}</button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <form class="form" onSubmit={send}>
          <fieldset class="seg-field">
            <legend>{S.qReplyKind}</legend>
            <div class="seg">
              <label class={internal ? '' : 'on'}><input type="radio" name={`kind-${q.id}`} checked={!internal} onChange={() => setInternal(false)} />{S.qAsReply}</label>
              <label class={internal ? 'on' : ''}><input type="radio" name={`kind-${q.id}`} checked={internal} onChange={() => setInternal(true)} />{S.qAsNote}</label>
            </div>
          </fieldset>
          <label>{label}
            <textarea ref={area} name="body" rows={5} maxLength={BODY_MAX} value={body}
              aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'composer-error' : undefined}
              onInput={(e) => setBody(e.currentTarget.value)} />
          </label>
          {error && <p class="field-error" id="composer-error">{error}</p>}
          <button type="submit" class="primary">{internal ? S.qAddNote : S.qSend}</button>
        </form>
      </div>
    </section>
  );
}

function ConvertForm({ q, onDone }) {
  const [quantity, setQuantity] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const leadId = useRef(uuid()); // one lead per form, however many taps
  const busy = useRef(false);
  async function submit(e) {
    e.preventDefault();
    if (busy.current) return;
    const args = { id: q.id, lead_id: leadId.current };
    if (quantity !== '') {
      const n = Number(quantity);
      if (!Number.isInteger(n) || n < 1) return setError(S.convertBadQuantity);
      args.quantity = n;
    }
    if (note.trim()) args.note = note.trim();
    busy.current = true;
    try {
      await mutate('question.convert', args);
      showNotice(S.deskHandedSent, { ms: 4_000 });
      onDone();
    } finally {
      busy.current = false;
    }
  }
  return (
    <form class="form action-form" onSubmit={submit} aria-label={S.convertTitle}>
      <p class="adm-help">{S.convertHelp}</p>
      <label>{S.quantity}
        <input name="quantity" type="number" inputMode="numeric" min="1" step="1" value={quantity}
          aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'convert-error' : undefined}
          onInput={(e) => setQuantity(e.currentTarget.value)} />
      </label>
      {error && <p class="field-error" id="convert-error">{error}</p>}
      <label>{S.convertNote}<textarea name="note" rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} /></label>
      <div class="row">
        <button type="submit" class="primary">{S.convertGo}</button>
        <button type="button" onClick={onDone}>{S.cancel}</button>
      </div>
    </form>
  );
}

function QuestionActions({ q, s }) {
  const me = s.session.user;
  const now = useNow(30_000);
  const [converting, setConverting] = useState(false);
  const claim = liveClaim(q, now);
  const mine = claim?.user_id === me.id;
  const open = OPEN_STATUSES.includes(q.status);
  // No notice: the claim line says "yours until …" at once, and a refusal shows on the question.
  const doClaim = () => mutate('question.claim', { id: q.id });
  async function doResolve() {
    await mutate('question.resolve', { id: q.id });
    showNotice(S.qResolvedNotice(q.name), { ms: 4_000 });
  }
  return (
    <section aria-labelledby="q-actions-h">
      <h2 id="q-actions-h" class="sr-only">{S.qActions}</h2>
      {heldByOther(q, me.id, now) && <p class="note">{S.qHeldWarning(claim.name)}</p>}
      <div class="actions q-actions" role="group" aria-label={S.qActions}>
        {open && !mine && <button type="button" onClick={doClaim}>{S.qClaim}</button>}
        {open && <button type="button" onClick={doResolve}>{S.qResolve}</button>}
        {!q.lead_id && (
          <button type="button" aria-pressed={converting} onClick={() => setConverting(!converting)}>{S.qConvert}</button>
        )}
      </div>
      {converting && !q.lead_id && <ConvertForm q={q} onDone={() => setConverting(false)} />}
    </section>
  );
}

function QuestionFacts({ q, product }) {
  const now = useNow(30_000);
  const claim = liveClaim(q, now);
  const meId = useStore().session.user.id;
  return (
    <dl class="facts">
      <dt>{S.qContact}</dt>
      <dd class="q-contact">
        {q.email && <a href={`mailto:${q.email}`}>{q.email}</a>}
        {q.phone && <a href={`tel:${q.phone.replace(/[^\d+]/g, '')}`}>{q.phone}</a>}
      </dd>
      {(product || q.product_text) && <><dt>{S.qProduct}</dt><dd>{product?.name || q.product_text}</dd></>}
      {q.region && <><dt>{S.qRegion}</dt><dd>{q.region}</dd></>}
      <dt>{S.qReceived}</dt><dd>{fmtDateTime(q.created_at)}</dd>
      <dt>{S.qStatusLabel}</dt><dd><span class={`stage q-${q.status}`}>{S.qStatus[q.status] || q.status}</span></dd>
      <dt>{S.qClock}</dt>
      <dd><QuestionCountdown q={q} />
        {questionClock(q, now).running && q.sla?.due_at && <span class="muted"> ({S.qDueAt(fmtTime(q.sla.due_at))})</span>}
      </dd>
      <dt>{S.qClaimLabel}</dt>
      <dd>{!claim ? <span class="muted">{S.qClaimFree}</span>
        : claim.user_id === meId ? S.qClaimUntil(fmtTime(claim.until))
        : S.qClaimedBy(claim.name)}</dd>
    </dl>
  );
}

function Conversation({ id, s }) {
  const q = s.questions.get(id);
  const messages = useConversation(id, s.dataVersion);
  if (!q) {
    return <p><Link href="/questions" class="button">{S.qBack}</Link></p>;
  }
  const me = s.session.user;
  const product = s.products.find((p) => p.id === q.product_id);
  const problems = problemsOf(s.problems, 'question', id);
  return (
    <div class="conversation-pane">
      <p class="back-link"><Link href="/questions">← {S.qBack}</Link></p>
      <QuestionProblems problems={problems} />
      {q.lead_id && (
        <p class="handed" role="status">
          <span class="handed-to">{q.lead_owner_name ? S.deskHandedTo(q.lead_owner_name) : S.deskHandedPending}</span>
        </p>
      )}
      <QuestionFacts q={q} product={product} />
      {mayAnswer(me) ? <QuestionActions q={q} s={s} /> : <p class="note">{S.qReadOnly}</p>}
      <section aria-labelledby="conv-h">
        <h2 id="conv-h">{S.qConversation}</h2>
        {messages.length === 0 ? <p class="empty">{S.qNoMessages}</p> : (
          <ol class="conversation">
            {messages.map((m) => <Message key={m.id} m={m} meId={me.id} />)}
          </ol>
        )}
      </section>
      {mayAnswer(me) && <Composer key={q.id} q={q} s={s} />}
      <ProductFacts product={product} />
    </div>
  );
}

export function QuestionDetail({ id }) {
  useDeskPolling();
  const s = useStore();
  const wide = useWide();
  const q = s.questions.get(id);
  const title = q ? q.name : S.qNotFound;
  if (!wide) {
    return <Screen title={title}><Conversation id={id} s={s} /></Screen>;
  }
  return (
    <Screen title={title} wide>
      <div class="desk">
        <DeskQueue currentId={id} />
        <Conversation id={id} s={s} />
      </div>
    </Screen>
  );
}

// --- on a lead handed over from the desk ------------------------------------------------------

// The conversation a lead was made from, with the consumer's later messages (they stay on the
// question): read from the server when the lead is opened (the rep's device does not hold
// questions), so it needs a connection; a lead from elsewhere has none (404: nothing shown).
export function LeadConversation({ lead, online }) {
  const [state, setState] = useState({ loading: true, data: null, failed: false });
  useEffect(() => {
    if (!online || lead._local) return undefined;
    let live = true;
    apiRequest('GET', `/leads/${encodeURIComponent(lead.id)}/conversation`).then(
      (data) => live && setState({ loading: false, data, failed: false }),
      (e) => live && setState({ loading: false, data: null, failed: e?.status !== 404 }),
    );
    return () => {
      live = false;
    };
  }, [lead.id, online]);
  if (!online && !state.data) return <p class="muted">{S.leadConversationOffline}</p>;
  if (state.failed) return <p class="muted">{S.leadConversationFailed}</p>;
  const messages = state.data?.messages || [];
  if (!messages.length) return null;
  return (
    <section aria-labelledby="lead-conv-h">
      <h2 id="lead-conv-h">{S.leadConversation}</h2>
      <ol class="conversation">
        {messages.map((m) => <Message key={m.id} m={m} meId={null} />)}
      </ol>
    </section>
  );
}
