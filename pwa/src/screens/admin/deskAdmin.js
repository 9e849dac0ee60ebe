// The desk's administration, the parts without a screen (tested by Vitest): canned answers'
// tags and assignment rules' bodies and wording.
import { S } from '../../strings.js';
import { sourceLabel } from '../../org.js';

// The tags as typed ("price, Delivery ,price") -> the list the server keeps (it also drops
// blanks and repeats in any case; done here too, so what is shown is what is saved).
export function tagsOf(text) {
  const seen = new Set();
  const out = [];
  for (const t of String(text || '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const k = t.toLocaleLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  return out;
}

export const CONDITIONS = ['region', 'region_prefix', 'source', 'product_id', 'priority'];

// A rule's conditions in words: "Region starts with SW1 · Source Website", or "Every lead".
export function matchText(match, { products = [] } = {}) {
  const parts = [];
  if (match?.region) parts.push(S.ruleRegionIs(match.region));
  if (match?.region_prefix) parts.push(S.ruleRegionStarts(match.region_prefix));
  if (match?.source) parts.push(`${S.ruleSource} ${sourceLabel(match.source)}`);
  if (match?.product_id) parts.push(`${S.ruleProduct} ${products.find((p) => p.id === match.product_id)?.name || '?'}`);
  if (match?.priority) parts.push(S.slaAdmPriorityMatch(S.slaAdmPriority[match.priority] || match.priority));
  return parts.length ? parts.join(' · ') : S.ruleEveryLead;
}

// The form -> the rule's body: only the conditions given, and exactly one of owner and team.
export function ruleBody(form) {
  const match = {};
  for (const k of CONDITIONS) if (String(form[k] || '').trim()) match[k] = String(form[k]).trim();
  const [kind, id] = (form.to || '').split(':');
  return {
    name: form.name.trim(),
    match,
    owner_id: kind === 'user' ? id : null,
    team_id: kind === 'team' ? id : null,
  };
}
