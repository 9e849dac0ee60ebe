// Import history: past inquiries (or their follow-ups) from a CSV file. The server checks
// every row before it stores any, so the answer is either what was imported or every bad
// line with its fields — nothing half-imported. The screen explains the columns, offers a
// template, guards against sending the same file twice, and lists the problems by line.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { S, STAGE_LABEL, KIND_LABEL } from '../../strings.js';
import { useStore } from '../../store.js';
import { fmtDateTime } from '../../format.js';
import { Screen } from '../../components.jsx';
import { BackToAdmin, useAdminForm } from './common.jsx';
import {
  IMPORT_KINDS, badLineCount, columnLabel, dataUrl, fileKey, fmtBytes, importProblems, importedBefore,
  problemsCsv, rememberImport, templateCsv,
} from './importFile.js';

// Problems listed on screen; all of them are in the download.
const SHOWN = 50;
// The server lists at most this many bad lines (app/leads/importing.py, refused()).
const SERVER_LISTS = 1000;

const session = () => {
  try {
    return globalThis.sessionStorage;
  } catch {
    return null;
  }
};

export function AdminImport() {
  const s = useStore();
  const [kind, setKind] = useState('leads');
  const [file, setFile] = useState(null);
  const [inputKey, setInputKey] = useState(0); // a new key empties the file input
  const { busy, call, onSubmit } = useAdminForm({}); // busy while a file is on its way
  const [outcome, setOutcome] = useState(null); // {ok, text} | {problems, message} | {error}
  const heading = useRef(null);
  const earlier = file ? importedBefore(session(), fileKey(kind, file)) : null;

  useEffect(() => {
    if (outcome) heading.current?.focus();
  }, [outcome]);

  function choose(e) {
    setFile(e.currentTarget.files?.[0] || null);
    setOutcome(null);
  }

  const send = onSubmit(async () => {
    if (!file) return;
    const key = fileKey(kind, file);
    const form = new FormData();
    form.append('file', file, file.name);
    setOutcome(null);
    const res = await call('POST', IMPORT_KINDS[kind].path, form);
    const at = new Date().toISOString();
    if (res.ok) {
      rememberImport(session(), key, { at, imported: res.data.imported });
      setOutcome({
        ok: true,
        text: kind === 'leads'
          ? S.impDoneLeads(res.data.imported, res.data.duplicates_flagged)
          : S.impDoneFollowups(res.data.imported, res.data.leads),
      });
      setFile(null);
      setInputKey((k) => k + 1);
    } else if (res.status === 0) {
      rememberImport(session(), key, { at, unsure: true });
      setOutcome({ error: S.impBroken });
    } else if (res.status === 413) {
      setOutcome({ error: S.impTooLarge });
    } else if (res.status === 422) {
      setOutcome({ problems: importProblems({ fields: res.fields }), message: res.message });
    } else {
      setOutcome({ error: res.message });
    }
  });

  return (
    <Screen title={S.adminImport}>
      <BackToAdmin />
      <p class="muted">{S.impIntro}</p>
      {!s.online && <p class="note" role="status">{S.adminOffline}</p>}
      <form class="form imp-form" onSubmit={send} noValidate>
        <fieldset class="imp-kinds" disabled={busy}>
          <legend>{S.impKind}</legend>
          {[['leads', S.impKindLeads], ['followups', S.impKindFollowups]].map(([value, label]) => (
            <label class="check" key={value}>
              <input type="radio" name="kind" value={value} checked={kind === value}
                onChange={() => { setKind(value); setOutcome(null); }} />
              <span>{label}</span>
            </label>
          ))}
        </fieldset>
        <Columns kind={kind} org={s.org} />
        <div class="field">
          <label>
            <span>{S.impFile}</span>
            <input key={inputKey} type="file" name="file" accept=".csv,text/csv" disabled={busy}
              onChange={choose} aria-describedby="imp-file-help" />
          </label>
          <p class="adm-help" id="imp-file-help">
            {file ? S.impChosen(file.name, fmtBytes(file.size)) : S.impFileHelp}
          </p>
        </div>
        {earlier && !busy && (
          <p class="note" role="status">
            {earlier.unsure ? S.impAgainUnsure(fmtDateTime(earlier.at)) : S.impAgain(fmtDateTime(earlier.at), earlier.imported)}
          </p>
        )}
        <button type="submit" class="primary" disabled={!file || busy || !s.online}>
          {busy ? S.impSending : earlier ? S.impSendAgain : S.impSend}
        </button>
      </form>
      <div role="status" class="imp-progress-slot">
        {busy && (
          <p class="imp-progress">
            <span class="imp-spinner" aria-hidden="true" />
            <span>{S.impProgress(file.name, fmtBytes(file.size))}</span>
          </p>
        )}
      </div>
      {outcome && <Outcome outcome={outcome} heading={heading} />}
    </Screen>
  );
}

