/**
 * Plain-language explanations of the claims found in access tokens and ID tokens, standard and
 * Entra-specific, plus the JOSE header parameters. Used by the token view; never used to decide.
 */

/**
 * Which token a claim was found in: some claims mean different things in each.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 */
export type TokenKind = 'access' | 'id';

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
  /** Something about this particular value worth knowing (version hints, v2 equivalents, warnings). */
  readonly note?: string;
}

interface ClaimInfo {
  readonly meaning: string | ((kind: TokenKind) => string);
  readonly isTime?: boolean;
  readonly note?: (value: unknown, kind: TokenKind) => string | undefined;
}

const CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const GRAPH_AUDIENCES = new Set(['00000003-0000-0000-c000-000000000000', 'https://graph.microsoft.com']);

const v1Only = (v2: string) => (): string => `Only in v1.0 tokens; v2.0 tokens use ${v2} instead.`;

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

const CLAIMS = new Map<string, ClaimInfo>([
  // RFC 7519 §4.1 registered claims
  [
    'iss',
    {
      meaning: 'Issuer: the authorization server that created and signed the token.',
      note: (value) => {
        if (typeof value !== 'string') return undefined;
        if (value.startsWith('https://sts.windows.net/')) return 'This is the Entra v1.0 issuer format.';
        if (/^https:\/\/login\.microsoftonline\.[a-z.]+\/[^/]+\/v2\.0$/.test(value))
          return 'This is the Entra v2.0 issuer format.';
        return undefined;
      },
    },
  ],
  [
    'sub',
    {
      meaning: (kind) =>
        kind === 'id'
          ? 'Subject: the identifier of the signed-in user at this issuer; the key a client uses for the user.'
          : 'Subject: who the token is about, the user or, in an app-only token, the calling app.',
      note: () =>
        'Entra makes it pairwise: the same user has a different sub in each app. Use oid to match across apps.',
    },
  ],
  [
    'aud',
    {
      meaning: (kind) =>
        kind === 'id'
          ? 'Audience: the client the ID token was issued to; it must be your client id.'
          : 'Audience: the API (resource) that must accept this token; any other API must reject it.',
      note: (value, kind) => {
        if (kind === 'access' && typeof value === 'string' && GRAPH_AUDIENCES.has(value)) {
          return 'This token is for Microsoft Graph. Only Graph should read it; your app should not validate it.';
        }
        return undefined;
      },
    },
  ],
  [
    'exp',
    {
      meaning: 'Expiry: after this time the token must not be accepted.',
      isTime: true,
    },
  ],
  [
    'nbf',
    {
      meaning: 'Not before: the token must not be accepted before this time.',
      isTime: true,
    },
  ],
  [
    'iat',
    {
      meaning: 'Issued at: when the token was created.',
      isTime: true,
    },
  ],
  [
    'jti',
    {
      meaning: 'JWT ID: a unique identifier for this token, useful to spot replays.',
    },
  ],
  // OpenID Connect Core §2 and §5.1
  [
    'auth_time',
    {
      meaning: 'When the user actually authenticated, which can be earlier than when this token was issued.',
      isTime: true,
    },
  ],
  [
    'nonce',
    {
      meaning: (kind) =>
        kind === 'id'
          ? 'The random value the client sent in the authorization request, echoed back to tie this ID token to that request.'
          : 'A value echoed from the request; in an access token it carries no meaning for the client.',
      note: (_value, kind) =>
        kind === 'id'
          ? 'The client must check that it equals the nonce it sent, or reject the token.'
          : undefined,
    },
  ],
  [
    'at_hash',
    {
      meaning:
        'Access token hash: the left half of a hash of the access token issued alongside, so the client can check the two belong together.',
    },
  ],
  [
    'c_hash',
    {
      meaning:
        'Code hash: the left half of a hash of the authorization code, which binds the code to this ID token (hybrid flow).',
    },
  ],
  [
    'acr',
    {
      meaning:
        'Authentication context class: how strongly the user was authenticated, in values the server defines.',
      note: (_value, kind) =>
        kind === 'access' ? 'In Entra access tokens this appears in v1.0 tokens only.' : undefined,
    },
  ],
  [
    'amr',
    {
      meaning: 'Authentication methods used to sign in, such as "pwd" (password), "mfa" or "otp".',
      note: (_value, kind) =>
        kind === 'access' ? 'In Entra access tokens this appears in v1.0 tokens only.' : undefined,
    },
  ],
  [
    'azp',
    {
      meaning: (kind) =>
        kind === 'id'
          ? 'Authorized party: the client the ID token was issued to, needed when the audience lists more than one.'
          : 'Authorized party: the client id of the app that requested this token.',
    },
  ],
  [
    'sid',
    {
      meaning: "Session ID: identifies the user's sign-in session; used to match logout notifications.",
    },
  ],
  [
    'name',
    {
      meaning: "The user's full name, for display only.",
    },
  ],
  ['given_name', { meaning: "The user's first name." }],
  ['family_name', { meaning: "The user's last name." }],
  ['middle_name', { meaning: "The user's middle name." }],
  ['nickname', { meaning: 'A casual name for the user.' }],
  [
    'preferred_username',
    {
      meaning: 'The name the user signs in with, usually an email address or phone number. For display only.',
      note: () => 'It can change and is not guaranteed unique: never use it as a key or to grant access.',
    },
  ],
  [
    'email',
    {
      meaning: "The user's email address.",
      note: () => 'It can change and may not be verified: do not use it as a key or to grant access.',
    },
  ],
  [
    'email_verified',
    { meaning: 'Whether the issuer has checked that the user controls this email address.' },
  ],
  ['phone_number', { meaning: "The user's phone number." }],
  [
    'phone_number_verified',
    { meaning: 'Whether the issuer has checked that the user controls this phone number.' },
  ],
  ['picture', { meaning: "A URL of the user's profile picture." }],
  ['profile', { meaning: "A URL of the user's profile page." }],
  ['website', { meaning: "A URL of the user's web page or blog." }],
  ['locale', { meaning: "The user's language and region, such as en-US." }],
  ['zoneinfo', { meaning: "The user's time zone, such as Europe/Paris." }],
  ['birthdate', { meaning: "The user's date of birth." }],
  ['gender', { meaning: "The user's gender." }],
  ['address', { meaning: "The user's postal address." }],
  ['updated_at', { meaning: "When the user's profile information last changed.", isTime: true }],
  // RFC 9068 (JWT access tokens), RFC 8693 and RFC 7800, used by non-Entra servers such as the sandbox
  ['client_id', { meaning: 'The client id of the app that requested this token.' }],
  [
    'scope',
    {
      meaning: 'The permissions granted, as a space-separated list.',
    },
  ],
  [
    'cnf',
    {
      meaning:
        'Confirmation: the key the token is bound to; the caller must prove it holds that key (proof of possession).',
    },
  ],
  // Entra ID
  [
    'tid',
    {
      meaning:
        'Tenant ID: the Entra directory the user signed in to (or the app belongs to, for app-only tokens).',
      note: (value) =>
        value === CONSUMERS_TENANT
          ? 'This is the tenant of personal Microsoft accounts (outlook.com, Xbox and so on).'
          : undefined,
    },
  ],
  [
    'oid',
    {
      meaning:
        'Object ID: the user (or service principal) in this tenant. The same for every app in the tenant.',
      note: () => 'oid together with tid is the stable key for a user.',
    },
  ],
  [
    'azpacr',
    {
      meaning: 'How the requesting client authenticated to get this token.',
      note: (value) => credentialNote(value),
    },
  ],
  [
    'appid',
    {
      meaning: 'The client id of the app that requested this token.',
      note: v1Only('azp'),
    },
  ],
  [
    'appidacr',
    {
      meaning: 'How the requesting client authenticated to get this token.',
      note: (value) =>
        [credentialNote(value), 'Only in v1.0 tokens; v2.0 tokens use azpacr instead.']
          .filter(Boolean)
          .join(' '),
    },
  ],
  [
    'scp',
    {
      meaning:
        'Scopes: delegated permissions, space-separated. The app acts for the signed-in user and can do no more than both the scopes and the user allow.',
      note: () => 'Present when a user is involved. App-only tokens carry roles instead.',
    },
  ],
  [
    'roles',
    {
      meaning: (kind) =>
        kind === 'id'
          ? 'App roles assigned to the user (or to a group they belong to) in this application.'
          : 'Roles: application permissions granted to the calling app (app-only token), or app roles assigned to the user.',
      note: (_value, kind) =>
        kind === 'access'
          ? "Without scp, this is an app-only token: the app acts as itself with no user. With scp, these are the user's app roles."
          : undefined,
    },
  ],
  [
    'ver',
    {
      meaning: 'Token format version: "1.0" or "2.0".',
      note: (value, kind) => {
        if (kind === 'access' && value === '1.0') {
          return "A v1.0 token. For access tokens the API's registration decides the version, not the endpoint the client called.";
        }
        return undefined;
      },
    },
  ],
  ['uti', { meaning: "Entra's internal identifier for this token. Treat it as opaque." }],
  [
    'rh',
    { meaning: 'An internal value Entra uses to revalidate tokens. Treat it as opaque; do not rely on it.' },
  ],
  [
    'aio',
    { meaning: 'An internal value Entra records for its own use. Treat it as opaque; do not rely on it.' },
  ],
  [
    'idtyp',
    {
      meaning:
        'Whether the token is for an app ("app") or a user ("user"); only present when the app asks for it.',
      note: (value) => (value === 'app' ? 'An app-only token: no user is involved.' : undefined),
    },
  ],
  [
    'wids',
    {
      meaning: 'Tenant-wide administrator roles the user holds, as role template IDs.',
    },
  ],
  [
    'groups',
    {
      meaning:
        'Object IDs of the groups the user is a member of, when the app is configured to receive them.',
      note: () => 'If the user is in too many groups, Entra omits this claim and points to Graph instead.',
    },
  ],
  [
    'hasgroups',
    {
      meaning: 'The user is in groups, but too many to fit in this token: read them from Microsoft Graph.',
    },
  ],
  [
    '_claim_names',
    {
      meaning: 'Claims that were too large to include (usually groups) and where to fetch them from.',
    },
  ],
  [
    '_claim_sources',
    {
      meaning: 'The endpoints that hold the claims listed in _claim_names.',
    },
  ],
  [
    'xms_cc',
    {
      meaning:
        'Client capabilities: features the client said it supports, such as "cp1" (it can handle claims challenges).',
    },
  ],
  [
    'unique_name',
    {
      meaning: 'A readable name for the user, usually their sign-in name. For display only.',
      note: v1Only('preferred_username'),
    },
  ],
  [
    'upn',
    {
      meaning:
        "User principal name: the user's sign-in name in the tenant. It can change; do not use it as a key.",
      note: v1Only('preferred_username (upn can be added as an optional claim)'),
    },
  ],
  [
    'ipaddr',
    {
      meaning: 'The IP address the user signed in from.',
      note: v1Only('no default claim (it can be added as an optional claim)'),
    },
  ],
  [
    'login_hint',
    {
      meaning:
        'An opaque value to send back as login_hint, so the same account can be signed in again without a prompt.',
    },
  ],
  [
    'idp',
    {
      meaning:
        "The identity provider that authenticated the user, when it differs from the issuer (for example a guest's home tenant or live.com).",
    },
  ],
  ['acct', { meaning: 'Account type in the tenant: 0 for a member, 1 for a guest.' }],
  ['acrs', { meaning: 'Authentication contexts (Conditional Access) the user has satisfied.' }],
  ['ctry', { meaning: "The user's country or region, as a two-letter code." }],
  ['tenant_ctry', { meaning: "The country or region of the user's tenant." }],
  ['onprem_sid', { meaning: "The user's security identifier in on-premises Active Directory." }],
  [
    'deviceid',
    { meaning: 'The ID of the device the user signed in from, when it is registered with Entra.' },
  ],
  ['platf', { meaning: 'The device platform the user signed in from.' }],
  ['puid', { meaning: 'An internal identifier Entra uses for the user. Treat it as opaque.' }],
  ['in_corp', { meaning: 'Whether the user signed in from the corporate network.' }],
  [
    'verified_primary_email',
    { meaning: "The user's primary email address, taken from their verified profile." },
  ],
  [
    'verified_secondary_email',
    { meaning: "The user's secondary email addresses, taken from their verified profile." },
  ],
]);

