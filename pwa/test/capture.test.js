// Quick capture's owner picker and required choices (rules.js ownerChoices / checkCapture),
// the mirror of the server's permissions.may_give_lead_to and must_name_owner.
import { describe, it, expect } from 'vitest';
import { checkCapture, ownerChoices } from '../src/rules.js';

const T1 = 'team-1';
const T2 = 'team-2';
const person = (id, role, team_ids = [], extra = {}) => ({ id, name: id, email: `${id}@x.test`, role, team_ids, active: true, ...extra });
const USERS = [
  person('Admin', 'admin'),
  person('Lena Lead', 'lead', [T1]),
  person('Rita Rep', 'rep', [T1]),
  person('Rob Rep', 'rep', [T2]),
  person('Gone Rep', 'rep', [T1], { active: false }),
  person('Casey', 'cs'),
  person('Other CS', 'cs', [T1]),
];
const ids = (r) => r.choices.map((c) => c.id);
const of = (id) => USERS.find((u) => u.id === id);

describe('who quick capture offers as the owner', () => {
  it('customer service: every active sales person, and must choose', () => {
    const r = ownerChoices(of('Casey'), USERS);
    expect(r).toMatchObject({ offer: true, required: true });
    expect(ids(r)).toEqual(['Admin', 'Lena Lead', 'Rita Rep', 'Rob Rep']);
  });

  it('customer service with no sales people synced yet still shows the (empty, required) picker', () => {
    expect(ownerChoices(of('Casey'), [of('Casey')])).toEqual({ offer: true, required: true, choices: [] });
  });

  it('a team lead: themselves and the active sales people of their teams', () => {
    const r = ownerChoices(of('Lena Lead'), USERS);
    expect(r).toMatchObject({ offer: true, required: false });
    expect(ids(r)).toEqual(['Lena Lead', 'Rita Rep']);
  });

  it('a team lead\'s synced record wins over the session copy (teams changed since sign-in)', () => {
    const session = { ...of('Lena Lead'), team_ids: [] };
    expect(ids(ownerChoices(session, USERS))).toEqual(['Lena Lead', 'Rita Rep']);
    const moved = USERS.map((u) => (u.id === 'Lena Lead' ? { ...u, team_ids: [T2] } : u));
    expect(ids(ownerChoices(of('Lena Lead'), moved))).toEqual(['Lena Lead', 'Rob Rep']);
  });

  it('an admin: any active sales person', () => {
    expect(ids(ownerChoices(of('Admin'), USERS))).toEqual(['Admin', 'Lena Lead', 'Rita Rep', 'Rob Rep']);
  });

  it('a rep: nobody to choose (their own lead), and nobody signed in: no picker', () => {
    expect(ownerChoices(of('Rita Rep'), USERS)).toEqual({ offer: false, required: false, choices: [] });
    expect(ownerChoices(null, USERS).offer).toBe(false);
  });
});

describe('what quick capture blocks Save for', () => {
  it('no source chosen; no owner when customer service must name one', () => {
    expect(checkCapture({ id: 'x', contact_name: 'Ada' })).toEqual({ source: { code: 'chooseSource' } });
    expect(checkCapture({ id: 'x', contact_name: 'Ada', source: 'phone' })).toEqual({});
    expect(checkCapture({ id: 'x', contact_name: 'Ada', source: 'phone' }, { ownerRequired: true }))
      .toEqual({ owner_id: { code: 'chooseOwner' } });
    expect(checkCapture({ id: 'x', contact_name: 'Ada', source: 'phone', owner_id: 'Rita Rep' }, { ownerRequired: true }))
      .toEqual({});
  });

  it('keeps the lead rules: a bad email is marked with the source', () => {
    expect(checkCapture({ id: 'x', contact_name: 'Ada', email: 'ada at home' })).toEqual({
      email: { code: 'email' }, source: { code: 'chooseSource' },
    });
  });
});
