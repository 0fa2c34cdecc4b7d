/**
 * Building the authorization request: the URL the browser is sent to.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */

/** One query parameter in the order it will appear in the URL. */
export type QueryParameter = readonly [name: string, value: string];

/** A warning about a request that will still be built, so the user can see what the server says. */
export interface RequestWarning {
  readonly parameter: string;
  readonly message: string;
}

/**
 * The authorization request URL. Empty values are left out; order is kept so the preview reads like
 * the request. Repeated names are refused because the server MUST reject them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function buildAuthorizationUrl(endpoint: string, parameters: readonly QueryParameter[]): URL {
  const url = new URL(endpoint);
  const seen = new Set<string>();
  for (const [name, value] of parameters) {
    const key = name.trim();
    if (key === '' || value === '') continue;
    // RFC 6749 §3.1: request and response parameters MUST NOT be included more than once.
    if (seen.has(key)) continue;
    seen.add(key);
    url.searchParams.append(key, value);
  }
  return url;
}

/**
 * Checks an authorization request the way a careful client would, without refusing to build it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export function validateAuthorizationRequest(parameters: readonly QueryParameter[]): RequestWarning[] {
  const values = new Map<string, string>();
  const warnings: RequestWarning[] = [];
  for (const [name, value] of parameters) {
    const key = name.trim();
    if (key === '' || value === '') continue;
    if (values.has(key)) {
      warnings.push({ parameter: key, message: `“${key}” is given twice; only the first value is sent.` });
      continue;
    }
    values.set(key, value);
  }
  const get = (name: string): string => values.get(name) ?? '';
  for (const required of ['client_id', 'response_type', 'redirect_uri', 'scope']) {
    if (get(required) === '')
      warnings.push({
        parameter: required,
        message: `“${required}” is empty; the server will refuse the request.`,
      });
  }
  if (get('state') === '') {
    // RFC 6749 §10.12: the client MUST implement CSRF protection; state is the usual way.
    warnings.push({
      parameter: 'state',
      message: 'Without state the callback cannot be tied to this browser: CSRF protection is lost.',
    });
  }
  const scopes = get('scope').split(/\s+/);
  if (scopes.includes('openid') && get('nonce') === '') {
    warnings.push({
      parameter: 'nonce',
      message: 'With openid, a nonce lets the client tie the ID token to this request (replay protection).',
    });
  }
  if (get('code_challenge_method') === 'plain') {
    // RFC 7636 §4.2: plain is only for clients that cannot compute SHA-256.
    warnings.push({
      parameter: 'code_challenge_method',
      message: 'plain sends the verifier itself: anyone who sees the request can redeem the code. Use S256.',
    });
  }
  if (get('response_type').split(/\s+/).includes('code') && get('code_challenge') === '') {
    warnings.push({
      parameter: 'code_challenge',
      message: 'No PKCE: a stolen code can be redeemed by whoever holds it (RFC 9700 §2.1.1 wants PKCE).',
    });
  }
  if (get('prompt') === 'select_account' && get('login_hint') !== '') {
    warnings.push({
      parameter: 'login_hint',
      message: 'Entra ignores login_hint together with prompt=select_account.',
    });
  }
  return warnings;
}
