import { expect, test } from '@playwright/test';
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
  test('verifies a sandbox access token against the issuer keys, and spots tampering', async ({ page }) => {
    const token = await accessTokenFromSandbox(page);
    await page.getByRole('link', { name: 'Token inspector' }).click();
    await page.getByLabel('Token', { exact: true }).fill(`Bearer ${token}`);
    await expect(page.getByRole('row', { name: /\bscp\b/ })).toContainText('User.Read');
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText('Signature valid')).toBeVisible();
    await expect(page.getByText(/discovery\/v2\.0\/keys/)).toBeVisible();

    const [h, , s] = token.split('.');
    await page
      .getByLabel('Token', { exact: true })
      .fill(
        `${h}.${part({ aud: '00000003-0000-0000-c000-000000000000', iss: JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).iss, scp: 'Directory.ReadWrite.All' })}.${s}`,
      );
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    await expect(page.getByText('Signature invalid')).toBeVisible();
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
    await expect(page.getByText('This is an opaque token, not a JWT')).toBeVisible();
    await input.fill('<script>alert(1)</script>');
    await input.fill('');
    expect(errors).toEqual([]);
  });
});
