/**
 * The client credentials flow's reading of the app-only token it got, apart from the flow so its page
 * loads the JWT decoder with the token, not with the form (issue 12).
 */
import { classifyToken, decodeJwt } from '../protocol/jwt.ts';
import type { TokenResponse } from '../protocol/token.ts';

/** What an app-only token says about itself, for the page to state plainly. */
export interface AppOnlyTokenFacts {
  /** Application permissions (`roles`); empty when none were granted. */
  readonly roles: readonly string[];
  /** Delegated scopes (`scp`) — an app-only token should have none. */
  readonly scp?: string;
  readonly idtyp?: string;
  /** How the client authenticated: 1 secret, 2 certificate. */
  readonly azpacr?: string;
  /** The claim that said it: `azpacr` in v2.0 tokens, `appidacr` in v1.0 ones (Graph's are v1.0). */
  readonly credentialClaim?: 'azpacr' | 'appidacr';
  readonly hasRefreshToken: boolean;
  readonly hasIdToken: boolean;
  /** False when the access token is not a readable JWT (then only the response fields are known). */
  readonly decoded: boolean;
}

/**
 * Reads the access token's roles, scp, idtyp and azpacr without verifying it; never throws.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2.2.3.1
 */
export function describeAppOnlyToken(tokens: TokenResponse): AppOnlyTokenFacts {
  const base = {
    hasRefreshToken: tokens.refresh_token !== undefined,
    hasIdToken: tokens.id_token !== undefined,
  };
  if (classifyToken(tokens.access_token) !== 'jwt') return { ...base, roles: [], decoded: false };
  try {
    const claims = decodeJwt(tokens.access_token).payload;
    const roles = Array.isArray(claims['roles'])
      ? claims['roles'].filter((r): r is string => typeof r === 'string')
      : [];
    return {
      ...base,
      roles,
      decoded: true,
      ...(typeof claims['scp'] === 'string' ? { scp: claims['scp'] } : {}),
      ...(typeof claims['idtyp'] === 'string' ? { idtyp: claims['idtyp'] } : {}),
      // access-token-claims-reference: azpacr (v2.0) and appidacr (v1.0) carry the same value.
      ...(claims['azpacr'] !== undefined
        ? { azpacr: String(claims['azpacr']), credentialClaim: 'azpacr' as const }
        : claims['appidacr'] !== undefined
          ? { azpacr: String(claims['appidacr']), credentialClaim: 'appidacr' as const }
          : {}),
    };
  } catch {
    return { ...base, roles: [], decoded: false };
  }
}
