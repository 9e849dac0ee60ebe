// Organisation: its name, time zone, the default country for phone numbers and the default
// source of quick capture (PATCH /org). Devices get it by sync (the `org` entity), so after a
// save this device asks for one.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { sourceLabel } from '../../org.js';
import { Field, fieldMessage } from '../../components.jsx';
import { Link } from '../../router.jsx';
import {
  AdminSection, FormEnd, ZoneOptions, otherMessage, saveOrgChange, useAdminForm, useRemote, useStatusLine,
} from './common.jsx';
import { DefaultSourceSelect } from './Lists.jsx';
import { browserTimeZones, countryOptions, timeZoneGroups } from './catalog.js';

const FIELDS = ['name', 'timezone', 'default_country', 'default_source'];

const formOf = (org) => ({
  name: org.name ?? '',
  timezone: org.timezone ?? 'UTC',
  default_country: org.default_country ?? '',
  default_source: org.default_source ?? '',
});

export function AdminOrg() {
  const remote = useRemote('/org');
  return (
    <AdminSection title={S.adminOrg} error={remote.error} onRetry={remote.reload}>
      {remote.data && <OrgForm org={remote.data} />}
    </AdminSection>
  );
}

function OrgForm({ org: first }) {
  const [org, setOrg] = useState(first); // as the server last answered
  const { form, errors, busy, setForm, setErrors, setBusy, set, bind, onSubmit } = useAdminForm(
    () => formOf(first), { idPrefix: 'org' },
  );
  const [said, setSaid] = useStatusLine();
  const [other, setOther] = useState('');
  const zones = useMemo(() => timeZoneGroups(browserTimeZones(), form.timezone), [form.timezone]);
  const countries = useMemo(() => countryOptions(form.default_country || undefined), [form.default_country]);

  const selectProps = (k) => ({
    name: k,
    value: form[k],
    onChange: (e) => set(k, e.currentTarget.value),
    'aria-invalid': errors[k] ? 'true' : undefined,
    'aria-describedby': `org-${k}-help${errors[k] ? ` org-${k}-error` : ''}`,
  });
  const errorOf = (k) => errors[k] && <p class="field-error" id={`org-${k}-error`}>{fieldMessage(errors[k])}</p>;

  const submit = onSubmit(async () => {
    const now = formOf(org);
    const body = {};
    for (const k of FIELDS) {
      const v = k === 'name' ? form.name.trim() : form[k];
      if (v !== now[k]) body[k] = k === 'default_source' && v === '' ? null : v;
    }
    setOther('');
    const res = await saveOrgChange(body, setBusy, setSaid);
    if (!res) return;
    if (res.ok) {
      setOrg(res.data);
      setForm(formOf(res.data));
      setErrors({});
      setSaid(S.admOrgSaved, 'ok');
      return;
    }
    setErrors(res.fields);
    setOther(otherMessage(res, (f) => FIELDS.includes(f)));
    setSaid(S.admNotSaved, 'bad');
  });

  return (
    <form class="form" onSubmit={submit} noValidate>
      <Field name="name" label={S.admOrgName} required autocomplete="organization" {...bind('name')} />
      <div class="field">
        <label>
          <span>{S.admOrgZone}</span>
          <select {...selectProps('timezone')}>
            <ZoneOptions zones={zones} />
          </select>
        </label>
        <p class="adm-help" id="org-timezone-help">{S.admOrgZoneHelp}</p>
        {errorOf('timezone')}
      </div>
      <div class="field">
        <label>
          <span>{S.admOrgCountry}</span>
          <select {...selectProps('default_country')}>
            {countries.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </label>
        <p class="adm-help" id="org-default_country-help">{S.admOrgCountryHelp}</p>
        {errorOf('default_country')}
      </div>
      <DefaultSourceSelect id="org-default_source" value={form.default_source} error={errors.default_source}
        options={org.lead_sources.map((v) => ({ value: v, label: sourceLabel(v) }))}
        onChange={(v) => set('default_source', v)} />
      <p class="adm-more"><Link href="/admin/lists">{S.admOrgEditLists}</Link></p>
      <FormEnd message={other} busy={busy} label={S.admOrgSave} />
      <p class={`adm-status ${said.tone}`} role="status">{said.text}</p>
    </form>
  );
}
