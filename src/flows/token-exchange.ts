/**
 * Token exchange (RFC 8693): a client that holds a token — its subject token, and for delegation an
 * actor token — asks the token endpoint for another one: for another audience or resource, narrower,
 * or of another type. Entra does not implement it; its on-behalf-of flow is the closest relative.
 * @see https://www.rfc-editor.org/rfc/rfc8693
 */
import type { RequestWarning } from '../protocol/authorize.ts';
import {
  clientAuthenticationOf,
  type ClientAuthMethod,
  type ClientKey,
  type JwtAssertion,
  signJwtAssertion,
} from '../protocol/client-auth.ts';
import { ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { decodeJwt } from '../protocol/jwt.ts';
import {
  buildTokenExchangeRequest,
  checkTokenExchangeInput,
  parseTokenExchangeResponse,
  splitTargets,
  TOKEN_TYPES,
  type TokenExchangeInput,
  type TokenExchangeResponse,
} from '../protocol/token-exchange.ts';
import type { Route } from '../protocol/transport.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/** The request parameters the page shows as fields, each explained. */
export const TOKEN_EXCHANGE_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'grant_type',
    required: true,
    spec: 'RFC 8693 §2.1',
    explanation: 'urn:ietf:params:oauth:grant-type:token-exchange: “here is a token, give me another”.',
  },
  {
    name: 'subject_token',
    required: true,
    spec: 'RFC 8693 §2.1',
    explanation: 'The token that names the party the new token is about (usually the user).',
  },
  {
    name: 'subject_token_type',
    required: true,
    spec: 'RFC 8693 §3',
    explanation: 'What kind of token the subject token is, as a token type URI.',
  },
  {
    name: 'actor_token',
    spec: 'RFC 8693 §2.1',
    explanation: 'Optional. The token of the party that will act for the subject (delegation).',
  },
  {
    name: 'actor_token_type',
    spec: 'RFC 8693 §3',
    explanation: 'Required with an actor token, and only then: what kind of token it is.',
  },
  {
    name: 'requested_token_type',
    spec: 'RFC 8693 §2.1',
    explanation: 'Optional. The kind of token wanted back; the server picks one when it is left out.',
  },
  {
    name: 'audience',
    spec: 'RFC 8693 §2.1',
    explanation:
      'Optional, repeatable. A logical name of where the new token will be used (a client id, a service name).',
  },
  {
    name: 'resource',
    spec: 'RFC 8693 §2.1',
    explanation:
      'Optional, repeatable. The URI of the API the new token is for (absolute, no fragment), as in RFC 8707.',
  },
  {
    name: 'scope',
    spec: 'RFC 6749 §3.3',
    explanation: 'Optional. What the new token may do; a server lets it narrow, never widen.',
  },
];

/** The flow as data: steps and sequence diagram (client ↔ authorization server). */
export const tokenExchangeFlow = {
  ...catalogueEntry('token-exchange'),
  steps: [
    {
      id: 'subject',
      title: 'Choose the subject token',
      spec: 'RFC 8693 §2.1',
      why: 'The token to trade: the new token will be about its subject. Take one from an earlier run of this tab, or paste one.',
      inputs: ['subject'],
    },
    {
      id: 'actor',
      title: 'Impersonation or delegation: the actor token',
      spec: 'RFC 8693 §1.1',
      why: 'Without an actor token the new token simply speaks for the subject (impersonation). With one, it records who acts for the subject (delegation, the act claim).',
      inputs: ['actor'],
    },
    {
      id: 'exchange',
      title: 'Ask the token endpoint for a new token',
      spec: 'RFC 8693 §2.1',
      why: 'A token request with the token-exchange grant: the tokens, what to issue, for which audience or resource, and the client’s own credential.',
      inputs: [
        'subject',
        'actor',
        'requestedTokenType',
        'audience',
        'resource',
        'scope',
        'clientId',
        'clientSecret',
        'authMethod',
        'clientKey',
        'tokenEndpoint',
      ],
    },
    {
      id: 'result',
      title: 'Read the issued token',
      spec: 'RFC 8693 §2.2.1',
      why: 'issued_token_type says what came back; the token itself keeps the subject, names its new audience, and under delegation carries the actor in act.',
      inputs: ['tokens'],
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'Client (a service)' },
      { id: 'as', label: 'Authorization server' },
    ],
    messages: [
      { from: 'client', to: 'client', text: 'Subject token from an earlier run, or pasted', step: 'subject' },
      {
        from: 'client',
        to: 'client',
        text: 'Actor token (delegation) or none (impersonation)',
        step: 'actor',
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=token-exchange, subject_token, client credential',
        step: 'exchange',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'New token + issued_token_type',
        step: 'exchange',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'client', text: 'Read sub, aud, scope, act', step: 'result' },
    ],
  },
} as const satisfies FlowDefinition;

