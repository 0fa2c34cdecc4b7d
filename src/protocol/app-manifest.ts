/**
 * Reads an app registration pasted as JSON into one shape the registration checker works on. Three
 * inputs are understood: the Entra admin center's "Manifest" page in the Microsoft Graph format (the
 * application resource as Graph returns it), the older Azure AD Graph format that page still shows for
 * some apps, and a generic client's metadata as RFC 7591 §2 defines it. Pure: no I/O, never throws.
 * Sources for the two Entra formats:
 * https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest
 * https://learn.microsoft.com/en-us/graph/api/resources/application
 * https://learn.microsoft.com/en-us/entra/identity-platform/reference-app-manifest (Azure AD Graph format)
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */

/**
 * Which of the three inputs a registration was read from.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest
 */
export type ManifestFormat = 'microsoft-graph' | 'azure-ad-graph' | 'client-metadata';

/**
 * Who may sign in to the app, as Entra's `signInAudience` names it.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/supported-accounts-validation
 */
export type SignInAudience =
  'AzureADMyOrg' | 'AzureADMultipleOrgs' | 'AzureADandPersonalMicrosoftAccount' | 'PersonalMicrosoftAccount';

const AUDIENCES: readonly SignInAudience[] = [
  'AzureADMyOrg',
  'AzureADMultipleOrgs',
  'AzureADandPersonalMicrosoftAccount',
  'PersonalMicrosoftAccount',
];

/**
 * The Entra platform a redirect URI is registered on; `any` for generic metadata, which has none.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reply-url
 */
export type RedirectPlatform = 'web' | 'spa' | 'public-client' | 'any';

/**
 * A registered redirect URI and its platform (Graph `web`/`spa`/`publicClient`, AAD Graph `type`).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.2
 */
export interface RegisteredRedirectUri {
  readonly uri: string;
  readonly platform: RedirectPlatform;
}

/**
 * One permission the app is configured to ask for: a delegated `Scope` or an application `Role`.
 * @see https://learn.microsoft.com/en-us/graph/api/resources/resourceaccess
 */
export interface ResourceAccess {
  readonly id: string;
  readonly type: 'Scope' | 'Role' | 'unknown';
}

/**
 * One API the app asks permissions of (`requiredResourceAccess` entry).
 * @see https://learn.microsoft.com/en-us/graph/api/resources/requiredresourceaccess
 */
export interface RequiredResource {
  readonly resourceAppId: string;
  readonly access: readonly ResourceAccess[];
}

/**
 * A client secret or a certificate, by when it becomes valid and when it ends (each undefined when the
 * manifest gives no date: no limit on that side). Graph `startDateTime`/`endDateTime`, Azure AD Graph
 * `startDate`/`endDate`.
 * @see https://learn.microsoft.com/en-us/graph/api/resources/passwordcredential
 * @see https://learn.microsoft.com/en-us/graph/api/resources/keycredential
 */
export interface Credential {
  readonly name: string | undefined;
  /** When Entra starts accepting it: "the date and time at which the credential becomes valid". */
  readonly startsAt: Date | undefined;
  readonly endsAt: Date | undefined;
  /** For keys: `AsymmetricX509Cert`, `Symmetric`… as the manifest says. */
  readonly type?: string;
  /** For keys: `Verify` (a certificate the app signs assertions with) or `Sign`. */
  readonly usage?: string;
}

/**
 * An app registration read from any of the three formats. Entra-only fields are undefined for
 * generic metadata, and generic fields are undefined for Entra manifests.
 * @see https://learn.microsoft.com/en-us/graph/api/resources/application
 */
export interface AppRegistration {
  readonly format: ManifestFormat;
  readonly clientId: string | undefined;
  readonly displayName: string | undefined;
  readonly signInAudience: SignInAudience | undefined;
  readonly redirectUris: readonly RegisteredRedirectUri[];
  /** Web platform's implicit grant switches (Graph `web.implicitGrantSettings`, AAD Graph `oauth2Allow*`). */
  readonly implicitIdToken: boolean;
  readonly implicitAccessToken: boolean;
  /** `isFallbackPublicClient` / `allowPublicClient`: undefined when the manifest leaves it null. */
  readonly publicClientFlows: boolean | undefined;
  /** `api.requestedAccessTokenVersion` / `accessTokenAcceptedVersion`; undefined (null) means v1. */
  readonly accessTokenVersion: number | undefined;
  /** The delegated permissions the app exposes as an API (their `value`s). */
  readonly exposedScopes: readonly string[];
  readonly appRoles: readonly string[];
  readonly identifierUris: readonly string[];
  readonly requiredResourceAccess: readonly RequiredResource[];
  readonly secrets: readonly Credential[];
  readonly certificates: readonly Credential[];
  /** RFC 7591 §2 fields, for generic metadata only (defaults applied as the RFC gives them). */
  readonly grantTypes?: readonly string[];
  readonly responseTypes?: readonly string[];
  readonly tokenEndpointAuthMethod?: string;
  readonly hasJwks?: boolean;
  readonly registeredScopes?: readonly string[] | undefined;
}