const HEADER = new Map<string, ClaimInfo>([
  [
    'alg',
    {
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
      meaning: 'The media type of the token: "JWT", or "at+jwt" for an access token in the RFC 9068 profile.',
    },
  ],
  ['cty', { meaning: 'The content type of the payload; "JWT" means it holds another, nested token.' }],
  [
    'kid',
    {
      meaning: "Key ID: which of the issuer's published signing keys (its JWKS) signed this token.",
    },
  ],
  [
    'x5t',
    {
      meaning: 'The SHA-1 thumbprint of the signing certificate, base64url-encoded.',
    },
  ],
  [
    'x5t#S256',
    {
      meaning: 'The SHA-256 thumbprint of the signing certificate, base64url-encoded.',
    },
  ],
  ['x5c', { meaning: 'The signing certificate chain itself, embedded in the token.' }],
  ['x5u', { meaning: 'A URL where the signing certificate chain can be fetched.' }],
  ['jku', { meaning: 'A URL of the key set holding the signing key.' }],
  ['jwk', { meaning: 'The signing public key, embedded in the token.' }],
  ['crit', { meaning: 'Header parameters the reader must understand, or else reject the token.' }],
  ['enc', { meaning: 'The content encryption algorithm of an encrypted token (JWE).' }],
  ['zip', { meaning: 'The compression applied before encryption.' }],
  [
    'nonce',
    {
      meaning:
        'A value Microsoft Graph puts in the header of its own tokens and transforms when it checks the signature.',
      note: () =>
        "Because of it, nobody but Graph can verify this token's signature, and nobody else should try: only Graph reads Graph tokens.",
    },
  ],
]);

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

