/**
 * Koa middleware, mounted in front of oidc-provider's own, that gives its responses Entra's shape:
 * AADSTS error bodies, Entra's token and device code response fields and headers, Entra's discovery
 * document, and authorization responses (redirect or form_post) without the RFC 9207 `iss` parameter
 * (Entra does not send it) and with the implicit-flow details Entra has.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { TOKEN_ONLY_MARKER } from './authorize-gate.ts';
import { buildDeviceAuthorizationResponse } from './device-flow.ts';
import { buildEntraErrorBody, buildRedirectDescription } from './entra-errors.ts';
import { mapProviderError } from './error-mapping.ts';
import { formPostPage } from './pages.ts';
import { publishedV2Issuer, shapeJwks, shapeV2Discovery } from './published-metadata.ts';
import { revealGraphNonce } from './graph-token.ts';
import { buildClientInfo, sessionStateFor, wantsClientInfo } from './response-extras.ts';
import { entraScopeEcho } from './scopes.ts';

type Next = () => Promise<unknown>;
type Middleware = (ctx: KoaContextWithOIDC, next: Next) => Promise<void>;

const ERROR_EVENTS = [
  'grant.error',
  'authorization.error',
  'server_error',
  'discovery.error',
  'jwks.error',
  'device_authorization.error',
  'code_verification.error',
  'device_resume.error',
] as const;

/** Remembers each error oidc-provider handles on its request context, for the shaping middleware. */
export function captureProviderErrors(provider: Provider, onServerError: (err: unknown) => void): void {
  for (const event of ERROR_EVENTS) {
    provider.on(event, (ctx: KoaContextWithOIDC, err: unknown) => {
      ctx.state['sandboxError'] = err;
      if (event === 'server_error') onServerError(err);
    });
  }
}

/** The `{tenant}` segment the request came in on (as mounted), e.g. the tenant GUID or `common`. */
function tenantSegment(ctx: KoaContextWithOIDC): string {
  const original = (ctx.req as { originalUrl?: string }).originalUrl ?? ctx.url;
  return original.split('/')[1] ?? '';
}

function reshapeTokenResponse(
  ctx: KoaContextWithOIDC,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const { entities, params } = ctx.oidc;
  const model = entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode;
  const askedNow =
    typeof params?.['scope'] === 'string' && entities.RefreshToken ? params['scope'].split(' ') : undefined;
  const granted = typeof body['scope'] === 'string' ? body['scope'].split(' ').filter(Boolean) : [];
  // Custom grants (ROPC, on-behalf-of) list the OIDC scopes they issued for in the body's scope.
  const scope = entraScopeEcho(granted, [...(askedNow ?? model?.scopes ?? granted)]);
  const expiresIn = body['expires_in'];
  const accountId = entities.AccessToken?.accountId ?? model?.accountId;
  const clientInfo =
    accountId !== undefined && !entities.ClientCredentials && wantsClientInfo(ctx.oidc.body)
      ? { client_info: buildClientInfo(accountId) }
      : {};
  return {
    token_type: body['token_type'],
    ...(scope && !entities.ClientCredentials ? { scope } : {}),
    expires_in: expiresIn,
    ext_expires_in: expiresIn,
    access_token:
      typeof body['access_token'] === 'string' ? revealGraphNonce(body['access_token']) : undefined,
    ...(body['refresh_token'] === undefined ? {} : { refresh_token: body['refresh_token'] }),
    ...(body['id_token'] === undefined ? {} : { id_token: body['id_token'] }),
    ...clientInfo,
  };
}

/**
 * Entra's authorization response fields: no `iss`, AADSTS errors, and for the implicit flow the scope
 * as Entra reports it; `token` alone (served as `id_token token`) loses the ID token it did not ask for.
 */
function shapeAuthorizationFields(ctx: KoaContextWithOIDC, fields: URLSearchParams): boolean {
  if (!fields.has('code') && !fields.has('error') && !fields.has('access_token') && !fields.has('id_token')) {
    return false;
  }
  fields.delete('iss');
  const err: unknown = ctx.state['sandboxError'];
  if (fields.has('error') && err !== undefined) {
    const mapped = mapProviderError(err, ctx);
    fields.set('error', mapped.error);
    fields.set('error_description', buildRedirectDescription(mapped));
  }
  const marker = ctx.oidc?.params?.[TOKEN_ONLY_MARKER];
  if (marker) fields.delete('id_token');
  if (fields.has('access_token')) {
    fields.set('access_token', revealGraphNonce(fields.get('access_token') ?? ''));
    const asked = String(ctx.oidc?.params?.['scope'] ?? '').split(' ');
    const oidc = asked.filter((s) => !(s === 'openid' && marker === 'openid-added'));
    const permissions = (fields.get('scope') ?? '').split(' ').filter(Boolean);
    fields.set('scope', entraScopeEcho(permissions, oidc));
  }
  // Entra answers a successful sign-in with the session's session_state (OIDC Session Management §3).
  const sessionUid = ctx.oidc?.session?.uid;
  if (!fields.has('error') && sessionUid) fields.set('session_state', sessionStateFor(sessionUid));
  return true;
}