/**
 * Why a paste could not be read: what happened, and what to do.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-app-manifest
 */
export interface ManifestProblem {
  readonly code: 'empty' | 'not-json' | 'not-an-object' | 'unknown-shape' | 'wrong-shape';
  readonly message: string;
  readonly fix: string;
}

/**
 * A paste read: the registration, or the problem that stopped reading it.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export type ManifestReading =
  | { readonly ok: true; readonly registration: AppRegistration }
  | { readonly ok: false; readonly problem: ManifestProblem };

type Json = Readonly<Record<string, unknown>>;

/** A field whose value has the wrong type: collected, then reported together. */
class ShapeErrors {
  readonly found: string[] = [];
  add(path: string, expected: string): void {
    this.found.push(`${path} should be ${expected}`);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(json: Json, key: string, path: string, errors: ShapeErrors): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  errors.add(path, 'a string');
  return undefined;
}

function optionalBoolean(json: Json, key: string, path: string, errors: ShapeErrors): boolean | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  errors.add(path, 'true, false or null');
  return undefined;
}

function optionalObject(json: Json, key: string, path: string, errors: ShapeErrors): Json | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  errors.add(path, 'an object');
  return undefined;
}

function stringList(json: Json | undefined, key: string, path: string, errors: ShapeErrors): string[] {
  const value = json?.[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    errors.add(path, 'a list of strings');
    return [];
  }
  return value as string[];
}

function objectList(json: Json | undefined, key: string, path: string, errors: ShapeErrors): Json[] {
  const value = json?.[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => !isObject(item))) {
    errors.add(path, 'a list of objects');
    return [];
  }
  return value as Json[];
}

function readVersion(json: Json, key: string, path: string, errors: ShapeErrors): number | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (value === 1 || value === 2) return value;
  errors.add(path, '1, 2 or null');
  return undefined;
}

function readDate(json: Json, key: string, path: string, errors: ShapeErrors): Date | undefined {
  const text = optionalString(json, key, path, errors);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    errors.add(path, 'a date such as 2026-12-31T00:00:00Z');
    return undefined;
  }
  return date;
}

function readAudience(json: Json, errors: ShapeErrors): SignInAudience | undefined {
  const value = optionalString(json, 'signInAudience', 'signInAudience', errors);
  if (value === undefined) return undefined;
  const known = AUDIENCES.find((audience) => audience.toLowerCase() === value.toLowerCase());
  if (known === undefined) errors.add('signInAudience', `one of ${AUDIENCES.join(', ')}`);
  return known;
}

function readRequiredResourceAccess(json: Json, errors: ShapeErrors): RequiredResource[] {
  return objectList(json, 'requiredResourceAccess', 'requiredResourceAccess', errors).map((entry, i) => ({
    resourceAppId:
      optionalString(entry, 'resourceAppId', `requiredResourceAccess[${i}].resourceAppId`, errors) ?? '',
    access: objectList(entry, 'resourceAccess', `requiredResourceAccess[${i}].resourceAccess`, errors).map(
      (access, j) => {
        const type = optionalString(
          access,
          'type',
          `requiredResourceAccess[${i}].resourceAccess[${j}].type`,
          errors,
        );
        return {
          id: (
            optionalString(access, 'id', `requiredResourceAccess[${i}].resourceAccess[${j}].id`, errors) ?? ''
          ).toLowerCase(),
          type: type === 'Scope' || type === 'Role' ? type : 'unknown',
        };
      },
    ),
  }));
}

/** The field names of a credential's validity window in one format. */
interface DateKeys {
  readonly start: string;
  readonly end: string;
}
const GRAPH_DATES: DateKeys = { start: 'startDateTime', end: 'endDateTime' };
const AAD_DATES: DateKeys = { start: 'startDate', end: 'endDate' };

