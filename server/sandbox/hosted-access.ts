/**
 * Which requests hosting mode lets a learner make (server/hosting.ts, docs/workshop.md). Reads are open.
 * A write is open only at an OAuth/OIDC protocol endpoint (authorize, token, device code, sign-in and
 * consent pages, logout, userinfo, the standards issuer's endpoints, dynamic registration): those act
 * for the caller alone. The attack lab is off, since its switches and sign-in change the tenant for the
 * whole class. Every other write — the portals and any endpoint added later that is not listed here —
 * needs the trainer password (deny by default).
 */
import { isPortalWrite, type HostedAccess } from '../hosting.ts';
import { ATTACK_LAB_PREFIX } from './attack-lab.ts';
import { MIX_UP_AS_PREFIX } from './attack-lab-mix-up.ts';
import { resolveTenantSegment } from './directory.ts';
import { INTERACTION_PREFIX, ROUTES } from './provider-config.ts';
import { USERINFO_PATH } from './published-metadata.ts';
import { isV1Path } from './v1-endpoints.ts';
import { STANDARD_PREFIX } from './standard/issuer.ts';
import { STANDARD_INTERACTION_PREFIX } from './standard/interactions.ts';
import { STANDARD_API_PATH } from './standard/resource-api.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The tenant's protocol paths below `/{tenant}`: oidc-provider's routes as the sandbox names them, and
 * the sub-paths oidc-provider adds to three of them (authorization resume, device confirmation, logout
 * confirmation).
 */
const TENANT_PROTOCOL_PATHS: readonly string[] = Object.values(ROUTES);
const TENANT_PROTOCOL_PREFIXES = [ROUTES.authorization, ROUTES.code_verification, ROUTES.end_session].map(
  (path) => `${path}/`,
);

/**
 * The standards issuer's protocol paths below `/standard`: oidc-provider 8's default routes for the
 * features it enables (RFC 6749 authorize/token, RFC 7662 introspection, RFC 7009 revocation, RFC 7591/7592
 * registration, RFC 9126 PAR, RFC 8628 device flow, OIDC RP-Initiated Logout, userinfo).
 */
export const STANDARD_PROTOCOL_PATHS: readonly string[] = [
  '/auth',
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/reg',
  '/request',
  '/device',
  '/device/auth',
  '/session/end',
  '/me',
];
const STANDARD_PROTOCOL_PREFIXES = ['/auth/', '/reg/', '/device/', '/session/end/'];

/** True for a protocol endpoint of the tenant or the standards issuer: it acts for its caller only. */
export function isProtocolPath(pathname: string): boolean {
  if (pathname === USERINFO_PATH) return true;
  if (pathname.startsWith(INTERACTION_PREFIX) || pathname.startsWith(STANDARD_INTERACTION_PREFIX))
    return true;
  if (pathname === STANDARD_API_PATH) return true;
  if (pathname.startsWith(`${STANDARD_PREFIX}/`)) {
    const sub = pathname.slice(STANDARD_PREFIX.length);
    return STANDARD_PROTOCOL_PATHS.includes(sub) || STANDARD_PROTOCOL_PREFIXES.some((p) => sub.startsWith(p));
  }
  const [, rawTenant = '', ...rest] = pathname.split('/');
  if (rest.length === 0 || resolveTenantSegment(rawTenant) === undefined) return false;
  const sub = `/${rest.join('/')}`;
  return (
    TENANT_PROTOCOL_PATHS.includes(sub) ||
    TENANT_PROTOCOL_PREFIXES.some((p) => sub.startsWith(p)) ||
    isV1Path(sub)
  );
}

/** True for a request to the attack lab that changes something: its switches, sign-in, the attacker's server. */
function isAttackLabChange(method: string, pathname: string): boolean {
  if (!pathname.startsWith(ATTACK_LAB_PREFIX)) return false;
  // Reading the mix-up attacker's capture also takes it away (attack-lab-mix-up.ts): a change.
  if (pathname === `${MIX_UP_AS_PREFIX}/captured`) return true;
  return !SAFE_METHODS.has(method);
}

/**
 * How hosting mode treats `method` on `pathname` (a path, no query): the attack lab's changes are
 * `off`; other reads and protocol endpoints are `open`; every other write is `trainer`.
 */
export function classifyHostedRequest(method: string, pathname: string): HostedAccess {
  const upper = method.toUpperCase();
  if (isAttackLabChange(upper, pathname)) return 'off';
  if (SAFE_METHODS.has(upper)) return 'open';
  if (isPortalWrite(upper, pathname)) return 'trainer';
  return isProtocolPath(pathname) ? 'open' : 'trainer';
}
