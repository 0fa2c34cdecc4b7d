/**
 * Finds the credentials in raw HTTP text — form bodies, JSON bodies, URL queries and fragments, headers —
 * so views can mask them and exports can redact them. One rule for every view: a parameter or JSON member
 * named as a credential, a credential header, and any JWT-shaped string. Pure and linear in the text.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.3
 */
import type { HttpExchange, RecordedRequest, RecordedResponse } from './http.ts';

/**
 * Parameter and JSON member names whose values are credentials: tokens (RFC 6749 §5.1, OIDC Core §3.1.3.3),
 * the authorization code (§4.1.2), the PKCE verifier (RFC 7636 §4.1), the device code (RFC 8628 §3.2),
 * client credentials (§2.3.1, RFC 7523 §2.2), grant assertions (RFC 7523 §2.1, on-behalf-of), the password
 * (§4.3.2), token exchange tokens (RFC 8693 §2.1), the token of revocation and introspection (RFC 7009 §2.1)
 * and the registration access token of a dynamically registered client (RFC 7592 §3).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.3
 */
export const CREDENTIAL_PARAMS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'device_code',
  'client_secret',
  'client_assertion',
  'assertion',
  'password',
  'subject_token',
  'actor_token',
  'token',
  'registration_access_token',
]);

/**
 * Header names whose whole value (after the auth scheme, for Authorization) is a credential.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.2
 */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'dpop',
  'cookie',
  'set-cookie',
  'x-relay-token',
]);

/** Headers that start with an auth scheme (RFC 9110 §11.4): the scheme is not secret and helps the reader. */
const SCHEMED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'dpop']);

/** One credential found in a text: `text.slice(start, end)` is its value as written; `name` says what it is. */
export interface SecretSpan {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** A piece of a text: plain, or a credential named by `secret`. */
export interface TextSegment {
  readonly text: string;
  readonly secret?: string;
}

/** What a redacted credential is replaced with in exports: no `&`, `=`, `+`, `%`, `#`, quote or space. */
export function redactionMark(name: string): string {
  return `[redacted:${name.replace(/[^A-Za-z0-9_.-]/g, '_')}]`;
}

function nameSet(extra: readonly string[]): (name: string) => boolean {
  const names = new Set(extra.map((n) => n.toLowerCase()));
  return (name) => CREDENTIAL_PARAMS.has(name.toLowerCase()) || names.has(name.toLowerCase());
}

// JWS compact (three parts) or JWE compact (five parts) whose header is a JSON object (`{"` → `eyJ`).
// RFC 7515 §7.1, RFC 7516 §7.1. The look-behind keeps it from starting inside a longer base64url run.
const JWT_PATTERN =
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?(?![A-Za-z0-9_-])/g;

/** Every JWT-shaped string in `text` (JWS or JWE compact serialization), wherever it stands. */
export function findJwtSpans(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (const match of text.matchAll(JWT_PATTERN)) {
    const start = match.index;
    spans.push({ start, end: start + match[0].length, name: 'JWT' });
  }
  return spans;
}

/** A JWT-shaped string, whole. */
export function isJwtShaped(value: string): boolean {
  const spans = findJwtSpans(value);
  return spans.length === 1 && spans[0]?.start === 0 && spans[0].end === value.length;
}

function decodeFormName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * Credentials in an application/x-www-form-urlencoded text (a body, a query, a fragment), starting at
 * `offset` of a longer text. `extra` names more parameters to treat as secret (a request's secretFields).
 * @see https://url.spec.whatwg.org/#urlencoded-parsing
 */
export function findFormSecrets(text: string, extra: readonly string[] = [], offset = 0): SecretSpan[] {
  const isSecret = nameSet(extra);
  const spans: SecretSpan[] = [];
  let at = 0;
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && eq + 1 < pair.length) {
      const name = decodeFormName(pair.slice(0, eq));
      const valueStart = offset + at + eq + 1;
      if (isSecret(name)) spans.push({ start: valueStart, end: offset + at + pair.length, name });
      else
        for (const jwt of findJwtSpans(pair.slice(eq + 1)))
          spans.push({ start: valueStart + jwt.start, end: valueStart + jwt.end, name: `${name} (JWT)` });
    }
    at += pair.length + 1;
  }
  return spans;
}