function readCredentials(json: Json, key: string, dates: DateKeys, errors: ShapeErrors): Credential[] {
  return objectList(json, key, key, errors).map((entry, i) => {
    const type = optionalString(entry, 'type', `${key}[${i}].type`, errors);
    const usage = optionalString(entry, 'usage', `${key}[${i}].usage`, errors);
    return {
      name:
        optionalString(entry, 'displayName', `${key}[${i}].displayName`, errors) ??
        optionalString(entry, 'customKeyIdentifier', `${key}[${i}].customKeyIdentifier`, errors),
      startsAt: readDate(entry, dates.start, `${key}[${i}].${dates.start}`, errors),
      endsAt: readDate(entry, dates.end, `${key}[${i}].${dates.end}`, errors),
      ...(type === undefined ? {} : { type }),
      ...(usage === undefined ? {} : { usage }),
    };
  });
}

function scopeValues(list: readonly Json[], path: string, errors: ShapeErrors): string[] {
  return list
    .map((entry, i) => optionalString(entry, 'value', `${path}[${i}].value`, errors))
    .filter((value): value is string => value !== undefined && value !== '');
}

/** The Microsoft Graph format: platforms as objects (`web`, `spa`, `publicClient`), the API under `api`. */
function readGraphFormat(json: Json, errors: ShapeErrors): AppRegistration {
  const web = optionalObject(json, 'web', 'web', errors);
  const spa = optionalObject(json, 'spa', 'spa', errors);
  const publicClient = optionalObject(json, 'publicClient', 'publicClient', errors);
  const api = optionalObject(json, 'api', 'api', errors);
  const implicit =
    web === undefined
      ? undefined
      : optionalObject(web, 'implicitGrantSettings', 'web.implicitGrantSettings', errors);
  return {
    format: 'microsoft-graph',
    clientId: optionalString(json, 'appId', 'appId', errors),
    displayName: optionalString(json, 'displayName', 'displayName', errors),
    signInAudience: readAudience(json, errors),
    redirectUris: [
      ...stringList(web, 'redirectUris', 'web.redirectUris', errors).map((uri) => ({
        uri,
        platform: 'web' as const,
      })),
      ...stringList(spa, 'redirectUris', 'spa.redirectUris', errors).map((uri) => ({
        uri,
        platform: 'spa' as const,
      })),
      ...stringList(publicClient, 'redirectUris', 'publicClient.redirectUris', errors).map((uri) => ({
        uri,
        platform: 'public-client' as const,
      })),
    ],
    implicitIdToken:
      (implicit &&
        optionalBoolean(
          implicit,
          'enableIdTokenIssuance',
          'web.implicitGrantSettings.enableIdTokenIssuance',
          errors,
        )) ??
      false,
    implicitAccessToken:
      (implicit &&
        optionalBoolean(
          implicit,
          'enableAccessTokenIssuance',
          'web.implicitGrantSettings.enableAccessTokenIssuance',
          errors,
        )) ??
      false,
    publicClientFlows: optionalBoolean(json, 'isFallbackPublicClient', 'isFallbackPublicClient', errors),
    accessTokenVersion:
      api === undefined
        ? undefined
        : readVersion(api, 'requestedAccessTokenVersion', 'api.requestedAccessTokenVersion', errors),
    exposedScopes: scopeValues(
      objectList(api, 'oauth2PermissionScopes', 'api.oauth2PermissionScopes', errors),
      'api.oauth2PermissionScopes',
      errors,
    ),
    appRoles: scopeValues(objectList(json, 'appRoles', 'appRoles', errors), 'appRoles', errors),
    identifierUris: stringList(json, 'identifierUris', 'identifierUris', errors),
    requiredResourceAccess: readRequiredResourceAccess(json, errors),
    secrets: readCredentials(json, 'passwordCredentials', GRAPH_DATES, errors),
    certificates: readCredentials(json, 'keyCredentials', GRAPH_DATES, errors),
  };
}

const AAD_PLATFORMS: Readonly<Record<string, RedirectPlatform>> = {
  web: 'web',
  spa: 'spa',
  installedclient: 'public-client',
};

