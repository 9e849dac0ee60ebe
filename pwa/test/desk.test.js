// The customer-service desk on the device: canned answers filled in offline exactly as the
// server does (app/questions/canned.py), the queue's order, and how each pending desk
// mutation shows before the server answers.
import { describe, it, expect } from 'vitest';
import { fill, formatPrice, placeholderValues, renderCanned, searchCanned } from '../src/canned.js';
import { deskList, deskOrder, conversationOrder, liveClaim, questionClock } from '../src/sync/questions.js';
import { materialize } from '../src/sync/apply.js';
import { applyPage } from '../src/sync/engine.js';
import { enqueue, listOutbox } from '../src/sync/outbox.js';
import { problemRecord } from '../src/sync/entities.js';
import { freshDb } from './helpers.js';

const CASEY = { id: 'u-casey', name: 'Casey Service', role: 'cs' };
const SAM = { id: 'u-sam', name: 'Sam Shift', role: 'cs' };
const T = '2026-11-30T20:00:00.000Z';
const at = (min) => new Date(Date.parse(T) + min * 60_000).toISOString();
const clock = (state, dueMin, extra = {}) => ({
  metric: 'first_reply', state, started_at: at(-60), warn_at: at(dueMin - 10), due_at: at(dueMin),
  breached_at: null, met_at: null, escalated_at: null, ...extra,
});
const question = (id, extra = {}) => ({
  id, version: 1, status: 'new', name: `Consumer ${id}`, email: `${id}@example.test`, phone: null,
  product_id: null, product_text: null, region: null, claimed_by: null, claimed_by_name: null,
  claim_until: null, message_count: 1, created_at: at(-60), updated_at: at(-60),
  first_replied_at: null, resolved_at: null, lead_id: null, sla: clock('ok', 30), ...extra,
});

describe('canned answers, filled in on the device as the server fills them', () => {
  it('formats a list price as format_price does: thousands by commas, two places, the currency', () => {
    // The server's own test figures (tests/questions/test_canned_answers.py).
    expect(formatPrice(1250, 'EUR')).toBe('1,250.00 EUR');
    expect(formatPrice(0.5, 'GBP')).toBe('0.50 GBP');
    expect(formatPrice(999999.99, 'EUR')).toBe('999,999.99 EUR');
    expect(formatPrice(null, 'EUR')).toBe('');
    expect(formatPrice(1234567.5, null)).toBe('1,234,567.50');
    // Half-even at the third place, from the decimal text (never from a binary float's guess).
    expect(formatPrice('0.125', 'EUR')).toBe('0.12 EUR');
    expect(formatPrice('0.135', 'EUR')).toBe('0.14 EUR');
    expect(formatPrice('0.1251', 'EUR')).toBe('0.13 EUR');
    expect(formatPrice('999.995', 'EUR')).toBe('1,000.00 EUR');
  });

  it('fills known placeholders in one pass, spaces inside braces allowed, unknown ones kept', () => {
    const values = { 'consumer.name': 'Ada', 'staff.name': 'Sam' };
    expect(fill('{{consumer.name}}/{{staff.name}}/{{other}}', values)).toBe('Ada/Sam/{{other}}');
    expect(fill('{{  staff.name  }}', values)).toBe('Sam');
    // A value put in is never filled in again: a consumer calling themselves {{staff.name}}.
    expect(fill('Hi {{consumer.name}}', { 'consumer.name': '{{staff.name}}', 'staff.name': 'Sam' })).toBe('Hi {{staff.name}}');
    // Nothing in a body runs or means anything but these tokens.
    expect(fill('<script>alert(1)</script> {{ consumer.name }}', values)).toBe('<script>alert(1)</script> Ada');
  });

  it("takes the question's product, else the answer's; a price without currency in the organisation's", () => {
    const products = [
      { id: 'p1', name: 'Boiler M200', list_price: 1250, currency: 'EUR' },
      { id: 'p2', name: 'Pump S', list_price: 80.5, currency: null },
    ];
    const org = { name: 'Demo Trading Co.', currency: 'GBP' };
    const answer = { body: 'Dear {{consumer.name}}, the {{product.name}} is {{product.list_price}}. {{org.name}}, {{staff.name}} ({{consumer.email}})', product_id: 'p2' };
    const q = question('q1', { name: 'Ada Lovelace', email: 'ada@example.test', product_id: 'p1' });
    expect(renderCanned({ question: q, answer, products, org, me: CASEY })).toBe(
      'Dear Ada Lovelace, the Boiler M200 is 1,250.00 EUR. Demo Trading Co., Casey Service (ada@example.test)',
    );
    const noProduct = question('q2', { name: 'Bob', email: null });
    expect(renderCanned({ question: noProduct, answer, products, org, me: CASEY })).toBe(
      'Dear Bob, the Pump S is 80.50 GBP. Demo Trading Co., Casey Service ()',
    );
    // Nothing known at all: every value empty, never a raw {{…}}.
    expect(placeholderValues({ question: question('q3', { name: null, email: null }), answer: { body: '' } })).toEqual({
      'consumer.name': '', 'consumer.email': '', 'product.name': '', 'product.list_price': '', 'org.name': '', 'staff.name': '',
    });
  });

  it("searches title, body and tags in any case, the question's product first, never a retired one", () => {
    const answers = [
      { id: 'a', title: 'Delivery times', body: 'Two weeks.', tags: ['shipping'], product_id: null, active: true },
      { id: 'b', title: 'M200 price', body: 'It costs {{product.list_price}}.', tags: ['Price'], product_id: 'p1', active: true },
      { id: 'c', title: 'Old price list', body: 'Gone.', tags: ['price'], product_id: null, active: false },
      { id: 'd', title: 'Pump price', body: 'Ask us.', tags: ['price'], product_id: 'p2', active: true },
    ];
    expect(searchCanned(answers, 'PRICE', 'p1').map((a) => a.id)).toEqual(['b', 'd']);
    expect(searchCanned(answers, 'shipping', 'p1').map((a) => a.id)).toEqual(['a']);
    // Nothing typed: the general answers and this product's, not another product's.
    expect(searchCanned(answers, '', 'p1').map((a) => a.id)).toEqual(['b', 'a']);
  });
});

