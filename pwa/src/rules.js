// What the server checks before it accepts a lead or a follow-up (app/leads/schemas.py and
// the phone rule of app/leads/service.py), in one place: quick capture, the edit and action
// forms and a draft's "Send again" check with it and show the message beside the field.
// The JSON between the markers is read by tests/test_pwa_rules.py and compared with the
// server's marshmallow schemas (required fields, Length max, OneOf choices, Range): keep it
// JSON (quoted keys, no comments) and change it with the server.
export const RULES = /* rules:begin */ {
  "lead": {
    "required": ["id", "contact_name"],
    "notBlank": ["contact_name"],
    "maxLength": {
      "contact_name": 200, "company": 200, "phone": 40, "email": 254, "region": 120,
      "territory": 40, "source": 40, "product_text": 200, "notes": 5000
    },
    "oneOf": {
      "priority": ["low", "normal", "high", "urgent"],
      "stage": ["new", "contacted", "quoted", "negotiating", "won", "lost"]
    },
    "range": { "quantity": [0, 10000000000], "estimated_value": [0, 999999999999] }
  },
  "followup": {
    "required": ["id", "lead_id", "kind", "happened_at"],
    "notBlank": [],
    "maxLength": { "note": 5000, "outcome": 200 },
    "oneOf": { "kind": ["call", "visit", "message", "email", "quote", "note"] },
    "range": { "quoted_amount": [0, 999999999999] }
  },
  "stage": {
    "required": ["id", "stage"],
    "notBlank": [],
    "maxLength": { "lost_reason": 60, "note": 5000 },
    "oneOf": { "stage": ["new", "contacted", "quoted", "negotiating", "won", "lost"] },
    "range": { "won_value": [0, 999999999999] }
  }
} /* rules:end */;

// Which rules a mutation's args follow, and where its fields are (`set` of lead.update).
export const RULES_OF = {
  'lead.create': { rules: 'lead', partial: false },
  'lead.update': { rules: 'lead', partial: true, in: 'set' },
  'lead.set_stage': { rules: 'stage', partial: false },
  'followup.create': { rules: 'followup', partial: false },
};

// Lenient on purpose (the server's libphonenumber decides): digits with the usual
// punctuation, an optional leading +, an optional extension, 3 to 20 digits. It catches
// text ("call me maybe"), not every impossible number.
const PHONE = /^\+?[\d\s\-().\/]+((\s*(ext\.?|x|#)\s*)\d{1,7})?$/i;
export function phoneLooksValid(value) {
  const v = String(value).trim();
  if (!PHONE.test(v)) return false;
  const main = v.replace(/(ext\.?|x|#)\s*\d+$/i, '');
  const digits = main.replace(/\D/g, '').length;
  return digits >= 3 && digits <= 20;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const emailLooksValid = (value) => EMAIL.test(String(value).trim());

const blank = (v) => v == null || (typeof v === 'string' && !v.trim());

// Errors of `values` under rule set `name`, as {field: code}: 'required', 'tooLong' (with
// max), 'phone', 'email', 'choice', 'range' (with min, max), 'number'. `partial`: only the
// fields present are checked (an update's `set`). Empty values of optional fields pass.
export function check(name, values, { partial = false } = {}) {
  const r = RULES[name];
  const errors = {};
  for (const f of r.required) {
    if (!partial && f !== 'id' && f !== 'lead_id' && blank(values[f])) errors[f] = { code: 'required' };
  }
  for (const f of r.notBlank) {
    if ((f in values || !partial) && blank(values[f]) && !errors[f]) errors[f] = { code: 'required' };
  }
  for (const [f, max] of Object.entries(r.maxLength)) {
    const v = values[f];
    if (typeof v === 'string' && v.length > max && !errors[f]) errors[f] = { code: 'tooLong', max };
  }
  for (const [f, choices] of Object.entries(r.oneOf)) {
    if (!blank(values[f]) && !choices.includes(values[f])) errors[f] = { code: 'choice', choices };
  }
  for (const [f, [min, max]] of Object.entries(r.range)) {
    const v = values[f];
    if (blank(v)) continue;
    const n = Number(v);
    if (!Number.isFinite(n)) errors[f] = { code: 'number' };
    else if (n < min || n > max) errors[f] = { code: 'range', min, max };
  }
  if (name === 'followup' && !blank(values.next_follow_up_at) && !blank(values.happened_at) &&
      Date.parse(values.next_follow_up_at) < Date.parse(values.happened_at)) {
    // The server's rule (create_follow_up): a next follow-up never lies before the contact.
    errors.next_follow_up_at = { code: 'past' };
  }
  if (name === 'lead') {
    if (!blank(values.phone) && !errors.phone && !phoneLooksValid(values.phone)) errors.phone = { code: 'phone' };
    if (!blank(values.email) && !errors.email && !emailLooksValid(values.email)) errors.email = { code: 'email' };
  }
  return errors;
}

// The errors of a mutation's args (see RULES_OF), by field; {} when it may be sent.
export function checkMutation(name, args) {
  const how = RULES_OF[name];
  if (!how) return {};
  return check(how.rules, how.in ? args[how.in] || {} : args, { partial: how.partial });
}

// --- quick capture: who a new lead may go to, and what must be chosen ----------------------

// People who can own leads (app/accounts/permissions.py SALES_ROLES).
export const SALES_ROLES = ['admin', 'lead', 'rep'];

// Whom `me` may give a new lead to, from the synced people (`state.users`): the mirror of
// the server's `permissions.may_give_lead_to` (and `must_name_owner`; the owner must be an
// active sales person, `may_own_leads`) — change them together. An admin: any active sales
// person; a team lead: themselves and the active sales people of their teams; customer
// service: any active sales person, and must choose one; a rep: themselves only (no picker).
// → {offer, required, choices: [{id, name}]} sorted by name; `me`'s own synced record wins
// over the session's copy (its teams may have changed since sign-in).
export function ownerChoices(me, users = []) {
  const none = { offer: false, required: false, choices: [] };
  if (!me) return none;
  const self = users.find((u) => u.id === me.id) || me;
  const role = self.role;
  const mayOwn = (u) => u.active !== false && SALES_ROLES.includes(u.role);
  let people;
  if (role === 'admin' || role === 'cs') people = users.filter(mayOwn);
  else if (role === 'lead') {
    const teams = new Set(self.team_ids || []);
    people = users.filter((u) => mayOwn(u) && (u.id === self.id || (u.team_ids || []).some((t) => teams.has(t))));
  } else return none;
  const choices = people
    .map((u) => ({ id: u.id, name: u.name || u.email || u.id }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { offer: choices.length > 0 || role === 'cs', required: role === 'cs', choices };
}

// Quick capture's errors: the lead rules (checkMutation) plus what must be chosen — a source
// (the organisation presets none unless it set `default_source`) and, for customer service,
// an owner. {field: {code}} as check() gives.
export function checkCapture(args, { ownerRequired = false } = {}) {
  const errors = checkMutation('lead.create', args);
  if (blank(args.source) && !errors.source) errors.source = { code: 'chooseSource' };
  if (ownerRequired && blank(args.owner_id)) errors.owner_id = { code: 'chooseOwner' };
  return errors;
}
