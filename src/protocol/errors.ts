/**
 * Typed errors of the protocol core. Every failure the app can meet is one of these, with a `code`
 * from a closed set; the UI turns the code (and the server's `error` / AADSTS number) into an
 * explanation. Server errors keep their wire fields verbatim.
 */

export type ErrorCode =
  | 'AUTHORIZATION_RESPONSE_ERROR'
  | 'TOKEN_ENDPOINT_ERROR'
  | 'STATE_MISMATCH'
  | 'NONCE_MISMATCH'
  | 'MISSING_PARAMETER'
  | 'DUPLICATE_PARAMETER'
  | 'INVALID_RESPONSE'
  | 'INVALID_JWT'
  | 'INVALID_INPUT'
  | 'NETWORK_ERROR'
  | 'CORS_ERROR'
  | 'RELAY_UNAVAILABLE'
  | 'DEVICE_CODE_EXPIRED'
  | 'HASH_MISMATCH'
  | 'REGISTRATION_ERROR'
  /** No WebCrypto: the page is not a secure context (plain http from another machine). */
  | 'INSECURE_CONTEXT';

/** The base of every error the protocol core throws. */
export class LabError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The error fields an OAuth server puts on the wire, plus Entra's extras. */
export interface OAuthErrorFields {
  readonly error: string;
  readonly error_description?: string;
  readonly error_uri?: string;
  readonly error_codes?: readonly number[];
  readonly timestamp?: string;
  readonly trace_id?: string;
  readonly correlation_id?: string;
  readonly suberror?: string;
  readonly claims?: string;
  readonly [field: string]: unknown;
}

/**
 * The shape of a body a server produced, as recognised when reading it. RFC 6749 §5.2 foresees only
 * `oauth`; the others are what real servers, gateways and proxies send instead.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export type ErrorBodyFormat =
  /** RFC 6749 §5.2 JSON: `error`, `error_description`, `error_uri` (Entra adds `error_codes`…). */
  | 'oauth'
  /** Okta's own error body: `errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`. */
  | 'okta'
  /** The OAuth fields form-encoded (GitHub answers so unless asked for JSON). */
  | 'form'
  /** RFC 9457 problem details: `type`, `title`, `status`, `detail`. */
  | 'problem'
  /** `{"error": {"code", "message"}}`, as Microsoft Graph, Azure and Google APIs send. */
  | 'nested'
  /** No body, only a `WWW-Authenticate` challenge (RFC 6749 §5.2 allows it on a 401). */
  | 'challenge'
  /** JSON with no error field we can read. */
  | 'json'
  /** A web page: a gateway, proxy, firewall or sign-in page answered. */
  | 'html'
  /** Plain text, usually from a gateway or load balancer. */
  | 'text'
  | 'empty';

/**
 * Why a server could not be reached. `via` says whether the browser or the local relay tried: only
 * the relay can tell DNS from TLS from a refused connection; a browser hides the cause.
 * @see https://fetch.spec.whatwg.org/#concept-network-error
 */
export interface UnreachableDetail {
  readonly host: string;
  readonly cause: UnreachableCause;
  /** The system's own code or message (ENOTFOUND, CERT_HAS_EXPIRED…), when known. */
  readonly detail?: string;
  readonly via: 'browser' | 'relay';
}

/**
 * Why a host could not be reached; `unknown` is all a browser can say (it hides the cause).
 * @see https://fetch.spec.whatwg.org/#concept-network-error
 */
export type UnreachableCause =
  'dns' | 'refused' | 'reset' | 'timeout' | 'tls' | 'no-route' | 'offline' | 'unknown';

const UNREACHABLE_CAUSES: Readonly<Record<UnreachableCause, string>> = {
  dns: 'DNS lookup failed',
  refused: 'connection refused',
  reset: 'the connection was reset',
  timeout: 'no answer in time',
  tls: 'the secure (TLS) connection failed',
  'no-route': 'no network route to it',
  offline: 'this computer is offline',
  unknown: 'no answer reached the browser',
};

/**
 * Whether a value names one of the causes above (for reading the relay's JSON).
 * @see https://fetch.spec.whatwg.org/#concept-network-error
 */
