// Figures as a person reads them, and their change against a comparison period: the change
// and the percentage, with an arrow and a sign (never colour alone) and whether the change
// is good news (`tone`, for the colour) by the figure's `better` direction.
import { S } from '../strings.js';
import { fmtMinutes } from '../format.js';

// Kinds of figure: count, money, ratio (a decimal: 0.3333), minutes (business minutes),
// score (0–1, two decimals), rank (1 = best), quantity (a number, maybe fractional).
export function fmtValue(value, kind, currency, locale) {
  if (value == null) return S.rptNone;
  switch (kind) {
    case 'money': return fmtMoneyShort(value, currency, locale);
    case 'ratio': return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
    case 'minutes': return fmtMinutes(Math.round(value));
    case 'score': return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
    case 'rank': return `#${value}`;
    case 'quantity': return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
    default: return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
  }
}

// Money in a table: whole units from 100 up (a management figure) and for whole amounts,
// cents below (a cost per inquiry of 2.50 matters). The CSV keeps every cent.
export function fmtMoneyShort(value, currency, locale) {
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : 2;
  const opts = { minimumFractionDigits: digits, maximumFractionDigits: digits };
  try {
    return new Intl.NumberFormat(locale, currency ? { style: 'currency', currency, ...opts } : opts).format(value);
  } catch {
    return new Intl.NumberFormat(locale, opts).format(value);
  }
}

// A chart's axis: "€12K".
export function fmtCompact(value, kind, currency, locale) {
  if (kind === 'ratio') return fmtValue(value, kind, currency, locale);
  const opts = { notation: 'compact', maximumFractionDigits: 1 };
  try {
    return new Intl.NumberFormat(locale, kind === 'money' && currency ? { ...opts, style: 'currency', currency } : opts).format(value);
  } catch {
    return new Intl.NumberFormat(locale, opts).format(value);
  }
}

// {state, delta, pct}: state 'none' (nothing to compare: either side missing), 'same', 'up'
// or 'down'; delta the difference (ratios: in percentage points); pct the relative change
// (null for a ratio, and when the base is 0: "new" rather than an infinite percentage).
export function change(current, base, kind = 'count') {
  if (current == null || base == null || Number.isNaN(current) || Number.isNaN(base)) {
    return { state: 'none', delta: null, pct: null };
  }
  const scale = kind === 'ratio' ? 100 : 1;
  // Money and ratios arrive rounded (cents, 4 places): compare at that precision.
  const delta = Math.round((current - base) * scale * 10_000) / 10_000;
  if (delta === 0) return { state: 'same', delta: 0, pct: kind === 'ratio' || base === 0 ? null : 0 };
  const pct = kind === 'ratio' || base === 0 ? null : delta / Math.abs(base);
  return { state: delta > 0 ? 'up' : 'down', delta, pct };
}

// 'good', 'bad' or 'neutral' for the colour, by which way the figure is better.
export function toneOf(ch, better) {
  if (ch.state !== 'up' && ch.state !== 'down') return 'neutral';
  if (better === 'up') return ch.state === 'up' ? 'good' : 'bad';
  if (better === 'down') return ch.state === 'down' ? 'good' : 'bad';
  return 'neutral';
}

const signed = (text, n) => (n > 0 ? `+${text}` : n < 0 ? `−${text.replace(/^-/, '')}` : text);

// The change as text: {arrow, text, words, main, pct}. `arrow` ▲ ▼ = or –; `text` the sign, the change
// and the percentage ("+12 (+10.8%)", "−3.5 pts", "+5 (new)", "no change", "no comparison");
// `words` the same for a screen reader ("up 12, 10.8%").
export function changeText(ch, kind = 'count', currency, locale) {
  if (ch.state === 'none') return { arrow: '–', text: S.rptNoComparison, words: S.rptNoComparison, main: S.rptNoComparison, pct: '' };
  if (ch.state === 'same') return { arrow: '=', text: S.rptNoChange, words: S.rptNoChange, main: S.rptNoChange, pct: '' };
  let amount;
  if (kind === 'ratio') {
    amount = S.rptPoints(new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(Math.abs(ch.delta)));
  } else if (kind === 'minutes') {
    amount = fmtMinutes(Math.round(Math.abs(ch.delta)));
  } else if (kind === 'rank') {
    amount = S.rptPlaces(Math.abs(ch.delta));
  } else {
    amount = fmtValue(Math.abs(ch.delta), kind === 'count' ? 'count' : kind, currency, locale);
  }
  const sign = ch.state === 'up' ? '+' : '−';
  let pct;
  if (kind === 'ratio' || kind === 'rank' || kind === 'score') pct = '';
  else if (ch.pct == null) pct = ` (${S.rptNew})`;
  else pct = ` (${signed(new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(Math.abs(ch.pct)), ch.pct)})`;
  const text = `${sign}${amount}${pct}`;
  return {
    arrow: ch.state === 'up' ? '▲' : '▼',
    text,
    words: `${ch.state === 'up' ? S.rptUp : S.rptDown} ${amount}${pct}`,
    main: `${sign}${amount}`, // the change and the percentage apart, for narrow cells
    pct: pct.trim(),
  };
}
