// The organisation's own lists (the `org` sync entity) in the capture and lost-reason selects.
import { describe, it, expect } from 'vitest';
import { applyPage } from '../src/sync/engine.js';
import {
  DEFAULT_LOST_REASONS, DEFAULT_SOURCES, lostReasonChoice, lostReasonLabel, lostReasonOptions,
  orgSettings, readOrgSettings, sourceChoice, sourceLabel, sourceOptions,
} from '../src/org.js';
import { freshDb } from './helpers.js';

const ORG = 'cccccccc-0000-4000-8000-000000000001';
const orgData = (extra = {}) => ({
  id: ORG, name: 'Demo Trading', default_country: 'DE', timezone: 'Europe/Berlin',
  lead_sources: [...DEFAULT_SOURCES], lost_reasons: [...DEFAULT_LOST_REASONS], version: 7, ...extra,
});
const page = (changes, extra = {}) => ({
  changes, cursor: `c${Math.random()}`, has_more: false, last_mutation_id: 0, ...extra,
});
const put = (entity, id, data) => ({ entity, op: 'put', id, data });

describe('the organisation lists on the device', () => {
  it('falls back to the defaults (labelled, in the server order) before a sync brings the org record', async () => {
    const { db } = await freshDb();
    const org = await readOrgSettings(db);
    expect(org.synced).toBe(false);
    expect(org.lead_sources).toEqual([
      'website', 'phone', 'trade_show', 'marketplace', 'referral', 'walk_in', 'customer_service', 'other',
    ]);
    expect(org.lost_reasons).toEqual([
      'price_too_high', 'no_matching_product', 'customisation_needed', 'channel_conflict',
      'no_response', 'chose_competitor', 'other',
    ]);
    expect(sourceOptions(org).slice(0, 3)).toEqual([
      { value: 'website', label: 'Website' },
      { value: 'phone', label: 'Phone' },
      { value: 'trade_show', label: 'Trade show' },
    ]);
    expect(lostReasonOptions(org)[0]).toEqual({ value: 'price_too_high', label: 'Price too high' });
    expect(org.default_source).toBe(null);
    expect(sourceChoice(org)).toBe(''); // no silent default: the person chooses
    expect(lostReasonChoice(org)).toBe('price_too_high');
    expect(orgSettings()).toEqual(org); // the store's state before its first read
  });

  it('offers exactly the synced lists, in their order, custom entries labelled as they are', async () => {
    const { db } = await freshDb();
    await applyPage(db, page([
      put('sla_policy', 'p1', { id: 'p1', name: 'Reply', target_minutes: 60 }),
      put('org', ORG, orgData({
        lead_sources: ['website', 'Alibaba'],
        lost_reasons: ['price_too_high', 'Delivery time too long'],
      })),
    ]));
    expect(await db.get('records', `org:${ORG}`)).toMatchObject({ entity: 'org', id: ORG });
    const org = await readOrgSettings(db);
    expect(org).toMatchObject({ synced: true, id: ORG, version: 7, timezone: 'Europe/Berlin' });
    expect(sourceOptions(org)).toEqual([
      { value: 'website', label: 'Website' },
      { value: 'Alibaba', label: 'Alibaba' },
    ]);
    expect(lostReasonOptions(org)).toEqual([
      { value: 'price_too_high', label: 'Price too high' },
      { value: 'Delivery time too long', label: 'Delivery time too long' },
    ]);
    // What the store derives from every stored record is the same.
    expect(orgSettings(await db.getAll('records'))).toEqual(org);
    // No default_source: quick capture presets nothing, and never keeps a choice the list
    // no longer has.
    expect(sourceChoice(org)).toBe('');
    expect(sourceChoice(org, 'Alibaba')).toBe('Alibaba');
    expect(sourceChoice(org, 'phone')).toBe('');
    expect(lostReasonChoice(org, 'Delivery time too long')).toBe('Delivery time too long');
    expect(lostReasonChoice(org, 'no_response')).toBe('price_too_high');
  });

  it('presets no source ("phone" is no default any more), only the organisation\'s explicit default_source', () => {
    const plain = orgSettings([{ entity: 'org', id: ORG, ...orgData({ lead_sources: ['Alibaba', 'referral', 'phone'] }) }]);
    expect(plain.default_source).toBe(null);
    expect(sourceChoice(plain)).toBe('');
    expect(sourceOptions(plain).map((o) => o.label)).toEqual(['Alibaba', 'Referral', 'Phone']);
    const withDefault = orgSettings([{
      entity: 'org', id: ORG, ...orgData({ lead_sources: ['Alibaba', 'referral'], default_source: 'referral' }),
    }]);
    expect(withDefault.default_source).toBe('referral');
    expect(sourceChoice(withDefault)).toBe('referral');
    expect(sourceChoice(withDefault, 'Alibaba')).toBe('Alibaba');
    expect(sourceChoice(withDefault, 'gone')).toBe('referral');
    // A default the list no longer has (a device between two syncs) presets nothing.
    const stale = orgSettings([{ entity: 'org', id: ORG, ...orgData({ lead_sources: ['Alibaba'], default_source: 'referral' }) }]);
    expect(stale.default_source).toBe(null);
    expect(sourceChoice(stale)).toBe('');
  });

  it('follows a later change of the lists, and a reset', async () => {
    const { db } = await freshDb();
    await applyPage(db, page([put('org', ORG, orgData({ lead_sources: ['website', 'Alibaba'] }))]));
    await applyPage(db, page([put('org', ORG, orgData({ lead_sources: ['Alibaba', 'Fair 2026', 'phone'], version: 9 }))]));
    let org = await readOrgSettings(db);
    expect(org.lead_sources).toEqual(['Alibaba', 'Fair 2026', 'phone']);
    expect(org.version).toBe(9);
    expect(org.lost_reasons).toEqual(DEFAULT_LOST_REASONS);
    // A reset clears the server copy; the snapshot brings the org record again.
    await applyPage(db, page([put('org', ORG, orgData({ lost_reasons: ['Too slow'], version: 10 }))], { reset: true }));
    org = await readOrgSettings(db);
    expect(org.lead_sources).toEqual(DEFAULT_SOURCES);
    expect(lostReasonOptions(org)).toEqual([{ value: 'Too slow', label: 'Too slow' }]);
    // A reset page without it (it would be on a later page): the defaults meanwhile.
    await applyPage(db, page([], { reset: true, has_more: true }));
    expect((await readOrgSettings(db)).synced).toBe(false);
  });

  it('falls back to the defaults for a missing or empty list', () => {
    const org = orgSettings([{ entity: 'org', id: ORG, name: 'X', lead_sources: [], version: 1 }]);
    expect(org.synced).toBe(true);
    expect(org.lead_sources).toEqual(DEFAULT_SOURCES);
    expect(org.lost_reasons).toEqual(DEFAULT_LOST_REASONS);
  });

  it('labels an existing lead’s source or lost reason also when the list no longer has it', () => {
    expect(sourceLabel('trade_show')).toBe('Trade show');
    expect(sourceLabel('Alibaba')).toBe('Alibaba');
    expect(sourceLabel('constructor')).toBe('constructor'); // not a key of the labels' prototype
    expect(lostReasonLabel('chose_competitor')).toBe('Chose a competitor');
    expect(lostReasonLabel('Delivery time too long')).toBe('Delivery time too long');
    expect(lostReasonLabel(null)).toBe(null);
  });
});
