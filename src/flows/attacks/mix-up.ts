/**
 * Mix-up between two authorization servers: an app that signs users in at more than one server lets
 * the user pick the attacker's. The attacker's server sends the browser on to the honest server, where
 * the user signs in; the honest server's code comes back to the app, which — believing it talks to the
 * server it sent the user to — redeems it at the attacker's token endpoint, handing over the code and
 * its PKCE verifier. The attacker redeems both at the honest server. The `iss` parameter of the
 * authorization response (RFC 9207) names the server that issued the code, and stops it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc9207
 */
import { parseAuthorizationResponse, readCallbackParameters } from '../../protocol/callback.ts';
import { readMetadata } from '../../protocol/discovery.ts';
import type { Endpoints } from '../../protocol/endpoints.ts';
import { LabError, ProtocolViolationError } from '../../protocol/errors.ts';
import type { HttpExchange } from '../../protocol/http.ts';
import { calculateCodeChallenge, generateCodeVerifier, generateRandomState } from '../../protocol/pkce.ts';
import { buildTokenRequest, type TokenResponse } from '../../protocol/token.ts';
import { sendRequest } from '../send-request.ts';
import { browserRoute, readTokenExchange, sendTokenRequest } from '../token-request.ts';
import {
  HONEST_ISSUER_PATH,
  MIX_UP_AS_PATH,
  MIX_UP_CAPTURED_PATH,
  MIX_UP_CLIENT_ID,
  MIX_UP_HONEST_CLIENT_ID,
} from './mix-up-server.ts';
import { LAB_USERS, SANDBOX_MISMATCH_HINT, signInAs } from './sandbox-lab.ts';
import { ATTACKER, type AttackContext, type AttackDefinition, type AttackDeps } from './types.ts';

/**
 * What a mix-up run carries from step to step.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.4
 */
export interface MixUpContext extends AttackContext {
  /** The issuer the user picked (the attacker's), which the app remembers for the callback. */
  readonly chosenIssuer?: string;
  readonly chosenEndpoints?: Endpoints;
  /** The chosen server's metadata promises `iss` in its responses (RFC 9207 §3). */
  readonly chosenSendsIss?: boolean;
  readonly state?: string;
  readonly verifier?: string;
  /** Where the sign-in ended: the app's redirect URI with the honest server's code (and `iss`). */
  readonly callback?: string;
  readonly code?: string;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `${what} is missing: run the attack from its first step.`,
    );
  return value;
}

/** Reads an issuer's OpenID discovery document from the sandbox and checks it names that issuer. */
async function discover(
  issuer: string,
  deps: AttackDeps,
): Promise<{
  readonly endpoints: Endpoints;
  readonly sendsIss: boolean;
  readonly userinfo?: string;
  readonly exchange: HttpExchange;
}> {
  const url = `${issuer}/.well-known/openid-configuration`;
  const exchange = await sendRequest(
    { method: 'GET', url, headers: [['accept', 'application/json']], secretFields: [] },
    browserRoute('Discovery documents answer any origin.'),
    deps.fetch,
    deps.now,
  );
  let json: unknown;
  try {
    json = JSON.parse(exchange.response?.body ?? '');
  } catch {
    json = undefined;
  }
  if (exchange.response?.status !== 200)
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `${url} answered HTTP ${exchange.response?.status ?? 0}. ${SANDBOX_MISMATCH_HINT}`,
    );
  const { endpoints } = readMetadata(json, issuer, 'openid-configuration', url);
  const sendsIss =
    typeof json === 'object' &&
    json !== null &&
    (json as Record<string, unknown>)['authorization_response_iss_parameter_supported'] === true;
  const userinfo = (json as Record<string, unknown>)['userinfo_endpoint'];
  return {
    endpoints,
    sendsIss,
    ...(typeof userinfo === 'string' && userinfo.startsWith(`${deps.sandboxOrigin}/`) ? { userinfo } : {}),
    exchange,
  };
}

/**
 * Mix-up between two authorization servers, as an attack lab definition.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.4
 */
