/**
 * Introspection and revocation of the issuer's own JWT access tokens (RFC 9068). oidc-provider keeps no
 * record of structured tokens, so it answers `active: false` for them at introspection and ignores them
 * at revocation. The sandbox verifies such a token with its own keys and answers for it as RFC 7662 §2.2
 * describes; a revoked one is remembered (by `jti`, until it expires) so introspection then says
 * inactive. A resource server that checks the JWT on its own still accepts it until `exp`: that is the
 * trade-off of self-contained tokens the lab shows.
 */
import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';

/** Adds JWT access token introspection and revocation to the provider. */
export function handleJwtAccessTokens(
  provider: Provider,
  issuer: string,
  jwks: { readonly keys: readonly JWK[] },
): void {
  const keySet = createLocalJWKSet({ keys: jwks.keys.map((k) => ({ ...k })) });
  const revoked = new Map<string, number>();
  const verify = async (token: string): Promise<JWTPayload | undefined> => {
    if (token.split('.').length !== 3) return undefined;
    try {
      // RFC 9068 §4: the issuer, the at+jwt type and the signature; expiry is checked by jwtVerify.
      const { payload } = await jwtVerify(token, keySet, { issuer, typ: 'at+jwt' });
      return payload;
    } catch {
      return undefined;
    }
  };
  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if ((route !== 'introspection' && route !== 'revocation') || ctx.status !== 200) return;
    const token = ctx.oidc.params?.['token'];
    const client = ctx.oidc.client;
    if (typeof token !== 'string' || !client) return;
    const payload = await verify(token);
    if (!payload?.jti) return;
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, exp] of revoked) if (exp <= now) revoked.delete(jti);
    // RFC 7662 §4 / RFC 7009 §2.1: a public client may act only on its own tokens.
    const own = payload['client_id'] === client.clientId;
    if (client.clientAuthMethod === 'none' && !own) return;
    if (route === 'revocation') {
      revoked.set(payload.jti, payload.exp ?? now);
      return;
    }
    const body = ctx.body as { active?: unknown } | undefined;
    if (body?.active !== false || revoked.has(payload.jti)) return;
    const cnf = payload['cnf'] as { jkt?: string } | undefined;
    // RFC 7662 §2.2 members, and RFC 9449 §6.2: a DPoP-bound token says so with token_type and cnf.
    ctx.body = {
      active: true,
      iss: payload.iss,
      sub: payload.sub,
      aud: payload.aud,
      client_id: payload['client_id'],
      scope: payload['scope'],
      iat: payload.iat,
      exp: payload.exp,
      jti: payload.jti,
      token_type: cnf?.jkt ? 'DPoP' : 'Bearer',
      ...(cnf ? { cnf } : {}),
      ...(payload['act'] ? { act: payload['act'] } : {}),
    };
  });
}
