/**
 * The "Standards sandbox" preset: the sandbox's second, standards-only issuer (`/standard`) and the app
 * profiles made from the clients its directory (`/standard/directory.json`) lists. Pure: reads the
 * directory's JSON and says what the preset puts in the settings.
 */
import type { AppProfile, Platform } from '../../state/settings.ts';

/** The standards issuer's path under the sandbox origin. */
export const STANDARD_ISSUER_PATH = '/standard';

/** The issuer URL of the standards sandbox for a sandbox origin. */
export function standardIssuerOf(sandboxOrigin: string): string {
  return `${sandboxOrigin.replace(/\/+$/, '')}${STANDARD_ISSUER_PATH}`;
}

/** The marker a profile made by this preset carries in `preset`, per client: re-applying finds it. */
export const STANDARD_PRESET_PREFIX = 'standard-sandbox:';

/** The client the preset makes active: the public SPA (PKCE, no secret). */
export const STANDARD_SPA_CLIENT_ID = 'standard-spa';

/** One client as the directory lists it. */
export interface StandardDirectoryClient {
  readonly clientId: string;
  readonly name: string;
  /** Sandbox-only, published on purpose; kept in memory only once in a profile. */
  readonly secret?: string;
  readonly authMethod: string;
  readonly scope: string;
  readonly grantTypes: readonly string[];
  readonly note: string;
}

/** The directory as the preset uses it. */
export interface StandardDirectory {
  readonly issuer: string;
  readonly portal?: string;
  readonly clients: readonly StandardDirectoryClient[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Reads `/standard/directory.json`; throws an Error saying what is wrong when it is not the directory. */
export function parseStandardDirectory(json: unknown): StandardDirectory {
  if (!isRecord(json) || typeof json['issuer'] !== 'string' || !Array.isArray(json['clients']))
    throw new Error(
      'The standards sandbox’s directory is not the JSON object the app expects (issuer, clients).',
    );
  const clients = json['clients'].filter(isRecord).flatMap((client): StandardDirectoryClient[] => {
    const clientId = text(client['client_id']);
    if (clientId === '') return [];
    const secret = text(client['client_secret']);
    const grants = client['grant_types'];
    return [
      {
        clientId,
        name: text(client['client_name']) || clientId,
        ...(secret === '' ? {} : { secret }),
        authMethod: text(client['token_endpoint_auth_method']) || 'client_secret_basic',
        scope: text(client['scope']),
        grantTypes: Array.isArray(grants) ? grants.filter((g): g is string => typeof g === 'string') : [],
        note: text(client['note']),
      },
    ];
  });
  if (clients.length === 0) throw new Error('The standards sandbox’s directory lists no clients.');
  const portal = text(json['portal']);
  return { issuer: json['issuer'], ...(portal === '' ? {} : { portal }), clients };
}

/** Scopes a profile starts with: sign-in scopes for user flows, the API's scope for a confidential client. */
function scopesFor(client: StandardDirectoryClient): string {
  const allowed = client.scope.split(' ').filter((s) => s !== '');
  if (client.authMethod === 'none')
    return allowed.filter((s) => ['openid', 'profile', 'email', 'offline_access'].includes(s)).join(' ');
  // A confidential client is mostly used without a user (client credentials): only the API's scope.
  return allowed.filter((s) => !['openid', 'profile', 'email', 'offline_access'].includes(s)).join(' ');
}

/** The profile a directory client becomes (without an id); its secret is sandbox-only and kept in memory. */
export function profileFromStandardClient(
  client: StandardDirectoryClient,
  redirectUri: string,
): Omit<AppProfile, 'id'> {
  const platform: Platform = client.authMethod === 'none' ? 'spa' : 'web';
  return {
    name: `Standards sandbox: ${client.clientId}`,
    clientId: client.clientId,
    redirectUri,
    platform,
    scopes: scopesFor(client),
    clientSecret: client.secret ?? '',
    rememberSecret: false,
    preset: `${STANDARD_PRESET_PREFIX}${client.clientId}`,
  };
}

/**
 * Features of the standards sandbox that Entra ID does not have, named for the authority's description.
 * Entra's own published metadata is the source (src/protocol/provider-features.ts, ENTRA_LACKS).
 */
export const ENTRA_LACKS_HERE: readonly string[] = [
  'pushed authorization requests (PAR, RFC 9126)',
  'signed request objects (JAR, RFC 9101)',
  'JWT-secured responses (JARM)',
  'DPoP-bound tokens (RFC 9449)',
  'token introspection (RFC 7662)',
  'token revocation (RFC 7009)',
  'dynamic client registration (RFC 7591)',
  'token exchange (RFC 8693)',
  'client_secret_jwt client authentication',
];
