/**
 * Plain-language explanations of the claims found in JWTs (access tokens, ID tokens, logout tokens,
 * client assertions, request objects, DPoP proofs, and JWTs of no known kind) and of the JOSE header
 * parameters, each for what it means in that kind of token. Every explanation knows which issuers it is
 * true for: a note that holds for Entra ID is never shown on a Google or Okta token. Used by the token
 * view; never used to accept or reject a token.
 */

import { parseEntraV1Issuer } from './issuer-version.ts';

/**
 * What a JWT is for, which changes what its claims mean. `jwt` is a JWT whose kind is not known: its
 * claims get RFC 7519's general meanings, never those of one kind.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export type TokenKind =
  'access' | 'id' | 'refresh' | 'logout' | 'client-assertion' | 'request-object' | 'dpop-proof' | 'jwt';

/**
 * Every token kind, in the order the UI lists them.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4
 */
export const TOKEN_KINDS: readonly TokenKind[] = [
  'access',
  'id',
  'refresh',
  'logout',
  'client-assertion',
  'request-object',
  'dpop-proof',
  'jwt',
];

/** Kinds the client writes and signs itself: an issuer family's conventions never apply to them. */
const CLIENT_MADE: ReadonlySet<TokenKind> = new Set(['client-assertion', 'request-object', 'dpop-proof']);

/**
 * A family of authorization servers whose tokens share conventions beyond the standards.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.3
 */
export type IssuerFamily =
  'entra' | 'entra-b2c' | 'google' | 'apple' | 'okta' | 'auth0' | 'keycloak' | 'cognito' | 'generic';

/** Readable names of the issuer families, for the UI. */
export const ISSUER_FAMILY_LABEL: Readonly<Record<IssuerFamily, string>> = {
  entra: 'Microsoft Entra ID',
  'entra-b2c': 'Azure AD B2C',
  google: 'Google',
  apple: 'Sign in with Apple',
  okta: 'Okta',
  auth0: 'Auth0',
  keycloak: 'Keycloak',
  cognito: 'Amazon Cognito',
  generic: 'an issuer this lab has no specific notes for',
};

/**
 * The issuer family a token comes from and the claim that showed it.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1.1
 */
export interface IssuerDetection {
  readonly family: IssuerFamily;
  /** A short sentence naming what decided, e.g. "iss is on login.microsoftonline.com". */
  readonly signal: string;
}

/**
 * What an explanation depends on besides the claim itself: the token's kind, its issuer family, and
 * the other claims (some notes compare claims, such as sub with oid).
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4
 */
export interface ClaimContext {
  readonly kind: TokenKind;
  /** Detected from `payload` when left out; `generic` when there is no payload either. */
  readonly family?: IssuerFamily;
  readonly payload?: Readonly<Record<string, unknown>>;
}

/**
 * A claim with its meaning and a readable rendering of its value.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4
 */
export interface ClaimExplanation {
  readonly name: string;
  readonly meaning: string;
  /** The value as text: strings as they are, arrays joined with ", ", objects as compact JSON. */
  readonly display: string;
  /** The value is a NumericDate (seconds since 1970-01-01T00:00:00Z) and should be shown as a time. */
  readonly isTime: boolean;
  /** Something about this particular value worth knowing (version hints, value types, warnings). */
  readonly note?: string;
  /** Whose convention the explanation follows: a standard, or one issuer family's own. */
  readonly appliesTo: IssuerFamily | 'standard';
}

interface Ctx {
  readonly kind: TokenKind;
  readonly family: IssuerFamily;
  readonly payload: Readonly<Record<string, unknown>>;
}

