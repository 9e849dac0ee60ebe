// The pure parts of the administration screens for products, lists and the organisation
// (src/screens/admin/catalog.js): prices typed as text, the list editor's values, and the
// choices of time zone and country.
import { describe, it, expect } from 'vitest';
import {
  addRow, countryOptions, duplicateKeys, listChange, moveRow, parsePrice, placeListError,
  priceText, productBody, productForm, removeRow, rowValues, rowsOf, searchProducts,
  timeZoneGroups, usualCurrency,
} from '../src/screens/admin/catalog.js';
import { DEFAULT_SOURCES, sourceLabel } from '../src/org.js';

describe('a price typed as text', () => {
  it('becomes a decimal string with two places', () => {
    expect(parsePrice('1250')).toEqual({ value: '1250.00' });
    expect(parsePrice(' 1250.5 ')).toEqual({ value: '1250.50' });
    expect(parsePrice('1250,50')).toEqual({ value: '1250.50' });
    expect(parsePrice('12 500,00')).toEqual({ value: '12500.00' });
    expect(parsePrice('007.10')).toEqual({ value: '7.10' });
    expect(parsePrice('.5')).toEqual({ value: '0.50' });
    expect(parsePrice('0')).toEqual({ value: '0.00' });
  });

  it('blank is no price', () => {
    expect(parsePrice('')).toEqual({ value: null });
    expect(parsePrice('   ')).toEqual({ value: null });
  });

  it('refuses what is not a plain amount, rather than letting the server round it', () => {
    for (const bad of ['lots', '-5', '1e3', '1.250,00', '1,2,3', '€12', 'NaN']) {
      expect(parsePrice(bad).error, bad).toBe('price_format');
    }
    expect(parsePrice('12.555').error).toBe('price_decimals');
    expect(parsePrice('1000000000000').error).toBe('price_too_big');
    expect(parsePrice('999999999999.99')).toEqual({ value: '999999999999.99' });
  });

  it('the server number shows as the form text', () => {
    expect(priceText(1250.5)).toBe('1250.50');
    expect(priceText(null)).toBe('');
  });
});

describe('a product form', () => {
  const pump = { id: 'p1', name: 'Pump', sku: 'P-1', list_price: 120.5, currency: 'EUR', active: true };

  it('a new product sends every field, blanks as null, currency upper case', () => {
    const form = { ...productForm(null, 'EUR'), name: ' Valve ', list_price: '99,90', currency: 'usd' };
    expect(productBody(form)).toEqual({ body: { name: 'Valve', sku: null, list_price: '99.90', currency: 'USD' } });
  });

  it('an edit sends only what changed', () => {
    expect(productBody(productForm(pump), pump)).toEqual({ body: {} });
    // The desk's facts: sent when given or changed, blank as null.
    expect(productBody({ ...productForm(pump), spec: ' 40 l, 230 V ' }, pump)).toEqual({ body: { spec: '40 l, 230 V' } });
    expect(productBody({ ...productForm({ ...pump, faq: 'Q: noisy? A: no.' }), faq: '' }, { ...pump, faq: 'Q: noisy? A: no.' }))
      .toEqual({ body: { faq: null } });
    expect(productBody({ ...productForm(null, 'EUR'), name: 'Tank', faq: 'Q? A.' }).body).toEqual({
      name: 'Tank', sku: null, list_price: null, currency: 'EUR', faq: 'Q? A.',
    });
    expect(productBody({ ...productForm(pump), list_price: '120.5' }, pump)).toEqual({ body: {} });
    expect(productBody({ ...productForm(pump), list_price: '99', sku: '' }, pump))
      .toEqual({ body: { list_price: '99.00', sku: null } });
    expect(productBody({ ...productForm(pump), list_price: '', currency: '' }, pump))
      .toEqual({ body: { list_price: null, currency: null } });
  });

  it('a price needs a currency, and a bad price is marked at its field', () => {
    expect(productBody({ ...productForm(null), name: 'X', list_price: '5' }).errors)
      .toEqual({ currency: { code: 'currency_needed' } });
    expect(productBody({ ...productForm(null), name: 'X', list_price: 'five', currency: 'EUR' }).errors)
      .toEqual({ list_price: { code: 'price_format' } });
  });

  it('a new product starts in the currency most products have', () => {
    expect(usualCurrency([{ currency: 'USD' }, { currency: 'EUR' }, { currency: 'EUR' }, {}])).toBe('EUR');
    expect(usualCurrency([])).toBe('');
  });

  it('search finds by name or SKU, any case', () => {
    const list = [pump, { id: 'p2', name: 'Valve', sku: null }, { id: 'p3', name: 'Big pump', sku: 'BP' }];
    expect(searchProducts(list, 'PUMP').map((p) => p.id)).toEqual(['p1', 'p3']);
    expect(searchProducts(list, 'bp').map((p) => p.id)).toEqual(['p3']);
    expect(searchProducts(list, '  ')).toBe(list);
  });
});

