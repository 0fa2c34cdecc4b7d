/**
 * Reading an authorization response: from the redirect URL (query or fragment), from a form POST the
 * local server received (form_post), or from whatever a person pasted — a whole URL with quotes or
 * line breaks around it, only the query, only `code=…&state=…`, or just the code.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
import { quoteForMessage } from './quote.ts';
import {
  AuthorizationResponseError,
  InvalidInputError,
  ProtocolViolationError,
  type OAuthErrorFields,
} from './errors.ts';

/**
 * Where the response parameters were found.
 * @see https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export type ResponseMode = 'query' | 'fragment' | 'form_post';

/**
 * A successful authorization response, as read from the redirect URI.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export interface AuthorizationResponse {
  readonly code: string;
  readonly state?: string;
  /** Where the parameters were found: the query string, the fragment, or a form POST. */
  readonly responseMode: ResponseMode;
  /** Every parameter the server sent, verbatim. */
  readonly params: Readonly<Record<string, string>>;
  /** True when the response carried `iss` and it was compared with the expected issuer (RFC 9207). */
  readonly issuerChecked?: boolean;
}

/**
 * What the client expects to find in the callback.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export interface CallbackExpectations {
  readonly state: string | undefined;
  /** When set and the response carries `iss`, the two must match (RFC 9207). */
  readonly issuer?: string;
}

/**
 * An authorization response the local server received as a form POST: the raw
 * `application/x-www-form-urlencoded` body, as the authorization server sent it.
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export interface FormPostCallback {
  readonly formPost: string;
}

/**
 * A response to read: the redirect URL, or the body of a form POST.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export type CallbackInput = string | URL | FormPostCallback;

/**
 * The parameters of one response and where they were found.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export interface CallbackParameters {
  readonly mode: ResponseMode;
  readonly params: Record<string, string>;
}

/** The names whose presence makes a set of parameters an authorization response. */
const RESPONSE_FIELDS = ['code', 'error', 'state', 'id_token', 'access_token'];

