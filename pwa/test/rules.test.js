import { describe, it, expect } from 'vitest';
import { RULES, check, checkMutation, phoneLooksValid } from '../src/rules.js';

describe('rules.js: what the server will check, before saving', () => {
  it('phones: lenient, but text is not a phone number', () => {
    for (const ok of ['+49 30 1234567', '030/123 45-67', '(555) 123-4567', '+1 555 123 4567 ext. 12', '+49 12']) {
      expect(phoneLooksValid(ok), ok).toBe(true);
    }
    for (const bad of ['call me maybe', 'n/a', '12', 'ask Bernd', '+49 30 CALL', '1'.repeat(21)]) {
      expect(phoneLooksValid(bad), bad).toBe(false);
    }
  });

  it('a lead.create: required name, lengths, phone, email, choices, ranges', () => {
    expect(checkMutation('lead.create', { id: 'x', contact_name: 'Ada', source: 'phone' })).toEqual({});
    expect(checkMutation('lead.create', { id: 'x', contact_name: '   ' })).toEqual({ contact_name: { code: 'required' } });
    expect(checkMutation('lead.create', { id: 'x', contact_name: 'n'.repeat(201) }).contact_name)
      .toEqual({ code: 'tooLong', max: 200 });
    expect(checkMutation('lead.create', { id: 'x', contact_name: 'n'.repeat(200) })).toEqual({});
    const bad = checkMutation('lead.create', {
      id: 'x', contact_name: 'Bad Phone Bernd', phone: 'call me maybe', email: 'bernd at home',
      priority: 'asap', quantity: -1, estimated_value: 1e12, notes: 'n'.repeat(5001),
    });
    expect(Object.keys(bad).sort()).toEqual(['email', 'estimated_value', 'notes', 'phone', 'priority', 'quantity']);
    expect(bad.phone.code).toBe('phone');
  });

  it('a lead.update checks only the fields it sets', () => {
    expect(checkMutation('lead.update', { id: 'x', base_version: 1, set: { phone: '+49 30 1' } })).toEqual({});
    expect(checkMutation('lead.update', { id: 'x', base_version: 1, set: { phone: 'call me maybe' } }))
      .toEqual({ phone: { code: 'phone' } });
    expect(checkMutation('lead.update', { id: 'x', base_version: 1, set: { contact_name: '' } }))
      .toEqual({ contact_name: { code: 'required' } });
  });

  it('a follow-up and a stage change', () => {
    const f = { id: 'f', lead_id: 'l', kind: 'call', happened_at: '2026-01-01T10:00:00Z' };
    expect(checkMutation('followup.create', f)).toEqual({});
    expect(checkMutation('followup.create', { ...f, kind: 'fax' }).kind.code).toBe('choice');
    expect(checkMutation('followup.create', { ...f, outcome: 'o'.repeat(201) }).outcome.max).toBe(200);
    expect(checkMutation('followup.create', { ...f, quoted_amount: -5 }).quoted_amount.code).toBe('range');
    expect(check('stage', { id: 'l', stage: 'won', won_value: 'lots' }).won_value.code).toBe('number');
    expect(RULES.lead.maxLength.phone).toBe(40);
  });
});
