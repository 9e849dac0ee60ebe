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
import { Questions } from './screens/Questions.jsx';
import { Settings } from './screens/Settings.jsx';
import { Problems } from './screens/Problems.jsx';
import { Admin } from './screens/admin/Admin.jsx';
import { adminSection } from './screens/admin/sections.js';
import { matchRoute } from './sync/entities.js';

// The screen of one record, by entity (its path is the entity table's `route`).
const RECORD_SCREENS = { lead: LeadDetail };

function route(path, role) {
  const record = matchRoute(path);
  const RecordScreen = record && RECORD_SCREENS[record.entity];
  if (RecordScreen) return <RecordScreen id={record.id} />;
  const section = adminSection(path, role);
  if (section) {
    const SectionScreen = section.screen;
    return <SectionScreen />;
  }
  switch (path) {
    case '/new': return <Capture />;
    case '/search': return <Search />;
    case '/team': return <Team />;
    case '/questions': return <Questions />;
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
    ['/settings', S.navSettings],
  ];
  return (
    <nav class="tabbar" aria-label={S.mainNav}>
      {items.map(([href, label]) => (
        <Link key={href} href={href} aria-current={path === href ? 'page' : undefined}>{label}</Link>
      ))}
    </nav>
  );
}

export function App() {
  const s = useStore();
  const path = usePath();
  if (!s.ready) return s.dbBlocked || s.dbError ? <DbNotice s={s} /> : null;
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
