// Placeholder until this section is built.
import { S } from '../../strings.js';
import { Screen } from '../../components.jsx';
import { BackToAdmin } from './common.jsx';

export function AdminProducts() {
  return (
    <Screen title={S.adminProducts}>
      <BackToAdmin />
    </Screen>
  );
}
