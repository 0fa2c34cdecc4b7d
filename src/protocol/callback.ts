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
  LabError,
  ProtocolViolationError,
  type ErrorCode,
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

/**
 * The names whose presence makes a set of parameters an authorization response; `response` is a
 * JARM answer (JARM §2.3), its parameters inside one JWT.
 */
const RESPONSE_FIELDS = ['code', 'error', 'state', 'id_token', 'access_token', 'response'];

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
  | {
      readonly kind: 'parameters';
      readonly read: CallbackParameters;
      readonly notes: readonly string[];
      /** The absolute address the parameters came from, when the paste was one. */
      readonly address?: string;
    }
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
    if (SCHEME.test(text)) {
      return { kind: 'parameters', read: readCallbackParameters(text), notes, address: text };
    }
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

/**
 * Each way a paste in paste-the-redirect mode can fail, told apart so each gets its own words: nothing
 * pasted, not an address, an address with nothing in it, one with parameters but no response, a
 * response from another redirect URI, a response without state, a state that differs (the real CSRF
 * case), a response with the state but neither code nor error, a repeated parameter.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export type PasteProblemKind =
  | 'empty'
  | 'not-an-address'
  | 'no-parameters'
  | 'not-a-response'
  | 'other-redirect-uri'
  | 'state-missing'
  | 'state-mismatch'
  | 'no-code'
  | 'repeated-parameter';

/**
 * What went wrong with a paste, in words: a title, what happened, and what to do.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export interface PasteProblem {
  readonly kind: PasteProblemKind;
  readonly title: string;
  readonly what: string;
  readonly fix: string;
}

const PASTE_CODES: Readonly<Record<PasteProblemKind, ErrorCode>> = {
  empty: 'INVALID_INPUT',
  'not-an-address': 'INVALID_INPUT',
  'no-parameters': 'MISSING_PARAMETER',
  'not-a-response': 'MISSING_PARAMETER',
  'other-redirect-uri': 'INVALID_INPUT',
  'state-missing': 'MISSING_PARAMETER',
  'state-mismatch': 'STATE_MISMATCH',
  'no-code': 'MISSING_PARAMETER',
  'repeated-parameter': 'DUPLICATE_PARAMETER',
};

/**
 * A paste that cannot be used, with the problem told in words; its message is `what`.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export class PastedResponseError extends LabError {
  readonly problem: PasteProblem;

  constructor(problem: PasteProblem) {
    super(PASTE_CODES[problem.kind], problem.what);
    this.problem = problem;
  }
}

/**
 * What a pasted answer is checked against: the state this sign-in sent, the issuer it signed in at,
 * and the redirect URI it asked the server to come back to.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export interface PasteExpectations extends CallbackExpectations {
  readonly redirectUri?: string;
}

/**
 * A pasted answer that can be used: the response, whether its state was compared (not for a bare
 * code), and what was cleaned from the paste.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export interface PastedAuthorizationResponse {
  readonly authorizationResponse: AuthorizationResponse;
  readonly stateChecked: boolean;
  readonly notes: readonly string[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether an address is at the redirect URI: same scheme, host and path; on a loopback host any port,
 * as RFC 8252 §7.3 asks and Entra does.
 */
function atRedirectUri(address: string, redirectUri: string): boolean {
  let at: URL;
  let expected: URL;
  try {
    at = new URL(address);
    expected = new URL(redirectUri);
  } catch {
    return true;
  }
  const port = LOOPBACK.has(expected.hostname) ? '' : expected.port;
  return (
    at.protocol === expected.protocol &&
    at.hostname === expected.hostname &&
    (port === '' ? true : at.port === port) &&
    at.pathname.replace(/\/$/, '') === expected.pathname.replace(/\/$/, '')
  );
}

/** The first characters of a value, enough to compare two states by eye without showing them whole. */
function glimpse(value: string): string {
  return quoteForMessage(value.length > 12 ? `${value.slice(0, 8)}…` : value, 20);
}

function refuse(problem: PasteProblem): never {
  throw new PastedResponseError(problem);
}

const COPY_AGAIN =
  'Go back to the sign-in tab, wait until its page has loaded (or failed to: the address is what counts), and copy the whole address from the address bar.';

/** The parse step's refusals, as paste problems. */
function parsePasted(pasted: string): PastedResponse {
  try {
    return parsePastedResponse(pasted);
  } catch (error) {
    if (error instanceof ProtocolViolationError && error.code === 'DUPLICATE_PARAMETER') {
      refuse({
        kind: 'repeated-parameter',
        title: 'A parameter appears twice in the pasted address',
        what: error.message,
        fix: `Copy the address again; if it still repeats a parameter, do not use it: sign in again from this page. ${COPY_AGAIN}`,
      });
    }
    if (error instanceof InvalidInputError && pasted.trim() === '') {
      refuse({
        kind: 'empty',
        title: 'Nothing was pasted',
        what: 'The box is empty.',
        fix: 'Paste the whole address you were redirected to, or the code from it.',
      });
    }
    if (error instanceof LabError && error.message.includes('more than one address')) {
      refuse({
        kind: 'not-an-address',
        title: 'More than one address was pasted',
        what: 'The text holds more than one address, and which one is the answer cannot be told.',
        fix: 'Paste only the address the browser was sent back to at the end of the sign-in.',
      });
    }
    if (error instanceof LabError) {
      refuse({
        kind: 'not-an-address',
        title: 'That is not an address',
        what: `${error.message.replace(/:.*$/, '')}: what was pasted is not a web address, a query (“?code=…”), a fragment (“#code=…”) or a bare code.`,
        fix: 'Paste the full address from the browser’s address bar, or only the part from “?” or “#” on.',
      });
    }
    throw error;
  }
}

