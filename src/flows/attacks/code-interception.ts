/**
 * Authorization code interception without PKCE: a desktop app (a public client: no secret) receives its
 * authorization response on a loopback redirect URI. Another program on the same device that listens
 * there first (or registered the same custom scheme) receives the redirect instead and redeems the code
 * itself. Without PKCE nothing in the token request tells the two programs apart; with PKCE the code is
 * bound to a code_verifier that never left the real app, and the redemption fails.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.1
 */
import { readCallbackParameters } from '../../protocol/callback.ts';
import { ProtocolViolationError, TokenEndpointError } from '../../protocol/errors.ts';
import { decodeJwt } from '../../protocol/jwt.ts';
import { calculateCodeChallenge, generateCodeVerifier, generateRandomState } from '../../protocol/pkce.ts';
import { buildTokenRequest, type TokenResponse } from '../../protocol/token.ts';
import { readTokenExchange, relayRoute, sendTokenRequest } from '../token-request.ts';
import { LAB_USERS, loadLabTenant, signInAs, type LabTenant } from './sandbox-lab.ts';
import { ATTACKER, type AttackContext, type AttackDefinition } from './types.ts';

/** The seeded public client (Mobile and desktop applications platform, like Azure PowerShell). */
const DESKTOP_APP = 'Flow Lab Console';

/** The desktop app's loopback redirect URI as registered (RFC 8252 §7.3; the port is ignored). */
const LOOPBACK_REDIRECT_URI = 'http://localhost:1337/';

/**
 * What a code interception run carries from step to step.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-1
 */
export interface CodeInterceptionContext extends AttackContext {
  readonly tenant?: LabTenant;
  /** The verifier the real app keeps in its memory (defended run only); the attacker never sees it. */
  readonly codeVerifier?: string;
  readonly authorizationUrl?: string;
  /** The address the sign-in ended on: the loopback redirect URI with the code in its query. */
  readonly redirectedTo?: string;
  readonly code?: string;
  readonly tokens?: TokenResponse;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `${what} is missing: run the attack from its first step.`,
    );
  return value;
}

/** Who a token response is for, read from its access token (Entra puts `upn`/`name` there). */
function tokenUser(tokens: TokenResponse): string {
  try {
    const claims = decodeJwt(tokens.access_token).payload;
    return String(claims['upn'] ?? claims['preferred_username'] ?? claims['name'] ?? claims['sub'] ?? '?');
  } catch {
    return '(the access token is not a JWT)';
  }
}

