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
]);

// Headers whose whole value is a credential (RFC 9110 §11.6.2; RFC 9449 §4.1; RFC 6265 §5.4).
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'dpop', 'cookie', 'set-cookie']);

// A compact JWS/JWE (RFC 7515 §7.1, RFC 7516 §7.1): base64url header starting `eyJ`, then 2 or 4 more parts.
const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?/g;

function namePattern(names: readonly string[]): { form: RegExp; json: RegExp } {
  const alternatives = names.join('|');
  return {
    // application/x-www-form-urlencoded pairs and URL queries.
    form: new RegExp(`((?:^|[?&#\\s])(?:${alternatives})=)[^&#\\s]*`, 'gi'),
    // "name": "value" in JSON.
    json: new RegExp(`("(?:${alternatives})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'),
  };
}

const SECRET_IN_TEXT = namePattern(['client_secret', 'password']);
const TOKEN_IN_TEXT = namePattern([
  'access_token',
  'refresh_token',
  'id_token',
  'client_assertion',
  'assertion',
  'subject_token',
  'actor_token',
]);

/** Replaces credentials inside free text (raw bodies, URLs); tokens too unless `keepTokens`. */
export function redactStoredText(
  text: string,
  keepTokens: boolean,
): { text: string; dropped: NotKeptItem[] } {
  const dropped = new Set<NotKeptItem>();
  const replace = (input: string, pattern: RegExp, item: NotKeptItem, mark: (prefix: string) => string) =>
    input.replace(pattern, (_match: string, prefix: unknown) => {
      dropped.add(item);
      return mark(typeof prefix === 'string' ? prefix : '');
    });
  const inForm = (prefix: string) => `${prefix}${NOT_KEPT}`;
  const inJson = (prefix: string) => `${prefix}"${NOT_KEPT}"`;
  let out = replace(text, SECRET_IN_TEXT.form, 'secrets', inForm);
  out = replace(out, SECRET_IN_TEXT.json, 'secrets', inJson);
  if (!keepTokens) {
    out = replace(out, TOKEN_IN_TEXT.form, 'tokens', inForm);
    out = replace(out, TOKEN_IN_TEXT.json, 'tokens', inJson);
    out = replace(out, JWT_IN_TEXT, 'tokens', () => NOT_KEPT);
  }
  return { text: out, dropped: [...dropped] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
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
      // A header as recorded: [name, value].
      if (
        input.length === 2 &&
        typeof input[0] === 'string' &&
        typeof input[1] === 'string' &&
        CREDENTIAL_HEADERS.has(input[0].toLowerCase())
      ) {
        dropped.add('secrets');
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
