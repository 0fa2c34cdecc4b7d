/**
 * RP-initiated logout: the client sends the user's browser to the OpenID provider's end_session
 * endpoint to end the session there, and (optionally) to be sent back to the client afterwards.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 */
import type { QueryParameter, RequestWarning } from './authorize.ts';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';

/** What the logout request says. All optional, but the spec recommends `id_token_hint`. */
export interface LogoutRequestInput {
  readonly idTokenHint: string;
  readonly postLogoutRedirectUri: string;
  readonly state: string;
  readonly clientId: string;
  readonly uiLocales?: string;
}

/**
 * The logout request's parameters, in the order the spec lists them; empty ones left out.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function logoutParameters(input: LogoutRequestInput): QueryParameter[] {
  const all: QueryParameter[] = [
    ['id_token_hint', input.idTokenHint.trim()],
    ['client_id', input.clientId.trim()],
    ['post_logout_redirect_uri', input.postLogoutRedirectUri.trim()],
    ['state', input.state],
    ['ui_locales', input.uiLocales?.trim() ?? ''],
  ];
  return all.filter(([, value]) => value !== '');
}

/**
 * The URL the browser is sent to (a GET; the OP must also accept the same as a form POST).
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function buildEndSessionUrl(endpoint: string, input: LogoutRequestInput): URL {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new InvalidInputError(
      'end_session_endpoint',
      'The end_session endpoint is not an absolute URL: take it from the provider’s discovery document.',
    );
  }
  for (const [name, value] of logoutParameters(input)) url.searchParams.append(name, value);
  return url;
}

/**
 * What a careful client checks before sending the user to log out, without refusing to build it.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function validateLogoutRequest(input: LogoutRequestInput): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  if (input.idTokenHint.trim() === '') {
    warnings.push({
      parameter: 'id_token_hint',
      message:
        'No ID token: the provider cannot tell which session or client this is, so it asks the user to confirm and may refuse to send them back.',
    });
  }
  if (input.postLogoutRedirectUri.trim() !== '') {
    // RP-Initiated Logout §2: with post_logout_redirect_uri, id_token_hint or client_id SHOULD be sent.
    if (input.idTokenHint.trim() === '' && input.clientId.trim() === '') {
      warnings.push({
        parameter: 'post_logout_redirect_uri',
        message:
          'A return address without id_token_hint or client_id: the provider cannot check it belongs to a client, and will not redirect.',
      });
    }
    if (input.state === '') {
      warnings.push({
        parameter: 'state',
        message: 'No state: the return cannot be matched with this logout request.',
      });
    }
  }
  return warnings;
}

/** What came back on the post_logout_redirect_uri. */
export interface LogoutReturn {
  readonly state?: string;
}

/**
 * Reads the return to the post_logout_redirect_uri: the `state` sent must come back unchanged. The OP
 * sends nothing else (errors are shown to the user at the OP, not returned).
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 */
export function validateLogoutReturn(href: string, expectedState: string): LogoutReturn {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new ProtocolViolationError('INVALID_RESPONSE', 'The return address could not be read.');
  }
  const returned = url.searchParams.get('state') ?? undefined;
  if (expectedState !== '' && returned !== expectedState) {
    throw new ProtocolViolationError(
      'STATE_MISMATCH',
      returned === undefined
        ? 'The provider sent the browser back without the state this logout request carried: this return cannot be matched with it.'
        : 'The state that came back is not the one this logout request sent: the return belongs to another request (or was forged).',
    );
  }
  return returned === undefined ? {} : { state: returned };
}
