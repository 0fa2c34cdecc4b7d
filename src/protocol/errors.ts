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
  | 'HASH_MISMATCH';

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

  constructor(status: number, fields: OAuthErrorFields, rawBody: string) {
    super('TOKEN_ENDPOINT_ERROR', serverMessage(fields), { cause: rawBody });
    this.status = status;
    this.fields = fields;
  }
}

/** A response broke a protocol rule the client must enforce (state, nonce, missing or repeated fields). */
export class ProtocolViolationError extends LabError {
  constructor(
    code:
      | 'STATE_MISMATCH'
      | 'NONCE_MISMATCH'
      | 'HASH_MISMATCH'
      | 'MISSING_PARAMETER'
      | 'DUPLICATE_PARAMETER'
      | 'INVALID_RESPONSE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
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
  constructor(
    code: 'NETWORK_ERROR' | 'CORS_ERROR' | 'RELAY_UNAVAILABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
