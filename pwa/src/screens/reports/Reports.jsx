// The Reports section: the list of reports (the SLA board first), and one screen per report
// with its period picker, comparison, grouping and filters, the figures at a glance, a chart,
// the table beneath it and a CSV download. Online it asks the server (and keeps the answer on
// the device); offline it shows the last copy fetched, dated, and says it is offline.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { S, SLA_METRIC } from '../../strings.js';
import { useStore } from '../../store.js';
import { Link } from '../../router.jsx';
import { Screen } from '../../components.jsx';
import { REPORT, figuresFor, isManager, reportsFor, titleOf } from '../../reports/defs.js';
import { PRESETS, checkPeriod, comparisonsOf, parseDay, periodLabel, presetOf, presetRange, todayIn } from '../../reports/periods.js';
import { change, changeText, fmtValue, toneOf } from '../../reports/compare.js';
import { chartFor } from '../../reports/charts.js';
import { paramsOf, reportPath } from '../../reports/copies.js';
import { TeamAreaNav } from './index.jsx';
import { ChartView } from './Chart.jsx';
import { DEFAULT_PREFS, latestCopyOf, loadPrefs, savePrefs, useReport } from './data.js';

export function ReportsArea({ path, role }) {
  const id = path.replace(/^\/reports\/?/, '').split('/')[0];
  const mine = reportsFor(role);
  let screen;
  if (!id) screen = <Hub role={role} reports={mine} />;
  else if (mine.some((r) => r.id === id)) screen = <ReportScreen key={id} report={REPORT[id]} role={role} />;
  else screen = <NotForYou />;
  return (
    <>
      {isManager(role) && <TeamAreaNav path={path} />}
      {screen}
    </>
  );
}

function BackToReports() {
  return <p class="back"><Link href="/reports">{S.rptBack}</Link></p>;
}

function NotForYou() {
  return (
    <Screen title={S.rptHubTitle}>
      <BackToReports />
      <p class="note" role="alert">{S.rptForbidden}</p>
    </Screen>
  );
}

function Hub({ role, reports }) {
  return (
    <Screen title={S.rptHubTitle}>
      <p class="muted rpt-intro">{role === 'rep' ? S.rptHubHintRep : S.rptHubHint}</p>
      <ul class="rpt-hub">
        {reports.map((r) => (
          <li key={r.id}>
            <Link href={`/reports/${r.id}`}>
              <span class="rpt-hub-title">{titleOf(r, role)}</span>
              <span class="rpt-hub-hint">{(role === 'rep' && S.rptRepHint[r.id]) || S.rptHint[r.id]}</span>
            </Link>
          </li>
        ))}
      </ul>
    </Screen>
  );
}

// --- one report ------------------------------------------------------------------------------

const TIME_ZONE_FALLBACK = Intl.DateTimeFormat().resolvedOptions().timeZone;

function fmtStamp(iso, timeZone) {
  if (!iso) return '';
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  }
}

function shortDay(day) {
  const d = parseDay(day);
  return d ? new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(d) : day;
}

// The period in force: a preset's range today in the organisation's zone, or the custom dates.
function periodOf(prefs, today) {
  return prefs.preset === 'custom' ? { from: prefs.from, to: prefs.to } : presetRange(prefs.preset, today);
}

