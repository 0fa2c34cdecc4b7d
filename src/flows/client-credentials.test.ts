import { X509Certificate } from 'node:crypto';
import { jwtVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from '../protocol/base64url.ts';
import type { CertificateCredential } from '../protocol/certificate.ts';
import {
  buildCertificateRegistrationRequest,
  buildClientCredentialsRequest,
  clientCredentialsFlow,
  clientCredentialsVariant,
  createClientCredentialsContext,
  generateCertificate,
  mendRestoredEndpoints,
  readCertificateRegistration,
  readClientCredentialsResponse,
  sendCertificateRegistration,
  sendClientCredentialsRequest,
  signAssertion,
  signingKeyOf,
  tokenEndpointOf,
  validateClientCredentialsRequest,
  type ClientCredentialsContext,
} from './client-credentials.ts';
import { describeAppOnlyToken } from './client-credentials-token.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { liveDiagramSpec, plannedDiagram } from './live-diagram.ts';
import { runStep, type FlowDeps } from './runner.ts';
import { decodeBasicCredentials, generateClientKey } from '../protocol/client-auth.ts';

const TENANT = '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10';
const ORIGIN = 'http://localhost:5174';
const CLIENT_ID = '7c3a1e5d-2b9f-4d68-a05e-3f8b6c1d9e27';
const TOKEN_ENDPOINT = `${ORIGIN}/${TENANT}/oauth2/v2.0/token`;

interface Call {
  url: string;
  init: RequestInit;
}

function stubDeps(respond: (call: Call) => Response, relayAvailable = true): FlowDeps & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return respond({ url, init });
    },
    now: () => Date.now(),
    relayAvailable,
    appOrigin: 'http://localhost:5173',
  };
}

