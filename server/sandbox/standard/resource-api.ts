/**
 * The standards sandbox's protected resource, `/standard/api/me`: it accepts the issuer's RFC 9068 JWT
 * access tokens for its resource, as Bearer tokens (RFC 6750) when they are not sender-constrained and
 * only as DPoP tokens with a valid proof when they are (RFC 9449 §7). It asks for its own nonce in
 * proofs (RFC 9449 §9), refuses replayed proofs, and answers JSON about the token it accepted.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  EmbeddedJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import { createMemoryStore } from '../store/memory-store.ts';
import type { SharedStore } from '../store/shared-store.ts';

/** Where the protected resource answers (any method, CORS preflight included). */
export const STANDARD_API_PATH = '/standard/api/me';

/** What the resource needs to check tokens: the issuer, its own identifier and the issuer's public keys. */
export interface ResourceDeps {
  readonly issuer: string;
  readonly resource: string;
  readonly publicJwks: { readonly keys: readonly JWK[] };
  /**
   * Where its nonces and the proofs' `jti` it has seen are kept: the tenant's shared store, so a proof
   * refused as a replay on one sandbox instance is refused on all, and a nonce one instance handed out is
   * accepted by the others. Absent: a store of its own in this process.
   */
  readonly shared?: SharedStore;
}

/** RFC 9449 §7.1: the proof algorithms this resource accepts (asymmetric only, §4.2). */
const PROOF_ALGORITHMS = ['ES256', 'PS256', 'RS256'] as const;
const ALGS = PROOF_ALGORITHMS.join(' ');
/** RFC 9449 §11.1: how far a proof's iat may be from now, either way. */
const IAT_WINDOW_SECONDS = 60;
/** How long one resource nonce is handed out; the previous one stays good for one more period. */
const NONCE_PERIOD_MS = 5 * 60_000;

/** The resource's nonces (RFC 9449 §9): the one handed out now, the one before, when it rotates. */
interface Nonces {
  readonly current: string;
  readonly previous?: string;
  readonly rotatesAt: number;
}

interface ResourceState {
  readonly verifyKeys: ReturnType<typeof createLocalJWKSet>;
  /** Nonces under `standard:dpop:nonces`; each seen `jti` under `standard:dpop:jti:{jti}`, with a TTL. */
  readonly store: SharedStore;
}

const NONCES_KEY = 'standard:dpop:nonces';
const JTI_PREFIX = 'standard:dpop:jti:';

// One state per resource (the issuer creates its deps once); held weakly, so a closed sandbox frees it.
const states = new WeakMap<ResourceDeps, ResourceState>();

function stateOf(deps: ResourceDeps): ResourceState {
  let state = states.get(deps);
  if (state === undefined) {
    state = {
      verifyKeys: createLocalJWKSet({ keys: [...deps.publicJwks.keys] }),
      store: deps.shared ?? createMemoryStore(),
    };
    states.set(deps, state);
  }
  return state;
}

function newNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** The nonces now, rotated (once, for every instance) when the current one's period is over. */
async function currentNonces(state: ResourceState, now: number): Promise<Nonces> {
  const known = await state.store.get<Nonces>(NONCES_KEY);
  if (known && now < known.rotatesAt) return known;
  // Made outside the atomic change, which may run again when another instance rotates meanwhile.
  const fresh = newNonce();
  const nonces = await state.store.update<Nonces>(
    NONCES_KEY,
    (current) =>
      current && now < current.rotatesAt
        ? current
        : { current: fresh, ...(current ? { previous: current.current } : {}), rotatesAt: now + NONCE_PERIOD_MS },
    // Past two periods neither nonce is accepted: the record may go.
    { ttlMs: 2 * NONCE_PERIOD_MS },
  );
  return nonces ?? { current: fresh, rotatesAt: now + NONCE_PERIOD_MS };
}

/** The nonce to hand out now. */
async function currentNonce(state: ResourceState, now: number): Promise<string> {
  return (await currentNonces(state, now)).current;
}

async function nonceAccepted(state: ResourceState, nonce: unknown, now: number): Promise<boolean> {
  const nonces = await currentNonces(state, now);
  return typeof nonce === 'string' && (nonce === nonces.current || nonce === nonces.previous);
}

/**
 * RFC 9449 §11.1: records a proof's `jti`; false when it was seen before (a replay). Kept for as long as
 * the proof could pass the iat check, then it leaves the store by itself.
 */
