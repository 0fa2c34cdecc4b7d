/**
 * The device authorization grant (RFC 8628) with Entra's rules around oidc-provider's `deviceFlow`:
 * who may start it (apps with "Allow public client flows"), Entra's response fields (`interval`,
 * `message`, `verification_uri` at `/devicelogin`) and the poll answers oidc-provider does not give
 * (`slow_down`, `expired_token`, `bad_verification_code`).
 */
import type { ArtifactStore } from './adapter.ts';
import type { DevicePollRegistry } from './device-polling.ts';
import { DEVICE_POLL_INTERVAL } from './device-polling.ts';
import { aadsts, type EntraError } from './entra-errors.ts';
import type { AppLookup, AppRegistration } from './registrations.ts';
import { applyUserScope } from './ropc-grant.ts';
import { SANDBOX_TENANT } from './seed.ts';

/** RFC 8628 §3.4 grant type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Where people enter the user code (Entra: https://microsoft.com/devicelogin). */
export const DEVICE_LOGIN_PATH = '/devicelogin';

/** What to do with a device authorization request. */
export type DeviceAuthorizationDecision =
  | { readonly action: 'continue'; readonly params: URLSearchParams }
  | { readonly action: 'error'; readonly error: EntraError };

/** Entra's checks on `POST /{tenant}/oauth2/v2.0/devicecode`; rewrites the scope into a resource indicator. */
export function checkDeviceAuthorizationRequest(
  input: URLSearchParams,
  origin: string | undefined,
  findApp: AppLookup,
): DeviceAuthorizationDecision {
  const params = new URLSearchParams(input);
  const fail = (error: EntraError): DeviceAuthorizationDecision => ({ action: 'error', error });
  const clientId = params.get('client_id');
  if (!clientId) return fail(aadsts.missingParameter('client_id'));
  const app = findApp(clientId);
  if (!app) return fail(aadsts.unknownClient(clientId, SANDBOX_TENANT.displayName));
  // Entra's device code endpoint is not CORS-enabled: a browser request is refused like a token request.
  if (origin !== undefined) return fail(aadsts.crossOriginNotSpa(origin));
  params.set('client_id', app.clientId);
  // Entra treats an app without "Allow public client flows" as confidential: a device code request
  // without a credential is answered with AADSTS7000218 (the sandbox refuses it here, not at the poll).
  if (!app.allowPublicClientFlows) return fail(aadsts.missingCredential());
  if (params.has('client_secret') || params.has('client_assertion'))
    return fail(aadsts.publicClientCredential());
  if (params.has('resource')) return fail(aadsts.resourceParameter());
  const scopeError = applyUserScope(app, params);
  return scopeError ? fail(scopeError) : { action: 'continue', params };
}

/** Entra's device authorization response built from oidc-provider's (RFC 8628 §3.2). */
export function buildDeviceAuthorizationResponse(
  body: Record<string, unknown>,
  deviceLoginUri: string,
): Record<string, unknown> {
  const userCode = String(body['user_code']);
  return {
    user_code: userCode,
    device_code: body['device_code'],
    verification_uri: deviceLoginUri,
    expires_in: body['expires_in'],
    interval: DEVICE_POLL_INTERVAL,
    message: `To sign in, use a web browser to open the page ${deviceLoginUri} and enter the code ${userCode} to authenticate.`,
  };
}

/** Answers a poll before oidc-provider when RFC 8628 §3.5 or Entra says something it would not. */
export async function checkDevicePoll(
  app: AppRegistration,
  params: URLSearchParams,
  polls: DevicePollRegistry,
  store: ArtifactStore,
): Promise<EntraError | undefined> {
  const deviceCode = params.get('device_code');
  if (!deviceCode) return aadsts.missingParameter('device_code');
  const verdict = await polls.poll(deviceCode, app.clientId);
  if (verdict.kind === 'unknown')
    return aadsts.badVerificationCode('the device_code is unknown or belongs to another client');
  if (verdict.kind === 'expired') return aadsts.deviceCodeExpired();
  const stored = await store.find('DeviceCode', deviceCode);
  // oidc-provider would revoke the grant (and its refresh tokens) on a second redemption; Entra does not.
  if (stored?.consumed) {
    return stored.error
      ? aadsts.authorizationDeclined()
      : aadsts.badVerificationCode('the device_code was already redeemed');
  }
  if (verdict.kind === 'slow_down') return aadsts.slowDown(verdict.interval);
  return undefined;
}
