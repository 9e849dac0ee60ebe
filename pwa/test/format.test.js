import { describe, it, expect } from 'vitest';
import { fmtAgo, fmtCountdown, fmtDuration, fmtE164, fmtIn, phoneShown } from '../src/format.js';

const MIN = 60_000, H = 60 * MIN, D = 24 * H;

describe('fmtDuration: one format, to the minute', () => {
  it('minutes, hours with two-digit minutes, days with hours', () => {
    expect(fmtDuration(39 * MIN)).toBe('39 min');
    expect(fmtDuration(3 * H + 2 * MIN)).toBe('3 h 02 min');
    expect(fmtDuration(2 * D + 4 * H + 59 * MIN)).toBe('2 d 4 h');
    expect(fmtDuration(-(39 * MIN + 30_000))).toBe('39 min');
  });
  it('a time ahead rounds up, so it never reads 0 min before it is due', () => {
    expect(fmtDuration(10_000, { up: true })).toBe('1 min');
    expect(fmtDuration(59 * MIN + 1, { up: true })).toBe('1 h 00 min');
  });
});

describe('fmtCountdown', () => {
  it('labels what is due', () => {
    expect(fmtCountdown(3 * H + 2 * MIN, 'first_response')).toEqual({ label: 'Reply due', text: '3 h 02 min', over: false });
    expect(fmtCountdown(2 * D + 4 * H, 'follow_up')).toEqual({ label: 'Follow-up due', text: '2 d 4 h', over: false });
    expect(fmtCountdown(5 * MIN, null).label).toBe('Follow-up due');
  });
  it('overdue, in the same format', () => {
    expect(fmtCountdown(-39 * MIN, 'follow_up')).toEqual({ label: 'Follow-up due', text: 'Overdue 39 min', over: true });
    expect(fmtCountdown(-(2 * D + 4 * H), 'first_response').text).toBe('Overdue 2 d 4 h');
  });
  it('exactly due (and the first minute after) reads "Now"', () => {
    expect(fmtCountdown(0, 'follow_up')).toEqual({ label: 'Follow-up due', text: 'Now', over: true });
    expect(fmtCountdown(-59_000, 'follow_up').text).toBe('Now');
    expect(fmtCountdown(1, 'follow_up').text).toBe('1 min');
  });
});

// In the device's locale, as the app shows it ("7 seconds ago" in English).
const rel = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const at = (now, ms) => new Date(now + ms).toISOString();

describe('fmtAgo: "Synced 7 seconds ago", never "in 7 seconds"', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it('a past moment, in the largest fitting unit', () => {
    expect(fmtAgo(at(now, -7_000), now)).toBe(rel.format(-7, 'second'));
    expect(fmtAgo(at(now, -3 * 60_000), now)).toBe(rel.format(-3, 'minute'));
    expect(fmtAgo(at(now, -2 * H), now)).toBe(rel.format(-2, 'hour'));
    expect(fmtAgo(at(now, -3 * D), now)).toBe(rel.format(-3, 'day'));
  });
  it('a moment the ticker has not reached yet (it lags) reads as now, not as the future', () => {
    expect(fmtAgo(at(now, 7_000), now)).toBe(rel.format(0, 'second'));
    expect(fmtAgo(at(now, 7_000), now)).not.toBe(rel.format(7, 'second'));
    expect(fmtAgo(at(now, -2_000), now)).toBe(rel.format(0, 'second'));
  });
  it('nothing for no time', () => expect(fmtAgo(null)).toBe(''));
});

describe('fmtIn: when a retry comes, never in the past', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');
  it('a future moment', () => {
    expect(fmtIn(at(now, 30_000), now)).toBe(rel.format(30, 'second'));
    expect(fmtIn(at(now, 5 * 60_000), now)).toBe(rel.format(5, 'minute'));
  });
  it('a time already come reads now', () => {
    expect(fmtIn(at(now, -30_000), now)).toBe(rel.format(0, 'second'));
  });
});

describe('phones: the normalised form shown, the typed one kept', () => {
  it('sets the country code apart (one, two or three digits)', () => {
    expect(fmtE164('+491712345678')).toBe('+49 1712345678');
    expect(fmtE164('+14155550123')).toBe('+1 4155550123');
    expect(fmtE164('+74951234567')).toBe('+7 4951234567');
    expect(fmtE164('+353861234567')).toBe('+353 861234567');
    expect(fmtE164('+2125221234567')).toBe('+212 5221234567');
    expect(fmtE164('0171 2345678')).toBe('0171 2345678'); // not E.164: as it is
  });
  it('once the server normalised it: that form, dialled in E.164, the typed form beside it', () => {
    expect(phoneShown({ phone: '0171 2345678', phone_e164: '+491712345678' })).toEqual({
      text: '+49 1712345678', tel: '+491712345678', typed: '0171 2345678',
    });
    expect(phoneShown({ phone: '+49 1712345678', phone_e164: '+491712345678' }).typed).toBeNull();
  });
  it('typed or changed on this device: only the typed form, dialled by its digits', () => {
    expect(phoneShown({ phone: '0171 234-5678' })).toEqual({ text: '0171 234-5678', tel: '01712345678', typed: null });
    // The stored normalised form is the old number's until the server has the new one.
    expect(phoneShown({ phone: '030 1234567', phone_e164: '+491712345678' }, { unsent: true }))
      .toEqual({ text: '030 1234567', tel: '0301234567', typed: null });
    expect(phoneShown({ phone: '+49 (30) 123' }).tel).toBe('+4930123');
  });
  it('no phone, nothing shown', () => {
    expect(phoneShown({ phone: null })).toBeNull();
    expect(phoneShown({ phone: '  ' })).toBeNull();
  });
});
