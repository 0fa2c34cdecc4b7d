/**
 * Calling a protected API with an access token: the Bearer request, and reading the API's refusal
 * (401 / 403 with `WWW-Authenticate`) when the token is missing, invalid or lacks a permission.
 * @see https://www.rfc-editor.org/rfc/rfc6750
 */
import { findBearerChallenge, parseWwwAuthenticate, type BearerChallenge } from '../protocol/bearer.ts';
import { LabError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { classifyToken, decodeJwt, describeTokenShape, isPast, normalizeToken } from '../protocol/jwt.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { browserRoute } from './token-request.ts';
import type { FlowDefinition } from './types.ts';

/** The flow as data: steps and sequence diagram. */
export const callApiFlow = {
  ...catalogueEntry('call-api'),
  steps: [
    {
      id: 'token',
      title: 'Choose the access token',
      spec: 'RFC 6750 §1.2',
      why: 'An access token is a bearer credential: whoever holds it may use it. Take one an earlier run obtained, or paste one.',
    },
    {
      id: 'request',
      title: 'Choose the API and check the token',
      spec: 'RFC 6750 §2.1',
      why: 'Before sending, compare what the API will check — audience, expiry, scopes or roles — with what the token says.',
      inputs: ['token', 'url'],
    },
    {
      id: 'call',
      title: 'Call the API',
      spec: 'RFC 6750 §2.1',
      why: 'The token goes in the Authorization header as “Bearer <token>”. The API checks its signature, issuer, audience, expiry and permissions.',
      inputs: ['token', 'url'],
    },
    {
      id: 'response',
      title: 'Read the answer',
      spec: 'RFC 6750 §3',
      why: 'A 200 carries the data. A 401 or 403 carries a WWW-Authenticate header saying what was wrong with the token.',
      inputs: ['token', 'url'],
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'Client' },
      { id: 'as', label: 'Authorization server' },
      { id: 'api', label: 'API (resource server)' },
    ],
    messages: [
      { from: 'as', to: 'client', text: 'Access token (from an earlier run)', step: 'token', reply: true },
      { from: 'client', to: 'client', text: 'Check aud, exp, scp', step: 'request', variant: 'api-me' },
      { from: 'client', to: 'client', text: 'Check aud, exp, roles', step: 'request', variant: 'api-users' },
      { from: 'client', to: 'client', text: 'Check exp', step: 'request', variant: 'api-other' },
      {
        from: 'client',
        to: 'api',
        text: 'GET /v1.0/me Authorization: Bearer token',
        step: 'call',
        variant: 'api-me',
        http: true,
      },
      {
        from: 'client',
        to: 'api',
        text: 'GET /v1.0/users Authorization: Bearer token',
        step: 'call',
        variant: 'api-users',
        http: true,
      },
      {
        from: 'client',
        to: 'api',
        text: 'GET (your URL) Authorization: Bearer token',
        step: 'call',
        variant: 'api-other',
        http: true,
      },
      { from: 'api', to: 'api', text: 'Validate signature, iss, aud, exp, permissions', step: 'call' },
      {
        from: 'api',
        to: 'client',
        text: '200 JSON, or 401/403 + WWW-Authenticate',
        step: 'call',
        reply: true,
        http: true,
      },
      {
        from: 'client',
        to: 'client',
        text: 'Read the status and WWW-Authenticate',
        step: 'response',
      },
    ],
  },
} as const satisfies FlowDefinition;

/** Microsoft Graph's audience, as a GUID (v2 tokens) or as its URI (v1 tokens). */
export const GRAPH_AUDIENCES: readonly string[] = [
  '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com',
];

/** What an API endpoint requires of a token: its audience, and a delegated scope or an app role. */
export interface ApiRequirement {
  readonly audiences: readonly string[];
  /** Delegated scopes, any of which is enough (`scp`). */
  readonly scopes: readonly string[];
  /** Application roles, any of which is enough (`roles`). */
  readonly roles: readonly string[];
}

