import { useId } from 'react';
import { SANDBOX_APPS, SANDBOX_TENANT } from '../../../server/sandbox/seed.ts';
import { ENTRA_GLOBAL_ORIGIN, isSpecificTenant } from '../../protocol/endpoints.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { endpointsFor, useSettings, type AuthorityKind } from '../../state/settings.ts';
import { SecretInput } from '../components/secret-input.tsx';

const CLOUDS = [
  { origin: ENTRA_GLOBAL_ORIGIN, label: 'Global (login.microsoftonline.com)' },
  { origin: 'https://login.microsoftonline.us', label: 'US Government (login.microsoftonline.us)' },
  { origin: 'https://login.partner.microsoftonline.cn', label: 'China (login.partner.microsoftonline.cn)' },
];

export default function SettingsPage() {
  const settings = useSettings();
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const endpoints = endpointsFor(settings, sandboxOrigin);
  const ids = { tenant: useId(), client: useId(), redirect: useId(), secret: useId(), cloud: useId() };

  const chooseAuthority = (authority: AuthorityKind) => {
    if (authority === 'sandbox') settings.update({ authority, tenant: SANDBOX_TENANT.id });
    else
      settings.update({
        authority,
        tenant: settings.authority === 'sandbox' ? 'organizations' : settings.tenant,
      });
  };

  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <p className="lede">Where the requests go, and as which app registration.</p>

      <fieldset>
        <legend>Authority</legend>
        <label className="choice">
          <input
            type="radio"
            name="authority"
            checked={settings.authority === 'sandbox'}
            onChange={() => chooseAuthority('sandbox')}
          />
          Sandbox tenant (local, behaves like Entra ID) — <a href={`${sandboxOrigin}/`}>open its portal</a>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="authority"
            checked={settings.authority === 'entra'}
            onChange={() => chooseAuthority('entra')}
          />
          Microsoft Entra ID (your tenant)
        </label>
      </fieldset>

      {settings.authority === 'entra' && (
        <div className="field">
          <label htmlFor={ids.cloud}>Cloud</label>
          <select
            id={ids.cloud}
            value={settings.entraOrigin}
            onChange={(e) => settings.update({ entraOrigin: e.target.value })}
          >
            {CLOUDS.map((c) => (
              <option key={c.origin} value={c.origin}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      )}

      <div className="field">
        <label htmlFor={ids.tenant}>Tenant</label>
        <input
          id={ids.tenant}
          value={settings.tenant}
          aria-describedby={`${ids.tenant}-help`}
          onChange={(e) => settings.update({ tenant: e.target.value })}
          spellCheck={false}
        />
        <p id={`${ids.tenant}-help`} className="help">
          A tenant id (GUID), a domain such as contoso.onmicrosoft.com, or common / organizations / consumers.
          {!isSpecificTenant(settings.tenant) &&
            ' Client credentials and on-behalf-of need a specific tenant.'}
        </p>
      </div>

      <div className="field">
        <label htmlFor={ids.client}>Client id</label>
        <input
          id={ids.client}
          value={settings.clientId}
          onChange={(e) => settings.update({ clientId: e.target.value })}
          spellCheck={false}
        />
      </div>
      {settings.authority === 'sandbox' && (
        <div className="quick-picks" role="group" aria-label="Sandbox app registrations">
          {SANDBOX_APPS.filter((app) => app.redirectUris.length > 0).map((app) => (
            <button
              key={app.clientId}
              type="button"
              aria-pressed={settings.clientId === app.clientId}
              onClick={() =>
                settings.update({ clientId: app.clientId, clientSecret: app.clientSecret ?? '' })
              }
            >
              {app.displayName}
            </button>
          ))}
        </div>
      )}

      <div className="field">
        <label htmlFor={ids.redirect}>Redirect URI</label>
        <input
          id={ids.redirect}
          value={settings.redirectUri}
          aria-describedby={`${ids.redirect}-help`}
          onChange={(e) => settings.update({ redirectUri: e.target.value })}
          spellCheck={false}
        />
        <p id={`${ids.redirect}-help`} className="help">
          Register this exact URI on your app. For the browser to redeem codes with PKCE, put it on the
          Single-page application platform.
        </p>
      </div>

      <div className="field">
        <label htmlFor={ids.secret}>Client secret (kept in memory only)</label>
        <SecretInput
          id={ids.secret}
          value={settings.clientSecret}
          onChange={(value) => settings.update({ clientSecret: value })}
          describedBy={`${ids.secret}-help`}
        />
        <p id={`${ids.secret}-help`} className="help">
          Only for confidential apps. Never stored, never put in a URL; gone when you reload the page.
        </p>
      </div>

      <h2>Endpoints in use</h2>
      <dl className="endpoints">
        <dt>Authorization</dt>
        <dd>
          <code>{endpoints.authorization}</code>
        </dd>
        <dt>Token</dt>
        <dd>
          <code>{endpoints.token}</code>
        </dd>
        <dt>Keys (JWKS)</dt>
        <dd>
          <code>{endpoints.jwks}</code>
        </dd>
        <dt>Discovery</dt>
        <dd>
          <code>{endpoints.discovery}</code>
        </dd>
      </dl>
      <p>
        <button type="button" onClick={() => settings.reset()}>
          Reset to the sandbox defaults
        </button>
      </p>
    </section>
  );
}
