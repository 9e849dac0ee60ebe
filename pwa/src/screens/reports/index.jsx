// The Reports section's door, kept in the app shell: the route test, the team area's two
// links (team board · reports) for team leads and admins, and a lazy loader. The screens and
// the chart library are a chunk of their own, fetched on first use (the service worker
// precaches it with the shell, so reports open offline too).
import { useEffect, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { Link } from '../../router.jsx';

export const isReportsPath = (path) => path === '/reports' || path.startsWith('/reports/');

// Team leads and admins already have five tabs: a sixth does not fit 360 px, so their Team tab
// holds both the board and the reports, one tap apart.
export function TeamAreaNav({ path }) {
  const reports = isReportsPath(path);
  const desk = path.startsWith('/questions'); // the desk: team leads read it, admins work it
  return (
    <nav class="rpt-area" aria-label={S.rptAreaNav}>
      <Link href="/team" aria-current={!reports && !desk ? 'page' : undefined}>{S.rptBoard}</Link>
      <Link href="/reports" aria-current={reports ? 'page' : undefined}>{S.navReports}</Link>
      <Link href="/questions" aria-current={desk ? 'page' : undefined}>{S.navQuestions}</Link>
    </nav>
  );
}

let loaded = null; // the module, once fetched
let loading = null;

export function ReportsRoute(props) {
  const [mod, setMod] = useState(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (mod) return undefined;
    let live = true;
    loading ||= import('./Reports.jsx').then((m) => (loaded = m));
    loading.then(
      (m) => live && setMod(m),
      () => {
        loading = null; // a later visit tries again
        if (live) setFailed(true);
      },
    );
    return () => { live = false; };
  }, [mod]);
  if (mod) return <mod.ReportsArea {...props} />;
  return (
    <main id="main" class="screen">
      <p class={failed ? 'note' : 'muted'} role="status">{failed ? S.rptChunkFailed : S.rptLoadingScreen}</p>
    </main>
  );
}
