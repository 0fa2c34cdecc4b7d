import { expect, test, type Page } from '@playwright/test';
import { SEEDED_CLIENTS } from '../server/sandbox/standard/clients.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const TITLE = 'Token exchange (RFC 8693)';
const POST = SEEDED_CLIENTS.find((client) => client.client_id === 'standard-post')!;
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';

/** Makes the standards sandbox the authority with the keyboard (Settings, its preset). */
async function useStandardsSandbox(page: Page) {
  await page.goto('/settings');
  const radio = page.getByRole('radio', { name: /^Standards sandbox/ });
  await radio.focus();
  await radio.press('Space');
  await page
    .getByRole('button', { name: /Use the standards sandbox|Apply the standards sandbox again/ })
    .press('Enter');
  await expect(page.getByText(/^Saved\. Flows now use http:\/\/localhost:\d+\/standard/)).toBeVisible();
}

/** Opens a flow inside the app (a reload would forget the in-memory tokens and secrets). */
async function openFlow(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Flows' }).getByRole('link', { name }).first().press('Enter');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** A client credentials token of standard-post for the sandbox's API: the subject token to trade. */
async function clientCredentialsToken(page: Page): Promise<string> {
  const active = page.getByLabel('Active profile', { exact: true });
  await active.focus();
  await active.selectOption({ label: 'Standards sandbox: standard-post' });
  await openFlow(page, 'Client credentials');
  const scope = page.getByRole('textbox', { name: /^scope\b/ });
  await scope.fill('api.read');
  const post = page.getByRole('radio', { name: /client_secret_post/ }).first();
  await post.focus();
  await post.press('Space');
  await page.getByRole('button', { name: 'Request the token' }).press('Enter');
  const token = page.getByLabel('Access token (encoded)').first();
  await expect(token).not.toHaveValue('');
  return token.inputValue();
}

/** The authorization code flow as the public standard-spa client: Adele's access and ID tokens. */
async function signInWithCodeFlow(page: Page) {
  await openFlow(page, 'Authorization code');
  // A fresh consent each time, whatever an earlier test left in the sandbox.
  await page.getByRole('combobox', { name: 'prompt' }).selectOption('consent');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('button', { name: 'Allow' }).press('Enter');
  await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'ID token' })).toBeVisible();
}

