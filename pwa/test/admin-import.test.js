// The pure parts of the history import and the spend ledger (src/screens/admin/importFile.js,
// spendLedger.js), and the upload through the API client (a FormData body goes as it is,
// with the CSRF token).
import { describe, it, expect } from 'vitest';
import {
  IMPORT_KINDS, badLineCount, columnLabel, csvCell, fileKey, fmtBytes, importProblems, importedBefore,
  problemsCsv, rememberImport, templateCsv,
} from '../src/screens/admin/importFile.js';
import {
  monthOptions, monthSpan, sourceChoices, spendBody, spendForm, spendPath, totalsBySource,
} from '../src/screens/admin/spendLedger.js';
import { Api } from '../src/sync/api.js';

const BOM = '\ufeff';

describe('the import templates', () => {
  it('are the header row alone, with the required columns, readable as UTF-8', () => {
    const leads = templateCsv('leads');
    expect(leads.startsWith(BOM)).toBe(true);
    const lines = leads.slice(1).split('\r\n');
    expect(lines).toEqual([lines[0], '']); // one row, then the final line break
    const header = lines[0].split(',');
    expect(header).toContain('contact_name');
    expect(header).toContain('external_ref');
    expect(new Set(header).size).toBe(header.length);
    const followups = templateCsv('followups').slice(1).trim().split(',');
    for (const column of IMPORT_KINDS.followups.required) expect(followups).toContain(column);
  });
});

describe('the server refusing a file', () => {
  it('becomes one problem per bad cell, by line number, not by the order of the keys', () => {
    const { rows, general } = importProblems({
      code: 'invalid_rows',
      fields: {
        11: { contact_name: ['Missing data for required field.'] },
        3: { source: ['Not one of the organisation’s lead sources.'], phone: ['Not a phone number.', 'Too short.'] },
        120: { row: ['7 cells; the header has 5.'] },
      },
    });
    expect(general).toEqual([]);
    expect(rows).toEqual([
      { line: 3, column: 'source', message: 'Not one of the organisation’s lead sources.' },
      { line: 3, column: 'phone', message: 'Not a phone number. Too short.' },
      { line: 11, column: 'contact_name', message: 'Missing data for required field.' },
      { line: 120, column: 'row', message: '7 cells; the header has 5.' },
    ]);
    expect(badLineCount(rows)).toBe(3);
    expect(columnLabel('contact_name')).toBe('contact name');
  });

  it('keeps what is wrong with the file or its header as a whole apart', () => {
    const header = importProblems({ fields: { header: ['Unknown columns: colour.', 'Missing columns: contact_name.'] } });
    expect(header).toEqual({ rows: [], general: ['Unknown columns: colour. Missing columns: contact_name.'] });
    expect(importProblems({ fields: { file: ['The file is empty.'] } }).general).toEqual(['The file is empty.']);
    expect(importProblems(null)).toEqual({ rows: [], general: [] });
  });

  it('downloads as a CSV a spreadsheet opens safely', () => {
    const text = problemsCsv([
      { line: 4, column: 'notes', message: 'Say "hello", then; stop' },
      { line: 9, column: 'phone', message: '=HYPERLINK("x")' },
    ]);
    expect(text).toBe(
      `${BOM}line,column,problem\r\n4,notes,"Say ""hello"", then; stop"\r\n9,phone,"'=HYPERLINK(""x"")"\r\n`,
    );
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell(12)).toBe('12');
  });
});

describe('files imported in this tab', () => {
  const storage = () => {
    const data = new Map();
    return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => data.set(k, String(v)) };
  };

  it('are known again by kind, name and size', () => {
    const s = storage();
    const file = { name: 'old-crm.csv', size: 52_311 };
    expect(importedBefore(s, fileKey('leads', file))).toBe(null);
    rememberImport(s, fileKey('leads', file), { at: '2026-11-30T10:00:00Z', imported: 812 });
    expect(importedBefore(s, fileKey('leads', { name: 'old-crm.csv', size: 52_311 }))).toEqual({
      at: '2026-11-30T10:00:00Z', imported: 812, unsure: false,
    });
    expect(importedBefore(s, fileKey('leads', { name: 'old-crm.csv', size: 52_312 }))).toBe(null);
    expect(importedBefore(s, fileKey('followups', file))).toBe(null);
    rememberImport(s, fileKey('followups', file), { at: '2026-11-30T10:05:00Z', unsure: true });
    expect(importedBefore(s, fileKey('followups', file)).unsure).toBe(true);
  });

  it('do not break the screen when the storage is unusable', () => {
    const broken = { getItem: () => '{not json', setItem: () => { throw new Error('QuotaExceeded'); } };
    expect(importedBefore(broken, 'k')).toBe(null);
    expect(() => rememberImport(broken, 'k', { at: 'now' })).not.toThrow();
    expect(importedBefore(null, 'k')).toBe(null);
  });

  it('have their size said as a person reads it', () => {
    expect(fmtBytes(512)).toMatch(/^512 bytes$/);
    expect(fmtBytes(830_000)).toMatch(/^830 KB$/);
    expect(fmtBytes(2_400_000)).toMatch(/^2\.4 MB$/);
  });
});

