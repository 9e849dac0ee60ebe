// Sources and lost reasons: the organisation's own lists (PATCH /org), edited entry by entry
// (add, rename, remove, move up/down, restore the defaults) and the default source of quick
// capture. Leads keep the value they hold; devices get the new lists by sync (the `org`
// entity), so after a save this device asks for one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { DEFAULT_LOST_REASONS, DEFAULT_SOURCES, lostReasonLabel, sourceLabel } from '../../org.js';
import { fieldMessage } from '../../components.jsx';
import { AdminSection, otherMessage, saveOrgChange, useRemote, useStatusLine } from './common.jsx';
import {
  addRow, duplicateKeys, listChange, moveRow, placeListError, removeRow, rowValues, rowsOf,
} from './catalog.js';

const KINDS = {
  sources: {
    field: 'lead_sources', labelOf: sourceLabel, defaults: DEFAULT_SOURCES, title: S.admSources,
    entry: S.admSourceEntry, newLabel: S.admNewSource, restore: S.admRestoreSources,
    saveLabel: S.admSaveSources, withDefault: true, max: 40,
  },
  reasons: {
    field: 'lost_reasons', labelOf: lostReasonLabel, defaults: DEFAULT_LOST_REASONS, title: S.admReasons,
    entry: S.admReasonEntry, newLabel: S.admNewReason, restore: S.admRestoreReasons,
    saveLabel: S.admSaveReasons, withDefault: false, max: 60,
  },
};

export function AdminLists() {
  const remote = useRemote('/org');
  // The organisation as last answered (a save's answer is newer than the first read): what
  // each form compares its entries with. Each form keeps its own unsaved edits.
  const [latest, setLatest] = useState(null);
  const org = latest || remote.data;
  return (
    <AdminSection title={S.adminLists} error={!latest && remote.error} onRetry={remote.reload}>
      {org && (
        <>
          <p class="muted">{S.admListsIntro}</p>
          <p class="note">{S.admListsKeep}</p>
          <ListForm kind="sources" org={org} onSaved={setLatest} />
          <ListForm kind="reasons" org={org} onSaved={setLatest} />
        </>
      )}
    </AdminSection>
  );
}

// "Default source for quick capture": none (the person picks every time) or one of `options`
// ({value, label}). Also on the Organisation screen.
export function DefaultSourceSelect({ id, options, value, onChange, error }) {
  const msg = fieldMessage(error);
  return (
    <div class="field">
      <label>
        <span>{S.admDefaultSource}</span>
        <select name="default_source" value={value} onChange={(e) => onChange(e.currentTarget.value)}
          aria-invalid={msg ? 'true' : undefined} aria-describedby={`${id}-help${msg ? ` ${id}-error` : ''}`}>
          <option value="">{S.admDefaultNone}</option>
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
      <p class="adm-help" id={`${id}-help`}>{S.admDefaultHelp}</p>
      {msg && <p class="field-error" id={`${id}-error`}>{msg}</p>}
    </div>
  );
}

const NO_ERRORS = { list: [], rows: {}, add: null, default_source: null, other: '' };

