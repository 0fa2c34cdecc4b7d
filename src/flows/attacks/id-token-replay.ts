/**
 * ID token replay without `nonce`: an ID token from another sign-in — the victim's, leaked from an
 * implicit response in a URL fragment (history, a screenshot, a log, an extension) — is handed to the
 * app's callback in a sign-in the attacker started. Signature, issuer, audience and expiry all check
 * out: the token is genuine, only not from this sign-in. An app that does not compare the token's
 * `nonce` with the one it sent signs the attacker in as the victim; with the nonce check it refuses.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 * @see https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
import type { JSONWebKeySet } from 'jose';
import { readCallbackParameters } from '../../protocol/callback.ts';
import { InvalidJwtError, LabError, ProtocolViolationError } from '../../protocol/errors.ts';
import type { HttpExchange } from '../../protocol/http.ts';
import { decodeJwt, isPast } from '../../protocol/jwt.ts';
import { generateRandomState } from '../../protocol/pkce.ts';
import { sendRequest } from '../send-request.ts';
import { verifyJwtSignature } from '../../protocol/verify.ts';
import { checkIdTokenNonce } from '../authorization-code.ts';
import { browserRoute } from '../token-request.ts';
import { LAB_USERS, loadLabTenant, signInAs, type LabTenant } from './sandbox-lab.ts';
import { ATTACKER, type AttackContext, type AttackDefinition, type AttackFact } from './types.ts';

/** The seeded app that signs users in with implicit ID tokens (web platform, "ID tokens" ticked). */
const IMPLICIT_APP = 'Flow Lab Legacy SPA';

/**
 * What an ID token replay run carries from step to step.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes
 */
export interface IdTokenReplayContext extends AttackContext {
  readonly tenant?: LabTenant;
  /** The victim's ID token from their earlier sign-in, as the attacker got hold of it. */
  readonly leakedIdToken?: string;
  /** The state and nonce the app keeps in the attacker's browser for the sign-in it started there. */
  readonly appState?: string;
  readonly appNonce?: string;
  /** The address the attacker's browser delivers to the app's redirect URI. */
  readonly replayedCallback?: string;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `${what} is missing: run the attack from its first step.`,
    );
  return value;
}

/** Everything but the nonce: what an ID token is checked for (OIDC Core §3.2.2.11, §3.1.3.7). */
async function checkEverythingButNonce(
  idToken: string,
  tenant: LabTenant,
  keys: JSONWebKeySet,
  nowMs: number,
): Promise<AttackFact[]> {
  const verdict = await verifyJwtSignature(idToken, keys);
  // OIDC Core §3.2.2.11: the client MUST validate the signature (JWS, the alg of the header).
  if (verdict.kind !== 'valid')
    throw new InvalidJwtError(`The ID token’s signature does not check out: ${verdict.reason}`);
  const claims = decodeJwt(idToken).payload;
  // OIDC Core §3.2.2.11 by way of §3.1.3.7 steps 2, 3, 9: iss MUST match exactly, aud MUST contain the
  // client id, the current time MUST be before exp.
  if (claims['iss'] !== tenant.issuer)
    throw new InvalidJwtError(`The ID token’s issuer is ${String(claims['iss'])}, not ${tenant.issuer}.`);
  const aud = claims['aud'];
  if (!(aud === tenant.app.clientId || (Array.isArray(aud) && aud.includes(tenant.app.clientId))))
    throw new InvalidJwtError('The ID token was issued to another app.');
  if (isPast(claims['exp'], nowMs)) throw new InvalidJwtError('The ID token has expired.');
  return [
    { label: 'Signature', value: `valid (key ${verdict.keyLabel})` },
    { label: 'iss', value: `${String(claims['iss'])} — the sandbox tenant, as expected` },
    { label: 'aud', value: `${tenant.app.clientId} — this app, as expected` },
    { label: 'exp', value: `${new Date(Number(claims['exp']) * 1000).toISOString()} — still in the future` },
    { label: 'nonce in the token', value: String(claims['nonce'] ?? '(none)') },
  ];
}

/**
 * ID token replay without `nonce`, as an attack lab definition.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes
 */
