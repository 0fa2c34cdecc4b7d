/**
 * Login CSRF: the attacker signs in to the app with their OWN account, keeps the unused code, and makes
 * the victim's browser deliver it to the app's redirect URI. An app that does not tie the callback to the
 * sign-in this browser started redeems it, and the victim is signed in as the attacker — whatever they
 * save next lands in the attacker's account. The `state` check stops it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
import { readCallbackParameters, parseAuthorizationResponse } from '../../protocol/callback.ts';
import { LabError, ProtocolViolationError } from '../../protocol/errors.ts';
import { decodeJwt } from '../../protocol/jwt.ts';
import { generateRandomState } from '../../protocol/pkce.ts';
import { buildTokenRequest, type TokenResponse } from '../../protocol/token.ts';
import { readTokenExchange, relayRoute, sendTokenRequest } from '../token-request.ts';
import { LAB_USERS, loadLabTenant, signInAs, type LabTenant } from './sandbox-lab.ts';
import { ATTACKER, type AttackContext, type AttackDefinition } from './types.ts';

/** The seeded confidential web app: no PKCE needed (Entra does not require it of web apps), a secret. */
const WEB_APP = 'Flow Lab Web App';

/**
 * What a login CSRF run carries from step to step.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7
 */
export interface LoginCsrfContext extends AttackContext {
  readonly tenant?: LabTenant;
  /** The address the attacker's own sign-in ended on: the redirect URI with their code and state. */
  readonly attackerCallback?: string;
  /** The state the victim's browser keeps for the sign-in it started. */
  readonly victimState?: string;
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

/**
 * Login CSRF without `state`, as an attack lab definition.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7
 */
export const loginCsrfAttack: AttackDefinition<LoginCsrfContext> = {
  id: 'login-csrf',
  title: 'Login CSRF without state',
  defence: 'state',
  summary:
    'The app ties each callback to the sign-in this browser started, so a code the attacker got for their own account is refused.',
  specs: [
    { label: 'RFC 9700 §4.7', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.7' },
    { label: 'RFC 6749 §10.12', href: 'https://www.rfc-editor.org/rfc/rfc6749#section-10.12' },
    { label: 'RFC 6749 §4.1.1 (state)', href: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1' },
  ],
  actors: [
    { id: 'victim', label: 'Victim’s browser' },
    { id: ATTACKER, label: 'Attacker (their own account)', attacker: true },
    { id: 'client', label: 'Web app (its server)' },
    { id: 'as', label: 'Sandbox tenant' },
  ],
  needsRelay: true,
  runs: {
    vulnerable: {
      title: 'the app does not check state',
      explanation:
        'The web app takes any code that reaches its redirect URI. It sends neither PKCE nor a nonce, as many older web apps do, so nothing else ties the code to the victim’s browser.',
      appDefenceOff: 'the callback does not compare state with the one the victim’s browser keeps.',
      expected: 'attack-works',
    },
    defended: {
      title: 'the app checks state',
      explanation:
        'The same app and the same forged callback, but now the callback compares state with the one the victim’s browser keeps. Only state is added here, though PKCE or a nonce would stop this attack too (RFC 9700 §4.7.1).',
      expected: 'defence-stops',
    },
  },
  initialContext: (mode) => ({ mode }),
  steps: [
    {
      id: 'attacker-sign-in',
      title: 'The attacker signs in with their own account and keeps the code',
      actor: ATTACKER,
      why: 'The code is real and unused: it was issued to the app, for the attacker’s account. The attacker stops before their browser delivers it.',
      spec: 'RFC 6749 §4.1.1',
      run: async (ctx, deps) => {
        const { tenant, exchange } = await loadLabTenant(WEB_APP, deps);
        const url = new URL(tenant.endpoints.authorization);
        // The app's own request, as it would start it in the attacker's browser: no PKCE, no nonce.
        url.search = new URLSearchParams({
          client_id: tenant.app.clientId,
          response_type: 'code',
          redirect_uri: deps.redirectUri,
          scope: 'openid profile',
          response_mode: 'query',
          state: generateRandomState(),
        }).toString();
        const signIn = await signInAs('alex', url.href, deps);
        const { params } = readCallbackParameters(signIn.redirectedTo);
        if (params['code'] === undefined)
          throw new ProtocolViolationError(
            'MISSING_PARAMETER',
            `The attacker’s sign-in came back without a code${params['error'] === undefined ? '' : ` (${params['error']}: ${params['error_description'] ?? ''})`}.`,
          );
        return {
          ctx: { ...ctx, tenant, attackerCallback: signIn.redirectedTo },
          said: `The attacker signed in to the app as ${LAB_USERS.alex.displayName}, their own account, and kept the address the sandbox sent their browser back to: it holds an unused code.`,
          facts: [
            { label: 'Attacker’s code', value: params['code'], secret: true },
            { label: 'State of the attacker’s sign-in', value: params['state'] ?? '(none)' },
          ],
          exchanges: [exchange, signIn.exchange],
        };
      },
    },
    {
      id: 'victim-visits',
      title: 'The victim opens the app, which starts a sign-in',
      actor: 'victim',
      why: 'The app keeps a fresh random state in the victim’s browser, to recognise the answer to this sign-in and no other.',
      spec: 'RFC 6749 §10.12',
      run: (ctx) => {
        const victimState = generateRandomState();
        return {
          ctx: { ...ctx, victimState },
          said: 'The victim’s browser now holds the state of its own sign-in. Before the victim signs in, they visit a page of the attacker’s.',
          facts: [{ label: 'State kept in the victim’s browser', value: victimState }],
        };
      },
    },
    {
      id: 'forged-callback',
      title: 'The attacker’s page makes the victim’s browser deliver the attacker’s code',
      actor: ATTACKER,
      why: 'Any page can make a browser open an address (a link, an image, a redirect): the victim’s browser opens the app’s redirect URI with the attacker’s code in it.',
      spec: 'RFC 9700 §4.7',
      run: (ctx) => {
        const forged = need(ctx.attackerCallback, 'The attacker’s callback');
        return {
          ctx,
          said: 'The victim’s browser requests the app’s redirect URI with the attacker’s code and the attacker’s state, as if its own sign-in had just finished.',
          facts: [
            {
              label: 'On the attacker’s page (the code left out here)',
              value: `<img src="${forged.replace(/([?&]code=)[^&#]*/, '$1…')}" alt="">`,
            },
            { label: 'Address the victim’s browser opens', value: forged, secret: true },
          ],
        };
      },
    },
    {
      id: 'callback',
      title: 'The app reads the callback',
      actor: 'client',
      why: 'The callback is where the app decides whether this answer belongs to a sign-in this browser started.',
      spec: 'RFC 6749 §10.12',
      run: (ctx) => {
        const forged = need(ctx.attackerCallback, 'The forged callback');
        if (ctx.mode === 'vulnerable') {
          // Vulnerable run only, on purpose: RFC 6749 §10.12's state check is skipped.
          const code = need(readCallbackParameters(forged).params['code'], 'The code');
          return {
            ctx: { ...ctx, code },
            said: 'The app took the code without asking whether this browser started this sign-in.',
          };
        }
        try {
          // RFC 6749 §10.12: the client MUST check state, bound to the user agent, before using the code.
          const response = parseAuthorizationResponse(forged, {
            state: need(ctx.victimState, 'The victim’s state'),
          });
          return { ctx: { ...ctx, code: response.code }, said: 'The state matched (it should not have).' };
        } catch (error) {
          if (!(error instanceof LabError) || error.code !== 'STATE_MISMATCH') throw error;
          return {
            ctx,
            said: 'The state in the callback is not the one the victim’s browser keeps. The app refused the callback and never redeemed the code.',
            verdict: {
              attackWorked: false,
              why: 'The callback carried the state of the attacker’s sign-in, not the one the victim’s browser keeps, so the app refused it before redeeming the code. The victim is not signed in as the attacker; the attacker’s code stays unused.',
              refusal: { code: error.code, message: error.message },
            },
          };
        }
      },
    },
    {
      id: 'redeem',
      title: 'The app’s server redeems the code',
      actor: 'client',
      why: 'A web app redeems its code from its server with its client secret; the local relay plays that server.',
      spec: 'RFC 6749 §4.1.3',
      run: async (ctx, deps) => {
        const tenant = need(ctx.tenant, 'The tenant');
        const secret = tenant.app.sandboxOnlySecret ?? '';
        const request = buildTokenRequest(
          need(tenant.endpoints.token, 'The token endpoint'),
          [
            ['grant_type', 'authorization_code'],
            ['client_id', tenant.app.clientId],
            ['code', need(ctx.code, 'The code')],
            ['redirect_uri', deps.redirectUri],
          ],
          { method: 'client_secret_post', clientSecret: secret },
        );
        const exchange = await sendTokenRequest(
          request,
          relayRoute('A web app’s code is redeemed by its server, with its secret.', deps),
          deps,
        );
        const tokens = readTokenExchange(exchange);
        return {
          ctx: { ...ctx, tokens },
          said: 'The sandbox answered with tokens: the code was valid, and it was issued to this app.',
          exchanges: [exchange],
        };
      },
    },
    {
      id: 'signed-in',
      title: 'The app signs the victim’s browser in',
      actor: 'client',
      why: 'The app trusts the ID token it just got and opens a session for that user in the browser that brought the code.',
      spec: 'OIDC Core §3.1.3.7',
      run: (ctx) => {
        const idToken = need(need(ctx.tokens, 'The tokens').id_token, 'The ID token');
        const claims = decodeJwt(idToken).payload;
        const who = String(claims['preferred_username'] ?? claims['name'] ?? claims['sub'] ?? 'unknown');
        const isAttacker = who.toLowerCase() === LAB_USERS.alex.username;
        return {
          ctx,
          said: `The session in the victim’s browser belongs to ${who}.`,
          facts: [
            { label: 'Signed in as (preferred_username)', value: who },
            { label: 'ID token', value: idToken, secret: true },
          ],
          verdict: {
            attackWorked: isAttacker,
            why: isAttacker
              ? `The victim’s browser is signed in to the app as ${LAB_USERS.alex.displayName}, the attacker, without the victim noticing. Whatever the victim saves next — a document, a card, their search history — lands in the attacker’s account, where the attacker reads it.`
              : `The session belongs to ${who}, not to the attacker.`,
          },
        };
      },
    },
  ],
  diagram: {
    actors: [
      { id: 'victim', label: 'Victim’s browser' },
      { id: ATTACKER, label: 'Attacker (their own account)', attacker: true },
      { id: 'client', label: 'Web app (its server)' },
      { id: 'as', label: 'Sandbox tenant' },
    ],
    messages: [
      {
        from: ATTACKER,
        to: 'as',
        text: 'sign in as the attacker (state A)',
        step: 'attacker-sign-in',
        http: true,
      },
      {
        from: 'as',
        to: ATTACKER,
        text: 'redirect: code A, state A (kept, not followed)',
        step: 'attacker-sign-in',
        reply: true,
      },
      {
        from: 'victim',
        to: 'client',
        text: 'open the app: sign-in begins, state V kept',
        step: 'victim-visits',
      },
      {
        from: ATTACKER,
        to: 'victim',
        text: 'page opens /callback with code A, state A',
        step: 'forged-callback',
      },
      { from: 'victim', to: 'client', text: 'GET /callback code A, state A', step: 'forged-callback' },
      { from: 'client', to: 'client', text: 'state not checked', step: 'callback', variant: 'vulnerable' },
      {
        from: 'client',
        to: 'victim',
        text: 'state A is not V: refused',
        step: 'callback',
        failed: true,
        variant: 'defended',
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token code A + secret',
        step: 'redeem',
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: 'client',
        text: 'tokens for the attacker',
        step: 'redeem',
        reply: true,
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'client',
        to: 'victim',
        text: 'signed in as the attacker',
        step: 'signed-in',
        reply: true,
        variant: 'vulnerable',
      },
    ],
  },
};