test.describe('token exchange', () => {
  test('standards sandbox: impersonation, then delegation with act, then invalid_target; keyboard only', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    await useStandardsSandbox(page);
    const subjectToken = await clientCredentialsToken(page);
    await openFlow(page, TITLE);
    await expect(page.locator('#step-subject')).toContainText(
      'Offered: grant_types_supported lists the token-exchange grant',
    );

    // Step 1: the subject token from the client credentials run.
    const picker = page
      .getByRole('group', { name: 'The subject token' })
      .getByLabel('Use the access token from an earlier run');
    await picker.focus();
    await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
    await expect(page.getByLabel('Subject token (subject_token)', { exact: true })).toHaveValue(subjectToken);
    await expect(page.getByLabel('Its type (subject_token_type)')).toHaveValue(ACCESS_TOKEN_TYPE);

    // Step 3: the client is standard-post with client_secret_post; the target is the sandbox's API.
    await expect(page.getByLabel('Client id', { exact: true })).toHaveValue('standard-post');
    await expect(page.getByRole('textbox', { name: 'resource' })).toHaveValue(/\/standard\/api$/);
    await page.getByRole('button', { name: 'Exchange the token' }).press('Enter');
    const result = page.locator('#step-result');
    await expect(result).toContainText(ACCESS_TOKEN_TYPE);
    await expect(result).toContainText('impersonation');
    await expect(result.getByRole('table', { name: /side by side/ })).toContainText('client_id');
    const issuedToken = await page.getByLabel('Issued token (encoded)').inputValue();
    expect(issuedToken).not.toBe(subjectToken);
    await expectNoAxeViolations(page, 'token-exchange: impersonation');

    // Step 2: delegation. The actor is the token just issued (a second run entry); act names its subject.
    const delegation = page.getByRole('radio', { name: /^Someone acting for the subject/ });
    await delegation.focus();
    await delegation.press('Space');
    const actorPicker = page
      .getByRole('group', { name: 'The actor token' })
      .getByLabel('Use the access token from an earlier run');
    await actorPicker.focus();
    await actorPicker.selectOption({ label: await actorPicker.locator('option').nth(1).innerText() });
    await expect(page.getByLabel('Actor token (actor_token)', { exact: true })).not.toHaveValue('');
    await page.getByRole('button', { name: 'Exchange the token' }).press('Enter');
    await expect(page.getByRole('note', { name: 'Delegation' })).toContainText('standard-post');
    await expect(result.getByRole('table', { name: /side by side/ })).toContainText('"sub":"standard-post"');

    // A refusal: a resource the server does not know is invalid_target (RFC 8693 §2.2.2).
    const resource = page.getByRole('textbox', { name: 'resource' });
    await resource.fill('https://elsewhere.example/api');
    await page.getByRole('button', { name: 'Exchange the token' }).press('Enter');
    await expect(page.locator('#step-exchange')).toContainText('invalid_target');
    await expect(page.locator('#step-exchange')).toContainText('Unknown target');
    await expect(result).toContainText('the server refused the last request');
    await expectNoAxeViolations(page, 'token-exchange: invalid_target');

    expect(errors).toEqual([]);
    await expectNoSecretsLeft(page, [subjectToken, issuedToken, POST.client_secret!], consoleLines);
  });

  test('a user’s ID token from the code flow, exchanged by a service for an access token that is still hers', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    await useStandardsSandbox(page);
    await signInWithCodeFlow(page);
    await openFlow(page, TITLE);
    const subject = page.getByRole('group', { name: 'The subject token' });
    const idPicker = subject.getByLabel('Or use the ID token of an earlier run');
    await idPicker.focus();
    await idPicker.selectOption({ label: await idPicker.locator('option').nth(1).innerText() });
    await expect(subject.getByLabel('Its type (subject_token_type)')).toHaveValue(ID_TOKEN_TYPE);
    const idToken = await subject.getByLabel('Subject token (subject_token)', { exact: true }).inputValue();

    // The exchanging service is a confidential client: standard-post, from the preset's profiles.
    const profile = page.getByLabel('Act as an app profile');
    await profile.focus();
    await profile.selectOption({ label: 'Standards sandbox: standard-post (standard-post)' });
    await expect(page.getByLabel('Client id', { exact: true })).toHaveValue('standard-post');
    // The sign-in's round trip forgot the preset's secrets (memory only); the sandbox's directory gives it back.
    await expect(page.getByLabel('Client secret (kept in memory only)')).toHaveValue(POST.client_secret!);
    await page.getByRole('button', { name: 'Exchange the token' }).press('Enter');
    const table = page.locator('#step-result').getByRole('table', { name: /side by side/ });
    await expect(table.getByRole('row', { name: /^sub\b/ })).toContainText('same');
    await expect(table.getByRole('row', { name: /^aud\b/ })).toContainText('/standard/api');
    await expectNoAxeViolations(page, 'token-exchange: ID token exchanged');
    await expectNoSecretsLeft(page, [idToken, POST.client_secret!], consoleLines);
  });

  test('Entra-shaped sandbox: the page says Entra has no token exchange and points to on-behalf-of', async ({
    page,
  }) => {
    await page.goto('/flows/token-exchange');
    await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
    const note = page.getByRole('note', { name: 'Token exchange not offered' });
    await expect(note).toContainText('Entra ID does not implement RFC 8693');
    await expect(note.getByRole('link', { name: 'on-behalf-of flow' })).toHaveAttribute(
      'href',
      '/flows/on-behalf-of',
    );
    await expect(page.getByRole('table', { name: /on-behalf-of \(Entra\)/ })).toContainText(
      'requested_token_use',
    );
    await expectNoAxeViolations(page, 'token-exchange: Entra sandbox');
  });
});