/** One token the request carries (subject or actor), with its type URI. */
export interface ExchangeToken {
  readonly token: string;
  /** A token type URI (RFC 8693 §3). */
  readonly tokenType: string;
  /** Where it came from: a run of this tab, or pasted. */
  readonly source?: 'earlier-run' | 'pasted' | undefined;
}

/** Everything one run knows. Secrets, keys and tokens live in memory only. */
export interface TokenExchangeContext {
  readonly tokenEndpoint: string;
  /** The issuer the issued token should name, when known. */
  readonly issuer?: string | undefined;
  readonly clientId: string;
  /** Memory only. */
  readonly clientSecret: string;
  readonly authMethod: ClientAuthMethod;
  /** private_key_jwt's key pair: the private key is non-extractable and never stored. */
  readonly clientKey?: ClientKey | undefined;
  /** The client assertion sent with the last request (client_secret_jwt, private_key_jwt). */
  readonly assertion?: JwtAssertion | undefined;
  readonly subject: ExchangeToken;
  /** No token means impersonation. */
  readonly actor: ExchangeToken;
  /** A token type URI, or '' to let the server choose. */
  readonly requestedTokenType: string;
  /** Audiences, one per line or space-separated. */
  readonly audience: string;
  /** Resource URIs, one per line or space-separated. */
  readonly resource: string;
  readonly scope: string;
  readonly exchange?: HttpExchange | undefined;
  readonly tokens?: TokenExchangeResponse | undefined;
}

