/**
 * Certificate credentials (RFC 7523 §2.2 client authentication, Entra's "certificate credential"):
 * verifies a `client_assertion` against the certificates registered on the app, chosen by the JWS
 * header's `x5t#S256` (or `x5t`) thumbprint as Entra does.
 */
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { CertificateStore } from './certificates.ts';
import { aadsts, type EntraError } from './entra-errors.ts';
import { ROUTES } from './provider-config.ts';
import { SANDBOX_TENANT } from './seed.ts';

/** RFC 7523 §2.2: the only client assertion type. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Clock skew tolerated on `exp` and `nbf`. */
const CLOCK_TOLERANCE_SECONDS = 60;

/** The client id a client assertion names in `sub` (when the request carries no `client_id`). */
export function assertionSubject(assertion: string): string | undefined {
  try {
    const { sub } = decodeJwt(assertion);
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The token endpoint URLs Entra accepts as `aud` (RFC 7523 §3 item 3): the tenant's v2.0 token endpoint
 * by GUID, by domain or as `organizations`, at the sandbox origin; a loopback origin in either spelling
 * (localhost, 127.0.0.1), a public origin behind a proxy (issue 15) as it is.
 */
export function assertionAudiences(origin: string): string[] {
  const url = new URL(origin);
  const origins =
    url.hostname === 'localhost' || url.hostname === '127.0.0.1'
      ? ['localhost', '127.0.0.1'].map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`)
      : [url.origin];
  return origins.flatMap((base) =>
    [SANDBOX_TENANT.id, SANDBOX_TENANT.domain, 'organizations'].map(
      (tenant) => `${base}/${tenant}${ROUTES.token}`,
    ),
  );
}

/** Verifies a client assertion for `clientId`; undefined when it is valid. */
export async function verifyClientAssertion(input: {
  readonly assertion: string;
  readonly assertionType: string | null;
  readonly clientId: string;
  readonly certificates: CertificateStore;
  readonly origin: string;
}): Promise<EntraError | undefined> {
  const { assertion, clientId } = input;
  if (input.assertionType === null) return aadsts.missingParameter('client_assertion_type');
  if (input.assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    return aadsts.generic(
      'invalid_request',
      `client_assertion_type must be '${JWT_BEARER_ASSERTION_TYPE}', not '${input.assertionType}'`,
    );
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    return aadsts.invalidClientAssertion('[Reason - The assertion is not a JWS compact serialization.]');
  }
  const named = header['x5t#S256'] ?? header.x5t;
  if (typeof named !== 'string') {
    return aadsts.invalidClientAssertion(
      "[Reason - The assertion header has no 'x5t#S256' (or 'x5t') thumbprint naming the certificate.]",
    );
  }
  const cert = input.certificates.findByHeader(clientId, header);
  if (!cert) {
    return aadsts.invalidClientAssertion(
      `[Reason - The key was not found., Thumbprint of key used by client: '${named}', Please register the certificate for app Id '${clientId}' on the sandbox portal, or check the x5t#S256 header.]`,
    );
  }
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(assertion, cert.publicKey, {
      algorithms: ['RS256', 'PS256'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'aud', 'iss', 'sub'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired)
      return aadsts.assertionTimeRange("The 'exp' claim is in the past.");
    if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') {
      return aadsts.assertionTimeRange("The 'nbf' claim is in the future.");
    }
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      return aadsts.invalidClientAssertion(`[Reason - The '${err.claim}' claim is missing or invalid.]`);
    }
    if (err instanceof joseErrors.JOSEAlgNotAllowed) {
      return aadsts.invalidClientAssertion(
        `[Reason - Algorithm '${String(header.alg)}' is not accepted; use RS256 or PS256.]`,
      );
    }
    return aadsts.invalidClientAssertion(
      `[Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${named}']`,
    );
  }
  if (payload.iss !== clientId || payload.sub !== clientId) return aadsts.assertionClientMismatch(clientId);
  const audiences = assertionAudiences(input.origin);
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!aud.some((a) => typeof a === 'string' && audiences.includes(a))) {
    return aadsts.invalidClientAssertion(
      `[Reason - The audience claim '${aud.join(', ')}' is wrong: it must be the tenant's token endpoint, e.g. '${audiences[0] ?? ''}'.]`,
    );
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') {
    return aadsts.invalidClientAssertion("[Reason - The assertion has no 'jti' claim.]");
  }
  return undefined;
}