function explain(
  table: Map<string, ClaimInfo>,
  name: string,
  value: unknown,
  kind: TokenKind,
  generic: string,
): ClaimExplanation {
  const info = table.get(name);
  const isTime = info?.isTime === true && typeof value === 'number' && Number.isFinite(value);
  const meaning =
    info === undefined ? generic : typeof info.meaning === 'string' ? info.meaning : info.meaning(kind);
  let note: string | undefined;
  try {
    note = info?.note?.(value, kind);
  } catch {
    note = undefined;
  }
  const base = { name, meaning, display: formatValue(value), isTime };
  return note === undefined || note === '' ? base : { ...base, note };
}

/**
 * Explains one payload claim of an access or ID token, standard or Entra-specific.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1
 */
export function explainClaim(name: string, value: unknown, tokenKind: TokenKind): ClaimExplanation {
  return explain(
    CLAIMS,
    name,
    value,
    tokenKind,
    'A claim this lab does not know: its meaning is defined by the issuer or the application.',
  );
}

/**
 * Explains one JOSE header parameter of a JWT.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1
 */
export function explainHeader(name: string, value: unknown): ClaimExplanation {
  return explain(
    HEADER,
    name,
    value,
    'access',
    'A header parameter this lab does not know; the issuer defines it.',
  );
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
