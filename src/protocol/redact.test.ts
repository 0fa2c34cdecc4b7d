import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { HttpExchange } from './http.ts';
import {
  CREDENTIAL_PARAMS,
  findBodySecrets,
  findHeaderSecrets,
  findJsonSecrets,
  findUrlSecrets,
  redactExchange,
  redactionMark,
  redactKnownValues,
  redactSpans,
  redactText,
  splitSecrets,
} from './redact.ts';
import { encodeBase64Url } from './base64url.ts';

const CREDENTIALS = [...CREDENTIAL_PARAMS];
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');

const base64url = (text: string): string => encodeBase64Url(new TextEncoder().encode(text));

/** A secret value: long enough that finding it elsewhere by chance is not a worry. */
const secretValue = fc.string({ unit: fc.constantFrom(...B64URL, '.', '~'), minLength: 12, maxLength: 40 });

/** A JWS or JWE compact serialization with a JSON header, as Entra and the sandbox issue them. */
const jwt = fc
  .record({
    alg: fc.constantFrom('RS256', 'ES256', 'none', 'RSA-OAEP'),
    kid: fc.string({ maxLength: 12 }),
    payload: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer())),
    signature: fc.string({ unit: fc.constantFrom(...B64URL), maxLength: 86 }),
    jwe: fc.boolean(),
  })
  .map(({ alg, kid, payload, signature, jwe }) => {
    const header = base64url(JSON.stringify({ alg, kid, typ: 'JWT' }));
    const body = base64url(JSON.stringify(payload));
    return jwe ? `${header}.${signature}.${body}.${body}.${signature}` : `${header}.${body}.${signature}`;
  });

/** A name that is not a credential; plain text that holds no JWT and no secret. */
const plainName = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((n) => !CREDENTIAL_PARAMS.has(n.toLowerCase()) && n !== '__proto__');
const plainValue = fc.string({ maxLength: 30 }).filter((v) => !v.includes('eyJ'));

describe('redaction of JSON bodies', () => {
  test('generated token responses: every credential member and JWT is redacted, the rest is untouched, the JSON still parses to the same shape', () => {
    fc.assert(
      fc.property(
        fc.dictionary(plainName, plainValue, { maxKeys: 6 }),
        fc.dictionary(fc.constantFrom(...CREDENTIALS), fc.oneof(secretValue, jwt), { maxKeys: 6 }),
        fc.dictionary(plainName, jwt, { maxKeys: 2 }),
        fc.integer({ min: 0, max: 2 }),
        (plain, secrets, jwtsUnderPlainNames, indent) => {
          const jwtMembers = Object.fromEntries(
            Object.entries(jwtsUnderPlainNames).map(([k, v]) => [`${k}~jwt`, v]),
          );
          const body = {
            ...plain,
            ...secrets,
            nested: { ...secrets, list: Object.values(jwtMembers) },
            ...jwtMembers,
          };
          const text = JSON.stringify(body, null, indent);
          const out = redactSpans(text, findJsonSecrets(text));
          const parsed = JSON.parse(out) as Record<string, unknown>;
          expect(Object.keys(parsed)).toEqual(Object.keys(body));
          for (const [name, value] of Object.entries(plain)) expect(parsed[name]).toBe(value);
          for (const name of Object.keys(secrets)) expect(parsed[name]).toBe(redactionMark(name));
          for (const [name, value] of Object.entries(jwtMembers)) {
            expect(parsed[name]).toMatch(/^\[redacted:/);
            expect(out).not.toContain(value);
          }
          for (const value of Object.values(secrets)) {
            const elsewhere = Object.values(plain).some((p) => p.includes(value));
            if (!elsewhere) expect(out).not.toContain(value);
          }
        },
      ),
    );
  });

  test('an Entra device code response: device_code redacted, user_code and the rest kept for the user to read', () => {
    const text = JSON.stringify({
      user_code: 'F7KQ-2MPX',
      device_code: 'DAQABAAEAAAAmoFfGtYxvRrNriQdPKIZ-secret',
      verification_uri: 'https://microsoft.com/devicelogin',
      expires_in: 900,
      interval: 5,
      message: 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin',
    });
    const out = JSON.parse(redactSpans(text, findBodySecrets(text, 'application/json'))) as Record<
      string,
      unknown
    >;
    expect(out['device_code']).toBe('[redacted:device_code]');
    expect(out['user_code']).toBe('F7KQ-2MPX');
    expect(out['expires_in']).toBe(900);
  });

  test('an array under a credential name has each string redacted; escapes in names are read', () => {
    const text = '{"pass\\u0077ord":["a1b2c3d4","x"],"n":[1,"keep"]}';
    expect(JSON.parse(redactSpans(text, findJsonSecrets(text)))).toEqual({
      password: ['[redacted:password]', '[redacted:password]'],
      n: [1, 'keep'],
    });
  });

  test('a body that is not JSON (an HTML error page) has only its JWTs redacted', () => {
    const token = `${base64url('{"alg":"RS256"}')}.${base64url('{"sub":"x"}')}.c2ln`;
    const text = `<p>bad token ${token} here</p>`;
    expect(redactSpans(text, findBodySecrets(text, 'text/html'))).toBe(
      '<p>bad token [redacted:JWT] here</p>',
    );
  });
});

describe('redaction of forms, URLs and headers', () => {
  test('generated form bodies: credentials redacted, other parameters unchanged, same names in the same order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.tuple(plainName, plainValue),
            fc.tuple(fc.constantFrom(...CREDENTIALS), fc.oneof(secretValue, jwt)),
            fc.tuple(plainName, jwt),
          ),
          { maxLength: 8 },
        ),
        (pairs) => {
          const text = new URLSearchParams(pairs.map(([n, v]) => [n, v])).toString();
          const out = redactSpans(text, findBodySecrets(text, 'application/x-www-form-urlencoded'));
          const parsed = [...new URLSearchParams(out)];
          expect(parsed.map(([n]) => n)).toEqual(pairs.map(([n]) => n));
          pairs.forEach(([name, value], index) => {
            const got = parsed[index]?.[1];
            if (CREDENTIAL_PARAMS.has(name.toLowerCase())) expect(got).toBe(redactionMark(name));
            else if (value.startsWith('eyJ')) expect(got).toMatch(/^\[redacted:/);
            else expect(got).toBe(value);
          });
          for (const [name, value] of pairs) {
            const secret = CREDENTIAL_PARAMS.has(name.toLowerCase()) || value.startsWith('eyJ');
            const elsewhere = pairs.some(
              ([n, v]) => !CREDENTIAL_PARAMS.has(n) && !v.startsWith('eyJ') && v.includes(value),
            );
            if (secret && !elsewhere) expect(out).not.toContain(encodeURIComponent(value));
          }
        },
      ),
    );
  });

  test('a request names more secret fields (secretFields): they are redacted too', () => {
    const text = 'grant_type=password&username=adele&pin=12345678';
    expect(redactSpans(text, findBodySecrets(text, '', ['pin']))).toBe(
      'grant_type=password&username=adele&pin=[redacted:pin]',
    );
  });

  test('an implicit redirect: tokens in the fragment and the code in the query are redacted, state kept', () => {
    const token = `${base64url('{"alg":"RS256","kid":"k"}')}.${base64url('{"aud":"a"}')}.c2lnbmF0dXJl`;
    const url = `http://localhost:5173/callback?code=0.AQIAabc123&state=s1#access_token=${token}&token_type=Bearer&id_token=${token}&session_state=x`;
    expect(redactSpans(url, findUrlSecrets(url))).toBe(
      'http://localhost:5173/callback?code=[redacted:code]&state=s1#access_token=[redacted:access_token]&token_type=Bearer&id_token=[redacted:id_token]&session_state=x',
    );
  });

  test('RFC 6750 §2.1: Authorization keeps its scheme, the credential after it is redacted; DPoP and cookies whole', () => {
    const spans = (name: string, value: string) => redactSpans(value, findHeaderSecrets(name, value));
    expect(spans('Authorization', 'Bearer abc.def.ghi')).toBe('Bearer [redacted:Authorization]');
    expect(spans('authorization', 'Basic Y2xpZW50OnNlY3JldA==')).toBe('Basic [redacted:authorization]');
    expect(spans('DPoP', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln')).toBe('[redacted:DPoP]');
    expect(spans('Set-Cookie', 'sid=abc; HttpOnly')).toBe('[redacted:Set-Cookie]');
    expect(spans('Content-Type', 'application/json')).toBe('application/json');
  });

  test('generated texts: any JWT anywhere in free text is redacted, the text around it kept', () => {
    fc.assert(
      fc.property(plainValue, jwt, plainValue, (before, token, after) => {
        const text = `${before} ${token} ${after}`;
        expect(redactText(text)).toBe(`${before} [redacted:JWT] ${after}`);
      }),
    );
  });

  test('segments joined give the text back, secrets marked', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...CREDENTIALS, 'state'), secretValue)), (pairs) => {
        const text = new URLSearchParams(pairs).toString();
        const segments = splitSecrets(text, findBodySecrets(text, 'application/x-www-form-urlencoded'));
        expect(segments.map((s) => s.text).join('')).toBe(text);
        expect(segments.filter((s) => s.secret !== undefined)).toHaveLength(
          pairs.filter(([n]) => n !== 'state').length,
        );
      }),
    );
  });
});

