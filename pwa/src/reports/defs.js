// The reports the app shows, as data: the server report each reads (GET /reports/<api>),
// its groupings, its figures (kind, which way is better, shown in the table and/or the
// summary) and its chart. Labels come from strings.js. The SLA board comes first.
import { S } from '../strings.js';

// better: 'up' (more is good news), 'down' (less is), null (neither: no colour).
const f = (key, kind, better, extra = {}) => ({ key, kind, better, ...extra });

export const REPORTS = [
  {
    id: 'sla',
    api: 'sla',
    groupBys: ['owner', 'team'],
    figures: [
      f('met_rate', 'ratio', 'up', { summary: true }),
      f('first_response_met', 'count', 'up'),
      f('first_response_breached', 'count', 'down', { summary: true }),
      f('follow_up_met', 'count', 'up'),
      f('follow_up_breached', 'count', 'down', { summary: true }),
      f('first_response_median_minutes', 'minutes', 'down', { summary: true }),
      f('first_response_p90_minutes', 'minutes', 'down'),
      f('overdue_now', 'count', 'down', { now: true }), // a figure of now: no comparison
    ],
    chart: { type: 'stacked', keys: ['first_response_met', 'first_response_breached', 'follow_up_met', 'follow_up_breached'] },
    breaches: true,
  },
  {
    id: 'inquiries',
    api: 'inquiries',
    groupBys: ['source', 'product', 'region', 'priority', 'stage', 'owner', 'team', 'week', 'month', 'quarter', 'year'],
    figures: [
      f('inquiries', 'count', 'up', { summary: true }),
      f('open', 'count', null),
      f('contacted', 'count', 'up'),
      f('quoted', 'count', 'up'),
      f('won', 'count', 'up', { summary: true }),
      f('lost', 'count', 'down'),
      f('won_value', 'money', 'up', { summary: true }),
      f('quote_rate', 'ratio', 'up'),
      f('win_rate', 'ratio', 'up', { summary: true }),
    ],
    chart: { type: 'bars', keys: ['inquiries', 'won'] },
  },
  {
    id: 'lost',
    api: 'lost',
    groupBys: ['reason'],
    figures: [
      f('lost', 'count', 'down', { summary: true }),
      f('share', 'ratio', null),
      f('estimated_value', 'money', 'down', { summary: true }),
    ],
    chart: { type: 'bars', keys: ['lost'] },
  },
  {
    id: 'demand',
    api: 'lost',
    fixedGroupBy: 'product', // the demand report: what customers asked for that we do not make
    groupBys: ['product'],
    figures: [
      f('lost', 'count', null, { summary: true }),
      f('quantity', 'quantity', null, { summary: true }),
      f('estimated_value', 'money', null, { summary: true }),
    ],
    chart: { type: 'bars', keys: ['lost'] },
  },
  {
    id: 'channels',
    api: 'channels',
    groupBys: ['source', 'week', 'month', 'quarter', 'year'],
    noFilters: true, // spend is the organisation's: no team or person filter
    managersOnly: true,
    figures: [
      f('spend', 'money', null, { summary: true }),
      f('inquiries', 'count', 'up'),
      f('cost_per_inquiry', 'money', 'down', { summary: true }),
      f('quoted', 'count', 'up'),
      f('won', 'count', 'up'),
      f('won_value', 'money', 'up', { summary: true }),
      f('cost_per_win', 'money', 'down'),
      f('roi', 'ratio', 'up', { summary: true }),
    ],
    chart: { type: 'spendWon' },
  },
  {
    id: 'reps',
    api: 'reps',
    groupBys: ['owner', 'team'],
    figures: [
      f('rank', 'rank', null, { noChange: true, noTotal: true, managersOnly: true }),
      f('score', 'score', 'up', { noTotal: true, managersOnly: true }),
      f('sales', 'money', 'up', { summary: true }),
      f('won', 'count', 'up', { summary: true }),
      f('inquiries', 'count', 'up', { summary: true }),
      f('follow_ups', 'count', 'up', { summary: true }),
      f('quotes', 'count', 'up'),
      f('first_response_met_rate', 'ratio', 'up', { summary: true }),
    ],
    chart: { type: 'ranked', key: 'score' },
  },
];

export const REPORT = Object.fromEntries(REPORTS.map((r) => [r.id, r]));

export const isManager = (role) => role === 'admin' || role === 'lead';
export const mayReadReports = (role) => role === 'admin' || role === 'lead' || role === 'rep';

// The reports a role sees, in order: a rep's own scorecard first, then their own figures;
// no channels table (spend is for admins and team leads).
export function reportsFor(role) {
  if (!mayReadReports(role)) return [];
  if (isManager(role)) return REPORTS;
  const rep = REPORTS.filter((r) => !r.managersOnly);
  return [REPORT.reps, ...rep.filter((r) => r.id !== 'reps')];
}

// A report's figures as this role sees them (a rep's score and rank compare them with
// nobody but themselves: left out).
export function figuresFor(report, role) {
  return report.figures.filter((x) => !x.managersOnly || isManager(role));
}

export const titleOf = (report, role) =>
  (role === 'rep' ? S.rptRepTitle[report.id] : null) || S.rptTitle[report.id];
