// Canned answers: the desk's ready answers (admins and team leads write them; customer service
// searches and inserts them while replying). A title, a body with {{placeholders}} filled in for
// each question, an optional product and tags. Retiring (DELETE) takes one off the desk's list
// and keeps it, to bring back. Devices get them by sync (the `canned_answer` entity), so a save
// here also asks for one.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { Field, Screen } from '../../components.jsx';
import {
  AdminSection, BackToList, FormEnd, ListHead, ProductSelect, useAdminForm, useEditing, useRemote,
} from './common.jsx';
import { saveTarget } from './form.js';
import { tagsOf } from './deskAdmin.js';

const KNOWN = ['title', 'body', 'product_id', 'tags'];

export function AdminCannedAnswers() {
  const remote = useRemote('/canned-answers?include_inactive=true');
  const { editing, status, open, close, done } = useEditing(remote.reload);
  const [showRetired, setShowRetired] = useState(false);
  const answers = remote.data || [];
  const shown = useMemo(() => answers.filter((a) => showRetired || a.active), [answers, showRetired]);

  if (editing) {
    return <CannedForm answer={editing === 'new' ? null : editing} onDone={done} onCancel={close} />;
  }
  return (
    <AdminSection title={S.adminCanned} error={remote.error} onRetry={remote.reload}>
      <ListHead intro={S.adminCannedHint} status={status} tone="ok" newLabel={S.cannedAdmNew} onNew={() => open('new')} />
      <div class="form">
        <label class="check">
          <input type="checkbox" checked={showRetired} onChange={(e) => setShowRetired(e.currentTarget.checked)} />
          {S.cannedAdmShowRetired}
        </label>
      </div>
      {remote.loading && !remote.data ? null : shown.length === 0 ? <p class="empty">{S.cannedAdmEmpty}</p> : (
        <ul class="adm-products">
          {shown.map((a) => (
            <li key={a.id}>
              <button type="button" class={a.active ? 'adm-product' : 'adm-product is-inactive'} onClick={() => open(a)}>
                <span class="adm-product-name">{a.title}</span>
                <span class="adm-product-sub canned-adm-preview">{a.body}</span>
                {(a.tags || []).length > 0 && <span class="adm-product-sub">{a.tags.join(' · ')}</span>}
                {!a.active && <span class="badge">{S.cannedAdmRetired}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </AdminSection>
  );
}

function CannedForm({ answer, onDone, onCancel }) {
  const { form, message, busy, bind, pick, send, onSubmit } = useAdminForm(() => ({
    title: answer?.title || '', body: answer?.body || '', product_id: answer?.product_id || '',
    tags: (answer?.tags || []).join(', '),
  }), { idPrefix: 'canned', known: KNOWN });

  const submit = onSubmit(async () => {
    const body = {
      title: form.title.trim(), body: form.body, product_id: form.product_id || null, tags: tagsOf(form.tags),
    };
    const res = await send(...saveTarget('/canned-answers', answer), body);
    if (res) onDone(S.cannedAdmSaved);
  });

  async function toggle() {
    if (busy) return;
    const res = answer.active
      ? await send('DELETE', `/canned-answers/${answer.id}`)
      : await send('PATCH', `/canned-answers/${answer.id}`, { active: true });
    if (res) onDone(answer.active ? S.cannedAdmRetiredMsg : S.cannedAdmRestoredMsg);
  }

  return (
    <Screen title={answer ? S.cannedAdmEdit : S.cannedAdmNew}>
      <BackToList label={`← ${S.adminCanned}`} onBack={onCancel} />
      <form class="form" onSubmit={submit} noValidate>
        <Field name="title" label={S.cannedAdmTitle} required maxLength={200} autocomplete="off" {...bind('title')} />
        <Field name="body" label={S.cannedAdmBody} required multiline rows={6} maxLength={5000} {...bind('body')} />
        <p class="adm-help">{S.cannedAdmBodyHelp}</p>
        <ProductSelect label={S.cannedAdmProduct} {...pick('product_id')} />
        <Field name="tags" label={S.cannedAdmTags} autocomplete="off" {...bind('tags')} />
        <FormEnd message={message} busy={busy} label={S.save} onCancel={onCancel} />
      </form>
      {answer && (
        <section class="adm-active">
          <button type="button" class={answer.active ? 'adm-deactivate' : ''} disabled={busy} onClick={toggle}>
            {answer.active ? S.cannedAdmRetire : S.cannedAdmRestore}
          </button>
        </section>
      )}
    </Screen>
  );
}
