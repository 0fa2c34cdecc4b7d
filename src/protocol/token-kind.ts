/**
 * Decides what a JWT is for (access token, ID token, logout token, client assertion, refresh token,
 * request object, DPoP proof) from every standard and provider signal in its header and claims, and
 * says which signal decided; a JWT nothing decides is a JWT of unknown kind, never assumed an access
 * token. A context hint (which response field it came from) wins over any guess.
 */

import { detectIssuerFamily, type TokenKind } from './claims.ts';

export { TOKEN_KINDS, type TokenKind } from './claims.ts';

/**
 * How sure the decision is: `hint` = the flow said so; `high` = a header or claim that exists to say
 * it; `medium` = claims only one kind carries; `low` = a habit of one provider; `none` = nothing decided.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.11
 */
export type KindConfidence = 'hint' | 'high' | 'medium' | 'low' | 'none';

/**
 * What the token was received as, when the caller knows it (e.g. the `id_token` field of a token
 * response). `source` is a short phrase: "the flow received it as the ID token".
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenResponse
 */
export interface KindHint {
  readonly kind: TokenKind;
  readonly source: string;
}

/**
 * The decided kind, the sentence naming the header or claim that decided it, and how sure it is.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.1
 */
export interface KindDecision {
  readonly kind: TokenKind;
  readonly signal: string;
  readonly confidence: KindConfidence;
}

/** Readable names of the token kinds, for sentences and controls. */
export const TOKEN_KIND_LABEL: Readonly<Record<TokenKind, string>> = {
  access: 'access token',
  id: 'ID token',
  refresh: 'refresh token',
  logout: 'logout token',
  'client-assertion': 'client assertion',
  'request-object': 'request object (JAR)',
  'dpop-proof': 'DPoP proof',
  jwt: 'JWT of unknown kind',
};

// OIDC Back-Channel Logout 1.0 §2.4
const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

type Claims = Readonly<Record<string, unknown>>;

