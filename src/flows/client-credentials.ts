/**
 * The client credentials grant: an app gets a token for itself, with no user, proving who it is
 * with a client secret or with a certificate (a signed client assertion).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
import type { QueryParameter, RequestWarning } from '../protocol/authorize.ts';
import type { AssertionAlgorithm, CertificateCredential } from '../protocol/certificate.ts';
import type { ClientAssertionClaims, ClientAssertionHeader } from '../protocol/client-assertion.ts';
import {
  clientAuthenticationOf,
  staleAssertionReasons,
  type ClientAuthMethod,
  type ClientKey,
  type JwtAssertion,
} from '../protocol/client-auth.ts';
import { isSpecificTenant, resolveEndpoints, type Endpoints } from '../protocol/endpoints.ts';
import { InvalidInputError, ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { isPast } from '../protocol/numeric-date.ts';
import { buildTokenRequest, type ClientAuthentication, type TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { browserRoute, readTokenExchange, relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/** How the client proves who it is. */
export type CredentialKind = 'secret' | 'certificate';

/** The token request parameters the page shows as fields (grant_type is fixed). */
export const CLIENT_CREDENTIALS_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'tenant',
    required: true,
    spec: 'Entra: path of the token endpoint',
    explanation:
      'The tenant id or domain in the token endpoint’s path. An app-only token is always for one tenant, so common, organizations and consumers do not work.',
  },
  {
    name: 'grant_type',
    required: true,
    spec: 'RFC 6749 §4.4.2',
    explanation: 'Fixed to client_credentials: the app asks for a token for itself, no user involved.',
  },
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 6749 §2.2',
    explanation: 'The app registration’s id (Entra: Application (client) ID).',
  },
  {
    name: 'scope',
    required: true,
    spec: 'RFC 6749 §4.4.2',
    explanation:
      'Must be {resource}/.default: the token carries every application permission an admin already granted on that resource.',
  },
];