function ReportScreen({ report, role }) {
  const s = useStore();
  const me = s.session.user;
  const timeZone = s.org?.timezone || TIME_ZONE_FALLBACK;
  const today = todayIn(timeZone);
  const [prefs, setPrefs] = useState(null);
  useEffect(() => {
    let live = true;
    loadPrefs(me.id).then((p) => live && setPrefs(p));
    return () => { live = false; };
  }, [me.id]);
  const update = (patch) => {
    const next = { ...(prefs || DEFAULT_PREFS), ...patch };
    setPrefs(next);
    savePrefs(me.id, next);
  };

  const manager = isManager(role);
  const filtersOn = manager && !report.noFilters;
  const choices = groupChoices(report, role, me);
  const chosen = prefs?.groupBy[report.id];
  const groupBy = report.fixedGroupBy || (choices.includes(chosen) ? chosen : choices[0] || report.groupBys[0]);
  const period = prefs ? periodOf(prefs, today) : null;
  const periodOk = period && !Object.keys(checkPeriod(period.from, period.to)).length;
  const params = periodOk ? {
    from: period.from, to: period.to, group_by: groupBy,
    team_id: filtersOn ? prefs.team_id : '', owner_id: filtersOn ? prefs.owner_id : '',
  } : null;
  const path = params ? reportPath(report.api, params) : null;
  const answer = useReport(me.id, path, s.online, Boolean(path));

  // Offline with no copy of this very question: the last copy of this report fetched on the
  // device, with the picker set to what it is (its period, grouping and filters). On opening
  // the screen that happens by itself; after the person picks another choice, a button offers it.
  const [lastCopy, setLastCopy] = useState(null);
  const opened = useRef(false);
  useEffect(() => {
    if (answer.status === 'loading' || !prefs) return undefined;
    const first = !opened.current;
    opened.current = true;
    if (answer.status !== 'offline' || answer.copy) { setLastCopy(null); return undefined; }
    let live = true;
    // The lost reasons and the demand report ask the same server report, by reason or product.
    const demand = (c) => paramsOf(c.path).group_by === 'product';
    latestCopyOf(me.id, report.api, (c) => demand(c) === Boolean(report.fixedGroupBy)).then((copy) => {
      if (!live || !copy) return;
      if (first) showCopy(copy);
      else setLastCopy(copy);
    });
    return () => { live = false; };
  }, [answer.status, answer.copy, path, Boolean(prefs)]);
  const showCopy = (copy) => {
    const p = paramsOf(copy.path);
    update({
      preset: presetOf(p.from, p.to, today), from: p.from, to: p.to, team_id: p.team_id || '', owner_id: p.owner_id || '',
      groupBy: report.fixedGroupBy ? prefs.groupBy : { ...prefs.groupBy, [report.id]: p.group_by },
    });
  };

  const title = titleOf(report, role);
  if (!prefs) return <Screen title={title}><BackToReports /><p class="muted">{S.rptLoadingScreen}</p></Screen>;
  const data = answer.copy?.data || null;
  const scorecard = report.id === 'reps' && role === 'rep';
  return (
    <Screen title={title}>
      <BackToReports />
      <Controls
        report={report} prefs={prefs} update={update} today={today} groupBy={groupBy} choices={choices}
        filtersOn={filtersOn} me={me} role={role} online={s.online} users={s.users} scorecard={scorecard}
      />
      {period && periodOk && <PeriodLine prefs={prefs} period={period} today={today} both={scorecard} />}
      <StatusNote answer={answer} title={title} timeZone={timeZone} online={s.online} />
      {lastCopy && !answer.copy && (
        <p>
          <button type="button" onClick={() => showCopy(lastCopy)}>
            {S.rptShowLast(describeCopy(lastCopy, report))}
          </button>
        </p>
      )}
      {data && (
        <Figures
          report={report} role={role} data={data} compare={prefs.compare}
          scorecard={scorecard} title={title}
        />
      )}
      {data && path && <CsvLink path={path} online={s.online} />}
      {report.breaches && params && answer.status !== 'unavailable' && answer.status !== 'forbidden' && (
        <Breaches me={me} params={params} online={s.online} timeZone={timeZone} />
      )}
    </Screen>
  );
}

// The groupings worth offering: a rep's figures are their own (no person or team), and a
// team lead with one team has nothing to split by team.
function groupChoices(report, role, me) {
  if (report.fixedGroupBy) return [report.fixedGroupBy];
  const oneTeam = role !== 'admin' && (me.team_ids || []).length <= 1;
  return report.groupBys.filter((g) => !(role === 'rep' && (g === 'owner' || g === 'team')) && !(g === 'team' && oneTeam));
}

