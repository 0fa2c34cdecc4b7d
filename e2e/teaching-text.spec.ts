import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { SANDBOX_APPS } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { VIEWPORTS, expectNoHorizontalScroll, sizeOf } from './support/layout.ts';

// Issue 11, problem 6 and the claims table of problem 7: texts that contradict themselves or the token
// they explain, and a claims table wider than a phone.

const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const WEB_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const CONSOLE_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Console')!;

/** A token with what makes claims tables wide: long URLs, a GUID list, 20 scopes, a URL-named claim. */
function longToken(): string {
  const guids = Array.from({ length: 30 }, () => randomUUID());
  const scopes = Array.from({ length: 20 }, (_, i) => `Directory.ReadWrite.Everything${i}.All`).join(' ');
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'k'.repeat(80), x5c: ['MII'.padEnd(600, 'A')] })}.${part({
    iss: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    aud: `https://api.contoso-extremely-long-subdomain-name.example.com/${'path/'.repeat(30)}`,
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ'.repeat(3),
    tid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    scp: scopes,
    groups: guids,
    'https://schemas.contoso.example.com/identity/claims/averyveryverylongclaimnamewithoutanybreaks': 'x',
    verified_secondary_email: ['someone.with.a.long.address@subsidiary.contoso-holdings.example.com'],
    ver: '2.0',
  })}.c2lnbmF0dXJl`;
}

for (const viewport of VIEWPORTS) {
  test.describe(`teaching texts at ${viewport.name}`, () => {
    test.use({ viewport: sizeOf(viewport) });

    test('the claims table of a long token fits the window; axe is clean on /tokens', async ({ page }) => {
      await page.goto('/tokens');
      await page.getByLabel('Token', { exact: true }).fill(longToken());
      const view = page.getByRole('region', { name: 'The token' });
      await expect(view.getByRole('row', { name: /\bscp\b/ })).toContainText(
        'Directory.ReadWrite.Everything19',
      );
      await expectNoHorizontalScroll(page, '/tokens with a long token');
      await expectNoAxeViolations(page, `token inspector, long token, ${viewport.name}`);
    });

    test('client credentials: the token step fits the window', async ({ page }) => {
      await page.goto('/flows/client-credentials');
      await page.getByRole('button', { name: 'Request the token' }).click();
      const accessToken = page.getByRole('region', { name: 'Access token' });
      await expect(accessToken.getByRole('row', { name: /\broles\b/ })).toContainText('User.Read.All');
      await expectNoHorizontalScroll(page, 'client credentials, token step');
    });

    test('paste mode: a redirect URL with no code and no state is not called a state mismatch', async ({
      page,
    }) => {
      await page.goto('/flows/authorization-code');
      await page.getByLabel('client_id').fill(CONSOLE_APP.clientId);
      await page.getByLabel('redirect_uri').fill('http://localhost');
      const pasted = page.getByLabel('Redirected URL (or just the code)');
      const use = page.getByRole('button', { name: 'Use this response' });

      await pasted.fill('http://localhost/');
      await use.click();
      const alert = page.getByRole('alert').filter({ hasText: 'What happened' });
      await expect(alert.getByRole('heading')).toHaveText('The address holds no answer');
      await expect(alert).toContainText('no code, no error, no state');
      await expect(alert).not.toContainText(/mismatch|CSRF/i);
      await expect(alert.getByRole('button', { name: 'Start again' })).toHaveCount(0);
      await alert.getByRole('button', { name: 'Paste again' }).click();
      await expect(pasted).toBeFocused();

      // The code without its state: said so, still no mismatch.
      await pasted.fill('http://localhost:1337/?code=0.AQIAQlcOnoz');
      await use.click();
      await expect(alert.getByRole('heading')).toHaveText('The pasted address has no state');
      await expect(alert).not.toContainText(/mismatch|CSRF/i);

      // Only another state is the CSRF case, and only it asks for a fresh sign-in.
      await pasted.fill('http://localhost:1337/?code=0.AQIAQlcOnoz&state=not-this-one');
      await use.click();
      await expect(alert.getByRole('heading')).toHaveText(
        'State mismatch — the answer is not for this sign-in',
      );
      await expect(alert).toContainText('CSRF');
      await expect(alert.getByRole('button', { name: 'Start again' })).toBeVisible();
    });
  });
}

test.describe('teaching texts', () => {
  test('hello.world is not a JWT and not an opaque token; an opaque token is said to be one', async ({
    page,
  }) => {
    await page.goto('/tokens');
    const input = page.getByLabel('Token', { exact: true });
    await input.fill('hello.world');
    const status = page.getByRole('status').filter({ hasText: 'Not a JWT' });
    await expect(status).toContainText('2 dot-separated parts');
    await expect(status).toContainText('too short to be a token');
    await expect(page.getByText(/opaque token, not a JWT/)).toHaveCount(0);

    await input.fill(`${part([1, 2])}.${part({ sub: 'x' })}.c2ln`);
    await expect(page.getByRole('status').filter({ hasText: 'Not a JWT' })).toContainText(
      'to an array, not an object',
    );

    await input.fill('0.AQIAQlcOnozlzaRJYyo5YQkAlJ6L0qukwqUJBuu8vu36tbWSgk8');
    const opaque = page.getByRole('status').filter({ hasText: 'An opaque token, not a JWT' });
    await expect(opaque).toContainText('long and random');
    await expect(opaque).toContainText('RFC 7662');
  });

  test('the token view’s words follow the signature check: not yet, valid with its key, invalid', async ({
    page,
  }) => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'teaching-key', alg: 'RS256', use: 'sig' };
    const token = await new SignJWT({ aud: 'client-1', sub: 'u1', nonce: 'n' })
      .setProtectedHeader({ alg: 'RS256', kid: 'teaching-key' })
      .setIssuer('https://issuer.example')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);

    await page.goto('/tokens');
    await page.getByLabel('Token', { exact: true }).fill(token);
    const view = page.getByRole('region', { name: 'The token' });
    await expect(view).toContainText('Not verified yet');
    await page.getByLabel('Key set (JSON)').fill(JSON.stringify({ keys: [jwk] }));
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByRole('heading', { name: 'Signature valid' })).toBeVisible();
    await expect(view).toContainText(
      'Signature verified above: valid, signed with RS256 by key “teaching-key”',
    );
    await expect(view).toContainText('in the pasted key set');
    // Never a "not verified" note beside a valid verdict.
    await expect(view).not.toContainText(/not verified|does not verify|proves nothing/i);

    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    await page
      .getByLabel('Token', { exact: true })
      .fill(`${h}.${part({ ...claims, sub: 'someone-else' })}.${s}`);
    await expect(view).toContainText('Not verified yet');
    // Another token starts a fresh check, keys included.
    await page.getByLabel('Key set (JSON)').fill(JSON.stringify({ keys: [jwk] }));
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByRole('heading', { name: 'Signature invalid' })).toBeVisible();
    await expect(view).toContainText('Signature checked above: invalid');
    await expect(view).not.toContainText(/valid, signed with/);
  });

  test('an unsigned token (alg none) is said to be unsigned, never "not verified yet"', async ({ page }) => {
    await page.goto('/tokens');
    await page
      .getByLabel('Token', { exact: true })
      .fill(`${part({ alg: 'none' })}.${part({ iss: 'https://issuer.example', sub: 'u' })}.`);
    const view = page.getByRole('region', { name: 'The token' });
    await expect(view).toContainText('Unsigned token: there is no signature to check');
    await expect(view).not.toContainText(/not verified yet|verified above/i);
  });

  test('the inspector names a DPoP proof, a request object and a logout token, each explained as itself', async ({
    page,
  }) => {
    await page.goto('/tokens');
    const input = page.getByLabel('Token', { exact: true });
    const view = page.getByRole('region', { name: 'The token' });
    const row = (name: string) => view.getByRole('row', { name: new RegExp(`^${name}\\b`) });

    await input.fill(
      `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } })}.${part({ jti: 'j1', htm: 'POST', htu: 'https://as.example/token', iat: 1_700_000_000 })}.c2ln`,
    );
    await expect(view).toContainText(
      'Treated as a DPoP proof because header typ is dpop+jwt (RFC 9449 §4.2)',
    );
    await expect(row('htm')).toContainText('The HTTP method of the request this proof goes with');
    await expect(row('jwk')).toContainText('bound to its thumbprint');

    await input.fill(
      `${part({ typ: 'oauth-authz-req+jwt', alg: 'RS256' })}.${part({ iss: 'client-1', aud: 'https://as.example', response_type: 'code', client_id: 'client-1', state: 's' })}.c2ln`,
    );
    await expect(view).toContainText('Treated as a request object (JAR)');
    await expect(row('aud')).toContainText('by its issuer identifier (RFC 9101 §4)');
    await expect(row('iss')).toContainText('the client that signed this authorization request');

    await input.fill(
      `${part({ typ: 'logout+jwt', alg: 'RS256' })}.${part({ iss: 'https://op.example', aud: 'client-1', sid: 's1', iat: 1_700_000_000, jti: 'j', events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, nonce: 'n' })}.c2ln`,
    );
    await expect(view).toContainText('Treated as a logout token');
    await expect(row('nonce')).toContainText('Must not be here');
    await expect(row('events')).toContainText('makes it a logout token');
  });

  test('client credentials, certificate: the assertion is explained as a client assertion (RFC 7523 §3)', async ({
    page,
  }) => {
    await page.goto('/flows/client-credentials');
    const radio = page.getByRole('radio', { name: /Certificate/ });
    await radio.check();
    await page.getByRole('button', { name: 'Generate a key pair and certificate' }).click();
    await expect(page.getByTestId('thumbprint-sha256')).toHaveText(/^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Sign the client assertion' }).click();
    const assertion = page.getByRole('region', { name: 'Client assertion', exact: true });
    const row = (name: string) =>
      assertion.getByRole('row', { name: new RegExp(`^${name.replace('#', '\\#')}\\b`) });
    await expect(assertion).toContainText('Treated as a client assertion');
    await expect(row('aud')).toContainText('/oauth2/v2.0/token');
    await expect(row('aud')).toContainText('usually by its token endpoint URL');
    await expect(row('iss')).toContainText(WEB_APP.clientId);
    await expect(row('iss')).toContainText('here the client itself');
    await expect(row('sub')).toContainText('In a client assertion iss and sub are both the client');
    await expect(row('jti')).toContainText('usable once');
    await expect(row('exp')).toContainText('Keep it short');
    await expect(row('x5t#S256')).toContainText('the certificate the client registered');
    // None of the access token's lessons.
    for (const text of ['the authorization server that issued', 'the API (resource)', 'Pairwise'])
      await expect(assertion).not.toContainText(text);
  });
});