/** The flow as data: steps and sequence diagram. */
export const clientCredentialsFlow = {
  ...catalogueEntry('client-credentials'),
  steps: [
    {
      id: 'credential',
      title: 'Choose the credential',
      spec: 'RFC 6749 §2.3 · RFC 7523 §2.2',
      why: 'A confidential client proves its identity with a secret it shares with the server, or with a private key only it holds (a certificate credential). Certificates are the safer choice: the private key never travels.',
      // A new key pair depends on nothing the run holds; the kind and the secret are the request's inputs.
      inputs: [],
    },
    {
      id: 'register',
      title: 'Register the certificate',
      spec: 'RFC 7523 §3',
      why: 'The server can only check a signature with a public key it already trusts, so the certificate (public part only) is uploaded to the app registration first.',
      inputs: ['certificate', 'clientId', 'portalOrigin'],
    },
    {
      id: 'assertion',
      title: 'Sign the client assertion',
      spec: 'RFC 7523 §3',
      why: 'Instead of a secret, the client sends a short-lived JWT it signed itself. The server finds the certificate by its thumbprint and checks the signature and the claims.',
      // RFC 7523 §3: aud is the token endpoint, so the authority and tenant are inputs too.
      inputs: [
        'certificate',
        'algorithm',
        'includeIat',
        'clientId',
        'authorityOrigin',
        'tenant',
        'endpoints',
      ],
    },
    {
      id: 'request',
      title: 'Request the token',
      spec: 'RFC 6749 §4.4.2',
      why: 'One POST to the token endpoint, from a server: the grant type, the client, the resource’s /.default scope and the credential.',
      inputs: [
        'credentialKind',
        'authMethod',
        'clientKey',
        'clientSecret',
        'assertion',
        'clientId',
        'scope',
        'authorityOrigin',
        'tenant',
        'endpoints',
      ],
    },
    {
      id: 'token',
      title: 'Read the token',
      spec: 'RFC 6749 §4.4.3',
      why: 'An app-only access token: permissions arrive as roles, there is no user, so no ID token and no refresh token.',
      inputs: ['tokens'],
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'Client (daemon or server app)' },
      { id: 'as', label: 'Authorization server' },
      { id: 'api', label: 'API' },
    ],
    messages: [
      {
        from: 'client',
        to: 'client',
        text: 'Client secret from the app registration',
        step: 'credential',
        variant: 'secret',
      },
      {
        from: 'client',
        to: 'client',
        text: 'Client secret from the registration',
        step: 'credential',
        variant: 'basic',
      },
      {
        from: 'client',
        to: 'client',
        text: 'Client secret: the HMAC key',
        step: 'credential',
        variant: 'hmac',
      },
      {
        from: 'client',
        to: 'client',
        text: 'Key pair + self-signed certificate',
        step: 'credential',
        variant: 'certificate',
      },
      {
        from: 'client',
        to: 'client',
        text: 'Key pair made in the browser',
        step: 'credential',
        variant: 'jwk',
      },
      {
        from: 'client',
        to: 'as',
        text: 'Register the public key (JWK)',
        step: 'credential',
        variant: 'jwk',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'Key listed on the client',
        step: 'credential',
        reply: true,
        variant: 'jwk',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'Upload the certificate (public part only)',
        step: 'register',
        variant: 'certificate',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'Certificate listed on the app',
        step: 'register',
        reply: true,
        variant: 'certificate',
        http: true,
      },
      {
        from: 'client',
        to: 'client',
        text: 'Sign assertion: aud, iss = sub, jti, exp; x5t#S256',
        step: 'assertion',
        variant: 'certificate',
      },
      {
        from: 'client',
        to: 'client',
        text: 'Sign assertion: aud, iss = sub, jti, exp; kid',
        step: 'assertion',
        variant: 'jwk',
      },
      {
        from: 'client',
        to: 'client',
        text: 'HS256 assertion: aud, iss = sub, jti, exp',
        step: 'assertion',
        variant: 'hmac',
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=client_credentials + client_secret',
        step: 'request',
        variant: 'secret',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=client_credentials, Authorization: Basic',
        step: 'request',
        variant: 'basic',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=client_credentials + client_assertion',
        step: 'request',
        variant: 'certificate',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=client_credentials + client_assertion',
        step: 'request',
        variant: 'jwk',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=client_credentials + client_assertion',
        step: 'request',
        variant: 'hmac',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'Access token with roles (no refresh, no ID token)',
        step: 'request',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'api', text: 'Bearer access token', step: 'token' },
    ],
  },
} as const satisfies FlowDefinition;

/** A signed client assertion with its parts, kept to show and to send. */
export interface SignedAssertion {
  readonly header: ClientAssertionHeader;
  readonly claims: ClientAssertionClaims;
  readonly jwt: string;
}

/** A certificate as the sandbox portal lists it after an upload. */
export interface RegisteredCertificate {
  readonly thumbprintSha256: string;
  readonly thumbprintSha1Hex?: string;
  readonly subject?: string;
  readonly notAfter?: string;
}

/** Everything one run knows. Secrets (client secret, private key, tokens) live in memory only. */
export interface ClientCredentialsContext {
  /** The authority's origin: the sandbox or Entra's sign-in host. */
  readonly authorityOrigin: string;
  readonly tenant: string;
  /** Endpoints fixed by the settings (generic issuer or typed by hand): the tenant then plays no part. */
  readonly endpoints?: Endpoints | undefined;
  readonly clientId: string;
  readonly scope: string;
  readonly credentialKind: CredentialKind;
  readonly clientSecret: string;
  readonly algorithm: AssertionAlgorithm;
  readonly includeIat: boolean;
  /** The sandbox's origin when the authority is the sandbox: where its portal API lives. */
  readonly portalOrigin?: string;
  readonly certificate?: CertificateCredential | undefined;
  readonly registration?: HttpExchange | undefined;
  readonly registered?: RegisteredCertificate | undefined;
  readonly assertion?: SignedAssertion | undefined;
  readonly exchange?: HttpExchange | undefined;
  readonly tokens?: TokenResponse | undefined;
  /**
   * Set when the authority is not Entra-shaped (a discovered issuer, the standards sandbox, endpoints
   * typed by hand): the client authenticates with any standard method instead of Entra's secret or
   * certificate, and `credentialKind` plays no part.
   */
  readonly authMethod?: ClientAuthMethod | undefined;
  /** private_key_jwt's key pair, made in this browser; the private key is memory only. */
  readonly clientKey?: ClientKey | undefined;
  /** The JWT assertion of client_secret_jwt or private_key_jwt: the last one signed (and sent). */
  readonly jwtAssertion?: JwtAssertion | undefined;
}

