// The desk's administration screens: what a canned answer's tags and an assignment rule's form
// send, and how a rule reads in the list.
import { describe, it, expect } from 'vitest';
import { tagsOf } from '../src/screens/admin/deskAdmin.js';
import { matchText, ruleBody } from '../src/screens/admin/deskAdmin.js';

describe('canned answer tags', () => {
  it('keeps each tag once (in any case), as typed, without blanks', () => {
    expect(tagsOf('price, Delivery , PRICE,, delivery,größe')).toEqual(['price', 'Delivery', 'größe']);
    expect(tagsOf('')).toEqual([]);
  });
});

describe('assignment rules', () => {
  const form = { name: ' Berlin ', region: '', region_prefix: ' 10 ', source: 'website', product_id: '', priority: '', to: 'user:u1' };
  it('sends only the conditions given, and exactly one of owner and team', () => {
    expect(ruleBody(form)).toEqual({ name: 'Berlin', match: { region_prefix: '10', source: 'website' }, owner_id: 'u1', team_id: null });
    expect(ruleBody({ ...form, to: 'team:t1', region_prefix: '', source: '' })).toEqual({ name: 'Berlin', match: {}, owner_id: null, team_id: 't1' });
  });
  it('reads a rule in words', () => {
    const products = [{ id: 'p1', name: 'Boiler M200' }];
    expect(matchText({ region_prefix: 'SW1', product_id: 'p1', priority: 'high' }, { products }))
      .toBe('Region starts with SW1 · Product Boiler M200 · High priority');
    expect(matchText({ source: 'website', region: 'Berlin' })).toBe('Region Berlin · Source Website');
    expect(matchText({})).toBe('Every lead');
  });
});
