import { describe, it, expect } from 'vitest';
import { LOW_ROOM_BYTES, storageAtRisk } from '../src/storage.js';

const GB = 1024 ** 3;

describe('storageAtRisk', () => {
  it('is never at risk when the browser keeps the data (or has not said)', () => {
    expect(storageAtRisk({ persisted: true, usage: 9 * GB, quota: 10 * GB })).toBe(false);
    expect(storageAtRisk({ persisted: null, usage: 9 * GB, quota: 10 * GB })).toBe(false);
  });
  it('is not at risk with plenty of room left', () => {
    expect(storageAtRisk({ persisted: false, usage: 50 * 1024 ** 2, quota: 20 * GB })).toBe(false);
  });
  it('is at risk when little room is left, in bytes or as a share of the quota', () => {
    expect(storageAtRisk({ persisted: false, usage: 0, quota: LOW_ROOM_BYTES - 1 })).toBe(true);
    expect(storageAtRisk({ persisted: false, usage: 17 * GB, quota: 20 * GB })).toBe(true);
  });
  it('says so when the browser gives no estimate', () => {
    expect(storageAtRisk({ persisted: false })).toBe(true);
  });
});
