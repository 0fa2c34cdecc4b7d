/**
 * What a correct app says about each real provider's flows, written by hand from each published
 * document (test-fixtures/providers) and these rules:
 * - "Not available" when the flow needs an endpoint the document lacks (token_endpoint for every
 *   flow that redeems at the token endpoint; device_authorization_endpoint for device code, RFC 8628
 *   §4) or when response_types_supported has no response type the flow needs (code for the code
 *   flow; one with token or id_token for implicit/hybrid — OIDC Discovery §3).
 * - "Not advertised" when the endpoints exist but grant_types_supported does not list the grant
 *   (when absent it defaults to ["authorization_code", "implicit"]: OIDC Discovery §3, RFC 8414 §2).
 *   On-behalf-of is a jwt-bearer grant (RFC 7523 §2.1).
 * - "Offered" otherwise; calling an API needs no endpoint of the authority.
 * - The feature routes: DPoP by dpop_signing_alg_values_supported (RFC 9449 §5.1), token exchange by its
 *   grant listed (Battle.net lists it), token management by any of the userinfo, introspection,
 *   revocation and end-session endpoints, dynamic registration by registration_endpoint (RFC 7591).
 * The Entra multi-tenant documents are refused under a generic issuer (their issuer is a template);
 * under the Microsoft Entra ID authority with the same alias, the flows Entra refuses without a
 * specific tenant are not available (see entraAliasTable).
 */
import { FLOWS, type FlowId } from '../../src/flows/registry.ts';

export type ExpectedStatus = 'offered' | 'not-advertised' | 'unavailable';

/** The label the Settings page shows for each status. */
export const STATUS_LABEL: Record<ExpectedStatus, string> = {
  offered: 'Offered',
  'not-advertised': 'Not advertised',
  unavailable: 'Not available',
};

/** One expected row: the status, and for "Not available" the document fields the reason may name. */
export interface ExpectedFlow {
  readonly status: ExpectedStatus;
  readonly names?: readonly string[];
}

const O: ExpectedFlow = { status: 'offered' };
const N: ExpectedFlow = { status: 'not-advertised' };
const NO_TOKEN: ExpectedFlow = { status: 'unavailable', names: ['token_endpoint'] };
const NO_DEVICE: ExpectedFlow = { status: 'unavailable', names: ['device_authorization_endpoint'] };
const NO_IMPLICIT_TYPE: ExpectedFlow = { status: 'unavailable', names: ['response_types_supported'] };
const NO_REGISTRATION: ExpectedFlow = { status: 'unavailable', names: ['registration_endpoint'] };
const NO_TOKEN_TOOLS: ExpectedFlow = {
  status: 'unavailable',
  names: ['userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint'],
};

type Table = Readonly<Record<FlowId, ExpectedFlow>>;

/** How a provider's discovery under a generic issuer must end. */
export type ExpectedDiscovery =
  | { readonly kind: 'found' }
  /** Refused because the issuer is Entra's template; the user is sent to the Entra authority. */
  | { readonly kind: 'entra-template'; readonly tenant: string };

export interface ProviderExpectation {
  readonly discovery: ExpectedDiscovery;
  readonly flows: Table;
}

/** A flow Entra refuses on a tenant alias: the reason must say a tenant is needed. */
const NEEDS_TENANT: ExpectedFlow = { status: 'unavailable', names: ['tenant'] };

/**
 * Entra under a tenant alias. Its endpoints are all there, but an alias names no tenant:
 * - client credentials needs the tenant "in GUID or domain-name format" (AADSTS50059 on /common):
 *   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * - on-behalf-of: Microsoft advises the tenant from the incoming token's tid, never /common or
 *   /organizations: https://learn.microsoft.com/entra/msal/dotnet/acquiring-tokens/web-apps-apis/on-behalf-of-flow
 * - resource owner password: the tenant "can't be set to common or consumers, but may be set to
 *   organizations" (AADSTS9001023): https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
 */
function entraAliasTable(alias: 'common' | 'organizations'): Table {
  return {
    'authorization-code': O,
    'client-credentials': NEEDS_TENANT,
    'call-api': O,
    'device-code': O,
    password: alias === 'common' ? NEEDS_TENANT : O,
    implicit: O,
    'refresh-token': O,
    'on-behalf-of': NEEDS_TENANT,
    // Entra's published fields: userinfo and logout, no DPoP, token exchange or registration endpoint.
    dpop: N,
    'token-exchange': N,
    'token-management': O,
    'dynamic-registration': NO_REGISTRATION,
  };
}