function ListForm({ kind, org, onSaved }) {
  const k = KINDS[kind];
  const [rows, setRows] = useState(() => rowsOf(org[k.field], k.labelOf));
  const defaultKeyIn = (list, value) => list.find((r) => r.value === value)?.key || '';
  const [defaultKey, setDefaultKey] = useState(() => defaultKeyIn(rows, org.default_source));
  const [newText, setNewText] = useState('');
  const [errors, setErrors] = useState(NO_ERRORS);
  // Read out and shown: moved, removed, saved (tone 'ok'), not saved (tone 'bad').
  const [said, setSaid] = useStatusLine();
  const [busy, setBusy] = useState(false);
  const [focus, setFocus] = useState(null); // after a move or removal: "<row key>-<button>"
  const form = useRef(null);

  useEffect(() => {
    if (!focus) return;
    form.current?.querySelector(`[data-focus="${focus}"]`)?.focus();
    setFocus(null);
  }, [focus]);

  const values = rowValues(rows, k.labelOf, k.defaults);
  const defaultValue = defaultKey ? values[rows.findIndex((r) => r.key === defaultKey)] ?? null : null;
  const change = listChange(values, org[k.field], k.defaults);
  const defaultChanged = k.withDefault && defaultValue !== (org.default_source ?? null);
  const dirty = change !== undefined || defaultChanged;

  function edit(nextRows, message) {
    setRows(nextRows);
    if (message) setSaid(message);
  }
  function rename(key, text) {
    setRows(rows.map((r) => (r.key === key ? { ...r, text } : r)));
    if (errors.rows[key]) setErrors({ ...errors, rows: { ...errors.rows, [key]: undefined } });
  }
  function move(i, delta) {
    const row = rows[i];
    const next = moveRow(rows, i, delta);
    const at = i + delta;
    edit(next, S.admMoved(row.text.trim(), at + 1, rows.length));
    // Keep focus on the button pressed; at the top (bottom) that one is disabled: the other.
    const which = (delta < 0 && at === 0) ? 'down' : (delta > 0 && at === rows.length - 1) ? 'up' : delta < 0 ? 'up' : 'down';
    setFocus(`${row.key}-${rows.length > 1 ? which : 'remove'}`);
  }
  function remove(i) {
    const row = rows[i];
    edit(removeRow(rows, row.key), S.admRemoved(row.text.trim()));
    if (row.key === defaultKey) setDefaultKey('');
    const neighbour = rows[i + 1] || rows[i - 1];
    setFocus(neighbour ? `${neighbour.key}-remove` : `${kind}-new`);
  }
  function add() {
    const res = addRow(rows, newText, k.labelOf, k.defaults);
    if (res.error) {
      setErrors({ ...errors, add: [S.admCheck[res.error]] });
      return;
    }
    edit(res.rows, S.admAdded(newText.trim()));
    setNewText('');
    setErrors({ ...errors, add: null });
  }
  function restore() {
    const next = rowsOf(k.defaults, k.labelOf);
    edit(next, S.admRestored);
    if (k.withDefault) setDefaultKey(defaultKeyIn(next, defaultValue));
    setErrors(NO_ERRORS);
  }

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const body = {};
    if (change !== undefined) body[k.field] = change;
    if (defaultChanged) body.default_source = defaultValue;
    const res = await saveOrgChange(body, setBusy, setSaid);
    if (!res) return;
    if (res.ok) {
      const fresh = rowsOf(res.data[k.field], k.labelOf);
      setRows(fresh);
      setDefaultKey(defaultKeyIn(fresh, res.data.default_source));
      setErrors(NO_ERRORS);
      setSaid(S.admListsSaved, 'ok');
      onSaved(res.data);
      return;
    }
    const placed = placeListError(res.fields[k.field], rows);
    if (placed.list.length) {
      // "Each entry once." names no entry: mark the repeated ones.
      for (const key of duplicateKeys(rows, k.labelOf, k.defaults)) {
        placed.rows[key] = [S.admCheck.list_duplicate];
      }
    }
    setErrors({
      ...NO_ERRORS,
      list: placed.list,
      rows: placed.rows,
      default_source: res.fields.default_source || null,
      other: otherMessage(res, (f) => f === k.field || f === 'default_source'),
    });
    setSaid(S.admNotSaved, 'bad');
  }

  const headingId = `${kind}-h`;
  const listErrorId = `${kind}-list-error`;
  return (
    <form class="form adm-list-form" onSubmit={submit} noValidate ref={form} aria-labelledby={headingId}>
      <h2 id={headingId}>{k.title}</h2>
      <ol class="adm-list" aria-labelledby={headingId} aria-describedby={errors.list.length ? listErrorId : undefined}>
        {rows.map((r, i) => {
          const text = r.text.trim() || '…';
          const rowError = fieldMessage(errors.rows[r.key]);
          const errId = `${kind}-${r.key}-error`;
          return (
            <li key={r.key}>
              <div class="adm-list-row">
                {/* A one-line text that wraps instead of hiding its end beside the buttons
                    (where CSS field-sizing is supported; elsewhere it scrolls like an input). */}
                <textarea rows={1} value={r.text} aria-label={k.entry(i + 1, rows.length)} maxLength={k.max}
                  aria-invalid={rowError ? 'true' : undefined} aria-describedby={rowError ? errId : undefined}
                  onKeyDown={(e) => { if (e.key === 'Enter') e.preventDefault(); }}
                  onInput={(e) => rename(r.key, e.currentTarget.value.replace(/[\r\n]+/g, ' '))} />
                <button type="button" class="adm-icon" aria-label={S.admMoveUp(text)} data-focus={`${r.key}-up`}
                  disabled={i === 0} onClick={() => move(i, -1)}><span aria-hidden="true">↑</span></button>
                <button type="button" class="adm-icon" aria-label={S.admMoveDown(text)} data-focus={`${r.key}-down`}
                  disabled={i === rows.length - 1} onClick={() => move(i, 1)}><span aria-hidden="true">↓</span></button>
                <button type="button" class="adm-icon adm-remove" aria-label={S.admRemove(text)} data-focus={`${r.key}-remove`}
                  onClick={() => remove(i)}><span aria-hidden="true">✕</span></button>
              </div>
              {rowError && <p class="field-error" id={errId}>{rowError}</p>}
            </li>
          );
        })}
      </ol>
      {!rows.length && <p class="empty">{S.admListEmpty}</p>}
      {errors.list.length > 0 && <p class="field-error" id={listErrorId}>{fieldMessage(errors.list)}</p>}
      <div class="field">
        <div class="adm-add">
          <label>
            <span>{k.newLabel}</span>
            <input data-focus={`${kind}-new`} value={newText} maxLength={k.max}
              aria-invalid={errors.add ? 'true' : undefined} aria-describedby={errors.add ? `${kind}-add-error` : undefined}
              onInput={(e) => { setNewText(e.currentTarget.value); if (errors.add) setErrors({ ...errors, add: null }); }}
              onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
          </label>
          <button type="button" onClick={add}>{S.admAdd}</button>
        </div>
        {errors.add && <p class="field-error" id={`${kind}-add-error`}>{fieldMessage(errors.add)}</p>}
      </div>
      <button type="button" class="link adm-restore" onClick={restore}>{k.restore}</button>
      {k.withDefault && (
        <DefaultSourceSelect id={`${kind}-default`} value={defaultKey} error={errors.default_source}
          options={rows.filter((r) => r.text.trim()).map((r) => ({ value: r.key, label: r.text.trim() }))}
          onChange={(v) => { setDefaultKey(v); setErrors({ ...errors, default_source: null }); }} />
      )}
      {errors.other && <p class="error" role="alert">{errors.other}</p>}
      <div class="row adm-save-row">
        <button type="submit" class="primary" disabled={busy}>{busy ? S.admSaving : k.saveLabel}</button>
        {dirty && !busy && <span class="badge">{S.admUnsaved}</span>}
      </div>
      <p class={`adm-status ${said.tone}`} role="status">{said.text}</p>
    </form>
  );
}