/** The Azure AD Graph format: one `replyUrlsWithType` list, flat `oauth2Allow*` and `allowPublicClient`. */
function readAzureAdGraphFormat(json: Json, errors: ShapeErrors): AppRegistration {
  const replyUrls = objectList(json, 'replyUrlsWithType', 'replyUrlsWithType', errors).flatMap((entry, i) => {
    const url = optionalString(entry, 'url', `replyUrlsWithType[${i}].url`, errors);
    const type = optionalString(entry, 'type', `replyUrlsWithType[${i}].type`, errors);
    const platform = AAD_PLATFORMS[(type ?? '').toLowerCase()];
    if (url === undefined) return [];
    if (platform === undefined) {
      errors.add(`replyUrlsWithType[${i}].type`, 'Web, Spa or InstalledClient');
      return [];
    }
    return [{ uri: url, platform }];
  });
  // Older apps have only replyUrls (no platform): the portal shows them as Web.
  const legacy = stringList(json, 'replyUrls', 'replyUrls', errors)
    .filter((uri) => !replyUrls.some((r) => r.uri === uri))
    .map((uri) => ({ uri, platform: 'web' as const }));
  const other = optionalBoolean(json, 'availableToOtherTenants', 'availableToOtherTenants', errors);
  return {
    format: 'azure-ad-graph',
    clientId: optionalString(json, 'appId', 'appId', errors),
    displayName:
      optionalString(json, 'name', 'name', errors) ??
      optionalString(json, 'displayName', 'displayName', errors),
    signInAudience:
      readAudience(json, errors) ??
      (other === undefined ? undefined : other ? 'AzureADMultipleOrgs' : 'AzureADMyOrg'),
    redirectUris: [...replyUrls, ...legacy],
    implicitIdToken:
      optionalBoolean(json, 'oauth2AllowIdTokenImplicitFlow', 'oauth2AllowIdTokenImplicitFlow', errors) ??
      false,
    implicitAccessToken:
      optionalBoolean(json, 'oauth2AllowImplicitFlow', 'oauth2AllowImplicitFlow', errors) ?? false,
    publicClientFlows: optionalBoolean(json, 'allowPublicClient', 'allowPublicClient', errors),
    accessTokenVersion: readVersion(json, 'accessTokenAcceptedVersion', 'accessTokenAcceptedVersion', errors),
    exposedScopes: scopeValues(
      objectList(json, 'oauth2Permissions', 'oauth2Permissions', errors),
      'oauth2Permissions',
      errors,
    ),
    appRoles: scopeValues(objectList(json, 'appRoles', 'appRoles', errors), 'appRoles', errors),
    identifierUris: stringList(json, 'identifierUris', 'identifierUris', errors),
    requiredResourceAccess: readRequiredResourceAccess(json, errors),
    secrets: readCredentials(json, 'passwordCredentials', AAD_DATES, errors),
    certificates: readCredentials(json, 'keyCredentials', AAD_DATES, errors),
  };
}

/** RFC 7591 §2 client metadata, with the defaults §2 gives for absent fields. */
function readClientMetadata(json: Json, errors: ShapeErrors): AppRegistration {
  const grantTypes =
    json['grant_types'] === undefined
      ? ['authorization_code']
      : stringList(json, 'grant_types', 'grant_types', errors);
  const responseTypes =
    json['response_types'] === undefined
      ? ['code']
      : stringList(json, 'response_types', 'response_types', errors);
  const scope = optionalString(json, 'scope', 'scope', errors);
  const jwks = optionalObject(json, 'jwks', 'jwks', errors);
  const jwksUri = optionalString(json, 'jwks_uri', 'jwks_uri', errors);
  const expires = json['client_secret_expires_at'];
  if (expires !== undefined && typeof expires !== 'number')
    errors.add('client_secret_expires_at', 'a number (seconds since 1970, 0 for never)');
  const secret = optionalString(json, 'client_secret', 'client_secret', errors);
  return {
    format: 'client-metadata',
    clientId: optionalString(json, 'client_id', 'client_id', errors),
    displayName: optionalString(json, 'client_name', 'client_name', errors),
    signInAudience: undefined,
    redirectUris: stringList(json, 'redirect_uris', 'redirect_uris', errors).map((uri) => ({
      uri,
      platform: 'any' as const,
    })),
    implicitIdToken: false,
    implicitAccessToken: false,
    publicClientFlows: undefined,
    accessTokenVersion: undefined,
    exposedScopes: [],
    appRoles: [],
    identifierUris: [],
    requiredResourceAccess: [],
    // RFC 7591 §3.2.1: client_secret_expires_at 0 means the secret never expires.
    secrets:
      secret === undefined && expires === undefined
        ? []
        : [
            {
              name: 'client_secret',
              // RFC 7591 §3.2.1 gives a secret an end (client_secret_expires_at), never a start.
              startsAt: undefined,
              endsAt: typeof expires === 'number' && expires > 0 ? new Date(expires * 1000) : undefined,
            },
          ],
    certificates: [],
    grantTypes,
    responseTypes,
    // RFC 7591 §2: "If unspecified or omitted, the default is client_secret_basic".
    tokenEndpointAuthMethod:
      optionalString(json, 'token_endpoint_auth_method', 'token_endpoint_auth_method', errors) ??
      'client_secret_basic',
    hasJwks: jwks !== undefined || jwksUri !== undefined,
    registeredScopes: scope === undefined ? undefined : scope.split(' ').filter((s) => s !== ''),
  };
}

