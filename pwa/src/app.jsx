import { S } from './strings.js';
import { useStore } from './store.js';
import { Link, usePath } from './router.jsx';
import { DbNotice, StatusBar } from './components.jsx';
import { SignIn } from './screens/SignIn.jsx';
import { Queue } from './screens/Queue.jsx';
import { Capture } from './screens/Capture.jsx';
import { LeadDetail } from './screens/LeadDetail.jsx';
import { Search } from './screens/Search.jsx';
import { Team } from './screens/Team.jsx';
import { QuestionDetail, Questions } from './screens/Questions.jsx';
import { Settings } from './screens/Settings.jsx';
import { Problems } from './screens/Problems.jsx';
import { Invite } from './screens/Invite.jsx';
import { Admin } from './screens/admin/Admin.jsx';
import { adminSection } from './screens/admin/sections.js';
import { matchRoute } from './sync/entities.js';
import { ReportsRoute, TeamAreaNav, isReportsPath } from './screens/reports/index.jsx';

// Reports: team leads and admins reach them through their Team tab (board · reports: a sixth
// tab does not fit 360 px); reps have a Reports tab (their scorecard) where the Team tab would
// be; customer service has none.
const MANAGERS = ['lead', 'admin'];
const REPORT_ROLES = ['lead', 'admin', 'rep'];

// The screen of one record, by entity (its path is the entity table's `route`).
const RECORD_SCREENS = { lead: LeadDetail, question: QuestionDetail };

function route(path, role) {
  const record = matchRoute(path);
  const RecordScreen = record && RECORD_SCREENS[record.entity];
  if (RecordScreen && record.entity === 'question' && MANAGERS.includes(role)) {
    return <><TeamAreaNav path={path} /><RecordScreen id={record.id} /></>;
  }
  if (RecordScreen) return <RecordScreen id={record.id} />;
  if (isReportsPath(path) && REPORT_ROLES.includes(role)) return <ReportsRoute path={path} role={role} />;
  const section = adminSection(path, role);
  if (section) {
    const SectionScreen = section.screen;
    return <SectionScreen />;
  }
  switch (path) {
    case '/new': return <Capture />;
    case '/search': return <Search />;
    case '/team': return MANAGERS.includes(role) ? <><TeamAreaNav path={path} /><Team /></> : <Team />;
    case '/questions': return MANAGERS.includes(role) ? <><TeamAreaNav path={path} /><Questions /></> : <Questions />;
    case '/settings': return <Settings />;
    case '/admin': return <Admin />;
    case '/problems': return <Problems />;
    case '/signin': return <SignIn />;
    default: return role === 'cs' ? <Questions /> : <Queue />;
  }
}

function Nav({ path, role }) {
  const items = [
    ...(role === 'cs' ? [['/questions', S.navQuestions]] : [['/', S.navQueue]]),
    ['/new', S.navNew],
    ['/search', S.navSearch],
    ...(role === 'lead' || role === 'admin' ? [['/team', S.navTeam]] : []),
    ...(role === 'rep' ? [['/reports', S.navReports]] : []),
    ['/settings', S.navSettings],
  ];
  // The Team tab stays lit on the reports it leads to.
  const current = (href) =>
    path === href || (isReportsPath(path) && (href === '/reports' || (href === '/team' && MANAGERS.includes(role))))
    || (path.startsWith('/questions/') && href === '/questions')
    || (path.startsWith('/questions') && href === '/team' && MANAGERS.includes(role));
  return (
    <nav class="tabbar" aria-label={S.mainNav}>
      {items.map(([href, label]) => (
        <Link key={href} href={href} aria-current={current(href) ? 'page' : undefined}>{label}</Link>
      ))}
    </nav>
  );
}

export function App() {
  const s = useStore();
  const path = usePath();
  if (!s.ready) return s.dbBlocked || s.dbError ? <DbNotice s={s} /> : null;
  // An invitation link is opened by someone not signed in here (or by someone else): its own
  // page, before any session check.
  const invite = /^\/invite\/([^/]+)\/?$/.exec(path);
  if (invite) return <Invite token={invite[1]} />;
  // Signed in as long as the device remembers someone (offline too); when the server says
  // the session ended (401), sign in again: the outbox and the local data wait meanwhile.
  // Offline there is no signing in, so the remembered person keeps working.
  if (!s.session || (s.sessionExpired && s.online)) return <SignIn />;
  const role = s.session.user.role;
  return (
    <div class="app">
      <a class="skip" href="#main">Skip to content</a>
      <StatusBar />
      {route(path, role)}
      <Nav path={path} role={role} />
    </div>
  );
}