/**
 * Reads and checks what a person pasted in paste-the-redirect mode, telling each bad paste apart: an
 * address with no parameters, one that is not an authorization response, one for another redirect
 * URI, a missing state, a different state (the CSRF case, RFC 6749 §10.12), no code. An error response
 * is thrown as the server's error even without its state, as it carries no code to misuse. Throws
 * `PastedResponseError` (or `AuthorizationResponseError`); a bare code is returned with its state unchecked.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function readPastedAuthorizationResponse(
  pasted: string,
  expected: PasteExpectations,
): PastedAuthorizationResponse {
  const read = parsePasted(pasted);
  if (read.kind === 'code') {
    return {
      authorizationResponse: { code: read.code, responseMode: 'query', params: { code: read.code } },
      stateChecked: false,
      notes: read.notes,
    };
  }
  const { params } = read.read;
  const names = Object.keys(params);
  const where = read.address === undefined ? 'What was pasted' : 'The pasted address';
  if (names.length === 0) {
    refuse({
      kind: 'no-parameters',
      title: 'The address holds no answer',
      what: `${where} has no query and no fragment: no code, no error, no state. It is the redirect URI itself, or it was copied before the sign-in finished.`,
      fix: `${COPY_AGAIN} Its address holds “code=” and “state=” once the server sends the browser back.`,
    });
  }
  if (!RESPONSE_FIELDS.some((name) => params[name] !== undefined)) {
    const listed = names.slice(0, 5).map((n) => quoteForMessage(n, 30));
    refuse({
      kind: 'not-a-response',
      title: 'The address is not an answer from the sign-in',
      what: `${where} carries ${listed.join(', ')}${names.length > 5 ? ', …' : ''} but no code, no error and no state: it is not an authorization response.`,
      fix: `Copy the address of the page the sign-in ends on, not of another page. ${COPY_AGAIN}`,
    });
  }
  const state = params['state'];
  const error = params['error'];
  const code = params['code'];
  // RFC 6749 §4.1.3: a code is bound to the redirect_uri of its request; redeemed with another it fails.
  // With this sign-in's state the answer is this sign-in's wherever it was copied from; without it, an
  // address at another redirect URI is another sign-in's (another app, profile or tool).
  let elsewhere: string | undefined;
  if (
    read.address !== undefined &&
    expected.redirectUri !== undefined &&
    expected.redirectUri !== '' &&
    (code !== undefined || error !== undefined) &&
    !atRedirectUri(read.address, expected.redirectUri)
  ) {
    try {
      const url = new URL(read.address);
      elsewhere = `${url.origin === 'null' ? `${url.protocol}//${url.host}` : url.origin}${url.pathname}`;
    } catch {
      elsewhere = read.address;
    }
  }
  const otherRedirect =
    elsewhere === undefined
      ? ''
      : ` It is also at ${quoteForMessage(elsewhere)}, not at this sign-in’s redirect URI ${quoteForMessage(expected.redirectUri ?? '')}: most likely another app’s or another tool’s sign-in.`;
  // RFC 6749 §10.12: the client MUST check state before acting on the response.
  if (expected.state !== undefined && state !== undefined && state !== expected.state) {
    refuse({
      kind: 'state-mismatch',
      title: 'State mismatch — the answer is not for this sign-in',
      what: `The state in the pasted address (${glimpse(state)}) is not the one this sign-in sent (${glimpse(expected.state)}). A response from an older sign-in tab looks like this, and so does a forged one (CSRF, RFC 6749 §10.12): the code is not used.${otherRedirect}`,
      fix: 'Open the sign-in page again from this step, sign in in that tab, and paste the address it ends on.',
    });
  }
  if (expected.state !== undefined && state === undefined && elsewhere !== undefined) {
    refuse({
      kind: 'other-redirect-uri',
      title: 'This answer went to another redirect URI',
      what: `The pasted address is at ${quoteForMessage(elsewhere)}, but this sign-in asked the server to come back to ${quoteForMessage(expected.redirectUri)}, and it carries no state to tie it to this sign-in. It belongs to another sign-in (another app, profile or tool), and a code only redeems with the redirect URI it was issued for (RFC 6749 §4.1.3; Entra answers invalid_grant).`,
      fix: 'Paste the address from the tab this page opened (“Open the sign-in page in a new tab”). If the app really uses that redirect URI, set redirect_uri in the first step to it and sign in again.',
    });
  }
  if (expected.state !== undefined && state === undefined && error === undefined) {
    refuse({
      kind: 'state-missing',
      title: 'The pasted address has no state',
      what: `It carries ${code === undefined ? 'no code' : 'a code'} but no state, and this sign-in sent one. Without it the answer cannot be tied to this sign-in (RFC 6749 §10.12). Most likely the address was cut short when copying: state usually comes after the code.`,
      fix: `${COPY_AGAIN} If the whole address really has no state, the server did not return it: sign in again from this page.`,
    });
  }
  const issuerChecked = checkResponseIssuer(params, expected.issuer);
  if (error !== undefined) {
    // The server's own error: shown as it is, with its AADSTS number explained.
    throw new AuthorizationResponseError({ ...params, error });
  }
  if (code === undefined || code === '') {
    refuse({
      kind: 'no-code',
      title: 'The answer has no code',
      what: `The pasted address carries the state of this sign-in but ${code === '' ? 'an empty code' : 'no code'} and no error: RFC 6749 §4.1.2 requires one of the two.`,
      fix: COPY_AGAIN,
    });
  }
  return {
    authorizationResponse: {
      code,
      responseMode: read.read.mode,
      params,
      ...(state === undefined ? {} : { state }),
      ...(issuerChecked ? { issuerChecked } : {}),
    },
    stateChecked: true,
    notes: read.notes,
  };
}