const GRAPH_MARKS = [
  'web',
  'spa',
  'publicClient',
  'api',
  'isFallbackPublicClient',
  'requiredResourceAccess',
  'signInAudience',
];
const AAD_MARKS = [
  'replyUrlsWithType',
  'replyUrls',
  'oauth2AllowImplicitFlow',
  'oauth2AllowIdTokenImplicitFlow',
  'allowPublicClient',
  'accessTokenAcceptedVersion',
  'availableToOtherTenants',
  'oauth2Permissions',
];
const METADATA_MARKS = [
  'redirect_uris',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'client_id',
  'jwks_uri',
];

/**
 * Which format a JSON object is, from the fields only that format has.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-app-manifest
 */
export function detectManifestFormat(json: Json): ManifestFormat | undefined {
  const has = (keys: readonly string[]) => keys.filter((key) => key in json).length;
  // The Azure AD Graph format also has appId, requiredResourceAccess and (newer) signInAudience,
  // so its own fields decide first.
  if (has(AAD_MARKS) > 0 && !('web' in json || 'spa' in json || 'publicClient' in json))
    return 'azure-ad-graph';
  if (has(GRAPH_MARKS) > 0 || 'appId' in json) return 'microsoft-graph';
  if (has(METADATA_MARKS) > 0) return 'client-metadata';
  return undefined;
}

/**
 * Reads a pasted app registration (either Entra manifest format, or RFC 7591 client metadata).
 * Never throws: unreadable input comes back as a problem saying what is wrong and what to paste.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function parseAppManifest(text: string): ManifestReading {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') {
    return fail(
      'empty',
      'Nothing pasted yet.',
      'Paste the JSON from the Manifest page of your app registration.',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return fail(
      'not-json',
      `This is not valid JSON (${detail}).`,
      'Copy the whole manifest again (Download on the Manifest page gives the exact file), with its opening and closing braces.',
    );
  }
  // Graph's list answer ({ value: [app] }) holds one app: read that app.
  if (
    isObject(parsed) &&
    Array.isArray(parsed['value']) &&
    parsed['value'].length === 1 &&
    isObject(parsed['value'][0])
  ) {
    parsed = parsed['value'][0];
  }
  if (!isObject(parsed)) {
    return fail(
      'not-an-object',
      `The JSON is ${Array.isArray(parsed) ? 'a list' : `a ${parsed === null ? 'null' : typeof parsed}`}, not one app registration.`,
      'Paste a single JSON object: the manifest of one app, or one client’s metadata.',
    );
  }
  const format = detectManifestFormat(parsed);
  if (format === undefined) {
    return fail(
      'unknown-shape',
      'This JSON is neither an Entra app manifest nor client metadata: it has none of their fields (appId, web, spa, replyUrlsWithType, redirect_uris, grant_types…).',
      'Paste the manifest from the app registration’s Manifest page, or a client’s RFC 7591 metadata.',
    );
  }
  const errors = new ShapeErrors();
  const registration =
    format === 'microsoft-graph'
      ? readGraphFormat(parsed, errors)
      : format === 'azure-ad-graph'
        ? readAzureAdGraphFormat(parsed, errors)
        : readClientMetadata(parsed, errors);
  if (errors.found.length > 0) {
    const shown = errors.found.slice(0, 3).join('; ');
    const more = errors.found.length > 3 ? ` (and ${errors.found.length - 3} more)` : '';
    return fail(
      'wrong-shape',
      `Read as ${FORMAT_NAMES[format]}, but some fields have the wrong type: ${shown}${more}.`,
      'Fix those fields, or paste the manifest exactly as the portal shows it.',
    );
  }
  return { ok: true, registration };
}

/**
 * Plain names of the formats, for messages.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest
 */
export const FORMAT_NAMES: Readonly<Record<ManifestFormat, string>> = {
  'microsoft-graph': 'an Entra manifest (Microsoft Graph format)',
  'azure-ad-graph': 'an Entra manifest (Azure AD Graph format)',
  'client-metadata': 'client metadata (RFC 7591)',
};

function fail(code: ManifestProblem['code'], message: string, fix: string): ManifestReading {
  return { ok: false, problem: { code, message, fix } };
}
