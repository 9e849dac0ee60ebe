import { describe, it, expect } from 'vitest';
import { appUrl, pushData, reminderOf } from '../src/reminders.js';

const ORIGIN = 'https://app.example';
// As app/push/outbox.py `payload_of` makes it (the browser test feeds the real one).
const LEAD = '13fa5393-3a94-437f-95a4-ae68f358f799';
const serverPayload = {
  title: 'First response overdue: Ada Lovelace (Analytical Ltd)',
  body: 'Was due Mon 10:00.',
  url: `/leads/${LEAD}`,
  kind: 'overdue',
  item_type: 'lead',
  item_id: LEAD,
  milestone: 'first_response:1795442204:breached',
  reminder_id: '607252ef-919a-4125-a91a-01247efe2fec',
  tag: '13fa53933a94437f95a4ae68f358f799',
  lead_id: LEAD,
};

describe('reminderOf', () => {
  it("shows the server's title and body, tagged per lead, opening the lead", () => {
    const { title, options } = reminderOf(serverPayload, ORIGIN);
    expect(title).toBe(serverPayload.title);
    expect(options.body).toBe('Was due Mon 10:00.');
    expect(options.tag).toBe(serverPayload.tag);
    expect(options.renotify).toBe(true);
    expect(options.data).toEqual({
      url: `${ORIGIN}/leads/${LEAD}`,
      lead_id: LEAD,
      question_id: null,
      kind: 'overdue',
      reminder_id: serverPayload.reminder_id,
    });
  });

  it('falls back to the item id, then to the queue', () => {
    const rest = { ...serverPayload };
    delete rest.url;
    delete rest.lead_id;
    expect(reminderOf(rest, ORIGIN).options.data.url).toBe(`${ORIGIN}/leads/${LEAD}`);
    // A question (the desk's push) without a URL opens the question, tagged per question.
    const question = reminderOf({ title: 'New question', item_type: 'question', item_id: 'Q' }, ORIGIN);
    expect(question.options.data).toMatchObject({ url: `${ORIGIN}/questions/Q`, lead_id: null, question_id: 'Q' });
    expect(question.options.tag).toBe('question-Q');
    const other = reminderOf({ title: 'Something', item_type: 'thing', item_id: 'X' }, ORIGIN);
    expect(other.options.data).toMatchObject({ url: `${ORIGIN}/`, lead_id: null, question_id: null });
    expect(other.options.renotify).toBe(false);
    expect(reminderOf({}, ORIGIN)).toMatchObject({ title: 'LeadSync', options: { body: '', tag: undefined } });
  });

  it('never opens another site', () => {
    expect(appUrl('https://evil.example/leads/1', ORIGIN)).toBe(`${ORIGIN}/`);
    expect(appUrl('//evil.example/x', ORIGIN)).toBe(`${ORIGIN}/`);
    expect(appUrl('javascript:alert(1)', ORIGIN)).toBe(`${ORIGIN}/`);
    expect(appUrl('/leads/1?from=push', ORIGIN)).toBe(`${ORIGIN}/leads/1?from=push`);
  });
});

describe('pushData', () => {
  const message = (text) => ({ text: () => text, json: () => JSON.parse(text) });
  it('reads JSON, plain text and nothing', () => {
    expect(pushData(message(JSON.stringify(serverPayload)))).toEqual(serverPayload);
    expect(pushData(message('Call Ada back'))).toEqual({ body: 'Call Ada back' });
    expect(pushData(null)).toEqual({});
  });
});
