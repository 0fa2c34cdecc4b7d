import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NOT_KEPT, redactStoredText, storableValue } from './run-storage.ts';

const token = fc
  .tuple(fc.base64String({ minLength: 8, maxLength: 40 }), fc.base64String({ minLength: 8, maxLength: 60 }))
  .map(([a, b]) => `eyJ${a.replace(/[+/=]/g, 'x')}.${b.replace(/[+/=]/g, 'y')}.sig${a.length}`);
const secret = fc.string({ minLength: 6, maxLength: 30 }).map((s) => `S3cr3t${s.replace(/[&#\s"\\]/g, 'q')}`);

describe('what a run may write to sessionStorage', () => {
  test('client secrets and passwords never survive, as fields, form pairs or JSON members', () => {
    fc.assert(
      fc.property(secret, secret, (clientSecret, password) => {
        const ctx = {
          clientSecret,
          params: { client_id: 'app', password },
          exchange: {
            request: {
              body: `grant_type=password&client_secret=${encodeURIComponent(clientSecret)}&password=${encodeURIComponent(password)}`,
              headers: [['Authorization', `Basic ${btoa(`app:${clientSecret}`)}`]],
            },
            response: { body: JSON.stringify({ client_secret: clientSecret }) },
          },
        };
        for (const keep of [true, false]) {
          const stored = JSON.stringify(storableValue(ctx, keep).value);
          expect(stored).not.toContain(clientSecret);
          expect(stored).not.toContain(encodeURIComponent(password));
          expect(stored).not.toContain(btoa(`app:${clientSecret}`));
          expect(storableValue(ctx, keep).dropped).toContain('secrets');
        }
      }),
    );
  });

  test('RFC 7592 §3: a registration access token never survives, as a field or a JSON member', () => {
    fc.assert(
      fc.property(secret, (registrationAccessToken) => {
        const ctx = {
          registrationAccessToken,
          client: { client_id: 'c1', registration_access_token: registrationAccessToken },
          exchange: {
            response: { body: JSON.stringify({ registration_access_token: registrationAccessToken }) },
          },
        };
        for (const keep of [true, false]) {
          const stored = storableValue(ctx, keep);
          expect(JSON.stringify(stored.value)).not.toContain(registrationAccessToken);
          expect(stored.dropped).toContain('secrets');
        }
      }),
    );
  });

  test('tokens are left out unless kept, and kept verbatim when the user keeps them', () => {
    fc.assert(
      fc.property(token, token, (access, refresh) => {
        const ctx = {
          tokens: { access_token: access, refresh_token: refresh, token_type: 'Bearer' },
          accessToken: access,
          exchange: { response: { body: JSON.stringify({ access_token: access, refresh_token: refresh }) } },
          note: `Bearer ${access}`,
        };
        const dropped = storableValue(ctx, false);
        const text = JSON.stringify(dropped.value);
        expect(text).not.toContain(access);
        expect(text).not.toContain(refresh);
        expect(dropped.dropped).toEqual(['tokens']);
        // The run keeps its shape: a text field stays, empty.
        expect((dropped.value as { accessToken: string }).accessToken).toBe('');
        const kept = storableValue(ctx, true);
        expect(kept.value).toEqual(ctx);
        expect(kept.dropped).toEqual([]);
      }),
    );
  });

  test('the token endpoint (endpoints.token) is a URL and survives; a token under the same name does not', () => {
    const endpoints = {
      authorization: 'http://localhost:5174/standard/auth',
      token: 'http://localhost:5174/standard/token',
    };
    expect(storableValue({ endpoints }, false).value).toEqual({ endpoints });
    const stored = storableValue({ token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' }, false);
    expect(stored.value).toEqual({ token: '' });
    expect(stored.dropped).toEqual(['tokens']);
    // A credential written into the URL is still redacted as in any text.
    const withSecret = storableValue({ token: 'https://as.example/token?client_secret=s3cret' }, false);
    expect(JSON.stringify(withSecret.value)).not.toContain('s3cret');
  });

  test('what the flow must keep across the redirect stays: state, nonce, code_verifier, the code', () => {
    const ctx = {
      codeVerifier: 'v'.repeat(43),
      params: { state: 'st', nonce: 'n', code_challenge: 'c'.repeat(43) },
      authorizationResponse: { code: '0.AXkA-code', state: 'st' },
      deviceCode: { device_code: 'GAAA-device' },
    };
    expect(storableValue(ctx, false)).toEqual({ value: ctx, dropped: [] });
  });

  test('values that are not plain JSON (a CryptoKey pair) are left out and named', async () => {
    const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const result = storableValue(
      { credential: { pem: 'CERT', signer: keyPair.privateKey }, kind: 'certificate' },
      true,
    );
    expect(result.value).toEqual({ credential: { pem: 'CERT' }, kind: 'certificate' });
    expect(result.dropped).toEqual(['keys']);
  });

  test('free text: a form body and a JSON body lose their token values but keep their shape', () => {
    const form = redactStoredText('grant_type=refresh_token&refresh_token=0.AAA-x&client_id=a', false);
    expect(form.text).toBe(`grant_type=refresh_token&refresh_token=${NOT_KEPT}&client_id=a`);
    const json = redactStoredText(
      '{"token_type":"Bearer","id_token":"eyJa.eyJb.c","expires_in":3600}',
      false,
    );
    expect(JSON.parse(json.text)).toEqual({ token_type: 'Bearer', id_token: NOT_KEPT, expires_in: 3600 });
    expect(redactStoredText('{"id_token":"eyJa.eyJb.c"}', true).text).toBe('{"id_token":"eyJa.eyJb.c"}');
  });
});

test('recorded headers: a bearer token follows the token rule, Basic credentials are never kept', () => {
  const headers = [
    ['Authorization', 'Bearer eyJa.eyJb.c'],
    ['Content-Type', 'application/json'],
  ];
  expect(storableValue({ headers }, true)).toEqual({ value: { headers }, dropped: [] });
  expect(storableValue({ headers }, false)).toEqual({
    value: { headers: [['Authorization', NOT_KEPT], headers[1]] },
    dropped: ['tokens'],
  });
  expect(storableValue({ headers: [['Authorization', 'Basic YTpi']] }, true)).toEqual({
    value: { headers: [['Authorization', NOT_KEPT]] },
    dropped: ['secrets'],
  });
});
