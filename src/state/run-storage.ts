/**
 * What of a run may be written to sessionStorage so it survives the sign-in redirect and a reload.
 * Pure functions over plain data: the store calls them when it writes.
 *
 * - Never written: client secrets, passwords, private keys, and anything that is not plain JSON
 *   (a CryptoKey cannot be serialised; a non-extractable one must not be).
 * - Written only when the user opts in (`keepTokens`): tokens — access, ID and refresh tokens, client
 *   assertions, token-exchange inputs — as fields or inside raw HTTP bodies and headers.
 * - Always written, because the flow itself must keep them across the redirect: state, nonce,
 *   code_verifier, the authorization code until it is redeemed, a pending device_code.
 */

import { CREDENTIAL_HEADERS, findBodySecrets, findUrlSecrets, redactSpans } from '../protocol/redact.ts';

/** The marker a value not kept is replaced with inside text (raw bodies, headers). */
export const NOT_KEPT = '[not kept across reloads]';

/** What a reload will not bring back, named for the notice the page shows. */
export type NotKeptItem = 'tokens' | 'secrets' | 'keys';

// Field names (ctx keys and wire names) whose values are credentials of the client or the user.
const SECRET_NAMES = new Set([
  'clientsecret',
  'client_secret',
  'secret',
  'password',
  'privatekey',
  'privatekeypem',
  'private_key',
  'keypair',
  // RFC 7592 §3: it manages (reads, deletes) a dynamically registered client, like a credential.
  'registration_access_token',
  'registrationaccesstoken',
]);

// Field names whose values are tokens (RFC 6749 §5.1, RFC 7523 §2.2, RFC 8693 §2.1).
const TOKEN_NAMES = new Set([
  'tokens',
  'access_token',
  'refresh_token',
  'id_token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'token',
  'assertion',
  'client_assertion',
  'clientassertion',
  'subject_token',
  'actor_token',
  'subjecttoken',
  'usertoken',
  // The refresh token a refresh run redeemed (refresh-token.ts), kept to try it a second time.
  'redeemedtoken',
]);

// What the flow itself must keep across the redirect or a reload, though the views mask them.
const FLOW_KEEPS = new Set(['code', 'code_verifier', 'device_code']);
const ALWAYS_SECRET = new Set(['client_secret', 'password', 'registration_access_token']);

/**
 * Replaces credentials inside free text (raw bodies, URLs, header values) with `NOT_KEPT`: client secrets
 * and passwords always; tokens and any JWT-shaped string unless `keepTokens`. Found by the same rules the
 * views mask with (protocol/redact.ts); a JSON text stays valid JSON.
 */
export function redactStoredText(
  text: string,
  keepTokens: boolean,
): { text: string; dropped: NotKeptItem[] } {
  const spans = /^https?:\/\//i.test(text) ? findUrlSecrets(text) : findBodySecrets(text, '');
  const dropped = new Set<NotKeptItem>();
  const leave = spans.filter((span) => {
    const name = span.name.toLowerCase();
    if (FLOW_KEEPS.has(name)) return false;
    if (ALWAYS_SECRET.has(name)) {
      dropped.add('secrets');
      return true;
    }
    if (keepTokens) return false;
    dropped.add('tokens');
    return true;
  });
  return leave.length === 0
    ? { text, dropped: [] }
    : { text: redactSpans(text, leave, () => NOT_KEPT), dropped: [...dropped] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of `value` fit for sessionStorage, and what was left out. Secrets and non-JSON values (CryptoKey,
 * typed arrays, functions) are dropped wherever they are; tokens are dropped unless `keepTokens`.
 */
export function storableValue(
  value: unknown,
  keepTokens: boolean,
): { value: unknown; dropped: NotKeptItem[] } {
  const dropped = new Set<NotKeptItem>();
  const walk = (input: unknown): unknown => {
    if (typeof input === 'string') {
      const result = redactStoredText(input, keepTokens);
      result.dropped.forEach((item) => dropped.add(item));
      return result.text;
    }
    if (input === null || typeof input === 'number' || typeof input === 'boolean') return input;
    if (Array.isArray(input)) {
      // A header as recorded: [name, value]. A bearer or DPoP token is a token; anything else
      // (Basic client id and secret, a cookie) a secret.
      if (
        input.length === 2 &&
        typeof input[0] === 'string' &&
        typeof input[1] === 'string' &&
        CREDENTIAL_HEADERS.has(input[0].toLowerCase())
      ) {
        const bearer = /^(?:Bearer|DPoP)\s/i.test(input[1]) || input[0].toLowerCase() === 'dpop';
        if (bearer && keepTokens) return input;
        dropped.add(bearer ? 'tokens' : 'secrets');
        return [input[0], NOT_KEPT];
      }
      return input.map(walk).filter((item) => item !== undefined);
    }
    if (!isPlainObject(input)) {
      if (input !== undefined && typeof input !== 'function') dropped.add('keys');
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(input)) {
      const name = key.toLowerCase();
      // `endpoints.token` is the token endpoint's URL, not a token: a URL is never a credential here
      // (credentials inside it are redacted as in any text).
      if (name === 'token' && typeof item === 'string' && isHttpUrl(item)) {
        out[key] = walk(item);
        continue;
      }
      const secret = SECRET_NAMES.has(name);
      if (secret || (!keepTokens && TOKEN_NAMES.has(name))) {
        if (item !== '' && item !== undefined && item !== null) dropped.add(secret ? 'secrets' : 'tokens');
        // A text field stays, empty, so the run keeps its shape; anything else is left out.
        if (typeof item === 'string') out[key] = '';
        continue;
      }
      const kept = walk(item);
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  };
  return { value: walk(value), dropped: [...dropped] };
}