/**
 * The diagram variants a run can draw: Entra's two credential kinds, and for the standard methods
 * `basic` (client_secret_basic), `secret` (client_secret_post), `hmac` (client_secret_jwt), `jwk`
 * (private_key_jwt).
 */
export const CLIENT_CREDENTIALS_VARIANTS = ['secret', 'certificate', 'basic', 'hmac', 'jwk'] as const;

/**
 * The diagram variant of a run (see `CLIENT_CREDENTIALS_VARIANTS`).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function clientCredentialsVariant(
  ctx: Pick<ClientCredentialsContext, 'authMethod' | 'credentialKind'>,
): (typeof CLIENT_CREDENTIALS_VARIANTS)[number] {
  switch (ctx.authMethod) {
    case undefined:
      return ctx.credentialKind;
    case 'client_secret_basic':
      return 'basic';
    case 'client_secret_jwt':
      return 'hmac';
    case 'private_key_jwt':
      return 'jwk';
    default:
      return 'secret';
  }
}

/** The JWT methods, whose credential is an assertion signed per request. */
export function isJwtMethod(
  method: ClientAuthMethod | undefined,
): method is 'client_secret_jwt' | 'private_key_jwt' {
  return method === 'client_secret_jwt' || method === 'private_key_jwt';
}

/** Graph's `.default`: every application permission granted to the app on Microsoft Graph. */
export const DEFAULT_CLIENT_CREDENTIALS_SCOPE = 'https://graph.microsoft.com/.default';

/** A new run's starting values: client secret, Graph's /.default, PS256 for certificates. */
export function createClientCredentialsContext(input: {
  authorityOrigin: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  portalOrigin?: string;
  endpoints?: Endpoints;
  /** A method for a non-Entra authority (see `ClientCredentialsContext.authMethod`). */
  authMethod?: ClientAuthMethod;
  scope?: string;
}): ClientCredentialsContext {
  return {
    authorityOrigin: input.authorityOrigin,
    tenant: input.tenant,
    ...(input.endpoints === undefined ? {} : { endpoints: input.endpoints }),
    clientId: input.clientId,
    scope: input.scope ?? DEFAULT_CLIENT_CREDENTIALS_SCOPE,
    credentialKind: 'secret',
    ...(input.authMethod === undefined ? {} : { authMethod: input.authMethod }),
    clientSecret: input.clientSecret,
    algorithm: 'PS256',
    includeIat: false,
    ...(input.portalOrigin === undefined ? {} : { portalOrigin: input.portalOrigin }),
  };
}

