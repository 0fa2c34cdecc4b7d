/**
 * The portal's small management API below `/portal/`: runtime settings and certificate credentials,
 * as JSON (for the browser app, CORS-enabled for any http://localhost or http://127.0.0.1 origin) and
 * as HTML form posts from the portal page (answered with a redirect back to it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCertificate, summarizeCertificate, type CertificateStore } from './certificates.ts';
import { findApp, isConfidential } from './directory.ts';
import { readBody, sendJson, sendRedirect } from './http-utils.ts';
import { parseSettingsForm, parseSettingsPatch, type SandboxSettings } from './settings.ts';

/** The per-instance state the portal API changes. */
export interface PortalState {
  readonly settings: SandboxSettings;
  readonly certificates: CertificateStore;
}

/** Path prefix of the portal API. */
export const PORTAL_API_PREFIX = '/portal/';

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin !== undefined && LOCAL_ORIGIN.test(origin)
    ? { 'access-control-allow-origin': origin, vary: 'Origin', 'cache-control': 'no-store' }
    : { vary: 'Origin', 'cache-control': 'no-store' };
}

function isJson(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}

type Reply = (status: number, body: unknown) => void;

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
        'access-control-allow-methods': 'GET, POST, DELETE',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      })
      .end();
    return;
  }
  // A page on another site must not change the sandbox (form posts need no preflight).
  if (method !== 'GET' && origin !== undefined && !LOCAL_ORIGIN.test(origin)) {
    reply(403, {
      error: 'forbidden',
      error_description: `Origin '${origin}' may not change sandbox settings.`,
    });
    return;
  }
  const path = pathname.slice(PORTAL_API_PREFIX.length).split('/');
  if (path[0] === 'settings' && path.length === 1) return settingsRoute(state, req, res, method, reply);
  if (path[0] === 'apps' && path[2] === 'certificates' && path.length <= 5) {
    return certificatesRoute(state, req, res, method, reply, path);
  }
  reply(404, { error: 'not_found', error_description: `No portal endpoint at ${pathname}.` });
}

async function settingsRoute(
  state: PortalState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  reply: Reply,
): Promise<void> {
  if (method === 'GET') return reply(200, { ...state.settings });
  if (method !== 'POST')
    return reply(405, { error: 'method_not_allowed', error_description: 'Use GET or POST.' });
  const text = (await readBody(req)).toString('utf8');
  const fromForm = !isJson(req);
  let parsed: ReturnType<typeof parseSettingsPatch>;
  if (fromForm) {
    parsed = parseSettingsForm(new URLSearchParams(text));
  } else {
    try {
      parsed = parseSettingsPatch(JSON.parse(text) as unknown);
    } catch {
      parsed = { ok: false, message: 'The body is not valid JSON.' };
    }
  }
  if (!parsed.ok) return reply(400, { error: 'invalid_request', error_description: parsed.message });
  Object.assign(state.settings, parsed.patch);
  if (fromForm) return sendRedirect(res, '/#settings', 303);
  reply(200, { ...state.settings });
}

async function certificatesRoute(
  state: PortalState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  reply: Reply,
  path: readonly string[],
): Promise<void> {
  const app = findApp(path[1]);
  if (!app)
    return reply(404, { error: 'not_found', error_description: `No app registration '${path[1] ?? ''}'.` });
  const thumbprint = path[3];
  const list = (): unknown => state.certificates.list(app.clientId).map(summarizeCertificate);
  const back = `/#app-${app.clientId}`;

  if (thumbprint === undefined) {
    if (method === 'GET') return reply(200, list());
    if (method !== 'POST')
      return reply(405, { error: 'method_not_allowed', error_description: 'Use GET or POST.' });
    // Certificate credentials authenticate confidential clients; public clients present none (AADSTS700025).
    if (!isConfidential(app)) {
      return reply(400, {
        error: 'invalid_request',
        error_description: `${app.displayName} is a public client; the sandbox accepts certificates for confidential apps only.`,
      });
    }
    const text = (await readBody(req)).toString('utf8');
    let pem: unknown;
    if (isJson(req)) {
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
    state.certificates.add(app.clientId, parsed.certificate);
    if (!isJson(req)) return sendRedirect(res, back, 303);
    return reply(201, summarizeCertificate(parsed.certificate));
  }

  const viaForm = method === 'POST' && path[4] === 'delete';
  if (method !== 'DELETE' && !viaForm) {
    return reply(405, { error: 'method_not_allowed', error_description: 'Use DELETE.' });
  }
  const removed = state.certificates.remove(app.clientId, decodeURIComponent(thumbprint));
  if (viaForm) return sendRedirect(res, back, 303);
  if (!removed)
    return reply(404, { error: 'not_found', error_description: `No certificate '${thumbprint}'.` });
  res.writeHead(204, corsHeaders(req.headers.origin)).end();
}