/**
 * A new run's starting values: an access token as subject, no actor, the server's choice of token type.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function createTokenExchangeContext(input: {
  tokenEndpoint: string;
  issuer?: string | undefined;
  clientId: string;
  clientSecret: string;
  authMethod?: ClientAuthMethod;
  resource?: string;
  scope?: string;
}): TokenExchangeContext {
  return {
    tokenEndpoint: input.tokenEndpoint,
    ...(input.issuer === undefined ? {} : { issuer: input.issuer }),
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    authMethod: input.authMethod ?? 'client_secret_basic',
    subject: { token: '', tokenType: TOKEN_TYPES.access_token },
    actor: { token: '', tokenType: TOKEN_TYPES.access_token },
    requestedTokenType: TOKEN_TYPES.access_token,
    audience: '',
    resource: input.resource ?? '',
    scope: input.scope ?? '',
  };
}

/**
 * The run's choices as the protocol module takes them.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function exchangeInputOf(ctx: TokenExchangeContext): TokenExchangeInput {
  return {
    clientId: ctx.clientId,
    subjectToken: ctx.subject.token,
    subjectTokenType: ctx.subject.tokenType,
    actorToken: ctx.actor.token,
    actorTokenType: ctx.actor.tokenType,
    requestedTokenType: ctx.requestedTokenType,
    audience: splitTargets(ctx.audience),
    resource: splitTargets(ctx.resource),
    scope: ctx.scope,
  };
}

/**
 * The request as it will be sent (for a JWT method, with the assertion signed last; empty until then).
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function buildExchangeRequest(ctx: TokenExchangeContext): RecordedRequest {
  return buildTokenExchangeRequest(
    ctx.tokenEndpoint,
    exchangeInputOf(ctx),
    clientAuthenticationOf(ctx.authMethod, ctx.clientSecret, ctx.assertion),
  );
}

/**
 * What to fix before sending (the request can still be sent, to see what the server says): the
 * protocol checks, a public client (token exchange needs a client that can authenticate), and a
 * delegation whose subject token names who may act.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function checkExchange(ctx: TokenExchangeContext): RequestWarning[] {
  const warnings = checkTokenExchangeInput(exchangeInputOf(ctx));
  if (ctx.clientId.trim() === '') {
    warnings.push({ parameter: 'client_id', message: 'No client id: the server must know who is asking.' });
  }
  if (ctx.authMethod === 'none') {
    warnings.push({
      parameter: 'client_id',
      message:
        'A public client (no credential): RFC 8693 §2.1 expects the client to authenticate, and most servers refuse token exchange without it.',
    });
  } else if (
    (ctx.authMethod === 'client_secret_basic' ||
      ctx.authMethod === 'client_secret_post' ||
      ctx.authMethod === 'client_secret_jwt') &&
    ctx.clientSecret === ''
  ) {
    warnings.push({ parameter: 'client_secret', message: 'The client secret is empty.' });
  }
  return warnings;
}

/**
 * A confidential client's request goes from a server: the relay plays the service that holds the
 * credential.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function decideExchangeRoute(deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>): Route {
  return relayRoute(
    'Token exchange is a service’s call with its own credential, made from its server, never from a user’s browser.',
    deps,
  );
}

/**
 * Step "exchange", first half: signs a fresh client assertion when the method needs one, then sends.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export async function sendExchange(
  ctx: TokenExchangeContext,
  deps: FlowDeps,
): Promise<Pick<TokenExchangeContext, 'exchange' | 'assertion' | 'tokens'>> {
  if (ctx.subject.token.trim() === '') {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'There is no subject token to exchange: choose one in step 1, or paste one.',
    );
  }
  let assertion = ctx.assertion;
  if (ctx.authMethod === 'client_secret_jwt' || ctx.authMethod === 'private_key_jwt') {
    // RFC 7523 §3: a fresh jti and exp for every request; the server refuses a replayed assertion.
    assertion = await signJwtAssertion(ctx.authMethod, {
      clientId: ctx.clientId.trim(),
      clientSecret: ctx.clientSecret,
      key: ctx.clientKey,
      audience: ctx.tokenEndpoint,
      nowMs: deps.now(),
    });
  }
  const request = buildExchangeRequest({ ...ctx, assertion });
  const exchange = await sendTokenRequest(request, decideExchangeRoute(deps), deps);
  return { exchange, assertion, tokens: undefined };
}

/**
 * Step "exchange", second half: reads the issued token (or the server's refusal, RFC 8693 §2.2.2).
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.2.1
 */
export function readExchange(ctx: TokenExchangeContext): Pick<TokenExchangeContext, 'tokens'> {
  const response = ctx.exchange?.response;
  if (response === undefined)
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No token response was recorded.');
  return { tokens: parseTokenExchangeResponse(response) };
}

/** One claim of the subject token beside the same claim of the issued token. */
export interface ExchangedClaim {
  readonly claim: string;
  readonly subject: unknown;
  readonly issued: unknown;
  readonly same: boolean;
}

const COMPARED_CLAIMS = ['iss', 'sub', 'aud', 'client_id', 'azp', 'scope', 'act', 'may_act', 'cnf', 'exp'];

function claimsOf(token: string): Record<string, unknown> {
  try {
    return decodeJwt(token).payload;
  } catch {
    return {};
  }
}

/**
 * The subject token and the issued token side by side, for the claims that tell what changed; only
 * claims found in at least one are listed. An opaque token contributes nothing.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-4
 */
export function compareExchangedTokens(subjectToken: string, issuedToken: string): ExchangedClaim[] {
  const a = claimsOf(subjectToken);
  const b = claimsOf(issuedToken);
  return COMPARED_CLAIMS.filter((claim) => a[claim] !== undefined || b[claim] !== undefined).map((claim) => ({
    claim,
    subject: a[claim],
    issued: b[claim],
    same: JSON.stringify(a[claim]) === JSON.stringify(b[claim]),
  }));
}
