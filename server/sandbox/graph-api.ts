/**
 * A Microsoft Graph look-alike on the sandbox origin (`/v1.0/me`, `/v1.0/users`) so a flow can end by
 * calling an API: bearer tokens (RFC 6750) are verified against the sandbox's own keys and refused with
 * Graph's error shape and an RFC 6750 §3 `WWW-Authenticate` challenge.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import { findUserById } from './directory.ts';
import { sendJson } from './http-utils.ts';
import { ROUTES } from './provider-config.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS, type SandboxUser } from './seed.ts';
import type { SandboxTokenVerifier } from './token-verifier.ts';

/** Path prefix of the Graph-like API. */
export const GRAPH_PREFIX = '/v1.0/';

/** The Graph endpoints the sandbox serves, relative to its origin. */
export const GRAPH_ENDPOINTS = { me: '/v1.0/me', users: '/v1.0/users' } as const;

const GRAPH_METADATA = 'https://graph.microsoft.com/v1.0/$metadata';

/** Graph's answer to a request: `GET` only, CORS for any origin (Graph Explorer is a browser app). */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'WWW-Authenticate, request-id, client-request-id',
};

function graphUser(user: SandboxUser): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: null,
    mail: user.userPrincipalName,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.oid,
  };
}

interface Failure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** RFC 6750 §3 error; omitted when the request carried no token (§3.1). */
  readonly challengeError?: 'invalid_token' | 'insufficient_scope';
  readonly scope?: string;
}

/** Graph's answer to a bearer token: its payload, or the 401 it gives (no token, or one it refuses). */
export type GraphBearer =
  | { readonly ok: true; readonly payload: JWTPayload }
  | { readonly ok: false; readonly message: string; readonly invalidToken: boolean };

/**
 * Reads and checks the bearer token Graph (and its UserInfo endpoint) is called with: only a token
 * issued for Graph, its signature checked over the hashed header nonce as Graph does (graph-token.ts).
 * `invalidToken` is false when no token came at all (RFC 6750 §3.1: no error code then).
 */
export async function verifyGraphBearer(
  verifyToken: SandboxTokenVerifier,
  authorization: string | undefined,
): Promise<GraphBearer> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return { ok: false, message: 'Access token is empty.', invalidToken: false };
  const verified = await verifyToken(match[1], {
    audience: [GRAPH_RESOURCE.appId, GRAPH_RESOURCE.identifier],
    graphNonce: true,
  });
  if (verified.ok) return { ok: true, payload: verified.payload };
  const message =
    verified.reason === 'expired'
      ? 'Lifetime validation failed, the token is expired.'
      : verified.reason === 'audience'
        ? 'Invalid audience.'
        : `Access token validation failure. ${verified.detail}`;
  return { ok: false, message, invalidToken: true };
}

/** Handles one request below `/v1.0/`. */
export async function handleGraphRequest(
  verifyToken: SandboxTokenVerifier,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const requestId = randomUUID();
  const clientRequestId =
    typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : requestId;
  const headers = { ...CORS, 'request-id': requestId, 'client-request-id': clientRequestId };
  if (req.method === 'OPTIONS') {
    res
      .writeHead(204, {
        ...headers,
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'Authorization, Content-Type, client-request-id, ConsistencyLevel',
        'access-control-max-age': '3600',
      })
      .end();
    return;
  }
  const fail = (failure: Failure): void => {
    const challenge = [
      'Bearer realm=""',
      `authorization_uri="${origin}/${SANDBOX_TENANT.id}${ROUTES.authorization}"`,
      `client_id="${GRAPH_RESOURCE.appId}"`,
      ...(failure.challengeError ? [`error="${failure.challengeError}"`] : []),
      ...(failure.challengeError === 'invalid_token'
        ? [`error_description="${failure.message.replaceAll('"', "'")}"`]
        : []),
      ...(failure.scope ? [`scope="${failure.scope}"`] : []),
    ].join(', ');
    sendJson(
      res,
      failure.status,
      {
        error: {
          code: failure.code,
          message: failure.message,
          innerError: {
            date: new Date().toISOString().slice(0, 19),
            'request-id': requestId,
            'client-request-id': clientRequestId,
          },
        },
      },
      {
        ...headers,
        ...(failure.status === 401 || failure.status === 403 ? { 'www-authenticate': challenge } : {}),
      },
    );
  };

  const endpoint =
    pathname === GRAPH_ENDPOINTS.me ? 'me' : pathname === GRAPH_ENDPOINTS.users ? 'users' : undefined;
  if (!endpoint) {
    fail({
      status: 400,
      code: 'BadRequest',
      message: `Resource not found for the segment '${pathname.slice(GRAPH_PREFIX.length)}'.`,
    });
    return;
  }
  if (req.method !== 'GET') {
    fail({ status: 405, code: 'Request_BadRequest', message: 'The sandbox Graph supports GET only.' });
    return;
  }
  const verified = await verifyGraphBearer(verifyToken, req.headers.authorization);
  if (!verified.ok) {
    fail({
      status: 401,
      code: 'InvalidAuthenticationToken',
      message: verified.message,
      ...(verified.invalidToken ? { challengeError: 'invalid_token' } : {}),
    });
    return;
  }
  const { payload } = verified;
  if (endpoint === 'me') return me(payload, headers, res, fail);
  return users(payload, headers, res, fail);
}

function scopes(payload: JWTPayload): string[] {
  return typeof payload['scp'] === 'string' ? payload['scp'].split(' ') : [];
}

function roles(payload: JWTPayload): string[] {
  return Array.isArray(payload['roles']) ? payload['roles'].map(String) : [];
}

function me(
  payload: JWTPayload,
  headers: Record<string, string>,
  res: ServerResponse,
  fail: (failure: Failure) => void,
): void {
  // Graph: /me needs a signed-in user; an app-only token has no "me".
  if (payload['idtyp'] === 'app' || typeof payload['scp'] !== 'string') {
    fail({
      status: 400,
      code: 'BadRequest',
      message: '/me request is only valid with delegated authentication flow.',
    });
    return;
  }
  const granted = scopes(payload);
  if (
    !['User.Read', 'User.ReadWrite', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'].some((s) =>
      granted.includes(s),
    )
  ) {
    insufficient(fail, 'User.Read');
    return;
  }
  const user = findUserById(String(payload['oid'] ?? ''));
  if (!user) {
    fail({
      status: 404,
      code: 'Request_ResourceNotFound',
      message: `Resource '${String(payload['oid'])}' does not exist or one of its queried reference-property objects are not present.`,
    });
    return;
  }
  sendJson(res, 200, { '@odata.context': `${GRAPH_METADATA}#users/$entity`, ...graphUser(user) }, headers);
}

function users(
  payload: JWTPayload,
  headers: Record<string, string>,
  res: ServerResponse,
  fail: (failure: Failure) => void,
): void {
  // The sandbox models the application permission only (client credentials with User.Read.All).
  if (!roles(payload).includes('User.Read.All')) {
    insufficient(fail, 'User.Read.All');
    return;
  }
  sendJson(
    res,
    200,
    { '@odata.context': `${GRAPH_METADATA}#users`, value: SANDBOX_USERS.map(graphUser) },
    headers,
  );
}

function insufficient(fail: (failure: Failure) => void, scope: string): void {
  // RFC 6750 §3.1: insufficient_scope → 403 with the scope needed.
  fail({
    status: 403,
    code: 'Authorization_RequestDenied',
    message: 'Insufficient privileges to complete the operation.',
    challengeError: 'insufficient_scope',
    scope,
  });
}
