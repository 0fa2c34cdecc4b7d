import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { SignJWT } from 'jose';
import { buildShapedKeySet } from '../src/protocol/test-support/shaped-key-set.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** Signs in through the authorization code + PKCE page and returns the access token it shows. */
async function accessTokenFromSandbox(page: import('@playwright/test').Page): Promise<string> {
  await page.goto('/flows/authorization-code');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
  await page.getByLabel('Username').fill('adele@flowlab-sandbox.onmicrosoft.com');
  await page.getByLabel('Password').fill('Sandbox-Adele-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('button', { name: 'Redeem the code' }).click();
  return page.getByRole('region', { name: 'Access token' }).getByRole('textbox').inputValue();
}

test.describe('token inspector', () => {
  test('a sandbox Graph token says why it cannot be verified; the ID token verifies and tampering is spotted', async ({
    page,
  }) => {
    const token = await accessTokenFromSandbox(page);
    const idToken = await page.getByRole('region', { name: 'ID token' }).getByRole('textbox').inputValue();
    await page.getByRole('link', { name: 'Token inspector' }).click();
    // Graph tokens are v1.0 with a header nonce, as Entra issues them: only Graph checks their signature.
    await page.getByLabel('Token', { exact: true }).fill(`Bearer ${token}`);
    await expect(page.getByRole('row', { name: /\bscp\b/ })).toContainText('User.Read');
    await expect(page.getByRole('row', { name: /\bver\b/ })).toContainText('1.0');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Not verifiable by design' });
    await expect(verdict).toContainText('only Graph can check its signature');
    await expect(page.getByText('Signature invalid')).toHaveCount(0);

    await page.getByLabel('Token', { exact: true }).fill(idToken);
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText('Signature valid')).toBeVisible();
    await expect(page.getByText(/discovery\/v2\.0\/keys/)).toBeVisible();

    const [h, p, s] = idToken.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    await page
      .getByLabel('Token', { exact: true })
      .fill(`${h}.${part({ ...claims, name: 'Somebody Else' })}.${s}`);
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText('Signature invalid')).toBeVisible();
  });

  test('a v1.0 token for the Flow Lab API explains its issuer, and verifies with the v1.0 metadata', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('scope').fill('openid api://9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40/access_as_user');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await page.getByLabel('Username').fill('adele@flowlab-sandbox.onmicrosoft.com');
    await page.getByLabel('Password').fill('Sandbox-Adele-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    const token = await page.getByRole('region', { name: 'Access token' }).getByRole('textbox').inputValue();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims['ver']).toBe('1.0');
    expect(String(claims['iss'])).toMatch(/\/sts\/[0-9a-f-]{36}\/$/);

    await page.getByRole('link', { name: 'Token inspector' }).click();
    await page.getByLabel('Token', { exact: true }).fill(token);
    const note = page.getByRole('note').filter({ hasText: 'This is a v1.0 access token' });
    await expect(note).toContainText(String(claims['iss']));
    await expect(note).toContainText('/v2.0');
    await expect(note).toContainText('accessTokenAcceptedVersion to 2');
    await expect(note).toContainText('accept the v1.0 issuer');
    await expect(page.getByRole('row', { name: /\biss\b/ })).toContainText('v1.0 issuer format');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText('Signature valid')).toBeVisible();
    await expect(page.getByText(/\/\.well-known\/openid-configuration/).first()).toBeVisible();
    await expectNoAxeViolations(page, 'token inspector: a v1.0 API token');
  });

  test('reads a token from #id_token= and clears it from the address bar', async ({ page }) => {
    const consoleLines = recordConsole(page);
    const token = `${part({ alg: 'none' })}.${part({ iss: 'https://issuer.example', nonce: 'n', aud: 'client' })}.`;
    await page.goto(`/tokens#id_token=${token}`);
    await expect(page.getByLabel('Token', { exact: true })).toHaveValue(token);
    expect(new URL(page.url()).hash).toBe('');
    // Neither the address bar nor the tab's history keeps the token.
    await expectNoSecretsLeft(page, [token], consoleLines);
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    // The issuer does not exist; the page says so instead of failing.
    await expect(page.getByText(/Not signed|Keys unavailable/)).toBeVisible();
  });

  test('malformed, encrypted and opaque input each get a precise message, never a crash', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/tokens');
    const input = page.getByLabel('Token', { exact: true });
    await input.fill('eyJhbGciOiJSUzI1NiJ9.not-json!.sig');
    await expect(page.getByRole('alert')).toContainText('Not a well-formed JWT');
    await input.fill(`${part({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`);
    await expect(page.getByText('This is an encrypted token (JWE, five parts)')).toBeVisible();
    await input.fill('0.AQIAQlcOnozlzaRJYyo5YQkAlJ6L0qukwqUJBuu8vu36tbWSgk8');
    await expect(page.getByText('An opaque token, not a JWT')).toBeVisible();
    await input.fill('<script>alert(1)</script>');
    await input.fill('');
    expect(errors).toEqual([]);
  });

  test('an iss of accounts.google.com (Google’s bare form) is discovered at https://accounts.google.com, never on this app', async ({
    page,
    baseURL,
  }) => {
    const google = JSON.parse(readFileSync('test-fixtures/providers/google.json', 'utf8')) as {
      metadata: { jwks_uri: string };
      jwks: { keys: never[] };
    };
    const shaped = await buildShapedKeySet(google.jwks);
    const token = await new SignJWT({ iss: 'accounts.google.com', aud: 'client', sub: '1', nonce: 'n' })
      .setProtectedHeader({
        alg: shaped.alg,
        ...(shaped.kid === undefined ? {} : { kid: shaped.kid }),
        typ: 'JWT',
      })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(shaped.privateKey);
    const cors = { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' };
    // The real discovery document of Google, and a key set of its exact shape holding our key.
    await page.route('https://accounts.google.com/.well-known/openid-configuration', (route) =>
      route.fulfill({ headers: cors, body: JSON.stringify(google.metadata) }),
    );
    await page.route(google.metadata.jwks_uri, (route) =>
      route.fulfill({ headers: cors, body: JSON.stringify(shaped.jwks) }),
    );
    const ownOrigin: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(baseURL ?? '') && request.url().includes('.well-known'))
        ownOrigin.push(request.url());
    });
    await page.goto('/tokens');
    await page.getByLabel('Token', { exact: true }).fill(token);
    await expect(page.getByText(/read as https:\/\/accounts\.google\.com/)).toBeVisible();
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Signature valid' });
    await expect(verdict).toContainText(`by key “${shaped.kid}”`);
    await expect(verdict).toContainText(google.metadata.jwks_uri);
    await expect(verdict).toContainText('Google documents both forms');
    await expect(verdict).not.toContainText('mismatch');
    expect(ownOrigin).toEqual([]);
  });

  test('an Entra v1 token (iss https://sts.windows.net/{tid}/) is checked with the tenant’s metadata on login.microsoftonline.com', async ({
    page,
  }) => {
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const entra = JSON.parse(readFileSync('test-fixtures/providers/entra-common.json', 'utf8')) as {
      jwks: { keys: never[] };
    };
    // Entra's key sets publish x5c beside n/e, no alg: the shaped set keeps that, with our key last.
    const shaped = await buildShapedKeySet(entra.jwks, { position: entra.jwks.keys.length - 1 });
    const iss = `https://sts.windows.net/${tid}/`;
    const token = await new SignJWT({ iss, tid, aud: 'api://x', appid: 'c', ver: '1.0' })
      .setProtectedHeader({ alg: shaped.alg, kid: shaped.kid ?? '', typ: 'JWT' })
      .sign(shaped.privateKey);
    const cors = { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' };
    const jwksUri = `https://login.microsoftonline.com/${tid}/discovery/keys`;
    await page.route(`https://login.microsoftonline.com/${tid}/.well-known/openid-configuration`, (route) =>
      route.fulfill({ headers: cors, body: JSON.stringify({ issuer: iss, jwks_uri: jwksUri }) }),
    );
    await page.route(jwksUri, (route) => route.fulfill({ headers: cors, body: JSON.stringify(shaped.jwks) }));
    await page.goto('/tokens');
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Signature valid' });
    await expect(verdict).toContainText(
      `number ${entra.jwks.keys.length} in the set, taken from its x5c certificate`,
    );
    await expect(verdict).toContainText(jwksUri);
    await expect(verdict).not.toContainText('mismatch');
  });

  test('an http issuer off this machine is refused and never fetched', async ({ page }) => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto('/tokens');
    await page
      .getByLabel('Token', { exact: true })
      .fill(`${part({ alg: 'RS256', kid: 'k' })}.${part({ iss: 'http://issuer.example/realms/x' })}.c2ln`);
    await expect(page.getByRole('note')).toContainText('uses http, not https');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText('Keys unavailable')).toBeVisible();
    expect(requested.filter((url) => url.includes('issuer.example') || url.includes('.well-known'))).toEqual(
      [],
    );
  });

  test('an iss that is no URL asks for keys; a pasted key set verifies offline', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const shaped = await buildShapedKeySet({
      keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', use: 'sig' }] as never[],
    });
    const sign = (iss: unknown) =>
      new SignJWT({ iss, sub: 's' } as Record<string, unknown>)
        .setProtectedHeader({ alg: shaped.alg })
        .sign(shaped.privateKey);
    await page.goto('/tokens');
    const input = page.getByLabel('Token', { exact: true });
    await input.fill(await sign('urn:example:issuer'));
    await expect(page.getByRole('note')).toContainText('cannot lead to the issuer');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText('Keys unavailable')).toBeVisible();
    await expectNoAxeViolations(page, 'token inspector: iss is no URL, keys asked for');

    await page.getByLabel('Key set (JSON)').fill(JSON.stringify(shaped.jwks));
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Signature valid' });
    await expect(verdict).toContainText('Signed with ES256 by key #1');
    await expect(verdict).toContainText('in the pasted key set');
    await expectNoAxeViolations(page, 'token inspector: verified with a pasted key set');

    for (const iss of [42, null, '', 'http://issuer.example', '🔑']) {
      await input.fill(await sign(iss));
      await expect(page.getByRole('note')).toContainText(
        typeof iss === 'string' && iss.startsWith('http') ? 'http, not https' : 'cannot lead to',
      );
    }
    // A key the browser's WebCrypto rejects is named unusable, with a reason, never "Signature invalid".
    await page
      .getByLabel('Key set (JSON)')
      .fill('{"keys":[{"kty":"EC","crv":"P-256","x":"AQAB","y":"AQAB"}]}');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    const unusable = page.getByRole('status').filter({ hasText: 'Key unusable' });
    await expect(unusable).toContainText(/key #1: \S/);
    await expect(unusable).not.toContainText(': .');
    await page.getByLabel('Key set (JSON)').fill('{"keys": 1');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText(/not JSON/)).toBeVisible();
    expect(errors).toEqual([]);
  });

  test('in Chromium, every key shape verifies: Ed25519 without alg, x5c only, EC with alg, enc keys beside', async ({
    page,
  }) => {
    const models: Record<string, unknown>[][] = [
      [{ kty: 'OKP', crv: 'Ed25519', x: 'x' }],
      [
        { kty: 'RSA', use: 'enc', n: 'x', e: 'AQAB' },
        { kty: 'RSA', kid: 'cert', x5c: ['MIIB'] },
      ],
      [{ kty: 'EC', crv: 'P-384', x: 'x', y: 'y', alg: 'ES384', kid: 'e', use: 'sig', key_ops: ['verify'] }],
      [{ kty: 'EC', crv: 'P-521', x: 'x', y: 'y', kid: 'p' }],
      [{ kty: 'RSA', alg: 'PS256', n: 'x', e: 'AQAB', x5c: ['MIIB'] }],
    ];
    await page.goto('/tokens');
    for (const model of models) {
      const position = model.length - 1;
      const shaped = await buildShapedKeySet({ keys: model as never[] }, { position });
      const token = await new SignJWT({ iss: 'urn:example:issuer', sub: 's' })
        .setProtectedHeader({ alg: shaped.alg, ...(shaped.kid === undefined ? {} : { kid: shaped.kid }) })
        .sign(shaped.privateKey);
      await page.getByLabel('Token', { exact: true }).fill(token);
      await page.getByLabel('Key set (JSON)').fill(JSON.stringify(shaped.jwks));
      await page.getByRole('button', { name: 'Verify the signature' }).click();
      const verdict = page.getByRole('status').filter({ hasText: 'Signature valid' });
      await expect(verdict, JSON.stringify(model)).toContainText(`Signed with ${shaped.alg} by key`);
      await expect(verdict).toContainText(`number ${position + 1} in the set`);
      if ('x5c' in (model[position] ?? {}))
        await expect(verdict).toContainText('taken from its x5c certificate');
    }
  });

  test('a key set URL typed by hand is used instead of the token’s iss', async ({ page }) => {
    const shaped = await buildShapedKeySet({
      keys: [{ kty: 'RSA', kid: 'a', n: 'x', e: 'AQAB', alg: 'RS256' }] as never[],
    });
    await page.route('https://keys.example.test/jwks', (route) =>
      route.fulfill({
        headers: { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/json' },
        body: JSON.stringify(shaped.jwks),
      }),
    );
    const token = await new SignJWT({ iss: 'not a url', sub: 's' })
      .setProtectedHeader({ alg: 'RS256', kid: shaped.kid ?? '' })
      .sign(shaped.privateKey);
    await page.goto('/tokens');
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByLabel('Issuer or key set URL').fill('https://keys.example.test/jwks');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Signature valid' })).toContainText(
      'https://keys.example.test/jwks',
    );
  });
});

