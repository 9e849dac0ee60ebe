import { S } from '../strings.js';
import { Screen } from '../components.jsx';

// The customer-service question queue comes with its own issue; question/reply records
// already arrive by sync (stored under `records`).
export function Questions() {
  return (
    <Screen title={S.questionsTitle}>
      <p class="empty">{S.questionsPlaceholder}</p>
    </Screen>
  );
}
