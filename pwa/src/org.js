// The organisation's own lists of lead sources and lost reasons: the `org` sync entity (one
// record, stored in `records` as "org:<organisation id>"). Until the first sync brings it,
// the server's defaults (the keys of SOURCES and LOST_REASONS, in the server's order).
import { LOST_REASONS, SOURCES } from './strings.js';

export const DEFAULT_SOURCES = Object.keys(SOURCES);
export const DEFAULT_LOST_REASONS = Object.keys(LOST_REASONS);

const listOr = (list, defaults) => (Array.isArray(list) && list.length ? [...list] : [...defaults]);

// The settings in force, from the stored records (any entities; the org record is picked out).
// `synced` says whether the organisation's own record is on the device yet.
export function orgSettings(records = []) {
  let org = null;
  for (const r of records) {
    if (r?.entity === 'org' && (!org || (r.version ?? 0) > (org.version ?? 0))) org = r;
  }
  const settings = {
    id: org?.id ?? null,
    name: org?.name ?? null,
    timezone: org?.timezone ?? null,
    default_country: org?.default_country ?? null,
    version: org?.version ?? null,
    lead_sources: listOr(org?.lead_sources, DEFAULT_SOURCES),
    lost_reasons: listOr(org?.lost_reasons, DEFAULT_LOST_REASONS),
    // Set explicitly by an admin (PATCH /org); null: quick capture presets no source.
    default_source: null,
    synced: Boolean(org),
  };
  if (typeof org?.default_source === 'string' && settings.lead_sources.includes(org.default_source)) {
    settings.default_source = org.default_source;
  }
  return settings;
}

// The same, read straight from IndexedDB (only the org record's keys).
export async function readOrgSettings(db) {
  return orgSettings(await db.getAll('records', IDBKeyRange.bound('org:', 'org:\uffff')));
}

// A value's label: the localised one for a known default key, else the value itself (an
// organisation's own entries are human text, e.g. "Alibaba"). Also for values no longer in
// the list (an old lead's source).
const labelIn = (labels) => (value) =>
  typeof value === 'string' && Object.hasOwn(labels, value) ? labels[value] : value;
export const sourceLabel = labelIn(SOURCES);
export const lostReasonLabel = labelIn(LOST_REASONS);

// The choices of a select, in the organisation's order.
export const sourceOptions = (org) => org.lead_sources.map((value) => ({ value, label: sourceLabel(value) }));
export const lostReasonOptions = (org) =>
  org.lost_reasons.map((value) => ({ value, label: lostReasonLabel(value) }));

// Quick capture's source: the one chosen if the list (still) has it, else the
// organisation's explicit default_source, else '' — nothing preset: the person chooses
// (quick capture blocks Save until they do; see rules.js checkCapture).
export function sourceChoice(org, chosen) {
  const list = org.lead_sources;
  if (chosen != null && list.includes(chosen)) return chosen;
  return org.default_source && list.includes(org.default_source) ? org.default_source : '';
}

// The lost reason: the one chosen if the list (still) has it, else the list's first.
export function lostReasonChoice(org, chosen) {
  const list = org.lost_reasons;
  return chosen != null && list.includes(chosen) ? chosen : list[0];
}
