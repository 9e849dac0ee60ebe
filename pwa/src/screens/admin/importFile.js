// The pure parts of the history import (Import.jsx): the columns of each kind of file and
// a template of them, the server's refusal as readable problems (and as a CSV to download),
// and which files this tab has imported already. Kept apart so Vitest checks them.
import { S } from '../../strings.js';

// The columns a template offers, in a sensible order (the server knows a few more: lead_id,
// product_id, team_id, captured_at, next_follow_up_at). `required`: the header must have
// them.
export const IMPORT_KINDS = {
  leads: {
    path: '/imports/leads',
    file: 'leads-template.csv',
    required: ['contact_name'],
    template: [
      'external_ref', 'created_at', 'contact_name', 'company', 'phone', 'email', 'source',
      'priority', 'product_sku', 'product_text', 'quantity', 'estimated_value', 'currency',
      'region', 'territory', 'owner_email', 'stage', 'closed_at', 'won_value', 'lost_reason',
      'notes',
    ],
  },
  followups: {
    path: '/imports/followups',
    file: 'followups-template.csv',
    required: ['lead_ref', 'kind', 'happened_at'],
    template: [
      'lead_ref', 'happened_at', 'kind', 'note', 'outcome', 'quoted_amount', 'next_follow_up_at',
      'author_email',
    ],
  },
};

// A cell of a CSV file: quoted when it holds a separator (comma or semicolon: spreadsheets
// in many countries split on either), a quote or a line break; a cell a spreadsheet would
// run as a formula gets a leading apostrophe.
export function csvCell(value) {
  let t = String(value ?? '');
  if (/^[=+\-@\t\r]/.test(t)) t = `'${t}`;
  return /[",;\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

// Lines of cells → CSV text, with a byte-order mark so a spreadsheet reads it as UTF-8.
export const csvText = (rows) => `\ufeff${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;

// The template of a kind: the header row alone (nothing a forgotten example row could add).
export const templateCsv = (kind) => csvText([IMPORT_KINDS[kind].template]);

// As a link can carry it (href of <a download>).
export const dataUrl = (text) => `data:text/csv;charset=utf-8,${encodeURIComponent(text)}`;

// A column's name as a person reads it: "contact_name" → "contact name".
export const columnLabel = (name) => String(name).replace(/_/g, ' ');

// The server's refusal of a file → {rows, general}. `rows`: one entry per bad cell,
// {line, column, message}, by line number (line 1 is the header, as in a spreadsheet);
// column "row" is a problem of the whole row (too many cells). `general`: what is wrong
// with the file or its header as a whole.
export function importProblems(error) {
  const rows = [];
  const general = [];
  const fields = error?.fields || {};
  for (const [key, value] of Object.entries(fields)) {
    if (/^\d+$/.test(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [column, messages] of Object.entries(value)) {
        rows.push({ line: Number(key), column, message: flat(messages) });
      }
    } else {
      general.push(flat(value));
    }
  }
  rows.sort((a, b) => a.line - b.line);
  return { rows, general };
}

function flat(messages) {
  if (Array.isArray(messages)) return messages.map(flat).join(' ');
  if (messages && typeof messages === 'object') {
    return Object.entries(messages).map(([k, v]) => `${k}: ${flat(v)}`).join(' ');
  }
  return String(messages ?? '');
}

// How many lines have problems (a line may have several).
export const badLineCount = (rows) => new Set(rows.map((r) => r.line)).size;

// The problems as a CSV file to fix the sheet by.
export const problemsCsv = (rows) =>
  csvText([['line', 'column', 'problem'], ...rows.map((r) => [r.line, r.column, r.message])]);

// --- files imported in this tab -------------------------------------------------------------
// A file without external references would be imported twice if sent twice, so the screen
// asks before sending a file of the same kind, name and size again. Kept in sessionStorage:
// a reload of the tab still remembers.

const KEY = 'leadsync.imports';

export const fileKey = (kind, file) => `${kind}|${file.name}|${file.size}`;

function readAll(storage) {
  try {
    return JSON.parse(storage?.getItem(KEY) || '{}') || {};
  } catch {
    return {};
  }
}

// {at, imported, unsure} of this file's earlier import in this tab, or null.
export const importedBefore = (storage, key) => readAll(storage)[key] || null;

// `unsure`: the connection broke off while sending; it may or may not have gone in.
export function rememberImport(storage, key, { at, imported = null, unsure = false }) {
  const all = readAll(storage);
  all[key] = { at, imported, unsure };
  try {
    storage?.setItem(KEY, JSON.stringify(all));
  } catch {
    // Private mode or full: the warning is a courtesy; the import itself is done.
  }
}

// A file's size as a person reads it: "830 KB", "2.4 MB".
export function fmtBytes(n) {
  const num = (v, digits) => new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(v);
  if (n < 1000) return S.impBytes(num(n, 0));
  if (n < 1000 * 1000) return `${num(n / 1000, 0)} KB`;
  return `${num(n / 1000 / 1000, 1)} MB`;
}