function firstUseOfJti(state: ResourceState, jti: string): Promise<boolean> {
  return state.store.setIfAbsent(`${JTI_PREFIX}${jti}`, 1, { ttlMs: 2 * IAT_WINDOW_SECONDS * 1000 });
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  // RFC 9449 §8: the client must read DPoP-Nonce; RFC 6750 §3: and the challenge.
  'access-control-expose-headers': 'DPoP-Nonce, WWW-Authenticate',
  'cache-control': 'no-store',
};

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** An auth-param value as a quoted-string (RFC 9110 §5.6.4): backslash and quote escaped. */
function quoted(value: string): string {
  // RFC 9110 §5.5: a field value is visible ASCII here (typographic quotes become plain ones).
  const ascii = value.replace(/[\u2018\u2019]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  return `"${ascii.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

type Scheme = 'Bearer' | 'DPoP';

/**
 * A refusal: 401 (400 for a malformed request) with the error in WWW-Authenticate under the scheme the
 * client used, per RFC 6750 §3 and RFC 9449 §7.1, and the same fields in a JSON body for people reading it.
 */
function refuse(
  res: ServerResponse,
  scheme: Scheme,
  error: string,
  description: string,
  extra: Record<string, string> = {},
): void {
  const status = error === 'invalid_request' ? 400 : 401;
  const params = [`error=${quoted(error)}`, `error_description=${quoted(description)}`];
  // RFC 9449 §7.1: a DPoP challenge names the accepted algorithms.
  const challenge =
    scheme === 'DPoP'
      ? `DPoP ${params.join(', ')}, algs=${quoted(ALGS)}`
      : `Bearer realm="standard", ${params.join(', ')}`;
  sendJson(
    res,
    status,
    { error, error_description: description },
    { 'www-authenticate': challenge, ...extra },
  );
}

function sha256Base64Url(text: string): string {
  return createHash('sha256').update(text, 'ascii').digest('base64url');
}

/** The URL this request was made to, as a proof's htu must name it: no query, no fragment. */
function requestUrl(deps: ResourceDeps): string {
  return new URL(STANDARD_API_PATH, deps.issuer).href;
}

/** RFC 9449 §4.3: htu compared after syntax-based normalisation, without query and fragment. */
function normalisedHtu(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

class TokenRejected extends Error {}

async function verifyAccessToken(
  deps: ResourceDeps,
  state: ResourceState,
  token: string,
): Promise<JWTPayload> {
  try {
    // RFC 9068 §4: typ at+jwt, the issuer, this resource as audience, not expired.
    const { payload } = await jwtVerify(token, state.verifyKeys, {
      issuer: deps.issuer,
      audience: deps.resource,
      typ: 'at+jwt',
      requiredClaims: ['exp'],
    });
    return payload;
  } catch (error) {
    throw new TokenRejected(
      `The access token was not accepted: ${error instanceof Error ? error.message : String(error)}. This API takes only JWT access tokens the standards issuer made for ${deps.resource} (ask with resource=${deps.resource}).`,
    );
  }
}

function jktOf(payload: JWTPayload): string | undefined {
  const cnf = payload['cnf'];
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const jkt = (cnf as Record<string, unknown>)['jkt'];
  return typeof jkt === 'string' ? jkt : undefined;
}

/** What the API says about a token it accepted. */
function describeToken(payload: JWTPayload, used: Scheme): Record<string, unknown> {
  const clientId = typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined;
  const sub = typeof payload.sub === 'string' && payload.sub !== clientId ? payload.sub : undefined;
  return {
    ...(sub === undefined ? {} : { sub }),
    ...(clientId === undefined ? {} : { client_id: clientId }),
    scope: payload['scope'] ?? '',
    ...(payload['cnf'] === undefined ? {} : { cnf: payload['cnf'] }),
    token_type_used: used,
    aud: payload.aud,
    exp: payload.exp,
  };
}

/**
 * Checks a DPoP proof for this request (RFC 9449 §4.3); returns the refusal's error and description,
 * or the proof's payload and key thumbprint.
 */
async function checkProof(
  deps: ResourceDeps,
  req: IncomingMessage,
  token: string,
): Promise<
  | { readonly ok: false; readonly error: string; readonly description: string }
  | { readonly ok: true; readonly payload: JWTPayload; readonly jkt: string }
> {
  const header = req.headers['dpop'];
  const bad = (description: string) => ({ ok: false as const, error: 'invalid_dpop_proof', description });
  if (header === undefined || header === '')
    return bad('The request has no DPoP header: every call with a DPoP token needs a fresh proof.');
  // RFC 9449 §4.3: exactly one DPoP header field (Node joins repeated ones with ", ").
  if (Array.isArray(header) || header.includes(',')) return bad('The request has more than one DPoP header.');
  let payload: JWTPayload;
  let jwk: JWK;
  try {
    const protectedHeader = decodeProtectedHeader(header);
    if (protectedHeader.jwk === undefined)
      return bad('The proof header has no jwk: the public key must travel in it.');
    // RFC 9449 §4.3: typ dpop+jwt, an asymmetric alg, a signature valid for the embedded public key.
    const verified = await jwtVerify(header, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...PROOF_ALGORITHMS],
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
    });
    payload = verified.payload;
    jwk = verified.protectedHeader.jwk as JWK;
  } catch (error) {
    return bad(
      `The proof is not a valid DPoP proof: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  const now = Math.floor(Date.now() / 1000);
  if (payload['htm'] !== (req.method ?? 'GET'))
    return bad(
      `The proof is for ${String(payload['htm'])} but this request is ${req.method ?? 'GET'} (htm).`,
    );
  const expected = requestUrl(deps);
  if (normalisedHtu(payload['htu']) !== expected)
    return bad(`The proof is for ${String(payload['htu'])}, not this URL ${expected} (htu).`);
  if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > IAT_WINDOW_SECONDS)
    return bad(
      `The proof's iat is more than ${IAT_WINDOW_SECONDS} seconds from the server's clock: sign a fresh one.`,
    );
  if (typeof payload.jti !== 'string' || payload.jti === '') return bad('The proof has no jti.');
  // RFC 9449 §4.3: ath must be the hash of the access token sent with it.
  if (payload['ath'] === undefined)
    return bad('The proof has no ath: a proof sent with an access token must carry its hash.');
  if (payload['ath'] !== sha256Base64Url(token))
    return bad('The proof’s ath is not the hash of this access token.');
  return { ok: true, payload, jkt: await calculateJwkThumbprint(jwk) };
}