// The columns of a kind in one short block, with its template; the accepted values and all
// the columns folded away below.
function Columns({ kind, org }) {
  const k = IMPORT_KINDS[kind];
  const href = useMemo(() => dataUrl(templateCsv(kind)), [kind]);
  const values = kind === 'leads'
    ? [
      ['source', org.lead_sources], ['stage', Object.keys(STAGE_LABEL)], ['lost_reason', org.lost_reasons],
      ['priority', ['low', 'normal', 'high', 'urgent']],
    ]
    : [['kind', Object.keys(KIND_LABEL)]];
  return (
    <section class="imp-columns" aria-labelledby="imp-columns-h">
      <h2 id="imp-columns-h">{S.impColumns}</h2>
      <p>{kind === 'leads' ? S.impColumnsLeads : S.impColumnsFollowups}</p>
      <p class="imp-template">
        <a href={href} download={k.file}>{S.impTemplate}</a>
      </p>
      <details class="imp-more">
        <summary>{S.impMore}</summary>
        <p>{kind === 'leads' ? S.impMoreLeads : S.impMoreFollowups}</p>
        <p>{S.impDates}</p>
        <ul class="imp-values">
          {values.map(([name, list]) => <li key={name}>{S.impValues(name, list.join(', '))}</li>)}
        </ul>
        <p class="imp-all-columns"><code>{k.template.join(', ')}</code></p>
      </details>
    </section>
  );
}

function Outcome({ outcome, heading }) {
  if (outcome.ok) {
    return (
      <section class="imp-result" aria-labelledby="imp-result-h">
        <h2 id="imp-result-h" class="imp-ok" tabIndex={-1} ref={heading}>{outcome.text}</h2>
        <p class="muted">{S.impDoneSync}</p>
      </section>
    );
  }
  if (outcome.error) {
    return (
      <section class="imp-result" aria-labelledby="imp-result-h">
        <h2 id="imp-result-h" tabIndex={-1} ref={heading}>{S.impFailed}</h2>
        <p class="error">{outcome.error}</p>
      </section>
    );
  }
  const { rows, general } = outcome.problems;
  const lines = badLineCount(rows);
  return (
    <section class="imp-result imp-problems" aria-labelledby="imp-result-h">
      <h2 id="imp-result-h" tabIndex={-1} ref={heading}>{S.impFailed}</h2>
      {/* The server's message counts the bad rows, as the list below does; it is said when
          the file as a whole is wrong ("The header row is not right."). */}
      {!rows.length && outcome.message && <p class="error">{outcome.message}</p>}
      {general.length > 0 && (
        <ul class="imp-general">
          {general.map((text, i) => <li key={i}>{text}</li>)}
        </ul>
      )}
      <p>{rows.length ? S.impFixLines(lines) : S.impFixFile}</p>
      {rows.length > 0 && (
        <>
          <ol class="imp-lines">
            {rows.slice(0, SHOWN).map((r) => (
              <li key={`${r.line}-${r.column}`}>
                <span class="imp-line">{S.impLine(r.line)}</span>
                {r.column === 'row' ? ': ' : <>{': '}<span class="imp-col">{columnLabel(r.column)}</span>{' — '}</>}
                <span>{r.message}</span>
              </li>
            ))}
          </ol>
          {rows.length > SHOWN && <p class="muted">{S.impShown(SHOWN, rows.length)}</p>}
          {lines >= SERVER_LISTS && <p class="note">{S.impMoreLines(SERVER_LISTS)}</p>}
          <button type="button" onClick={() => download('import-problems.csv', problemsCsv(rows))}>
            {S.impDownloadProblems}
          </button>
        </>
      )}
    </section>
  );
}

// Save text as a file on the device (the problems can be many: a Blob, not a data: link).
function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
