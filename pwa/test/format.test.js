import { describe, it, expect } from 'vitest';
import { fmtCountdown, fmtDuration } from '../src/format.js';

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
