import fc from 'fast-check';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import {
  assessClientAuthMethods,
  buildClientAuthentication,
  buildKeyRegistrationRequest,
  calculateBasicEncoding,
  clientAuthenticationOf,
  decodeBasicCredentials,
  describeClientAuthentication,
  generateClientKey,
  privateKeyOf,
  readKeyRegistration,
  sandboxJwksRegistrationUrl,
  signJwtAssertion,
  staleAssertionReasons,
} from './client-auth.ts';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';
import { buildBasicAuthorization, buildTokenRequest, formUrlEncode } from './token.ts';

const TOKEN = 'http://localhost:5174/standard/token';
const NOW = Date.UTC(2026, 0, 1);

describe('client_secret_basic encoding', () => {
  test('RFC 6749 §2.3.1: id and secret form-urlencoded, joined, base64', () => {
    const steps = calculateBasicEncoding('standard-basic', 's3cr3t:+/&%=');
    expect(steps.encodedId).toBe('standard-basic');
    expect(steps.encodedSecret).toBe('s3cr3t%3A%2B%2F%26%25%3D');
    expect(steps.joined).toBe('standard-basic:s3cr3t%3A%2B%2F%26%25%3D');
    expect(steps.base64).toBe(btoa(steps.joined));
    expect(steps.authorization).toBe(`Basic ${steps.base64}`);
    expect(steps.changed).toEqual([':', '+', '/', '&', '%', '=']);
  });

  test('the classic bug: skipping the form-encoding breaks on % (undecodable) and + (read as a space)', () => {
    const percent = calculateBasicEncoding('app', 'ab%zz');
    expect(percent.naiveDiffers).toBe(true);
    expect(percent.naiveRead).toEqual({ error: expect.stringMatching(/not properly encoded/) });
    const plus = calculateBasicEncoding('app', 'a+b');
    expect(plus.naiveAuthorization).toBe(`Basic ${btoa('app:a+b')}`);
    expect(plus.naiveRead).toEqual({ clientId: 'app', clientSecret: 'a b' });
    // A colon in the client id moves the split: the server reads another id and secret.
    expect(calculateBasicEncoding('a:b', 'c').naiveRead).toEqual({ clientId: 'a', clientSecret: 'b:c' });
  });

  test('plain letters and digits: the naive form is the same', () => {
    const steps = calculateBasicEncoding('client', 'Secret123');
    expect(steps.naiveDiffers).toBe(false);
    expect(steps.naiveAuthorization).toBe(steps.authorization);
    expect(steps.changed).toEqual([]);
  });

  test('a space is + and a non-Latin-1 character is UTF-8 percent-encoded (btoa cannot take the naive form)', () => {
    expect(formUrlEncode('a b')).toBe('a+b');
    const steps = calculateBasicEncoding('app', 'pässwörd€');
    expect(steps.encodedSecret).toBe('p%C3%A4ssw%C3%B6rd%E2%82%AC');
    expect(steps.naiveAuthorization).toBeUndefined();
    expect(steps.naiveRead).toEqual({ clientId: 'app', clientSecret: 'pässwörd€' });
  });

  test('property: decode(encode(id, secret)) gives back any id and secret', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (clientId, clientSecret) => {
        expect(decodeBasicCredentials(buildBasicAuthorization(clientId, clientSecret))).toEqual({
          clientId,
          clientSecret,
        });
      }),
    );
  });

  test('property: the naive form differs exactly when a character needs encoding', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (clientId, clientSecret) => {
        const steps = calculateBasicEncoding(clientId, clientSecret);
        expect(steps.naiveDiffers).toBe(steps.changed.length > 0);
      }),
    );
  });

  test('an unreadable header is refused with INVALID_INPUT', () => {
    for (const header of ['Bearer abc', 'Basic !!!', `Basic ${btoa('no-colon')}`]) {
      expect(() => decodeBasicCredentials(header)).toThrow(InvalidInputError);
    }
  });
});

