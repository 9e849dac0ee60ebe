// Reading a report: online from the server (and kept on the device), offline the last copy
// fetched, dated. Also the picker's remembered choices (period, comparison, filters, grouping
// per report), shared by every report screen and kept per person in `meta`.
import { useEffect, useState } from 'preact/hooks';
import { apiRequest } from '../../store.js';
import { HttpError } from '../../sync/api.js';
import { openLeadSyncDb } from '../../sync/db.js';
import { latestCopy, readCopy, saveCopy } from '../../reports/copies.js';

// Our own connection to the app's database (store.js keeps its own private): opened on first
// use, let go at once when another tab upgrades the database, and opened again after.
let dbPromise = null;
export function reportsDb() {
  dbPromise ||= openLeadSyncDb(undefined, { onReplaced: () => { dbPromise = null; } }).catch((e) => {
    dbPromise = null;
    throw e;
  });
  return dbPromise;
}

async function quietly(fn, fallback = null) {
  try {
    return await fn(await reportsDb());
  } catch {
    return fallback; // no copy is better than no screen
  }
}

export const readCopyOf = (userId, path) => quietly((db) => readCopy(db, userId, path));
export const latestCopyOf = (userId, api, match) => quietly((db) => latestCopy(db, userId, api, match));

// {copy: {path, fetched_at, data} | null, status, error, reload}. status: 'loading',
// 'fresh' (just fetched), 'cached' (a copy shown while the server answers), 'offline' (the
// device is offline), 'unreachable' (the request failed: the server or the network is down),
// 'unavailable' (404: the server has no such report yet), 'forbidden' (403), 'error'.
export function useReport(userId, path, online, enabled = true) {
  const [state, setState] = useState({ copy: null, status: 'loading', error: null, path: null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!enabled || !path) return undefined;
    let live = true;
    const put = (patch) => live && setState((s) => ({ ...s, ...patch, path }));
    setState((s) => ({ copy: s.path === path ? s.copy : null, status: 'loading', error: null, path }));
    (async () => {
      const stored = await readCopyOf(userId, path);
      if (!live) return;
      if (!online) {
        put({ copy: stored, status: 'offline' });
        return;
      }
      if (stored) put({ copy: stored, status: 'cached' });
      // A copy is dated when its question was asked: an earlier question answered late (the
      // person moved on meanwhile) must not pass for the latest one ("the last copy fetched").
      const asked = new Date();
      try {
        const data = await apiRequest('GET', path);
        const copy = (await quietly((db) => saveCopy(db, userId, path, data, asked))) || {
          path, fetched_at: asked.toISOString(), data,
        };
        put({ copy, status: 'fresh', error: null });
      } catch (e) {
        if (!(e instanceof HttpError)) put({ copy: stored, status: 'unreachable', error: e });
        else if (e.status === 404) put({ copy: null, status: 'unavailable', error: e });
        else if (e.status === 403) put({ copy: null, status: 'forbidden', error: e });
        else put({ copy: stored, status: 'error', error: e });
      }
    })();
    return () => { live = false; };
  }, [userId, path, online, enabled, version]);
  // Until the effect has started on a new question, the answer held is the old one's: say
  // "loading" at once, so nothing reads an old answer as the new one's.
  const status = state.path === path ? state.status : 'loading';
  return { ...state, status, reload: () => setVersion((v) => v + 1) };
}

// --- the picker's choices ------------------------------------------------------------------

const PREFS_KEY = (userId) => `reportprefs:${userId}`;
export const DEFAULT_PREFS = {
  preset: 'this_month', from: '', to: '', compare: 'previous', team_id: '', owner_id: '', groupBy: {},
};
let prefsCache = null; // {userId, prefs}: one read per session

export async function loadPrefs(userId) {
  if (prefsCache?.userId === userId) return prefsCache.prefs;
  const stored = await quietly((db) => db.get('meta', PREFS_KEY(userId)));
  const prefs = { ...DEFAULT_PREFS, ...(stored || {}), groupBy: { ...(stored?.groupBy || {}) } };
  prefsCache = { userId, prefs };
  return prefs;
}

export function savePrefs(userId, prefs) {
  prefsCache = { userId, prefs };
  return quietly((db) => db.put('meta', prefs, PREFS_KEY(userId)));
}