/** Credentials in a URL's query and fragment (an implicit redirect carries tokens after `#`). */
export function findUrlSecrets(url: string, extra: readonly string[] = []): SecretSpan[] {
  const hash = url.indexOf('#');
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  const q = beforeHash.indexOf('?');
  const spans: SecretSpan[] = [];
  if (q !== -1) spans.push(...findFormSecrets(beforeHash.slice(q + 1), extra, q + 1));
  if (hash !== -1) spans.push(...findFormSecrets(url.slice(hash + 1), extra, hash + 1));
  if (q === -1 && hash === -1) spans.push(...findJwtSpans(url));
  return spans;
}

/** The credential in one header's value, if it is a credential header or holds a JWT. */
export function findHeaderSecrets(name: string, value: string, extra: readonly string[] = []): SecretSpan[] {
  const lower = name.toLowerCase();
  if (CREDENTIAL_HEADERS.has(lower) || extra.some((e) => e.toLowerCase() === lower)) {
    const scheme = SCHEMED_HEADERS.has(lower)
      ? /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*\s+(?=\S)/.exec(value)
      : null;
    const start = scheme === null || lower === 'dpop' ? 0 : scheme[0].length;
    return start < value.length ? [{ start, end: value.length, name }] : [];
  }
  return findJwtSpans(value).map((span) => ({ ...span, name: `${name} (JWT)` }));
}

/**
 * Credentials in a JSON text: the string values of members named as credentials (at any depth, and the
 * strings of arrays under them), and every JWT-shaped string. Spans cover a string's content between its
 * quotes, so replacing them keeps the JSON valid. A text that is not JSON is searched for JWTs only.
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-7
 */
export function findJsonSecrets(text: string, extra: readonly string[] = []): SecretSpan[] {
  const isSecret = nameSet(extra);
  const spans: SecretSpan[] = [];
  // For each open container: object or array, and the member name it is the value of (an array's
  // elements inherit it, so the strings of `"password": ["…"]` are masked too).
  const open: { readonly object: boolean; readonly owner: string | undefined }[] = [];
  let pendingName: string | undefined;
  let expectingKey = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const start = i + 1;
      const end = Math.min(j, text.length);
      i = end + 1;
      if (expectingKey) {
        let name = text.slice(start, end);
        try {
          name = JSON.parse(`"${name}"`) as string;
        } catch {
          // Keep the name as written.
        }
        pendingName = name;
        expectingKey = false;
        continue;
      }
      const top = open[open.length - 1];
      const owner = pendingName ?? (top?.object === false ? top.owner : undefined);
      pendingName = undefined;
      if (owner !== undefined && isSecret(owner)) {
        if (end > start) spans.push({ start, end, name: owner });
      } else {
        const label = owner === undefined ? 'JWT' : `${owner} (JWT)`;
        for (const jwt of findJwtSpans(text.slice(start, end)))
          spans.push({ start: start + jwt.start, end: start + jwt.end, name: label });
      }
      continue;
    }
    if (ch === '{' || ch === '[') {
      const top = open[open.length - 1];
      open.push({
        object: ch === '{',
        owner: pendingName ?? (top?.object === false ? top.owner : undefined),
      });
      pendingName = undefined;
      expectingKey = ch === '{';
    } else if (ch === '}' || ch === ']') {
      open.pop();
      pendingName = undefined;
      expectingKey = false;
    } else if (ch === ',') {
      pendingName = undefined;
      expectingKey = open[open.length - 1]?.object === true;
    } else if (ch === ':') {
      expectingKey = false;
    } else if (ch !== undefined && !/\s/.test(ch)) {
      // A number, true, false or null: not a string, never masked (no credential is one).
      pendingName = undefined;
    }
    i += 1;
  }
  return spans;
}

function contentTypeOf(headers: readonly (readonly [string, string])[]): string {
  return headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
}

/** Whether a body is read as JSON: by its Content-Type, else by its first character. */
export function isJsonBody(contentType: string, body: string): boolean {
  if (/[/+]json\b/i.test(contentType)) return true;
  if (/x-www-form-urlencoded/i.test(contentType)) return false;
  const start = body.trimStart().charAt(0);
  return start === '{' || start === '[';
}

