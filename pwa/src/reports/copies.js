// A report's query, and the last fetched copy of each answer kept on the device, so a report
// opens offline as it was last seen, dated. Copies live in IndexedDB's `meta` store (no store
// of their own) under "report:<user id>:<query>", so one person never sees another's figures
// on a shared device; signing out clears `meta` and with it every copy.

export const MAX_COPIES = 40; // per person: the oldest go first

// The API path of a report's answer: "/reports/inquiries?from=…&to=…&group_by=…&team_id=…".
// Parameters in a fixed order, empty ones left out, so one question is one key.
export function reportPath(api, params, extra = {}) {
  const q = new URLSearchParams();
  for (const name of ['from', 'to', 'group_by', 'team_id', 'owner_id']) {
    if (params[name]) q.set(name, params[name]);
  }
  for (const [name, value] of Object.entries(extra)) if (value) q.set(name, value);
  return `/reports/${api}?${q}`;
}

const prefix = (userId) => `report:${userId}:`;
export const copyKey = (userId, path) => prefix(userId) + path;

// Keep an answer: {path, fetched_at (ISO), data}. Older copies beyond MAX_COPIES go.
export async function saveCopy(db, userId, path, data, now = new Date()) {
  const copy = { path, fetched_at: now.toISOString(), data };
  const tx = db.transaction('meta', 'readwrite');
  await tx.store.put(copy, copyKey(userId, path));
  const range = IDBKeyRange.bound(prefix(userId), `${prefix(userId)}\uffff`);
  const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
  if (keys.length > MAX_COPIES) {
    const order = keys.map((k, i) => [k, values[i]?.fetched_at || '']).sort((a, b) => (a[1] < b[1] ? -1 : 1));
    for (const [k] of order.slice(0, keys.length - MAX_COPIES)) await tx.store.delete(k);
  }
  await tx.done;
  return copy;
}

export async function readCopy(db, userId, path) {
  return (await db.get('meta', copyKey(userId, path))) || null;
}

// The most recently fetched copy of any question to `api` by this person (a report opened
// offline starts from it), or null.
export async function latestCopy(db, userId, api, match = () => true) {
  const start = `${prefix(userId)}/reports/${api}?`;
  const copies = await db.getAll('meta', IDBKeyRange.bound(start, `${start}\uffff`));
  let best = null;
  for (const c of copies) if (match(c) && (!best || c.fetched_at > best.fetched_at)) best = c;
  return best;
}

// The query of a stored copy, back as parameters.
export function paramsOf(path) {
  const q = new URLSearchParams(path.split('?')[1] || '');
  return Object.fromEntries(q.entries());
}
