/**
 * The standards issuer's portal: `/standard/portal` (a page listing its clients, users and settings) and
 * a small sandbox-only JSON API below `/standard/portal/api/` — replace a seeded client's public keys,
 * change the runtime settings. CORS-enabled for local origins only, like the tenant's portal API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWK } from 'jose';
import { escapeHtml } from '../pages.ts';
import { readBody, sendHtml, sendJson } from '../http-utils.ts';
import { SANDBOX_USERS } from '../seed.ts';
import {
  APP_POST_LOGOUT_REDIRECT_URIS,
  APP_REDIRECT_URI,
  CLIENT_SCOPE,
  SEEDED_CLIENTS,
  type SeededClientStore,
} from './clients.ts';
import type { StandardSettings } from './config.ts';
import { standardLayout } from './pages.ts';

/** The portal page's path. */
export const STANDARD_PORTAL_PATH = '/standard/portal';
/** Prefix of the portal's JSON API. */
export const STANDARD_PORTAL_API_PREFIX = '/standard/portal/api/';

/** RFC 7517 §9.2 / RFC 7518 §6: members that make a JWK private (or symmetric); refused here. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'] as const;

/** The prefix of the URN grant types (RFC 8628, RFC 8693), left out in the portal's table. */
const URN_GRANT_PREFIX = 'urn:ietf:params:oauth:grant-type:';

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** What the portal reads and changes. */
export interface StandardPortalState {
  readonly issuer: string;
  readonly clients: SeededClientStore;
  /** The live settings (read only here: {@link changeSettings} changes them). */
  readonly settings: Readonly<StandardSettings>;
  /** Applies a validated settings change for every sandbox instance of the tenant. */
  readonly changeSettings: (patch: Partial<StandardSettings>) => Promise<void>;
}

function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin !== undefined && LOCAL_ORIGIN.test(origin)
    ? { 'access-control-allow-origin': origin, vary: 'Origin', 'cache-control': 'no-store' }
    : { vary: 'Origin', 'cache-control': 'no-store' };
}

/** Checks a `{ keys: [...] }` body: public JWKs only. Returns the keys or an error message. */
export function parsePublicJwks(body: unknown): { keys: JWK[] } | { error: string } {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    return { error: 'Send {"keys":[<public JWK>, …]} with at least one key.' };
  }
  for (const [i, key] of keys.entries()) {
    if (typeof key !== 'object' || key === null || typeof (key as JWK).kty !== 'string') {
      return { error: `keys[${i}] is not a JWK (it needs at least "kty").` };
    }
    const secret = PRIVATE_MEMBERS.filter((m) => m in key);
    if (secret.length > 0) {
      return {
        error: `keys[${i}] has private members (${secret.join(', ')}). Register only the public key; the private key stays with the client.`,
      };
    }
  }
  return { keys: keys as JWK[] };
}

/** Parses a settings patch. */
function parseSettings(body: unknown): Partial<StandardSettings> | { error: string } {
  if (typeof body !== 'object' || body === null) return { error: 'Send a JSON object.' };
  const patch: Partial<StandardSettings> = {};
  const b = body as Record<string, unknown>;
  if ('parRequestUriLifetimeSeconds' in b) {
    const v = b['parRequestUriLifetimeSeconds'];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 60) {
      return { error: 'parRequestUriLifetimeSeconds must be a whole number from 1 to 60.' };
    }
    patch.parRequestUriLifetimeSeconds = v;
  }
  if ('dpopNonceRequired' in b) {
    if (typeof b['dpopNonceRequired'] !== 'boolean')
      return { error: 'dpopNonceRequired must be true or false.' };
    patch.dpopNonceRequired = b['dpopNonceRequired'];
  }
  return patch;
}

