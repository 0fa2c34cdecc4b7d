import { useId, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ENTRA_CLOUD_ORIGINS, isSpecificTenant, TENANT_ALIASES } from '../../protocol/endpoints.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { flowSupportFor } from '../../state/provider-features.ts';
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';
import { endpointsFor, tenantFor, useSettings, type AuthorityKind } from '../../state/settings.ts';
import { RelayOffNotice } from '../components/hosting-notices.tsx';
import { EndpointList } from '../settings/endpoint-list.tsx';
import { FlowSupportList } from '../settings/flow-support-list.tsx';
import { IssuerForm } from '../settings/issuer-form.tsx';
import { ManualForm } from '../settings/manual-form.tsx';
import { ProfilesEditor } from '../settings/profiles-editor.tsx';
import { StandardsPreset, useStandardsPresetInUse } from '../settings/standards-preset.tsx';
import { TransferPanel } from '../settings/transfer-panel.tsx';

const CLOUD_LABELS: Record<(typeof ENTRA_CLOUD_ORIGINS)[number], string> = {
  'https://login.microsoftonline.com': 'Global (login.microsoftonline.com)',
  'https://login.microsoftonline.us': 'US Government (login.microsoftonline.us)',
  'https://login.partner.microsoftonline.cn': 'China (login.partner.microsoftonline.cn)',
};

const KIND_NAMES: Record<AuthorityKind, string> = {
  sandbox: 'the sandbox tenant',
  entra: 'Microsoft Entra ID',
  issuer: 'an OpenID provider found by its issuer URL',
  manual: 'endpoints typed by hand',
};

/** A choice of the authority radios: an authority kind, or the standards sandbox (an issuer preset). */
type Shown = AuthorityKind | 'standard';

export default function SettingsPage() {
  const settings = useSettings();
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  // Re-render when the sandbox's directory changes: the tenant and endpoints below come from it.
  const sandboxTenant = useSandboxDirectory((s) => s.directory?.tenant);
  const tenant = tenantFor(settings);
  const endpoints = endpointsFor(settings, sandboxOrigin);
  // The saved issuer is the sandbox's standards issuer (the "Standards sandbox" preset).
  const standardsInUse = useStandardsPresetInUse();
  const inUse: Shown = standardsInUse ? 'standard' : settings.authority;
  // Which form is open. Sandbox and Entra apply at once; an issuer, typed endpoints or the standards
  // sandbox once saved.
  const [shown, setShown] = useState<Shown>(inUse);
  // While the issuer form shows a looked-up document, its flow list is the one on the page.
  const [previewing, setPreviewing] = useState(false);
  const ids = { tenant: useId(), cloud: useId() };

  const choose = (kind: Shown) => {
    setShown(kind);
    // An empty tenant is the sandbox's own, whatever its directory names when a request is built.
    if (kind === 'sandbox') settings.update({ authority: kind, tenant: '' });
    if (kind === 'entra') {
      const tenant = settings.authority === 'entra' ? settings.tenant : 'organizations';
      settings.update({ authority: kind, tenant });
    }
  };

  const radio = (kind: Shown, label: ReactNode) => (
    <label className="choice">
      <input type="radio" name="authority" checked={shown === kind} onChange={() => choose(kind)} />
      {label}
    </label>
  );

  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <p className="lede">Where the requests go, and as which app registration.</p>
      <RelayOffNotice />
      <p>
        Your own registration refused by Entra? The <Link to="/registration-check">registration checker</Link>{' '}
        reads its manifest and says which setting is wrong for your flow.
      </p>

      <fieldset>
        <legend>Authority</legend>
        {radio(
          'sandbox',
          <>
            Sandbox tenant (local, behaves like Entra ID) — <a href={`${sandboxOrigin}/`}>open its portal</a>
          </>,
        )}
        {radio(
          'standard',
          <>
            Standards sandbox (local, a standards-only OpenID provider: PAR, JAR, JARM, DPoP, introspection,
            registration…) — <a href={`${sandboxOrigin}/standard/portal`}>open its portal</a>
          </>,
        )}
        {radio('entra', 'Microsoft Entra ID (your tenant)')}
        {radio('issuer', 'Any OpenID provider, by its issuer URL')}
        {radio('manual', 'Endpoints typed by hand')}
      </fieldset>
      <p role="status" className="in-use">
        Flows use {standardsInUse ? 'the standards sandbox' : KIND_NAMES[settings.authority]}
        {settings.authority === 'issuer' && settings.issuer !== null && (
          <>
            : <code>{settings.issuer.issuer}</code>
          </>
        )}
        {shown !== inUse && ' until you save the form below'}.
      </p>

      {shown === 'entra' && (
        <>
          <div className="field">
            <label htmlFor={ids.cloud}>Cloud</label>
            <select
              id={ids.cloud}
              value={settings.entraOrigin}
              onChange={(e) => settings.update({ entraOrigin: e.target.value })}
            >
              {ENTRA_CLOUD_ORIGINS.map((origin) => (
                <option key={origin} value={origin}>
                  {CLOUD_LABELS[origin]}
                </option>
              ))}
            </select>
          </div>
        </>
      )}
      {(shown === 'entra' || shown === 'sandbox') && (
        <div className="field">
          <label htmlFor={ids.tenant}>Tenant</label>
          <input
            id={ids.tenant}
            value={settings.tenant}
            aria-describedby={`${ids.tenant}-help`}
            onChange={(e) => settings.update({ tenant: e.target.value })}
            spellCheck={false}
            {...(shown === 'sandbox' && sandboxTenant !== undefined
              ? { placeholder: `${sandboxTenant.id} (${sandboxTenant.domain})` }
              : {})}
          />
          <p id={`${ids.tenant}-help`} className="help">
            A tenant id (GUID), a domain such as contoso.onmicrosoft.com, or common / organizations /
            consumers.
            {shown === 'sandbox' && ' Empty: the sandbox’s own tenant.'}
            {!isSpecificTenant(tenant) && ' Client credentials and on-behalf-of need a specific tenant.'}
          </p>
          {shown === 'entra' && (
            <div className="quick-picks" role="group" aria-label="Tenant aliases">
              {TENANT_ALIASES.map((alias) => (
                <button
                  key={alias}
                  type="button"
                  aria-pressed={settings.tenant === alias}
                  onClick={() => settings.update({ tenant: alias })}
                >
                  {alias}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
      {shown === 'standard' && <StandardsPreset />}
      {shown === 'issuer' && <IssuerForm onPreviewChange={setPreviewing} />}
      {shown === 'manual' && <ManualForm />}

      <h2>Endpoints in use</h2>
      <EndpointList endpoints={endpoints} />
      {!(shown === 'issuer' && previewing) && (
        <>
          <h3>Flows with this authority</h3>
          <FlowSupportList support={flowSupportFor(settings, sandboxOrigin)} />
        </>
      )}

      <ProfilesEditor />
      <TransferPanel />

      <p>
        <button
          type="button"
          onClick={() => {
            settings.reset();
            setShown('sandbox');
          }}
        >
          Reset to the sandbox defaults
        </button>
      </p>
    </section>
  );
}
