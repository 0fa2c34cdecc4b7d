/**
 * Microsoft's own public clients, usable as a client id in any tenant. Their redirect URIs are
 * native or loopback, not this app's callback, so from a browser the ways through are device code or
 * pasting back the address the sign-in ends on.
 */
import type { SandboxDirectoryApp } from '../../protocol/sandbox-directory.ts';
import type { AppProfile, Platform } from '../../state/settings.ts';

export interface WellKnownClient {
  readonly id: string;
  readonly name: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly platform: AppProfile['platform'];
  /**
   * The scopes to start with, only where Microsoft documents what the client asks for. None is listed
   * today: each flow's own default applies, rather than a guess presented as the client's behaviour.
   */
  readonly scopes?: string;
  /** One line: what it can do from this browser. */
  readonly note: string;
}

export const WELL_KNOWN_CLIENTS: readonly WellKnownClient[] = [
  {
    id: 'azure-cli',
    name: 'Azure CLI',
    clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    redirectUri: 'http://localhost',
    platform: 'public',
    note: 'Device code works. Sign-in redirects to http://localhost: paste that address back into the code flow.',
  },
  {
    id: 'azure-powershell',
    name: 'Azure PowerShell',
    clientId: '1950a258-227b-4e31-a9cf-717495945fc2',
    redirectUri: 'https://login.microsoftonline.com/common/oauth2/nativeclient',
    platform: 'public',
    note: 'Device code works. Its redirect is native or loopback: paste the address back into the code flow.',
  },
  {
    id: 'graph-explorer',
    name: 'Graph Explorer',
    clientId: 'de8bc8b5-d9f9-48b1-a8ad-b748da725064',
    redirectUri: 'https://developer.microsoft.com/en-us/graph/graph-explorer',
    platform: 'spa',
    note: 'A single-page app on Microsoft’s site: its redirect is not this app’s, so expect a redirect mismatch here.',
  },
  {
    id: 'vs-code',
    name: 'Visual Studio Code',
    clientId: 'aebc6443-996d-45c2-90f0-388ff96faa56',
    redirectUri: 'http://localhost',
    platform: 'public',
    note: 'A desktop app with loopback redirects: device code, or paste the address back into the code flow.',
  },
  {
    id: 'graph-cli',
    name: 'Microsoft Graph Command Line Tools',
    clientId: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
    redirectUri: 'http://localhost',
    platform: 'public',
    note: 'The client of the Graph PowerShell SDK: device code works; for sign-in, paste the address back.',
  },
  {
    id: 'office',
    name: 'Microsoft Office',
    clientId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
    redirectUri: 'https://login.microsoftonline.com/common/oauth2/nativeclient',
    platform: 'public',
    note: 'A native client: device code is the way through from a browser.',
  },
];

/** The note of the well-known client a profile was made from. */
export function wellKnownNote(preset: string | undefined): string | undefined {
  return WELL_KNOWN_CLIENTS.find((c) => c.id === preset)?.note;
}

/** What choosing a client puts in a profile: everything the choice implies, never only the client id. */
export type ProfileFill = Pick<AppProfile, 'name' | 'clientId' | 'redirectUri' | 'platform' | 'scopes'> & {
  readonly clientSecret?: string;
  readonly preset?: string;
};

const PLATFORM_NAMES: Record<Platform, string> = {
  spa: 'single-page application',
  web: 'web',
  public: 'public client',
};

/** The profile a well-known Microsoft client makes: its name, client id, redirect URI, platform and scopes. */
export function profileFromWellKnown(client: WellKnownClient): ProfileFill {
  return {
    name: client.name,
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    platform: client.platform,
    scopes: client.scopes ?? '',
    preset: client.id,
  };
}

/**
 * The profile a sandbox registration makes, as its portal has it now: its name, client id, platform,
 * sandbox-only secret, and the redirect URI to use — this app's own callback when the registration lists
 * it, else the first it lists. Scopes are left to each flow's default (the directory does not list the
 * permissions an app was granted).
 */
export function profileFromSandboxApp(app: SandboxDirectoryApp, appCallback: string): ProfileFill {
  const platform: Platform = app.platform === 'publicClient' ? 'public' : app.platform;
  const redirectUri = app.redirectUris.includes(appCallback)
    ? appCallback
    : (app.redirectUris[0] ?? appCallback);
  return {
    name: app.displayName,
    clientId: app.clientId,
    redirectUri,
    platform,
    scopes: '',
    clientSecret: app.sandboxOnlySecret ?? '',
  };
}

/** One sentence saying what a fill put in the profile, so nothing changes unannounced. */
export function describeProfileFill(fill: ProfileFill): string {
  const parts = [
    `name “${fill.name}”`,
    `client id ${fill.clientId}`,
    `redirect URI ${fill.redirectUri}`,
    `platform ${PLATFORM_NAMES[fill.platform]}`,
    fill.scopes === '' ? 'scopes left to each flow’s default' : `scopes ${fill.scopes}`,
  ];
  if (fill.clientSecret !== undefined)
    parts.push(fill.clientSecret === '' ? 'no secret' : 'its sandbox-only secret (in memory)');
  return `Filled in: ${parts.join(', ')}.`;
}