function jwt(payload: object): string {
  const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2ln`;
}

const APP_TOKEN = jwt({
  aud: '00000003-0000-0000-c000-000000000000',
  roles: ['User.Read.All'],
  idtyp: 'app',
  azpacr: '2',
});
const tokenResponse = () =>
  new Response(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: APP_TOKEN }), {
    status: 200,
  });

function context(patch: Partial<ClientCredentialsContext> = {}): ClientCredentialsContext {
  return {
    ...createClientCredentialsContext({
      authorityOrigin: ORIGIN,
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: 's3cret',
      portalOrigin: ORIGIN,
    }),
    ...patch,
  };
}

function entraError(code: number, error: string, text: string): Response {
  return new Response(
    JSON.stringify({ error, error_description: `AADSTS${code}: ${text}`, error_codes: [code] }),
    { status: error === 'invalid_client' ? 401 : 400 },
  );
}

describe('client credentials flow', () => {
  test('RFC 6749 §4.4.2: secret variant end to end, through the relay', async () => {
    let ctx = context();
    expect(validateClientCredentialsRequest(ctx, Date.now())).toEqual([]);
    const deps = stubDeps(tokenResponse);
    ctx = { ...ctx, ...(await sendClientCredentialsRequest(ctx, deps)) };
    const call = deps.calls[0];
    expect(call?.url).toBe('/relay/forward');
    expect(new Headers(call?.init.headers).get('X-Relay-Target')).toBe(TOKEN_ENDPOINT);
    expect(new Headers(call?.init.headers).has('X-Relay-Origin')).toBe(false);
    expect(String(call?.init.body)).toBe(
      `grant_type=client_credentials&client_id=${CLIENT_ID}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_secret=s3cret`,
    );
    expect(buildClientCredentialsRequest(ctx).secretFields).toEqual(['client_secret']);
    ctx = { ...ctx, ...readClientCredentialsResponse(ctx) };
    expect(describeAppOnlyToken(ctx.tokens!)).toEqual({
      roles: ['User.Read.All'],
      idtyp: 'app',
      azpacr: '2',
      credentialClaim: 'azpacr',
      hasRefreshToken: false,
      hasIdToken: false,
      decoded: true,
    });
  });

  test('access-token-claims-reference: a v1.0 token (Graph) names the credential in appidacr', () => {
    for (const [value, claim] of [
      ['0', 'appidacr'],
      ['1', 'appidacr'],
      ['2', 'appidacr'],
    ] as const) {
      const part = (o: object) =>
        btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
      const token = `${part({ alg: 'RS256', nonce: 'n' })}.${part({ ver: '1.0', appidacr: value, roles: ['User.Read.All'] })}.c2ln`;
      expect(describeAppOnlyToken({ access_token: token, token_type: 'Bearer' })).toMatchObject({
        azpacr: value,
        credentialClaim: claim,
      });
    }
  });

  test('RFC 7523 §2.2: certificate variant end to end — generate, register, sign, send; the assertion verifies', async () => {
    let ctx = context({ credentialKind: 'certificate', clientSecret: '' });
    const deps = stubDeps((call) =>
      call.url.includes('/portal/')
        ? new Response(
            JSON.stringify({
              thumbprintSha256: ctx.certificate?.thumbprints.sha256Base64Url,
              subject: 'CN=x',
            }),
            { status: 201 },
          )
        : tokenResponse(),
    );
    ctx = { ...ctx, ...(await generateCertificate(ctx, deps)) };
    const certificate = ctx.certificate!;
    expect(certificate.pem).toContain('-----BEGIN CERTIFICATE-----');

    const registration = buildCertificateRegistrationRequest(ctx);
    expect(registration.url).toBe(`${ORIGIN}/portal/apps/${CLIENT_ID}/certificates`);
    expect(JSON.parse(registration.body ?? '')).toEqual({ pem: certificate.pem });
    ctx = { ...ctx, ...(await sendCertificateRegistration(ctx, deps)) };
    expect(deps.calls[0]?.url).toBe(registration.url);
    expect(ctx.registration?.via).toBe('browser');
    ctx = { ...ctx, ...readCertificateRegistration(ctx) };
    expect(ctx.registered?.subject).toBe('CN=x');

    ctx = { ...ctx, ...(await signAssertion(ctx, deps)) };
    const assertion = ctx.assertion!;
    expect(assertion.header).toEqual({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': certificate.thumbprints.sha256Base64Url,
    });
    expect(assertion.claims).toMatchObject({ aud: TOKEN_ENDPOINT, iss: CLIENT_ID, sub: CLIENT_ID });
    expect(assertion.claims.exp - assertion.claims.nbf).toBe(600);
    expect(assertion.claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const publicKey = new X509Certificate(certificate.pem).publicKey;
    await expect(
      jwtVerify(assertion.jwt, publicKey, {
        audience: TOKEN_ENDPOINT,
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
      }),
    ).resolves.toBeDefined();
    expect(validateClientCredentialsRequest(ctx, Date.now())).toEqual([]);

    ctx = { ...ctx, ...(await sendClientCredentialsRequest(ctx, deps)) };
    const body = new URLSearchParams(String(deps.calls[1]?.init.body));
    expect([...body.keys()]).toEqual([
      'grant_type',
      'client_id',
      'scope',
      'client_assertion_type',
      'client_assertion',
    ]);
    expect(body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(body.get('client_assertion')).toBe(assertion.jwt);
    expect(body.has('client_secret')).toBe(false);
    expect(buildClientCredentialsRequest(ctx).secretFields).toEqual(['client_assertion']);
  });

  test('RS256 is selectable and signs with the PKCS#1 v1.5 key', async () => {
    let ctx = context({ credentialKind: 'certificate', algorithm: 'RS256' });
    const deps = stubDeps(tokenResponse);
    ctx = { ...ctx, ...(await generateCertificate(ctx, deps)) };
    ctx = { ...ctx, ...(await signAssertion(ctx, deps)) };
    const { protectedHeader } = await jwtVerify(
      ctx.assertion!.jwt,
      new X509Certificate(ctx.certificate!.pem).publicKey,
      { algorithms: ['RS256'] },
    );
    expect(protectedHeader.alg).toBe('RS256');
  });

  test('a certificate restored after a reload has no private key: signing is INVALID_INPUT, never a crash', async () => {
    const deps = stubDeps(tokenResponse);
    const made = { ...context({ credentialKind: 'certificate' }) };
    const certificate = (await generateCertificate(made, deps)).certificate!;
    expect(signingKeyOf(certificate, 'PS256')?.type).toBe('private');
    // What sessionStorage gives back: the public parts, no CryptoKey (JSON has none).
    const restored = JSON.parse(JSON.stringify(certificate)) as CertificateCredential;
    expect(restored.pem).toBe(certificate.pem);
    expect(signingKeyOf(restored, 'PS256')).toBeUndefined();
    expect(signingKeyOf({ ...restored, signingKeys: undefined } as never, 'RS256')).toBeUndefined();
    const result = await runStep(signAssertion, { ...made, certificate: restored }, deps);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.failure.code).toBe('INVALID_INPUT');
      expect(result.failure.message).toContain('private key is gone');
    }
  });

  test('step inputs: each names only context keys, and the request depends on the credential kind', () => {
    const keys = new Set(
      Object.keys({
        ...context(),
        certificate: 1,
        registration: 1,
        registered: 1,
        assertion: 1,
        exchange: 1,
        tokens: 1,
        endpoints: 1,
        authMethod: 1,
        clientKey: 1,
      }),
    );
    for (const step of clientCredentialsFlow.steps)
      for (const input of step.inputs) expect(keys, `${step.id}: ${input}`).toContain(input);
    const inputsOf = (id: string) => clientCredentialsFlow.steps.find((s) => s.id === id)?.inputs ?? [];
    expect(inputsOf('request')).toEqual(
      expect.arrayContaining(['credentialKind', 'clientSecret', 'assertion', 'scope', 'tenant', 'clientId']),
    );
    expect(inputsOf('assertion')).toEqual(expect.arrayContaining(['certificate', 'algorithm', 'tenant']));
    expect(inputsOf('register')).toEqual(expect.arrayContaining(['certificate', 'clientId']));
  });

  test('fixed endpoints: the token URL (and assertion aud) comes from settings, no tenant rule', () => {
    const endpoints = {
      authorization: 'https://as.example/a',
      token: 'https://as.example/t',
      jwks: 'https://as.example/k',
    };
    const ctx = context({ endpoints, tenant: '' });
    expect(tokenEndpointOf(ctx)).toBe('https://as.example/t');
    expect(validateClientCredentialsRequest(ctx, 0)).toEqual([]);
  });

  test('warnings before sending: scope without /.default, a tenant alias, no secret', () => {
    const warnings = validateClientCredentialsRequest(
      context({ scope: 'User.Read.All', tenant: 'common', clientSecret: '' }),
      Date.now(),
    );
    expect(warnings.map((w) => w.parameter)).toEqual(['scope', 'tenant', 'client_secret']);
    expect(warnings[0]?.message).toContain('AADSTS1002012');
    expect(warnings[1]?.message).toContain('AADSTS50059');
    expect(warnings[2]?.message).toContain('AADSTS7000218');
    expect(
      validateClientCredentialsRequest(
        context({ scope: 'https://graph.microsoft.com/.default openid' }),
        0,
      )[0]?.parameter,
    ).toBe('scope');
    expect(
      validateClientCredentialsRequest(context({ tenant: 'organizations' }), 0).map((w) => w.parameter),
    ).toEqual(['tenant']);
  });

  test('warnings: an assertion signed for another tenant, or expired, must be signed again', async () => {
    let ctx = context({ credentialKind: 'certificate' });
    const deps = stubDeps(tokenResponse);
    ctx = { ...ctx, ...(await generateCertificate(ctx, deps)) };
    ctx = { ...ctx, ...(await signAssertion(ctx, deps)) };
    const moved = { ...ctx, tenant: 'flowlab-sandbox.onmicrosoft.com' };
    expect(tokenEndpointOf(moved)).not.toBe(ctx.assertion?.claims.aud);
    expect(
      validateClientCredentialsRequest(moved, Date.now())
        .map((w) => w.message)
        .join(' '),
    ).toContain('aud');
    expect(
      validateClientCredentialsRequest(ctx, Date.now() + 11 * 60_000)
        .map((w) => w.message)
        .join(' '),
    ).toContain('expired');
  });

  test('AADSTS7000215: a wrong secret fails the step with the server fields kept', async () => {
    let ctx = context({ clientSecret: 'wrong' });
    ctx = {
      ...ctx,
      ...(await sendClientCredentialsRequest(
        ctx,
        stubDeps(() => entraError(7000215, 'invalid_client', 'Invalid client secret provided.')),
      )),
    };
    expect(await runStep(readClientCredentialsResponse, ctx, stubDeps(tokenResponse))).toMatchObject({
      ok: false,
      failure: {
        code: 'TOKEN_ENDPOINT_ERROR',
        status: 401,
        fields: { error: 'invalid_client', error_codes: [7000215] },
      },
    });
  });

  test('AADSTS700027: an unregistered certificate fails the step', async () => {
    let ctx = context({ credentialKind: 'certificate' });
    const deps = stubDeps(() =>
      entraError(700027, 'invalid_client', 'Client assertion failed signature validation.'),
    );
    ctx = { ...ctx, ...(await generateCertificate(ctx, deps)) };
    ctx = { ...ctx, ...(await signAssertion(ctx, deps)) };
    ctx = { ...ctx, ...(await sendClientCredentialsRequest(ctx, deps)) };
    expect(await runStep(readClientCredentialsResponse, ctx, deps)).toMatchObject({
      ok: false,
      failure: { code: 'TOKEN_ENDPOINT_ERROR', fields: { error_codes: [700027] } },
    });
  });

  test('AADSTS1002012: a scope without /.default is refused as invalid_scope', async () => {
    let ctx = context({ scope: 'User.Read.All' });
    ctx = {
      ...ctx,
      ...(await sendClientCredentialsRequest(
        ctx,
        stubDeps(() =>
          entraError(1002012, 'invalid_scope', 'The provided value for scope User.Read.All is not valid.'),
        ),
      )),
    };
    expect(await runStep(readClientCredentialsResponse, ctx, stubDeps(tokenResponse))).toMatchObject({
      ok: false,
      failure: { code: 'TOKEN_ENDPOINT_ERROR', fields: { error: 'invalid_scope', error_codes: [1002012] } },
    });
  });

  test('without a relay the request fails with RELAY_UNAVAILABLE and nothing is fetched', async () => {
    const deps = stubDeps(tokenResponse, false);
    expect(await runStep(sendClientCredentialsRequest, context(), deps)).toMatchObject({
      ok: false,
      failure: { code: 'RELAY_UNAVAILABLE' },
    });
    expect(deps.calls).toEqual([]);
  });

  test('the certificate variant without an assertion is MISSING_PARAMETER', async () => {
    expect(
      await runStep(
        sendClientCredentialsRequest,
        context({ credentialKind: 'certificate' }),
        stubDeps(tokenResponse),
      ),
    ).toMatchObject({ ok: false, failure: { code: 'MISSING_PARAMETER' } });
    expect(
      await runStep(signAssertion, context({ credentialKind: 'certificate' }), stubDeps(tokenResponse)),
    ).toMatchObject({ ok: false, failure: { code: 'MISSING_PARAMETER' } });
  });

  test('the portal refusing an upload is INVALID_INPUT with its message', async () => {
    let ctx = context({ credentialKind: 'certificate' });
    const deps = stubDeps(
      () =>
        new Response(
          JSON.stringify({ error: 'invalid_request', message: 'Not a readable X.509 certificate.' }),
          { status: 400 },
        ),
    );
    ctx = { ...ctx, ...(await generateCertificate(ctx, deps)) };
    ctx = { ...ctx, ...(await sendCertificateRegistration(ctx, deps)) };
    const result = await runStep(readCertificateRegistration, ctx, deps);
    expect(result).toMatchObject({ ok: false, failure: { code: 'INVALID_INPUT' } });
    expect(result.ok ? '' : result.failure.message).toContain('Not a readable X.509 certificate.');
  });

  test('registering from the app is sandbox-only: against Entra it is INVALID_INPUT', async () => {
    const { portalOrigin: _none, ...entra } = context({ credentialKind: 'certificate' });
    expect(await runStep(sendCertificateRegistration, entra, stubDeps(tokenResponse))).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_INPUT' },
    });
  });

  test('an opaque access token is described without crashing', () => {
    expect(
      describeAppOnlyToken({ access_token: 'opaque', token_type: 'Bearer', refresh_token: 'r' }),
    ).toMatchObject({ decoded: false, roles: [], hasRefreshToken: true });
  });

  test('sequence diagram text, client secret and certificate', () => {
    expect(buildSequenceDiagram(plannedDiagram(clientCredentialsFlow.diagram, ['secret']))).toMatchSnapshot();
    expect(
      buildSequenceDiagram(plannedDiagram(clientCredentialsFlow.diagram, ['certificate'])),
    ).toMatchSnapshot();
  });

  test('the diagram draws the credential the run uses: upload and assertion only with a certificate', () => {
    const texts = (variant: string) =>
      plannedDiagram(clientCredentialsFlow.diagram, [variant])
        .messages.map((m) => m.text)
        .join('\n');
    expect(texts('secret')).not.toMatch(/certificate|assertion/i);
    expect(texts('secret')).toContain('client_secret');
    expect(texts('certificate')).toMatch(/Upload the certificate/);
    expect(texts('certificate')).toMatch(/Sign assertion/);
    expect(texts('certificate')).toContain('client_assertion');
    expect(texts('certificate')).not.toContain('client_secret');
  });

  test('a secret run as it happened: its token request through the relay replaces the planned pair', () => {
    const live = liveDiagramSpec(
      clientCredentialsFlow.diagram,
      [{ step: 'request', method: 'POST', url: TOKEN_ENDPOINT, via: 'relay', status: 200, at: 1 }],
      ['secret'],
    );
    expect(live.actors.map((a) => a.id)).toEqual(['client', 'relay', 'as', 'api']);
    const text = live.messages.map((m) => m.text);
    expect(text).not.toContain('POST /token grant_type=client_credentials + client_secret');
    expect(text).toContain('POST …/token');
    expect(text).toContain('200');
  });
});

describe('client credentials against a standards issuer (any client authentication method)', () => {
  const ISSUER = `${ORIGIN}/standard`;
  const STANDARD_TOKEN = `${ISSUER}/token`;
  const endpoints = { authorization: `${ISSUER}/auth`, token: STANDARD_TOKEN };
  const standard = (patch: Partial<ClientCredentialsContext> = {}): ClientCredentialsContext => ({
    ...createClientCredentialsContext({
      authorityOrigin: ORIGIN,
      tenant: '',
      endpoints,
      clientId: 'standard-basic',
      clientSecret: 'sandbox-only:Basic+Secret/&=%25',
      authMethod: 'client_secret_basic',
      scope: 'api.read',
    }),
    ...patch,
  });
  const body = (deps: { calls: Call[] }) => new URLSearchParams(String(deps.calls[0]?.init.body));
  const ok = () =>
    new Response(
      JSON.stringify({ token_type: 'Bearer', expires_in: 600, access_token: 'at', scope: 'api.read' }),
    );

  test('RFC 6749 §2.3.1: client_secret_basic sends the form-encoded id and secret in Basic, not in the body', async () => {
    const ctx = standard();
    expect(validateClientCredentialsRequest(ctx, Date.now())).toEqual([]);
    const deps = stubDeps(ok);
    const sent = { ...ctx, ...(await sendClientCredentialsRequest(ctx, deps)) };
    const authorization = new Headers(deps.calls[0]?.init.headers).get('Authorization') ?? '';
    expect(decodeBasicCredentials(authorization)).toEqual({
      clientId: 'standard-basic',
      clientSecret: 'sandbox-only:Basic+Secret/&=%25',
    });
    expect(authorization).toBe(`Basic ${btoa('standard-basic:sandbox-only%3ABasic%2BSecret%2F%26%3D%2525')}`);
    expect(body(deps).has('client_secret')).toBe(false);
    expect(body(deps).get('scope')).toBe('api.read');
    expect(readClientCredentialsResponse(sent).tokens?.access_token).toBe('at');
  });

  test('client_secret_post: the secret in the body; no Entra scope or tenant warnings', async () => {
    const ctx = standard({ authMethod: 'client_secret_post', clientId: 'standard-post', clientSecret: 'p' });
    expect(validateClientCredentialsRequest(ctx, Date.now())).toEqual([]);
    const deps = stubDeps(ok);
    await sendClientCredentialsRequest(ctx, deps);
    expect(body(deps).get('client_secret')).toBe('p');
    expect(new Headers(deps.calls[0]?.init.headers).has('Authorization')).toBe(false);
  });

  test('OIDC Core §9: client_secret_jwt signs a fresh HS256 assertion for each request', async () => {
    const ctx = standard({
      authMethod: 'client_secret_jwt',
      clientId: 'standard-jwt',
      clientSecret: 'k'.repeat(32),
    });
    const deps = stubDeps(ok);
    const first = await sendClientCredentialsRequest(ctx, deps);
    const second = await sendClientCredentialsRequest({ ...ctx, ...first }, deps);
    expect(first.jwtAssertion?.claims.jti).not.toBe(second.jwtAssertion?.claims.jti);
    const assertion = body(deps).get('client_assertion') ?? '';
    expect(assertion).toBe(first.jwtAssertion?.jwt);
    const { payload, protectedHeader } = await jwtVerify(assertion, new TextEncoder().encode('k'.repeat(32)));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ iss: 'standard-jwt', sub: 'standard-jwt', aud: STANDARD_TOKEN });
    expect(body(deps).has('client_secret')).toBe(false);
  });

  test('RFC 7523 §2.2: private_key_jwt needs a key; with one, the assertion names it by kid', async () => {
    const noKey = standard({
      authMethod: 'private_key_jwt',
      clientId: 'standard-private-key',
      clientSecret: '',
    });
    expect(validateClientCredentialsRequest(noKey, Date.now()).map((w) => w.parameter)).toEqual([
      'client_assertion',
    ]);
    const refused = await runStep(sendClientCredentialsRequest, noKey, stubDeps(ok));
    expect(refused).toMatchObject({ ok: false, failure: { code: 'INVALID_INPUT' } });
    const clientKey = await generateClientKey('ES256');
    const deps = stubDeps(ok);
    const sent = await sendClientCredentialsRequest({ ...noKey, clientKey }, deps);
    expect(sent.jwtAssertion?.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: clientKey.kid });
    expect(body(deps).get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
  });

  test('a public client is told that client credentials need a credential', () => {
    const warnings = validateClientCredentialsRequest(
      standard({ authMethod: 'none', clientSecret: '' }),
      Date.now(),
    );
    expect(warnings.map((w) => w.message).join(' ')).toMatch(/public client/);
  });

  test('the diagram draws the standard method the run uses: Basic header, HS256, or a JWK and its kid', () => {
    const texts = (variant: string) =>
      plannedDiagram(clientCredentialsFlow.diagram, [variant])
        .messages.map((m) => m.text)
        .join('\n');
    expect(clientCredentialsVariant(standard({}))).toBe('basic');
    expect(texts('basic')).toContain('Authorization: Basic');
    expect(texts('basic')).not.toMatch(/certificate|assertion|client_secret\b/);
    expect(clientCredentialsVariant(standard({ authMethod: 'client_secret_post' }))).toBe('secret');
    expect(clientCredentialsVariant(standard({ authMethod: 'client_secret_jwt' }))).toBe('hmac');
    expect(texts('hmac')).toMatch(/HS256 assertion/);
    expect(texts('hmac')).not.toMatch(/certificate|Key pair/);
    expect(clientCredentialsVariant(standard({ authMethod: 'private_key_jwt' }))).toBe('jwk');
    expect(texts('jwk')).toMatch(/Register the public key \(JWK\)/);
    expect(texts('jwk')).toContain('kid');
    expect(texts('jwk')).not.toMatch(/certificate|x5t/);
    expect(clientCredentialsVariant(context({ credentialKind: 'certificate' }))).toBe('certificate');
  });
});

describe('a run restored after a reload (run storage empties fields named token)', () => {
  const current = {
    authorization: 'http://localhost:5174/standard/auth',
    token: 'http://localhost:5174/standard/token',
    jwks: 'http://localhost:5174/standard/jwks',
  };

  test('takes the emptied token endpoint back from the settings, so the request and the aud have one', () => {
    const stored = { ...current, token: '' };
    const mended = mendRestoredEndpoints(stored, current);
    expect(mended).toEqual(current);
    const ctx = context({ endpoints: stored, authorityOrigin: 'http://localhost:5174', tenant: '' });
    expect(tokenEndpointOf(ctx)).toBe('');
    expect(tokenEndpointOf({ ...ctx, endpoints: mended })).toBe(current.token);
  });

  test('leaves a run alone when nothing was lost or the settings name another authority', () => {
    expect(mendRestoredEndpoints(current, current)).toBeUndefined();
    expect(mendRestoredEndpoints(undefined, current)).toBeUndefined();
    expect(
      mendRestoredEndpoints(
        { ...current, token: '' },
        { ...current, authorization: 'https://other.example/auth' },
      ),
    ).toBeUndefined();
  });
});
