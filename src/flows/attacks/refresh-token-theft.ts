/**
 * Refresh token theft from a single-page app: a script injected into the SPA reads the refresh token
 * it keeps in the browser, and the attacker redeems it from anywhere. Without rotation the stolen token
 * keeps working beside the victim's, unnoticed, until the SPA's fixed lifetime (24 hours from the
 * sign-in on Entra) ends it. With rotation, the first time the victim's app and the attacker both use
 * the same token the sandbox sees a used token again and revokes the whole grant.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14
 */
import { parseAuthorizationResponse } from '../../protocol/callback.ts';
import { ProtocolViolationError, TokenEndpointError } from '../../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../../protocol/http.ts';
import { calculateCodeChallenge, generateCodeVerifier, generateRandomState } from '../../protocol/pkce.ts';
import { buildTokenRequest, type TokenResponse } from '../../protocol/token.ts';
import { sendRequest } from '../send-request.ts';
import { browserRoute, readTokenExchange, sendTokenRequest } from '../token-request.ts';
import { LAB_USERS, loadLabTenant, SANDBOX_MISMATCH_HINT, signInAs, type LabTenant } from './sandbox-lab.ts';
import { ATTACKER, type AttackContext, type AttackDefinition, type AttackDeps } from './types.ts';

/** The seeded single-page app: public, PKCE, refresh tokens with Entra's fixed SPA lifetime. */
const SPA_APP = 'Flow Lab SPA';

/** The sandbox settings this attack changes for its run, and puts back afterwards. */
export interface RefreshTheftSettings {
  readonly rotateRefreshTokens: boolean;
  readonly spaRefreshTokenLifetimeSeconds: number;
}

/**
 * What a refresh token theft run carries from step to step.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14
 */
export interface RefreshTheftContext extends AttackContext {
  /** The sandbox's settings before the run, restored when it ends (whatever happens). */
  readonly before?: RefreshTheftSettings;
  readonly tenant?: LabTenant;
  /** When the victim signed in (ms since the epoch): the SPA lifetime counts from here. */
  readonly signedInAt?: number;
  /** The refresh token the victim's SPA keeps (and the attacker copies). */
  readonly victimRefreshToken?: string;
  /** The newest refresh token the attacker holds. */
  readonly attackerRefreshToken?: string;
  /** The victim's reuse was answered with the grant's revocation (AADSTS50173). */
  readonly grantRevoked?: boolean;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `${what} is missing: run the attack from its first step.`,
    );
  return value;
}

const SETTINGS_PATH = '/portal/settings';

/**
 * Reads (no `patch`) or changes the sandbox's runtime settings through its portal API.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export async function exchangeSandboxSettings(
  deps: AttackDeps,
  patch?: Partial<RefreshTheftSettings>,
): Promise<{ readonly settings: RefreshTheftSettings; readonly exchange: HttpExchange }> {
  const url = `${deps.sandboxOrigin}${SETTINGS_PATH}`;
  const request: RecordedRequest =
    patch === undefined
      ? { method: 'GET', url, headers: [['accept', 'application/json']], secretFields: [] }
      : {
          method: 'POST',
          url,
          headers: [['content-type', 'application/json']],
          body: JSON.stringify(patch),
          secretFields: [],
        };
  const exchange = await sendRequest(
    request,
    browserRoute('The sandbox portal answers this app’s origin.'),
    deps.fetch,
    deps.now,
  );
  let json: unknown;
  try {
    json = JSON.parse(exchange.response?.body ?? '');
  } catch {
    json = undefined;
  }
  const read = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const rotate = read['rotateRefreshTokens'];
  const lifetime = read['spaRefreshTokenLifetimeSeconds'];
  if (exchange.response?.status !== 200 || typeof rotate !== 'boolean' || typeof lifetime !== 'number')
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The sandbox portal answered HTTP ${exchange.response?.status ?? 0} without its refresh token settings. ${SANDBOX_MISMATCH_HINT}`,
    );
  return { settings: { rotateRefreshTokens: rotate, spaRefreshTokenLifetimeSeconds: lifetime }, exchange };
}

/** A refresh token redemption as a public client; a token endpoint refusal is returned, not thrown. */
async function refresh(
  refreshToken: string,
  ctx: RefreshTheftContext,
  deps: AttackDeps,
  reason: string,
): Promise<{ exchange: HttpExchange; tokens?: TokenResponse; refusal?: TokenEndpointError }> {
  const tenant = need(ctx.tenant, 'The tenant');
  const request = buildTokenRequest(
    need(tenant.endpoints.token, 'The token endpoint'),
    [
      ['grant_type', 'refresh_token'],
      ['client_id', tenant.app.clientId],
      ['refresh_token', refreshToken],
      ['scope', 'openid offline_access User.Read'],
    ],
    { method: 'none' },
  );
  const exchange = await sendTokenRequest(request, browserRoute(reason), deps);
  try {
    return { exchange, tokens: readTokenExchange(exchange) };
  } catch (error) {
    if (error instanceof TokenEndpointError) return { exchange, refusal: error };
    throw error;
  }
}

