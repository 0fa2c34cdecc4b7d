/**
 * A token sent to the wrong API: a user's app gets an access token for API A and calls API A with it, as
 * it should. API A is compromised (or simply malicious): it keeps the token and calls API B — another
 * API that trusts the same authorization server — as the user. An API B that checks only the signature,
 * issuer and expiry accepts it; one that also checks that `aud` names itself refuses it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.3
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.9.2
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
import { readCallbackParameters } from '../../protocol/callback.ts';
import { ProtocolViolationError } from '../../protocol/errors.ts';
import type { HttpExchange } from '../../protocol/http.ts';
import { decodeJwt } from '../../protocol/jwt.ts';
import { calculateCodeChallenge, generateCodeVerifier, generateRandomState } from '../../protocol/pkce.ts';
import { buildTokenRequest } from '../../protocol/token.ts';
import { sendRequest } from '../send-request.ts';
import { browserRoute, readTokenExchange, sendTokenRequest } from '../token-request.ts';
import { LAB_USERS, signInAs } from './sandbox-lab.ts';
import { ATTACKER, type AttackContext, type AttackDefinition, type AttackDeps } from './types.ts';
import { PAYROLL_API_PATH, payrollApiResource } from './wrong-audience-api.ts';

/** The standards sandbox's public client (PKCE, no secret) and the scope of its API. */
const CLIENT_ID = 'standard-spa';
const API_SCOPE = 'api.read';

/**
 * What a wrong-audience run carries from step to step.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.3
 */
export interface WrongAudienceContext extends AttackContext {
  readonly tokenEndpoint?: string;
  readonly codeVerifier?: string;
  readonly code?: string;
  /** The access token issued for API A (the standards sandbox's /standard/api). */
  readonly accessToken?: string;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `${what} is missing: run the attack from its first step.`,
    );
  return value;
}

const issuerOf = (deps: AttackDeps): string => `${deps.sandboxOrigin}/standard`;
const apiAOf = (deps: AttackDeps): string => `${issuerOf(deps)}/api`;

function readJson(exchange: HttpExchange): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(exchange.response?.body ?? '');
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function callApi(url: string, accessToken: string, reason: string, deps: AttackDeps): Promise<HttpExchange> {
  return sendRequest(
    {
      method: 'GET',
      url,
      headers: [['authorization', `Bearer ${accessToken}`]],
      // The bearer token is a secret: masked in the raw HTTP view until revealed.
      secretFields: ['authorization'],
    },
    browserRoute(reason),
    deps.fetch,
    deps.now,
  );
}

/**
 * A token sent to the wrong API (`aud` not checked), as an attack lab definition.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.3
 */
