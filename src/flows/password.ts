/**
 * The resource owner password credentials grant (ROPC): the app collects the user's password and
 * trades it for tokens. Legacy and unsafe; shown so people can recognise it and see why it fails.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 */
import type { QueryParameter, RequestWarning } from '../protocol/authorize.ts';
import { resolveEndpoints, type Endpoints } from '../protocol/endpoints.ts';
import { ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { buildTokenRequest, type TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { readTokenExchange, relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/**
 * The token request parameters the page shows as fields (grant_type is fixed, password has its own input).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export const PASSWORD_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'tenant',
    required: true,
    spec: 'Entra: path of the token endpoint',
    explanation:
      'organizations or the tenant id / domain. Entra refuses this grant on common and consumers (AADSTS9001023).',
  },
  {
    name: 'grant_type',
    required: true,
    spec: 'RFC 6749 §4.3.2',
    explanation: 'Fixed to password: the app hands over the user’s own credentials.',
  },
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 6749 §4.3.2',
    explanation: 'The app registration’s id. A public client needs “Allow public client flows” on in Entra.',
  },
  {
    name: 'username',
    required: true,
    spec: 'RFC 6749 §4.3.2',
    explanation: 'The user’s sign-in name (UPN), e.g. adele@contoso.onmicrosoft.com.',
  },
  {
    name: 'scope',
    required: true,
    spec: 'RFC 6749 §3.3',
    explanation:
      'What you ask for, space-separated: openid → ID token, offline_access → refresh token, the rest names one API.',
  },
];

/**
 * The flow as data: steps and sequence diagram.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 */
export const passwordFlow = {
  ...catalogueEntry('password'),
  steps: [
    {
      id: 'credentials',
      title: 'The app collects the password',
      spec: 'RFC 6749 §4.3.1',
      why: 'The user types their password into the app itself, not into the authorization server’s page. This is the step every other grant exists to avoid.',
      // Not the password: it is emptied after every send, which is no change of what was asked.
      inputs: ['username'],
    },
    {
      id: 'request',
      title: 'Send the password to the token endpoint',
      spec: 'RFC 6749 §4.3.2',
      why: 'One POST with the user name and password. The server can only check the password: no MFA prompt, no consent page, no federated sign-in.',
      inputs: ['username', 'clientId', 'scope', 'authorityOrigin', 'tenant', 'endpoints'],
    },
    {
      id: 'tokens',
      title: 'Read the tokens',
      spec: 'RFC 6749 §4.3.3',
      why: 'On success the answer is an ordinary token response; the password should now be forgotten.',
      inputs: ['tokens'],
    },
  ],
  diagram: {
    actors: [
      { id: 'user', label: 'User' },
      { id: 'client', label: 'App' },
      { id: 'as', label: 'Authorization server' },
      { id: 'api', label: 'API' },
    ],
    messages: [
      { from: 'user', to: 'client', text: 'User name and password, typed into the app', step: 'credentials' },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=password, username, password',
        step: 'request',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'access, ID, refresh tokens (or an error)',
        step: 'request',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'api', text: 'Bearer access token', step: 'tokens' },
    ],
  },
} as const satisfies FlowDefinition;

/**
 * Everything one run knows. The password is cleared once sent; the tokens live in memory only.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.1
 */
export interface PasswordContext {
  /** The authority's origin: the sandbox or Entra's sign-in host. */
  readonly authorityOrigin: string;
  readonly tenant: string;
  /** Endpoints fixed by the settings (generic issuer or typed by hand): the tenant then plays no part. */
  readonly endpoints?: Endpoints | undefined;
  readonly clientId: string;
  readonly scope: string;
  readonly username: string;
  /** Held only between typing and sending; emptied after the request and when the page is left. */
  readonly password: string;
  /** The exchange as recorded, with the password value replaced (see `redactPassword`). */
  readonly exchange?: HttpExchange | undefined;
  readonly tokens?: TokenResponse | undefined;
}

/**
 * Default scope: an ID token, a refresh token and Graph's User.Read.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export const DEFAULT_PASSWORD_SCOPE = 'openid profile offline_access User.Read';

/**
 * What the recorded request shows in place of the password once it has been sent.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.1
 */
export const CLEARED_PASSWORD = '(cleared after sending)';

/**
 * A new run's starting values: no user name, no password.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export function createPasswordContext(input: {
  authorityOrigin: string;
  tenant: string;
  clientId: string;
  endpoints?: Endpoints;
}): PasswordContext {
  return {
    authorityOrigin: input.authorityOrigin,
    tenant: input.tenant,
    ...(input.endpoints === undefined ? {} : { endpoints: input.endpoints }),
    clientId: input.clientId,
    scope: DEFAULT_PASSWORD_SCOPE,
    username: '',
    password: '',
  };
}

/**
 * The token endpoint of the run's authority and tenant.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function passwordTokenEndpointOf(
  ctx: Pick<PasswordContext, 'authorityOrigin' | 'tenant' | 'endpoints'>,
): string {
  // Empty when the authority has none: sendTokenRequest then refuses before anything is sent.
  return resolveEndpoints(ctx).token ?? '';
}

/**
 * Always through the relay: Entra refuses a password grant from a browser (AADSTS9002326), since only
 * SPA clients may call its token endpoint cross-origin and ROPC is not one of their grants.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export function decidePasswordRoute(deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>): Route {
  return relayRoute(
    'Entra refuses the password grant from a browser (AADSTS9002326): only SPA clients may call its token endpoint cross-origin.',
    deps,
  );
}

/**
 * The token request, before it is sent. The client is public: no secret.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export function buildPasswordRequest(ctx: PasswordContext): RecordedRequest {
  const parameters: QueryParameter[] = [
    ['grant_type', 'password'],
    ['client_id', ctx.clientId],
    ['username', ctx.username],
    ['password', ctx.password],
    ['scope', ctx.scope],
  ];
  return buildTokenRequest(passwordTokenEndpointOf(ctx), parameters, { method: 'none' });
}

/**
 * What a careful client would say before sending: Entra's tenant rule and missing fields.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export function validatePasswordRequest(ctx: PasswordContext): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  const tenant = ctx.tenant.trim().toLowerCase();
  if (ctx.endpoints !== undefined) {
    // Fixed endpoints: no tenant in the path, so Entra's tenant rule does not apply.
  } else if (tenant === 'common' || tenant === 'consumers') {
    warnings.push({
      parameter: 'tenant',
      message: `Entra refuses the password grant on “${tenant}” (AADSTS9001023); use organizations or the tenant id. Personal Microsoft accounts cannot use it at all.`,
    });
  } else if (tenant === '') {
    warnings.push({ parameter: 'tenant', message: 'The tenant is empty.' });
  }
  if (ctx.clientId.trim() === '')
    warnings.push({ parameter: 'client_id', message: 'The client id is empty.' });
  if (ctx.username.trim() === '')
    warnings.push({ parameter: 'username', message: 'The user name is empty.' });
  if (ctx.password === '') warnings.push({ parameter: 'password', message: 'The password is empty.' });
  if (ctx.scope.trim() === '') warnings.push({ parameter: 'scope', message: 'The scope is empty.' });
  return warnings;
}

/**
 * The recorded exchange with the password value replaced, so nothing kept after sending holds it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 */
export function redactPassword(exchange: HttpExchange): HttpExchange {
  if (exchange.request.body === undefined) return exchange;
  const body = new URLSearchParams(exchange.request.body);
  if (!body.has('password')) return exchange;
  body.set('password', CLEARED_PASSWORD);
  return { ...exchange, request: { ...exchange.request, body: body.toString() } };
}

/**
 * Step "request", first half: sends the password through the relay, then forgets it: the patch
 * empties `password` and the recorded request no longer carries it, whatever the answer.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export async function sendPasswordRequest(
  ctx: PasswordContext,
  deps: FlowDeps,
): Promise<Pick<PasswordContext, 'exchange' | 'tokens' | 'password'>> {
  const exchange = await sendTokenRequest(buildPasswordRequest(ctx), decidePasswordRoute(deps), deps);
  return { exchange: redactPassword(exchange), tokens: undefined, password: '' };
}

/**
 * Step "request", second half: reads the token response; errors keep the server's fields
 * (AADSTS50126 wrong password, AADSTS50076 MFA required).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function readPasswordResponse(ctx: PasswordContext): Pick<PasswordContext, 'tokens'> {
  if (ctx.exchange === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'The request has not been sent yet.');
  }
  return { tokens: readTokenExchange(ctx.exchange) };
}
