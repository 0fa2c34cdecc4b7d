/**
 * Client authentication at the token endpoint (and the introspection and revocation endpoints):
 * the methods a client may use, which ones a provider offers, the Basic encoding step by step, and
 * the JWT assertions of client_secret_jwt (HS256 with the secret) and private_key_jwt (a key pair
 * made in the browser with WebCrypto; the private key is non-extractable and stays in memory).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
import type { JWK } from 'jose';
import type { ClientAssertionClaims } from './client-assertion.ts';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';
import {
  CLIENT_AUTH_METHODS,
  clientAuthMethods,
  type AuthenticatedEndpoint,
  type ClientAuthMethod,
  type FeatureMetadata,
} from './provider-features.ts';
import type { HttpExchange, RecordedRequest } from './http.ts';
import { buildBasicAuthorization, formUrlEncode, type ClientAuthentication } from './token.ts';

export type { ClientAuthMethod } from './provider-features.ts';
export { CLIENT_AUTH_METHODS };

/**
 * The methods a confidential client may choose from, in the order the page lists them.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
export const CONFIDENTIAL_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
] as const satisfies readonly ClientAuthMethod[];

/**
 * Whether a value names one of the methods this app knows.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function isClientAuthMethod(value: unknown): value is ClientAuthMethod {
  return typeof value === 'string' && (CLIENT_AUTH_METHODS as readonly string[]).includes(value);
}

/**
 * What each method sends, in one line, with its source.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
export const CLIENT_AUTH_METHOD_INFO: Readonly<
  Record<ClientAuthMethod, { readonly label: string; readonly sends: string; readonly spec: string }>
> = {
  none: {
    label: 'None (public client)',
    sends: 'Only client_id in the body: a public client has no secret to prove anything with.',
    spec: 'RFC 6749 §2.1',
  },
  client_secret_basic: {
    label: 'client_secret_basic',
    sends:
      'An Authorization: Basic header: id and secret form-urlencoded, joined by a colon, base64-encoded.',
    spec: 'RFC 6749 §2.3.1',
  },
  client_secret_post: {
    label: 'client_secret_post',
    sends: 'client_id and client_secret as fields of the form body.',
    spec: 'RFC 6749 §2.3.1',
  },
  client_secret_jwt: {
    label: 'client_secret_jwt',
    sends:
      'A short-lived JWT signed with HMAC (HS256) using the secret as the key; the secret itself never travels.',
    spec: 'OIDC Core §9 · RFC 7523 §2.2',
  },
  private_key_jwt: {
    label: 'private_key_jwt',
    sends:
      'A short-lived JWT signed with a private key only the client holds; the server checks it with the registered public key.',
    spec: 'OIDC Core §9 · RFC 7523 §2.2',
  },
};

// ---------------------------------------------------------------------------------------------------
// Which methods a provider offers

/**
 * One method's verdict for the current provider: offered, or why not.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export interface ClientAuthMethodAssessment {
  readonly method: ClientAuthMethod;
  readonly offered: boolean;
  /** Why it is not offered, or a caveat about it; absent when there is nothing to add. */
  readonly reason?: string;
}

/**
 * Each of `methods` assessed for a provider. Entra (and the Entra sandbox) takes the secret in the
 * body or in Basic, and private_key_jwt only with a registered certificate (x5t#S256), never
 * client_secret_jwt. Without metadata (endpoints typed by hand) every method is left to try.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials
 */
