/**
 * The OpenID Connect UserInfo endpoint: a protected resource of the OpenID provider that answers, for
 * an access token, claims about the user who signed in.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
import { findBearerChallenge, parseWwwAuthenticate, type BearerChallenge } from './bearer.ts';
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';
import type { RecordedRequest } from './http.ts';
import { classifyToken, decodeJwt, normalizeToken } from './jwt.ts';
import { quoteForMessage } from './quote.ts';
import { keptBody, readErrorBody, type ReadableResponse } from './token.ts';

/**
 * Whether an access token is bound to a key (DPoP): the token response said `token_type: DPoP`, or
 * the JWT carries `cnf.jkt`. Such a token is refused as a Bearer token.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6
 */
export function isDpopBound(accessToken: string, tokenType?: string): boolean {
  if (tokenType !== undefined && tokenType.trim().toLowerCase() === 'dpop') return true;
  const clean = normalizeToken(accessToken);
  if (classifyToken(clean) !== 'jwt') return false;
  try {
    const cnf = decodeJwt(clean).payload['cnf'];
    return (
      typeof cnf === 'object' && cnf !== null && typeof (cnf as Record<string, unknown>)['jkt'] === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * The UserInfo request: a GET with the access token in the Authorization header. With a DPoP proof
 * (made elsewhere for this method and URL, with `ath`), the scheme is DPoP and the proof goes beside it.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoRequest
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function buildUserinfoRequest(
  endpoint: string,
  accessToken: string,
  dpopProof?: string,
): RecordedRequest {
  const token = normalizeToken(accessToken);
  const headers: [string, string][] = [['Accept', 'application/json']];
  // RFC 6750 §2.1: the header is the one way every server accepts; never the query string.
  if (token !== '')
    headers.push(['Authorization', `${dpopProof === undefined ? 'Bearer' : 'DPoP'} ${token}`]);
  if (dpopProof !== undefined) headers.push(['DPoP', dpopProof]);
  return {
    method: 'GET',
    url: endpoint.trim(),
    headers,
    secretFields: token === '' ? [] : ['Authorization'],
  };
}

/** What the UserInfo endpoint answered about the user. */
export interface UserinfoReading {
  /** The claims (always with `sub`). */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The answer came as a JWT (`application/jwt`), signed and perhaps encrypted, not as plain JSON. */
  readonly signed: boolean;
  /**
   * Whether `sub` is the ID token's: false means the answer is about someone else and MUST NOT be
   * used; undefined when no ID token was given to compare with.
   */
  readonly subMatches?: boolean;
}

function headerOf(response: ReadableResponse, name: string): string | undefined {
  return response.headers?.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** A refusal of the UserInfo endpoint: the Bearer challenge it sent, read. */
export interface UserinfoRefusal {
  readonly status: number;
  readonly challenge?: BearerChallenge;
}

/**
 * The challenge of a refused UserInfo request (RFC 6750 §3; a DPoP-bound token is refused with a
 * DPoP challenge, RFC 9449 §7.1), or undefined when the header is absent or unreadable.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoError
 */
export function readUserinfoChallenge(response: ReadableResponse): BearerChallenge | undefined {
  const header = headerOf(response, 'www-authenticate');
  if (header === undefined) return undefined;
  try {
    const challenges = parseWwwAuthenticate(header);
    const bearer = findBearerChallenge(challenges);
    if (bearer !== undefined) return bearer;
    const other = challenges.find((c) => c.params['error'] !== undefined);
    if (other === undefined) return undefined;
    const { error, error_description, error_uri } = other.params;
    return {
      params: other.params,
      ...(error === undefined ? {} : { error }),
      ...(error_description === undefined ? {} : { error_description }),
      ...(error_uri === undefined ? {} : { error_uri }),
    };
  } catch {
    return undefined;
  }
}

/**
 * Reads the UserInfo answer: JSON claims or a JWT, which must carry `sub` and — when the ID token's
 * `sub` is given — the same one. A refusal (401 with a challenge, or an error body) becomes a
 * `TokenEndpointError` carrying the challenge's `error`.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoResponse
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoError
 */
export function parseUserinfoResponse(response: ReadableResponse, idTokenSub?: string): UserinfoReading {
  if (response.status < 200 || response.status > 299) {
    const challenge = readUserinfoChallenge(response);
    const reading = readErrorBody(response);
    const fields =
      challenge?.error !== undefined
        ? {
            error: challenge.error,
            ...(challenge.error_description === undefined
              ? {}
              : { error_description: challenge.error_description }),
          }
        : reading.fields;
    if (fields !== undefined) {
      throw new TokenEndpointError(response.status, fields, keptBody(response.body), reading.format);
    }
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The UserInfo endpoint answered HTTP ${response.status} without naming an error (no WWW-Authenticate error, no error body).`,
      { cause: keptBody(response.body), format: reading.format },
    );
  }
  const contentType = (headerOf(response, 'content-type') ?? '').toLowerCase();
  let claims: Record<string, unknown>;
  let signed = false;
  if (contentType.includes('application/jwt')) {
    // OIDC Core §5.3.2: a signed answer is a JWT whose claims are the user's.
    if (classifyToken(response.body.trim()) !== 'jwt') {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        'The UserInfo answer is an encrypted JWT (JWE): only the client holding the decryption key can read it.',
      );
    }
    claims = decodeJwt(response.body.trim()).payload;
    signed = true;
  } else {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `The UserInfo endpoint answered HTTP ${response.status} with something that is not JSON.`,
        { cause: keptBody(response.body) },
      );
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ProtocolViolationError('INVALID_RESPONSE', 'The UserInfo answer is JSON but not an object.');
    }
    claims = json as Record<string, unknown>;
  }
  // OIDC Core §5.3.2: the sub Claim MUST always be returned.
  if (typeof claims['sub'] !== 'string' || claims['sub'] === '') {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The UserInfo answer has no “sub” string (it has ${quoteForMessage(claims['sub'])}); OIDC Core §5.3.2 requires it.`,
    );
  }
  // OIDC Core §5.3.2: the sub MUST be verified to match the ID token's, else the answer MUST NOT be used.
  const subMatches = idTokenSub === undefined ? undefined : claims['sub'] === idTokenSub;
  return { claims, signed, ...(subMatches === undefined ? {} : { subMatches }) };
}