function own(record: Claims, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

function has(record: Claims, name: string): boolean {
  return (
    Object.prototype.hasOwnProperty.call(record, name) && record[name] !== null && record[name] !== undefined
  );
}

/** Short quoted rendering of a claim value for a signal sentence. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((item): item is string => typeof item === 'string');
  return [];
}

/** RFC 7523 §3: aud identifies the authorization server, "the URL of the token endpoint MAY be used". */
function looksLikeTokenEndpoint(value: string): boolean {
  try {
    const url = new URL(value);
    return /\/token\/?$/.test(url.pathname);
  } catch {
    return false;
  }
}

const decided = (kind: TokenKind, signal: string, confidence: KindConfidence): KindDecision => ({
  kind,
  signal,
  confidence,
});

function fromHeader(header: Claims): KindDecision | undefined {
  const raw = own(header, 'typ');
  if (typeof raw !== 'string') return undefined;
  // RFC 7515 §4.1.9: "application/" may be omitted from typ, and media types compare case-insensitively.
  const typ = raw
    .trim()
    .toLowerCase()
    .replace(/^application\//, '');
  // RFC 9068 §2.1: JWT access tokens MUST carry typ "at+jwt".
  if (typ === 'at+jwt') return decided('access', `header typ is ${quote(raw)} (RFC 9068 §2.1)`, 'high');
  // OIDC Back-Channel Logout §2.4: logout tokens SHOULD be explicitly typed "logout+jwt".
  if (typ === 'logout+jwt')
    return decided('logout', `header typ is ${quote(raw)} (OIDC Back-Channel Logout §2.4)`, 'high');
  // RFC 9449 §4.2: a DPoP proof's typ MUST be "dpop+jwt".
  if (typ === 'dpop+jwt') return decided('dpop-proof', `header typ is ${quote(raw)} (RFC 9449 §4.2)`, 'high');
  // RFC 9101 §10.8: request objects are typed "oauth-authz-req+jwt".
  if (typ === 'oauth-authz-req+jwt')
    return decided('request-object', `header typ is ${quote(raw)} (RFC 9101 §10.8)`, 'high');
  return undefined;
}

function fromDpopShape(header: Claims, payload: Claims): KindDecision | undefined {
  // RFC 9449 §4.2: a proof carries its public key in jwk and names the request with htm and htu.
  if (has(payload, 'htm') && has(payload, 'htu') && own(header, 'jwk') !== undefined) {
    return decided(
      'dpop-proof',
      'it carries htm and htu and its key in the header jwk, as a DPoP proof (RFC 9449 §4.2)',
      'medium',
    );
  }
  return undefined;
}

function fromRequestObject(payload: Claims): KindDecision | undefined {
  // RFC 9101 §4: a request object holds the authorization request's parameters; response_type and
  // client_id are required in the request, and only a request carries response_type.
  if (has(payload, 'response_type') && has(payload, 'client_id')) {
    return decided(
      'request-object',
      'it carries response_type and client_id, the parameters of an authorization request (RFC 9101 §4)',
      'medium',
    );
  }
  return undefined;
}

function fromLogoutEvent(payload: Claims): KindDecision | undefined {
  const events = own(payload, 'events');
  if (events === null || typeof events !== 'object' || Array.isArray(events)) return undefined;
  return Object.prototype.hasOwnProperty.call(events, BACKCHANNEL_LOGOUT_EVENT)
    ? decided('logout', 'events holds the back-channel logout event (OIDC Back-Channel Logout §2.4)', 'high')
    : undefined;
}

function fromClientAssertion(payload: Claims): KindDecision | undefined {
  const iss = own(payload, 'iss');
  const sub = own(payload, 'sub');
  // RFC 7523 §3 and §2.2: for client authentication iss and sub are both the client id.
  if (typeof iss !== 'string' || iss === '' || iss !== sub) return undefined;
  const aud = audiences(own(payload, 'aud'));
  if (aud.some(looksLikeTokenEndpoint)) {
    return decided(
      'client-assertion',
      'iss and sub are the same (the client) and aud is a token endpoint (RFC 7523 §3)',
      'high',
    );
  }
  if (aud.length > 0 && !has(payload, 'scope') && !has(payload, 'scp') && !has(payload, 'nonce')) {
    return decided(
      'client-assertion',
      'iss and sub are the same, as in a client assertion (RFC 7523 §3)',
      'medium',
    );
  }
  return undefined;
}

function fromProviderTypeClaims(payload: Claims): KindDecision | undefined {
  // Keycloak marks every token it issues in a typ claim:
  // https://github.com/keycloak/keycloak/blob/main/core/src/main/java/org/keycloak/util/TokenUtil.java
  const typ = own(payload, 'typ');
  const keycloak: Record<string, TokenKind> = {
    Bearer: 'access',
    ID: 'id',
    Refresh: 'refresh',
    Offline: 'refresh',
    Logout: 'logout',
  };
  if (typeof typ === 'string' && Object.prototype.hasOwnProperty.call(keycloak, typ)) {
    const kind = keycloak[typ] as TokenKind;
    return decided(kind, `the typ claim is "${typ}", Keycloak's mark for a ${kindWord(kind)}`, 'high');
  }
  // Amazon Cognito: token_use is "access" or "id".
  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
  const use = own(payload, 'token_use');
  if (use === 'access' || use === 'id') {
    return decided(use, `token_use is "${use}" (Amazon Cognito)`, 'high');
  }
  // ForgeRock AM (now Ping Advanced Identity Cloud) names the token in tokenName, as the payloads shown
  // in its /oauth2/idtokeninfo and introspection docs carry it; Oracle's identity domains mark access
  // tokens with tok_type "AT": https://docs.oracle.com/en-us/iaas/Content/Identity/api-getstarted/AccessToken.htm
  const tokenName = own(payload, 'tokenName');
  if (tokenName === 'access_token' || tokenName === 'id_token') {
    return decided(
      tokenName === 'access_token' ? 'access' : 'id',
      `tokenName is "${tokenName}" (ForgeRock)`,
      'high',
    );
  }
  if (own(payload, 'tok_type') === 'AT') return decided('access', 'tok_type is "AT" (Oracle)', 'high');
  // Entra's optional idtyp claim is only put in access tokens ("app" or "user").
  // https://learn.microsoft.com/en-us/entra/identity-platform/optional-claims-reference
  const idtyp = own(payload, 'idtyp');
  if (idtyp === 'app' || idtyp === 'user') {
    return decided(
      'access',
      idtyp === 'app'
        ? 'idtyp is "app": an Entra app-only access token'
        : 'idtyp is "user": an Entra access token for a user',
      'high',
    );
  }
  return undefined;
}

function kindWord(kind: TokenKind): string {
  return TOKEN_KIND_LABEL[kind];
}

function fromEntraShape(payload: Claims, family: string): KindDecision | undefined {
  if (family !== 'entra') return undefined;
  // https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference: scp is
  // "only included for user tokens" (access tokens); azp (v2.0) or appid (v1.0) name the client in every
  // access token. ID tokens carry neither; they may carry roles (app roles assigned to the user).
  if (has(payload, 'scp'))
    return decided('access', 'scp is present: Entra puts delegated scopes only in access tokens', 'medium');
  if (has(payload, 'azpacr') || has(payload, 'appidacr') || has(payload, 'appid')) {
    const which = has(payload, 'azpacr') ? 'azpacr' : has(payload, 'appidacr') ? 'appidacr' : 'appid';
    return decided('access', `${which} is present: Entra puts it only in access tokens`, 'medium');
  }
  if (has(payload, 'nonce') || has(payload, 'at_hash') || has(payload, 'c_hash')) return undefined;
  if (!has(payload, 'azp')) {
    return decided('id', 'it has no azp or appid, which every Entra access token carries', 'medium');
  }
  return undefined;
}

function fromOidcClaims(payload: Claims): KindDecision | undefined {
  // OIDC Core §2 and §3.1.3.6: only ID tokens carry nonce, at_hash and c_hash.
  for (const name of ['nonce', 'at_hash', 'c_hash']) {
    if (has(payload, name))
      return decided('id', `${name} is present, a claim of ID tokens (OIDC Core §2)`, 'medium');
  }
  return undefined;
}

function fromAccessClaims(payload: Claims): KindDecision | undefined {
  // RFC 9068 §2.2: client_id is required in JWT access tokens; scope per RFC 8693 §4.2; scp is Entra's
  // and Okta's name, cid is Okta's client id.
  for (const [name, source] of [
    ['scope', 'RFC 9068 §2.2.3'],
    ['scp', 'Entra and Okta'],
    ['client_id', 'RFC 9068 §2.2'],
    ['cid', 'Okta'],
  ] as const) {
    if (has(payload, name)) {
      return decided('access', `${name} is present, a claim of access tokens (${source})`, 'medium');
    }
  }
  return undefined;
}

function fromWeakIdClaims(payload: Claims, family: string): KindDecision | undefined {
  const azp = own(payload, 'azp');
  const aud = audiences(own(payload, 'aud'));
  // OIDC Core §2: azp is the party the ID token was issued to; equal to a single aud it is the client.
  if (typeof azp === 'string' && aud.length === 1 && aud[0] === azp) {
    return decided('id', 'azp equals aud, as in an ID token issued to that client (OIDC Core §2)', 'low');
  }
  // Google and Apple issue their access tokens as opaque strings: their JWTs are ID tokens.
  if (family === 'google' || family === 'apple') {
    return decided(
      'id',
      `the issuer is ${family === 'google' ? 'Google' : 'Apple'}, whose only JWTs are ID tokens`,
      'low',
    );
  }
  if (has(payload, 'auth_time')) {
    return decided(
      'id',
      'auth_time is present, a claim of ID tokens (OIDC Core §2), and nothing says otherwise',
      'low',
    );
  }
  return undefined;
}

const V1_CLAIMS = ['appid', 'appidacr', 'upn', 'unique_name'] as const;
const V2_CLAIMS = ['azp', 'azpacr'] as const;

/**
 * Which Entra access token version a payload has, and the claims that show it: v1.0 tokens name the
 * client in appid/appidacr and the user in upn/unique_name; v2.0 tokens use azp/azpacr. Undefined when
 * the token shows neither (not an Entra access token, or too few claims).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 */
export function describeAccessTokenVersion(
  payload: Readonly<Record<string, unknown>>,
): { readonly version: '1.0' | '2.0'; readonly signal: string } | undefined {
  const ver = own(payload, 'ver');
  const v1 = V1_CLAIMS.filter((name) => has(payload, name));
  const v2 = V2_CLAIMS.filter((name) => has(payload, name));
  const shown = (names: readonly string[]) => (names.length === 0 ? '' : `, with ${names.join(', ')}`);
  if (ver === '1.0' || (ver === undefined && v1.length > 0 && v2.length === 0)) {
    const why = ver === '1.0' ? 'ver is "1.0"' : 'no ver claim';
    return { version: '1.0', signal: `${why}${shown(v1)} (v2.0 tokens use azp and azpacr)` };
  }
  if (ver === '2.0' || (ver === undefined && v2.length > 0 && v1.length === 0)) {
    const why = ver === '2.0' ? 'ver is "2.0"' : 'no ver claim';
    return { version: '2.0', signal: `${why}${shown(v2)} (v1.0 tokens use appid, appidacr and upn)` };
  }
  return undefined;
}

/**
 * Decides whether a JWT is an access token, ID token, logout token, client assertion or refresh token:
 * a hint from the flow wins; then the JOSE `typ` header, dedicated claims (`events`, Keycloak `typ`,
 * Cognito `token_use`, Entra `idtyp`), issuer-specific shapes, and the claims only one kind carries.
 * Never throws, for any header and payload.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#LogoutToken
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function decideTokenKind(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  hint?: KindHint,
): KindDecision {
  if (hint !== undefined) return decided(hint.kind, hint.source, 'hint');
  try {
    const family = detectIssuerFamily(payload).family;
    return (
      fromHeader(header) ??
      fromLogoutEvent(payload) ??
      fromDpopShape(header, payload) ??
      fromRequestObject(payload) ??
      fromClientAssertion(payload) ??
      fromProviderTypeClaims(payload) ??
      fromEntraShape(payload, family) ??
      fromOidcClaims(payload) ??
      fromAccessClaims(payload) ??
      fromWeakIdClaims(payload, family) ??
      decided(
        'jwt',
        'no header or claim says what kind of token this is, so its claims get the general meanings of RFC 7519',
        'none',
      )
    );
  } catch {
    return decided(
      'jwt',
      'the token could not be read for signals; its claims get the general meanings of RFC 7519',
      'none',
    );
  }
}
