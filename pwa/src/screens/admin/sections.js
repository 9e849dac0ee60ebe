// The administration sections, one line each: path (under /admin/), title, who may open it
// and the screen. The Administration screen lists them; app.jsx routes /admin/<path> here.
import { S } from '../../strings.js';
import { AdminUsers } from './Users.jsx';
import { AdminTeams } from './Teams.jsx';
import { AdminProducts } from './Products.jsx';
import { AdminLists } from './Lists.jsx';
import { AdminPolicies } from './Policies.jsx';
import { AdminCalendars } from './Calendars.jsx';
import { AdminOrg } from './Org.jsx';
import { AdminImport } from './Import.jsx';
import { AdminSpend } from './Spend.jsx';
import { AdminCannedAnswers } from './CannedAnswers.jsx';
import { AdminAssignmentRules } from './AssignmentRules.jsx';

export const ADMIN_SECTIONS = [
  { path: 'users', title: S.adminUsers, hint: S.adminUsersHint, roles: ['admin'], screen: AdminUsers },
  { path: 'teams', title: S.adminTeams, hint: S.adminTeamsHint, roles: ['admin'], screen: AdminTeams },
  { path: 'products', title: S.adminProducts, hint: S.adminProductsHint, roles: ['admin'], screen: AdminProducts },
  { path: 'lists', title: S.adminLists, hint: S.adminListsHint, roles: ['admin'], screen: AdminLists },
  { path: 'sla', title: S.adminPolicies, hint: S.adminPoliciesHint, roles: ['admin', 'lead'], screen: AdminPolicies },
  { path: 'calendars', title: S.adminCalendars, hint: S.adminCalendarsHint, roles: ['admin'], screen: AdminCalendars },
  { path: 'org', title: S.adminOrg, hint: S.adminOrgHint, roles: ['admin'], screen: AdminOrg },
  { path: 'import', title: S.adminImport, hint: S.adminImportHint, roles: ['admin'], screen: AdminImport },
  { path: 'spend', title: S.adminSpend, hint: S.adminSpendHint, roles: ['admin', 'lead'], screen: AdminSpend },
  { path: 'assignment', title: S.adminRules, hint: S.adminRulesHint, roles: ['admin'], screen: AdminAssignmentRules },
  { path: 'canned-answers', title: S.adminCanned, hint: S.adminCannedHint, roles: ['admin', 'lead'], screen: AdminCannedAnswers },
];

export const adminSectionsFor = (role) => ADMIN_SECTIONS.filter((s) => s.roles.includes(role));

export function adminSection(path, role) {
  const m = /^\/admin\/([a-z-]+)\/?$/.exec(path);
  return m ? adminSectionsFor(role).find((s) => s.path === m[1]) || null : null;
}