/**
 * Reads `name=value&…` form-encoding (RFC 6749 Appendix B), refusing a repeated name.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function readFormEncodedParameters(encoded: string): Record<string, string> {
  // No prototype: a parameter named __proto__ is kept like any other.
  const params = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(encoded)) {
    // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
    if (Object.hasOwn(params, name)) {
      throw new ProtocolViolationError(
        'DUPLICATE_PARAMETER',
        `The response carries “${name.length > 40 ? `${name.slice(0, 40)}…` : name}” more than once (RFC 6749 §3.1 forbids that), so it cannot be trusted: one of the values may have been injected.`,
      );
    }
    params[name] = value;
  }
  return params;
}

/**
 * Reads the authorization response parameters from a redirect URL (query or fragment) or a form
 * POST body, refusing repeated parameters.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export function readCallbackParameters(input: CallbackInput): CallbackParameters {
  if (typeof input === 'object' && 'formPost' in input) {
    return { mode: 'form_post', params: readFormEncodedParameters(input.formPost) };
  }
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new InvalidInputError(
      'callback',
      'That address is not a complete URL: paste it again from the address bar.',
    );
  }
  const fragment = parsed.hash.replace(/^#/, '');
  // OAuth Multiple Response Types §2.1: a response in the fragment is the whole response; the query
  // may hold the redirect URI's own parameters.
  const useFragment = RESPONSE_FIELDS.some((name) => new URLSearchParams(fragment).has(name));
  return useFragment
    ? { mode: 'fragment', params: readFormEncodedParameters(fragment) }
    : { mode: 'query', params: readFormEncodedParameters(parsed.search.replace(/^\?/, '')) };
}

/**
 * A response with nothing in it (no code, no error, no state, no token) is not a forged one: it is
 * not a response at all. Says so, naming what is missing, instead of calling it a state mismatch.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function checkIsAuthorizationResponse(read: CallbackParameters): void {
  if (RESPONSE_FIELDS.some((name) => read.params[name] !== undefined)) return;
  const names = Object.keys(read.params);
  const where = read.mode === 'form_post' ? 'The form POSTed to the redirect URI' : 'The address';
  throw new ProtocolViolationError(
    'MISSING_PARAMETER',
    names.length === 0
      ? `${where} carries no response parameters at all: no code, no error and no state. It may be the redirect URI itself, or it was copied before the sign-in finished.`
      : `${where} carries no code, no error and no state — only ${names
          .slice(0, 5)
          .map((n) => quoteForMessage(n, 30))
          .join(', ')}${names.length > 5 ? ', …' : ''} — so it is not an authorization response.`,
  );
}

/**
 * RFC 9207: when the response names its issuer and the client knows which issuer it asked, the two
 * must be the same string; a difference means the response may come from another server (mix-up).
 * Returns whether the check ran.
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function checkResponseIssuer(
  params: Readonly<Record<string, string>>,
  expectedIssuer: string | undefined,
): boolean {
  const iss = params['iss'];
  if (iss === undefined || expectedIssuer === undefined) return false;
  // RFC 9207 §2.4: compared "using simple string comparison", so no normalisation.
  if (iss !== expectedIssuer) {
    const slashOnly = iss.replace(/\/$/, '') === expectedIssuer.replace(/\/$/, '');
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The response says it comes from the issuer ${quoteForMessage(iss)}, but this run signed in at ${quoteForMessage(expectedIssuer)}.${
        slashOnly ? ' They differ only by a trailing slash, but RFC 9207 requires the exact same string.' : ''
      } A response that names another server may be a mix-up attack (RFC 9207), so it is not used.`,
    );
  }
  return true;
}

/**
 * Validates read parameters: that it is a response at all, then state (CSRF), the issuer, an error,
 * and finally the code.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function validateAuthorizationResponse(
  read: CallbackParameters,
  expected: CallbackExpectations,
): AuthorizationResponse {
  const { mode, params } = read;
  checkIsAuthorizationResponse(read);
  const state = params['state'];
  const error = params['error'];
  // RFC 6749 §10.12: the client MUST check state before acting on the response.
  if (expected.state !== undefined && state !== expected.state) {
    throw new ProtocolViolationError(
      'STATE_MISMATCH',
      state === undefined
        ? `The response has no state, but this browser sent one, so it cannot be tied to this sign-in${
            error === undefined ? '' : ` (it reports the error ${quoteForMessage(error, 60)})`
          }. RFC 6749 §4.1.2 requires the state to come back unchanged.`
        : 'The state in the response is not the one this browser sent.',
    );
  }
  const issuerChecked = checkResponseIssuer(params, expected.issuer);
  if (error !== undefined) {
    const fields: OAuthErrorFields = { ...params, error };
    throw new AuthorizationResponseError(fields);
  }
  const code = params['code'];
  if (code === undefined || code === '') {
    const others = Object.keys(params).filter((n) => n !== 'state' && n !== 'code');
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `The response has ${code === '' ? 'an empty code' : 'no code'} and no error${
        others.length > 0
          ? ` (it carries ${others
              .slice(0, 5)
              .map((n) => quoteForMessage(n, 30))
              .join(', ')}${others.length > 5 ? ', …' : ''})`
          : ''
      }: RFC 6749 §4.1.2 requires one of the two.`,
    );
  }
  return {
    code,
    responseMode: mode,
    params,
    ...(state === undefined ? {} : { state }),
    ...(issuerChecked ? { issuerChecked } : {}),
  };
}

/**
 * Reads and validates an authorization response: state first (CSRF), then issuer, error, the code.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function parseAuthorizationResponse(
  input: CallbackInput,
  expected: CallbackExpectations,
): AuthorizationResponse {
  return validateAuthorizationResponse(readCallbackParameters(input), expected);
}

/**
 * What a paste turned out to be: a response's parameters (state can be checked), or a bare code.
 * `notes` says what was cleaned up on the way, in plain words.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export type PastedResponse =
  | { readonly kind: 'parameters'; readonly read: CallbackParameters; readonly notes: readonly string[] }
  | { readonly kind: 'code'; readonly code: string; readonly notes: readonly string[] };

/** Invisible characters a chat window or a document adds to copied text; none belongs in a URL. */
const INVISIBLE = /[\u00AD\u200B-\u200F\u2028\u2029\u202A-\u202E\u2060-\u2064\uFEFF]/g;
const QUOTE_PAIRS: readonly (readonly [string, string])[] = [
  ['"', '"'],
  ["'", "'"],
  ['`', '`'],
  ['“', '”'],
  ['„', '“'],
  ['‘', '’'],
  ['«', '»'],
  ['(', ')'],
];
const RESPONSE_NAME =
  /(^|[&;?#])(code|state|error|error_description|id_token|access_token|session_state|iss)=/;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function looksLikeAddress(text: string): boolean {
  return SCHEME.test(text) || /^[?#/]/.test(text) || RESPONSE_NAME.test(text);
}

/** Takes off one layer of wrapping a person or a chat app put around the address, if any. */
function unwrapOnce(text: string, notes: string[]): string {
  for (const [open, close] of QUOTE_PAIRS) {
    if (text.length >= 2 && text.startsWith(open) && text.endsWith(close)) {
      const inner = text.slice(open.length, text.length - close.length).trim();
      // A bare code may legitimately be anything; only unwrap when the inside is an address.
      if (looksLikeAddress(inner)) {
        notes.push(`Removed the ${open}${close} around it.`);
        return inner;
      }
    }
  }
  // <https://…> (mail, Markdown autolinks) and Slack's <https://…|label>.
  const angle = /^<([^<>]+?)(\|[^<>]*)?>$/.exec(text);
  if (angle?.[1] !== undefined && looksLikeAddress(angle[1].trim())) {
    notes.push('Removed the angle brackets around it.');
    return angle[1].trim();
  }
  // A Markdown link [label](https://…).
  const markdown = /^\[[^\]]*\]\((\S+?)\)$/.exec(text);
  if (markdown?.[1] !== undefined && looksLikeAddress(markdown[1])) {
    notes.push('Took the address out of a Markdown link.');
    return markdown[1];
  }
  // Copied from a raw HTTP response or the network panel.
  const header = /^location\s*:\s*(\S[\s\S]*)$/i.exec(text);
  if (header?.[1] !== undefined) {
    notes.push('Removed the “Location:” header name before it.');
    return header[1].trim();
  }
  return text;
}

/**
 * The one absolute URL (scheme://…) inside some prose; more than one is refused, as which one is meant
 * cannot be told. Scans by index, not with a regex, so a long paste costs linear time.
 */
function singleAddressIn(text: string): string | undefined {
  if (!/\s/.test(text)) return undefined;
  const found: string[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf('://', from);
    if (at < 0) break;
    let start = at;
    while (start > 0 && at - start < 32 && /[A-Za-z0-9+.-]/.test(text[start - 1] ?? '')) start -= 1;
    let end = at + 3;
    while (end < text.length && !/[\s<>"“”‘’]/.test(text[end] ?? '')) end += 1;
    if (start < at && /^[A-Za-z]/.test(text.slice(start))) found.push(text.slice(start, end));
    if (found.length > 1) {
      throw new InvalidInputError(
        'pasted',
        'The text holds more than one address: paste only the one the browser was sent back to.',
      );
    }
    from = end;
  }
  return found[0];
}

/** Outlook and Teams rewrite links as safelinks.protection.outlook.com/?url=<the real one>. */
function unwrapSafeLink(text: string, notes: string[]): string {
  try {
    const url = new URL(text);
    const inner = url.searchParams.get('url');
    if (/(^|\.)safelinks\.protection\.outlook\.com$/i.test(url.hostname) && inner !== null) {
      notes.push('Unwrapped an Outlook “safe link” to the address inside it.');
      return inner;
    }
  } catch {
    // Not a URL: nothing to unwrap.
  }
  return text;
}

/**
 * Reads what a person pasted in paste-the-redirect mode: the redirected URL (with quotes, angle
 * brackets, line breaks, invisible characters or HTML-escaped `&amp;` around or inside it), only the
 * query or fragment, only `code=…&state=…` (e.g. a form_post body copied from the network panel), or a
 * bare code. Refuses, with the reason, text that is none of these.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function parsePastedResponse(pasted: string): PastedResponse {
  const notes: string[] = [];
  let text = pasted.replace(INVISIBLE, (c) => {
    if (!notes.includes('Removed invisible characters.')) notes.push('Removed invisible characters.');
    return c === '\u2028' || c === '\u2029' ? '\n' : '';
  });
  text = text.replace(/[\u00A0\u2007\u202F]/g, ' ').trim();
  if (text === '') {
    throw new InvalidInputError(
      'pasted',
      'Paste the whole address you were redirected to, or the code from it.',
    );
  }
  // (Plain substring tests: a regex scanning for a scheme anywhere is quadratic on a long paste.)
  if ((text.includes(':/') || /[?#&]|^[^=\s]+=/.test(text)) && /[\r\n]/.test(text)) {
    // An address never holds a raw line break: it is a wrap by a mail or chat window.
    text = text.replace(/[ \t]*[\r\n]+[ \t]*/g, '');
    notes.push('Joined an address broken across lines.');
  }
  for (let i = 0; i < 4; i += 1) {
    const next = unwrapOnce(text, notes);
    if (next === text) break;
    text = next;
  }
  // Starting with a scheme, the whole paste is the address (a space in it is checked below); else an
  // address may sit inside a sentence. Either way, two addresses are refused.
  const inProse = singleAddressIn(text);
  if (!SCHEME.test(text)) {
    if (inProse !== undefined) {
      notes.push('Took the address out of the text around it.');
      text = inProse;
      for (let i = 0; i < 4; i += 1) {
        const next = unwrapOnce(text, notes);
        if (next === text) break;
        text = next;
      }
    }
  }
  if (looksLikeAddress(text)) {
    // Autolinkers (GitHub, chat apps) leave sentence punctuation out of a link; so does this.
    const trimmed = text.replace(/[.,:;!?]+$/, '');
    if (trimmed !== text && trimmed !== '') {
      notes.push(
        `Left out the “${text.slice(trimmed.length)}” at the end, which ends the sentence, not the address.`,
      );
      text = trimmed;
    }
    if (/\s/.test(text)) {
      // An address never holds a raw space: some address bars show %20 as one.
      text = text.replace(/\s+/g, (run) => '%20'.repeat(run.length));
    }
    if (/&(amp|#0*38|#x0*26);/i.test(text)) {
      // In a raw address a literal & inside a value is %26, so “&amp;” can only be HTML escaping.
      text = text.replace(/&(amp|#0*38|#x0*26);/gi, '&');
      notes.push('Turned the HTML-escaped “&amp;” back into “&”.');
    }
    text = unwrapSafeLink(text, notes);
    if (SCHEME.test(text)) return { kind: 'parameters', read: readCallbackParameters(text), notes };
    if (text.startsWith('/')) {
      notes.push('Read a path without the origin.');
      return { kind: 'parameters', read: readCallbackParameters(`http://localhost${text}`), notes };
    }
    if (text.startsWith('?') || text.startsWith('#')) {
      return {
        kind: 'parameters',
        read: {
          mode: text.startsWith('#') ? 'fragment' : 'query',
          params: readFormEncodedParameters(text.slice(1)),
        },
        notes,
      };
    }
    // Bare name=value pairs: a query without its “?”, or a form_post body from the network panel.
    const params = readFormEncodedParameters(text);
    const mode =
      params['access_token'] !== undefined || params['id_token'] !== undefined ? 'fragment' : 'query';
    notes.push('Read name=value pairs without an address.');
    return { kind: 'parameters', read: { mode, params }, notes };
  }
  // Encoded once more than it should be (copied from a log): code%3Dabc%26state%3Dxyz.
  if (/%3D/i.test(text) && !text.includes('=')) {
    let decoded: string | undefined;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      decoded = undefined;
    }
    if (decoded !== undefined && looksLikeAddress(decoded)) {
      const inner = parsePastedResponse(decoded);
      return { ...inner, notes: ['Decoded an address that was percent-encoded twice.', ...inner.notes] };
    }
  }
  if (/[\s?&#]/.test(text) || /=./.test(text.replace(/=+$/, ''))) {
    throw new InvalidInputError(
      'pasted',
      'That is neither an address nor a code: paste the full address from the browser’s address bar (or only the part from “?” or “#” on).',
    );
  }
  // A code copied out of an address keeps its percent-encoding; a code itself never holds “%”.
  if (/%[0-9A-Fa-f]{2}/.test(text)) {
    try {
      const decoded = decodeURIComponent(text);
      notes.push('Decoded the percent-encoding of the code.');
      return { kind: 'code', code: decoded, notes };
    } catch {
      // Not valid percent-encoding: keep the code as pasted.
    }
  }
  return { kind: 'code', code: text, notes };
}