/**
 * The token endpoint for the run's authority and tenant; also the assertion's `aud`.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function tokenEndpointOf(
  ctx: Pick<ClientCredentialsContext, 'authorityOrigin' | 'tenant' | 'endpoints'>,
): string {
  // Empty when the authority has none: sendTokenRequest then refuses before anything is sent.
  return resolveEndpoints(ctx).token ?? '';
}

/**
 * A restored run's endpoints, mended: run storage keeps no field named `token` (it takes it for a
 * credential), so after a reload — the authorization code flow's redirect is one — a run's token
 * endpoint comes back empty. Takes the empty ones back from `current` (the settings' endpoints) when
 * they name the same authority (the same authorization endpoint); undefined when there is nothing to mend.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function mendRestoredEndpoints(
  stored: Endpoints | undefined,
  current: Endpoints | undefined,
): Endpoints | undefined {
  if (stored === undefined || current === undefined) return undefined;
  if (stored.authorization !== current.authorization) return undefined;
  const names = ['token', 'deviceAuthorization', 'jwks', 'discovery'] as const;
  const lost = names.filter((name) => stored[name] === '' && (current[name] ?? '') !== '');
  if (lost.length === 0) return undefined;
  return { ...stored, ...Object.fromEntries(lost.map((name) => [name, current[name]])) };
}

/**
 * Step "credential" for the certificate kind: a new RSA key pair and self-signed certificate,
 * made in this browser. A new certificate invalidates any earlier upload and assertion.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export async function generateCertificate(
  ctx: ClientCredentialsContext,
  deps: FlowDeps,
): Promise<Partial<ClientCredentialsContext>> {
  const { generateCertificateCredential } = await import('../protocol/certificate.ts');
  const certificate = await generateCertificateCredential({
    subject: `CN=OAuth Flow Lab client ${ctx.clientId === '' ? 'certificate' : ctx.clientId}`,
    nowMs: deps.now(),
    validityDays: 90,
  });
  return { certificate, registration: undefined, registered: undefined, assertion: undefined };
}

/**
 * The certificate's private key for `algorithm`, or undefined when it is gone: it is a non-extractable
 * CryptoKey held in this tab's memory, so a run restored after a reload has the certificate's public
 * parts (PEM, thumbprints) and no key to sign with.
 * @see https://www.w3.org/TR/WebCryptoAPI/#cryptokey-interface
 */
export function signingKeyOf(
  certificate: CertificateCredential | undefined,
  algorithm: AssertionAlgorithm,
): CryptoKey | undefined {
  const key: unknown = certificate?.signingKeys?.[algorithm];
  // Duck-typed: Node 20 has no global CryptoKey, and a key that went through JSON is a bare object.
  return typeof key === 'object' && key !== null && (key as { type?: unknown }).type === 'private'
    ? (key as CryptoKey)
    : undefined;
}

/** The sandbox portal's certificate API for an app. */
export function certificatesUrl(portalOrigin: string, clientId: string): string {
  return `${portalOrigin.replace(/\/+$/, '')}/portal/apps/${encodeURIComponent(clientId)}/certificates`;
}

/** The sandbox portal's page section for an app, where its certificates are listed. */
export function portalAppUrl(portalOrigin: string, clientId: string): string {
  return `${portalOrigin.replace(/\/+$/, '')}/#app-${encodeURIComponent(clientId)}`;
}

/**
 * Step "register" (sandbox): the upload request, a JSON POST of the PEM to the portal API.
 * @see https://www.rfc-editor.org/rfc/rfc7468#section-5.1
 */
export function buildCertificateRegistrationRequest(ctx: ClientCredentialsContext): RecordedRequest {
  if (ctx.portalOrigin === undefined) {
    throw new InvalidInputError(
      'authority',
      'Registering from here works on the sandbox only; upload the certificate in the Entra portal instead.',
    );
  }
  if (ctx.certificate === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'There is no certificate yet: generate one first.');
  }
  return {
    method: 'POST',
    url: certificatesUrl(ctx.portalOrigin, ctx.clientId),
    headers: [['Content-Type', 'application/json']],
    body: JSON.stringify({ pem: ctx.certificate.pem }),
    secretFields: [],
  };
}

/**
 * Step "register" (sandbox), first half: sends the public certificate from the browser (the
 * sandbox portal allows CORS from localhost) and records the exchange.
 * @see https://fetch.spec.whatwg.org/#cors-protocol
 */
