/**
 * Microsoft's own public clients, usable as a client id in any tenant. Their redirect URIs are
 * native or loopback, not this app's callback, so from a browser the ways through are device code or
 * pasting back the address the sign-in ends on.
 */
import type { AppProfile } from '../../state/settings.ts';

export interface WellKnownClient {
  readonly id: string;
  readonly name: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly platform: AppProfile['platform'];
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