describe('the spend filter', () => {
  it('offers the months around today, newest first, and keeps a chosen older one', () => {
    const months = monthOptions('2026-11-30', { back: 13, ahead: 2 });
    expect(months.slice(0, 4)).toEqual(['2027-01', '2026-12', '2026-11', '2026-10']);
    expect(months.at(-1)).toBe('2025-10');
    expect(months).toHaveLength(16);
    expect(monthOptions('2026-01-15', { back: 1, ahead: 0 })).toEqual(['2026-01', '2025-12']);
    expect(monthOptions('2026-01-15', { back: 1, ahead: 0, keep: '2019-03' })).toEqual(['2026-01', '2025-12', '2019-03']);
  });

  it('asks for whole months, leap days included', () => {
    expect(monthSpan('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(monthSpan('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(spendPath({ month: '2026-04', source: 'trade_show' })).toBe('/spend?from=2026-04-01&to=2026-04-30&source=trade_show');
    expect(spendPath({ month: '', source: '' })).toBe('/spend');
  });

  it('adds up what is listed per source in cents, the largest first', () => {
    const totals = totalsBySource([
      { source: 'website', amount: 0.1 }, { source: 'website', amount: 0.2 },
      { source: 'trade_show', amount: 6500 }, { source: 'phone', amount: 120.55 },
    ]);
    expect(totals.rows).toEqual([
      { source: 'trade_show', amount: 6500, count: 1 },
      { source: 'phone', amount: 120.55, count: 1 },
      { source: 'website', amount: 0.3, count: 2 },
    ]);
    expect(totals.total).toBe(6620.85);
    expect(totals.count).toBe(4);
    expect(totalsBySource([])).toEqual({ rows: [], total: 0, count: 0 });
  });
});

describe('a spend entry typed in the form', () => {
  const entry = { id: 'e1', source: 'website', spent_on: '2026-11-02', amount: 180, note: 'Search ads' };

  it('is checked before it is sent, and the amount read as people type it', () => {
    const form = spendForm(null, { today: '2026-11-30', source: 'phone' });
    expect(form).toEqual({ source: 'phone', spent_on: '2026-11-30', amount: '', note: '' });
    expect(spendBody(form).errors).toEqual({ amount: { code: 'amount_needed' } });
    expect(spendBody({ ...form, source: '', spent_on: '', amount: 'lots' }).errors).toEqual({
      source: { code: 'source_needed' }, spent_on: { code: 'day_needed' }, amount: { code: 'price_format' },
    });
    // "12,345" reads as 12.345 (a decimal comma): three decimals are refused, not rounded.
    expect(spendBody({ ...form, amount: '12,345' }).errors).toEqual({ amount: { code: 'price_decimals' } });
    expect(spendBody({ ...form, amount: '1 234,5', note: '  ' }).body).toEqual({
      source: 'phone', spent_on: '2026-11-30', amount: '1234.50', note: null,
    });
  });

  it('sends only what changed when edited', () => {
    const form = spendForm(entry);
    expect(form.amount).toBe('180.00');
    expect(spendBody(form, entry)).toEqual({ body: {} });
    expect(spendBody({ ...form, amount: '199', note: '' }, entry)).toEqual({ body: { amount: '199.00', note: null } });
    expect(spendBody({ ...form, spent_on: '2026-11-09', source: 'marketplace' }, entry)).toEqual({
      body: { source: 'marketplace', spent_on: '2026-11-09' },
    });
  });

  it('keeps a source the organisation dropped on the entry that has it', () => {
    expect(sourceChoices(['website', 'phone'], 'fax_campaign')).toEqual(['website', 'phone', 'fax_campaign']);
    expect(sourceChoices(['website', 'phone'], 'phone')).toEqual(['website', 'phone']);
  });
});

describe('an upload through the API client', () => {
  it('sends the form as it is, with the CSRF token and no JSON content type', async () => {
    const calls = [];
    const fetch = async (url, init) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ imported: 2, duplicates_flagged: 0 }), { status: 201 });
    };
    const api = new Api({ fetch, getCsrf: async () => 'tok' });
    const form = new FormData();
    form.append('file', new Blob(['contact_name\nAnna\nBen\n'], { type: 'text/csv' }), 'a.csv');
    expect(await api.request('POST', '/imports/leads', form)).toEqual({ imported: 2, duplicates_flagged: 0 });
    const { url, init } = calls[0];
    expect(url).toBe('/api/v1/imports/leads');
    expect(init.body).toBe(form);
    expect(init.headers['X-CSRF-Token']).toBe('tok');
    expect(init.headers['Content-Type']).toBeUndefined();
    // JSON bodies are as before.
    await api.request('PATCH', '/spend/e1', { amount: '5.00' });
    expect(calls[1].init.headers['Content-Type']).toBe('application/json');
    expect(calls[1].init.body).toBe('{"amount":"5.00"}');
  });
});