export const idTokenReplayAttack: AttackDefinition<IdTokenReplayContext> = {
  id: 'id-token-replay',
  title: 'ID token replay without nonce',
  defence: 'nonce',
  summary:
    'The ID token must carry the random value this sign-in sent, so a token from another sign-in is refused.',
  specs: [
    {
      label: 'OIDC Core §3.1.2.1 (nonce)',
      href: 'https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest',
    },
    {
      label: 'OIDC Core §3.2.2.11',
      href: 'https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDTValidation',
    },
    { label: 'OIDC Core §15.5.2', href: 'https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes' },
    { label: 'RFC 9700 §2.1.1', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1' },
  ],
  actors: [
    { id: 'victim', label: 'Victim’s browser (earlier)' },
    { id: ATTACKER, label: 'Attacker (their own browser)', attacker: true },
    { id: 'client', label: 'Browser app (implicit sign-in)' },
    { id: 'as', label: 'Sandbox tenant' },
  ],
  runs: {
    vulnerable: {
      title: 'the app does not check nonce',
      explanation:
        'The app checks the ID token’s signature, issuer, audience, expiry and the state — but not whether the token’s nonce is the one this sign-in sent.',
      appDefenceOff: 'the ID token’s nonce is not compared with the one this sign-in sent.',
      expected: 'attack-works',
    },
    defended: {
      title: 'the app checks nonce',
      explanation:
        'The same replayed token; this time the app also compares its nonce with the one it sent, as OIDC Core requires for every ID token returned by the authorization endpoint.',
      expected: 'defence-stops',
    },
  },
  initialContext: (mode) => ({ mode }),
  steps: [
    {
      id: 'victim-sign-in',
      title: 'Earlier: the victim signs in and gets an ID token in the URL fragment',
      actor: 'victim',
      why: 'An implicit sign-in answers with the ID token in the address itself, where history, screenshots, logs and extensions can see it.',
      spec: 'OIDC Core §3.2.2.5',
      run: async (ctx, deps) => {
        const { tenant, exchange } = await loadLabTenant(IMPLICIT_APP, deps);
        const url = new URL(tenant.endpoints.authorization);
        url.search = new URLSearchParams({
          client_id: tenant.app.clientId,
          response_type: 'id_token',
          redirect_uri: deps.redirectUri,
          scope: 'openid profile',
          response_mode: 'fragment',
          state: generateRandomState(),
          nonce: generateRandomState(),
        }).toString();
        const signIn = await signInAs('adele', url.href, deps);
        const { params } = readCallbackParameters(signIn.redirectedTo);
        const idToken = params['id_token'];
        if (idToken === undefined)
          throw new ProtocolViolationError(
            'MISSING_PARAMETER',
            `The victim’s sign-in came back without an ID token${params['error'] === undefined ? '' : ` (${params['error']}: ${params['error_description'] ?? ''})`}.`,
          );
        return {
          ctx: { ...ctx, tenant, leakedIdToken: idToken },
          said: `${LAB_USERS.adele.displayName} signed in to the app; the sandbox sent her browser back with her ID token in the fragment of the address.`,
          facts: [
            { label: 'The victim’s ID token', value: idToken, secret: true },
            {
              label: 'Its nonce (from that sign-in)',
              value: String(decodeJwt(idToken).payload['nonce'] ?? '(none)'),
            },
          ],
          exchanges: [exchange, signIn.exchange],
        };
      },
    },
    {
      id: 'attacker-starts',
      title: 'The attacker, holding a copy, starts a sign-in of their own at the app',
      actor: ATTACKER,
      why: 'In the attacker’s own browser the app keeps a fresh state and nonce for this sign-in; the attacker knows the state, since it is their browser.',
      spec: 'OIDC Core §3.1.2.1',
      run: (ctx) => {
        const appState = generateRandomState();
        const appNonce = generateRandomState();
        return {
          ctx: { ...ctx, appState, appNonce },
          said: 'The app sent the attacker’s browser off to sign in, keeping this sign-in’s state and nonce. The attacker does not sign in.',
          facts: [
            { label: 'State the app keeps', value: appState },
            { label: 'Nonce the app sent', value: appNonce },
          ],
        };
      },
    },
    {
      id: 'replay',
      title: 'The attacker hands the victim’s ID token to the app’s redirect URI',
      actor: ATTACKER,
      why: 'Instead of a sign-in answer from the sandbox, the attacker delivers the leaked token, with the state of their own sign-in so the state check passes.',
      spec: 'OIDC Core §15.5.2',
      run: (ctx, deps) => {
        const fragment = new URLSearchParams({
          id_token: need(ctx.leakedIdToken, 'The leaked ID token'),
          state: need(ctx.appState, 'The state'),
        });
        const replayedCallback = `${deps.redirectUri}#${fragment.toString()}`;
        return {
          ctx: { ...ctx, replayedCallback },
          said: 'The attacker’s browser opens the app’s redirect URI with the victim’s old ID token in the fragment.',
          facts: [{ label: 'Address the attacker opens', value: replayedCallback, secret: true }],
        };
      },
    },
    {
      id: 'validate',
      title: 'The app validates the ID token',
      actor: 'client',
      why: 'Signature, issuer, audience and expiry say the token is genuine and for this app; only the nonce says it answers this sign-in.',
      spec: 'OIDC Core §3.2.2.11',
      run: async (ctx, deps) => {
        const tenant = need(ctx.tenant, 'The tenant');
        const { params } = readCallbackParameters(need(ctx.replayedCallback, 'The replayed callback'));
        // RFC 6749 §10.12: state checked in both runs; it passes, as the attacker used their own.
        if (params['state'] !== ctx.appState)
          throw new ProtocolViolationError(
            'STATE_MISMATCH',
            'The state in the callback is not this sign-in’s.',
          );
        const idToken = need(params['id_token'], 'The ID token');
        const exchange: HttpExchange = await sendRequest(
          {
            method: 'GET',
            url: need(tenant.endpoints.jwks, 'The key set URL'),
            headers: [],
            secretFields: [],
          },
          browserRoute('The tenant’s signing keys are public.'),
          deps.fetch,
          deps.now,
        );
        let keys: JSONWebKeySet;
        try {
          keys = JSON.parse(exchange.response?.body ?? '') as JSONWebKeySet;
        } catch {
          throw new ProtocolViolationError('INVALID_RESPONSE', 'The tenant’s key set is not JSON.');
        }
        const facts = [
          { label: 'state', value: 'matches the one the app keeps (the attacker used their own sign-in’s)' },
          ...(await checkEverythingButNonce(idToken, tenant, keys, deps.now())),
          { label: 'nonce this sign-in sent', value: need(ctx.appNonce, 'The nonce') },
        ];
        const who = String(
          decodeJwt(idToken).payload['preferred_username'] ?? decodeJwt(idToken).payload['sub'],
        );
        if (ctx.mode === 'vulnerable') {
          // Vulnerable run only, on purpose: OIDC Core §3.2.2.11's nonce comparison is skipped.
          const isVictim = who.toLowerCase() === LAB_USERS.adele.username;
          return {
            ctx,
            said: `Every check the app makes passed, and it signed the attacker’s browser in as ${who}.`,
            facts,
            exchanges: [exchange],
            verdict: {
              attackWorked: isVictim,
              why: isVictim
                ? `The attacker’s browser is signed in to the app as ${LAB_USERS.adele.displayName}, the victim, without her password. The token is genuine — signed by the sandbox, for this app, not yet expired — just not from this sign-in, and the nonce was the only thing that could tell.`
                : `The token is ${who}’s, not the victim’s.`,
            },
          };
        }
        try {
          // OIDC Core §3.2.2.11: the nonce claim MUST be present and equal to the nonce sent.
          await checkIdTokenNonce(
            { access_token: '', token_type: '', id_token: idToken },
            need(ctx.appNonce, 'The nonce'),
          );
        } catch (error) {
          if (!(error instanceof LabError) || error.code !== 'NONCE_MISMATCH') throw error;
          return {
            ctx,
            said: 'Signature, issuer, audience, expiry and state passed; the nonce did not. The app refused the token.',
            facts,
            exchanges: [exchange],
            verdict: {
              attackWorked: false,
              why: 'The token’s nonce is the one the victim’s earlier sign-in sent, not the one this sign-in sent, so the app refused it: a token from another sign-in cannot open a session here, however genuine it is.',
              refusal: { code: error.code, message: error.message },
            },
          };
        }
        return { ctx, said: 'The nonce matched (it should not have).', facts, exchanges: [exchange] };
      },
    },
  ],
  diagram: {
    actors: [
      { id: 'victim', label: 'Victim’s browser (earlier)' },
      { id: ATTACKER, label: 'Attacker (their own browser)', attacker: true },
      { id: 'client', label: 'Browser app (implicit sign-in)' },
      { id: 'as', label: 'Sandbox tenant' },
    ],
    messages: [
      { from: 'victim', to: 'as', text: 'sign in (nonce N1)', step: 'victim-sign-in', http: true },
      {
        from: 'as',
        to: 'victim',
        text: 'redirect #id_token (nonce N1)',
        step: 'victim-sign-in',
        reply: true,
      },
      { from: 'victim', to: ATTACKER, text: 'token leaks (history, log, extension)', step: 'victim-sign-in' },
      {
        from: ATTACKER,
        to: 'client',
        text: 'start a sign-in: state S, nonce N2 kept',
        step: 'attacker-starts',
      },
      { from: ATTACKER, to: 'client', text: '/callback with #id_token (N1), state S', step: 'replay' },
      { from: 'client', to: 'as', text: 'GET signing keys', step: 'validate', http: true },
      { from: 'as', to: 'client', text: 'keys: signature valid', step: 'validate', reply: true, http: true },
      {
        from: 'client',
        to: ATTACKER,
        text: 'nonce not checked: signed in as the victim',
        step: 'validate',
        variant: 'vulnerable',
      },
      {
        from: 'client',
        to: ATTACKER,
        text: 'nonce N1 is not N2: refused',
        step: 'validate',
        failed: true,
        variant: 'defended',
      },
    ],
  },
};