describe('editing a list of sources', () => {
  const L = sourceLabel;
  const D = DEFAULT_SOURCES;

  it('unchanged entries send their values; a default stays a key while its label is kept', () => {
    const rows = rowsOf(['website', 'Alibaba'], L);
    expect(rows.map((r) => r.text)).toEqual(['Website', 'Alibaba']);
    expect(rowValues(rows, L, D)).toEqual(['website', 'Alibaba']);
  });

  it('a renamed entry sends its new text; renaming back to a default label is that default', () => {
    const rows = rowsOf(['website', 'Alibaba'], L);
    const renamed = rows.map((r) => (r.value === 'website' ? { ...r, text: ' Web form ' } : r));
    expect(rowValues(renamed, L, D)).toEqual(['Web form', 'Alibaba']);
    const back = rows.map((r) => (r.value === 'Alibaba' ? { ...r, text: 'trade show' } : r));
    expect(rowValues(back, L, D)).toEqual(['website', 'trade_show']);
  });

  it('adding refuses blanks and repeats (by label or value, any case); a default label adds the default', () => {
    const rows = rowsOf(['website', 'Alibaba'], L);
    expect(addRow(rows, '  ', L, D).error).toBe('list_blank');
    expect(addRow(rows, 'WEBSITE', L, D).error).toBe('list_duplicate');
    expect(addRow(rows, 'alibaba', L, D).error).toBe('list_duplicate');
    const added = addRow(rows, 'trade show', L, D).rows;
    expect(rowValues(added, L, D)).toEqual(['website', 'Alibaba', 'trade_show']);
    expect(added[2].text).toBe('Trade show');
    expect(rowValues(addRow(rows, ' Fair booth ', L, D).rows, L, D)).toEqual(['website', 'Alibaba', 'Fair booth']);
  });

  it('moves keep every row (and its key), and stop at the ends', () => {
    const rows = rowsOf(['a', 'b', 'c'], L);
    const up = moveRow(rows, 2, -1);
    expect(up.map((r) => r.text)).toEqual(['a', 'c', 'b']);
    expect(up[1].key).toBe(rows[2].key);
    expect(moveRow(rows, 0, -1)).toBe(rows);
    expect(moveRow(rows, 2, 1)).toBe(rows);
    expect(removeRow(rows, rows[1].key).map((r) => r.text)).toEqual(['a', 'c']);
  });

  it('the change to send: nothing, the defaults (null) or the list', () => {
    expect(listChange(['a', 'b'], ['a', 'b'], D)).toBeUndefined();
    expect(listChange(['b', 'a'], ['a', 'b'], D)).toEqual(['b', 'a']);
    expect(listChange([...D], ['a', 'b'], D)).toBeNull();
    expect(listChange([...D], [...D], D)).toBeUndefined();
  });

  it('the server\'s messages land on the list or on the entry it numbers', () => {
    const rows = rowsOf(['a', 'b'], L);
    expect(placeListError(['Each entry once.'], rows)).toEqual({ list: ['Each entry once.'], rows: {} });
    expect(placeListError({ 1: ['Must not be blank.'] }, rows))
      .toEqual({ list: [], rows: { [rows[1].key]: ['Must not be blank.'] } });
    expect(placeListError(undefined, rows)).toEqual({ list: [], rows: {} });
  });

  it('repeated entries are found as the server compares them', () => {
    const rows = [...rowsOf(['website', 'Alibaba'], L), { key: 'x', value: null, text: 'alibaba ' }];
    expect([...duplicateKeys(rows, L, D)]).toEqual(['x']);
  });
});

describe('where the organisation is', () => {
  it('time zones: UTC first, grouped by area, the current one always offered', () => {
    const groups = timeZoneGroups(['Europe/Berlin', 'America/New_York', 'UTC'], 'Mars/Olympus');
    expect(groups[0]).toEqual({ area: '', zones: [{ value: 'UTC', label: 'UTC' }] });
    expect(groups.map((g) => g.area)).toEqual(['', 'America', 'Europe', 'Mars']);
    expect(groups[1].zones[0].label).toMatch(/^America\/New York \(GMT-[45]\)$/);
    expect(groups[3].zones[0].value).toBe('Mars/Olympus');
  });

  it('countries: current codes with phone numbers, by name', () => {
    const codes = countryOptions(undefined, 'en').map((c) => c.value);
    expect(codes).toContain('DE');
    expect(codes).toContain('XK');
    for (const gone of ['YU', 'SU', 'UK', 'EU', 'AQ', 'ZZ']) expect(codes).not.toContain(gone);
    expect(countryOptions('DE', 'en').find((c) => c.value === 'DE').label).toBe('Germany (DE)');
  });
});
