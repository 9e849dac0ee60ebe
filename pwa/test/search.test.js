import { describe, it, expect } from 'vitest';
import { buildIndex, search } from '../src/search.js';

const lead = (id, phone, phone_e164) => ({ id, contact_name: `Lead ${id}`, phone, phone_e164 });

describe('search by phone', () => {
  const leads = new Map([
    ['a', lead('a', '0171 2345678', '+491712345678')],
    ['b', lead('b', '030 1234567', '+49301234567')],
    ['c', lead('c', '0171 99', null)], // not normalised (yet)
  ]);
  const index = buildIndex(leads, new Map());
  const ids = (q) => search(index, q).hits.map((l) => l.id);

  it('finds a number as typed, whatever the spacing', () => {
    expect(ids('01712345678')).toEqual(['a']);
    expect(ids('0171 234')).toEqual(['a']);
  });
  it('finds it in its international form too', () => {
    expect(ids('+49 171 2345678')).toEqual(['a']);
    expect(ids('+4930')).toEqual(['b']);
  });
  it('never across the two forms of one number', () => {
    // "…5678 49…" must not read as one number: the typed and normalised digits stay apart.
    expect(ids('567849')).toEqual([]);
  });
});
