/**
 * The portal's management API below `/portal/`: runtime settings, the app registrations (platform,
 * redirect URIs, implicit grant, public client flows, client secrets, certificates, consent) and a reset
 * to the seeded directory. JSON for the browser app (CORS-enabled for any http://localhost or
 * http://127.0.0.1 origin) and HTML form posts from the portal page (answered with a redirect back to
 * it, or the page with the error or the new secret's value).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCertificate, summarizeCertificate, type CertificateStore } from './certificates.ts';
import type { ConsentStore } from './consents.ts';
import { findUserById, findUserByName } from './directory.ts';
import { isFormBody, readBody, sendHtml, sendJson, sendRedirect } from './http-utils.ts';
import type { SmartLockout } from './lockout.ts';
import {
  appView,
  buildDirectory,
  lockoutViews,
  portalPage,
  type MemoryReport,
  type PortalFlash,
  type PortalView,
} from './portal.ts';
import { allPermissions } from './provider-config.ts';
import {
  parseAppPatch,
  type AppRegistration,
  type AppRegistry,
  type RegistryResult,
} from './registrations.ts';
import { parseSettingsForm, parseSettingsPatch, type SandboxSettings } from './settings.ts';

/**
 * The tenant state the portal API changes. Every change is in the shared store (so on every sandbox
 * instance of the tenant) before the answer is sent.
 */
export interface PortalState {
  /** The live settings (read only here: {@link changeSettings} changes them). */
  readonly settings: Readonly<SandboxSettings>;
  readonly certificates: CertificateStore;
  readonly registry: AppRegistry;
  readonly consents: ConsentStore;
  /** The sandbox's own origin (to render the portal page after a form post). */
  readonly origin: string;
  readonly lockout: SmartLockout;
  /** Applies a validated settings change for the whole tenant. */
  readonly changeSettings: (patch: Partial<SandboxSettings>) => Promise<void>;
  /** What the portal renders, read now (consents, lockouts, memory figures). */
  readonly view: () => Promise<PortalView>;
  /** What the sandbox holds now (the artifact store, and the shared store's per-flow records). */
  readonly memory: () => Promise<MemoryReport>;
  /** Removes every expired entry now (the artifact store; the shared store's records expire by themselves). */
  readonly sweep: () => Promise<void>;
}

/** Path prefix of the portal API. */
export const PORTAL_API_PREFIX = '/portal/';

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin !== undefined && LOCAL_ORIGIN.test(origin)
    ? { 'access-control-allow-origin': origin, vary: 'Origin', 'cache-control': 'no-store' }
    : { vary: 'Origin', 'cache-control': 'no-store' };
}

type Reply = (status: number, body: unknown) => void;

/** One request below `/portal/`, with what every route needs. */
interface PortalRequest {
  readonly state: PortalState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly reply: Reply;
  /** True for an HTML form post from the portal page (a form-urlencoded body); JSON otherwise. */
  readonly fromForm: boolean;
}

const notFound = (reply: Reply, what: string): void =>
  reply(404, { error: 'not_found', error_description: `No ${what}.` });
const badMethod = (reply: Reply, allowed: string): void =>
  reply(405, { error: 'method_not_allowed', error_description: `Use ${allowed}.` });

