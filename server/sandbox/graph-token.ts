/**
 * Microsoft Graph's access tokens as Entra issues them: a `nonce` in the JWT header, and a signature made
 * over the header with that nonce replaced by its SHA-256. Only Graph, which knows to hash it back, can check
 * the signature; any other validator sees a signature that does not match, and should not try.
 *
 * The sandbox signs (through oidc-provider) a header whose `nonce` is already the hash, then hands out the
 * token with the raw nonce in its header. The hash: base64url of the SHA-256 of the nonce's UTF-8 bytes,
 * as the public workaround for verifying Graph tokens computes it
 * (https://github.com/justinlettau/azure-ad-verify-token/issues/5,
 * https://github.com/AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet/issues/609).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-tokens
 */
import { createHash, randomBytes } from 'node:crypto';

/** How many signed-but-not-yet-handed-out Graph tokens are remembered (they leave within one request). */
const PENDING_LIMIT = 1000;
/** Hashed nonce → raw nonce, for tokens signed over the hashed form and not yet handed out. */
const pending = new Map<string, string>();

/** Graph's header transformation: base64url(SHA-256(nonce)). */
export function hashGraphNonce(nonce: string): string {
  return createHash('sha256').update(nonce, 'utf8').digest('base64url');
}

/**
 * A fresh header nonce for a Graph token; returns the value to put in the header that is signed (the hash).
 * The raw nonce is remembered until {@link revealGraphNonce} puts it in the token handed out.
 */
export function newSignedGraphNonce(): string {
  const raw = randomBytes(32).toString('base64url');
  const hashed = hashGraphNonce(raw);
  pending.set(hashed, raw);
  while (pending.size > PENDING_LIMIT) {
    const oldest = pending.keys().next().value;
    if (oldest === undefined) break;
    pending.delete(oldest);
  }
  return hashed;
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Re-encodes a JWS header with `nonce` replaced; the other members keep their order. */
function withNonce(header: Record<string, unknown>, nonce: string): string {
  return Buffer.from(JSON.stringify({ ...header, nonce }), 'utf8').toString('base64url');
}

/**
 * The token as handed out: when `token` is a Graph token the sandbox signed over a hashed nonce, its header
 * gets the raw nonce back; any other value is returned unchanged. Idempotent for one token (the raw form is
 * remembered until the limit pushes it out), so the ID token's `at_hash` and the response agree.
 */
export function revealGraphNonce(token: string): string {
  const [head, payload, signature, ...rest] = token.split('.');
  if (head === undefined || payload === undefined || signature === undefined || rest.length > 0) return token;
  const header = decodeSegment(head);
  const hashed = header?.['nonce'];
  if (!header || typeof hashed !== 'string') return token;
  const raw = pending.get(hashed);
  return raw === undefined ? token : `${withNonce(header, raw)}.${payload}.${signature}`;
}

/**
 * What Graph checks instead of the token it received: the same token with the header's `nonce` replaced by
 * its hash. A token without a header nonce is returned unchanged; a malformed one too (the verifier refuses it).
 */
export function graphSigningInput(token: string): string {
  const [head, payload, signature, ...rest] = token.split('.');
  if (head === undefined || payload === undefined || signature === undefined || rest.length > 0) return token;
  const header = decodeSegment(head);
  const nonce = header?.['nonce'];
  if (!header || typeof nonce !== 'string') return token;
  return `${withNonce(header, hashGraphNonce(nonce))}.${payload}.${signature}`;
}