export function isUnreachableCause(value: unknown): value is UnreachableCause {
  return typeof value === 'string' && Object.hasOwn(UNREACHABLE_CAUSES, value);
}

/**
 * One line naming the host and the cause: "Could not reach login.microsoftonline.com: DNS lookup failed".
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.6.3
 */
export function describeUnreachable(detail: Pick<UnreachableDetail, 'host' | 'cause'>): string {
  return `Could not reach ${detail.host}: ${UNREACHABLE_CAUSES[detail.cause]}`;
}

/** The server's own words for an error: its description, else its error code, else a plain notice. */
function serverMessage(fields: OAuthErrorFields): string {
  if (typeof fields.error_description === 'string' && fields.error_description.trim() !== '')
    return fields.error_description;
  if (typeof fields.error === 'string' && fields.error.trim() !== '') return fields.error;
  return 'The server returned an error without naming it.';
}

/**
 * The authorization server answered the authorization request with an error on the redirect.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class AuthorizationResponseError extends LabError {
  readonly fields: OAuthErrorFields;

  constructor(fields: OAuthErrorFields) {
    super('AUTHORIZATION_RESPONSE_ERROR', serverMessage(fields));
    this.fields = fields;
  }
}

/**
 * The token endpoint answered with an error body; `cause` holds the raw response text.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class TokenEndpointError extends LabError {
  readonly status: number;
  readonly fields: OAuthErrorFields;
  /** The body's shape; for any but `oauth`, `fields` holds the wire fields plus their OAuth reading. */
  readonly format: ErrorBodyFormat;

  constructor(status: number, fields: OAuthErrorFields, rawBody: string, format: ErrorBodyFormat = 'oauth') {
    super('TOKEN_ENDPOINT_ERROR', serverMessage(fields), { cause: rawBody });
    this.status = status;
    this.fields = fields;
    this.format = format;
  }
}

/**
 * The registration endpoint refused the client metadata (RFC 7591 §3.2.2), or the client configuration
 * endpoint refused a read or delete (RFC 7592 §2); `cause` holds the raw response text.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
 */
export class RegistrationError extends LabError {
  readonly status: number;
  readonly fields: OAuthErrorFields;
  readonly format: ErrorBodyFormat;

  constructor(status: number, fields: OAuthErrorFields, rawBody: string, format: ErrorBodyFormat = 'oauth') {
    super('REGISTRATION_ERROR', serverMessage(fields), { cause: rawBody });
    this.status = status;
    this.fields = fields;
    this.format = format;
  }
}

/** A response broke a protocol rule the client must enforce (state, nonce, missing or repeated fields). */
export class ProtocolViolationError extends LabError {
  /** For an unreadable answer: the shape the body had (a gateway's HTML page, plain text…). */
  readonly format?: ErrorBodyFormat;

  constructor(
    code:
      | 'STATE_MISMATCH'
      | 'NONCE_MISMATCH'
      | 'HASH_MISMATCH'
      | 'MISSING_PARAMETER'
      | 'DUPLICATE_PARAMETER'
      | 'INVALID_RESPONSE',
    message: string,
    options?: { cause?: unknown; format?: ErrorBodyFormat },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.format !== undefined) this.format = options.format;
  }
}

/** A token that is not a well-formed JWT; the message says exactly which part is wrong. */
export class InvalidJwtError extends LabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_JWT', message, options);
  }
}

/** Input the user typed that cannot be used as it is. */
export class InvalidInputError extends LabError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('INVALID_INPUT', message);
    this.field = field;
  }
}

/** The request never got an HTTP answer: offline, refused, timed out, or blocked by CORS. */
export class NetworkError extends LabError {
  /** Which host could not be reached and why, when the request got as far as trying. */
  readonly unreachable?: UnreachableDetail;

  constructor(
    code: 'NETWORK_ERROR' | 'CORS_ERROR' | 'RELAY_UNAVAILABLE',
    message: string,
    options?: { cause?: unknown; unreachable?: UnreachableDetail },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.unreachable !== undefined) this.unreachable = options.unreachable;
  }
}