export const wrongAudienceAttack: AttackDefinition<WrongAudienceContext> = {
  id: 'wrong-audience',
  title: 'A token sent to the wrong API',
  defence: 'aud check',
  summary: 'Each API accepts only tokens issued for it, so a token meant for another API is refused.',
  specs: [
    { label: 'RFC 9700 §2.3', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-2.3' },
    { label: 'RFC 9700 §4.9.2', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-4.9.2' },
    { label: 'RFC 9068 §4', href: 'https://www.rfc-editor.org/rfc/rfc9068#section-4' },
    { label: 'RFC 8707 §2', href: 'https://www.rfc-editor.org/rfc/rfc8707#section-2' },
  ],
  // Entra issues each access token for one API, named in aud (v2.0: the API's client id); the API
  // must check it: https://learn.microsoft.com/entra/identity-platform/claims-validation#validate-the-audience
  // and https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference (aud).
  // Microsoft.IdentityModel, under Microsoft.Identity.Web, refuses a mismatch with IDX10214.
  onEntra: {
    text: 'Entra ID issues each access token for one API and names it in aud, but it cannot stop the token being sent elsewhere: each API must check aud itself. Microsoft.Identity.Web does, and refuses a token for another API with IDX10214 (audience validation failed).',
    source: {
      label: 'Microsoft: validate the audience',
      href: 'https://learn.microsoft.com/entra/identity-platform/claims-validation#validate-the-audience',
    },
  },
  actors: [
    { id: 'client', label: 'User’s app' },
    { id: 'as', label: 'Standards sandbox issuer' },
    { id: ATTACKER, label: 'Attacker (API A, compromised)', attacker: true },
    { id: 'api-b', label: 'API B (payroll)' },
  ],
  runs: {
    vulnerable: {
      title: 'API B does not check aud',
      explanation:
        'The payroll API checks the token’s signature, issuer, type and expiry — everything but whom the token is for.',
      switches: { apiSkipsAudienceCheck: true },
      expected: 'attack-works',
    },
    defended: {
      title: 'API B checks aud',
      explanation:
        'The same token, the same call; the payroll API also requires its own identifier in aud, as RFC 9068 §4 says a resource server must.',
      expected: 'defence-stops',
    },
  },
  initialContext: (mode) => ({ mode }),
  steps: [
    {
      id: 'sign-in',
      title: 'The user signs in to their app, which asks for a token for API A',
      actor: 'client',
      why: 'The resource parameter names the one API the token is for; the server writes it into the token as aud.',
      spec: 'RFC 8707 §2',
      run: async (ctx, deps) => {
        const discovery = await sendRequest(
          {
            method: 'GET',
            url: `${issuerOf(deps)}/.well-known/openid-configuration`,
            headers: [['accept', 'application/json']],
            secretFields: [],
          },
          browserRoute('The standards sandbox publishes its metadata to any origin.'),
          deps.fetch,
          deps.now,
        );
        const metadata = readJson(discovery);
        const authorization = metadata['authorization_endpoint'];
        const token = metadata['token_endpoint'];
        if (typeof authorization !== 'string' || typeof token !== 'string')
          throw new ProtocolViolationError(
            'INVALID_RESPONSE',
            'The standards sandbox’s metadata names no authorization or token endpoint. Is the sandbox running?',
          );
        const codeVerifier = generateCodeVerifier();
        const { challenge } = await calculateCodeChallenge(codeVerifier, 'S256');
        const url = new URL(authorization);
        url.search = new URLSearchParams({
          client_id: CLIENT_ID,
          response_type: 'code',
          redirect_uri: deps.redirectUri,
          scope: `openid ${API_SCOPE}`,
          resource: apiAOf(deps),
          state: generateRandomState(),
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).toString();
        const signIn = await signInAs('adele', url.href, deps);
        const { params } = readCallbackParameters(signIn.redirectedTo);
        if (params['code'] === undefined)
          throw new ProtocolViolationError(
            'MISSING_PARAMETER',
            `The sign-in came back without a code${params['error'] === undefined ? '' : ` (${params['error']}: ${params['error_description'] ?? ''})`}.`,
          );
        return {
          ctx: { ...ctx, tokenEndpoint: token, codeVerifier, code: params['code'] },
          said: `${LAB_USERS.adele.displayName} signed in to her app; the code came back to its redirect URI.`,
          facts: [{ label: 'resource asked for (API A)', value: apiAOf(deps) }],
          exchanges: [discovery, signIn.exchange],
        };
      },
    },
    {
      id: 'token',
      title: 'The app redeems the code: an access token for API A',
      actor: 'client',
      why: 'RFC 9068 access tokens say whom they are for in aud; here, API A and nothing else.',
      spec: 'RFC 9068 §2.2',
      run: async (ctx, deps) => {
        const request = buildTokenRequest(
          need(ctx.tokenEndpoint, 'The token endpoint'),
          [
            ['grant_type', 'authorization_code'],
            ['client_id', CLIENT_ID],
            ['code', need(ctx.code, 'The code')],
            ['redirect_uri', deps.redirectUri],
            ['code_verifier', need(ctx.codeVerifier, 'The verifier')],
            ['resource', apiAOf(deps)],
          ],
          { method: 'none' },
        );
        const exchange = await sendTokenRequest(
          request,
          browserRoute(
            'A public client redeems its code from the browser (the standards sandbox allows CORS).',
          ),
          deps,
        );
        const tokens = readTokenExchange(exchange);
        const claims = decodeJwt(tokens.access_token).payload;
        return {
          ctx: { ...ctx, accessToken: tokens.access_token },
          said: 'The app holds an access token whose aud is API A.',
          facts: [
            { label: 'aud', value: String(claims['aud']) },
            { label: 'Access token', value: tokens.access_token, secret: true },
          ],
          exchanges: [exchange],
        };
      },
    },
    {
      id: 'call-api-a',
      title: 'The app calls API A with the token',
      actor: 'client',
      why: 'This is the token’s purpose. From now on API A holds it too.',
      spec: 'RFC 6750 §2.1',
      run: async (ctx, deps) => {
        const exchange = await callApi(
          `${issuerOf(deps)}/api/me`,
          need(ctx.accessToken, 'The access token'),
          'API A answers this app’s origin.',
          deps,
        );
        return {
          ctx,
          said: `API A answered ${exchange.response?.status ?? 'nothing'}: it accepted the token, which was issued for it.`,
          exchanges: [exchange],
        };
      },
    },
    {
      id: 'replay',
      title: 'API A, compromised, replays the token to API B',
      actor: ATTACKER,
      why: 'Both APIs trust the same authorization server, so the token’s signature and issuer are right at API B too. Only aud says it was not meant for API B.',
      spec: 'RFC 9700 §4.9.2',
      run: async (ctx, deps) => {
        const exchange = await callApi(
          `${deps.sandboxOrigin}${PAYROLL_API_PATH}`,
          need(ctx.accessToken, 'The access token'),
          'The payroll API answers local origins.',
          deps,
        );
        const status = exchange.response?.status;
        const body = readJson(exchange);
        if (status === 200)
          return {
            ctx,
            said: 'The payroll API accepted the token and answered with Adele’s pay slip.',
            facts: [
              { label: 'Employee', value: String(body['employee']) },
              { label: 'Monthly salary', value: String(body['monthlySalary']) },
              { label: 'IBAN', value: String(body['iban']) },
            ],
            exchanges: [exchange],
            verdict: {
              attackWorked: true,
              why: `API A read ${LAB_USERS.adele.displayName}’s pay slip from the payroll API with a token she gave only to API A. The payroll API checked the signature, the issuer and the expiry, all genuine, and never asked whom the token was for.`,
            },
          };
        if (status === 401 && body['error'] === 'invalid_token') {
          const description = String(body['error_description'] ?? '');
          // RFC 9068 §4: the resource server MUST reject a token whose aud does not name it.
          // Its error and words are the outcome's refusal, shown there once.
          return {
            ctx,
            said: 'The payroll API refused the token: its aud names API A.',
            facts: [{ label: 'aud the payroll API requires', value: payrollApiResource(deps.sandboxOrigin) }],
            exchanges: [exchange],
            verdict: {
              attackWorked: false,
              why: `The token is genuine, but its aud is ${apiAOf(deps)}, not the payroll API’s identifier, so the payroll API refused it with HTTP 401. A token leaked from or kept by one API is good at that API only.`,
              refusal: { code: 'invalid_token', message: description },
            },
          };
        }
        throw new ProtocolViolationError(
          'INVALID_RESPONSE',
          `The payroll API answered ${status ?? 'nothing'}${typeof body['error_description'] === 'string' ? `: ${body['error_description']}` : ''}.`,
        );
      },
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'User’s app' },
      { id: 'as', label: 'Standards sandbox issuer' },
      { id: ATTACKER, label: 'Attacker (API A, compromised)', attacker: true },
      { id: 'api-b', label: 'API B (payroll)' },
    ],
    messages: [
      { from: 'client', to: 'as', text: 'sign in, resource=API A', step: 'sign-in', http: true },
      { from: 'client', to: 'as', text: 'POST /token resource=API A', step: 'token', http: true },
      { from: 'as', to: 'client', text: 'access token aud=API A', step: 'token', reply: true, http: true },
      { from: 'client', to: ATTACKER, text: 'GET /api/me Bearer token', step: 'call-api-a', http: true },
      { from: ATTACKER, to: 'client', text: '200', step: 'call-api-a', reply: true, http: true },
      {
        from: ATTACKER,
        to: 'api-b',
        text: 'GET /payroll-api/me Bearer same token',
        step: 'replay',
        http: true,
      },
      {
        from: 'api-b',
        to: ATTACKER,
        text: '200 pay slip (aud not checked)',
        step: 'replay',
        reply: true,
        http: true,
        variant: 'vulnerable',
      },
      {
        from: 'api-b',
        to: ATTACKER,
        text: '401 invalid_token: aud is API A',
        step: 'replay',
        reply: true,
        http: true,
        failed: true,
        variant: 'defended',
      },
    ],
  },
};