export function assessClientAuthMethods(
  metadata: FeatureMetadata | undefined,
  options: {
    readonly entra?: boolean;
    readonly methods?: readonly ClientAuthMethod[];
    readonly endpoint?: AuthenticatedEndpoint;
  } = {},
): ClientAuthMethodAssessment[] {
  const methods = options.methods ?? CONFIDENTIAL_AUTH_METHODS;
  if (options.entra === true) {
    return methods.map((method): ClientAuthMethodAssessment => {
      if (method === 'client_secret_jwt') {
        return {
          method,
          offered: false,
          reason:
            'Entra does not support client_secret_jwt: it takes a secret in the body or Basic header, or a certificate.',
        };
      }
      if (method === 'private_key_jwt') {
        return {
          method,
          offered: false,
          reason:
            'Entra takes private_key_jwt only from a certificate registered on the app (named by x5t#S256): use the certificate credential on the client credentials page.',
        };
      }
      if (method === 'none') {
        return { method, offered: true, reason: 'For SPA and public client registrations only.' };
      }
      return { method, offered: true };
    });
  }
  if (metadata === undefined) {
    return methods.map((method) => ({
      method,
      offered: true,
      reason: 'No discovery document says which methods this server accepts: try it and read the answer.',
    }));
  }
  const endpoint = options.endpoint ?? 'token';
  // RFC 8414 §2: without token_endpoint_auth_methods_supported the default is client_secret_basic.
  const offered: readonly string[] = clientAuthMethods(metadata, endpoint);
  const ownField = `${endpoint}_endpoint_auth_methods_supported`;
  const field = Array.isArray(metadata[ownField]) ? ownField : 'token_endpoint_auth_methods_supported';
  const defaulted = !Array.isArray(metadata[field]);
  return methods.map((method) =>
    offered.includes(method)
      ? { method, offered: true }
      : method === 'none'
        ? {
            method,
            offered: true,
            // Entra, for one, takes public clients without listing "none".
            reason: `Not listed in ${field}, but servers often take public clients without saying so.`,
          }
        : {
            method,
            offered: false,
            reason: defaulted
              ? 'Not listed: the metadata has no token_endpoint_auth_methods_supported, which means client_secret_basic only (RFC 8414 §2).'
              : `Not listed in the provider’s ${field} (${offered.join(', ') || 'no method the lab knows'}).`,
          },
  );
}

// ---------------------------------------------------------------------------------------------------
// client_secret_basic, step by step

/**
 * The Basic header built step by step, and what a client that skips the form-encoding would send.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export interface BasicEncoding {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Step 1: each form-urlencoded. */
  readonly encodedId: string;
  readonly encodedSecret: string;
  /** Step 2: joined by a colon. */
  readonly joined: string;
  /** Step 3: base64 of the joined text. */
  readonly base64: string;
  /** The header value: `Basic {base64}`. */
  readonly authorization: string;
  /** The same without step 1: `id:secret` straight into base64 (the classic bug). */
  readonly naiveJoined: string;
  /** The naive header, or undefined when `btoa` cannot even take it (characters beyond Latin-1). */
  readonly naiveAuthorization?: string;
  /** Whether the naive header differs from the correct one. */
  readonly naiveDiffers: boolean;
  /** What a server following RFC 6749 reads from the naive header: the pair, or why it fails. */
  readonly naiveRead:
    { readonly clientId: string; readonly clientSecret: string } | { readonly error: string };
  /** The characters of id and secret that form-encoding changes (`+ / = % & :`, spaces, non-ASCII…). */
  readonly changed: readonly string[];
}

/** Latin-1 text as base64; undefined for characters `btoa` refuses. */
function tryBtoa(text: string): string | undefined {
  try {
    return btoa(text);
  } catch {
    return undefined;
  }
}

/** UTF-8 text as base64 (for the naive form with characters beyond Latin-1). */
function utf8Base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Form-urlencoded text decoded: `+` is a space, `%XX` bytes are UTF-8. Throws on a bad `%`.
 * @see https://url.spec.whatwg.org/#application/x-www-form-urlencoded
 */
export function formUrlDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, '%20'));
}