/** One API the page offers, with what it requires. */
export interface ApiTarget {
  readonly id: string;
  readonly label: string;
  readonly url: string;
  readonly requirement: ApiRequirement;
}

/**
 * The APIs offered: the sandbox's Graph-like API and real Microsoft Graph.
 * @see https://learn.microsoft.com/graph/api/user-get
 */
export function apiTargets(sandboxOrigin: string): ApiTarget[] {
  const sandbox = sandboxOrigin.replace(/\/+$/, '');
  return [
    {
      id: 'sandbox-me',
      label: 'Sandbox API: /v1.0/me (the signed-in user)',
      url: `${sandbox}/v1.0/me`,
      requirement: { audiences: GRAPH_AUDIENCES, scopes: ['User.Read'], roles: [] },
    },
    {
      id: 'sandbox-users',
      label: 'Sandbox API: /v1.0/users (every user, app-only)',
      url: `${sandbox}/v1.0/users`,
      requirement: { audiences: GRAPH_AUDIENCES, scopes: [], roles: ['User.Read.All'] },
    },
    {
      id: 'graph-me',
      label: 'Microsoft Graph: /v1.0/me',
      url: 'https://graph.microsoft.com/v1.0/me',
      requirement: { audiences: GRAPH_AUDIENCES, scopes: ['User.Read'], roles: [] },
    },
  ];
}

/** The requirement of a URL: a known target's, or for any Graph-shaped URL at least Graph's audience. */
export function requirementFor(url: string, targets: readonly ApiTarget[]): ApiRequirement | undefined {
  const known = targets.find((t) => t.url === url.trim());
  if (known !== undefined) return known.requirement;
  try {
    const parsed = new URL(url);
    const graphShaped =
      parsed.hostname === 'graph.microsoft.com' ||
      targets.some((t) => new URL(t.url).origin === parsed.origin);
    return graphShaped ? { audiences: GRAPH_AUDIENCES, scopes: [], roles: [] } : undefined;
  } catch {
    return undefined;
  }
}

/** Everything one run knows. The token is a secret: memory only, masked in previews. */
export interface CallApiContext {
  readonly token: string;
  /** Where the token came from, for display ("Authorization code at 10:02"). */
  readonly tokenSource?: string | undefined;
  readonly targetId: string;
  readonly url: string;
  readonly exchange?: HttpExchange | undefined;
}

/** A new run: no token yet, the sandbox's /v1.0/me. */
export function createCallApiContext(sandboxOrigin: string): CallApiContext {
  const first = apiTargets(sandboxOrigin)[0];
  return { token: '', targetId: first?.id ?? 'custom', url: first?.url ?? '' };
}

/**
 * The diagram variant of a run: which API it calls (its path decides what is checked: `scp` for /me,
 * `roles` for /users, only the expiry for a URL the page does not know).
 */
export function callApiVariant(url: string): 'api-me' | 'api-users' | 'api-other' {
  let path: string;
  try {
    path = new URL(url.trim()).pathname.replace(/\/+$/, '');
  } catch {
    return 'api-other';
  }
  if (path.endsWith('/v1.0/me')) return 'api-me';
  if (path.endsWith('/v1.0/users')) return 'api-users';
  return 'api-other';
}

/** One thing the API will check, with what the token says and whether it passes. */
export interface TokenCheck {
  readonly claim: 'aud' | 'exp' | 'scp' | 'roles' | 'token';
  readonly expected: string;
  readonly actual: string;
  /** undefined when it cannot be known in advance. */
  readonly ok: boolean | undefined;
  readonly message: string;
}