export const mixUpAttack: AttackDefinition<MixUpContext> = {
  id: 'mix-up',
  title: 'Mix-up between two authorization servers',
  defence: 'iss in the response',
  summary:
    'The authorization response names the server that issued the code, so the app never sends it to another server’s token endpoint.',
  specs: [
    { label: 'RFC 9700 §4.4', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.4' },
    { label: 'RFC 9207 §2.4', href: 'https://www.rfc-editor.org/rfc/rfc9207#section-2.4' },
    {
      label: 'RFC 9700 §4.4.2 (countermeasures)',
      href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.4.2',
    },
  ],
  // Entra's answer to /authorize carries code and state, no iss, and the discovery documents captured
  // in test-fixtures/providers/entra-*.json have no authorization_response_iss_parameter_supported:
  // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response
  onEntra: {
    text: 'Entra ID sends no iss: its answer carries the code and state only, and its discovery document does not offer authorization_response_iss_parameter_supported. An app that signs in at Entra and at another server needs the other defence, a separate redirect URI per server.',
    source: {
      label: 'Microsoft: the authorization code response',
      href: 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response',
    },
  },
  actors: [
    { id: 'user', label: 'User’s browser' },
    { id: 'client', label: 'App (a client of two servers)' },
    { id: ATTACKER, label: 'Attacker (their own server)', attacker: true },
    { id: 'as', label: 'Honest server (/standard)' },
  ],
  runs: {
    vulnerable: {
      title: 'the app does not check iss',
      explanation:
        'The app remembers which server it sent the user to, but never compares it with the iss in the answer. So it believes the code came from that server.',
      appDefenceOff:
        'the callback ignores iss: it does not compare it with the server this sign-in started at (RFC 9207 §2.4).',
      expected: 'attack-works',
    },
    defended: {
      title: 'the app checks iss',
      explanation:
        'The same sign-in, but now the callback compares iss with the server the app sent the user to. They differ, so the app drops the code. For servers that send no iss, RFC 9700 §4.4.2 gives another defence: a separate redirect URI per server, checked at the callback.',
      expected: 'defence-stops',
    },
  },
  initialContext: (mode) => ({ mode }),
  steps: [
    {
      id: 'choose-server',
      title: 'The user picks a server; the app reads its discovery document',
      actor: 'client',
      why: 'An app that offers sign-in at several servers lets the user (or a link) choose one. The attacker runs one of them, or has taken over one the app trusts.',
      spec: 'RFC 9700 §4.4.1',
      run: async (ctx, deps) => {
        const chosenIssuer = `${deps.sandboxOrigin}${MIX_UP_AS_PATH}`;
        const { endpoints, sendsIss, exchange } = await discover(chosenIssuer, deps);
        return {
          ctx: { ...ctx, chosenIssuer, chosenEndpoints: endpoints, chosenSendsIss: sendsIss },
          said: 'The user picked the attacker’s server. Its discovery document looks like any other: its own issuer, authorization endpoint and token endpoint.',
          facts: [
            { label: 'Chosen issuer', value: chosenIssuer },
            { label: 'Its authorization endpoint', value: endpoints.authorization },
            { label: 'Its token endpoint', value: endpoints.token ?? '(none)' },
          ],
          exchanges: [exchange],
        };
      },
    },
    {
      id: 'sign-in',
      title: 'The attacker’s server sends the user on to the honest server, where they sign in',
      actor: 'user',
      why: 'The attacker’s authorization endpoint redirects the browser to the honest server, with the app’s client id at that server. The user signs in where they always do and sees nothing odd.',
      spec: 'RFC 9700 §4.4.1',
      run: async (ctx, deps) => {
        const endpoints = need(ctx.chosenEndpoints, 'The chosen server');
        const verifier = generateCodeVerifier();
        const { challenge } = await calculateCodeChallenge(verifier);
        const state = generateRandomState();
        const url = new URL(endpoints.authorization);
        url.search = new URLSearchParams({
          client_id: MIX_UP_CLIENT_ID,
          response_type: 'code',
          redirect_uri: deps.redirectUri,
          scope: 'openid email',
          state,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).toString();
        const signIn = await signInAs('adele', url.href, deps);
        const { params } = readCallbackParameters(signIn.redirectedTo);
        return {
          ctx: { ...ctx, state, verifier, callback: signIn.redirectedTo },
          said: `The browser went to the attacker’s server, which sent it on to the honest server, where ${LAB_USERS.adele.displayName} signed in. The honest server sent the browser back to the app with a code, and with iss naming itself.`,
          facts: [
            { label: 'Code (issued by the honest server)', value: params['code'] ?? '(none)', secret: true },
            { label: 'iss in the response', value: params['iss'] ?? '(none)' },
            { label: 'The app expects', value: need(ctx.chosenIssuer, 'The chosen issuer') },
          ],
          exchanges: [signIn.exchange],
        };
      },
    },
    {
      id: 'callback',
      title: 'The app reads the callback',
      actor: 'client',
      why: 'The app must decide which server issued this code. Without checking iss, it can only assume: the server it sent the user to.',
      spec: 'RFC 9207 §2.4',
      run: (ctx) => {
        const callback = need(ctx.callback, 'The callback');
        const state = need(ctx.state, 'The state');
        if (ctx.mode === 'vulnerable') {
          // Vulnerable run only, on purpose: RFC 9207 §2.4's issuer comparison is skipped (state is checked).
          const { code } = parseAuthorizationResponse(callback, { state });
          return {
            ctx: { ...ctx, code },
            said: 'The state matched. The app took the code as coming from the server the user picked: the attacker’s.',
          };
        }
        try {
          // RFC 9207 §2.4: a client whose server promises iss MUST refuse a response without it.
          if (ctx.chosenSendsIss === true && readCallbackParameters(callback).params['iss'] === undefined)
            throw new ProtocolViolationError(
              'MISSING_PARAMETER',
              'The response has no iss, although the server this sign-in started at says it always sends one (authorization_response_iss_parameter_supported). RFC 9207 §2.4 requires refusing it: it may come from another server.',
            );
          // RFC 9207 §2.4: the client MUST compare iss with the issuer it sent the request to.
          const { code } = parseAuthorizationResponse(callback, {
            state,
            issuer: need(ctx.chosenIssuer, 'The chosen issuer'),
          });
          return { ctx: { ...ctx, code }, said: 'The issuer matched (it should not have).' };
        } catch (error) {
          if (
            !(error instanceof LabError) ||
            (error.code !== 'INVALID_RESPONSE' && error.code !== 'MISSING_PARAMETER')
          )
            throw error;
          return {
            ctx,
            said:
              error.code === 'INVALID_RESPONSE'
                ? 'iss names the honest server, not the server this sign-in started at. The app refused the response and sent the code nowhere.'
                : 'The response does not say which server issued the code, although the chosen server promised it would. The app refused it and sent the code nowhere.',
            verdict: {
              attackWorked: false,
              why:
                error.code === 'INVALID_RESPONSE'
                  ? 'The honest server named itself in iss. The app had sent the user to the attacker’s server, so the two differ, and the app never sent the code or its PKCE verifier anywhere. The attacker got nothing.'
                  : 'The response carried no iss although the chosen server promised one, so the app could not tell which server issued the code and did not use it. The attacker got nothing.',
              refusal: { code: error.code, message: error.message },
            },
          };
        }
      },
    },
    {
      id: 'token-to-attacker',
      title: 'The app redeems the code at the attacker’s token endpoint',
      actor: 'client',
      only: 'vulnerable',
      why: 'The app sends the code where it believes it came from. With it go the PKCE code verifier and the redirect URI: everything needed to redeem it.',
      spec: 'RFC 9700 §4.4.1',
      run: async (ctx, deps) => {
        const endpoints = need(ctx.chosenEndpoints, 'The chosen server');
        const request = buildTokenRequest(
          need(endpoints.token, 'The attacker’s token endpoint'),
          [
            ['grant_type', 'authorization_code'],
            ['client_id', MIX_UP_CLIENT_ID],
            ['code', need(ctx.code, 'The code')],
            ['redirect_uri', deps.redirectUri],
            ['code_verifier', need(ctx.verifier, 'The code verifier')],
          ],
          { method: 'none' },
        );
        const exchange = await sendTokenRequest(
          request,
          browserRoute('The app is a public client; the attacker’s server answers with CORS.'),
          deps,
        );
        return {
          ctx,
          said: `The attacker’s server answered HTTP ${exchange.response?.status ?? 0}, as if the code were bad. That hardly matters: it has kept the code and the verifier.`,
          exchanges: [exchange],
        };
      },
    },
    {
      id: 'attacker-redeems',
      title: 'The attacker redeems the code at the honest server',
      actor: ATTACKER,
      why: 'The honest server issued the code to the app, a public client with no secret. With the verifier the app gave away, the attacker redeems it just as the app would.',
      spec: 'RFC 9700 §4.4.1',
      run: async (ctx, deps) => {
        const captured = await sendRequest(
          {
            method: 'GET',
            url: `${deps.sandboxOrigin}${MIX_UP_CAPTURED_PATH}`,
            headers: [['accept', 'application/json']],
            secretFields: [],
          },
          browserRoute('The attacker reads what their own token endpoint received.'),
          deps.fetch,
          deps.now,
        );
        let loot: Record<string, unknown> = {};
        try {
          loot = JSON.parse(captured.response?.body ?? '{}') as Record<string, unknown>;
        } catch {
          loot = {};
        }
        const fields = (loot['fields'] ?? {}) as Record<string, unknown>;
        const code = fields['code'];
        const verifier = fields['code_verifier'];
        if (typeof code !== 'string' || typeof verifier !== 'string')
          throw new ProtocolViolationError(
            'INVALID_RESPONSE',
            'The attacker’s server received no code and verifier from the app.',
          );
        const honest = await discover(`${deps.sandboxOrigin}${HONEST_ISSUER_PATH}`, deps);
        const request = buildTokenRequest(
          need(honest.endpoints.token, 'The honest token endpoint'),
          [
            ['grant_type', 'authorization_code'],
            ['client_id', MIX_UP_HONEST_CLIENT_ID],
            ['code', code],
            [
              'redirect_uri',
              typeof fields['redirect_uri'] === 'string' ? fields['redirect_uri'] : deps.redirectUri,
            ],
            ['code_verifier', verifier],
          ],
          { method: 'none' },
        );
        const exchange = await sendTokenRequest(
          request,
          browserRoute('The honest server’s token endpoint answers with CORS.'),
          deps,
        );
        const tokens: TokenResponse = readTokenExchange(exchange);
        // OIDC Core §5.3: with the access token, the attacker reads who signed in from userinfo.
        const userinfo = await sendRequest(
          {
            method: 'GET',
            url: need(honest.userinfo, 'The honest userinfo endpoint'),
            headers: [['Authorization', `Bearer ${tokens.access_token}`]],
            secretFields: ['Authorization'],
          },
          browserRoute('The honest server’s userinfo endpoint answers with CORS.'),
          deps.fetch,
          deps.now,
        );
        let claims: Record<string, unknown> = {};
        try {
          claims = JSON.parse(userinfo.response?.body ?? '{}') as Record<string, unknown>;
        } catch {
          claims = {};
        }
        const who = String(claims['email'] ?? claims['sub'] ?? 'the user');
        return {
          ctx,
          said: `The honest server answered with tokens for ${who}: the code and verifier were genuine.`,
          facts: [
            { label: 'Code received by the attacker', value: code, secret: true },
            { label: 'Verifier received by the attacker', value: verifier, secret: true },
            { label: 'Access token now held by the attacker', value: tokens.access_token, secret: true },
            { label: 'The attacker reads from userinfo', value: who },
          ],
          exchanges: [captured, honest.exchange, exchange, userinfo],
          verdict: {
            attackWorked: true,
            why: `The app sent the honest server’s code, and its PKCE verifier, to the attacker’s token endpoint. The attacker redeemed them at the honest server and now holds ${LAB_USERS.adele.displayName}’s tokens for the app. PKCE did not help: the app itself handed the verifier over.`,
          },
        };
      },
    },
  ],
  diagram: {
    actors: [
      { id: 'user', label: 'User’s browser' },
      { id: 'client', label: 'App (a client of two servers)' },
      { id: ATTACKER, label: 'Attacker (their own server)', attacker: true },
      { id: 'as', label: 'Honest server (/standard)' },
    ],
    messages: [
      {
        from: 'client',
        to: ATTACKER,
        text: 'GET discovery (user picked this server)',
        step: 'choose-server',
        http: true,
      },
      {
        from: 'user',
        to: ATTACKER,
        text: 'GET /authorize client_id=app-at-attacker',
        step: 'sign-in',
        http: true,
      },
      {
        from: ATTACKER,
        to: 'user',
        text: 'redirect to honest /auth, client_id=standard-spa',
        step: 'sign-in',
        reply: true,
      },
      { from: 'user', to: 'as', text: 'sign in', step: 'sign-in', http: true },
      { from: 'as', to: 'user', text: 'redirect: code, state, iss=honest', step: 'sign-in', reply: true },
      { from: 'user', to: 'client', text: 'GET /callback code, state, iss', step: 'callback' },
      { from: 'client', to: 'client', text: 'iss not checked', step: 'callback', variant: 'vulnerable' },
      {
        from: 'client',
        to: 'user',
        text: 'iss is not the chosen server: refused',
        step: 'callback',
        failed: true,
        variant: 'defended',
      },
      {
        from: 'client',
        to: ATTACKER,
        text: 'POST /token code + code_verifier',
        step: 'token-to-attacker',
        http: true,
        variant: 'vulnerable',
      },
      {
        from: ATTACKER,
        to: 'as',
        text: 'POST /token code + code_verifier',
        step: 'attacker-redeems',
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: ATTACKER,
        text: 'tokens for the user',
        step: 'attacker-redeems',
        reply: true,
        variant: 'vulnerable',
      },
    ],
  },
};
