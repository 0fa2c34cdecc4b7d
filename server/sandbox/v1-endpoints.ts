/**
 * Entra's v1.0 surface below `/{tenant}`: the v1 discovery document (`/.well-known/openid-configuration`,
 * no `v2.0`), served faithfully, and its key set (`/discovery/keys`, the same keys as v2.0, as Entra's). The
 * v1 protocol endpoints the document names (`/oauth2/authorize`, `/oauth2/token`, …) are not served: they
 * answer that the sandbox speaks v2.0 only and where to go instead.
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#token-formats
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import { sendHtml, sendJson } from './http-utils.ts';
import { escapeHtml, layout } from './pages.ts';
import { buildV1Discovery, publishedV2Issuer, shapeJwks, USERINFO_PATH } from './published-metadata.ts';

/** v1 paths below `/{tenant}` → their v2.0 counterpart (the ones a browser opens get a page, not JSON). */
const V1_PROTOCOL_PATHS: Readonly<Record<string, { readonly v2: string; readonly page: boolean }>> = {
  '/oauth2/authorize': { v2: '/{tenant}/oauth2/v2.0/authorize', page: true },
  '/oauth2/token': { v2: '/{tenant}/oauth2/v2.0/token', page: false },
  '/oauth2/devicecode': { v2: '/{tenant}/oauth2/v2.0/devicecode', page: false },
  '/oauth2/logout': { v2: '/{tenant}/oauth2/v2.0/logout', page: true },
  '/oauth2/checksession': { v2: '/{tenant}/oauth2/v2.0/logout', page: true },
  '/openid/userinfo': { v2: USERINFO_PATH, page: false },
};

/** Whether `sub` (the path below `/{tenant}`) is one of the v1 paths handled here. */
export function isV1Path(sub: string): boolean {
  return (
    sub === '/.well-known/openid-configuration' ||
    sub === '/discovery/keys' ||
    Object.hasOwn(V1_PROTOCOL_PATHS, sub)
  );
}

/**
 * Answers a v1 path for the tenant `segment` (GUID or alias). `publicKey` is the signing key's public JWK
 * with its `x5c` (private members are never passed here).
 */
export function handleV1Request(
  res: ServerResponse,
  req: IncomingMessage,
  input: { readonly origin: string; readonly segment: string; readonly sub: string; readonly publicKey: JWK },
): void {
  const { origin, segment, sub } = input;
  const cors = { 'access-control-allow-origin': '*' };
  if (sub === '/.well-known/openid-configuration') {
    sendJson(res, 200, buildV1Discovery(origin, segment), cors);
    return;
  }
  if (sub === '/discovery/keys') {
    const { kty, use, kid, n, e, x5c } = input.publicKey;
    sendJson(
      res,
      200,
      shapeJwks({ keys: [{ kty, use, kid, n, e, x5c }] }, publishedV2Issuer(origin, segment)),
      cors,
    );
    return;
  }
  const target = V1_PROTOCOL_PATHS[sub];
  if (!target) return;
  const v2 = `${origin}${target.v2.replace('{tenant}', segment)}`;
  const message = `The sandbox serves Entra's v2.0 protocol endpoints only; ${sub} is a v1.0 endpoint. Use ${v2} instead, with v2.0 scopes (e.g. https://graph.microsoft.com/User.Read rather than resource=).`;
  if (target.page && req.method !== 'POST') {
    sendHtml(
      res,
      400,
      layout(
        'v1.0 endpoint not served',
        `<h1>This is a v1.0 endpoint</h1><p role="alert">${escapeHtml(message)}</p>`,
      ),
    );
    return;
  }
  sendJson(res, 400, { error: 'invalid_request', error_description: message });
}