function listClaim(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter((s) => s !== '');
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Compares the token with what the API checks (audience, expiry, scopes or roles), without
 * verifying anything — only the API can do that. Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export function checkTokenForApi(
  token: string,
  requirement: ApiRequirement | undefined,
  nowMs: number,
): TokenCheck[] {
  const clean = normalizeToken(token);
  if (clean === '') {
    return [
      {
        claim: 'token',
        expected: 'a token',
        actual: '(none)',
        ok: false,
        message:
          'No token: the request goes without Authorization and the API answers 401 with no error code.',
      },
    ];
  }
  if (classifyToken(clean) !== 'jwt') {
    // Name the shape as the token inspector does: a malformed string is not an opaque token.
    const reading = describeTokenShape(clean);
    const message =
      reading.shape === 'not-jwt'
        ? `Not a JWT: ${reading.reason}. An API that expects a JWT rejects it (401 invalid_token).`
        : reading.shape === 'jwe'
          ? 'Encrypted (JWE, RFC 7516): only the API, holding the decryption key, can read it and tell whether it is good.'
          : `An opaque token: ${reading.reason}. Only its issuer (or the API, by introspection, RFC 7662) can read it.`;
    return [
      {
        claim: 'token',
        expected: 'a JWT',
        actual:
          reading.shape === 'not-jwt' ? 'not a JWT' : reading.shape === 'jwe' ? 'encrypted (JWE)' : 'opaque',
        ok: undefined,
        message,
      },
    ];
  }
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(clean).payload;
  } catch (error) {
    return [
      {
        claim: 'token',
        expected: 'a well-formed JWT',
        actual: 'malformed',
        ok: false,
        message: `${error instanceof LabError ? error.message : 'The token cannot be decoded.'} The API will answer invalid_token.`,
      },
    ];
  }
  const checks: TokenCheck[] = [];
  const aud = listClaim(claims['aud']);
  if (requirement !== undefined) {
    const audOk = aud.some((a) => requirement.audiences.includes(a));
    const looksLikeIdToken =
      claims['nonce'] !== undefined ||
      (claims['scp'] === undefined &&
        claims['roles'] === undefined &&
        typeof claims['preferred_username'] === 'string' &&
        claims['aud'] !== undefined);
    checks.push({
      claim: 'aud',
      expected: requirement.audiences.join(' or '),
      actual: aud.join(', ') || '(none)',
      ok: audOk,
      // RFC 9068 §4: the resource server MUST check that aud names it.
      message: audOk
        ? 'The token is for this API.'
        : looksLikeIdToken
          ? 'This looks like an ID token: its aud is the client that signed in, not an API. ID tokens are for the client to read; send the access token instead.'
          : 'The token is for another API (another aud). This API will refuse it as invalid_token: get a token whose scope names this API.',
    });
  }
  const exp = claims['exp'];
  const expired = isPast(exp, nowMs);
  checks.push({
    claim: 'exp',
    expected: 'in the future',
    actual: typeof exp === 'number' ? new Date(exp * 1000).toISOString() : '(none)',
    ok: typeof exp === 'number' ? !expired : false,
    message: expired
      ? 'The token has expired: the API will answer invalid_token. Get a fresh one (refresh token or a new run).'
      : typeof exp === 'number'
        ? 'Not expired yet.'
        : 'No exp claim: most APIs refuse such a token.',
  });
  const scp = listClaim(claims['scp']);
  const roles = listClaim(claims['roles']);
  if (requirement !== undefined && (requirement.scopes.length > 0 || requirement.roles.length > 0)) {
    if (requirement.scopes.length > 0) {
      const ok = scp.some((s) => requirement.scopes.includes(s));
      checks.push({
        claim: 'scp',
        expected: requirement.scopes.join(' or '),
        actual: scp.join(' ') || '(none)',
        ok,
        message: ok
          ? 'The delegated permission is there.'
          : roles.length > 0 && scp.length === 0
            ? `This is an app-only token (roles, no scp); this endpoint acts for a signed-in user and needs the delegated scope ${requirement.scopes.join(' or ')}.`
            : `Missing delegated scope ${requirement.scopes.join(' or ')}: the API will answer 403 insufficient_scope. Ask for it when signing in.`,
      });
    }
    if (requirement.roles.length > 0) {
      const ok = roles.some((r) => requirement.roles.includes(r));
      checks.push({
        claim: 'roles',
        expected: requirement.roles.join(' or '),
        actual: roles.join(', ') || '(none)',
        ok,
        message: ok
          ? 'The application permission is there.'
          : `Missing application permission ${requirement.roles.join(' or ')} (a roles claim): the API will answer 403 insufficient_scope. A delegated token (scp) cannot list every user here; use a client-credentials token for an app granted ${requirement.roles.join(' or ')}.`,
      });
    }
  }
  return checks;
}

