/**
 * The code flow's callback half: reading the redirect (or the form_post body, or a paste) and checking it
 * against the run, JARM verification included. Kept apart from `authorization-code.ts` so the flow pages
 * load the callback parser only when an answer arrives (issue 12: a flow route loads at most 1.5× the
 * landing page's JavaScript); the callback page imports it directly.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
import type { JSONWebKeySet } from 'jose';
import {
  parseAuthorizationResponse,
  readCallbackParameters,
  readPastedAuthorizationResponse,
  validateAuthorizationResponse,
  type CallbackInput,
  type ResponseMode,
} from '../protocol/callback.ts';
import { CALLBACK_PATH } from '../protocol/callback-path.ts';
import { AuthorizationResponseError, NetworkError, ProtocolViolationError } from '../protocol/errors.ts';
import { isJarmResponseMode, verifyJarmResponse } from '../protocol/jarm.ts';
import type { AuthCodeContext } from './authorization-code.ts';
import type { FlowDeps } from './runner.ts';

/** The state this run sent, if any: the one the response must echo. */
function expectations(ctx: AuthCodeContext): { state: string | undefined; issuer?: string } {
  return {
    state: ctx.params['state'] === '' ? undefined : ctx.params['state'],
    ...(ctx.issuer === undefined ? {} : { issuer: ctx.issuer }),
  };
}

/**
 * Step "sign-in", second half: reads the callback (the redirect URL, or the form the local server
 * received for response_mode=form_post) and checks it against what this run sent.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export function readCallback(
  ctx: AuthCodeContext,
  callback: CallbackInput,
): Pick<AuthCodeContext, 'authorizationResponse'> {
  return { authorizationResponse: parseAuthorizationResponse(callback, expectations(ctx)) };
}

/**
 * Reads the issuer's key set for a JARM response, through the injected fetch.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export async function fetchJarmKeys(jwksUri: string, deps: Pick<FlowDeps, 'fetch'>): Promise<JSONWebKeySet> {
  // Called unbound: a window's own fetch refuses to run with another `this`.
  const fetchFn = deps.fetch;
  let response: Response;
  try {
    response = await fetchFn(jwksUri, { method: 'GET', headers: { Accept: 'application/json' } });
  } catch (cause) {
    throw new NetworkError(
      'NETWORK_ERROR',
      `The issuer’s key set (${jwksUri}) could not be read, so the signed response cannot be checked. Is the server reachable from this page?`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (
    !response.ok ||
    typeof json !== 'object' ||
    json === null ||
    !Array.isArray((json as { keys?: unknown }).keys)
  ) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The issuer’s key set at ${jwksUri} answered HTTP ${response.status} without a “keys” array, so the signed response cannot be checked.`,
    );
  }
  return json as JSONWebKeySet;
}

/**
 * Step "sign-in", second half, for every response mode: a JARM response (`response=<JWT>`) is
 * verified with the issuer's keys first and its claims read as the response; then state, issuer,
 * error and code are checked as for any response.
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export async function readCallbackVerified(
  ctx: AuthCodeContext,
  callback: CallbackInput,
  deps: Pick<FlowDeps, 'fetch' | 'now'>,
): Promise<Pick<AuthCodeContext, 'authorizationResponse' | 'jarmResponse'>> {
  const read = readCallbackParameters(callback);
  const asked = ctx.params['response_mode'] ?? '';
  const response = read.params['response'];
  if (response === undefined) {
    if (isJarmResponseMode(asked) && read.params['error'] === undefined) {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `This run asked for response_mode=${asked}, but the answer carries no “response” JWT: the server ignored JARM. An unsigned answer to a JARM request is not used.`,
      );
    }
    // RFC 9126 §4: a request_uri the server cannot find leaves it without the pushed state to echo.
    if (
      ctx.usePar === true &&
      read.params['error'] === 'invalid_request_uri' &&
      read.params['state'] === undefined
    ) {
      throw new AuthorizationResponseError({ ...read.params, error: 'invalid_request_uri' });
    }
    return readCallback(ctx, callback);
  }
  if (ctx.jwksUri === undefined || ctx.issuer === undefined) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      'The answer is a JARM response (a signed JWT), but this authority’s issuer or key set (jwks_uri) is not known, so it cannot be checked and is not used.',
    );
  }
  const jwks = await fetchJarmKeys(ctx.jwksUri, deps);
  const verified = await verifyJarmResponse(response, {
    issuer: ctx.issuer,
    clientId: ctx.params['client_id'] ?? '',
    jwks,
    nowMs: deps.now(),
  });
  // JARM §2.1: code, state, iss — or an error — travel inside the JWT; they are checked as any response.
  const authorizationResponse = validateAuthorizationResponse(
    { mode: read.mode, params: { ...verified.params } },
    expectations(ctx),
  );
  return {
    authorizationResponse,
    jarmResponse: { header: { ...verified.header }, claims: { ...verified.claims } },
  };
}

/**
 * The return trip as the live diagram draws it once it happened: a redirect with the names of the
 * parameters in its query or fragment, or the auto-submitted POST of form_post (Form Post Response Mode
 * §2: no redirect carries the answer), and the error it carried or the check it failed. Never a value.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function returnTripMessage(
  input: CallbackInput | undefined,
  error: string | undefined,
): { method: 'GET' | 'POST'; label: string; reply: boolean; error?: string } {
  let read: { mode: ResponseMode; params: Readonly<Record<string, string>> } | undefined;
  try {
    read = input === undefined ? undefined : readCallbackParameters(input);
  } catch {
    read = undefined;
  }
  const names = Object.keys(read?.params ?? {});
  const failed = error === undefined ? {} : { error };
  if (read?.mode === 'form_post' || (typeof input === 'object' && input !== null)) {
    return {
      method: 'POST',
      label: `auto-submitted form: POST ${CALLBACK_PATH}, ${names.length === 0 ? 'no parameters' : names.join(', ')} in the body`,
      reply: false,
      ...failed,
    };
  }
  // Names separated by spaces, so the label wraps between them rather than in the middle of one.
  const where = read?.mode === 'fragment' ? 'fragment' : 'query';
  return {
    method: 'GET',
    label: `redirect to ${CALLBACK_PATH}${names.length === 0 ? '' : `, ${names.join(', ')} in the ${where}`}`,
    reply: true,
    ...failed,
  };
}

/**
 * Paste-the-redirect mode: reads what the user pasted when the redirect URI is not this app's, e.g. a
 * desktop client's http://localhost:1337/ — the URL, its query or fragment, `code=…&state=…` (a
 * form_post body from the network panel), or just the code. A bare code cannot be checked against the
 * state; the result says so, and `notes` says what was cleaned from the paste.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function readPastedResponse(
  ctx: AuthCodeContext,
  pasted: string,
): Pick<AuthCodeContext, 'authorizationResponse'> & { stateChecked: boolean; notes: readonly string[] } {
  // Each bad paste is told apart (no answer, another redirect URI, no state, another state…).
  return readPastedAuthorizationResponse(pasted, {
    ...expectations(ctx),
    redirectUri: ctx.params['redirect_uri'] ?? '',
  });
}
