// Organisation: its name, time zone, the default country for phone numbers and the default
// source of quick capture (PATCH /org). Devices get it by sync (the `org` entity), so after a
// save this device asks for one.
import { useMemo, useState } from 'preact/hooks';
import { S } from '../../strings.js';
import { sourceLabel } from '../../org.js';
import { Field, Screen, fieldMessage } from '../../components.jsx';
import { Link } from '../../router.jsx';
import { BackToAdmin, RemoteError, save, useRemote } from './common.jsx';
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
    <Screen title={S.adminOrg}>
      <BackToAdmin />
      {remote.error ? (
        <RemoteError error={remote.error} onRetry={remote.reload} />
      ) : remote.data ? (
        <OrgForm org={remote.data} />
      ) : null}
    </Screen>
  );
}

function OrgForm({ org: first }) {
  const [org, setOrg] = useState(first); // as the server last answered
  const [form, setForm] = useState(() => formOf(first));
  const [errors, setErrors] = useState({});
  const [said, say] = useState({ text: '', tone: '' }); // tone: 'ok' | 'bad' | ''
  const setSaid = (text, tone = '') => say({ text, tone });
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);
  const zones = useMemo(() => timeZoneGroups(browserTimeZones(), form.timezone), [form.timezone]);
  const countries = useMemo(() => countryOptions(form.default_country || undefined), [form.default_country]);

  const set = (k, v) => {
    setForm({ ...form, [k]: v });
    if (errors[k]) setErrors({ ...errors, [k]: undefined });
  };
  const selectProps = (k) => ({
    name: k,
    value: form[k],
    onChange: (e) => set(k, e.currentTarget.value),
    'aria-invalid': errors[k] ? 'true' : undefined,
    'aria-describedby': `org-${k}-help${errors[k] ? ` org-${k}-error` : ''}`,
  });
  const errorOf = (k) => errors[k] && <p class="field-error" id={`org-${k}-error`}>{fieldMessage(errors[k])}</p>;

  async function submit(e) {
    e.preventDefault();
    if (busy) return;
    const now = formOf(org);
    const body = {};
    for (const k of FIELDS) {
      const v = k === 'name' ? form.name.trim() : form[k];
      if (v !== now[k]) body[k] = k === 'default_source' && v === '' ? null : v;
    }
    setOther('');
    if (!Object.keys(body).length) {
      setSaid(S.admNothingChanged);
      return;
    }
    setBusy(true);
    setSaid(S.admSaving);
    const res = await save('PATCH', '/org', body);
    setBusy(false);
    if (res.ok) {
      setOrg(res.data);
      setForm(formOf(res.data));
      setErrors({});
      setSaid(S.admOrgSaved, 'ok');
      return;
    }
    const rest = Object.entries(res.fields).filter(([f]) => !FIELDS.includes(f));
    setErrors(res.fields);
    setOther(rest.length || !Object.keys(res.fields).length
      ? [res.message, ...rest.map(([f, m]) => `${f}: ${fieldMessage(m)}`)].join(' ') : '');
    setSaid(S.admNotSaved, 'bad');
  }

  return (
    <form class="form" onSubmit={submit} noValidate>
      <Field name="name" label={S.admOrgName} required autocomplete="organization" idPrefix="org"
        value={form.name} error={errors.name} onInput={(e) => set('name', e.currentTarget.value)} />
      <div class="field">
        <label>
          <span>{S.admOrgZone}</span>
          <select {...selectProps('timezone')}>
            {zones.map((g) => (g.area ? (
              <optgroup key={g.area} label={g.area}>
                {g.zones.map((z) => <option key={z.value} value={z.value}>{z.label}</option>)}
              </optgroup>
            ) : g.zones.map((z) => <option key={z.value} value={z.value}>{z.label}</option>)))}
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
      {other && <p class="error" role="alert">{other}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{busy ? S.admSaving : S.admOrgSave}</button>
      </div>
      <p class={`adm-status ${said.tone}`} role="status">{said.text}</p>
    </form>
  );
}