/** Handles one request below `/portal/`. */
export async function handlePortalRequest(
  state: PortalState,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const origin = req.headers.origin;
  const headers = corsHeaders(origin);
  const reply: Reply = (status, body) => sendJson(res, status, body, headers);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res
      .writeHead(204, {
        ...headers,
        'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      })
      .end();
    return;
  }
  // A page on another site must not change the sandbox (form posts need no preflight). The portal's own
  // pages send `Referrer-Policy: no-referrer`, under which a browser serialises the Origin of their form
  // posts as "null" (Fetch §3.1, "serializing a request origin"); such a post is the portal's own only when
  // the browser also says `Sec-Fetch-Site: same-origin`, a header no page can set.
  const ownPage = origin === 'null' && req.headers['sec-fetch-site'] === 'same-origin';
  if (method !== 'GET' && origin !== undefined && !LOCAL_ORIGIN.test(origin) && !ownPage) {
    reply(403, {
      error: 'forbidden',
      error_description: `Origin '${origin}' may not change sandbox settings.`,
    });
    return;
  }
  const path = pathname.slice(PORTAL_API_PREFIX.length).split('/');
  const r: PortalRequest = { state, req, res, method, reply, fromForm: isFormBody(req) };
  if (path[0] === 'settings' && path.length === 1) return settingsRoute(r);
  if (path[0] === 'reset' && path.length === 1) return resetRoute(r);
  if (path[0] === 'lockouts' && path.length <= 3) return lockoutsRoute(r, path[1], path[2]);
  if (path[0] === 'memory' && path.length <= 2) return memoryRoute(r, path[1]);
  if (path[0] === 'apps' && path.length === 1) {
    if (method !== 'GET') return badMethod(reply, 'GET');
    const view = await state.view();
    return reply(
      200,
      state.registry.list().map((app) => appView(app, view)),
    );
  }
  if (path[0] !== 'apps') return notFound(reply, `portal endpoint at ${pathname}`);
  const app = state.registry.find(path[1]);
  if (!app) return notFound(reply, `app registration '${path[1] ?? ''}'`);
  const [, , collection, item, action] = path;
  if (path.length > 5 || (action !== undefined && action !== 'delete')) {
    return notFound(reply, `portal endpoint at ${pathname}`);
  }
  const remove = method === 'DELETE' || (method === 'POST' && action === 'delete');
  switch (collection) {
    case undefined:
      return appRoute(r, app);
    case 'certificates':
      return certificatesRoute(r, app, item, remove);
    case 'redirect-uris':
      return redirectUrisRoute(r, app, item, remove);
    case 'secrets':
      return secretsRoute(r, app, item, remove);
    case 'consents':
      return consentsRoute(r, app, item, remove);
    default:
      return notFound(reply, `portal endpoint at ${pathname}`);
  }
}

/** Reads a JSON or form body into plain fields. */
async function readFields(r: PortalRequest): Promise<Record<string, unknown> | undefined> {
  const text = (await readBody(r.req)).toString('utf8');
  if (r.fromForm) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const invalidJson = (r: PortalRequest): void =>
  r.reply(400, { error: 'invalid_request', error_description: 'Expected a JSON object.' });

/** After a form post: back to the app's section, or the page with an error (400). */
async function answerForm(r: PortalRequest, clientId: string | undefined, error?: string): Promise<void> {
  if (error === undefined) {
    sendRedirect(r.res, clientId ? `/#app-${clientId}` : '/#apps', 303);
    return;
  }
  const flash: PortalFlash = { kind: 'error', message: error, ...(clientId ? { clientId } : {}) };
  sendHtml(r.res, 400, portalPage(r.state.origin, await r.state.view(), flash));
}

/** Answers a registry change: the app's new state as JSON, or back to the portal page. */
async function answerChange(
  r: PortalRequest,
  result: RegistryResult,
  clientId: string,
  created = false,
): Promise<void> {
  if (r.fromForm) return answerForm(r, clientId, result.ok ? undefined : result.message);
  if (!result.ok) {
    const error = result.status === 404 ? 'not_found' : 'invalid_request';
    return r.reply(result.status, { error, error_description: result.message });
  }
  r.reply(created ? 201 : 200, appView(result.value, await r.state.view()));
}

async function settingsRoute(r: PortalRequest): Promise<void> {
  const { state, method, reply } = r;
  if (method === 'GET') return reply(200, { ...state.settings });
  if (method !== 'POST') return badMethod(reply, 'GET or POST');
  const text = (await readBody(r.req)).toString('utf8');
  let parsed: ReturnType<typeof parseSettingsPatch>;
  if (r.fromForm) {
    parsed = parseSettingsForm(new URLSearchParams(text));
  } else {
    try {
      parsed = parseSettingsPatch(JSON.parse(text) as unknown);
    } catch {
      parsed = { ok: false, message: 'The body is not valid JSON.' };
    }
  }
  if (!parsed.ok) return reply(400, { error: 'invalid_request', error_description: parsed.message });
  await state.changeSettings(parsed.patch);
  if (r.fromForm) return sendRedirect(r.res, '/#settings', 303);
  reply(200, { ...state.settings });
}

/**
 * `GET /portal/lockouts`: accounts with smart lockout state; `DELETE /portal/lockouts/{user}` (or the
 * portal form's `POST …/{user}/delete`) unlocks one, `{user}` a user principal name or object id.
 */
async function lockoutsRoute(
  r: PortalRequest,
  item: string | undefined,
  action: string | undefined,
): Promise<void> {
  const { state, reply } = r;
  if (item === undefined || item === '') {
    if (action !== undefined) return notFound(reply, 'portal endpoint there');
    if (r.method !== 'GET') return badMethod(reply, 'GET');
    return reply(200, lockoutViews(await state.lockout.snapshot()));
  }
  if (action !== undefined && action !== 'delete') return notFound(reply, 'portal endpoint there');
  const remove = r.method === 'DELETE' || (r.method === 'POST' && action === 'delete');
  if (!remove) return badMethod(reply, 'DELETE');
  const name = safeDecode(item);
  const user = name === undefined ? undefined : (findUserByName(name) ?? findUserById(name));
  if (!user) {
    const message = `No user '${name ?? item}' in the sandbox tenant.`;
    if (r.fromForm) return answerForm(r, undefined, message);
    return notFound(reply, `user '${name ?? item}' in the sandbox tenant`);
  }
  await state.lockout.unlock(user.oid);
  if (r.fromForm) return sendRedirect(r.res, '/#lockouts', 303);
  reply(200, lockoutViews(await state.lockout.snapshot()));
}

/** `GET /portal/memory`: what the sandbox holds; `POST /portal/memory/sweep` removes expired entries now. */
async function memoryRoute(r: PortalRequest, action: string | undefined): Promise<void> {
  const { state, reply } = r;
  if (action === undefined || action === '') {
    if (r.method !== 'GET') return badMethod(reply, 'GET');
    return reply(200, await state.memory());
  }
  if (action !== 'sweep') return notFound(reply, 'portal endpoint there');
  if (r.method !== 'POST') return badMethod(reply, 'POST');
  await state.sweep();
  if (r.fromForm) return sendRedirect(r.res, '/#memory', 303);
  reply(200, await state.memory());
}

/**
 * `POST /portal/reset`: the seeded app registrations, no added certificates, no recorded consent, for
 * every sandbox instance of the tenant (the shared store's copy is what is reset).
 */
async function resetRoute(r: PortalRequest): Promise<void> {
  if (r.method !== 'POST') return badMethod(r.reply, 'POST');
  await r.state.registry.reset();
  await r.state.certificates.clear();
  await r.state.consents.reset();
  if (r.fromForm) return answerForm(r, undefined);
  r.reply(200, buildDirectory(r.state.origin, await r.state.view()));
}

/** Reads the portal page's authentication form: unchecked boxes are absent, so absence means false. */
function parseAppForm(fields: Record<string, unknown>): ReturnType<typeof parseAppPatch> {
  const platform = fields['platform'];
  const audience = fields['signInAudience'];
  const version = fields['accessTokenAcceptedVersion'];
  // The form posts "null", "1" or "2"; anything else is handed on as is, for parseAppPatch's message.
  const versions: Readonly<Record<string, 1 | 2 | null>> = { null: null, '1': 1, '2': 2 };
  return parseAppPatch({
    ...(typeof platform === 'string' ? { platform } : {}),
    ...(audience === undefined ? {} : { signInAudience: audience }),
    ...(version === undefined
      ? {}
      : {
          accessTokenAcceptedVersion:
            typeof version === 'string' && Object.hasOwn(versions, version) ? versions[version] : version,
        }),
    implicitIdTokens: 'implicitIdTokens' in fields,
    implicitAccessTokens: 'implicitAccessTokens' in fields,
    allowPublicClientFlows: 'allowPublicClientFlows' in fields,
  });
}

/** `GET`/`PATCH /portal/apps/{clientId}` (the portal page's form POSTs the same fields). */
async function appRoute(r: PortalRequest, app: AppRegistration): Promise<void> {
  if (r.method === 'GET') return r.reply(200, appView(app, await r.state.view()));
  if (r.method !== 'PATCH' && !(r.method === 'POST' && r.fromForm)) return badMethod(r.reply, 'GET or PATCH');
  const fields = await readFields(r);
  if (!fields) return invalidJson(r);
  const parsed = r.fromForm ? parseAppForm(fields) : parseAppPatch(fields);
  if (!parsed.ok) {
    return answerChange(r, { ok: false, status: 400, message: parsed.message }, app.clientId);
  }
  await answerChange(r, await r.state.registry.update(app.clientId, parsed.patch), app.clientId);
}

/** `POST /portal/apps/{id}/redirect-uris` `{ uri }`; `DELETE …/redirect-uris/{encoded uri}`. */
async function redirectUrisRoute(
  r: PortalRequest,
  app: AppRegistration,
  item: string | undefined,
  remove: boolean,
): Promise<void> {
  if (item === undefined) {
    if (r.method === 'GET') return r.reply(200, app.redirectUris);
    if (r.method !== 'POST') return badMethod(r.reply, 'GET or POST');
    const fields = await readFields(r);
    if (!fields) return invalidJson(r);
    const uri = fields['uri'];
    if (typeof uri !== 'string' || uri.trim() === '') {
      return answerChange(r, { ok: false, status: 400, message: 'uri is required.' }, app.clientId);
    }
    return answerChange(r, await r.state.registry.addRedirectUri(app.clientId, uri), app.clientId, true);
  }
  if (!remove) return badMethod(r.reply, 'DELETE');
  let uri: string;
  try {
    uri = decodeURIComponent(item);
  } catch {
    return notFound(r.reply, 'such redirect URI');
  }
  await answerChange(r, await r.state.registry.removeRedirectUri(app.clientId, uri), app.clientId);
}

/** `POST /portal/apps/{id}/secrets` `{ description?, expiresInDays? }`; `DELETE …/secrets/{secret id}`. */
async function secretsRoute(
  r: PortalRequest,
  app: AppRegistration,
  item: string | undefined,
  remove: boolean,
): Promise<void> {
  if (item === undefined) {
    if (r.method === 'GET') return r.reply(200, appView(app, await r.state.view()).secrets);
    if (r.method !== 'POST') return badMethod(r.reply, 'GET or POST');
    const fields = await readFields(r);
    if (!fields) return invalidJson(r);
    const { description, expiresInDays } = fields;
    const days = r.fromForm && typeof expiresInDays === 'string' ? Number(expiresInDays) : expiresInDays;
    if (description !== undefined && typeof description !== 'string') {
      return answerChange(
        r,
        { ok: false, status: 400, message: 'description must be a string.' },
        app.clientId,
      );
    }
    if (days !== undefined && typeof days !== 'number') {
      return answerChange(
        r,
        { ok: false, status: 400, message: 'expiresInDays must be a number.' },
        app.clientId,
      );
    }
    const created = await r.state.registry.addSecret(app.clientId, {
      ...(description === undefined ? {} : { description }),
      ...(days === undefined ? {} : { expiresInDays: days }),
    });
    if (!created.ok) return answerChange(r, created, app.clientId);
    const { seeded: _seeded, ...secret } = created.value;
    if (r.fromForm) {
      // Shown once, as Entra does: the page answering the post is the only place the value appears.
      const flash: PortalFlash = { kind: 'secret', clientId: app.clientId, ...secret };
      return sendHtml(r.res, 200, portalPage(r.state.origin, await r.state.view(), flash));
    }
    return r.reply(201, secret);
  }
  if (!remove) return badMethod(r.reply, 'DELETE');
  const result = await r.state.registry.removeSecret(app.clientId, decodeURIComponent(item));
  if (r.fromForm || !result.ok) return answerChange(r, result, app.clientId);
  r.res.writeHead(204, corsHeaders(r.req.headers.origin)).end();
}

/**
 * `POST /portal/apps/{id}/consents` `{ user }` (a user principal name or object id, or `admin` for admin
 * consent) grants every permission the app registration lists; `DELETE …/consents/{user | admin}` revokes.
 */
async function consentsRoute(
  r: PortalRequest,
  app: AppRegistration,
  item: string | undefined,
  remove: boolean,
): Promise<void> {
  const { consents } = r.state;
  const answer = async (error?: string): Promise<void> => {
    if (r.fromForm) return answerForm(r, app.clientId, error);
    if (error !== undefined) return r.reply(400, { error: 'invalid_request', error_description: error });
    r.reply(200, appView(app, await r.state.view()).consent);
  };
  let target: string | undefined = item === undefined ? undefined : safeDecode(item);
  if (item === undefined) {
    if (r.method === 'GET') return r.reply(200, appView(app, await r.state.view()).consent);
    if (r.method !== 'POST') return badMethod(r.reply, 'GET or POST');
    const fields = await readFields(r);
    if (!fields) return invalidJson(r);
    const user = fields['user'];
    const admin = fields['admin'] === true || user === 'admin';
    if (admin) {
      await consents.grantAdmin(app.clientId);
      return answer();
    }
    target = typeof user === 'string' ? user : undefined;
    const found = target === undefined ? undefined : (findUserByName(target) ?? findUserById(target));
    if (!found) return answer(`No user '${target ?? ''}' in the sandbox tenant.`);
    await consents.grant(found.oid, app.clientId, allPermissions(app));
    return answer();
  }
  if (!remove) return badMethod(r.reply, 'DELETE');
  if (target === 'admin') {
    await consents.revokeAdmin(app.clientId);
    return answer();
  }
  const found = target === undefined ? undefined : (findUserByName(target) ?? findUserById(target));
  if (!found) return notFound(r.reply, `user '${target ?? ''}' in the sandbox tenant`);
  await consents.revoke(found.oid, app.clientId);
  await answer();
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** `GET`/`POST /portal/apps/{id}/certificates`, `DELETE …/certificates/{thumbprint}`. */
async function certificatesRoute(
  r: PortalRequest,
  app: AppRegistration,
  thumbprint: string | undefined,
  remove: boolean,
): Promise<void> {
  const { state, reply } = r;
  const list = (): unknown => state.certificates.list(app.clientId).map(summarizeCertificate);
  const back = `/#app-${app.clientId}`;

  if (thumbprint === undefined) {
    if (r.method === 'GET') return reply(200, list());
    if (r.method !== 'POST') return badMethod(reply, 'GET or POST');
    // Certificate credentials authenticate Web apps; SPAs and public clients present none (AADSTS700025).
    if (app.platform !== 'web') {
      return reply(400, {
        error: 'invalid_request',
        error_description: `${app.displayName} is not on the Web platform; the sandbox accepts certificates for Web apps (confidential clients) only.`,
      });
    }
    const text = (await readBody(r.req)).toString('utf8');
    let pem: unknown;
    if (!r.fromForm) {
      try {
        pem = (JSON.parse(text) as { pem?: unknown }).pem;
      } catch {
        pem = undefined;
      }
    } else {
      pem = new URLSearchParams(text).get('pem');
    }
    const parsed = parseCertificate(typeof pem === 'string' ? pem : '');
    if (!parsed.ok) return reply(400, { error: 'invalid_request', error_description: parsed.message });
    await state.certificates.add(app.clientId, parsed.certificate);
    if (r.fromForm) return sendRedirect(r.res, back, 303);
    return reply(201, summarizeCertificate(parsed.certificate));
  }

  if (!remove) return badMethod(reply, 'DELETE');
  const removed = await state.certificates.remove(app.clientId, decodeURIComponent(thumbprint));
  if (r.method === 'POST') return sendRedirect(r.res, back, 303);
  if (!removed)
    return reply(404, { error: 'not_found', error_description: `No certificate '${thumbprint}'.` });
  r.res.writeHead(204, corsHeaders(r.req.headers.origin)).end();
}