/** Answers one request to {@link STANDARD_API_PATH}. */
export async function handleResourceRequest(
  deps: ResourceDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const state = stateOf(deps);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, {
      ...CORS_HEADERS,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, dpop, accept, content-type',
      'access-control-max-age': '600',
    });
    res.end();
    return;
  }
  if (method !== 'GET' && method !== 'POST') {
    sendJson(
      res,
      405,
      { error: 'method_not_allowed', error_description: 'Use GET.' },
      { allow: 'GET, POST, OPTIONS' },
    );
    return;
  }
  const authorization = req.headers.authorization ?? '';
  const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization);
  if (match === null) {
    // RFC 6750 §3.1: no credentials at all is answered without an error code, naming the schemes.
    const text = JSON.stringify({
      error_description:
        'Send an access token: Authorization: DPoP <token> with a DPoP proof, or Bearer for an unbound token.',
    });
    res.writeHead(401, {
      ...CORS_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'www-authenticate': `Bearer realm="standard", DPoP algs=${quoted(ALGS)}`,
    });
    res.end(text);
    return;
  }
  const schemeWord = (match[1] ?? '').toLowerCase();
  const token = match[2] ?? '';
  if (schemeWord !== 'bearer' && schemeWord !== 'dpop') {
    refuse(
      res,
      'Bearer',
      'invalid_request',
      `The Authorization scheme “${match[1] ?? ''}” is not Bearer or DPoP.`,
    );
    return;
  }
  const scheme: Scheme = schemeWord === 'dpop' ? 'DPoP' : 'Bearer';
  let payload: JWTPayload;
  try {
    payload = await verifyAccessToken(deps, state, token);
  } catch (error) {
    refuse(res, scheme, 'invalid_token', error instanceof Error ? error.message : String(error));
    return;
  }
  const boundTo = jktOf(payload);
  if (scheme === 'Bearer') {
    if (boundTo !== undefined) {
      // RFC 9449 §7.2: a DPoP-bound token presented as a bearer token is refused.
      refuse(
        res,
        'DPoP',
        'invalid_token',
        'This token is DPoP-bound (cnf.jkt): send it as Authorization: DPoP with a proof from its key, not as Bearer.',
      );
      return;
    }
    sendJson(res, 200, describeToken(payload, 'Bearer'));
    return;
  }
  if (boundTo === undefined) {
    refuse(
      res,
      'DPoP',
      'invalid_token',
      'This token is not DPoP-bound (no cnf.jkt): send it as a Bearer token.',
    );
    return;
  }
  const proof = await checkProof(deps, req, token);
  const nowMs = Date.now();
  if (!proof.ok) {
    refuse(res, 'DPoP', proof.error, proof.description);
    return;
  }
  // RFC 9449 §7.1: the proof's key must be the one the token is bound to.
  if (proof.jkt !== boundTo) {
    refuse(
      res,
      'DPoP',
      'invalid_token',
      'The proof was signed by another key than the one this token is bound to (its thumbprint is not cnf.jkt).',
    );
    return;
  }
  // RFC 9449 §9: the resource wants its own nonce in the proof; the answer hands it out.
  if (!(await nonceAccepted(state, proof.payload['nonce'], nowMs))) {
    refuse(res, 'DPoP', 'use_dpop_nonce', 'Resource server requires nonce in DPoP proof', {
      'dpop-nonce': await currentNonce(state, nowMs),
    });
    return;
  }
  // RFC 9449 §11.1: a proof seen before is a replay.
  const jti = String(proof.payload.jti);
  if (!(await firstUseOfJti(state, jti))) {
    refuse(
      res,
      'DPoP',
      'invalid_dpop_proof',
      'This proof’s jti was used before: every request needs a new proof.',
    );
    return;
  }
  sendJson(res, 200, describeToken(payload, 'DPoP'), { 'dpop-nonce': await currentNonce(state, nowMs) });
}