/**
 * client_secret_basic's header, built in three visible steps, beside the naive form.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function calculateBasicEncoding(clientId: string, clientSecret: string): BasicEncoding {
  const encodedId = formUrlEncode(clientId);
  const encodedSecret = formUrlEncode(clientSecret);
  const joined = `${encodedId}:${encodedSecret}`;
  const authorization = buildBasicAuthorization(clientId, clientSecret);
  const naiveJoined = `${clientId}:${clientSecret}`;
  const naiveBase64 = tryBtoa(naiveJoined);
  const changed = [...new Set([...`${clientId}${clientSecret}`])].filter((c) => formUrlEncode(c) !== c);
  return {
    clientId,
    clientSecret,
    encodedId,
    encodedSecret,
    joined,
    base64: btoa(joined),
    authorization,
    naiveJoined,
    ...(naiveBase64 === undefined ? {} : { naiveAuthorization: `Basic ${naiveBase64}` }),
    naiveDiffers: naiveJoined !== joined,
    naiveRead: readBasic(`Basic ${naiveBase64 ?? utf8Base64(naiveJoined)}`),
    changed,
  };
}

/** What a server reads from a Basic header: the pair, or why it cannot. */
function readBasic(header: string): BasicEncoding['naiveRead'] {
  try {
    return decodeBasicCredentials(header);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The client id and secret in a Basic header, read as RFC 6749 §2.3.1 says a server must: base64,
 * split at the first colon, each half form-urldecoded. Throws `InvalidInputError` when it cannot.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function decodeBasicCredentials(header: string): { clientId: string; clientSecret: string } {
  const match = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header);
  if (match === null)
    throw new InvalidInputError('Authorization', 'Not a Basic header with base64 credentials.');
  let binary: string;
  try {
    binary = atob(match[1] ?? '');
  } catch {
    throw new InvalidInputError('Authorization', 'The Basic credentials are not valid base64.');
  }
  const text = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  const colon = text.indexOf(':');
  if (colon < 0)
    throw new InvalidInputError(
      'Authorization',
      'The Basic credentials have no colon between id and secret.',
    );
  try {
    return {
      clientId: formUrlDecode(text.slice(0, colon)),
      clientSecret: formUrlDecode(text.slice(colon + 1)),
    };
  } catch {
    // The same words oidc-provider answers with (invalid_request).
    throw new InvalidInputError(
      'Authorization',
      'client_id and client_secret in the authorization header are not properly encoded (a “%” not followed by two hex digits).',
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// JWT assertions: client_secret_jwt and private_key_jwt

/**
 * Algorithms for a private_key_jwt key made here: ES256 (small, fast), PS256 and RS256 (RSA-2048).
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 */
export type ClientKeyAlgorithm = 'ES256' | 'PS256' | 'RS256';

/**
 * A private_key_jwt key pair made in this browser: the public JWK to register, and the private key
 * as a non-extractable CryptoKey (memory only; gone after a reload).
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
export interface ClientKey {
  readonly alg: ClientKeyAlgorithm;
  /** The RFC 7638 thumbprint of the public key, used as its `kid`. */
  readonly kid: string;
  /** Public JWK with kid, alg and use: what the server registers. */
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
}

const KEY_PARAMS: Readonly<Record<ClientKeyAlgorithm, RsaHashedKeyGenParams | EcKeyGenParams>> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  PS256: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  RS256: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
};

/**
 * A fresh key pair for private_key_jwt, made with WebCrypto; the private key cannot be exported.
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export async function generateClientKey(alg: ClientKeyAlgorithm): Promise<ClientKey> {
  // WebCrypto: `extractable: false` applies to the private key; the public key is always exportable.
  const pair = (await crypto.subtle.generateKey(KEY_PARAMS[alg], false, ['sign', 'verify'])) as CryptoKeyPair;
  const exported = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JWK;
  const { kty, crv, x, y, n, e } = exported;
  const bare: JWK = Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
  );
  // jose is loaded only now, so it stays out of the page bundles that show the choice.
  const { calculateJwkThumbprint } = await import('jose');
  // RFC 7638 §3: the thumbprint names the key independently of how it is serialised.
  const kid = await calculateJwkThumbprint(bare, 'sha256');
  return { alg, kid, publicJwk: { ...bare, kid, alg, use: 'sig' }, privateKey: pair.privateKey };
}

/**
 * The private key of a client key, or undefined once it is gone (a run restored after a reload
 * keeps only the public parts).
 * @see https://www.w3.org/TR/WebCryptoAPI/#cryptokey-interface
 */
export function privateKeyOf(key: ClientKey | undefined): CryptoKey | undefined {
  const candidate: unknown = key?.privateKey;
  // Duck-typed: Node 20 has no global CryptoKey, and a key that went through JSON is a bare object.
  return typeof candidate === 'object' &&
    candidate !== null &&
    (candidate as { type?: unknown }).type === 'private'
    ? (candidate as CryptoKey)
    : undefined;
}

/**
 * The protected header of a JWT client assertion: HS256 for client_secret_jwt, the key's algorithm
 * and `kid` for private_key_jwt.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1
 */
export interface JwtAssertionHeader {
  readonly alg: string;
  readonly typ: 'JWT';
  readonly kid?: string;
}

/**
 * A signed JWT client assertion with its parts, kept to show and to send.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export interface JwtAssertion {
  readonly method: 'client_secret_jwt' | 'private_key_jwt';
  readonly header: JwtAssertionHeader;
  readonly claims: ClientAssertionClaims;
  readonly jwt: string;
}

/**
 * What `buildClientAuthentication` needs; only the fields the chosen method uses are read.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export interface ClientAuthInput {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly key?: ClientKey | undefined;
  /** The assertion's `aud`: the endpoint it is sent to (the token endpoint, or the issuer). */
  readonly audience: string;
  /** Defaults to `Date.now()`. */
  readonly nowMs?: number;
  /** Defaults to a random UUID. */
  readonly jti?: string;
}

/**
 * Signs a JWT client assertion for `method`: iss = sub = the client id, aud the endpoint, a fresh
 * jti, 10 minutes of validity. Throws `InvalidInputError` for a missing secret, key or audience.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
export async function signJwtAssertion(
  method: 'client_secret_jwt' | 'private_key_jwt',
  input: ClientAuthInput,
): Promise<JwtAssertion> {
  if (input.clientId.trim() === '')
    throw new InvalidInputError('client_id', 'The client id is empty: the assertion’s iss and sub need it.');
  if (input.audience.trim() === '')
    throw new InvalidInputError('aud', 'There is no endpoint to address the assertion to (its aud).');
  const [{ SignJWT }, { buildClientAssertionClaims }] = await Promise.all([
    import('jose'),
    import('./client-assertion.ts'),
  ]);
  const claims = buildClientAssertionClaims({
    clientId: input.clientId,
    tokenEndpoint: input.audience,
    nowMs: input.nowMs ?? Date.now(),
    // RFC 7523 §3: a unique jti lets the server refuse a replayed assertion.
    jti: input.jti ?? crypto.randomUUID(),
    includeIat: true,
  });
  let header: JwtAssertionHeader;
  let key: CryptoKey | Uint8Array;
  if (method === 'client_secret_jwt') {
    const secret = input.clientSecret ?? '';
    if (secret === '')
      throw new InvalidInputError(
        'client_secret',
        'client_secret_jwt signs with the client secret, and it is empty.',
      );
    // OIDC Core §9: client_secret_jwt is an HMAC (HS256) over the JWT with the secret's octets as key.
    header = { alg: 'HS256', typ: 'JWT' };
    key = new TextEncoder().encode(secret);
  } else {
    const privateKey = privateKeyOf(input.key);
    if (input.key === undefined || privateKey === undefined) {
      throw new InvalidInputError(
        'private_key',
        input.key === undefined
          ? 'private_key_jwt needs a key pair: generate one (and register its public key) first.'
          : 'The private key is gone: it lived only in this tab’s memory and the page was reloaded. Generate a new key pair and register it.',
      );
    }
    // The kid lets the server pick the registered key without trying each one.
    header = { alg: input.key.alg, typ: 'JWT', kid: input.key.kid };
    key = privateKey;
  }
  try {
    const jwt = await new SignJWT({ ...claims }).setProtectedHeader({ ...header }).sign(key);
    return { method, header, claims, jwt };
  } catch (cause) {
    throw new InvalidInputError(
      'alg',
      `The assertion could not be signed with ${header.alg}: ${cause instanceof Error ? cause.message : String(cause)}.`,
    );
  }
}

/**
 * The `ClientAuthentication` for a method, ready for `buildTokenRequest`; signs a fresh assertion
 * for the JWT methods.
 * @example
 *   const auth = await buildClientAuthentication('client_secret_jwt', {
 *     clientId, clientSecret, audience: tokenEndpoint });
 *   buildTokenRequest(tokenEndpoint, [['grant_type', 'client_credentials'], ['client_id', clientId]], auth);
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export async function buildClientAuthentication(
  method: ClientAuthMethod,
  input: ClientAuthInput,
): Promise<ClientAuthentication> {
  switch (method) {
    case 'none':
      return { method };
    case 'client_secret_basic':
    case 'client_secret_post':
      return { method, clientSecret: input.clientSecret ?? '' };
    default:
      return { method, clientAssertion: (await signJwtAssertion(method, input)).jwt };
  }
}

/**
 * The `ClientAuthentication` for a method with an assertion already signed (so a preview shows the
 * same request that will be sent); an empty assertion when there is none yet.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function clientAuthenticationOf(
  method: ClientAuthMethod,
  clientSecret: string,
  assertion: JwtAssertion | undefined,
): ClientAuthentication {
  switch (method) {
    case 'none':
      return { method };
    case 'client_secret_basic':
    case 'client_secret_post':
      return { method, clientSecret };
    default:
      return { method, clientAssertion: assertion?.method === method ? assertion.jwt : '' };
  }
}

/**
 * Why an assertion no longer fits the request (another client, endpoint, method or key, or expired);
 * empty when it fits.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function staleAssertionReasons(
  assertion: JwtAssertion,
  expected: {
    clientId: string;
    audience: string;
    method: ClientAuthMethod;
    key?: ClientKey | undefined;
    nowMs: number;
  },
): string[] {
  const reasons: string[] = [];
  if (assertion.method !== expected.method) reasons.push(`it was signed for ${assertion.method}`);
  if (assertion.claims.iss !== expected.clientId) reasons.push('it names another client id');
  if (assertion.claims.aud !== expected.audience) reasons.push('it is addressed to another endpoint (aud)');
  if (assertion.method === 'private_key_jwt' && assertion.header.kid !== expected.key?.kid)
    reasons.push('it was signed with another key');
  if (assertion.claims.exp * 1000 <= expected.nowMs) reasons.push('it has expired');
  return reasons;
}

/**
 * Where each method puts its credential in the request, for the page to show: a header or body field,
 * its value, and whether that value is a secret.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function describeClientAuthentication(
  auth: ClientAuthentication,
  clientId: string,
): {
  readonly where: 'header' | 'body';
  readonly name: string;
  readonly value: string;
  readonly secret: boolean;
}[] {
  switch (auth.method) {
    case 'none':
      return [{ where: 'body', name: 'client_id', value: clientId, secret: false }];
    case 'client_secret_post':
      return [
        { where: 'body', name: 'client_id', value: clientId, secret: false },
        { where: 'body', name: 'client_secret', value: auth.clientSecret, secret: true },
      ];
    case 'client_secret_basic':
      return [
        {
          where: 'header',
          name: 'Authorization',
          value: buildBasicAuthorization(clientId, auth.clientSecret),
          secret: true,
        },
      ];
    default:
      return [
        { where: 'body', name: 'client_id', value: clientId, secret: false },
        {
          where: 'body',
          name: 'client_assertion_type',
          value: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          secret: false,
        },
        { where: 'body', name: 'client_assertion', value: auth.clientAssertion, secret: true },
      ];
  }
}

// ---------------------------------------------------------------------------------------------------
// Registering the public key (the standards sandbox's portal API)

/**
 * The standards sandbox's key registration URL for a client: `{issuer}/portal/api/clients/{id}/jwks`.
 * Sandbox-only: a real provider registers keys through its console or RFC 7592 management.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function sandboxJwksRegistrationUrl(issuer: string, clientId: string): string {
  return `${issuer.replace(/\/+$/, '')}/portal/api/clients/${encodeURIComponent(clientId)}/jwks`;
}

/**
 * The registration request: a JSON POST of the public key set (public parts only).
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export function buildKeyRegistrationRequest(url: string, key: ClientKey): RecordedRequest {
  return {
    method: 'POST',
    url,
    headers: [['Content-Type', 'application/json']],
    body: JSON.stringify({ keys: [key.publicJwk] }),
    secretFields: [],
  };
}

/**
 * Reads the portal's answer: a 2xx whose key set (when it returns one) holds our `kid`; a refusal
 * throws `InvalidInputError` with the portal's words.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export function readKeyRegistration(exchange: HttpExchange | undefined, key: ClientKey): { kid: string } {
  const response = exchange?.response;
  if (response === undefined)
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No answer from the sandbox portal was recorded.');
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  const object = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  if (response.status < 200 || response.status > 299) {
    const said = object?.['error_description'] ?? object?.['message'] ?? object?.['error'];
    throw new InvalidInputError(
      'jwks',
      `The sandbox portal refused the key (HTTP ${response.status}): ${typeof said === 'string' ? said : response.body.slice(0, 300) || 'no reason given'}`,
    );
  }
  const keys = object?.['keys'] ?? (object?.['jwks'] as Record<string, unknown> | undefined)?.['keys'];
  if (
    Array.isArray(keys) &&
    !keys.some((k) => typeof k === 'object' && k !== null && (k as JWK).kid === key.kid)
  ) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The sandbox portal answered HTTP ${response.status}, but its key set does not list kid ${key.kid}.`,
    );
  }
  return { kid: key.kid };
}
