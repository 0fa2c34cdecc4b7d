/**
 * The wrong-audience attack's second API on the sandbox: a payroll API that trusts the standards
 * issuer's RFC 9068 JWT access tokens (signature, issuer, `typ`, expiry) and, normally, only those whose
 * `aud` is its own identifier (RFC 9068 §4, RFC 9700 §2.3). With the attack lab's `apiSkipsAudienceCheck`
 * switch on (vulnerable mode only, off by default) it leaves the `aud` check out, so a token issued for
 * another API — the standards issuer's /standard/api — is accepted here too. CORS for local app origins.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { PAYROLL_API_PATH, payrollApiResource } from '../../src/flows/attacks/wrong-audience-api.ts';
import type { AttackLab } from './attack-lab.ts';
import { sendJson } from './http-utils.ts';
import { SANDBOX_USERS } from './seed.ts';

export { PAYROLL_API_PATH };

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** What the payroll API needs: the switches, the sandbox's origin and the issuer it trusts. */
export interface PayrollApiState {
  readonly attackLab: AttackLab;
  readonly origin: string;
  /** The standards issuer (`<origin>/standard`); its keys are read from its own jwks endpoint. */
  readonly trustedIssuer: string;
}

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keysOf(issuer: string): ReturnType<typeof createRemoteJWKSet> {
  let keys = keySets.get(issuer);
  if (keys === undefined) {
    // The issuer is this sandbox (loopback): the keys are fetched from it and nowhere else.
    keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    keySets.set(issuer, keys);
  }
  return keys;
}

/** Handles a request to the payroll API. */
export async function handlePayrollApiRequest(
  state: PayrollApiState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const origin = req.headers.origin;
  const cors: Record<string, string> =
    origin !== undefined && LOCAL_ORIGIN.test(origin)
      ? {
          'access-control-allow-origin': origin,
          'access-control-expose-headers': 'WWW-Authenticate',
          vary: 'Origin',
          'cache-control': 'no-store',
        }
      : { vary: 'Origin', 'cache-control': 'no-store' };
  if (req.method === 'OPTIONS') {
    res
      .writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'authorization',
        'access-control-max-age': '600',
      })
      .end();
    return;
  }
  const resource = payrollApiResource(state.origin);
  const refuse = (error: 'invalid_request' | 'invalid_token', description: string): void => {
    // RFC 6750 §3: the error in WWW-Authenticate; RFC 6750 §3.1: no error code when no token came.
    const challenge = `Bearer realm="payroll-api"${error === 'invalid_request' ? '' : `, error="${error}", error_description="${description}"`}`;
    sendJson(res, 401, { error, error_description: description }, { ...cors, 'www-authenticate': challenge });
  };
  if (req.method !== 'GET') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'Use GET.' }, cors);
    return;
  }
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return refuse('invalid_request', 'No access token came with the request.');
  const skipAudience = state.attackLab.switches.apiSkipsAudienceCheck;
  let payload;
  try {
    ({ payload } = await jwtVerify(match[1], keysOf(state.trustedIssuer), {
      issuer: state.trustedIssuer,
      // RFC 9068 §4: typ at+jwt, the issuer, and this resource as the audience.
      typ: 'at+jwt',
      clockTolerance: 5,
      // Vulnerable mode only: the audience is not compared (RFC 9700 §2.3 says it must be).
      ...(skipAudience ? {} : { audience: resource }),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud')
      return refuse('invalid_token', `The token's audience is not this API: aud must be ${resource}.`);
    if (error instanceof joseErrors.JWTExpired) return refuse('invalid_token', 'The token has expired.');
    return refuse('invalid_token', 'The token is not an access token of the trusted issuer.');
  }
  const user = SANDBOX_USERS.find((u) => u.oid === payload.sub);
  sendJson(
    res,
    200,
    {
      api: 'payroll',
      employee: user?.displayName ?? String(payload.sub),
      // Sandbox data: a made-up pay slip, the same for everyone.
      monthlySalary: 'EUR 4,850.00',
      iban: 'DE89 3704 0044 0532 0130 00',
      tokenAudience: payload.aud,
      audienceChecked: !skipAudience,
    },
    cors,
  );
}