/**
 * Authorization code interception without PKCE, as an attack lab definition.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export const codeInterceptionAttack: AttackDefinition<CodeInterceptionContext> = {
  id: 'code-interception',
  title: 'Authorization code interception without PKCE',
  defence: 'PKCE',
  summary:
    'The code is bound to a secret only the app that asked for it holds, so another app that captures the redirect cannot redeem it.',
  specs: [
    { label: 'RFC 7636 §1', href: 'https://www.rfc-editor.org/rfc/rfc7636#section-1' },
    { label: 'RFC 9700 §2.1.1', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1' },
    { label: 'RFC 8252 §8.1', href: 'https://www.rfc-editor.org/rfc/rfc8252#section-8.1' },
    { label: 'RFC 7636 §4.6', href: 'https://www.rfc-editor.org/rfc/rfc7636#section-4.6' },
  ],
  actors: [
    { id: 'client', label: 'Desktop app' },
    { id: 'user', label: 'User’s browser' },
    { id: ATTACKER, label: 'Attacker (another app on the device)', attacker: true },
    { id: 'as', label: 'Sandbox tenant' },
  ],
  needsRelay: true,
  runs: {
    vulnerable: {
      title: 'the desktop app sends no code_challenge',
      explanation:
        'A desktop app has no secret, so its code is the only thing the token endpoint asks for. Entra (and the sandbox, like it) does not require PKCE from mobile and desktop apps — only for single-page apps — so leaving it out is the app’s own choice.',
      appDefenceOff: 'the authorization request carries no code_challenge (no PKCE).',
      expected: 'attack-works',
    },
    defended: {
      title: 'the desktop app uses PKCE',
      explanation:
        'The same app, the same captured redirect; this time the authorization request carried the S256 hash of a random code_verifier that stays in the app’s memory, and the token endpoint asks for it.',
      expected: 'defence-stops',
    },
  },
  initialContext: (mode) => ({ mode }),
  steps: [
    {
      id: 'start',
      title: 'The desktop app opens the system browser on the sign-in page',
      actor: 'client',
      why: 'A native app signs users in through the system browser and receives the answer on a loopback redirect URI it listens on.',
      spec: 'RFC 8252 §7.3',
      run: async (ctx, deps) => {
        const { tenant, exchange } = await loadLabTenant(DESKTOP_APP, deps);
        const params = new URLSearchParams({
          client_id: tenant.app.clientId,
          response_type: 'code',
          redirect_uri: LOOPBACK_REDIRECT_URI,
          scope: 'openid profile offline_access User.Read',
          response_mode: 'query',
          state: generateRandomState(),
        });
        let codeVerifier: string | undefined;
        if (ctx.mode === 'defended') {
          // RFC 7636 §4.1–4.3: a fresh verifier per request, only its S256 hash goes out.
          codeVerifier = generateCodeVerifier();
          const { challenge } = await calculateCodeChallenge(codeVerifier, 'S256');
          params.set('code_challenge', challenge);
          params.set('code_challenge_method', 'S256');
        }
        const url = new URL(tenant.endpoints.authorization);
        url.search = params.toString();
        return {
          ctx: { ...ctx, tenant, authorizationUrl: url.href, ...(codeVerifier ? { codeVerifier } : {}) },
          said:
            codeVerifier === undefined
              ? 'The app asks for a code without PKCE: whoever brings the code back to the token endpoint gets the tokens.'
              : 'The app made a random code_verifier, kept it in memory, and sent only its SHA-256 hash as code_challenge.',
          facts: [
            { label: 'Authorization request', value: url.href },
            ...(codeVerifier === undefined
              ? [{ label: 'code_challenge', value: '(none)' }]
              : [
                  { label: 'code_challenge (S256)', value: params.get('code_challenge') ?? '' },
                  { label: 'code_verifier (only in the app)', value: codeVerifier, secret: true },
                ]),
          ],
          exchanges: [exchange],
        };
      },
    },
    {
      id: 'sign-in',
      title: 'The user signs in; the sandbox redirects to the loopback address',
      actor: 'user',
      why: 'The user sees the real sign-in page of their real tenant: nothing looks wrong.',
      spec: 'RFC 6749 §4.1.2',
      run: async (ctx, deps) => {
        const signIn = await signInAs('adele', need(ctx.authorizationUrl, 'The authorization request'), deps);
        return {
          ctx: { ...ctx, redirectedTo: signIn.redirectedTo },
          said: `${LAB_USERS.adele.displayName} signed in. The sandbox sent her browser to ${LOOPBACK_REDIRECT_URI} with the code in the query.`,
          exchanges: [signIn.exchange],
        };
      },
    },
    {
      id: 'capture',
      title: 'The malicious app receives the redirect instead of the desktop app',
      actor: ATTACKER,
      why: 'Any program on the device can listen on a loopback port or register a custom URI scheme; whichever gets there first receives the redirect.',
      spec: 'RFC 8252 §8.1',
      run: (ctx) => {
        const redirectedTo = need(ctx.redirectedTo, 'The redirect');
        const { params } = readCallbackParameters(redirectedTo);
        const code = params['code'];
        if (code === undefined)
          throw new ProtocolViolationError(
            'MISSING_PARAMETER',
            `The redirect carries no code${params['error'] === undefined ? '' : ` (${params['error']}: ${params['error_description'] ?? ''})`}.`,
          );
        return {
          ctx: { ...ctx, code },
          said: 'The attacker’s program, which took the port before the desktop app did, read the code from the request the browser made.',
          facts: [
            { label: 'Captured address', value: redirectedTo, secret: true },
            { label: 'Captured code', value: code, secret: true },
          ],
        };
      },
    },
    {
      id: 'redeem',
      title: 'The attacker redeems the code at the token endpoint',
      actor: ATTACKER,
      why: 'A public client has no secret: client_id, code and redirect_uri are all public or captured. Only a code_verifier would be missing.',
      spec: 'RFC 7636 §4.6',
      run: async (ctx, deps) => {
        const tenant = need(ctx.tenant, 'The tenant');
        const request = buildTokenRequest(
          need(tenant.endpoints.token, 'The token endpoint'),
          [
            ['grant_type', 'authorization_code'],
            ['client_id', tenant.app.clientId],
            ['code', need(ctx.code, 'The code')],
            ['redirect_uri', LOOPBACK_REDIRECT_URI],
            // No code_verifier: it never left the real app's memory.
          ],
          { method: 'none' },
        );
        const exchange = await sendTokenRequest(
          request,
          relayRoute('The attacker’s program is not a web page: it sends the token request itself.', deps),
          deps,
        );
        let tokens: TokenResponse;
        try {
          tokens = readTokenExchange(exchange);
        } catch (error) {
          if (!(error instanceof TokenEndpointError) || error.fields.error !== 'invalid_grant') throw error;
          const codes = error.fields.error_codes?.map((n) => `AADSTS${n}`).join(', ') ?? '';
          // RFC 7636 §4.6: the server compares S256(code_verifier) with the stored code_challenge.
          // The code and the server's words are the outcome's refusal, shown there once.
          return {
            ctx,
            said: 'The sandbox refused the code: it was issued with a code_challenge, and the request brought no code_verifier that hashes to it.',
            exchanges: [exchange],
            verdict: {
              attackWorked: false,
              why: 'The code is bound to the code_challenge the real app sent. Only the real app holds the code_verifier behind it, so the code the attacker captured is worthless to them; the attacker got no tokens.',
              refusal: {
                code: codes || error.fields.error,
                message: error.fields.error_description ?? error.message,
              },
            },
          };
        }
        const who = tokenUser(tokens);
        return {
          ctx: { ...ctx, tokens },
          said: `The sandbox answered with tokens for ${who}: nothing in the request showed it came from another program.`,
          facts: [
            { label: 'Tokens issued for', value: who },
            { label: 'Access token', value: tokens.access_token, secret: true },
            ...(tokens.refresh_token === undefined
              ? []
              : [{ label: 'Refresh token', value: tokens.refresh_token, secret: true }]),
          ],
          exchanges: [exchange],
          verdict: {
            attackWorked: true,
            why: `The attacker’s program holds ${LAB_USERS.adele.displayName}’s access token and refresh token: it can read her profile now and get new access tokens for as long as the refresh token lives, while the real app’s sign-in simply failed.`,
          },
        };
      },
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'Desktop app' },
      { id: 'user', label: 'User’s browser' },
      { id: ATTACKER, label: 'Attacker (another app on the device)', attacker: true },
      { id: 'as', label: 'Sandbox tenant' },
    ],
    messages: [
      {
        from: 'client',
        to: 'user',
        text: 'open /authorize (no code_challenge)',
        step: 'start',
        variant: 'vulnerable',
      },
      {
        from: 'client',
        to: 'user',
        text: 'open /authorize, code_challenge = S256(verifier)',
        step: 'start',
        variant: 'defended',
      },
      { from: 'user', to: 'as', text: 'GET /authorize, sign in', step: 'sign-in', http: true },
      {
        from: 'as',
        to: 'user',
        text: '302 http://localhost:1337/?code=…',
        step: 'sign-in',
        reply: true,
        http: true,
      },
      { from: 'user', to: ATTACKER, text: 'GET localhost:1337/ with the code (captured)', step: 'capture' },
      {
        from: ATTACKER,
        to: 'as',
        text: 'POST /token code (no code_verifier)',
        step: 'redeem',
        http: true,
      },
      {
        from: 'as',
        to: ATTACKER,
        text: '200 access + refresh token',
        step: 'redeem',
        reply: true,
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: ATTACKER,
        text: '400 invalid_grant (code_verifier)',
        step: 'redeem',
        reply: true,
        http: true,
        failed: true,
        variant: 'defended',
      },
    ],
  },
};