/** Answers a request below {@link STANDARD_PORTAL_API_PREFIX}. */
export async function handleStandardPortalApi(
  state: StandardPortalState,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const headers = corsHeaders(req.headers.origin);
  const reply = (status: number, body: unknown): void => sendJson(res, status, body, headers);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, {
      ...headers,
      'access-control-allow-methods': 'GET, POST, PATCH',
      'access-control-allow-headers': 'content-type',
      'access-control-max-age': '600',
    });
    res.end();
    return;
  }
  const rest = pathname.slice(STANDARD_PORTAL_API_PREFIX.length);
  const readJson = async (): Promise<unknown> => {
    try {
      return JSON.parse((await readBody(req)).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
  if (rest === 'settings') {
    if (method === 'GET') return reply(200, state.settings);
    if (method !== 'POST' && method !== 'PATCH') return reply(405, { error: 'method_not_allowed' });
    const patch = parseSettings(await readJson());
    if ('error' in patch) return reply(400, { error: 'invalid_request', error_description: patch.error });
    await state.changeSettings(patch);
    return reply(200, state.settings);
  }
  const jwksMatch = /^clients\/([^/]+)\/jwks$/.exec(rest);
  if (jwksMatch) {
    const clientId = decodeURIComponent(jwksMatch[1] ?? '');
    if (!state.clients.has(clientId)) {
      return reply(404, {
        error: 'not_found',
        error_description: `No seeded client ${clientId}. Clients registered dynamically change their keys through RFC 7592 management.`,
      });
    }
    if (method === 'GET') return reply(200, state.clients.find(clientId)?.jwks ?? { keys: [] });
    if (method !== 'POST' && method !== 'PUT') return reply(405, { error: 'method_not_allowed' });
    const parsed = parsePublicJwks(await readJson());
    if ('error' in parsed) return reply(400, { error: 'invalid_request', error_description: parsed.error });
    await state.clients.setJwks(clientId, parsed.keys);
    return reply(200, { client_id: clientId, keys: parsed.keys.length });
  }
  reply(404, { error: 'not_found', error_description: `No standards portal API at ${pathname}.` });
}

/** The portal page: clients, users (with their sandbox passwords) and settings. */
export function standardPortalPage(state: StandardPortalState): string {
  const clients = SEEDED_CLIENTS.map((c) => {
    const m = state.clients.find(c.client_id);
    const keys = m?.jwks?.keys?.length;
    return `<tr><td><code>${escapeHtml(c.client_id)}</code><br>${escapeHtml(c.client_name)}</td>
<td><code>${escapeHtml(c.token_endpoint_auth_method)}</code>${c.client_secret ? `<br>secret: <code>${escapeHtml(c.client_secret)}</code>` : ''}${keys === undefined ? '' : `<br>${keys} public key(s) registered`}</td>
<td class="nowrap">${(m?.grant_types ?? []).map((g) => `<code>${escapeHtml(g.replace(URN_GRANT_PREFIX, ''))}</code>`).join('<br>')}</td>
<td>${escapeHtml(c.note)}</td></tr>`;
  }).join('\n');
  const users = SANDBOX_USERS.map(
    (u) =>
      `<tr><td>${escapeHtml(u.displayName)}</td><td><code>${escapeHtml(u.userPrincipalName)}</code></td><td><code>${escapeHtml(u.password)}</code></td></tr>`,
  ).join('\n');
  return standardLayout(
    'Standards sandbox portal',
    `<h1>Standards sandbox portal</h1>
<p>Issuer <code>${escapeHtml(state.issuer)}</code> — discovery at <a href="${escapeHtml(state.issuer)}/.well-known/openid-configuration"><code>/standard/.well-known/openid-configuration</code></a>. Back to the <a href="/">sandbox tenant portal</a>.</p>
<p class="hint">Sandbox-only test data: the secrets and passwords below are published on purpose and work only here.</p>
<h2>Clients</h2>
<p class="hint">Every seeded client has the redirect URI <code>${escapeHtml(APP_REDIRECT_URI)}</code> (on localhost any port matches) and the post-logout redirect URIs ${APP_POST_LOGOUT_REDIRECT_URIS.map((u) => `<code>${escapeHtml(u)}</code>`).join(' and ')}. Every client may ask for <code>${escapeHtml(CLIENT_SCOPE)}</code>; <code>api.read</code> belongs to the resource <code>${escapeHtml(state.issuer)}/api</code>.</p>
<table><thead><tr><th scope="col">Client</th><th scope="col">Authentication</th><th scope="col">Grants</th><th scope="col">Note</th></tr></thead>
<tbody>${clients}</tbody></table>
<p class="hint"><code>device_code</code> and <code>token-exchange</code> stand for the grant types <code>${URN_GRANT_PREFIX}device_code</code> and <code>${URN_GRANT_PREFIX}token-exchange</code>.</p>
<h2>Users</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Username</th><th scope="col">Password</th></tr></thead>
<tbody>${users}</tbody></table>
<h2>Settings</h2>
<ul>
<li>Pushed request (<code>request_uri</code>) lifetime: ${state.settings.parRequestUriLifetimeSeconds} s</li>
<li>DPoP nonce required: ${state.settings.dpopNonceRequired ? 'on' : 'off'}</li>
</ul>
<p class="hint">Change them with <code>POST ${STANDARD_PORTAL_API_PREFIX}settings</code> and a JSON body such as <code>{"dpopNonceRequired": false}</code>.</p>`,
    { wide: true },
  );
}

/** Sends the portal page. */
export function sendStandardPortalPage(state: StandardPortalState, res: ServerResponse): void {
  sendHtml(res, 200, standardPortalPage(state));
}
