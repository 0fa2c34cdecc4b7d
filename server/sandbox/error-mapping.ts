/**
 * Translates oidc-provider's errors into the AADSTS error Entra gives for the same situation. Most
 * Entra-specific failures are caught earlier by the gates; this covers what only the library detects.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { aadsts, type EntraError } from './entra-errors.ts';
import { appDisplayName } from './directory.ts';

interface ProviderErrorLike {
  readonly error?: unknown;
  readonly error_description?: unknown;
  readonly error_detail?: unknown;
  readonly scope?: unknown;
  readonly message?: unknown;
  readonly statusCode?: unknown;
}

const AADSTS_PREFIX = /^AADSTS(\d+): ([\s\S]*)$/;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Maps an error thrown inside oidc-provider (with its request context, when known) to an Entra error. */
export function mapProviderError(error: unknown, ctx?: KoaContextWithOIDC): EntraError {
  const err = (error ?? {}) as ProviderErrorLike;
  const name = str(err.error) || 'server_error';
  const description = str(err.error_description);
  const detail = str(err.error_detail) || description;
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;

  const route = ctx?.oidc?.route;
  // A device code the user declined: RFC 8628 §3.5 access_denied, which Entra calls authorization_declined.
  if (name === 'access_denied' && route === 'token') return aadsts.authorizationDeclined();

  const tagged = AADSTS_PREFIX.exec(description);
  if (tagged?.[1] && tagged[2] !== undefined) {
    return { status: status >= 500 ? 400 : status, error: name, code: Number(tagged[1]), message: tagged[2] };
  }

  const params = ctx?.oidc?.params ?? {};
  const clientId = ctx?.oidc?.client?.clientId ?? str(params['client_id']);

  switch (name) {
    case 'authorization_pending':
      return aadsts.authorizationPending();
    case 'expired_token':
      return aadsts.deviceCodeExpired();
    case 'invalid_grant':
      if (detail.includes('device code not found')) return aadsts.badVerificationCode(detail);
      if (detail.includes('PKCE')) return aadsts.pkceMismatch();
      if (detail.includes('already consumed')) return aadsts.codeRedeemed();
      // oidc-provider revokes the whole grant when a rotated refresh token is used again (RFC 9700
      // §4.14.2): Entra's answer for a revoked grant is AADSTS50173, not 70008 (inactivity).
      if (detail.includes('refresh token already used'))
        return aadsts.grantRevoked(
          'this refresh token was used before; with rotation on, its reuse revoked the grant and every token issued under it',
        );
      if (detail.includes('redirect_uri mismatch'))
        return aadsts.tokenRedirectMismatch(str(params['redirect_uri']));
      if (
        detail.includes('expired') ||
        detail.includes('already used') ||
        detail.includes('grant not found')
      ) {
        return aadsts.expiredGrant();
      }
      return aadsts.malformed(detail);
    case 'invalid_client':
      if (detail.includes('client not found')) return aadsts.unknownClient(clientId, 'Flow Lab Sandbox');
      if (detail.includes('invalid secret')) return aadsts.invalidSecret(clientId);
      if (detail.includes('authentication mechanism')) {
        return ctx?.oidc?.client?.clientAuthMethod === 'none'
          ? aadsts.publicClientCredential()
          : aadsts.missingCredential();
      }
      return { ...aadsts.malformed(detail), error: 'invalid_client', status: 401 };
    case 'invalid_request': {
      const missing = /missing required parameters? (\S+)/.exec(description);
      if (missing?.[1]) return aadsts.missingParameter(missing[1].replace(/[',]/g, ''));
      if (description.includes('requires PKCE')) return aadsts.pkceRequired();
      return { ...aadsts.malformed(description), error: 'invalid_request' };
    }
    case 'invalid_scope':
    case 'invalid_target':
      return route === 'token'
        ? aadsts.consentRequired(clientId, appDisplayName(clientId) ?? clientId)
        : aadsts.invalidScope(str(err.scope) || str(params['scope']));
    case 'login_required':
      return aadsts.loginRequired();
    case 'consent_required': {
      const error = aadsts.consentRequired(clientId, appDisplayName(clientId) ?? clientId);
      // The token endpoint says invalid_grant; the authorization endpoint keeps consent_required (prompt=none).
      return route === 'token' ? error : { ...error, error: 'consent_required' };
    }
    case 'interaction_required':
      return aadsts.interactionRequired(description || 'Interaction is required.');
    case 'unsupported_grant_type':
      return aadsts.unsupportedGrantType(str(params['grant_type']));
    case 'unsupported_response_type':
      return aadsts.unsupportedResponseType(str(params['response_type']));
    case 'invalid_redirect_uri':
      return aadsts.redirectUriMismatch(str(params['redirect_uri']), clientId);
    case 'server_error':
      return {
        status: 500,
        error: 'server_error',
        code: 90100,
        message: 'An unexpected error occurred in the sandbox.',
      };
    default:
      return aadsts.generic(name, detail || name);
  }
}