export const PROVIDER_EXPECTATIONS: Readonly<Record<string, ProviderExpectation>> = {
  // No grant_types_supported (default: code, implicit); response_types_supported ["code"]; no device endpoint.
  apple: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': N,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: N,
      implicit: NO_IMPLICIT_TYPE,
      'refresh-token': N,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // Lists authorization_code, client_credentials, implicit, the device_code URN, refresh_token; has a device endpoint.
  'battle-net': {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': O,
      'call-api': O,
      'device-code': O,
      password: N,
      implicit: O,
      'refresh-token': O,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': O,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // No grant_types_supported; response types code and token; no device endpoint.
  discord: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': N,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: N,
      implicit: O,
      'refresh-token': N,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': NO_TOKEN_TOOLS,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // grant_types_supported ["authorization_code"], response types ["code"]; token endpoint on another host.
  dropbox: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': N,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: N,
      implicit: NO_IMPLICIT_TYPE,
      'refresh-token': N,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': NO_TOKEN_TOOLS,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  'entra-common': {
    discovery: { kind: 'entra-template', tenant: 'common' },
    flows: entraAliasTable('common'),
  },
  'entra-organizations': {
    discovery: { kind: 'entra-template', tenant: 'organizations' },
    flows: entraAliasTable('organizations'),
  },
  // No token_endpoint (implicit-only, OIDC Discovery §3); response types id_token and "token id_token".
  facebook: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': { status: 'unavailable', names: ['token_endpoint', 'response_types_supported'] },
      'client-credentials': NO_TOKEN,
      'call-api': O,
      'device-code': { status: 'unavailable', names: ['device_authorization_endpoint', 'token_endpoint'] },
      password: NO_TOKEN,
      implicit: O,
      'refresh-token': NO_TOKEN,
      'on-behalf-of': NO_TOKEN,
      dpop: NO_TOKEN,
      'token-exchange': NO_TOKEN,
      'token-management': NO_TOKEN_TOOLS,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // Lists password, client_credentials, refresh_token and "device_code" but has no device endpoint; response types ["code"].
  gitlab: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': O,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: O,
      implicit: NO_IMPLICIT_TYPE,
      'refresh-token': O,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // Lists authorization_code, refresh_token, the device_code URN and jwt-bearer (not implicit, though
  // response types with token/id_token are there); four hosts.
  google: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': N,
      'call-api': O,
      'device-code': O,
      password: N,
      implicit: N,
      'refresh-token': O,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // Lists authorization_code, implicit, client_credentials, refresh_token; no device endpoint.
  klarna: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': O,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: N,
      implicit: O,
      'refresh-token': O,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // grant_types_supported ["authorization_code"], response types ["code"].
  slack: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': N,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: N,
      implicit: NO_IMPLICIT_TYPE,
      'refresh-token': N,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // Lists the device_code URN but publishes no device endpoint; lists jwt-bearer; response types code, none.
  spotify: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': N,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: N,
      implicit: NO_IMPLICIT_TYPE,
      'refresh-token': O,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
  // Same grants as Klarna (both run Ory Hydra); one key without alg.
  verimi: {
    discovery: { kind: 'found' },
    flows: {
      'authorization-code': O,
      'client-credentials': O,
      'call-api': O,
      'device-code': NO_DEVICE,
      password: N,
      implicit: O,
      'refresh-token': O,
      'on-behalf-of': N,
      dpop: N,
      'token-exchange': N,
      'token-management': O,
      'dynamic-registration': NO_REGISTRATION,
    },
  },
};

/** The expectation for a provider; a fixture without one is a test failure, not a silent pass. */
export function expectationFor(id: string): ProviderExpectation {
  const found = PROVIDER_EXPECTATIONS[id];
  if (found === undefined) throw new Error(`No expected flow table written for the provider ${id}.`);
  return found;
}

/** The flows in registry order, with their titles as the Settings list shows them. */
export const FLOW_TITLES: readonly { readonly id: FlowId; readonly title: string }[] = FLOWS.map((flow) => ({
  id: flow.id,
  title: flow.title,
}));