/** Whether a body is read as a form: by its Content-Type, else by its look (name=value&…). */
export function isFormBody(contentType: string, body: string): boolean {
  if (/x-www-form-urlencoded/i.test(contentType)) return true;
  if (contentType !== '' || isJsonBody(contentType, body)) return false;
  return /^[^\s&=]+=[^\s&]*(?:&[^\s&=]+=[^\s&]*)*$/.test(body);
}

/** Credentials in a body, read as JSON, as a form, or as plain text (JWTs only) by its Content-Type. */
export function findBodySecrets(
  body: string,
  contentType: string,
  extra: readonly string[] = [],
): SecretSpan[] {
  if (isJsonBody(contentType, body)) return findJsonSecrets(body, extra);
  if (isFormBody(contentType, body)) return findFormSecrets(body, extra);
  return findJwtSpans(body);
}

/** Sorted spans with overlaps merged into the first. */
function normalize(spans: readonly SecretSpan[]): SecretSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretSpan[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && span.start < last.end) {
      if (span.end > last.end) out[out.length - 1] = { ...last, end: span.end };
    } else if (span.end > span.start) out.push(span);
  }
  return out;
}

/** Splits `text` into plain and secret segments along `spans`; joined, the segments give `text` back. */
export function splitSecrets(text: string, spans: readonly SecretSpan[]): TextSegment[] {
  const segments: TextSegment[] = [];
  let at = 0;
  for (const span of normalize(spans)) {
    if (span.start > at) segments.push({ text: text.slice(at, span.start) });
    segments.push({ text: text.slice(span.start, span.end), secret: span.name });
    at = span.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}

/** `text` with each span replaced by `mark(name)`. */
export function redactSpans(
  text: string,
  spans: readonly SecretSpan[],
  mark: (name: string) => string = redactionMark,
): string {
  return splitSecrets(text, spans)
    .map((segment) => (segment.secret === undefined ? segment.text : mark(segment.secret)))
    .join('');
}

/**
 * Replaces every occurrence of the given values (and of their percent-encoded forms) in `text`: the last
 * net under an export, for credentials the run held that a free text (an error message) may quote.
 */
export function redactKnownValues(
  text: string,
  values: readonly { readonly value: string; readonly name: string }[],
  mark: (name: string) => string = redactionMark,
): string {
  let out = text;
  const sorted = [...values]
    .filter((v) => v.value.length >= 6)
    .sort((a, b) => b.value.length - a.value.length);
  for (const { value, name } of sorted) {
    for (const form of new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]))
      out = out.split(form).join(mark(name));
  }
  return out;
}

/** A recorded request with every credential replaced by `mark(name)`: URL, headers and body. */
export function redactRequest(
  request: RecordedRequest,
  mark: (name: string) => string = redactionMark,
): RecordedRequest {
  const extra = request.secretFields;
  const body = request.body;
  return {
    ...request,
    url: redactSpans(request.url, findUrlSecrets(request.url, extra), mark),
    headers: request.headers.map(
      ([name, value]) => [name, redactSpans(value, findHeaderSecrets(name, value, extra), mark)] as const,
    ),
    ...(body === undefined
      ? {}
      : { body: redactSpans(body, findBodySecrets(body, contentTypeOf(request.headers), extra), mark) }),
  };
}

/** A recorded response with every credential replaced by `mark(name)`: headers and body. */
export function redactResponse(
  response: RecordedResponse,
  mark: (name: string) => string = redactionMark,
): RecordedResponse {
  return {
    ...response,
    headers: response.headers.map(
      ([name, value]) => [name, redactSpans(value, findHeaderSecrets(name, value), mark)] as const,
    ),
    body: redactSpans(response.body, findBodySecrets(response.body, contentTypeOf(response.headers)), mark),
  };
}

/** An exchange with its request and response redacted. */
export function redactExchange(
  exchange: HttpExchange,
  mark: (name: string) => string = redactionMark,
): HttpExchange {
  return {
    ...exchange,
    request: redactRequest(exchange.request, mark),
    ...(exchange.response === undefined ? {} : { response: redactResponse(exchange.response, mark) }),
  };
}

/** Free text (a message, a description): every JWT-shaped string redacted. */
export function redactText(text: string, mark: (name: string) => string = redactionMark): string {
  return redactSpans(text, findJwtSpans(text), mark);
}