test.describe('token inspector: what kind of token, and whose conventions', () => {
  const jwt = (header: object, payload: object) => `${part(header)}.${part(payload)}.c2ln`;
  const decodedToken = (page: import('@playwright/test').Page) =>
    page.getByRole('region', { name: 'The token', exact: true });
  const claimRow = (page: import('@playwright/test').Page, claim: string) =>
    decodedToken(page).locator('tr', {
      has: page.locator('th code', { hasText: new RegExp(`^${claim}$`) }),
    });

  test('an RFC 9068 token (typ at+jwt) is explained as an access token, and says why', async ({ page }) => {
    await page.goto('/tokens');
    await page.getByLabel('Token', { exact: true }).fill(
      jwt(
        { alg: 'RS256', typ: 'at+jwt', kid: 'k' },
        // auth_time alone would suggest an ID token; the header decides first.
        {
          iss: 'https://as.example/',
          sub: 'u1',
          aud: 'https://rs.example/',
          client_id: 's6BhdRkqt3',
          scope: 'read',
          auth_time: 1,
        },
      ),
    );
    const view = decodedToken(page);
    await expect(view).toContainText(
      'Treated as an access token because header typ is at+jwt (RFC 9068 §2.1).',
    );
    await expect(view.getByRole('radio', { name: 'Access token (detected)' })).toBeChecked();
    await expect(claimRow(page, 'aud')).toContainText('the API (resource) this token is for');
  });

  test('switching the kind by keyboard re-explains the claims', async ({ page }) => {
    await page.goto('/tokens');
    await page
      .getByLabel('Token', { exact: true })
      .fill(jwt({ alg: 'RS256' }, { iss: 'https://as.example/', sub: 'u1', aud: 'client-1' }));
    const view = decodedToken(page);
    // Nothing decides: the view says so, makes the choice prominent, and explains the claims as any
    // JWT's (RFC 7519), never as an access token's.
    await expect(view).toContainText(
      'No signal: no header or claim says what kind of token this is, so its claims get the general meanings of RFC 7519.',
    );
    await expect(claimRow(page, 'aud')).toContainText('RFC 7519 §4.1.3');
    await expect(claimRow(page, 'aud')).not.toContainText('the API (resource)');
    const group = view.getByRole('group', { name: 'Explain as' });
    await group.getByRole('radio', { name: 'JWT of unknown kind (assumed)' }).focus();
    // The last choice wraps round to the first (access token), then on to the ID token.
    await page.keyboard.press('ArrowRight');
    await expect(group.getByRole('radio', { name: 'Access token' })).toBeChecked();
    await expect(claimRow(page, 'aud')).toContainText('the API (resource)');
    await page.keyboard.press('ArrowRight');
    await expect(group.getByRole('radio', { name: 'ID token' })).toBeChecked();
    await expect(view).toContainText('Explained as an ID token, as you chose.');
    await expect(claimRow(page, 'aud')).toContainText('it must contain your client id');
    await expect(view).toContainText(
      'the client must check its signature, issuer, audience (its own client id)',
    );
    await expectNoAxeViolations(page, 'token inspector: kind chosen by keyboard');

    // Another token starts again from its own signals.
    await page
      .getByLabel('Token', { exact: true })
      .fill(jwt({ alg: 'RS256' }, { iss: 'https://as.example/', sub: 'u2', aud: 'c', nonce: 'n' }));
    await expect(view).toContainText('Treated as an ID token because nonce is present');
    await expect(group.getByRole('radio', { name: 'ID token (detected)' })).toBeChecked();
  });

  test('an Entra ID token with roles is an ID token; a Google token gets no Entra notes', async ({
    page,
  }) => {
    await page.goto('/tokens');
    const input = page.getByLabel('Token', { exact: true });
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    await input.fill(
      jwt(
        { alg: 'RS256', typ: 'JWT' },
        {
          iss: `https://login.microsoftonline.com/${tid}/v2.0`,
          aud: '1ee8fa8f-3c57-4f4c-9b0a-3e5c1f2a2b1d',
          tid,
          oid: '00000000-0000-0000-66f3-3332eca7ea81',
          sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
          roles: ['Approver'],
          ver: '2.0',
        },
      ),
    );
    const view = decodedToken(page);
    await expect(view).toContainText('Treated as an ID token because it has no azp or appid');
    await expect(view).toContainText('Explanations follow the conventions of Microsoft Entra ID');
    await expect(claimRow(page, 'roles')).toContainText('App roles assigned to the user');
    await expect(claimRow(page, 'sub')).toContainText('Pairwise');

    await input.fill(
      jwt(
        { alg: 'RS256' },
        {
          iss: 'https://accounts.google.com',
          azp: '1234.apps.googleusercontent.com',
          aud: '1234.apps.googleusercontent.com',
          sub: '10769150350006150715113082367',
          hd: 'example.com',
          email_verified: 'true',
        },
      ),
    );
    await expect(view).toContainText('Explanations follow the conventions of Google');
    await expect(claimRow(page, 'sub')).not.toContainText('Pairwise');
    await expect(claimRow(page, 'hd')).toContainText('Hosted domain');
    await expect(claimRow(page, 'email_verified')).toContainText('not a boolean');
  });

  test('on a flow page the kind comes from what the flow received, and the switch works there too', async ({
    page,
  }) => {
    await accessTokenFromSandbox(page);
    const idToken = page.getByRole('region', { name: 'ID token' });
    await expect(idToken).toContainText('Treated as an ID token because this page got it as the ID token.');
    // The sandbox is Entra-shaped: its notes apply, and the reason is named.
    await expect(idToken).toContainText('Explanations follow the conventions of Microsoft Entra ID');
    const idAud = idToken.locator('tr', { has: page.locator('th code', { hasText: /^aud$/ }) });
    await expect(idAud).toContainText('it must contain your client id');
    await idToken.getByRole('radio', { name: 'ID token (as received)' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(idToken.getByRole('radio', { name: 'Access token' })).toBeChecked();
    await expect(idAud).toContainText('the API (resource) this token is for');
    const accessToken = page.getByRole('region', { name: 'Access token' });
    await expect(accessToken).toContainText(
      'Treated as an access token because this page got it as the access token.',
    );
  });
});
