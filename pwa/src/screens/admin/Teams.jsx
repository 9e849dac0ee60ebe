// Placeholder until this section is built.
import { S } from '../../strings.js';
import { Screen } from '../../components.jsx';
import { BackToAdmin } from './common.jsx';

export function AdminTeams() {
  return (
    <Screen title={S.adminTeams}>
      <BackToAdmin />
    </Screen>
  );
}