describe('redaction of whole exchanges and known values', () => {
  test('a token exchange: request body, Basic header and response tokens redacted; the rest as recorded', () => {
    const token = `${base64url('{"alg":"RS256"}')}.${base64url('{"scp":"User.Read"}')}.c2ln`;
    const exchange: HttpExchange = {
      request: {
        method: 'POST',
        url: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
        headers: [
          ['Content-Type', 'application/x-www-form-urlencoded'],
          ['Authorization', 'Basic Y2xpZW50OnNlY3JldA=='],
        ],
        body: 'grant_type=authorization_code&code=0.AQIAxyz&code_verifier=verifier-1234567890&scope=openid',
        secretFields: ['code', 'code_verifier', 'Authorization'],
      },
      response: {
        status: 200,
        statusText: 'OK',
        headers: [['Content-Type', 'application/json; charset=utf-8']],
        body: JSON.stringify({
          token_type: 'Bearer',
          access_token: token,
          refresh_token: '1.AQIArt',
          id_token: token,
        }),
      },
      via: 'browser',
      viaReason: '',
      startedAt: 1,
    };
    const out = redactExchange(exchange);
    expect(out.request.body).toBe(
      'grant_type=authorization_code&code=[redacted:code]&code_verifier=[redacted:code_verifier]&scope=openid',
    );
    expect(out.request.headers[1]).toEqual(['Authorization', 'Basic [redacted:Authorization]']);
    expect(JSON.parse(out.response?.body ?? '')).toEqual({
      token_type: 'Bearer',
      access_token: '[redacted:access_token]',
      refresh_token: '[redacted:refresh_token]',
      id_token: '[redacted:id_token]',
    });
  });

  test('known values are replaced as written, percent-encoded and JSON-escaped', () => {
    const value = 'p@ss w"rd/1';
    const text = `a ${value} b ${encodeURIComponent(value)} c ${JSON.stringify(value)}`;
    expect(redactKnownValues(text, [{ value, name: 'password' }])).toBe(
      'a [redacted:password] b [redacted:password] c "[redacted:password]"',
    );
  });
});