/** Whose refresh token a refusal answered: the victim's SPA reusing its own, or the attacker's newest. */
export type RefreshRefuser = 'victim' | 'attacker';

/**
 * What a refusal of a refresh token means, in the page's words, read from its AADSTS code — so the story
 * told never claims more than the code shown. The code itself is shown once, beside it (not in here).
 * AADSTS50173 (FreshTokenNeeded: the grant was revoked), 70008 (ExpiredOrRevokedGrant: expired),
 * 700084 (an SPA's fixed lifetime), 9002313 with the sandbox's "unknown" detail (a token it no longer
 * holds): https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function refreshRefusalStory(
  fields: { readonly error_codes?: readonly number[]; readonly error_description?: string },
  whose: RefreshRefuser,
  /** The victim's reuse already revoked the grant (this run's earlier refusal was AADSTS50173). */
  afterRevocation = false,
): { readonly said: string; readonly grantRevoked: boolean } {
  const code = fields.error_codes?.[0];
  if (code === 50173)
    return whose === 'victim'
      ? {
          grantRevoked: true,
          said: 'The sandbox refused: this refresh token had been used before, so someone else holds a copy. The sandbox cannot tell which holder is the thief, so it revoked the whole grant: every refresh token from this sign-in, the attacker’s new one too. The victim has to sign in again.',
        }
      : {
          grantRevoked: true,
          said: 'The sandbox refused the attacker’s token too: the grant it belonged to has been revoked.',
        };
  if (code === 9002313 && /unknown/i.test(fields.error_description ?? ''))
    return {
      grantRevoked: false,
      said:
        whose === 'attacker' && afterRevocation
          ? 'The sandbox refused the attacker’s token too, as one it no longer holds: revoking the grant deleted every refresh token issued under it, this one included.'
          : 'The sandbox refused the token as one it does not hold.',
    };
  if (code === 70008 || code === 700082)
    return { grantRevoked: false, said: 'The sandbox refused: it took the token for an expired one.' };
  if (code === 700084)
    return {
      grantRevoked: false,
      said: 'The sandbox refused: the SPA’s refresh token passed its fixed lifetime from the sign-in.',
    };
  return { grantRevoked: false, said: 'The sandbox refused the token; its answer is below.' };
}

function newRefreshToken(tokens: TokenResponse | undefined): string {
  const token = tokens?.refresh_token;
  if (typeof token !== 'string' || token === '')
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'The sandbox answered without a refresh token; was offline_access asked for?',
    );
  return token;
}