describe('the queue', () => {
  const now = Date.parse(T);
  it('puts open clocks first, earliest deadline first (an overdue one before all), then the oldest', () => {
    const list = [
      question('later', { sla: clock('ok', 40) }),
      question('met', { status: 'open', sla: clock('met', 5, { met_at: at(-5) }), created_at: at(-300) }),
      question('late', { sla: clock('breached', -20) }),
      question('soon', { sla: clock('warning', 8) }),
      question('none-old', { sla: null, created_at: at(-500) }),
      question('none-new', { sla: null, created_at: at(-10) }),
    ];
    expect(deskOrder(list, now).map((q) => q.id)).toEqual(['late', 'soon', 'later', 'none-old', 'met', 'none-new']);
  });

  it('reads the clock by the device clock: past due_at it is breached before any sync says so', () => {
    const q = question('q', { sla: clock('ok', 20) }); // warn_at = due − 10 min
    expect(questionClock(q, now).state).toBe('ok');
    expect(questionClock(q, Date.parse(at(9))).state).toBe('ok');
    expect(questionClock(q, Date.parse(at(10))).state).toBe('warning');
    expect(questionClock(q, Date.parse(at(20))).state).toBe('breached');
    expect(questionClock({ ...q, status: 'resolved' }, now).due).toBe(null);
  });

  it('filters open, mine (a live claim of mine) and resolved (newest first)', () => {
    const list = new Map([
      ['a', question('a', { claimed_by: CASEY.id, claim_until: at(10) })],
      ['b', question('b', { claimed_by: CASEY.id, claim_until: at(-1) })], // lapsed
      ['c', question('c', { claimed_by: SAM.id, claim_until: at(10) })],
      ['r1', question('r1', { status: 'resolved', resolved_at: at(-30) })],
      ['r2', question('r2', { status: 'resolved', resolved_at: at(-3) })],
    ]);
    expect(deskList(list, 'open', CASEY.id, now).map((q) => q.id).sort()).toEqual(['a', 'b', 'c']);
    expect(deskList(list, 'mine', CASEY.id, now).map((q) => q.id)).toEqual(['a']);
    expect(deskList(list, 'resolved', CASEY.id, now).map((q) => q.id)).toEqual(['r2', 'r1']);
    expect(liveClaim(list.get('b'), now)).toBe(null);
    expect(liveClaim(list.get('c'), now)).toEqual({ user_id: SAM.id, name: null, until: at(10) });
    // The REST form of a claim reads the same.
    const rest = { ...question('d'), claim: { user_id: SAM.id, name: 'Sam Shift', until: at(10) } };
    expect(liveClaim(rest, now)).toEqual({ user_id: SAM.id, name: 'Sam Shift', until: at(10) });
    expect(liveClaim({ ...rest, claim: null }, now)).toBe(null);
    expect(deskList([rest], 'mine', SAM.id, now).map((q) => q.id)).toEqual(['d']);
  });

  it("orders a conversation by the server's position, a message not yet sent last", () => {
    const m = (id, position, atMin) => ({ id, position, at: at(atMin) });
    expect(conversationOrder([m('x', null, 0), m('b', 2, -5), m('a', 1, -10)]).map((r) => r.id)).toEqual(['a', 'b', 'x']);
  });
});

