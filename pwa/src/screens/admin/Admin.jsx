// Administration: the list of sections this person may open (sections.js).
import { S } from '../../strings.js';
import { useStore } from '../../store.js';
import { Screen } from '../../components.jsx';
import { Link } from '../../router.jsx';
import { adminSectionsFor } from './sections.js';

export function Admin() {
  const s = useStore();
  const sections = adminSectionsFor(s.session.user.role);
  return (
    <Screen title={S.adminTitle}>
      {!s.online && <p class="note" role="status">{S.adminOffline}</p>}
      <ul class="admin-sections">
        {sections.map((x) => (
          <li key={x.path}>
            <Link href={`/admin/${x.path}`}>
              <span class="admin-title">{x.title}</span>
              <span class="admin-hint">{x.hint}</span>
            </Link>
          </li>
        ))}
      </ul>
    </Screen>
  );
}
