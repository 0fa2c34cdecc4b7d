/**
 * Reading a resource server's refusal: the `WWW-Authenticate` challenges of a 401 or 403, and the
 * Bearer challenge's error fields that say why the access token was not accepted.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
import { quoteForMessage } from './quote.ts';
import { ProtocolViolationError } from './errors.ts';

/**
 * One challenge: its scheme, and either auth-params (names lower-cased, values unquoted) or a token68.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.3
 */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
  readonly token68?: string;
}

/**
 * The Bearer challenge's attributes. `error` is one of RFC 6750's three codes, or another string.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export interface BearerChallenge {
  readonly realm?: string;
  readonly error?: string;
  readonly error_description?: string;
  readonly error_uri?: string;
  /** Space-separated scopes the resource needs (RFC 6750 §3). */
  readonly scope?: string;
  /** Every auth-param as sent, including Entra's extras (authorization_uri, client_id…). */
  readonly params: Readonly<Record<string, string>>;
}

// RFC 9110 §5.6.2: tchar.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
// RFC 9110 §11.2: token68, a base64-ish blob with optional trailing "=".
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*/;

function fail(header: string, at: number, what: string): never {
  throw new ProtocolViolationError(
    'INVALID_RESPONSE',
    `The WWW-Authenticate header cannot be read at character ${at + 1}: ${what}. Header: ${quoteForMessage(header)}`,
  );
}

/**
 * Splits a `WWW-Authenticate` value into its challenges. Handles several challenges in one value,
 * quoted strings with backslash escapes, and token68 credentials; throws `INVALID_RESPONSE`
 * (a `ProtocolViolationError`) on anything the grammar does not allow.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const s = header;
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i += 1;
  };
  const readToken = (): string => {
    const match = TOKEN.exec(s.slice(i));
    if (match === null) return '';
    i += match[0].length;
    return match[0];
  };
  const readQuoted = (): string => {
    // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE; quoted-pair = "\" char.
    const start = i;
    i += 1;
    let value = '';
    while (i < s.length) {
      const c = s[i] ?? '';
      if (c === '"') {
        i += 1;
        return value;
      }
      if (c === '\\') {
        if (i + 1 >= s.length) break;
        value += s[i + 1] ?? '';
        i += 2;
        continue;
      }
      value += c;
      i += 1;
    }
    return fail(s, start, 'a quoted string is never closed');
  };
  /** Looks ahead: does an auth-param (token BWS "=" BWS value) start here? Restores the position. */
  const paramStartsHere = (): boolean => {
    const save = i;
    const name = readToken();
    skipSpace();
    let yes = false;
    if (name !== '' && s[i] === '=') {
      i += 1;
      skipSpace();
      // A value must follow; "abc==" is a token68, not a parameter with an empty value.
      yes = s[i] === '"' || TOKEN.test(s.slice(i));
    }
    i = save;
    return yes;
  };

  const challenges: AuthChallenge[] = [];
  let current: { scheme: string; params: Record<string, string>; token68?: string } | undefined;
  // RFC 9110 §5.6.1: a list may hold empty elements (",,"); skip them.
  for (;;) {
    skipSpace();
    while (s[i] === ',') {
      i += 1;
      skipSpace();
    }
    if (i >= s.length) break;
    if (current !== undefined && current.token68 === undefined && paramStartsHere()) {
      const at = i;
      const name = readToken().toLowerCase();
      skipSpace();
      i += 1; // "="
      skipSpace();
      const value = s[i] === '"' ? readQuoted() : readToken();
      // RFC 9110 §11.2: each parameter name MUST only occur once per challenge.
      if (Object.hasOwn(current.params, name))
        fail(s, at, `the parameter “${name}” appears twice in one challenge`);
      current.params[name] = value;
    } else {
      const at = i;
      const scheme = readToken();
      if (scheme === '') fail(s, at, 'an authentication scheme name was expected');
      current = { scheme, params: Object.create(null) as Record<string, string> };
      challenges.push(current);
      const afterScheme = i;
      skipSpace();
      if (i < s.length && s[i] !== ',' && i === afterScheme)
        fail(s, i, 'a space must follow the scheme name');
      if (i < s.length && s[i] !== ',') {
        // The first auth-param follows the scheme without a comma.
        if (paramStartsHere()) continue;
        const match = TOKEN68.exec(s.slice(i));
        if (match === null) fail(s, i, 'expected parameters or a token68 after the scheme');
        current.token68 = match[0];
        i += match[0].length;
      }
    }
    skipSpace();
    if (i < s.length && s[i] !== ',') fail(s, i, 'a comma was expected between parameters');
  }
  return challenges.map((c) => ({
    scheme: c.scheme,
    params: c.params,
    ...(c.token68 === undefined ? {} : { token68: c.token68 }),
  }));
}

/**
 * The Bearer challenge among the challenges (scheme names are case-insensitive), if any.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function findBearerChallenge(challenges: readonly AuthChallenge[]): BearerChallenge | undefined {
  const bearer = challenges.find((c) => c.scheme.toLowerCase() === 'bearer');
  if (bearer === undefined) return undefined;
  const p = bearer.params;
  return {
    params: p,
    ...(p['realm'] === undefined ? {} : { realm: p['realm'] }),
    ...(p['error'] === undefined ? {} : { error: p['error'] }),
    ...(p['error_description'] === undefined ? {} : { error_description: p['error_description'] }),
    ...(p['error_uri'] === undefined ? {} : { error_uri: p['error_uri'] }),
    ...(p['scope'] === undefined ? {} : { scope: p['scope'] }),
  };
}