describe('desk actions before the server answers', () => {
  const entry = (id, name, args, minutes = 0) => ({ id, name, args, client_time: at(minutes), status: 'pending' });
  const view = (questions, outbox, me = CASEY, replies = []) =>
    materialize({ questions, replies, outbox, me, leads: [], followups: [] });

  it('a claim is mine for 15 minutes from the tap', () => {
    const v = view([question('q')], [entry(1, 'question.claim', { id: 'q' }, 2)]);
    expect(v.questions.get('q')).toMatchObject({
      claimed_by: CASEY.id, claimed_by_name: 'Casey Service', claim_until: at(17), _pending: [1],
    });
  });

  it("a claim on a question a colleague holds changes nothing shown (the server will refuse it)", () => {
    const held = question('q', { claim: { user_id: SAM.id, name: 'Sam Shift', until: at(10) } });
    const v = view([held], [entry(1, 'question.claim', { id: 'q' }), entry(2, 'question.resolve', { id: 'q' })]);
    expect(v.questions.get('q')).toMatchObject({ claim: { user_id: SAM.id }, status: 'new', _pending: [1, 2] });
    // Once the colleague's claim has lapsed, it is mine.
    const later = view([held], [entry(1, 'question.claim', { id: 'q' }, 11)]);
    expect(later.questions.get('q')).toMatchObject({ claim: { user_id: CASEY.id, name: 'Casey Service', until: at(26) } });
  });

  it('a reply shows in the conversation, opens the question, meets its clock and claims it', () => {
    const v = view([question('q')], [entry(1, 'question.reply', { id: 'm1', question_id: 'q', body: 'Hello Ada', internal: false }, 3)]);
    expect(v.replies.get('m1')).toMatchObject({
      question_id: 'q', author: 'staff', author_id: CASEY.id, name: 'Casey Service', body: 'Hello Ada', internal: false, at: at(3),
    });
    expect(v.questions.get('q')).toMatchObject({
      status: 'open', message_count: 2, first_replied_at: at(3), claimed_by: CASEY.id, claim_until: at(18),
    });
    expect(v.questions.get('q').sla).toMatchObject({ state: 'met', met_at: at(3) });
  });

  it('a note is only a message: the question stays new, its clock running, nobody claims it', () => {
    const v = view([question('q')], [entry(1, 'question.reply', { id: 'n1', question_id: 'q', body: 'Called twice', internal: true })]);
    expect(v.replies.get('n1')).toMatchObject({ internal: true });
    expect(v.questions.get('q')).toMatchObject({ status: 'new', claimed_by: null, message_count: 2, first_replied_at: null });
    expect(v.questions.get('q').sla.state).toBe('ok');
  });

  it('resolve ends the claim and stops the clock; a hand-off points the question at its lead', () => {
    const mine = question('q', { status: 'open', claimed_by: CASEY.id, claim_until: at(10) });
    const v = view([mine], [entry(1, 'question.convert', { id: 'q', lead_id: 'L-new', quantity: 3 }), entry(2, 'question.resolve', { id: 'q' }, 1)]);
    expect(v.questions.get('q')).toMatchObject({
      status: 'resolved', resolved_at: at(1), claimed_by: null, claim_until: null, lead_id: 'L-new', _pending: [1, 2],
    });
    expect(v.questions.get('q').sla.state).toBe('paused');
  });

  it('stores pulled questions and messages in their stores; a reply tapped twice is one mutation', async () => {
    const { db } = await freshDb();
    await applyPage(db, {
      cursor: 'c', has_more: false, last_mutation_id: 0, changes: [
        { entity: 'question', op: 'put', id: 'q', data: question('q') },
        { entity: 'reply', op: 'put', id: 'm0', data: { id: 'm0', question_id: 'q', author: 'consumer', body: 'Price?', position: 1 } },
        { entity: 'canned_answer', op: 'put', id: 'a1', data: { id: 'a1', title: 'Hi', body: 'Hi {{consumer.name}}', active: true } },
      ],
    });
    expect(await db.get('questions', 'q')).toMatchObject({ name: 'Consumer q' });
    expect(await db.getAllFromIndex('replies', 'question_id', 'q')).toHaveLength(1);
    expect(await db.get('records', 'canned_answer:a1')).toMatchObject({ title: 'Hi' });
    const args = { id: 'm1', question_id: 'q', body: 'Hello', internal: false };
    await enqueue(db, 'question.reply', args);
    await enqueue(db, 'question.reply', args);
    expect((await listOutbox(db)).map((e) => e.name)).toEqual(['question.reply']);
    // A refusal of a reply shows on its question.
    expect(problemRecord({ name: 'question.reply', args })).toEqual({ entity: 'question', record_id: 'q' });
    expect(problemRecord({ name: 'question.claim', args: { id: 'q' } })).toEqual({ entity: 'question', record_id: 'q' });
  });
});