function at(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${seconds} seconds`;
}

/**
 * Refresh token theft from a SPA, as an attack lab definition.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14
 */
export const refreshTokenTheftAttack: AttackDefinition<RefreshTheftContext> = {
  id: 'refresh-token-theft',
  title: 'Refresh token theft from a single-page app',
  defence: 'rotation and the 24-hour SPA lifetime',
  summary:
    'A used refresh token stops working and a browser app’s refresh tokens expire after a day, which limits what a stolen one is worth.',
  specs: [
    { label: 'RFC 9700 §4.14', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.14' },
    {
      label: 'RFC 9700 §4.14.2 (rotation)',
      href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2',
    },
    {
      label: 'Microsoft: refresh token lifetime of single-page apps',
      href: 'https://learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime',
    },
  ],
  actors: [
    { id: 'victim', label: 'Victim’s SPA' },
    { id: ATTACKER, label: 'Attacker (injected script)', attacker: true },
    { id: 'as', label: 'Sandbox tenant' },
  ],
  runs: {
    vulnerable: {
      title: 'no rotation: a used refresh token stays valid',
      explanation:
        'This is how Entra behaves, and the sandbox by default: each refresh gives a new refresh token, but the old one keeps working. The run turns the sandbox’s rotation off and puts the setting back afterwards.',
      expected: 'attack-works',
    },
    defended: {
      title: 'rotation: a used refresh token is refused, and its grant revoked',
      explanation:
        'The run turns on the sandbox’s “Rotate refresh tokens” setting: each refresh token works once. When the victim’s app and the attacker both use the same one, the second use gives the theft away. RFC 9700 §4.14.2 allows one other defence, sender-constrained tokens such as DPoP: a copied token is useless without the app’s private key.',
      expected: 'defence-stops',
    },
  },
  initialContext: (mode) => ({ mode }),
  // The run changed portal settings (not lab switches): put them back as they were, whatever happened.
  async cleanup(ctx, deps) {
    if (ctx.before !== undefined) await exchangeSandboxSettings(deps, ctx.before);
  },
  steps: [
    {
      id: 'sandbox-setting',
      title: 'The sandbox sets refresh token rotation for this run',
      actor: 'as',
      why: 'Whether a used refresh token still works is up to the authorization server, not the app. This setting is the only difference between the two runs.',
      spec: 'RFC 9700 §4.14.2',
      run: async (ctx, deps) => {
        const read = await exchangeSandboxSettings(deps);
        const rotate = ctx.mode === 'defended';
        const set = await exchangeSandboxSettings(deps, { rotateRefreshTokens: rotate });
        return {
          ctx: { ...ctx, before: read.settings },
          said: rotate
            ? 'Rotation is on: each refresh token works once. The setting goes back to what it was when the run ends.'
            : 'Rotation is off, as on Entra: a refresh token keeps working after it has been used. The setting goes back to what it was when the run ends.',
          facts: [
            { label: 'Rotate refresh tokens', value: rotate ? 'on (this run)' : 'off (Entra’s behaviour)' },
            {
              label: 'SPA refresh token lifetime',
              value: `${hours(set.settings.spaRefreshTokenLifetimeSeconds)} from the sign-in`,
            },
          ],
          exchanges: [read.exchange, set.exchange],
        };
      },
    },
    {
      id: 'victim-sign-in',
      title: 'The victim signs in to the SPA, which keeps a refresh token in the browser',
      actor: 'victim',
      why: 'A single-page app redeems its code in the browser (PKCE, no secret) and keeps the refresh token there, so that it can get new access tokens without asking the user again.',
      spec: 'RFC 9700 §4.14',
      run: async (ctx, deps) => {
        const { tenant, exchange: directory } = await loadLabTenant(SPA_APP, deps);
        const verifier = generateCodeVerifier();
        const { challenge } = await calculateCodeChallenge(verifier);
        const state = generateRandomState();
        const url = new URL(tenant.endpoints.authorization);
        url.search = new URLSearchParams({
          client_id: tenant.app.clientId,
          response_type: 'code',
          redirect_uri: deps.redirectUri,
          scope: 'openid offline_access User.Read',
          state,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).toString();
        const signedInAt = deps.now();
        const signIn = await signInAs('adele', url.href, deps);
        const { code } = parseAuthorizationResponse(signIn.redirectedTo, { state });
        const request = buildTokenRequest(
          need(tenant.endpoints.token, 'The token endpoint'),
          [
            ['grant_type', 'authorization_code'],
            ['client_id', tenant.app.clientId],
            ['code', code],
            ['redirect_uri', deps.redirectUri],
            ['code_verifier', verifier],
          ],
          { method: 'none' },
        );
        const redeemed = await sendTokenRequest(
          request,
          browserRoute('A single-page app redeems its code from the browser; the sandbox answers with CORS.'),
          deps,
        );
        const victimRefreshToken = newRefreshToken(readTokenExchange(redeemed));
        return {
          ctx: { ...ctx, tenant, signedInAt, victimRefreshToken },
          said: `${LAB_USERS.adele.displayName} signed in to the SPA. It holds an access token and a refresh token, in the browser.`,
          facts: [{ label: 'Refresh token in the SPA', value: victimRefreshToken, secret: true }],
          exchanges: [directory, signIn.exchange, redeemed],
        };
      },
    },
    {
      id: 'steal',
      title: 'A script injected into the SPA copies the refresh token',
      actor: ATTACKER,
      why: 'Anything the SPA’s own code can read, a script injected into the page (cross-site scripting, a compromised package) can read too, and send away.',
      spec: 'RFC 9700 §4.14',
      run: (ctx) => {
        const stolen = need(ctx.victimRefreshToken, 'The victim’s refresh token');
        return {
          ctx: { ...ctx, attackerRefreshToken: stolen },
          said: 'The attacker now holds the same refresh token as the victim’s SPA. Nothing the victim sees has changed.',
          facts: [{ label: 'Stolen refresh token', value: stolen, secret: true }],
        };
      },
    },
    {
      id: 'attacker-refresh',
      title: 'The attacker redeems the stolen refresh token',
      actor: ATTACKER,
      why: 'A SPA is a public client: it redeems its refresh token without a secret, so anyone holding the token can redeem it. From a server, the attacker simply sends the SPA’s Origin header.',
      spec: 'RFC 6749 §6',
      run: async (ctx, deps) => {
        const result = await refresh(
          need(ctx.attackerRefreshToken, 'The stolen token'),
          ctx,
          deps,
          'The attacker’s script may send it straight from the victim’s browser.',
        );
        if (result.refusal !== undefined) throw result.refusal;
        const next = newRefreshToken(result.tokens);
        return {
          ctx: { ...ctx, attackerRefreshToken: next },
          said: 'The sandbox answered with a new access token and a new refresh token, now the attacker’s. The stolen token had not been used yet, so in either run the sandbox cannot tell this request from the SPA’s.',
          facts: [
            { label: 'Attacker’s access token', value: result.tokens?.access_token ?? '', secret: true },
            { label: 'Attacker’s new refresh token', value: next, secret: true },
          ],
          exchanges: [result.exchange],
        };
      },
    },
    {
      id: 'victim-refresh',
      title: 'The victim’s SPA refreshes with the token it still holds',
      actor: 'victim',
      why: 'The SPA knows nothing of the theft: when its access token runs out it redeems the refresh token it kept — the one the attacker has already used.',
      spec: 'RFC 9700 §4.14.2',
      run: async (ctx, deps) => {
        const result = await refresh(
          need(ctx.victimRefreshToken, 'The victim’s refresh token'),
          ctx,
          deps,
          'A single-page app refreshes from the browser; the sandbox answers with CORS.',
        );
        if (result.refusal === undefined) {
          const next = newRefreshToken(result.tokens);
          return {
            ctx: { ...ctx, victimRefreshToken: next },
            said: 'The used token still worked: the SPA got new tokens and noticed nothing. The attacker and the victim now both refresh, side by side.',
            exchanges: [result.exchange],
          };
        }
        // RFC 9700 §4.14.2: a used refresh token coming back is a sign of theft; the server revokes the grant.
        const story = refreshRefusalStory(result.refusal.fields, 'victim');
        return {
          ctx: { ...ctx, grantRevoked: story.grantRevoked },
          said: story.said,
          facts: [{ label: 'Refused', value: result.refusal.message }],
          exchanges: [result.exchange],
        };
      },
    },
    {
      id: 'attacker-again',
      title: 'The attacker refreshes again with their newest token',
      actor: ATTACKER,
      why: 'A stolen refresh token is worth as much as the time it keeps giving the attacker fresh access tokens.',
      spec: 'RFC 9700 §4.14.2',
      run: async (ctx, deps) => {
        const result = await refresh(
          need(ctx.attackerRefreshToken, 'The attacker’s refresh token'),
          ctx,
          deps,
          'The attacker’s script may send it straight from the victim’s browser.',
        );
        if (result.refusal !== undefined) {
          const story = refreshRefusalStory(result.refusal.fields, 'attacker', ctx.grantRevoked === true);
          const aadsts = result.refusal.fields.error_codes?.[0];
          return {
            ctx,
            said: story.said,
            exchanges: [result.exchange],
            verdict: {
              attackWorked: false,
              why:
                ctx.grantRevoked === true
                  ? 'The attacker got one access token, good until it expires, and nothing more. When the victim’s SPA used the same refresh token again, the sandbox saw a used token come back and revoked the grant, so the attacker’s newer refresh token stopped working too. Without rotation, the stolen token would have kept working for the rest of the day.'
                  : 'The attacker got one access token, good until it expires, and nothing more: the sandbox refused their newer refresh token.',
              refusal: {
                code: aadsts === undefined ? result.refusal.fields.error : `AADSTS${aadsts}`,
                message: result.refusal.fields.error_description ?? result.refusal.message,
              },
            },
          };
        }
        const next = newRefreshToken(result.tokens);
        if (ctx.mode === 'defended') {
          return {
            ctx,
            said: 'The attacker’s token still worked.',
            exchanges: [result.exchange],
            verdict: {
              attackWorked: true,
              why: 'The sandbox did not revoke the grant: is its rotation setting on?',
            },
          };
        }
        return {
          ctx: { ...ctx, attackerRefreshToken: next },
          said: 'It worked again. Each refresh gives the attacker a new access token and a new refresh token, for as long as the chain lasts. The victim still notices nothing.',
          facts: [{ label: 'Attacker’s newest refresh token', value: next, secret: true }],
          exchanges: [result.exchange],
        };
      },
    },
    {
      id: 'a-day-later',
      title: 'A day after the sign-in: the SPA’s fixed lifetime',
      actor: 'as',
      only: 'vulnerable',
      why: 'Entra gives a single-page app’s refresh tokens a fixed lifetime counted from the sign-in; redeeming one does not extend it. That bounds how long a stolen one is worth.',
      spec: 'RFC 9700 §4.14.2',
      run: async (ctx, deps) => {
        const before = need(ctx.before, 'The sandbox’s settings');
        const signedInAt = need(ctx.signedInAt, 'The sign-in time');
        const endsAt = signedInAt + before.spaRefreshTokenLifetimeSeconds * 1000;
        // The sandbox's clock cannot jump a day, so the lifetime shrinks to its minimum (1 s) instead:
        // the sign-in lies further back than that (its time counts in whole seconds: wait 2 s since it).
        const wait = signedInAt + 2000 - deps.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const shortened = await exchangeSandboxSettings(deps, { spaRefreshTokenLifetimeSeconds: 1 });
        let result: Awaited<ReturnType<typeof refresh>>;
        try {
          result = await refresh(
            need(ctx.attackerRefreshToken, 'The attacker’s refresh token'),
            ctx,
            deps,
            'The attacker’s script may send it straight from the victim’s browser.',
          );
        } finally {
          // Back at once: the 1-second lifetime is for this one request (cleanup puts it back too).
          await exchangeSandboxSettings(deps, {
            spaRefreshTokenLifetimeSeconds: before.spaRefreshTokenLifetimeSeconds,
          }).catch(() => undefined);
        }
        const refused = result.refusal;
        const expired = refused?.fields.error_codes?.includes(700084) === true;
        if (refused !== undefined && !expired) throw refused;
        return {
          ctx,
          said: expired
            ? 'To show the end of the day without waiting a day, the run set the sandbox’s SPA lifetime to 1 second for this one request, then put it back. The attacker’s newest token, issued seconds ago, was refused: its lifetime counts from the victim’s sign-in, not from when it was issued.'
            : 'The attacker’s token still worked after the lifetime was shortened (it should not have).',
          facts: [
            {
              label: 'Stolen chain stops working at',
              value: `${at(endsAt)} (${hours(before.spaRefreshTokenLifetimeSeconds)} after the sign-in)`,
            },
            ...(refused === undefined ? [] : [{ label: 'Refused', value: refused.message }]),
          ],
          exchanges: [shortened.exchange, result.exchange],
          verdict: {
            attackWorked: true,
            why: `The attacker kept refreshing with the stolen token alongside the victim’s SPA, and neither the SPA nor ${LAB_USERS.adele.displayName} could tell. Only the SPA’s fixed lifetime ends it, ${hours(before.spaRefreshTokenLifetimeSeconds)} after the sign-in (AADSTS700084); a web app’s refresh token would have lasted up to 90 days. Rotation would have ended it at the victim’s next refresh.`,
          },
        };
      },
    },
  ],
  diagram: {
    actors: [
      { id: 'victim', label: 'Victim’s SPA' },
      { id: ATTACKER, label: 'Attacker (injected script)', attacker: true },
      { id: 'as', label: 'Sandbox tenant' },
    ],
    messages: [
      {
        from: 'victim',
        to: 'as',
        text: 'sign in, POST /token code + PKCE',
        step: 'victim-sign-in',
        http: true,
      },
      {
        from: 'as',
        to: 'victim',
        text: 'access token + refresh token R1',
        step: 'victim-sign-in',
        reply: true,
      },
      { from: ATTACKER, to: 'victim', text: 'injected script reads R1', step: 'steal' },
      {
        from: ATTACKER,
        to: 'as',
        text: 'POST /token refresh_token=R1',
        step: 'attacker-refresh',
        http: true,
      },
      {
        from: 'as',
        to: ATTACKER,
        text: 'tokens + refresh token R2',
        step: 'attacker-refresh',
        reply: true,
      },
      { from: 'victim', to: 'as', text: 'POST /token refresh_token=R1', step: 'victim-refresh', http: true },
      {
        from: 'as',
        to: 'victim',
        text: 'tokens (R1 still valid)',
        step: 'victim-refresh',
        reply: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: 'victim',
        text: '400 invalid_grant: R1 used twice, grant revoked',
        step: 'victim-refresh',
        reply: true,
        failed: true,
        variant: 'defended',
      },
      { from: ATTACKER, to: 'as', text: 'POST /token refresh_token=R2', step: 'attacker-again', http: true },
      {
        from: 'as',
        to: ATTACKER,
        text: 'tokens + R3',
        step: 'attacker-again',
        reply: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: ATTACKER,
        text: '400 invalid_grant (grant revoked)',
        step: 'attacker-again',
        reply: true,
        failed: true,
        variant: 'defended',
      },
      {
        from: ATTACKER,
        to: 'as',
        text: 'a day after the sign-in: refresh_token=R3',
        step: 'a-day-later',
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: ATTACKER,
        text: '400 AADSTS700084: SPA lifetime over',
        step: 'a-day-later',
        reply: true,
        failed: true,
        variant: 'vulnerable',
      },
    ],
  },
};
