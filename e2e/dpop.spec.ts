import { expect, test, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { SANDBOX_TENANT } from '../server/sandbox/seed.ts';
import { SEEDED_CLIENTS } from '../server/sandbox/standard/clients.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;
const ISSUER = `${SANDBOX}/standard`;
const POST_SECRET = SEEDED_CLIENTS.find((c) => c.client_id === 'standard-post')?.client_secret ?? '';

/** Presses Enter on a button found by its name, as a keyboard user would after tabbing to it. */
async function press(page: Page, name: string | RegExp) {
  const button = page.getByRole('button', { name });
  await button.focus();
  await button.press('Enter');
}

async function getBoundToken(page: Page): Promise<string> {
  await press(page, 'Read the server’s metadata');
  await expect(page.getByText('This server supports DPoP')).toBeVisible();
  await expect(page.getByLabel('Client secret (kept in memory only)')).toHaveValue(POST_SECRET);

  await press(page, 'Make the key pair');
  const thumbprint = page.getByTestId('dpop-thumbprint');
  await expect(thumbprint).toHaveText(/^[A-Za-z0-9_-]{43}$/);
  await expect(page.getByLabel('Public key (JWK) — travels in every proof')).toHaveValue(/"kty": "EC"/);

  await press(page, 'Sign the proof');
  const proof = page.getByRole('table', { name: 'The proof for the token request, decoded' });
  await expect(proof.getByRole('row', { name: /^typ/ })).toContainText('dpop+jwt');
  await expect(proof.getByRole('row', { name: /^htm/ })).toContainText('POST');
  await expect(proof.getByRole('row', { name: /^nonce/ })).toHaveCount(0);

  await press(page, 'Request the token');
  await expect(page.getByText('The server refused this first request with use_dpop_nonce')).toBeVisible();
  await expect(page.getByTestId('dpop-token-nonce')).not.toBeEmpty();

  await press(page, 'Retry with the nonce');
  const retried = page.getByRole('table', { name: 'The new proof, with the server’s nonce' });
  await expect(retried.getByRole('row', { name: /^nonce/ })).toBeVisible();
  const jkt = (await thumbprint.textContent()) ?? '';
  await expect(page.getByTestId('dpop-cnf-jkt')).toHaveText(jkt);
  await expect(page.getByRole('list', { name: 'How the token is bound' })).toContainText(
    'token_type is DPoP',
  );
  return jkt;
}

test.describe('DPoP flow against the standards sandbox', () => {
  test('key, proof, nonce retry, bound token, API call with a fresh proof (keyboard only)', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/flows/dpop');
    await expect(
      page.getByRole('heading', { level: 1, name: 'Sender-constrained tokens (DPoP)' }),
    ).toBeVisible();
    // The default authority is the Entra-shaped sandbox: the page says Entra has no DPoP.
    await expect(page.getByRole('note', { name: 'Entra and DPoP' })).toContainText('Entra ID does not bind');

    await getBoundToken(page);
    await expectNoAxeViolations(page, 'dpop: bound token');

    await press(page, 'Call the API with a fresh proof');
    await expect(page.getByRole('heading', { name: 'Call 1 of 2' })).toBeVisible();
    await expect(page.getByText(/Refused: HTTP 401, use_dpop_nonce/)).toBeVisible();
    await expect(page.getByText('Accepted (HTTP 200).')).toBeVisible();
    await expect(page.getByText(/"token_type_used":\s*"DPoP"/).first()).toBeVisible();

    // A second call reuses the API's nonce: one call, accepted.
    await press(page, 'Call the API with a fresh proof');
    await expect(page.getByRole('heading', { name: 'Call 1 of 2' })).toHaveCount(0);
    await expect(page.getByText('Accepted (HTTP 200).')).toBeVisible();

    expect(errors).toEqual([]);
    await expectNoAxeViolations(page, 'dpop: API called');
    await expectNoSecretsLeft(page, [POST_SECRET, ...(await tokensOnPage(page))], consoleLines);
  });

  test('refusals: the bound token sent as Bearer, and with a proof from another key', async ({ page }) => {
    const consoleLines = recordConsole(page);
    await page.goto('/flows/dpop');
    await getBoundToken(page);

    await press(page, 'Send the token as Bearer');
    const bearer = page.getByRole('region', { name: 'Sent as Bearer' });
    const bearerVerdict = bearer.getByText(/^Refused, as it should be/);
    await expect(bearerVerdict).toContainText('HTTP 401 invalid_token');
    await expect(bearerVerdict).toContainText('DPoP-bound');

    await press(page, 'Send it with a proof from another key');
    const other = page.getByRole('region', { name: 'Sent with another key' });
    const otherVerdict = other.getByText(/^Refused, as it should be/);
    await expect(otherVerdict).toContainText('HTTP 401 invalid_token');
    await expect(otherVerdict).toContainText('another key');

    await expectNoAxeViolations(page, 'dpop: refusals');
    await expectNoSecretsLeft(page, [POST_SECRET, ...(await tokensOnPage(page))], consoleLines);
  });

  test('a wrong client secret is explained, and the page keeps working', async ({ page }) => {
    await page.goto('/flows/dpop');
    await press(page, 'Read the server’s metadata');
    await expect(page.getByText('This server supports DPoP')).toBeVisible();
    await press(page, 'Make the key pair');
    await press(page, 'Sign the proof');
    const secret = page.getByLabel('Client secret (kept in memory only)');
    await secret.fill('wrong-secret-value');
    await press(page, 'Request the token');
    // oidc-provider authenticates the client before it looks at the proof: no nonce challenge, a refusal.
    const failure = page.locator('#step-token .failure');
    await expect(failure).toContainText(/invalid_client/);
    await expect(page.getByText('The server refused this first request with use_dpop_nonce')).toHaveCount(0);
    // Fixed, the same page goes on: a fresh proof, the nonce challenge.
    await secret.fill(POST_SECRET);
    await press(page, 'Sign a fresh proof and request again');
    await expect(page.getByText('The server refused this first request with use_dpop_nonce')).toBeVisible();
    await expectNoAxeViolations(page, 'dpop: wrong secret');
  });

  test('with the standards sandbox preset as the authority, the page uses it and says nothing about Entra', async ({
    page,
  }) => {
    await page.goto('/settings');
    const radio = page.getByRole('radio', { name: /^Standards sandbox/ });
    await radio.focus();
    await radio.press('Space');
    await page.getByRole('button', { name: 'Use the standards sandbox' }).press('Enter');
    await expect(page.getByText(`Saved. Flows now use ${ISSUER}`)).toBeVisible();
    // In-app navigation: the settings' secrets live in memory as long as the page.
    await page.getByRole('link', { name: 'Sender-constrained tokens (DPoP)' }).first().click();
    await expect(
      page.getByRole('heading', { level: 1, name: 'Sender-constrained tokens (DPoP)' }),
    ).toBeVisible();
    await expect(page.getByRole('note', { name: 'Entra and DPoP' })).toHaveCount(0);
    await expect(page.getByLabel('Authorization server (issuer)')).toHaveValue(ISSUER);
    await getBoundToken(page);
    await press(page, 'Call the API with a fresh proof');
    await expect(page.getByText('Accepted (HTTP 200).')).toBeVisible();
    await expectNoAxeViolations(page, 'dpop: standards preset');
  });

  test('a server that does not advertise DPoP is named as such, and the page stays usable', async ({
    page,
  }) => {
    await page.goto('/flows/dpop');
    const issuer = page.getByLabel('Authorization server (issuer)');
    await issuer.fill(`${SANDBOX}/${SANDBOX_TENANT.id}/v2.0`);
    await press(page, 'Read the server’s metadata');
    await expect(page.getByRole('note', { name: 'DPoP not advertised' })).toContainText(
      'This server does not advertise DPoP',
    );
    await expect(page.getByText('(not listed)')).toBeVisible();
    // Still possible to go on: a key and a proof for its token endpoint.
    await press(page, 'Make the key pair');
    await press(page, 'Sign the proof');
    await expect(
      page
        .getByRole('table', { name: 'The proof for the token request, decoded' })
        .getByRole('row', { name: /^htu/ }),
    ).toContainText(`${SANDBOX}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`);
    await expectNoAxeViolations(page, 'dpop: not advertised');
  });
});
