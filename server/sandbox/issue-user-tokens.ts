/**
 * Issues a user's tokens from a custom grant (ROPC, on-behalf-of) the way oidc-provider's own grants do:
 * a Grant holding the scopes (so the refresh token can be redeemed later), a JWT access token for one
 * resource, a refresh token when `offline_access` was asked for and an ID token when `openid` was.
 */
import type { KoaContextWithOIDC, ResourceServer } from 'oidc-provider';
import { resourceServerInfo } from './provider-config.ts';

/** What to issue. */
export interface UserTokenRequest {
  readonly accountId: string;
  /** oidc-provider's grant type tag stored on the tokens. */
  readonly gty: string;
  /** The OIDC scopes asked for (`openid profile email offline_access`). */
  readonly oidcScopes: readonly string[];
  /** The one resource (RFC 8707) and its fully-qualified permissions. */
  readonly resource: string;
  readonly resourceScopes: readonly string[];
  readonly amr: readonly string[];
}

type ResourceServerClass = new (identifier: string, info: ResourceServer) => ResourceServer;

/** Issues the tokens and sets Entra's token response body (later reshaped by the Entra middleware). */
export async function issueUserTokens(ctx: KoaContextWithOIDC, request: UserTokenRequest): Promise<void> {
  const { provider } = ctx.oidc;
  const client = ctx.oidc.client;
  if (!client) throw new Error('issueUserTokens needs an authenticated client');
  const { accountId, gty, oidcScopes, resource, resourceScopes } = request;
  const amr = [...request.amr];

  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
  grant.addResourceScope(resource, resourceScopes.join(' '));
  const grantId = await grant.save();
  ctx.oidc.entity('Grant', grant);

  // `ResourceServer` exists at runtime (lib/helpers/resource_server.js) but not in @types/oidc-provider.
  const ResourceServerImpl = (provider as unknown as { ResourceServer: ResourceServerClass }).ResourceServer;
  const at = new provider.AccessToken({ accountId, client, grantId, gty, scope: resourceScopes.join(' ') });
  at.resourceServer = new ResourceServerImpl(resource, resourceServerInfo(resource));
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  let refreshToken: string | undefined;
  if (oidcScopes.includes('offline_access')) {
    const rt = new provider.RefreshToken({
      accountId,
      amr,
      authTime: Math.floor(Date.now() / 1000),
      client,
      grantId,
      gty,
      resource,
      rotations: 0,
      scope: [...oidcScopes, ...resourceScopes].join(' '),
    });
    refreshToken = await rt.save();
  }

  let idToken: string | undefined;
  if (oidcScopes.includes('openid')) {
    const account = await provider.Account.findAccount(ctx, accountId);
    const scope = oidcScopes.filter((s) => s !== 'offline_access').join(' ');
    const token = new provider.IdToken(
      {
        ...(await account?.claims('id_token', scope, {}, [])),
        amr,
        auth_time: Math.floor(Date.now() / 1000),
      },
      { ctx },
    );
    (token as unknown as { scope: string }).scope = scope;
    token.set('at_hash', accessToken);
    idToken = await token.issue({ use: 'idtoken' });
  }

  // Entra lists the permissions then the OIDC scopes; offline_access only when a refresh token came back.
  const scope = [
    ...resourceScopes,
    ...oidcScopes.filter((s) => s !== 'offline_access' || refreshToken !== undefined),
  ].join(' ');
  ctx.body = {
    token_type: 'Bearer',
    scope,
    expires_in: at.expiration,
    access_token: accessToken,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    ...(idToken === undefined ? {} : { id_token: idToken }),
  };
}