interface ClaimInfo {
  /** 'standard' = true for every issuer; otherwise only for these families. */
  readonly scope: 'standard' | readonly IssuerFamily[];
  /**
   * The token kinds the entry holds for. Left out, a standard entry holds for every kind, and a
   * family's for every kind the authorization server issues, never for a JWT the client made itself
   * (assertion, request object, DPoP proof).
   */
  readonly kinds?: readonly TokenKind[];
  readonly meaning: string | ((ctx: Ctx, value: unknown) => string);
  readonly isTime?: boolean;
  readonly note?: (value: unknown, ctx: Ctx) => string | undefined;
  /** A better rendering than the generic one for structured values; undefined falls back. */
  readonly display?: (value: unknown) => string | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_IN_PATH = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(\/|$)/i;
const CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

function own(record: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

function hasOwn(record: Readonly<Record<string, unknown>>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, name);
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** Parses an issuer (or any URL-ish claim); Google's ID tokens may name their issuer without a scheme. */
function parseUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 2048) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`);
  } catch {
    return undefined;
  }
}

// Microsoft Graph's audience in every form Entra and Microsoft's samples use, in all national clouds.
// https://learn.microsoft.com/en-us/graph/deployments#microsoft-graph-and-graph-explorer-service-root-endpoints
const GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/**
 * Whether an `aud` value (string or array) names Microsoft Graph: its app id, or its URL with or without
 * a trailing slash, in any national cloud.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 */
export function isGraphAudience(aud: unknown): boolean {
  return strings(aud).some((value) => {
    const trimmed = value.trim().toLowerCase();
    if (trimmed === GRAPH_APP_ID) return true;
    if (!/^https:\/\//.test(trimmed)) return false;
    const url = parseUrl(trimmed);
    return (
      url !== undefined && GRAPH_HOSTS.has(url.hostname) && (url.pathname === '/' || url.pathname === '')
    );
  });
}

// https://learn.microsoft.com/en-us/entra/identity-platform/authentication-national-cloud#microsoft-entra-authentication-endpoints
const ENTRA_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
  'login.chinacloudapi.cn',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'sts.chinacloudapi.cn',
]);
const OKTA_HOST = /\.(okta|oktapreview|okta-emea|okta-gov)\.com$/;
const COGNITO_HOST = /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/;
// B2C user flows are named B2C_1_…, custom policies B2C_1A_…
// https://learn.microsoft.com/en-us/azure/active-directory-b2c/tokens-overview#claims
const B2C_POLICY = /^b2c_1a?_/i;

function b2cClaimSignal(payload: Readonly<Record<string, unknown>>): string | undefined {
  const tfp = own(payload, 'tfp');
  if (typeof tfp === 'string' && tfp !== '') return 'the token names a B2C policy in tfp';
  const acr = own(payload, 'acr');
  if (typeof acr === 'string' && B2C_POLICY.test(acr)) return 'acr names a B2C user flow';
  return undefined;
}

/**
 * Tells which family of authorization servers issued a token, from `iss` first and then from the
 * claims only one family uses.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1.1
 */
export function detectIssuerFamily(payload: Readonly<Record<string, unknown>>): IssuerDetection {
  const iss = own(payload, 'iss');
  const url = parseUrl(iss);
  const host = url?.hostname.toLowerCase() ?? '';
  const path = url?.pathname ?? '';
  if (url !== undefined) {
    if (host === 'accounts.google.com') return { family: 'google', signal: 'iss is accounts.google.com' };
    if (host === 'appleid.apple.com') return { family: 'apple', signal: 'iss is appleid.apple.com' };
    if (COGNITO_HOST.test(host)) return { family: 'cognito', signal: `iss is on ${host}` };
    if (host.endsWith('.auth0.com')) return { family: 'auth0', signal: `iss is on ${host}` };
    if (OKTA_HOST.test(host)) return { family: 'okta', signal: `iss is on ${host}` };
    // Keycloak's issuer is {base}/realms/{realm}; ForgeRock's .../oauth2/realms/root/realms/{realm} is not it.
    if (/\/realms\/[^/]+\/?$/.test(path) && !path.includes('/oauth2/'))
      return { family: 'keycloak', signal: 'iss ends in a Keycloak /realms/ path' };
    if (host.endsWith('.b2clogin.com')) return { family: 'entra-b2c', signal: `iss is on ${host}` };
    if (ENTRA_HOSTS.has(host) || host.endsWith('.ciamlogin.com')) {
      if (path.startsWith('/tfp/')) return { family: 'entra-b2c', signal: 'iss has a B2C /tfp/ path' };
      const b2c = b2cClaimSignal(payload);
      if (b2c !== undefined) return { family: 'entra-b2c', signal: b2c };
      return { family: 'entra', signal: `iss is on ${host}` };
    }
  }
  // No issuer host decided. Claims only one family uses decide when the issuer itself has that family's
  // shape: a B2C custom domain keeps the tenant id in its path (https://login.contoso.com/{tenant}/v2.0/),
  // and so does the lab's Entra-shaped sandbox.
  const b2c = b2cClaimSignal(payload);
  if (b2c !== undefined && (url === undefined ? iss === undefined : GUID_IN_PATH.test(path))) {
    return { family: 'entra-b2c', signal: b2c };
  }
  const tid = own(payload, 'tid');
  const ver = own(payload, 'ver');
  if (
    typeof tid === 'string' &&
    GUID.test(tid) &&
    typeof iss === 'string' &&
    iss.toLowerCase().includes(tid.toLowerCase()) &&
    (ver === '1.0' || ver === '2.0')
  ) {
    return {
      family: 'entra',
      signal: `iss contains the tenant id (tid) and ver is ${ver}, as in Entra tokens`,
    };
  }
  if (iss === undefined && isGraphAudience(own(payload, 'aud'))) {
    return { family: 'entra', signal: 'it names no issuer, and aud is Microsoft Graph' };
  }
  if (
    path.includes('/oauth2/') &&
    (hasOwn(payload, 'cid') || hasOwn(payload, 'uid') || typeof own(payload, 'ver') === 'number')
  ) {
    return { family: 'okta', signal: 'iss has an /oauth2/ path and the token carries Okta claims' };
  }
  return {
    family: 'generic',
    signal: typeof iss === 'string' ? 'iss is not one this lab has notes for' : 'the token names no issuer',
  };
}

/** Picks the meaning for the token kind, falling back to `other`. */
function byKind(meanings: Partial<Record<TokenKind, string>>, other: string): (ctx: Ctx) => string {
  return (ctx) => meanings[ctx.kind] ?? other;
}

function credentialNote(value: unknown): string | undefined {
  switch (String(value)) {
    case '0':
      return '0: a public client, which has no credential of its own.';
    case '1':
      return '1: the client proved itself with a client secret.';
    case '2':
      return '2: the client proved itself with a certificate (a signed client assertion).';
    default:
      return undefined;
  }
}

const v1Only = (v2: string) => (): string => `Only in v1.0 tokens; v2.0 tokens use ${v2} instead.`;

/** Renders an RFC 8693 actor chain, innermost last: "api-b, acting for api-a". Bounded depth. */
function actorChain(value: unknown): string | undefined {
  const names: string[] = [];
  let current: unknown = value;
  for (let depth = 0; depth < 16 && current !== null && typeof current === 'object'; depth += 1) {
    if (Array.isArray(current)) return undefined;
    const actor = current as Record<string, unknown>;
    const sub = own(actor, 'sub');
    const client = own(actor, 'client_id');
    names.push(typeof sub === 'string' ? sub : typeof client === 'string' ? client : formatValue(actor));
    current = own(actor, 'act');
  }
  if (names.length === 0) return undefined;
  const [first, ...earlier] = names;
  return earlier.length === 0 ? first : `${first} (before it: ${earlier.join(', then ')})`;
}

/** Keycloak's {"roles": [...]} and {"client": {"roles": [...]}} shapes as "a, b" and "client: a, b". */
function rolesObject(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const roles = own(value as Record<string, unknown>, 'roles');
  return Array.isArray(roles) ? formatValue(roles) : undefined;
}

function rolesPerClient(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const parts = Object.entries(value as Record<string, unknown>)
    .slice(0, 200)
    .map(([client, access]) => `${client}: ${rolesObject(access) ?? formatValue(access)}`);
  return parts.join('; ');
}

function groupsNote(value: unknown): string | undefined {
  const items = strings(value);
  if (items.length === 0) return undefined;
  return items.every((item) => GUID.test(item))
    ? 'These are object IDs, not names: look them up in Microsoft Graph. A user in too many groups gets no groups claim here, and a pointer to Graph instead.'
    : 'These look like names, not object IDs: the app registration is set to emit group names.';
}

const CLAIMS = new Map<string, ClaimInfo[]>();
function define(name: string, info: ClaimInfo): void {
  const list = CLAIMS.get(name);
  if (list === undefined) CLAIMS.set(name, [info]);
  else list.push(info);
}

const ENTRA = ['entra'] as const;
const MICROSOFT = ['entra', 'entra-b2c'] as const;

// RFC 7519 §4.1 registered claims, with what each kind of token uses them for.
// iss, sub and aud say something different in every kind: each kind has its own text, and a JWT of
// unknown kind gets RFC 7519's general one.
const ISS_MEANINGS: Readonly<Record<TokenKind, string>> = {
  access:
    'Issuer: the authorization server that issued this access token. The API accepts only issuers it trusts.',
  // OIDC Core §3.1.3.7 step 2: it must exactly match the issuer the client discovered.
  id: 'Issuer: the OpenID provider that signed the user in; it must equal exactly the issuer the client discovered.',
  refresh:
    'Issuer: the authorization server, the only party that reads this refresh token when it comes back.',
  // OIDC Back-Channel Logout §2.6: validated as an ID token's iss.
  logout: 'Issuer: the OpenID provider whose session ended; the same issuer as in the ID tokens it gave you.',
  // RFC 7523 §3: a client assertion's iss is the client id.
  'client-assertion':
    'Issuer: here the client itself, by its client id. It signed this assertion to prove who it is.',
  // RFC 9101 §4: iss, when present, is the client id of the client that signed the request object.
  'request-object':
    'Issuer: the client that signed this authorization request, by its client id (RFC 9101 §4).',
  // RFC 9449 §4.2 lists the claims of a proof; iss is not one of them.
  'dpop-proof':
    'Not a DPoP proof claim (RFC 9449 §4.2 names jti, htm, htu, iat, ath, nonce): the server ignores it.',
  jwt: 'Issuer: the principal that issued this JWT (RFC 7519 §4.1.1); who that is depends on what the JWT is for.',
};
const ENTRA_ISS_MEANINGS: Partial<Record<TokenKind, string>> = {
  access:
    'Issuer: the Entra tenant’s token service that issued this access token, and the tenant it signed for. The API accepts only issuers it trusts.',
  id: 'Issuer: the Entra tenant that signed the user in, as its discovery document names it; the client compares it exactly.',
  refresh: 'Issuer: the Entra tenant, the only party that reads this refresh token when it comes back.',
};
define('iss', { scope: 'standard', meaning: (ctx) => ISS_MEANINGS[ctx.kind] });
define('iss', {
  scope: MICROSOFT,
  kinds: ['access', 'id', 'refresh'],
  meaning: (ctx) => ENTRA_ISS_MEANINGS[ctx.kind] ?? ISS_MEANINGS[ctx.kind],
  note: (value) => {
    if (typeof value !== 'string') return undefined;
    if (/^https:\/\/sts\.(windows\.net|chinacloudapi\.cn)\//.test(value))
      return 'This is the Entra v1.0 issuer format.';
    if (parseEntraV1Issuer(value)?.sandbox === true)
      return 'This is the Entra v1.0 issuer format, in the lab sandbox’s copy of https://sts.windows.net/{tid}/.';
    if (/\/v2\.0\/?$/.test(value)) return 'This is the Entra v2.0 issuer format.';
    return undefined;
  },
});

const SUB_TEXT: Readonly<Record<TokenKind, string>> = {
  id: 'Subject: the identifier of the signed-in user at this issuer; with iss, the key a client stores for the user.',
  access: 'Subject: who the token is about: a user, or the client itself when no user is involved.',
  refresh: 'Subject: the user the refresh token was issued for.',
  // OIDC Back-Channel Logout §2.4: sub, sid or both.
  logout: 'Subject: the user whose session at the issuer ended.',
  'client-assertion': 'Subject: the client id again. In a client assertion iss and sub are both the client.',
  // RFC 9101 does not define sub for request objects.
  'request-object':
    'Subject: not defined for a request object (RFC 9101); an authorization server that does not document it ignores it.',
  'dpop-proof':
    'Not a DPoP proof claim (RFC 9449 §4.2): a proof is about a request, not a subject; the server ignores it.',
  jwt: 'Subject: the principal this JWT is about (RFC 7519 §4.1.2); who that is depends on what the JWT is for.',
};
const SUB_MEANINGS = (ctx: Ctx): string => SUB_TEXT[ctx.kind];
define('sub', { scope: 'standard', meaning: SUB_MEANINGS });
define('sub', {
  // https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference: sub is "a
  // pairwise identifier that's unique to a particular application ID" (its example: one user, two apps,
  // two values); oid is "the verified identity of the user or service principal". The page says nothing
  // more about sub without a user; in app-only tokens Entra sets sub to the service principal's object
  // id, equal to oid, so there is no user to be pairwise about and the note must not claim it.
  scope: ENTRA,
  // Pairwise is what Entra says of sub in its access and ID tokens, nothing else.
  kinds: ['access', 'id'],
  meaning: SUB_MEANINGS,
  note: (value, ctx) => {
    const oid = own(ctx.payload, 'oid');
    if (typeof value === 'string' && value !== '' && value === oid) {
      return 'Equal to oid: the token is about an app (its service principal), not a user. Nothing is pairwise here.';
    }
    return 'Pairwise: the same user has a different sub in each app. To match a user across apps, use oid with tid.';
  },
});
define('sub', {
  // https://learn.microsoft.com/en-us/azure/active-directory-b2c/tokens-overview#claims
  scope: ['entra-b2c'],
  meaning: SUB_MEANINGS,
  note: () => "By default B2C puts the user's object ID here, the same for every app in the directory.",
});
define('sub', {
  // https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
  scope: ['google'],
  meaning: SUB_MEANINGS,
  note: () => "Google's unique, never reused ID for the account. Key users on it, not on email.",
});
define('sub', {
  // https://developer.apple.com/documentation/signinwithapplerestapi/authenticating-users-with-sign-in-with-apple
  scope: ['apple'],
  meaning: SUB_MEANINGS,
  note: () =>
    'Stable for the user across the apps of one Apple developer team, and different for every other team.',
});
define('sub', {
  // https://developer.okta.com/docs/reference/api/oidc/#access-token-payload: sub is the user's login in
  // access tokens and the user's Okta ID in ID tokens; uid carries the ID in access tokens.
  scope: ['okta'],
  meaning: SUB_MEANINGS,
  note: (_value, ctx) =>
    ctx.kind === 'access'
      ? "In Okta access tokens this is the user's login name by default, which can change; uid holds the user's Okta ID."
      : undefined,
});

const AUD_TEXT: Readonly<Record<TokenKind, string>> = {
  id: 'Audience: the client the ID token was issued to; it must contain your client id.',
  access: 'Audience: the API (resource) this token is for; any other API must reject it.',
  refresh: 'Audience: the server that takes this refresh token back, normally the issuer itself.',
  logout: 'Audience: the client that must process this logout, by its client id.',
  // RFC 7523 §3: "The JWT MUST contain an aud claim containing a value that identifies the authorization server".
  'client-assertion':
    'Audience: the authorization server that must accept this assertion, usually by its token endpoint URL.',
  // RFC 9101 §4: "the aud value SHOULD be or include the authorization server's issuer identifier".
  'request-object':
    'Audience: the authorization server this request is for, by its issuer identifier (RFC 9101 §4); another server must refuse it.',
  'dpop-proof':
    'Not a DPoP proof claim (RFC 9449 §4.2): a proof names its target with htm and htu instead; the server ignores aud.',
  jwt: 'Audience: the recipients this JWT is intended for (RFC 7519 §4.1.3); a recipient it does not name must reject it.',
};
const AUD_MEANINGS = (ctx: Ctx): string => AUD_TEXT[ctx.kind];
function audienceNote(value: unknown, ctx: Ctx): string | undefined {
  const list = strings(value);
  if (Array.isArray(value) && list.length > 1) {
    // OIDC Core §3.1.3.7 step 3-5: several audiences call for an azp naming the client.
    return ctx.kind === 'id' && !hasOwn(ctx.payload, 'azp')
      ? `${list.length} audiences and no azp: OIDC Core §3.1.3.7 says a client should not accept audiences it does not trust.`
      : `${list.length} audiences: the token is meant for each of them.`;
  }
  return undefined;
}
define('aud', { scope: 'standard', meaning: AUD_MEANINGS, note: audienceNote });
define('aud', {
  scope: ENTRA,
  meaning: AUD_MEANINGS,
  note: (value, ctx) => {
    if (ctx.kind === 'access' && isGraphAudience(value)) {
      return 'This token is for Microsoft Graph. Only Graph should read it; your app should not validate it.';
    }
    return audienceNote(value, ctx);
  },
});
define('aud', {
  // https://auth0.com/docs/secure/tokens/access-tokens/get-access-tokens: an API audience with the openid
  // scope gives an array holding the API and the /userinfo endpoint.
  scope: ['auth0'],
  meaning: AUD_MEANINGS,
  note: (value, ctx) =>
    strings(value).some((item) => item.endsWith('/userinfo'))
      ? "It includes the issuer's /userinfo endpoint: Auth0 adds it when openid was asked for, so the token also works there."
      : audienceNote(value, ctx),
});
define('exp', {
  scope: 'standard',
  meaning: byKind(
    {
      // RFC 7523 §3: the server MUST reject a JWT past exp; Entra's assertions live minutes.
      'client-assertion':
        'Expiry: after this time the authorization server refuses the assertion. Keep it short (minutes): a leaked assertion is usable until then.',
      'request-object':
        'Expiry: after this time the authorization server refuses this request object (RFC 9101 §10.2 asks for a short life).',
    },
    'Expiry: after this time the token must not be accepted.',
  ),
  isTime: true,
});
define('nbf', {
  scope: 'standard',
  meaning: 'Not before: the token must not be accepted before this time.',
  isTime: true,
});
define('iat', {
  scope: 'standard',
  meaning: byKind(
    {
      // RFC 9449 §4.3 (check 11): the proof must be recent, within a window the server chooses.
      'dpop-proof':
        'Issued at: when the client made this proof. The server accepts only proofs made within a short window.',
      'client-assertion': 'Issued at: when the client signed this assertion.',
    },
    'Issued at: when the token was created.',
  ),
  isTime: true,
});
define('jti', {
  scope: 'standard',
  meaning: byKind(
    {
      // RFC 7523 §3: the server may keep used jti values to refuse a replayed assertion.
      'client-assertion':
        'JWT ID: unique per assertion and usable once: the server can refuse one that is sent twice.',
      // RFC 9449 §4.2: jti makes replay detection possible; §11.1 the server stores the ones it saw.
      'dpop-proof':
        'JWT ID: unique per proof; the server keeps the ones it has seen to refuse a replayed proof.',
    },
    'JWT ID: a unique identifier for this token, useful to spot replays.',
  ),
});

// OpenID Connect Core §2 and §5.1
define('auth_time', {
  scope: 'standard',
  meaning: 'When the user actually authenticated, which can be earlier than when this token was issued.',
  isTime: true,
});
define('nonce', {
  scope: 'standard',
  meaning: byKind(
    {
      id: 'The random value the client sent in the authorization request, echoed back to tie this ID token to that request.',
      // OIDC Back-Channel Logout §2.4: "A nonce Claim MUST NOT be present".
      logout:
        'Must not be here: a logout token never carries a nonce (OIDC Back-Channel Logout §2.4), so it cannot pass for an ID token. Reject it.',
      'request-object':
        'The random value the ID token must echo back; in a signed request object nobody can change it on the way.',
      // RFC 9449 §8: a nonce the server handed out in the DPoP-Nonce header.
      'dpop-proof':
        'The nonce the server handed out in its DPoP-Nonce header, proving the proof was made after it asked (RFC 9449 §8).',
    },
    'A value echoed from the request; outside an ID token it carries no meaning for the client.',
  ),
  // OIDC Core §3.1.3.7 step 11: the client MUST check the nonce when it sent one.
  note: (_value, ctx) =>
    ctx.kind === 'id'
      ? 'The client must check that it equals the nonce it sent, or reject the token.'
      : undefined,
});
define('at_hash', {
  scope: 'standard',
  meaning:
    'Access token hash: the left half of a hash of the access token issued alongside, so the client can check the two belong together.',
});
define('c_hash', {
  scope: 'standard',
  meaning:
    'Code hash: the left half of a hash of the authorization code, which binds the code to this ID token (hybrid flow).',
});
define('acr', {
  scope: 'standard',
  meaning:
    'Authentication context class: how strongly the user was authenticated, in values the server defines.',
});
define('acr', {
  scope: ENTRA,
  meaning: 'Authentication context class: "1" when the user met the basic level, "0" when not.',
  note: (_value, ctx) =>
    ctx.kind === 'access' ? 'In Entra access tokens this appears in v1.0 tokens only.' : undefined,
});
define('acr', {
  scope: ['entra-b2c'],
  meaning: 'The B2C user flow or policy that issued the token (older B2C setups put it here instead of tfp).',
});
define('amr', {
  scope: 'standard',
  meaning: 'Authentication methods used to sign in, such as "pwd" (password), "mfa" or "otp".',
});
define('amr', {
  scope: ENTRA,
  meaning: 'Authentication methods used to sign in, such as "pwd" (password), "mfa" or "rsa".',
  note: (_value, ctx) =>
    ctx.kind === 'access' ? 'In Entra access tokens this appears in v1.0 tokens only.' : undefined,
});
define('azp', {
  scope: 'standard',
  meaning: byKind(
    {
      id: 'Authorized party: the client the ID token was issued to; it matters when the audience lists more than one.',
    },
    'Authorized party: the client id of the app that requested this token.',
  ),
});
define('azp', {
  // https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
  scope: ['google'],
  meaning:
    'Authorized party: the client that asked for the token. It differs from aud when an Android or iOS app gets an ID token for its own web back end.',
});
define('sid', {
  scope: 'standard',
  meaning: byKind(
    {
      logout: 'Session ID at the issuer: end every local session tied to it (OIDC Back-Channel Logout §2.4).',
    },
    "Session ID: identifies the user's sign-in session; used to match logout notifications.",
  ),
});
define('events', {
  // OIDC Back-Channel Logout §2.4: the events claim holds the back-channel logout event.
  scope: 'standard',
  meaning: byKind(
    {
      logout:
        'The event this token reports: the back-channel logout event, whose presence is what makes it a logout token (its value is an empty object).',
    },
    'Security events this token reports; a logout token carries the back-channel logout event here.',
  ),
});

// RFC 9449 §4.2: the claims of a DPoP proof.
define('htm', {
  scope: 'standard',
  meaning: 'The HTTP method of the request this proof goes with, such as POST; the server compares it.',
});
define('htu', {
  scope: 'standard',
  meaning:
    'The URL of the request this proof goes with, without query or fragment; the server compares it with the URL it was called on.',
});
define('ath', {
  scope: 'standard',
  meaning:
    'Access token hash: the base64url SHA-256 of the access token sent with this proof, tying the two together.',
});

// RFC 9101 §4 with RFC 6749 §4.1.1 and OIDC Core §3.1.2.1: a request object holds the authorization
// request's own parameters, signed.
const REQUEST_PARAMETERS: readonly (readonly [string, string])[] = [
  ['response_type', 'Which grant the client starts: "code" for the authorization code flow.'],
  ['redirect_uri', 'Where the authorization server sends the browser back; it must be registered.'],
  ['scope', 'The scopes the client asks for, space-separated.'],
  ['state', 'The value the client will find again on the redirect, to tie it to this request (CSRF).'],
  ['code_challenge', 'The PKCE challenge: the code will only be redeemed with the matching verifier.'],
  ['code_challenge_method', 'How the PKCE challenge was derived from the verifier: S256.'],
  ['response_mode', 'How the response comes back: query, fragment or form_post.'],
  ['prompt', 'Whether to force a sign-in, a consent or an account choice.'],
  ['login_hint', 'The account the client expects to sign in, to pre-fill the sign-in page.'],
  ['max_age', 'The longest time since the user last signed in that the client accepts, in seconds.'],
  ['claims', 'Individual claims the client asks for in the ID token or at UserInfo (OIDC Core §5.5).'],
];
for (const [name, meaning] of REQUEST_PARAMETERS) {
  define(name, {
    scope: 'standard',
    kinds: ['request-object'],
    meaning: `Authorization request parameter, signed: ${meaning}`,
  });
}
define('name', { scope: 'standard', meaning: "The user's full name, for display only." });
define('given_name', { scope: 'standard', meaning: "The user's first name." });
define('family_name', { scope: 'standard', meaning: "The user's last name." });
define('middle_name', { scope: 'standard', meaning: "The user's middle name." });
define('nickname', { scope: 'standard', meaning: 'A casual name for the user.' });
define('preferred_username', {
  scope: 'standard',
  meaning: 'The name the user signs in with, usually an email address or phone number. For display only.',
  note: () => 'It can change and is not guaranteed unique: never use it as a key or to grant access.',
});
define('preferred_username', {
  // https://www.keycloak.org/docs/latest/server_admin/#_user-profile (username is an editable attribute)
  scope: ['keycloak'],
  meaning: "The user's username in the realm. For display only.",
  note: () => 'An admin (or the user, if the realm allows it) can change it: key on sub instead.',
});
define('email', {
  scope: 'standard',
  meaning: "The user's email address.",
  note: () => 'It can change and may not be verified: do not use it as a key or to grant access.',
});
define('email_verified', {
  scope: 'standard',
  meaning: 'Whether the issuer has checked that the user controls this email address.',
});
define('email_verified', {
  // https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
  scope: ['google'],
  meaning: 'Whether Google has checked that the user controls this email address.',
  note: () => 'Trust email for identity only when this is true; for a Workspace domain, check hd as well.',
});
define('email_verified', {
  // https://developer.apple.com/documentation/signinwithapplerestapi/authenticating-users-with-sign-in-with-apple
  scope: ['apple'],
  meaning: 'Whether Apple has verified the email address; Apple only returns verified addresses.',
  note: () => 'Apple sends it either as the boolean true or as the string "true": accept both.',
});
define('phone_number', { scope: 'standard', meaning: "The user's phone number." });
define('phone_number_verified', {
  scope: 'standard',
  meaning: 'Whether the issuer has checked that the user controls this phone number.',
});
define('picture', { scope: 'standard', meaning: "A URL of the user's profile picture." });
define('profile', { scope: 'standard', meaning: "A URL of the user's profile page." });
define('website', { scope: 'standard', meaning: "A URL of the user's web page or blog." });
define('locale', { scope: 'standard', meaning: "The user's language and region, such as en-US." });
define('zoneinfo', { scope: 'standard', meaning: "The user's time zone, such as Europe/Paris." });
define('birthdate', { scope: 'standard', meaning: "The user's date of birth." });
define('gender', { scope: 'standard', meaning: "The user's gender." });
define('address', { scope: 'standard', meaning: "The user's postal address." });
define('updated_at', {
  scope: 'standard',
  meaning: "When the user's profile information last changed.",
  isTime: true,
});
// OIDC Core §5.6.2 distributed claims; Entra uses them for groups overage.
define('_claim_names', {
  scope: 'standard',
  meaning: 'Claims held elsewhere (distributed claims), each pointing to a source in _claim_sources.',
});
define('_claim_names', {
  scope: ENTRA,
  meaning: 'Claims that were too large to include (usually groups) and where to fetch them from.',
});
define('_claim_sources', {
  scope: 'standard',
  meaning: 'The endpoints that hold the claims listed in _claim_names.',
});

// RFC 9068 §2.2 (JWT access tokens), RFC 8693 §4 (token exchange), RFC 7800 (proof of possession)
define('client_id', {
  // RFC 9068 §2.2 / RFC 8693 §4.3; RFC 9101 §5: a request object's client_id must match the request's.
  scope: 'standard',
  meaning: byKind(
    {
      'request-object':
        'The client sending this request; it must be the same as the client_id outside the request object (RFC 9101 §5).',
    },
    'The client id of the app that requested this token.',
  ),
});
define('client_id', {
  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
  scope: ['cognito'],
  meaning: 'The app client that requested this token. Cognito access tokens carry it here and have no aud.',
});
define('scope', {
  // RFC 8693 §4.2 / RFC 9068 §2.2.3: a space-separated string
  scope: 'standard',
  meaning: 'Scopes granted, space-separated. An API checks that the scope an operation needs is among them.',
  note: (value) =>
    Array.isArray(value)
      ? 'An array here, not the space-separated string RFC 8693 §4.2 defines: read it as a list.'
      : undefined,
});
define('scp', {
  scope: 'standard',
  meaning:
    'Scopes granted, under the name several servers use instead of scope. An API checks the scope an operation needs is in it.',
});
define('groups', {
  // RFC 9068 §2.2.3.1 with the SCIM attribute of RFC 7643 §4.1.2
  scope: 'standard',
  meaning: 'Groups the user belongs to, named as the authorization server chose (RFC 9068 §2.2.3.1).',
});
define('roles', {
  scope: 'standard',
  meaning: 'Roles of the user, named as the authorization server chose (RFC 9068 §2.2.3.1).',
});
define('entitlements', {
  scope: 'standard',
  meaning: 'Entitlements of the user, things they may use or do (RFC 9068 §2.2.3.1, after SCIM).',
});
define('act', {
  // RFC 8693 §4.1: only the top-level claims and the current actor count for access control.
  scope: 'standard',
  meaning:
    'Actor: the party acting for the subject (token exchange, delegation). A nested act records who acted before it.',
  display: actorChain,
  note: (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return hasOwn(value as Record<string, unknown>, 'act')
      ? 'Only the outermost actor is acting now. Earlier actors are history: RFC 8693 §4.1 says not to use them for access decisions.'
      : undefined;
  },
});
define('may_act', {
  // RFC 8693 §4.4
  scope: 'standard',
  meaning: 'Who may act for the subject: a party that may exchange this token for one where it is the actor.',
  display: actorChain,
});
define('cnf', {
  scope: 'standard',
  meaning:
    'Confirmation: the key the token is bound to; the caller must prove it holds that key (proof of possession).',
});

// Keycloak: https://www.keycloak.org/docs-api/latest/javadocs/org/keycloak/representations/AccessToken.html
// and the token types in https://github.com/keycloak/keycloak/blob/main/core/src/main/java/org/keycloak/util/TokenUtil.java
define('typ', {
  scope: ['keycloak'],
  meaning: 'Keycloak\'s token type: "Bearer" (access token), "ID", "Refresh", "Offline" or "Logout".',
});
define('realm_access', {
  scope: ['keycloak'],
  meaning: 'Realm roles of the user: roles that hold across every client of the realm.',
  display: rolesObject,
});
define('resource_access', {
  scope: ['keycloak'],
  meaning: 'Client roles of the user, per client id: what the user may do in each client.',
  display: rolesPerClient,
});
define('allowed-origins', {
  scope: ['keycloak'],
  meaning: "Web origins the client may call from; Keycloak's adapters use it for CORS.",
});
define('session_state', { scope: ['keycloak'], meaning: "Keycloak's id of the user's sign-in session." });
define('groups', {
  scope: ['keycloak'],
  meaning: 'Group paths of the user, when a group membership mapper adds them.',
});

// Kind marks of other servers (see token-kind.ts for their sources).
define('tokenName', {
  scope: 'standard',
  meaning: 'ForgeRock\'s name for the kind of token: "access_token" or "id_token".',
});
define('tok_type', {
  scope: 'standard',
  meaning: 'Oracle\'s mark of the kind of token: "AT" for an access token.',
});

// Amazon Cognito:
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
define('token_use', {
  scope: ['cognito'],
  meaning: 'Which token this is, as Amazon Cognito marks it: "access" or "id".',
});
define('cognito:groups', {
  scope: ['cognito'],
  meaning: 'The Cognito user pool groups the user belongs to; APIs often authorize on these.',
});
define('cognito:username', { scope: ['cognito'], meaning: "The user's user name in the Cognito user pool." });
define('cognito:roles', { scope: ['cognito'], meaning: "IAM roles of the user's Cognito groups." });
define('cognito:preferred_role', {
  scope: ['cognito'],
  meaning: "The IAM role of the user's highest-precedence Cognito group.",
});
define('username', {
  scope: ['cognito'],
  meaning: "The user's user name in the pool. It can be an alias: key on sub.",
});
define('version', { scope: ['cognito'], meaning: 'The format version of the Cognito access token.' });
define('origin_jti', {
  scope: ['cognito'],
  meaning: 'An identifier Cognito uses to revoke tokens together.',
});
define('event_id', { scope: ['cognito'], meaning: "Cognito's identifier of the sign-in event." });

// Okta: https://developer.okta.com/docs/reference/api/oidc/#access-token-payload
define('cid', {
  scope: ['okta'],
  meaning: 'Client ID of the app that requested this token.',
});
define('uid', {
  scope: ['okta'],
  meaning: "The user's Okta ID: stable, unlike the login name in sub.",
});
define('scp', {
  scope: ['okta'],
  meaning: 'Scopes granted, as a JSON array. An API checks the scope an operation needs is in it.',
});
define('ver', { scope: ['okta'], meaning: "Okta's token format version, the number 1." });
define('groups', {
  scope: ['okta'],
  meaning:
    'Names of the groups the user is in, filtered by the groups claim set up on the authorization server.',
  note: () => 'These are names: renaming a group in Okta changes what this token grants.',
});
define('idp', {
  scope: ['okta'],
  meaning:
    "The Okta ID of the identity provider that authenticated the user (the org's own ID when Okta did).",
});

// Auth0:
// https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis
// https://auth0.com/docs/manage-users/organizations/using-tokens
define('permissions', {
  scope: ['auth0'],
  meaning:
    'Permissions (RBAC) granted on this API, present when the API\'s "Add Permissions in the Access Token" is on.',
});
define('org_id', {
  scope: ['auth0'],
  meaning: 'The Auth0 Organization the user signed in through. An API that serves several must check it.',
});
define('org_name', {
  scope: ['auth0'],
  meaning: 'The name of the Auth0 Organization the user signed in through.',
});
define('gty', {
  scope: ['auth0'],
  meaning: 'The grant Auth0 used; "client-credentials" means a machine-to-machine token with no user.',
});

// Google and Apple
define('hd', {
  // https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
  scope: ['google'],
  meaning:
    "Hosted domain: the user's Google Workspace or Cloud organization. To let in only your organization, check this, not the email's domain.",
});
define('is_private_email', {
  // https://developer.apple.com/documentation/signinwithapplerestapi/authenticating-users-with-sign-in-with-apple
  scope: ['apple'],
  meaning: "Whether email is Apple's private relay address, which forwards to the user's real one.",
  note: () => 'Apple sends it as a boolean or as the string "true" or "false": compare with both.',
});
define('real_user_status', {
  scope: ['apple'],
  meaning: "Apple's guess whether a real person signed in: 0 unsupported, 1 unknown, 2 likely real.",
  note: (value) =>
    value === 2
      ? '2: likely a real person.'
      : value === 1
        ? '1: Apple cannot tell.'
        : value === 0
          ? '0: not supported on this device.'
          : undefined,
});
define('nonce_supported', {
  scope: ['apple'],
  meaning:
    'Whether the device supports nonces. If true and the nonce is missing, fail; if false, the nonce is optional here.',
});
define('transfer_sub', {
  scope: ['apple'],
  meaning: "The user's identifier while the app moves from one Apple developer team to another.",
});

// Entra ID: https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
// and https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
define('tid', {
  scope: MICROSOFT,
  meaning:
    'Tenant ID: the Entra directory the user signed in to (or the app belongs to, for app-only tokens).',
  note: (value) =>
    value === CONSUMERS_TENANT
      ? 'This is the tenant of personal Microsoft accounts (outlook.com, Xbox and so on).'
      : undefined,
});
define('oid', {
  scope: MICROSOFT,
  meaning: 'Object ID: the user (or service principal) in this tenant. The same for every app in the tenant.',
  note: () => 'oid together with tid is the stable key for a user.',
});
define('azpacr', {
  scope: ENTRA,
  meaning: 'How the requesting client authenticated to get this token.',
  note: (value) => credentialNote(value),
});
define('appid', {
  scope: ENTRA,
  meaning: 'The client id of the app that requested this token.',
  note: v1Only('azp'),
});
define('appidacr', {
  scope: ENTRA,
  meaning: 'How the requesting client authenticated to get this token.',
  note: (value) =>
    [credentialNote(value), 'Only in v1.0 tokens; v2.0 tokens use azpacr instead.'].filter(Boolean).join(' '),
});
define('scp', {
  scope: MICROSOFT,
  meaning:
    'Scopes: delegated permissions, space-separated. The app acts for the signed-in user and can do no more than both the scopes and the user allow.',
  note: () => 'Present when a user is involved. App-only tokens carry roles instead.',
});
define('roles', {
  scope: ENTRA,
  meaning: byKind(
    { id: 'App roles assigned to the user (or to a group they belong to) in this application.' },
    'Roles: application permissions granted to the calling app (app-only token), or app roles assigned to the user.',
  ),
  note: (_value, ctx) =>
    ctx.kind === 'access'
      ? hasOwn(ctx.payload, 'scp')
        ? "With scp present, these are the user's app roles."
        : 'Without scp, this is an app-only token: the app acts as itself with no user.'
      : undefined,
});
define('ver', {
  scope: MICROSOFT,
  meaning: 'Token format version: "1.0" or "2.0".',
  note: (value, ctx) =>
    ctx.kind === 'access' && value === '1.0'
      ? "A v1.0 token. For access tokens the API's registration decides the version, not the endpoint the client called."
      : undefined,
});
define('uti', { scope: ENTRA, meaning: "Entra's internal identifier for this token. Treat it as opaque." });
define('rh', {
  scope: ENTRA,
  meaning: 'An internal value Entra uses to revalidate tokens. Treat it as opaque; do not rely on it.',
});
define('aio', {
  scope: MICROSOFT,
  meaning: 'An internal value Entra records for its own use. Treat it as opaque; do not rely on it.',
});
define('idtyp', {
  scope: ENTRA,
  meaning:
    'Whether the token is for an app ("app") or a user ("user"); only present when the app asks for it.',
  note: (value) => (value === 'app' ? 'An app-only token: no user is involved.' : undefined),
});
define('wids', {
  scope: ENTRA,
  meaning: 'Tenant-wide administrator roles the user holds, as role template IDs.',
});
define('groups', {
  scope: ENTRA,
  meaning: 'The groups the user is a member of, when the app is configured to receive them.',
  note: groupsNote,
});
define('hasgroups', {
  scope: ENTRA,
  meaning: 'The user is in groups, but too many to fit in this token: read them from Microsoft Graph.',
});
define('unique_name', {
  scope: ENTRA,
  meaning: 'A readable name for the user, usually their sign-in name. For display only.',
  note: v1Only('preferred_username'),
});
define('upn', {
  scope: ENTRA,
  meaning:
    "User principal name: the user's sign-in name in the tenant. It can change; do not use it as a key.",
  note: v1Only('preferred_username (upn can be added as an optional claim)'),
});
define('ipaddr', {
  scope: ENTRA,
  meaning: 'The IP address the user signed in from.',
  note: v1Only('no default claim (it can be added as an optional claim)'),
});
define('login_hint', {
  scope: ENTRA,
  meaning:
    'An opaque value to send back as login_hint, so the same account can be signed in again without a prompt.',
});
define('idp', {
  scope: MICROSOFT,
  meaning:
    "The identity provider that authenticated the user, when it differs from the issuer (for example a guest's home tenant or live.com).",
});
define('acct', { scope: ENTRA, meaning: 'Account type in the tenant: 0 for a member, 1 for a guest.' });
define('acrs', {
  scope: ENTRA,
  meaning: 'Authentication contexts (Conditional Access) the user has satisfied.',
});
define('ctry', { scope: ENTRA, meaning: "The user's country or region, as a two-letter code." });
define('tenant_ctry', { scope: ENTRA, meaning: "The country or region of the user's tenant." });
define('onprem_sid', {
  scope: ENTRA,
  meaning: "The user's security identifier in on-premises Active Directory.",
});
define('deviceid', {
  scope: ENTRA,
  meaning: 'The ID of the device the user signed in from, when it is registered with Entra.',
});
define('platf', { scope: ENTRA, meaning: 'The device platform the user signed in from.' });
define('puid', {
  scope: ENTRA,
  meaning: 'An internal identifier Entra uses for the user. Treat it as opaque.',
});
define('in_corp', { scope: ENTRA, meaning: 'Whether the user signed in from the corporate network.' });
define('verified_primary_email', {
  scope: ENTRA,
  meaning: "The user's primary email address, taken from their verified profile.",
});
define('verified_secondary_email', {
  scope: ENTRA,
  meaning: "The user's secondary email addresses, taken from their verified profile.",
});
define('xms_cc', {
  scope: ENTRA,
  meaning:
    'Client capabilities: features the client said it supports, such as "cp1" (it can handle claims challenges).',
});
// https://learn.microsoft.com/en-us/azure/active-directory-b2c/tokens-overview#claims
define('tfp', { scope: ['entra-b2c'], meaning: 'The B2C user flow or custom policy that issued the token.' });
define('emails', { scope: ['entra-b2c'], meaning: "The user's email addresses, as B2C collected them." });

const UNKNOWN_CLAIM =
  'A claim this lab does not know: its meaning is defined by the issuer or the application.';
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time', 'updated_at']);
const BOOLEAN_CLAIMS = new Set([
  'email_verified',
  'phone_number_verified',
  'is_private_email',
  'nonce_supported',
  'hasgroups',
  'in_corp',
]);

/** The explanation to use for a claim name that has none of its own. */
function fallback(name: string, ctx: Ctx): ClaimInfo {
  if (ctx.family === 'entra' && name.startsWith('xms_') && !CLIENT_MADE.has(ctx.kind)) {
    // https://learn.microsoft.com/en-us/entra/identity-platform/optional-claims-reference
    return {
      scope: ENTRA,
      meaning: 'An Entra extension claim (xms_ prefix), described in its optional claims reference.',
    };
  }
  if (/^https?:\/\//i.test(name)) {
    if (ctx.family === 'auth0' && !CLIENT_MADE.has(ctx.kind)) {
      // https://auth0.com/docs/secure/tokens/json-web-tokens/create-custom-claims
      return {
        scope: ['auth0'],
        meaning: /\/roles$/i.test(name)
          ? 'Roles that an Auth0 Action or rule added. They are only as right as that code; Auth0 asks for URL-like names for custom claims.'
          : 'A custom claim an Auth0 Action or rule added; Auth0 asks for URL-like names so they cannot clash with standard claims.',
      };
    }
    // RFC 7519 §4.2: public claim names should be collision-resistant, such as a URL.
    return {
      scope: 'standard',
      meaning:
        'A custom claim named with a URL so that it cannot clash with other names; the issuer defines it.',
    };
  }
  const elsewhere = CLAIMS.get(name);
  if (elsewhere !== undefined) {
    const families = [
      ...new Set(elsewhere.flatMap((info) => (info.scope === 'standard' ? [] : info.scope))),
    ].map((family) => ISSUER_FAMILY_LABEL[family]);
    return {
      scope: 'standard',
      meaning: `A claim this lab knows only from ${families.join(' and ')}; this issuer defines what it means here.`,
    };
  }
  return { scope: 'standard', meaning: UNKNOWN_CLAIM };
}

/** Whether a family's entry holds for this kind of token (see `ClaimInfo.kinds`). */
function holdsForKind(info: ClaimInfo, kind: TokenKind): boolean {
  return info.kinds === undefined ? !CLIENT_MADE.has(kind) : info.kinds.includes(kind);
}

function pick(name: string, ctx: Ctx): ClaimInfo {
  const infos = CLAIMS.get(name) ?? [];
  return (
    infos.find(
      (info) => info.scope !== 'standard' && info.scope.includes(ctx.family) && holdsForKind(info, ctx.kind),
    ) ??
    infos.find(
      (info) => info.scope === 'standard' && (info.kinds === undefined || info.kinds.includes(ctx.kind)),
    ) ??
    fallback(name, ctx)
  );
}

/** What real servers send that the specs did not foresee, said once per value. */
function valueNote(name: string, value: unknown, isTime: boolean): string | undefined {
  if (value === null) return 'null: the claim is present but empty. Treat it as absent.';
  if (TIME_CLAIMS.has(name)) {
    if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
      return 'Sent as a string, not a number. RFC 7519 §2 wants a number of seconds; strict libraries reject this.';
    }
    if (typeof value === 'number' && isTime && Math.abs(value) >= 1e11) {
      const asMs = new Date(value);
      const year = Number.isNaN(asMs.getTime()) ? undefined : asMs.getUTCFullYear();
      return `This looks like milliseconds, not seconds (RFC 7519 §2)${year === undefined ? '' : `: read as milliseconds it falls in ${year}`}.`;
    }
    if (typeof value !== 'number') return 'Not a number: RFC 7519 §2 wants a number of seconds since 1970.';
  }
  if (BOOLEAN_CLAIMS.has(name) && typeof value === 'string') {
    return `Sent as the string "${value.slice(0, 20)}", not a boolean. In JavaScript any non-empty string is truthy, even "false": compare the text.`;
  }
  if (Array.isArray(value) && value.length > 50) return `${value.length} values.`;
  return undefined;
}

function resolveContext(context: TokenKind | ClaimContext): Ctx {
  if (typeof context === 'string') return { kind: context, family: 'generic', payload: {} };
  const payload = context.payload ?? {};
  const family =
    context.family ?? (context.payload === undefined ? 'generic' : detectIssuerFamily(payload).family);
  return { kind: context.kind, family, payload };
}

/** Renders any claim value as short readable text; never throws. */
function formatValue(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (value === undefined) return '';
  // Deeply nested arrays are shown as JSON rather than recursed into (a hostile token can nest 10,000 deep).
  if (Array.isArray(value) && depth < 8)
    return value.map((item) => (typeof item === 'string' ? item : formatValue(item, depth + 1))).join(', ');
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A hostile value must never break the page: each part of an explanation falls back on its own. */
function attempt<T>(run: () => T, otherwise: T): T {
  try {
    return run();
  } catch {
    return otherwise;
  }
}

function explainWith(info: ClaimInfo, name: string, value: unknown, ctx: Ctx): ClaimExplanation {
  const isTime = info.isTime === true && typeof value === 'number' && Number.isFinite(value);
  const meaning = attempt(
    () => (typeof info.meaning === 'string' ? info.meaning : info.meaning(ctx, value)),
    UNKNOWN_CLAIM,
  );
  const note = attempt(() => info.note?.(value, ctx), undefined);
  const display = attempt(() => info.display?.(value), undefined);
  const extra = valueNote(name, value, isTime);
  const notes = [note, extra].filter((text): text is string => text !== undefined && text !== '');
  const base = {
    name,
    meaning,
    display: display ?? formatValue(value),
    isTime,
    appliesTo:
      info.scope === 'standard'
        ? ('standard' as const)
        : (info.scope.find((family) => family === ctx.family) ?? info.scope[0] ?? 'generic'),
  };
  return notes.length === 0 ? base : { ...base, note: notes.join(' ') };
}

/**
 * Explains one payload claim for the token's kind and issuer family. Pass the whole payload in the
 * context so notes can compare claims and the issuer family can be detected.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1
 */
export function explainClaim(
  name: string,
  value: unknown,
  context: TokenKind | ClaimContext,
): ClaimExplanation {
  const ctx = resolveContext(context);
  return explainWith(pick(name, ctx), name, value, ctx);
}

const HEADER = new Map<string, ClaimInfo>([
  [
    'alg',
    {
      scope: 'standard',
      meaning: 'The algorithm used to sign the token, such as RS256 (RSA with SHA-256).',
      note: (value) =>
        typeof value === 'string' && value.toLowerCase() === 'none'
          ? 'Unsigned: anyone could have written this token. It must never be accepted.'
          : typeof value === 'string' && value.startsWith('HS')
            ? 'A shared-secret algorithm: only holders of the secret can check it.'
            : undefined,
    },
  ],
  [
    'typ',
    {
      scope: 'standard',
      meaning:
        'The media type of the token: "JWT", or a more precise type such as "at+jwt" for an access token.',
      note: (value) => {
        const typ = typeof value === 'string' ? value.toLowerCase().replace(/^application\//, '') : '';
        // RFC 9068 §2.1: JWT access tokens MUST use "at+jwt"; OIDC Back-Channel Logout §2.4: "logout+jwt".
        if (typ === 'at+jwt') return 'at+jwt: an access token in the RFC 9068 profile.';
        if (typ === 'logout+jwt') return 'logout+jwt: a back-channel logout token.';
        if (typ === 'dpop+jwt') return 'dpop+jwt: a DPoP proof (RFC 9449), not a token to send as a bearer.';
        // RFC 9101 §10.8: the media type of a request object.
        if (typ === 'oauth-authz-req+jwt')
          return 'oauth-authz-req+jwt: a signed authorization request (request object, RFC 9101).';
        return undefined;
      },
    },
  ],
  [
    'cty',
    {
      scope: 'standard',
      meaning: 'The content type of the payload; "JWT" means it holds another, nested token.',
    },
  ],
  [
    'kid',
    {
      scope: 'standard',
      meaning: byKind(
        {
          'client-assertion':
            "Key ID: which of the client's registered keys signed this assertion; the server looks it up in what the client registered.",
          'request-object': "Key ID: which of the client's keys signed this request object.",
          'dpop-proof': 'Key ID: a name for the proof key; the key itself is in jwk.',
        },
        "Key ID: which of the issuer's published signing keys (its JWKS) signed this token.",
      ),
    },
  ],
  [
    'x5t',
    {
      scope: 'standard',
      meaning: byKind(
        {
          'client-assertion':
            'The SHA-1 thumbprint of the certificate the client registered; the server finds the public key by it (Entra’s older form of x5t#S256).',
        },
        'The SHA-1 thumbprint of the signing certificate, base64url-encoded.',
      ),
    },
  ],
  [
    'x5t#S256',
    {
      scope: 'standard',
      meaning: byKind(
        {
          // RFC 7515 §4.1.8; Entra reads it to pick the certificate uploaded to the app registration.
          'client-assertion':
            'The SHA-256 thumbprint of the certificate the client registered (RFC 7515 §4.1.8); the server finds the public key to check this assertion by it.',
        },
        'The SHA-256 thumbprint of the signing certificate, base64url-encoded.',
      ),
    },
  ],
  ['x5c', { scope: 'standard', meaning: 'The signing certificate chain itself, embedded in the token.' }],
  ['x5u', { scope: 'standard', meaning: 'A URL where the signing certificate chain can be fetched.' }],
  ['jku', { scope: 'standard', meaning: 'A URL of the key set holding the signing key.' }],
  [
    'jwk',
    {
      scope: 'standard',
      meaning: byKind(
        {
          // RFC 9449 §4.2: the public key the proof is signed with; the token is bound to its thumbprint.
          'dpop-proof':
            'The public key this proof is signed with. The access token gets bound to its thumbprint (cnf.jkt), so only the holder of the private key can use it.',
        },
        'The signing public key, embedded in the token.',
      ),
    },
  ],
  [
    'crit',
    { scope: 'standard', meaning: 'Header parameters the reader must understand, or else reject the token.' },
  ],
  ['enc', { scope: 'standard', meaning: 'The content encryption algorithm of an encrypted token (JWE).' }],
  ['zip', { scope: 'standard', meaning: 'The compression applied before encryption.' }],
  [
    'nonce',
    {
      scope: ENTRA,
      meaning:
        'A value Microsoft Graph puts in the header of its own tokens and transforms when it checks the signature.',
      note: () =>
        "Because of it, nobody but Graph can verify this token's signature, and nobody else should try: only Graph reads Graph tokens.",
    },
  ],
]);

/**
 * Explains one JOSE header parameter of a JWT, for the token's kind (a client assertion's x5t#S256
 * names the client's certificate, a DPoP proof's jwk its own key). The issuer family (from the
 * payload) scopes the few parameters only one issuer uses, such as Microsoft Graph's header nonce.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1
 */
export function explainHeader(
  name: string,
  value: unknown,
  family: IssuerFamily = 'generic',
  kind: TokenKind = 'jwt',
): ClaimExplanation {
  const ctx: Ctx = { kind, family, payload: {} };
  const info = HEADER.get(name);
  const usable =
    info !== undefined &&
    (info.scope === 'standard' || (info.scope.includes(family) && holdsForKind(info, kind)))
      ? info
      : {
          scope: 'standard' as const,
          meaning: 'A header parameter this lab does not know; the issuer defines it.',
        };
  return explainWith(usable, name, value, ctx);
}

function formatDuration(totalSeconds: number): string {
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  }
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest === 0 ? `${days} d` : `${days} d ${rest} h`;
}

/**
 * Shows a NumericDate as an ISO 8601 instant and as a time relative to `nowMs` ("in 59 min", "3 min ago").
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-2
 */
export function describeTime(epochSeconds: number, nowMs: number): { iso: string; relative: string } {
  const ms = epochSeconds * 1000;
  // Date only covers ±8.64e15 ms; outside that toISOString throws.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15 || !Number.isFinite(nowMs)) {
    return { iso: 'not a valid time', relative: 'not a valid time' };
  }
  const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
  // Truncate toward zero so a token with 59 min 59 s left still reads "in 59 min", never more than is left.
  const seconds = Math.trunc((ms - nowMs) / 1000);
  if (seconds === 0) return { iso, relative: 'now' };
  const span = formatDuration(Math.abs(seconds));
  return { iso, relative: seconds > 0 ? `in ${span}` : `${span} ago` };
}
