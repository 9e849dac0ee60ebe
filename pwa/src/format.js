// Dates, durations and money through Intl, in the device's locale.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function fmtDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '';
}

const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
// "21:40" (today's times: a claim's end, a reply's deadline tonight).
export function fmtTime(iso) {
  return iso ? timeOnly.format(new Date(iso)) : '';
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

// The one countdown format, to the minute: "39 min", "3 h 02 min", "2 d 4 h". A time still
// ahead rounds up (never "0 min" before it is due), one past rounds down.
export function fmtDuration(ms, { up = false } = {}) {
  const total = (up ? Math.ceil : Math.floor)(Math.abs(ms) / 60_000);
  const d = Math.floor(total / 1440), h = Math.floor((total % 1440) / 60), m = total % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${twoDigits.format(m)} min`;
  return `${m} min`;
}

// A lead's countdown: `diff` = due − now in ms. {label, text, over}: the label says what is
// due ("Reply due" for the first response, else "Follow-up due"), the text how long:
// "3 h 02 min", "2 d 4 h", "Overdue 39 min", "Now" (due this minute). Every countdown of the
// app (queue, search, lead detail) is written by this one function.
export const COUNTDOWN_LABEL = { first_response: 'Reply due', first_reply: 'Reply due', follow_up: 'Follow-up due' };
export function fmtCountdown(diff, metric) {
  const label = COUNTDOWN_LABEL[metric] || COUNTDOWN_LABEL.follow_up;
  if (diff > 0) return { label, text: fmtDuration(diff, { up: true }), over: false };
  if (diff > -60_000) return { label, text: 'Now', over: true };
  return { label, text: `Overdue ${fmtDuration(diff)}`, over: true };
}

// How long ago something happened ("Synced 7 seconds ago"). A past event never reads as a
// future one ("in 7 seconds"): the shared ticker's `now` may lag the moment just recorded.
export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '';
  const diff = Math.min(0, (Date.parse(iso) - now) / 1000);
  if (Math.abs(diff) < 5) return relative.format(0, 'second');
  const abs = Math.abs(diff);
  if (abs < 60) return relative.format(Math.round(diff), 'second');
  if (abs < 3600) return relative.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return relative.format(Math.round(diff / 3600), 'hour');
  return relative.format(Math.round(diff / 86400), 'day');
}

// How soon something will happen ("retrying in 30 seconds"): the mirror of fmtAgo, never in
// the past (a retry whose time has come reads "now").
export function fmtIn(iso, now = Date.now()) {
  if (!iso) return '';
  const diff = Math.max(0, (Date.parse(iso) - now) / 1000);
  if (diff < 5) return relative.format(0, 'second');
  if (diff < 60) return relative.format(Math.round(diff), 'second');
  if (diff < 3600) return relative.format(Math.round(diff / 60), 'minute');
  return relative.format(Math.round(diff / 3600), 'hour');
}

// --- phone numbers -------------------------------------------------------------------
// The server keeps each phone as typed (`phone`) and normalised to E.164 with the
// organisation's default country (`phone_e164`, app/leads/service.py normalize_phone). The
// device never parses numbers itself (libphonenumber decides, on the server); it shows the
// normalised form with the country code set apart, and the typed one for reference.

// The country calling codes of two digits (ITU-T E.164); 1 and 7 are the only one-digit
// codes, every other has three. The codes are prefix-free, so the first digits decide.
const CC2 = new Set([
  20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55,
  56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
]);

// "+491712345678" -> "+49 1712345678"; anything not in E.164 comes back as it is.
export function fmtE164(e164) {
  if (!/^\+\d{4,15}$/.test(e164 || '')) return e164 || '';
  const d = e164.slice(1);
  const n = d[0] === '1' || d[0] === '7' ? 1 : CC2.has(Number(d.slice(0, 2))) ? 2 : 3;
  return `+${d.slice(0, n)} ${d.slice(n)}`;
}

// A lead's phone as shown: {text, tel, typed} or null. `text` is the normalised international
// form once the server has read the number, `tel` what a tel: link dials, `typed` what the
// person typed when it reads differently (null when the same). `unsent`: the phone was
// typed or changed on this device and the server has not normalised it yet (the stored
// phone_e164 would be the old number's): the typed form is all there is.
export function phoneShown(lead, { unsent = false } = {}) {
  const typed = (lead?.phone || '').trim();
  if (!typed) return null;
  const e164 = !unsent && /^\+\d{4,15}$/.test(lead.phone_e164 || '') ? lead.phone_e164 : null;
  if (!e164) {
    const dial = typed.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
    return { text: typed, tel: dial || typed, typed: null };
  }
  const text = fmtE164(e164);
  return { text, tel: e164, typed: typed.replace(/\s+/g, ' ') === text ? null : typed };
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