describe('offered methods', () => {
  test('RFC 8414 §2: client_secret_basic when token_endpoint_auth_methods_supported is absent', () => {
    const verdicts = assessClientAuthMethods({ issuer: 'https://id.example' });
    expect(verdicts.filter((v) => v.offered).map((v) => v.method)).toEqual(['client_secret_basic']);
    expect(verdicts.find((v) => v.method === 'private_key_jwt')?.reason).toMatch(/RFC 8414 §2/);
  });

  test('the listed methods are offered, the rest explained', () => {
    const verdicts = assessClientAuthMethods({
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
    });
    expect(verdicts.map((v) => [v.method, v.offered])).toEqual([
      ['client_secret_basic', false],
      ['client_secret_post', true],
      ['client_secret_jwt', false],
      ['private_key_jwt', true],
    ]);
    expect(verdicts[0]?.reason).toMatch(/client_secret_post, private_key_jwt/);
  });

  test('Entra: secret in the body or Basic; no client_secret_jwt; private_key_jwt only with a certificate', () => {
    const verdicts = assessClientAuthMethods(
      {
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
      },
      { entra: true },
    );
    expect(verdicts.filter((v) => v.offered).map((v) => v.method)).toEqual([
      'client_secret_basic',
      'client_secret_post',
    ]);
    expect(verdicts.find((v) => v.method === 'client_secret_jwt')?.reason).toMatch(/Entra does not support/);
    expect(verdicts.find((v) => v.method === 'private_key_jwt')?.reason).toMatch(/certificate/);
  });

  test('introspection: its own list when published, else the token endpoint’s', () => {
    const metadata = {
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
      introspection_endpoint_auth_methods_supported: ['client_secret_post'],
    };
    const offered = (endpoint: 'token' | 'introspection' | 'revocation') =>
      assessClientAuthMethods(metadata, { endpoint })
        .filter((v) => v.offered)
        .map((v) => v.method);
    expect(offered('introspection')).toEqual(['client_secret_post']);
    expect(offered('revocation')).toEqual(['client_secret_basic', 'private_key_jwt']);
    expect(assessClientAuthMethods(metadata, { endpoint: 'introspection' })[0]?.reason).toMatch(
      /introspection_endpoint_auth_methods_supported/,
    );
  });

  test('no metadata (endpoints typed by hand): every method may be tried, and that is said', () => {
    const verdicts = assessClientAuthMethods(undefined, { methods: ['none', 'client_secret_jwt'] });
    expect(verdicts.every((v) => v.offered && v.reason !== undefined)).toBe(true);
  });
});

describe('JWT client assertions', () => {
  test('OIDC Core §9: client_secret_jwt is HS256 with the secret; iss = sub = client id, aud the endpoint', async () => {
    const assertion = await signJwtAssertion('client_secret_jwt', {
      clientId: 'standard-jwt',
      clientSecret: 'a shared secret',
      audience: TOKEN,
      nowMs: NOW,
      jti: 'j1',
    });
    expect(assertion.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(assertion.jwt, new TextEncoder().encode('a shared secret'), {
      currentDate: new Date(NOW),
    });
    expect(payload).toMatchObject({ iss: 'standard-jwt', sub: 'standard-jwt', aud: TOKEN, jti: 'j1' });
    expect(payload.exp).toBe(NOW / 1000 + 600);
    await expect(jwtVerify(assertion.jwt, new TextEncoder().encode('another secret'))).rejects.toThrow();
  });

  test.each(['ES256', 'PS256', 'RS256'] as const)(
    'RFC 7523 §3: private_key_jwt with a browser-made %s key verifies with the public JWK; kid is its RFC 7638 thumbprint',
    async (alg) => {
      const key = await generateClientKey(alg);
      expect(key.publicJwk).toMatchObject({ alg, use: 'sig', kid: key.kid });
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.privateKey.extractable).toBe(false);
      expect(await calculateJwkThumbprint(key.publicJwk)).toBe(key.kid);
      const assertion = await signJwtAssertion('private_key_jwt', {
        clientId: 'standard-private-key',
        key,
        audience: TOKEN,
        nowMs: NOW,
      });
      expect(decodeProtectedHeader(assertion.jwt)).toEqual({ alg, typ: 'JWT', kid: key.kid });
      const publicKey = await importJWK(key.publicJwk, alg);
      const { payload } = await jwtVerify(assertion.jwt, publicKey, { currentDate: new Date(NOW) });
      expect(payload['sub']).toBe('standard-private-key');
    },
  );

  test('RFC 7638 §3.1: the example RSA key’s thumbprint', async () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
    };
    expect(await calculateJwkThumbprint(jwk, 'sha256')).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  test('missing inputs are refused with the field named', async () => {
    await expect(
      signJwtAssertion('client_secret_jwt', { clientId: 'a', clientSecret: '', audience: TOKEN }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'client_secret' });
    await expect(
      signJwtAssertion('private_key_jwt', { clientId: 'a', audience: TOKEN }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'private_key',
    });
    const key = await generateClientKey('ES256');
    // A key restored after a reload: JSON keeps the public parts only.
    const restored = JSON.parse(JSON.stringify(key)) as typeof key;
    expect(privateKeyOf(restored)).toBeUndefined();
    await expect(
      signJwtAssertion('private_key_jwt', { clientId: 'a', key: restored, audience: TOKEN }),
    ).rejects.toThrow(/gone/);
    await expect(
      signJwtAssertion('private_key_jwt', { clientId: 'a', key, audience: '' }),
    ).rejects.toMatchObject({ field: 'aud' });
  });

  test('a stale assertion is told apart by what changed', async () => {
    const key = await generateClientKey('ES256');
    const assertion = await signJwtAssertion('private_key_jwt', {
      clientId: 'c',
      key,
      audience: TOKEN,
      nowMs: NOW,
    });
    const fits = { clientId: 'c', audience: TOKEN, method: 'private_key_jwt' as const, key, nowMs: NOW };
    expect(staleAssertionReasons(assertion, fits)).toEqual([]);
    expect(
      staleAssertionReasons(assertion, { ...fits, clientId: 'd', audience: 'x', nowMs: NOW + 601_000 }),
    ).toEqual(['it names another client id', 'it is addressed to another endpoint (aud)', 'it has expired']);
  });
});

