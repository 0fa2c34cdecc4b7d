/**
 * RFC 8693 token exchange at the standards sandbox's token endpoint. Stub until it is built: registers
 * nothing, so the grant is not offered yet.
 */
import type Provider from 'oidc-provider';

/** RFC 8693 §2.1: the grant type of a token exchange request. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** Registers the token exchange grant on the standards provider. */
export function registerTokenExchange(_provider: Provider): void {
  // Not built yet.
}
