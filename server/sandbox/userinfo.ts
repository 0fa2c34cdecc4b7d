/**
 * The UserInfo endpoint as Entra publishes it: hosted by Microsoft Graph
 * (`https://graph.microsoft.com/oidc/userinfo`), so the sandbox serves it beside its Graph look-alike, at
 * `${origin}/oidc/userinfo`. It takes the access token issued for Graph (RFC 6750 bearer), and answers
 * `sub` (the same pairwise value as the app's ID token), the name claims with `profile` and `email` with
 * `email` — "the name claims, subject claim, and email when available and consented to".
 * @see https://learn.microsoft.com/entra/identity-platform/userinfo
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { findUserById } from './directory.ts';
import { verifyGraphBearer } from './graph-api.ts';
import { sendJson } from './http-utils.ts';
import { pairwiseSubject, ROUTES } from './provider-config.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT } from './seed.ts';
import type { SandboxTokenVerifier } from './token-verifier.ts';

/** Graph answers browsers from any origin (CORS), as its other APIs. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'WWW-Authenticate, request-id, client-request-id',
};

/** The OIDC Core §5.1 claims the endpoint returns (sub always; the rest by scope). */
export interface UserInfoClaims {
  readonly sub: string;
  readonly name?: string;
  readonly family_name?: string;
  readonly given_name?: string;
  readonly email?: string;
}

/**
 * The claims for a verified Graph access token's payload, or undefined when it names no sandbox user.
 * `sub` is pairwise for the app the token was issued to (`azp`, or `appid` in a v1.0 token), so it equals
 * that app's ID token `sub`.
 */
export function buildUserInfo(payload: Readonly<Record<string, unknown>>): UserInfoClaims | undefined {
  const user = findUserById(String(payload['oid'] ?? ''));
  // v2.0 tokens name the client in `azp`, v1.0 ones (Graph's) in `appid`.
  const appId = payload['azp'] ?? payload['appid'];
  if (!user || typeof appId !== 'string') return undefined;
  const scopes = typeof payload['scp'] === 'string' ? payload['scp'].split(' ') : [];
  return {
    sub: pairwiseSubject(user.oid, appId),
    ...(scopes.includes('profile')
      ? { name: user.displayName, family_name: user.surname, given_name: user.givenName }
      : {}),
    ...(scopes.includes('email') ? { email: user.userPrincipalName } : {}),
  };
}

/** Handles `GET` or `POST /oidc/userinfo` (OIDC Core §5.3.1: both, with the token as a bearer header). */
export async function handleUserInfo(
  verifyToken: SandboxTokenVerifier,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const requestId = randomUUID();
  const clientRequestId =
    typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : requestId;
  const headers = { ...CORS, 'request-id': requestId, 'client-request-id': clientRequestId };
  if (req.method === 'OPTIONS') {
    res
      .writeHead(204, {
        ...headers,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'Authorization, Content-Type, client-request-id',
        'access-control-max-age': '3600',
      })
      .end();
    return;
  }
  // Graph's error shape, and RFC 6750 §3's challenge on a 401 (no error code when no token was sent, §3.1).
  const fail = (status: number, code: string, message: string, tokenSent: boolean): void => {
    const challenge = [
      'Bearer realm=""',
      `authorization_uri="${origin}/${SANDBOX_TENANT.id}${ROUTES.authorization}"`,
      `client_id="${GRAPH_RESOURCE.appId}"`,
      ...(tokenSent ? ['error="invalid_token"', `error_description="${message.replaceAll('"', "'")}"`] : []),
    ].join(', ');
    sendJson(
      res,
      status,
      {
        error: {
          code,
          message,
          innerError: {
            date: new Date().toISOString().slice(0, 19),
            'request-id': requestId,
            'client-request-id': clientRequestId,
          },
        },
      },
      { ...headers, ...(status === 401 ? { 'www-authenticate': challenge } : {}) },
    );
  };
  if (req.method !== 'GET' && req.method !== 'POST') {
    fail(405, 'Request_BadRequest', 'The UserInfo endpoint accepts GET and POST only.', false);
    return;
  }
  // Only a token issued for Graph is accepted: Graph's audience check (RFC 6750 §3.1 invalid_token).
  const verified = await verifyGraphBearer(verifyToken, req.headers.authorization);
  if (!verified.ok) {
    fail(401, 'InvalidAuthenticationToken', verified.message, verified.invalidToken);
    return;
  }
  if (verified.payload['idtyp'] === 'app' || typeof verified.payload['scp'] !== 'string') {
    // An app-only token has no user to describe (the endpoint is for delegated permissions only).
    fail(
      401,
      'InvalidAuthenticationToken',
      'The UserInfo endpoint needs a token issued for a signed-in user; app-only tokens have no user.',
      true,
    );
    return;
  }
  const claims = buildUserInfo(verified.payload);
  if (!claims) {
    fail(404, 'Request_ResourceNotFound', 'The user this token was issued for no longer exists.', true);
    return;
  }
  sendJson(res, 200, claims, headers);
}