describe('the request each method makes', () => {
  const parameters = [
    ['grant_type', 'client_credentials'],
    ['client_id', 'app'],
  ] as const;

  test('each method puts its credential where its spec says', async () => {
    const input = { clientId: 'app', clientSecret: 's+1', audience: TOKEN, nowMs: NOW };
    const post = buildTokenRequest(
      TOKEN,
      parameters,
      await buildClientAuthentication('client_secret_post', input),
    );
    expect(post.body).toBe('grant_type=client_credentials&client_id=app&client_secret=s%2B1');
    const basic = buildTokenRequest(
      TOKEN,
      parameters,
      await buildClientAuthentication('client_secret_basic', input),
    );
    expect(basic.headers).toContainEqual(['Authorization', `Basic ${btoa('app:s%2B1')}`]);
    expect(basic.body).not.toContain('client_secret');
    const jwt = buildTokenRequest(
      TOKEN,
      parameters,
      await buildClientAuthentication('client_secret_jwt', input),
    );
    const body = new URLSearchParams(jwt.body);
    expect(body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(body.get('client_assertion')?.split('.')).toHaveLength(3);
    expect(jwt.secretFields).toEqual(['client_assertion']);
    const none = buildTokenRequest(TOKEN, parameters, await buildClientAuthentication('none', input));
    expect(none.body).toBe('grant_type=client_credentials&client_id=app');
  });

  test('the fields shown for each method, secrets marked', () => {
    expect(describeClientAuthentication({ method: 'client_secret_basic', clientSecret: 'x' }, 'app')).toEqual(
      [{ where: 'header', name: 'Authorization', value: `Basic ${btoa('app:x')}`, secret: true }],
    );
    expect(
      describeClientAuthentication(clientAuthenticationOf('private_key_jwt', '', undefined), 'app').map(
        (f) => [f.name, f.secret],
      ),
    ).toEqual([
      ['client_id', false],
      ['client_assertion_type', false],
      ['client_assertion', true],
    ]);
  });
});

describe('key registration (standards sandbox portal)', () => {
  test('posts the public key set only, and reads the portal’s answer', async () => {
    const key = await generateClientKey('ES256');
    const url = sandboxJwksRegistrationUrl('http://localhost:5174/standard/', 'standard private');
    expect(url).toBe('http://localhost:5174/standard/portal/api/clients/standard%20private/jwks');
    const request = buildKeyRegistrationRequest(url, key);
    expect(JSON.parse(request.body ?? '')).toEqual({ keys: [key.publicJwk] });
    const exchange = (status: number, body: string) => ({
      request,
      via: 'browser' as const,
      viaReason: 'test',
      startedAt: 0,
      response: { status, statusText: '', headers: [], body },
    });
    expect(readKeyRegistration(exchange(200, JSON.stringify({ keys: [key.publicJwk] })), key)).toEqual({
      kid: key.kid,
    });
    expect(readKeyRegistration(exchange(204, ''), key)).toEqual({ kid: key.kid });
    expect(() => readKeyRegistration(exchange(400, '{"error_description":"bad key"}'), key)).toThrow(
      /bad key/,
    );
    expect(() => readKeyRegistration(exchange(200, '{"keys":[]}'), key)).toThrow(ProtocolViolationError);
  });
});

test('none is left to try when not listed: servers take public clients without saying so', () => {
  const [none] = assessClientAuthMethods(
    { token_endpoint_auth_methods_supported: ['client_secret_post'] },
    { methods: ['none'] },
  );
  expect(none).toMatchObject({
    method: 'none',
    offered: true,
    reason: expect.stringMatching(/public clients/),
  });
});