export async function sendCertificateRegistration(
  ctx: ClientCredentialsContext,
  deps: FlowDeps,
): Promise<Pick<ClientCredentialsContext, 'registration' | 'registered'>> {
  const request = buildCertificateRegistrationRequest(ctx);
  const route = browserRoute(
    'The sandbox portal accepts this upload from the browser (it sends CORS headers for localhost).',
  );
  return { registration: await sendRequest(request, route, deps.fetch, deps.now), registered: undefined };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findCertificate(json: unknown, thumbprint: string): RegisteredCertificate | undefined {
  const candidates: unknown[] = Array.isArray(json)
    ? json
    : isObject(json)
      ? [json, ...(Array.isArray(json['certificates']) ? json['certificates'] : []), json['certificate']]
      : [];
  const found = candidates.find((c) => isObject(c) && c['thumbprintSha256'] === thumbprint);
  return isObject(found) ? (found as unknown as RegisteredCertificate) : undefined;
}

/**
 * Step "register" (sandbox), second half: the portal's answer must list our certificate; a refusal
 * becomes `INVALID_INPUT` carrying the portal's own message.
 */
export function readCertificateRegistration(
  ctx: ClientCredentialsContext,
): Pick<ClientCredentialsContext, 'registered'> {
  const response = ctx.registration?.response;
  const thumbprint = ctx.certificate?.thumbprints.sha256Base64Url ?? '';
  if (response === undefined)
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No answer from the sandbox portal was recorded.');
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  if (response.status < 200 || response.status > 299) {
    const said = isObject(json) ? (json['error_description'] ?? json['message'] ?? json['error']) : undefined;
    throw new InvalidInputError(
      'certificate',
      `The sandbox portal refused the certificate (HTTP ${response.status}): ${typeof said === 'string' ? said : response.body.slice(0, 300) || 'no reason given'}`,
    );
  }
  return { registered: findCertificate(json, thumbprint) ?? { thumbprintSha256: thumbprint } };
}

/**
 * Step "assertion": header and claims for the current endpoint and client, signed with the
 * certificate's private key for the chosen algorithm.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function signAssertion(
  ctx: ClientCredentialsContext,
  deps: FlowDeps,
): Promise<Pick<ClientCredentialsContext, 'assertion'>> {
  if (ctx.certificate === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'There is no certificate yet: generate one first.');
  }
  const signingKey = signingKeyOf(ctx.certificate, ctx.algorithm);
  if (signingKey === undefined) {
    throw new InvalidInputError(
      'certificate',
      'The certificate’s private key is gone: it lived only in this tab’s memory and the page was reloaded. Generate a new key pair and certificate (and register it) to sign again.',
    );
  }
  const { buildClientAssertionClaims, buildClientAssertionHeader, signClientAssertion } =
    await import('../protocol/client-assertion.ts');
  const header = buildClientAssertionHeader(ctx.algorithm, ctx.certificate.thumbprints.sha256Base64Url);
  const claims = buildClientAssertionClaims({
    clientId: ctx.clientId,
    tokenEndpoint: tokenEndpointOf(ctx),
    nowMs: deps.now(),
    // RFC 7523 §3: jti is a unique identifier the server may use to refuse replays.
    jti: crypto.randomUUID(),
    includeIat: ctx.includeIat,
  });
  return {
    assertion: {
      header,
      claims,
      jwt: await signClientAssertion(header, claims, signingKey),
    },
  };
}

/**
 * Always through the relay: Entra answers client credentials without CORS headers and refuses any
 * request carrying an Origin (AADSTS9002326), because only SPA clients may redeem from a browser.
 */
export function decideTokenRoute(deps: Pick<FlowDeps, 'relayAvailable'>): Route {
  return relayRoute(
    'Client credentials must come from a server: Entra refuses this request from a browser (AADSTS9002326).',
    deps,
  );
}

/**
 * The token request, before it is sent.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
export function buildClientCredentialsRequest(ctx: ClientCredentialsContext): RecordedRequest {
  const parameters: QueryParameter[] = [
    ['grant_type', 'client_credentials'],
    ['client_id', ctx.clientId],
    ['scope', ctx.scope],
  ];
  const auth: ClientAuthentication =
    ctx.authMethod !== undefined
      ? clientAuthenticationOf(ctx.authMethod, ctx.clientSecret, ctx.jwtAssertion)
      : ctx.credentialKind === 'secret'
        ? { method: 'client_secret_post', clientSecret: ctx.clientSecret }
        : { method: 'private_key_jwt', clientAssertion: ctx.assertion?.jwt ?? '' };
  return buildTokenRequest(tokenEndpointOf(ctx), parameters, auth);
}

/**
 * What a careful client would say before sending: Entra-specific rules on scope and tenant, and
 * whether the assertion still fits the request.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
export function validateClientCredentialsRequest(
  ctx: ClientCredentialsContext,
  nowMs: number,
): RequestWarning[] {
  if (ctx.authMethod !== undefined) return validateStandardRequest(ctx, ctx.authMethod, nowMs);
  const warnings: RequestWarning[] = [];
  const scopes = ctx.scope.split(/\s+/).filter((s) => s !== '');
  if (scopes.length === 0) {
    warnings.push({
      parameter: 'scope',
      message: 'The scope is empty; Entra needs {resource}/.default here.',
    });
  } else if (scopes.length > 1 || !scopes[0]?.endsWith('/.default')) {
    // Entra: client credentials take exactly one {resource}/.default, else AADSTS1002012.
    warnings.push({
      parameter: 'scope',
      message: `Client credentials take exactly one {resource}/.default (e.g. ${DEFAULT_CLIENT_CREDENTIALS_SCOPE}); Entra refuses “${ctx.scope.trim()}” with AADSTS1002012. Permissions cannot be picked one by one: the app gets every application permission an admin granted.`,
    });
  }
  if (ctx.endpoints === undefined && !isSpecificTenant(ctx.tenant)) {
    warnings.push({
      parameter: 'tenant',
      message: `“${ctx.tenant.trim() || '(empty)'}” names no single tenant; Entra answers AADSTS50059 because an app-only token must be issued by one tenant. Use the tenant id or domain.`,
    });
  }
  if (ctx.clientId.trim() === '')
    warnings.push({ parameter: 'client_id', message: 'The client id is empty.' });
  if (ctx.credentialKind === 'secret' && ctx.clientSecret === '') {
    warnings.push({
      parameter: 'client_secret',
      message: 'No client secret: Entra will answer AADSTS7000218 (a credential is required).',
    });
  }
  if (ctx.credentialKind === 'certificate') {
    const assertion = ctx.assertion;
    if (assertion === undefined) {
      warnings.push({
        parameter: 'client_assertion',
        message: 'No client assertion yet: generate a certificate and sign one first.',
      });
    } else {
      if (assertion.claims.aud !== tokenEndpointOf(ctx)) {
        warnings.push({
          parameter: 'client_assertion',
          message:
            'The assertion’s aud is not this token endpoint (the tenant changed since it was signed): sign it again.',
        });
      }
      if (assertion.claims.iss !== ctx.clientId) {
        warnings.push({
          parameter: 'client_assertion',
          message: 'The assertion was signed for another client id: sign it again.',
        });
      }
      if (isPast(assertion.claims.exp, nowMs)) {
        warnings.push({
          parameter: 'client_assertion',
          message: 'The assertion has expired (exp is past): sign a fresh one.',
        });
      }
      if (
        ctx.certificate !== undefined &&
        assertion.header['x5t#S256'] !== ctx.certificate.thumbprints.sha256Base64Url
      ) {
        warnings.push({
          parameter: 'client_assertion',
          message: 'The assertion names an older certificate: sign it again.',
        });
      }
    }
  }
  return warnings;
}

/**
 * The checks for a non-Entra authority: a client id, the secret the method needs, a key for
 * private_key_jwt; an assertion already signed is re-signed when sent, so only its staleness is told.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
function validateStandardRequest(
  ctx: ClientCredentialsContext,
  method: ClientAuthMethod,
  nowMs: number,
): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  if (ctx.clientId.trim() === '')
    warnings.push({ parameter: 'client_id', message: 'The client id is empty.' });
  if (method === 'none') {
    warnings.push({
      parameter: 'client_id',
      message:
        'A public client cannot use client credentials: with nothing to prove who it is, the server answers unauthorized_client or invalid_client (RFC 6749 §4.4).',
    });
  } else if (method !== 'private_key_jwt' && ctx.clientSecret === '') {
    warnings.push({
      parameter: 'client_secret',
      message: `${method} needs the client secret, and it is empty.`,
    });
  }
  if (method === 'private_key_jwt' && ctx.clientKey === undefined) {
    warnings.push({
      parameter: 'client_assertion',
      message: 'No key pair yet: generate one and register its public key (step 1).',
    });
  }
  if (isJwtMethod(method) && ctx.jwtAssertion !== undefined) {
    const reasons = staleAssertionReasons(ctx.jwtAssertion, {
      clientId: ctx.clientId,
      audience: tokenEndpointOf(ctx),
      method,
      key: ctx.clientKey,
      nowMs,
    });
    if (reasons.length > 0) {
      warnings.push({
        parameter: 'client_assertion',
        message: `The assertion shown no longer fits (${reasons.join('; ')}): a fresh one is signed when the request is sent.`,
      });
    }
  }
  return warnings;
}

/**
 * For the JWT methods, a fresh assertion signed for this request: RFC 7523 §3 lets a server refuse a
 * jti it has seen, so every request gets its own.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function signStandardAssertion(
  ctx: ClientCredentialsContext,
  deps: Pick<FlowDeps, 'now'>,
): Promise<Pick<ClientCredentialsContext, 'jwtAssertion'>> {
  if (!isJwtMethod(ctx.authMethod)) return { jwtAssertion: undefined };
  const { signJwtAssertion } = await import('../protocol/client-auth.ts');
  return {
    jwtAssertion: await signJwtAssertion(ctx.authMethod, {
      clientId: ctx.clientId,
      clientSecret: ctx.clientSecret,
      key: ctx.clientKey,
      // RFC 7523 §3: the token endpoint identifies the authorization server as the audience.
      audience: tokenEndpointOf(ctx),
      nowMs: deps.now(),
    }),
  };
}

/**
 * Step "request", first half: sends the token request through the relay and records the exchange.
 * For a non-Entra authority with a JWT method, signs the assertion it sends first.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
export async function sendClientCredentialsRequest(
  ctx: ClientCredentialsContext,
  deps: FlowDeps,
): Promise<Pick<ClientCredentialsContext, 'exchange' | 'tokens' | 'jwtAssertion'>> {
  if (isJwtMethod(ctx.authMethod)) {
    const signed = await signStandardAssertion(ctx, deps);
    const withAssertion = { ...ctx, ...signed };
    return {
      ...signed,
      exchange: await sendTokenRequest(
        buildClientCredentialsRequest(withAssertion),
        decideTokenRoute(deps),
        deps,
      ),
      tokens: undefined,
    };
  }
  if (ctx.authMethod === undefined && ctx.credentialKind === 'certificate' && ctx.assertion === undefined) {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'There is no client assertion yet: generate a certificate and sign an assertion first.',
    );
  }
  return {
    exchange: await sendTokenRequest(buildClientCredentialsRequest(ctx), decideTokenRoute(deps), deps),
    tokens: undefined,
  };
}

/**
 * Step "request", second half: reads the token response.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.3
 */
export function readClientCredentialsResponse(
  ctx: ClientCredentialsContext,
): Pick<ClientCredentialsContext, 'tokens'> {
  return { tokens: readTokenExchange(ctx.exchange) };
}

/** What an app-only token says about itself (`client-credentials-token.ts`, loaded with the token). */
export type { AppOnlyTokenFacts } from './client-credentials-token.ts';
