// Dates, durations and money through Intl, in the device's locale.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function fmtDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '';
}

export function fmtMoney(value, currency) {
  if (value == null) return '';
  try {
    return new Intl.NumberFormat(undefined, currency ? { style: 'currency', currency } : { maximumFractionDigits: 2 }).format(value);
  } catch {
    return new Intl.NumberFormat().format(value);
  }
}

const twoDigits = new Intl.NumberFormat(undefined, { minimumIntegerDigits: 2 }); // made once

// "2 d 3 h", "3 h 05 min", "12:04" (min:s) — a countdown that reads at a glance.
export function fmtDuration(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  const nf = (n) => twoDigits.format(n);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${nf(m)} min`;
  return `${m}:${nf(s % 60)}`;
}

export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '';
  const diff = (Date.parse(iso) - now) / 1000;
  if (Math.abs(diff) < 5) return relative.format(0, 'second');
  const abs = Math.abs(diff);
  if (abs < 60) return relative.format(Math.round(diff), 'second');
  if (abs < 3600) return relative.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(diff / 3600), 'hour');
  return relative.format(Math.round(diff / 86400), 'day');
}

// <input type="datetime-local"> speaks local wall time; the wire speaks UTC.
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

// A policy target in business minutes: "2 h", "1 h 30 min", "24 h".
export function fmtMinutes(min) {
  if (min == null) return '';
  const h = Math.floor(min / 60), m = min % 60;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}
