import { useId, useState } from 'react';
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';
import {
  activeProfile,
  DEFAULT_PROFILE_ID,
  defaultRedirectUri,
  useSettings,
  type Platform,
} from '../../state/settings.ts';
import { SecretInput } from '../components/secret-input.tsx';
import {
  describeProfileFill,
  profileFromSandboxApp,
  profileFromWellKnown,
  WELL_KNOWN_CLIENTS,
  wellKnownNote,
} from './well-known-clients.ts';

const PLATFORMS: readonly { value: Platform; label: string }[] = [
  { value: 'spa', label: 'Single-page application (redeems codes from the browser, PKCE)' },
  { value: 'web', label: 'Web (confidential: has a secret, redeems codes on a server)' },
  { value: 'public', label: 'Public client: mobile, desktop, CLI (no secret)' },
];

/** Named app registrations: which one flows act as, and its details. */
export function ProfilesEditor() {
  const settings = useSettings();
  const profile = activeProfile(settings);
  // The sandbox's registrations as its portal has them now (none listed until its directory is read).
  const sandboxApps = useSandboxDirectory((s) => s.directory?.apps) ?? [];
  const sandboxSpa = sandboxApps.find((app) => app.platform === 'spa');
  const [preset, setPreset] = useState(WELL_KNOWN_CLIENTS[0]?.id ?? '');
  // What the last choice of a client filled in, said where the choice was made.
  const [filled, setFilled] = useState<{ where: 'preset' | 'sandbox'; text: string } | undefined>();
  const base = useId();
  const id = (name: string) => `${base}-${name}`;
  const note = wellKnownNote(profile.preset);
  const set = (patch: Parameters<typeof settings.updateProfile>[1]) =>
    settings.updateProfile(profile.id, patch);

  const addBlank = () =>
    settings.addProfile({
      name: `App ${settings.profiles.length + 1}`,
      clientId: '',
      redirectUri: defaultRedirectUri(),
      platform: 'spa',
      scopes: '',
      clientSecret: '',
      rememberSecret: false,
    });

  const addPreset = () => {
    const client = WELL_KNOWN_CLIENTS.find((c) => c.id === preset);
    if (client === undefined) return;
    const fill = profileFromWellKnown(client);
    settings.addProfile({ clientSecret: '', rememberSecret: false, ...fill });
    setFilled({ where: 'preset', text: `Added the profile “${fill.name}”. ${describeProfileFill(fill)}` });
  };

  const chooseSandboxApp = (app: (typeof sandboxApps)[number]) => {
    // A sandbox registration is no Microsoft client: the preset (and its note) goes.
    const fill = { ...profileFromSandboxApp(app, defaultRedirectUri()), preset: '' };
    set(fill);
    const callback = defaultRedirectUri();
    const unlisted =
      fill.redirectUri === callback
        ? ''
        : ` This app’s own callback (${callback}) is not among its redirect URIs: add it on the sandbox portal to sign in here.`;
    setFilled({ where: 'sandbox', text: `${describeProfileFill(fill)}${unlisted}` });
  };

  return (
    <section aria-labelledby={id('title')}>
      <h2 id={id('title')}>App profiles</h2>
      <p className="help">
        {settings.authority === 'sandbox'
          ? 'In the sandbox each flow uses the app registration made for it, as the sandbox lists it now; the profile is used by the code flow (no client id: the sandbox’s SPA).'
          : 'Flows start with the active profile’s client id, secret and scopes.'}
      </p>
      <div className="field">
        <label htmlFor={id('active')}>Active profile</label>
        <select id={id('active')} value={profile.id} onChange={(e) => settings.selectProfile(e.target.value)}>
          {settings.profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="quick-picks">
        <button type="button" onClick={addBlank}>
          New profile
        </button>
        <button
          type="button"
          onClick={() => settings.removeProfile(profile.id)}
          disabled={settings.profiles.length < 2}
        >
          Remove this profile
        </button>
      </div>
      <div className="preset-picker">
        <label htmlFor={id('preset')}>Microsoft’s public clients</label>{' '}
        <select id={id('preset')} value={preset} onChange={(e) => setPreset(e.target.value)}>
          {WELL_KNOWN_CLIENTS.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>{' '}
        <button type="button" onClick={addPreset}>
          Add as a profile
        </button>
        <p className="help">{wellKnownNote(preset)}</p>
        <p role="status" className="help">
          {filled?.where === 'preset' ? filled.text : ''}
        </p>
      </div>

      <fieldset>
        <legend>{profile.name}</legend>
        {note !== undefined && (
          <p className="note" role="note">
            {note} Its accepted redirect URIs are mostly undocumented.
          </p>
        )}
        <div className="field">
          <label htmlFor={id('name')}>Profile name</label>
          <input id={id('name')} value={profile.name} onChange={(e) => set({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={id('client')}>Client id</label>
          <input
            id={id('client')}
            value={profile.clientId}
            onChange={(e) => set({ clientId: e.target.value })}
            spellCheck={false}
            {...((settings.authority === 'sandbox' || profile.id === DEFAULT_PROFILE_ID) &&
            sandboxSpa !== undefined
              ? { placeholder: `${sandboxSpa.clientId} (${sandboxSpa.displayName})` }
              : {})}
          />
        </div>
        {settings.authority === 'sandbox' && (
          <div className="quick-picks" role="group" aria-label="Sandbox app registrations">
            {sandboxApps
              .filter((app) => app.redirectUris.length > 0)
              .map((app) => (
                <button
                  key={app.clientId}
                  type="button"
                  aria-pressed={
                    profile.clientId === app.clientId || (profile.clientId === '' && app === sandboxSpa)
                  }
                  onClick={() => chooseSandboxApp(app)}
                >
                  {app.displayName}
                </button>
              ))}
          </div>
        )}
        {settings.authority === 'sandbox' && (
          <p role="status" className="help">
            {filled?.where === 'sandbox' ? filled.text : ''}
          </p>
        )}
        <div className="field">
          <label htmlFor={id('redirect')}>Redirect URI</label>
          <input
            id={id('redirect')}
            value={profile.redirectUri}
            onChange={(e) => set({ redirectUri: e.target.value })}
            spellCheck={false}
            aria-describedby={id('redirect-help')}
          />
          <p id={id('redirect-help')} className="help">
            Register this exact URI on your app. This app’s own callback is{' '}
            <code>{defaultRedirectUri()}</code>; put it on the Single-page application platform so the browser
            may redeem codes with PKCE. Any other URI works by pasting back the address the sign-in ends on.
          </p>
        </div>
        <div className="field">
          <label htmlFor={id('platform')}>Platform</label>
          <select
            id={id('platform')}
            value={profile.platform}
            onChange={(e) => set({ platform: e.target.value as Platform })}
          >
            {PLATFORMS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={id('scopes')}>Default scopes</label>
          <input
            id={id('scopes')}
            value={profile.scopes}
            onChange={(e) => set({ scopes: e.target.value })}
            spellCheck={false}
            aria-describedby={id('scopes-help')}
          />
          <p id={id('scopes-help')} className="help">
            Space-separated. Empty: each flow starts with its own default.
          </p>
        </div>
        <div className="field">
          <label htmlFor={id('secret')}>Client secret</label>
          <SecretInput
            id={id('secret')}
            value={profile.clientSecret}
            onChange={(value) => set({ clientSecret: value })}
            describedBy={id('secret-help')}
          />
          <p id={id('secret-help')} className="help">
            Only for web apps.{' '}
            {profile.rememberSecret
              ? 'Stored on this device (see below).'
              : 'Kept in memory: gone when you reload.'}{' '}
            Never exported, never put in a link. Certificates are made on the client credentials page.
          </p>
        </div>
        <label className="choice">
          <input
            type="checkbox"
            checked={profile.rememberSecret}
            onChange={(e) => set({ rememberSecret: e.target.checked })}
            aria-describedby={id('remember-help')}
          />
          Remember on this device
        </label>
        <p id={id('remember-help')} className="help">
          Saves this profile’s secret unencrypted in this browser’s localStorage, where any script on this
          origin can read it. Use it for test apps only.
        </p>
        {profile.rememberSecret && (
          <p>
            <button type="button" onClick={() => set({ rememberSecret: false, clientSecret: '' })}>
              Forget the stored secret
            </button>
          </p>
        )}
      </fieldset>
    </section>
  );
}