/**
 * The API request: a GET with the token as a Bearer credential (none when the token is empty).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function buildApiRequest(ctx: Pick<CallApiContext, 'token' | 'url'>): RecordedRequest {
  const token = normalizeToken(ctx.token);
  const headers: [string, string][] = [['Accept', 'application/json']];
  if (token !== '') headers.push(['Authorization', `Bearer ${token}`]);
  return { method: 'GET', url: ctx.url.trim(), headers, secretFields: token === '' ? [] : ['Authorization'] };
}

/** From the browser: Microsoft Graph and the sandbox's API both answer cross-origin calls (CORS). */
export function decideApiRoute(): Route {
  return browserRoute(
    'Microsoft Graph and the sandbox API allow cross-origin calls with a bearer token (CORS), as any single-page app makes them.',
  );
}

/**
 * Step "call": sends the request from the browser and records the answer, whatever its status.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function callApi(
  ctx: CallApiContext,
  deps: FlowDeps,
): Promise<Pick<CallApiContext, 'exchange'>> {
  return { exchange: await sendRequest(buildApiRequest(ctx), decideApiRoute(), deps.fetch, deps.now) };
}

/** Microsoft Graph's error body: `{ "error": { "code", "message" } }`. */
export interface GraphError {
  readonly code: string;
  readonly message: string;
}

/** Why the API refused, as far as the answer and the token tell. */
export type RefusalReason =
  'no-token' | 'expired' | 'wrong-audience' | 'invalid-token' | 'insufficient-scope' | 'other';

/** The API's answer, read: success, or a refusal explained. */
export interface ApiOutcome {
  readonly status: number;
  readonly ok: boolean;
  readonly challenge?: BearerChallenge;
  /** Why the WWW-Authenticate header could not be read, when it could not. */
  readonly challengeProblem?: string;
  readonly graphError?: GraphError;
  readonly reason?: RefusalReason;
  /** The scope or role the token lacks, when it can be named. */
  readonly missing?: string;
  readonly title?: string;
  readonly what?: string;
  readonly fix?: string;
  /** The parsed JSON body of a success. */
  readonly json?: unknown;
}

