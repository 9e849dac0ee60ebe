// Whether the browser may really throw this device's data away. Storage that is not
// persistent is only evicted under storage pressure (least recently used origins first), so
// a warning about it is noise on a phone with room to spare: it is shown when the data is
// not persistent and the origin's room is nearly gone (less than 200 MB or a fifth of its
// quota left).
export const LOW_ROOM_BYTES = 200 * 1024 * 1024;

export function storageAtRisk({ persisted, usage, quota }) {
  if (persisted !== false) return false;
  if (!Number.isFinite(usage) || !Number.isFinite(quota) || quota <= 0) return true; // unknown: say so
  const room = quota - usage;
  return room < LOW_ROOM_BYTES || room < quota / 5;
}