function rewriteRedirect(ctx: KoaContextWithOIDC): void {
  const location = ctx.response.get('Location');
  if (!location) return;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return;
  }
  const inFragment = url.hash.length > 1;
  const fields = new URLSearchParams(inFragment ? url.hash.slice(1) : url.search);
  if (!shapeAuthorizationFields(ctx, fields)) return;
  if (inFragment) url.hash = fields.toString();
  else url.search = fields.toString();
  ctx.response.set('Location', url.href);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

function unescapeHtml(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => HTML_ENTITIES[entity] ?? entity);
}

/** Re-renders oidc-provider's form_post page (OAuth 2.0 Form Post Response Mode) with Entra's fields. */
function rewriteFormPost(ctx: KoaContextWithOIDC): void {
  const html = typeof ctx.body === 'string' ? ctx.body : '';
  const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1];
  if (!action) return;
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) {
    fields.append(unescapeHtml(match[1] ?? ''), unescapeHtml(match[2] ?? ''));
  }
  if (!shapeAuthorizationFields(ctx, fields)) return;
  ctx.body = formPostPage(unescapeHtml(action), fields);
}

/** What the shaping middleware needs besides the issuer. */
export interface EntraShapeOptions {
  /** `http://localhost:<port>/devicelogin`. */
  readonly deviceLoginUri: string;
  /** Called for every device code issued (to answer its polls later). */
  readonly onDeviceCode: (deviceCode: string, clientId: string, expiresIn: number) => void | Promise<void>;
}

/** Builds the middleware; `issuer` is the provider's issuer (the tenant GUID one). */
export function entraShape(issuer: string, options: EntraShapeOptions): Middleware {
  const { origin } = new URL(issuer);
  return async function shapeLikeEntra(ctx, next) {
    await next();
    const route = ctx.oidc?.route;
    const body: unknown = ctx.body;
    const isObject = typeof body === 'object' && body !== null && !Buffer.isBuffer(body);

    if (route === 'device_authorization') {
      // Entra's device code endpoint is not CORS-enabled.
      ctx.remove('Access-Control-Allow-Origin');
      ctx.set('Cache-Control', 'no-store, no-cache');
      if (isObject && ctx.status === 200 && 'device_code' in body) {
        const raw = body as Record<string, unknown>;
        // Awaited: the record is in the shared store before the client can poll any instance.
        await options.onDeviceCode(
          String(raw['device_code']),
          ctx.oidc.client?.clientId ?? '',
          Number(raw['expires_in']),
        );
        ctx.body = buildDeviceAuthorizationResponse(raw, options.deviceLoginUri);
        return;
      }
    }

    if (route === 'token') {
      ctx.set('Cache-Control', 'no-store, no-cache');
      ctx.set('Pragma', 'no-cache');
      // oidc-provider answers Origin-less requests with `*`; Entra sends no CORS headers to servers.
      if (!ctx.get('Origin')) ctx.remove('Access-Control-Allow-Origin');
    }
    if (isObject && ctx.status >= 400 && 'error' in body) {
      const mapped = mapProviderError(ctx.state['sandboxError'] ?? body, ctx);
      ctx.status = mapped.status;
      ctx.body = buildEntraErrorBody(mapped, ctx.get('client-request-id') || undefined);
      return;
    }
    if (route === 'token' && isObject && ctx.status === 200) {
      ctx.body = reshapeTokenResponse(ctx, body as Record<string, unknown>);
      return;
    }
    if (route === 'discovery' && isObject) {
      ctx.body = shapeV2Discovery(origin, tenantSegment(ctx), body as Record<string, unknown>);
      ctx.set('Access-Control-Allow-Origin', '*');
      return;
    }
    if (route === 'jwks') {
      if (isObject && ctx.status === 200)
        ctx.body = shapeJwks(body, publishedV2Issuer(origin, tenantSegment(ctx)));
      ctx.set('Access-Control-Allow-Origin', '*');
      return;
    }
    if (route === 'authorization' || route === 'resume') {
      if (ctx.status >= 300 && ctx.status < 400) rewriteRedirect(ctx);
      else if (ctx.oidc.params?.['response_mode'] === 'form_post') rewriteFormPost(ctx);
    }
  };
}