function header(exchange: HttpExchange, name: string): string | undefined {
  return exchange.response?.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

function parseGraphError(body: string): GraphError | undefined {
  try {
    const json: unknown = JSON.parse(body);
    if (typeof json !== 'object' || json === null) return undefined;
    const error = (json as Record<string, unknown>)['error'];
    if (typeof error !== 'object' || error === null) return undefined;
    const { code, message } = error as Record<string, unknown>;
    return typeof code === 'string'
      ? { code, message: typeof message === 'string' ? message : '' }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the API's answer. For 401 and 403, the Bearer challenge (RFC 6750 §3) and the token decide
 * the explanation: no token, expired, wrong audience, bad token, or which permission is missing.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function readApiResponse(
  exchange: HttpExchange,
  requirement: ApiRequirement | undefined,
  nowMs: number,
): ApiOutcome {
  const response = exchange.response;
  if (response === undefined)
    return {
      status: 0,
      ok: false,
      reason: 'other',
      title: 'No answer',
      what: 'The API did not answer.',
      fix: 'Send the request again.',
    };
  if (response.status >= 200 && response.status < 300) {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    return { status: response.status, ok: true, ...(json === undefined ? {} : { json }) };
  }
  const graphError = parseGraphError(response.body);
  let challenge: BearerChallenge | undefined;
  let challengeProblem: string | undefined;
  const raw = header(exchange, 'www-authenticate');
  if (raw !== undefined) {
    try {
      challenge = findBearerChallenge(parseWwwAuthenticate(raw));
    } catch (error) {
      challengeProblem = error instanceof Error ? error.message : String(error);
    }
  }
  const base = {
    status: response.status,
    ok: false,
    ...(challenge === undefined ? {} : { challenge }),
    ...(challengeProblem === undefined ? {} : { challengeProblem }),
    ...(graphError === undefined ? {} : { graphError }),
  };
  const sentToken = exchange.request.headers.some(([n]) => n.toLowerCase() === 'authorization');
  const token = exchange.request.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1] ?? '';
  const checks = checkTokenForApi(token, requirement, nowMs);
  const failed = (claim: TokenCheck['claim']) => checks.find((c) => c.claim === claim && c.ok === false);
  const error = challenge?.error;

  if (response.status === 401 && !sentToken) {
    // RFC 6750 §3.1: with no authentication information, the server SHOULD NOT include an error code.
    return {
      ...base,
      reason: 'no-token',
      title: 'No token was sent',
      what: 'The request carried no Authorization header, so the API only names the scheme it expects (Bearer) and gives no error code.',
      fix: 'Choose or paste an access token, then send again.',
    };
  }
  if (error === 'insufficient_scope' || (response.status === 403 && error === undefined)) {
    const needed =
      challenge?.scope ??
      (requirement === undefined ? undefined : [...requirement.roles, ...requirement.scopes].join(' or '));
    const kind =
      requirement !== undefined && requirement.roles.length > 0
        ? 'application permission (a roles claim)'
        : 'delegated permission (a scp claim)';
    return {
      ...base,
      reason: 'insufficient-scope',
      ...(needed === undefined || needed === '' ? {} : { missing: needed }),
      title: needed === undefined || needed === '' ? 'Missing permission' : `Missing permission: ${needed}`,
      what: `The token is valid, but it does not carry the ${kind} this call needs${needed === undefined || needed === '' ? '' : ` — ${needed}`}.`,
      fix:
        requirement !== undefined && requirement.roles.length > 0
          ? `Grant the app the application permission ${requirement.roles.join(' or ')} (admin consent), then get a token with client credentials.`
          : `Sign in again asking for ${needed ?? 'the scope'} (and consent to it).`,
    };
  }
  if (error === 'invalid_token' || response.status === 401) {
    const expired = failed('exp') !== undefined;
    const wrongAud = failed('aud');
    const malformed = failed('token');
    const reason: RefusalReason = expired
      ? 'expired'
      : wrongAud !== undefined
        ? 'wrong-audience'
        : 'invalid-token';
    return {
      ...base,
      reason,
      title: expired
        ? 'The token has expired'
        : wrongAud !== undefined
          ? 'The token is for another API'
          : 'The token was rejected',
      what: expired
        ? 'The API refused the token because its exp time has passed.'
        : wrongAud !== undefined
          ? `The API refused the token: its aud (${wrongAud.actual}) is not this API (${wrongAud.expected}). ${wrongAud.message}`
          : malformed !== undefined
            ? `The API could not read the token: ${malformed.message}`
            : `The API refused the token: its signature, issuer or format did not check out (for example, a token edited by hand or issued by another server).${error === undefined ? ' The challenge carries no error code (Microsoft Graph answers like this); the JSON body says more.' : ''}`,
      fix: expired
        ? 'Get a fresh access token (redeem a refresh token, or run a flow again).'
        : 'Send an access token issued by the authorization server for this API.',
    };
  }
  return {
    ...base,
    reason: 'other',
    title: `The API answered HTTP ${response.status}`,
    what:
      graphError === undefined
        ? 'The request was not refused for its token; read the body for the reason.'
        : `${graphError.code}: ${graphError.message}`,
    fix: 'Check the URL and the method.',
  };
}
