// What each report draws, as Chart.js configurations (data only: screens/reports/Chart.jsx
// draws them). Bars for counts by group (horizontal, so long labels read at 360 px; vertical
// over time), a combined bar/line for spend against won value, a ranked bar for people.
import { S } from '../strings.js';
import { fmtCompact } from './compare.js';

export const CHART_ROWS = 12; // a dimension's chart shows the first rows; the table has all
const TIME = new Set(['week', 'month', 'quarter', 'year']);
const COLOURS = {
  inquiries: '#1d4ed8', won: '#15803d', lost: '#b45309', spend: '#64748b', won_value: '#15803d',
  score: '#1d4ed8', on_time: '#15803d', late: '#b91c1c',
};

// A time bucket's short axis label: "2026-W10" → "W10", "2026-03" → "Mar 26", "2026-Q1" → "Q1 26".
export function shortKey(key, groupBy, locale) {
  const k = String(key ?? '');
  if (groupBy === 'week') return k.replace(/^\d{4}-/, '');
  if (groupBy === 'quarter') return k.replace(/^(\d{2})(\d{2})-(Q\d)$/, '$3 $2');
  if (groupBy === 'month') {
    const m = /^(\d{4})-(\d{2})$/.exec(k);
    if (m) {
      return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', year: '2-digit' })
        .format(new Date(Date.UTC(+m[1], +m[2] - 1, 1)));
    }
  }
  return k;
}

const clip = (text, n = 18) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

// A long label on two lines (Chart.js draws an array as lines): "Industrial mixer M200" →
// ["Industrial mixer", "M200"], so two similar names never clip to the same text.
export function wrapLabel(text, width = 16) {
  const t = String(text ?? '');
  if (t.length <= width) return t;
  const cut = t.lastIndexOf(' ', width);
  if (cut <= 0) return clip(t, width);
  return [t.slice(0, cut), clip(t.slice(cut + 1), width + 4)];
}

function axisFor(kind, currency, locale) {
  return {
    beginAtZero: true,
    grid: { color: '#e5e7eb' },
    ticks: { precision: 0, maxTicksLimit: 5, callback: (v) => fmtCompact(v, kind, currency, locale) },
  };
}

// {config, height, what, shown, legend: [{label, colour, shape}]} | null (nothing to draw).
// The legend is drawn as HTML beside the canvas (readable text, no plugin to ship).
export function chartFor(report, answer, { figureLabel, locale, scorecard = false } = {}) {
  const rows = answer?.rows || [];
  if (!rows.length || scorecard) return null;
  const groupBy = answer.group_by;
  const currency = answer.currency;
  const overTime = TIME.has(groupBy);
  const kindOf = (key) => report.figures.find((x) => x.key === key)?.kind || 'count';
  const spec = report.chart;

  if (spec.type === 'spendWon') {
    const labels = rows.map((r) => (overTime ? shortKey(r.key, groupBy, locale) : clip(r.label, 12)));
    return {
      what: `${figureLabel('spend')} / ${figureLabel('won_value')}`,
      legend: [
        { label: figureLabel('spend'), colour: COLOURS.spend, shape: 'bar' },
        { label: figureLabel('won_value'), colour: COLOURS.won_value, shape: 'line' },
      ],
      height: 300,
      shown: rows.length,
      config: {
        data: {
          labels,
          datasets: [
            { type: 'line', key: 'won_value', label: figureLabel('won_value'), data: rows.map((r) => r.won_value),
              borderColor: COLOURS.won_value, backgroundColor: COLOURS.won_value, pointStyle: 'rectRot', pointRadius: 6, borderWidth: 2, order: 0,
              showLine: overTime }, // channels are not a sequence: points, joined only over time
            { type: 'bar', key: 'spend', label: figureLabel('spend'), data: rows.map((r) => r.spend),
              backgroundColor: COLOURS.spend, order: 1 },
          ],
        },
        options: {
          responsive: true, maintainAspectRatio: false, indexAxis: 'x',
          scales: { x: { ticks: { autoSkip: false, maxRotation: 60 } }, y: axisFor('money', currency, locale) },
        },
      },
    };
  }

  if (spec.type === 'ranked') {
    const ranked = [...rows].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9)).slice(0, CHART_ROWS);
    return {
      what: figureLabel('score'),
      legend: [],
      height: ranked.length * 34 + 70,
      shown: ranked.length,
      config: {
        type: 'bar',
        data: {
          labels: ranked.map((r) => wrapLabel(`${r.rank ?? ''}. ${r.label}`)),
          datasets: [{ key: 'score', label: figureLabel('score'), data: ranked.map((r) => r.score), backgroundColor: COLOURS.score }],
        },
        options: {
          responsive: true, maintainAspectRatio: false, indexAxis: 'y',
          scales: { x: { ...axisFor('score', currency, locale), suggestedMax: 1, ticks: { maxTicksLimit: 5 } }, y: { grid: { display: false } } },
        },
      },
    };
  }

  const shownRows = overTime ? rows : rows.slice(0, CHART_ROWS);
  let datasets;
  if (spec.type === 'stacked') {
    // On time against late, both clocks together (the table splits them).
    const sum = (r, keys) => keys.reduce((n, k) => n + (r[k] || 0), 0);
    datasets = [
      { key: 'on_time', label: S.rptSlaOnTime, data: shownRows.map((r) => sum(r, ['first_response_met', 'follow_up_met'])), backgroundColor: COLOURS.on_time, stack: 's' },
      { key: 'late', label: S.rptSlaLate, data: shownRows.map((r) => sum(r, ['first_response_breached', 'follow_up_breached'])), backgroundColor: COLOURS.late, stack: 's' },
    ];
  } else {
    datasets = spec.keys.map((key) => ({
      key, label: figureLabel(key), data: shownRows.map((r) => r[key] ?? 0), backgroundColor: COLOURS[key] || COLOURS.inquiries,
    }));
  }
  const horizontal = !overTime;
  const lines = shownRows.some((r) => String(r.label).length > 16) ? 2 : 1;
  const perRow = Math.max(spec.type === 'stacked' ? 30 : datasets.length * 16 + 14, lines * 20 + 8);
  const valueKind = kindOf(datasets[0].key === 'on_time' ? 'first_response_met' : datasets[0].key);
  const valueAxis = { ...axisFor(valueKind, currency, locale), stacked: spec.type === 'stacked' };
  const groupAxis = { grid: { display: false }, stacked: spec.type === 'stacked', ticks: horizontal ? {} : { autoSkip: true, maxRotation: 0 } };
  return {
    what: datasets.map((d) => d.label).join(', '),
    legend: datasets.length > 1 ? datasets.map((d) => ({ label: d.label, colour: d.backgroundColor, shape: 'bar' })) : [],
    height: horizontal ? shownRows.length * perRow + 80 : 280,
    shown: shownRows.length,
    config: {
      type: 'bar',
      data: {
        labels: shownRows.map((r) => (overTime ? shortKey(r.key, groupBy, locale) : wrapLabel(r.label))),
        datasets,
      },
      options: {
        responsive: true, maintainAspectRatio: false, indexAxis: horizontal ? 'y' : 'x',
        scales: horizontal ? { x: valueAxis, y: groupAxis } : { x: groupAxis, y: valueAxis },
      },
    },
  };
}