// "November 2026, by source" — what a stored copy answers.
function describeCopy(copy, report) {
  const p = paramsOf(copy.path);
  const period = periodLabel(p.from, p.to);
  return report.fixedGroupBy ? period : `${period}, ${(S.rptGroupBy[p.group_by] || p.group_by).toLowerCase()}`;
}

function Controls({ report, prefs, update, today, groupBy, choices, filtersOn, me, role, online, users, scorecard }) {
  const [from, setFrom] = useState(prefs.from || presetRange(prefs.preset, today)?.from || '');
  const [to, setTo] = useState(prefs.to || presetRange(prefs.preset, today)?.to || '');
  const [errors, setErrors] = useState({});
  const custom = prefs.preset === 'custom';
  useEffect(() => {
    if (custom) { setFrom(prefs.from); setTo(prefs.to); }
  }, [prefs.from, prefs.to, custom]);
  const choosePreset = (preset) => {
    if (preset === 'custom') {
      const r = periodOf(prefs, today) || {};
      setFrom(r.from || ''); setTo(r.to || ''); setErrors({});
      update({ preset, from: r.from || '', to: r.to || '' });
    } else {
      update({ preset });
    }
  };
  const applyCustom = (e) => {
    e.preventDefault();
    const found = checkPeriod(from, to);
    setErrors(found);
    if (!Object.keys(found).length) update({ preset: 'custom', from, to });
  };
  const teams = useTeams(me, role, online, filtersOn);
  const people = useMemo(() => {
    if (!filtersOn) return [];
    const mineTeams = new Set(me.team_ids || []);
    return (users || [])
      .filter((u) => u.active !== false && (u.role === 'rep' || u.role === 'lead'))
      .filter((u) => role === 'admin' || u.id === me.id || (u.team_ids || []).some((t) => mineTeams.has(t)))
      .filter((u) => !prefs.team_id || (u.team_ids || []).includes(prefs.team_id))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [users, filtersOn, prefs.team_id, me, role]);
  const active = (prefs.team_id ? 1 : 0) + (prefs.owner_id ? 1 : 0);
  const showTeams = filtersOn && teams.length > (role === 'admin' ? 0 : 1);
  return (
    <div class="rpt-controls">
      <div class="rpt-field rpt-wide">
        <label for="rpt-period-f">{S.rptPeriod}</label>
        <select id="rpt-period-f" value={prefs.preset} onChange={(e) => choosePreset(e.currentTarget.value)}>
          {PRESETS.map((p) => <option key={p} value={p}>{S.rptPreset[p]}</option>)}
        </select>
      </div>
      {custom && (
        <form class="rpt-custom rpt-wide" onSubmit={applyCustom} noValidate>
          <div class="rpt-field">
            <label for="rpt-from">{S.rptFrom}</label>
            <input id="rpt-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} aria-invalid={errors.from ? 'true' : undefined} aria-describedby={errors.from ? 'rpt-from-err' : undefined} />
            {errors.from && <span id="rpt-from-err" class="field-error">{errors.from}</span>}
          </div>
          <div class="rpt-field">
            <label for="rpt-to">{S.rptTo}</label>
            <input id="rpt-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} aria-invalid={errors.to ? 'true' : undefined} aria-describedby={errors.to ? 'rpt-to-err' : undefined} />
            {errors.to && <span id="rpt-to-err" class="field-error">{errors.to}</span>}
          </div>
          <button type="submit" class="primary">{S.rptApply}</button>
        </form>
      )}
      {choices.length > 1 && (
        <div class="rpt-field">
          <label for="rpt-group">{S.rptGroupByLabel}</label>
          <select id="rpt-group" value={groupBy} onChange={(e) => update({ groupBy: { ...prefs.groupBy, [report.id]: e.currentTarget.value } })}>
            {choices.map((g) => <option key={g} value={g}>{S.rptGroupBy[g]}</option>)}
          </select>
        </div>
      )}
      {!scorecard && (
        <div class="rpt-field">
          <label for="rpt-compare">{S.rptCompareLabel}</label>
          <select id="rpt-compare" value={prefs.compare} onChange={(e) => update({ compare: e.currentTarget.value })}>
            {['previous', 'year_ago', 'none'].map((c) => <option key={c} value={c}>{S.rptCompare[c]}</option>)}
          </select>
        </div>
      )}
      {filtersOn && (
        <details class="rpt-filters rpt-wide" open={active > 0}>
          <summary>{active ? S.rptFiltersOn(active) : S.rptFilters}</summary>
          <div class="rpt-filter-fields">
            {showTeams && (
              <div class="rpt-field">
                <label for="rpt-team">{S.rptTeam}</label>
                <select id="rpt-team" value={prefs.team_id} onChange={(e) => update({ team_id: e.currentTarget.value, owner_id: '' })}>
                  <option value="">{role === 'admin' ? S.rptAllTeams : S.rptMyTeams}</option>
                  {teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
                </select>
              </div>
            )}
            <div class="rpt-field">
              <label for="rpt-person">{S.rptPerson}</label>
              <select id="rpt-person" value={prefs.owner_id} onChange={(e) => update({ owner_id: e.currentTarget.value })}>
                <option value="">{S.rptEveryone}</option>
                {people.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </select>
            </div>
          </div>
        </details>
      )}
      {isManager(role) && report.noFilters && <p class="muted rpt-wide rpt-small">{S.rptOrgWide}</p>}
    </div>
  );
}

// The teams a person may filter by: an admin all, a team lead their own (names from the
// server's list, kept on the device like a report).
function useTeams(me, role, online, wanted) {
  const list = useReport(me.id, wanted ? '/teams' : null, online, wanted);
  const all = Array.isArray(list.copy?.data) ? list.copy.data : [];
  const mine = new Set(me.team_ids || []);
  return all.filter((t) => role === 'admin' || mine.has(t.id)).sort((a, b) => a.name.localeCompare(b.name));
}

// "November 2026 (so far: to 30 Nov) · vs October 2026" — a scorecard names both comparisons.
function PeriodLine({ prefs, period, today, both }) {
  const label = periodLabel(period.from, period.to);
  const soFar = period.from <= today && today < period.to ? S.rptSoFar(shortDay(today)) : '';
  const all = comparisonsOf(period.from, period.to);
  const against = both ? ['previous', 'year_ago'] : prefs.compare !== 'none' ? [prefs.compare] : [];
  const names = against.map((c) => periodLabel(all[c].from, all[c].to));
  return (
    <p class="rpt-period">
      <strong>{label}</strong>
      {soFar && <span class="muted"> ({soFar})</span>}
      {names.length > 0 && <span class="muted"> · {S.rptVs(names.join(S.rptAnd))}</span>}
    </p>
  );
}

function StatusNote({ answer, title, timeZone, online }) {
  const when = fmtStamp(answer.copy?.fetched_at, timeZone);
  switch (answer.status) {
    case 'loading':
      return <p class="muted rpt-status" role="status" data-state={answer.status}>{S.rptUpdating}</p>;
    case 'cached':
      return <p class="muted rpt-status" role="status" data-state={answer.status}>{S.rptFetched(when)} · {S.rptUpdating}</p>;
    case 'fresh':
      return <p class="muted rpt-status" role="status" data-state={answer.status}>{S.rptFetched(when)}</p>;
    case 'offline':
      return <p class="note rpt-status" role="status" data-state={answer.status}>{answer.copy ? S.rptOfflineCopy(when) : S.rptOfflineNone}</p>;
    case 'unreachable':
      return (
        <p class="note rpt-status" role="status" data-state={answer.status}>
          {answer.copy ? S.rptUnreachableCopy(when) : online ? S.rptFailed(answer.error?.message || '') : S.rptOfflineNone}
          {' '}<button type="button" class="link" onClick={answer.reload}>{S.rptRetry}</button>
        </p>
      );
    case 'unavailable':
      return <p class="note rpt-status" role="status" data-state={answer.status}>{S.rptNotAvailable(title)}</p>;
    case 'forbidden':
      return <p class="note rpt-status" role="alert" data-state={answer.status}>{S.rptForbidden}</p>;
    default:
      return (
        <p class="note rpt-status" role="alert" data-state={answer.status}>
          {S.rptFailed(answer.error?.message || '')}{' '}
          <button type="button" class="link" onClick={answer.reload}>{S.rptRetry}</button>
        </p>
      );
  }
}

function figureLabelOf(report) {
  return (key) => (report.id === 'demand' && S.rptDemandFigure[key]) || S.rptFigure[key] || key;
}

// The change of one figure against the chosen comparison, or nothing.
function Change({ figure, row, compare, currency }) {
  if (compare === 'none' || figure.now || figure.noChange) return null;
  const base = row[compare]?.[figure.key];
  const ch = change(row[figure.key], base, figure.kind);
  const t = changeText(ch, figure.kind, currency);
  const tone = toneOf(ch, figure.better);
  return (
    <span class={`rpt-ch rpt-${tone}`} data-change={ch.state}>
      <span aria-hidden="true" class="rpt-ch-main">{t.arrow} {t.main}</span>
      {t.pct && ' '}
      {t.pct && <span aria-hidden="true" class="rpt-ch-pct">{t.pct}</span>}
      <span class="sr-only">{t.words}{tone === 'good' ? `, ${S.rptGood}` : tone === 'bad' ? `, ${S.rptBad}` : ''}</span>
    </span>
  );
}

function Figures({ report, role, data, compare, scorecard, title }) {
  const figures = figuresFor(report, role);
  const label = figureLabelOf(report);
  const currency = data.currency;
  const rows = data.rows || [];
  const totals = data.totals || {};
  const groupLabel = S.rptGroupBy[data.group_by] || data.group_by;
  const periodText = periodLabel(data.from, data.to);
  const chart = useMemo(() => chartFor(report, data, { figureLabel: label, scorecard }), [report, data, scorecard]);
  const cards = scorecard ? figures : figures.filter((f) => f.summary);
  const other = totals.other_currency || 0;
  return (
    <>
      <section aria-labelledby="rpt-sum-h" class="rpt-summary">
        <h2 id="rpt-sum-h" class={scorecard ? '' : 'sr-only'}>{S.rptSummary}</h2>
        <ul class="rpt-cards">
          {cards.map((f) => (
            <li key={f.key} class="rpt-card" data-figure={f.key}>
              <span class="rpt-card-label">{label(f.key)}</span>
              <span class="rpt-card-value">{fmtValue(totals[f.key], f.kind, currency)}</span>
              {scorecard ? (
                ['previous', 'year_ago'].map((c) => (
                  <span key={c} class="rpt-card-vs">
                    <span class="muted">{S.rptCompare[c]}: </span>
                    <Change figure={f} row={totals} compare={c} currency={currency} />
                  </span>
                ))
              ) : (
                <Change figure={f} row={totals} compare={compare} currency={currency} />
              )}
            </li>
          ))}
        </ul>
      </section>
      {other > 0 && <p class="muted rpt-small">{S.rptOtherCurrency(other)}</p>}
      {report.id === 'sla' && <p class="muted rpt-small">{S.rptMinutesNote}</p>}
      {!scorecard && rows.length === 0 && <p class="empty">{S.rptEmpty}</p>}
      {chart && (
        <>
          <ChartView
            key={`${data.from}${data.to}${data.group_by}${rows.length}`}
            config={chart.config}
            height={chart.height}
            legend={chart.legend}
            label={S.rptChartLabel(chart.what, groupLabel)}
          />
          {chart.shown < rows.length && <p class="muted rpt-small">{S.rptChartTop(chart.shown)}</p>}
        </>
      )}
      {!scorecard && rows.length > 0 && (
        <Table
          rows={rows} totals={totals} figures={figures} label={label} compare={compare}
          currency={currency} caption={S.rptTableCaption(title, groupLabel, periodText)} groupLabel={groupLabel}
        />
      )}
    </>
  );
}

function Table({ rows, totals, figures, label, compare, currency, caption, groupLabel }) {
  // A rank or a score belongs to a person: the total row leaves them empty.
  const cells = (row, total = false) => figures.map((f) => (
    <td key={f.key} class="num" data-figure={f.key}>
      {!(total && f.noTotal) && (
        <>
          <span class="rpt-v">{fmtValue(row[f.key], f.kind, currency)}</span>
          <Change figure={f} row={row} compare={compare} currency={currency} />
        </>
      )}
    </td>
  ));
  return (
    <div class="rpt-table-block">
      <h2 id="rpt-caption" class="rpt-caption">{caption}</h2>
      <div class="rpt-scroll" role="region" aria-labelledby="rpt-caption" tabIndex={0}>
        <table class="rpt-table" aria-labelledby="rpt-caption">
          <thead>
            <tr>
              <th scope="col">{groupLabel}</th>
              {figures.map((f) => <th key={f.key} scope="col" class="num">{label(f.key)}</th>)}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={String(r.key)} data-key={r.key == null ? '' : String(r.key)}>
                <th scope="row">{r.label}</th>
                {cells(r)}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-key="total">
              <th scope="row">{S.rptTotal}</th>
              {cells(totals, true)}
            </tr>
          </tfoot>
        </table>
      </div>
      {figures.length > 2 && <p class="muted rpt-small rpt-swipe">{S.rptScrollHint}</p>}
    </div>
  );
}

function CsvLink({ path, online }) {
  const href = `/api/v1${path}&format=csv`;
  if (!online) return <p class="muted rpt-small">{S.rptCsvOffline}</p>;
  return <p class="rpt-csv"><a class="button" href={href} download>{S.rptCsv}</a></p>;
}

const BREACHES_SHOWN = 10;

function Breaches({ me, params, online, timeZone }) {
  const path = reportPath('sla/breaches', {
    from: params.from, to: params.to, team_id: params.team_id, owner_id: params.owner_id,
  });
  const list = useReport(me.id, path, online);
  const [shown, setShown] = useState(BREACHES_SHOWN);
  const items = list.copy?.data?.items || [];
  let body;
  if (list.status === 'unavailable') body = <p class="muted">{S.rptBreachesUnavailable}</p>;
  else if (!list.copy && list.status === 'loading') body = <p class="muted" role="status">{S.rptUpdating}</p>;
  else if (!list.copy && (list.status === 'offline' || list.status === 'unreachable')) body = <p class="muted">{S.rptOfflineNone}</p>;
  else if (!list.copy) body = <p class="note">{S.rptFailed(list.error?.message || '')}</p>;
  else if (!items.length) body = <p class="empty">{S.rptBreachesNone}</p>;
  else {
    body = (
      <>
        <ul class="rpt-breaches">
          {items.slice(0, shown).map((b) => (
            <li key={`${b.lead_id}-${b.metric}-${b.breached_at}`}>
              <Link href={`/leads/${b.lead_id}`}>{b.contact_name}</Link>
              <span class="muted">{b.owner_name}</span>
              <span>{S.rptBreach(SLA_METRIC[b.metric] || b.metric, fmtStamp(b.breached_at, timeZone))}</span>
            </li>
          ))}
        </ul>
        {items.length > shown && (
          <button type="button" class="more" onClick={() => setShown(shown + 50)}>
            {S.rptMoreBreaches(Math.min(50, items.length - shown))}
          </button>
        )}
      </>
    );
  }
  return (
    <section aria-labelledby="rpt-br-h" class="rpt-breach-section">
      <h2 id="rpt-br-h">{S.rptBreaches}</h2>
      {body}
    </section>
  );
}
