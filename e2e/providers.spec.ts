/**
 * The 13 real providers (test-fixtures/providers), each served from loopback origins with its
 * published document and key set (e2e/support/provider-issuers.ts), driven through the app in
 * Chromium. The servers send no CORS headers, like most real metadata and key hosts, so every read
 * goes through the app's relay after the user allows the origin. Per provider, one browser context
 * and four checks: (a) discovery in Settings, (b) the endpoints taken, (c) the flows offered and why
 * the others are not, (d) /tokens verifying tokens signed with keys shaped like the published ones.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.ts';
import {
  expectationFor,
  FLOW_TITLES,
  STATUS_LABEL,
  type ProviderExpectation,
} from './support/provider-expectations.ts';
import {
  documentEndpoints,
  loadProviderFixtures,
  openIdConfigurationUrl,
  publishedIssuer,
  TENANT_TEMPLATE,
  type ProviderFixture,
} from './support/provider-fixtures.ts';
import { startAllProviderIssuers, type ProviderIssuers } from './support/provider-issuers.ts';
import {
  buildShapedKeySet,
  membersNotBase64Url,
  signPretendingToBe,
  signWithShapedKey,
} from './support/shaped-keys.ts';

const FIXTURES = loadProviderFixtures();
/** The tenant a token from an Entra multi-tenant authority names (any GUID would do). */
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** The provider whose servers are switched to send CORS headers for the direct-path test. */
const DIRECT_PROVIDER = 'gitlab';

let issuers: Map<string, ProviderIssuers>;

test.beforeAll(async () => {
  issuers = await startAllProviderIssuers(FIXTURES, (fixture) =>
    expectationFor(fixture.id).discovery.kind === 'entra-template' ? { tenants: [TENANT_ID] } : {},
  );
});

test.afterAll(async () => {
  await Promise.all([...issuers.values()].map((served) => served.close()));
});

function servedFor(id: string): ProviderIssuers {
  const served = issuers.get(id);
  if (served === undefined) throw new Error(`No loopback servers for ${id}.`);
  return served;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The token claims an issuer would sign; Entra's multi-tenant issuer is filled with the token's tid. */
function claimsFor(served: ProviderIssuers, expectation: ProviderExpectation): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const documentIssuer = served.metadata['issuer'] as string;
  const entra = expectation.discovery.kind === 'entra-template';
  return {
    iss: entra ? documentIssuer.replace(TENANT_TEMPLATE, TENANT_ID) : served.issuer,
    sub: 'provider-harness-user',
    aud: 'provider-harness-client',
    iat: now,
    exp: now + 600,
    ...(entra ? { tid: TENANT_ID } : {}),
  };
}

/** Reads a `<dl class="endpoints">` as name → shown text (the URL, or the words for a missing one). */
async function readEndpointList(list: ReturnType<Page['locator']>): Promise<Record<string, string>> {
  const rows = await list.locator(':scope > div').all();
  const entries: [string, string][] = [];
  for (const row of rows) {
    entries.push([
      (await row.locator('dt').innerText()).trim(),
      (await row.locator('dd').innerText()).trim(),
    ]);
  }
  return Object.fromEntries(entries);
}

/** Whether a message quotes this kid (“kid”), or a cut of it that says it was cut (“ki…”). */
function namesKid(text: string, kid: string): boolean {
  const quoted = [...text.matchAll(/“([^”]*)”/g)].map((match) => match[1] ?? '');
  return quoted.some(
    (label) =>
      label === kid || (label.endsWith('…') && label.length > 1 && kid.startsWith(label.slice(0, -1))),
  );
}

/** How the list says an endpoint is absent: no URL, and words that say there is none. */
const ABSENT = /^(none|not offered)\b/i;

/** What the endpoint list must show for a document: the URL, or words saying it is not offered. */
function expectEndpoints(
  shown: Record<string, string>,
  expected: ReturnType<typeof documentEndpoints>,
  discovery: string,
): void {
  expect(shown['Authorization']).toBe(expected.authorization);
  if (expected.token === undefined) expect(shown['Token']).toMatch(ABSENT);
  else expect(shown['Token']).toBe(expected.token);
  if (expected.deviceAuthorization === undefined) expect(shown['Device authorization']).toMatch(ABSENT);
  else expect(shown['Device authorization']).toBe(expected.deviceAuthorization);
  expect(shown['Keys (JWKS)']).toBe(expected.jwks);
  expect(shown['Discovery']).toBe(discovery);
}

/** One browser context per provider, kept across its checks; a check redoes what an earlier one left undone. */
class ProviderSession {
  private context: BrowserContext | undefined;
  page!: Page;
  /** How far Settings has gone: nothing, looked up (and the origin allowed on the relay), saved. */
  stage: 'new' | 'looked-up' | 'saved' = 'new';
  readonly errors: string[] = [];

  constructor(
    readonly fixture: ProviderFixture,
    readonly expectation: ProviderExpectation,
  ) {}

  get served(): ProviderIssuers {
    return servedFor(this.fixture.id);
  }

  async open(browser: Browser, baseURL: string | undefined): Promise<Page> {
    if (this.context === undefined) {
      this.context = await browser.newContext(baseURL === undefined ? {} : { baseURL });
      this.page = await this.context.newPage();
      this.page.on('pageerror', (error) => this.errors.push(error.message));
    }
    return this.page;
  }

  async close(): Promise<void> {
    await this.context?.close();
    this.context = undefined;
    this.stage = 'new';
  }

  /** Settings → any OpenID provider → the loopback issuer → look up → allow the origin on the relay. */
  async lookUp(): Promise<void> {
    const page = this.page;
    const issuer = this.served.issuer;
    await page.goto('/settings');
    await page.getByRole('radio', { name: 'Any OpenID provider, by its issuer URL' }).check();
    await page.getByRole('textbox', { name: 'Issuer URL' }).fill(issuer);
    await page.getByRole('button', { name: 'Look up' }).click();
    // No CORS headers: the browser cannot read the document, and the app asks to use the relay.
    await expect(page.getByRole('heading', { name: 'Fetch it through the local relay?' })).toBeVisible();
    const origin = new URL(issuer).origin;
    await page.getByRole('button', { name: `Allow ${origin} and fetch` }).click();
    await expect(
      page.getByRole('heading', { name: 'What the issuer publishes' }).or(page.getByRole('alert')),
    ).toBeVisible();
    this.stage = 'looked-up';
  }

  /** Uses the found issuer: its endpoints become the flows' (and their origins go on the relay's list). */
  async save(): Promise<void> {
    if (this.stage === 'new') await this.lookUp();
    if (this.stage === 'saved') return;
    const page = this.page;
    await page.getByRole('button', { name: 'Use this issuer' }).click();
    await expect(page.getByText(`Saved. Flows now use ${this.served.issuer}.`)).toBeVisible();
    this.stage = 'saved';
  }

  /** Settings → Microsoft Entra ID, global cloud, the tenant alias the document was published for. */
  async chooseEntra(tenant: string): Promise<void> {
    const page = this.page;
    if (!page.url().endsWith('/settings')) await page.goto('/settings');
    await page.getByRole('radio', { name: 'Microsoft Entra ID (your tenant)' }).check();
    await page.getByLabel('Cloud').selectOption('https://login.microsoftonline.com');
    await page.getByRole('group', { name: 'Tenant aliases' }).getByRole('button', { name: tenant }).click();
    await expect(page.getByLabel('Tenant', { exact: true })).toHaveValue(tenant);
  }
}

for (const fixture of FIXTURES) {
  const expectation = expectationFor(fixture.id);
  const entraTenant =
    expectation.discovery.kind === 'entra-template' ? expectation.discovery.tenant : undefined;

  test.describe(`provider ${fixture.id}`, () => {
    const session = new ProviderSession(fixture, expectation);

    test.afterAll(async () => {
      await session.close();
    });

    test.afterEach(() => {
      expect(session.errors, 'errors thrown in the page').toEqual([]);
    });

    test(`${fixture.id}: (a) discovery in Settings ${entraTenant === undefined ? 'succeeds through the relay' : 'explains the Entra template'}`, async ({
      browser,
      baseURL,
    }) => {
      await session.open(browser, baseURL);
      const served = session.served;
      served.clearRequests();
      await session.lookUp();
      const page = session.page;
      if (entraTenant === undefined) {
        await expect(page.getByText('read through the local relay')).toBeVisible();
        await expect(page.getByText('The issuer matches')).toBeVisible();
      } else {
        // The document names the issuer as a template: refused, and the user is sent to the Entra authority.
        const alert = page.getByRole('alert');
        await expect(alert).toContainText(served.metadata['issuer'] as string);
        await expect(alert).toContainText(served.issuer);
        await expect(alert).toContainText('choose Microsoft Entra ID');
        await expect(page.getByRole('heading', { name: 'What the issuer publishes' })).toHaveCount(0);
        await expect(page.getByRole('button', { name: 'Use this issuer' })).toHaveCount(0);
      }
      // The browser tried first (and was refused by CORS), then the relay fetched the same URL; no
      // other URL was needed: the well-known location was derived right the first time.
      expect(served.count(served.discoveryUrl, 'browser')).toBeGreaterThanOrEqual(1);
      expect(served.count(served.discoveryUrl, 'relay')).toBe(1);
      expect(served.requests.filter((r) => r.status !== 200)).toEqual([]);
      expect(served.discoveryUrl).toBe(openIdConfigurationUrl(served.issuer));
    });

    test(`${fixture.id}: (b) the endpoints taken are the ${entraTenant === undefined ? 'document’s, origins rewritten' : 'published ones, under Microsoft Entra ID'}`, async ({
      browser,
      baseURL,
    }) => {
      const page = await session.open(browser, baseURL);
      const served = session.served;
      const inUse = page.locator('h2:has-text("Endpoints in use") + dl.endpoints');
      if (entraTenant === undefined) {
        if (session.stage === 'new') await session.lookUp();
        if (session.stage === 'looked-up') {
          const found = page.getByRole('region', { name: 'What the issuer publishes' });
          expectEndpoints(
            await readEndpointList(found.locator('dl.endpoints')),
            documentEndpoints(served.metadata),
            served.discoveryUrl,
          );
          // Before saving, the user is told every origin the relay will be allowed to reach for it.
          const taken = documentEndpoints(served.metadata);
          const origins = new Set(
            [taken.token, taken.deviceAuthorization, taken.jwks, served.discoveryUrl]
              .filter((url): url is string => url !== undefined)
              .map((url) => new URL(url).origin),
          );
          const notice = found.getByText(/^Using it also adds/);
          for (const origin of origins) await expect(notice).toContainText(origin);
        }
        await session.save();
        await expect(inUse).toBeVisible();
        expectEndpoints(
          await readEndpointList(inUse),
          documentEndpoints(served.metadata),
          served.discoveryUrl,
        );
      } else {
        if (session.stage === 'new') await session.lookUp();
        await session.chooseEntra(entraTenant);
        // Entra's own layout for the alias must be exactly what Entra publishes (not rewritten: the
        // Entra authority always talks to Microsoft's hosts).
        expectEndpoints(
          await readEndpointList(inUse),
          documentEndpoints(fixture.metadata),
          openIdConfigurationUrl(publishedIssuer(fixture.metadata)),
        );
      }
    });

    test(`${fixture.id}: (c) the flows offered, and why the others are not`, async ({ browser, baseURL }) => {
      const page = await session.open(browser, baseURL);
      if (entraTenant === undefined) {
        if (session.stage === 'new') await session.lookUp();
      } else {
        if (session.stage === 'new') await session.lookUp();
        await session.chooseEntra(entraTenant);
      }
      const list = page.getByRole('list', { name: 'Flows with this authority' }).first();
      await expect(list).toBeVisible();
      const items = list.getByRole('listitem');
      await expect(items).toHaveCount(FLOW_TITLES.length);
      const reasons = new Map<string, string>();
      for (const [index, { id, title }] of FLOW_TITLES.entries()) {
        const expected = expectation.flows[id];
        const text = (await items.nth(index).innerText()).replace(/\s+/g, ' ').trim();
        const shape = new RegExp(`^${escape(title)} ?(Offered|Not advertised|Not available)[ :.—–-]*(.+)$`);
        const match = shape.exec(text);
        expect(match, `${id}: “${text}”`).not.toBeNull();
        expect(match?.[1], `${id}: “${text}”`).toBe(STATUS_LABEL[expected.status]);
        const reason = match?.[2] ?? '';
        expect(reason.length, `${id} gives a reason`).toBeGreaterThan(10);
        if (expected.names !== undefined)
          expect(
            expected.names.some((name) => reason.includes(name)),
            `${id}: “${reason}”`,
          ).toBe(true);
        reasons.set(id, reason);
      }
      await expectNoAxeViolations(page, `${fixture.id}: Settings with the flows list`);

      if (entraTenant === undefined) {
        // A flow the provider cannot do says why on its own page too, before any request.
        await session.save();
        const nav = page.getByRole('navigation', { name: 'Flows' });
        for (const { id, title } of FLOW_TITLES) {
          if (expectation.flows[id].status !== 'unavailable') continue;
          await nav.getByRole('link', { name: title }).click();
          await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
          await expect(page.getByRole('status').filter({ hasText: reasons.get(id) ?? '' })).toBeVisible();
        }
        await nav.getByRole('link', { name: 'Settings' }).click();
      }
    });

    test(`${fixture.id}: (d) /tokens reads the published keys through the relay and verifies tokens signed with keys of their shape`, async ({
      browser,
      baseURL,
    }) => {
      const page = await session.open(browser, baseURL);
      const served = session.served;
      // The token inspector fetches through the relay, which must know the origins: the issuer's
      // (allowed when looking it up) and, for a found issuer, every endpoint origin (allowed when saved).
      if (entraTenant === undefined) await session.save();
      else if (session.stage === 'new') await session.lookUp();
      const claims = claimsFor(served, expectation);
      await page.getByRole('link', { name: 'Token inspector' }).click();
      const input = page.getByLabel('Token', { exact: true });
      const verdict = page.locator('.verdict');

      // The published keys, as they are: a token naming one of them but signed by someone else.
      served.useKeys('published');
      served.clearRequests();
      const first = fixture.jwks.keys[0];
      if (first === undefined) throw new Error(`${fixture.id} publishes no key.`);
      await input.fill(await signPretendingToBe(first, claims));
      await page.getByRole('button', { name: 'Verify the signature' }).click();
      const malformed = membersNotBase64Url(first);
      if (malformed.length === 0) {
        await expect(verdict).toContainText('Signature invalid');
      } else {
        // RFC 7518 §6.3.1.1: n and e are base64url. A key published otherwise (Battle.net's n is
        // standard base64 with padding) cannot be imported by the browser: said as such, naming the
        // key and the member, never as a bad signature.
        await expect(verdict).toContainText('Key unusable');
        const said = await verdict.innerText();
        expect(namesKid(said, String(first['kid'])), `kid “${String(first['kid'])}” in: ${said}`).toBe(true);
        for (const member of malformed) await expect(verdict).toContainText(`"${member}"`);
      }
      expect(served.count(served.jwksUri, 'relay'), 'the published jwks_uri was read through the relay').toBe(
        1,
      );

      // Keys of the same shape with our own material: each position verifies its own token.
      const shaped = await buildShapedKeySet(fixture.jwks);
      served.useKeys(shaped.jwks);
      try {
        for (const key of shaped.keys) {
          await input.fill(await signWithShapedKey(key, claims));
          await expect(verdict).toHaveCount(0);
          await page.getByRole('button', { name: 'Verify the signature' }).click();
          await expect(verdict, `key ${key.index}`).toContainText('Signature valid');
          // Named by its thumbprint, and by its kid: in full, or cut and marked as cut (“abc…”).
          await expect(verdict).toContainText(key.thumbprint);
          const said = await verdict.innerText();
          if (key.kid !== undefined)
            expect(namesKid(said, key.kid), `kid “${key.kid}” in: ${said}`).toBe(true);
          await expect(verdict).toContainText(served.jwksUri);
        }
        // Only the document and the key set were asked for, at the URLs the document names.
        expect(served.requests.filter((r) => r.status !== 200)).toEqual([]);
      } finally {
        served.useKeys('published');
      }
    });
  });
}

test.describe('direct path', () => {
  test(`${DIRECT_PROVIDER} with CORS headers: the browser reads the document and keys itself, no relay`, async ({
    page,
  }) => {
    const served = servedFor(DIRECT_PROVIDER);
    const fixture = served.fixture;
    served.setCors(true);
    served.clearRequests();
    try {
      await page.goto('/settings');
      await page.getByRole('radio', { name: 'Any OpenID provider, by its issuer URL' }).check();
      await page.getByRole('textbox', { name: 'Issuer URL' }).fill(served.issuer);
      await page.getByRole('button', { name: 'Look up' }).click();
      await expect(page.getByText('read by the browser')).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Fetch it through the local relay?' })).toHaveCount(0);
      expectEndpoints(
        await readEndpointList(
          page.getByRole('region', { name: 'What the issuer publishes' }).locator('dl.endpoints'),
        ),
        documentEndpoints(served.metadata),
        served.discoveryUrl,
      );

      const shaped = await buildShapedKeySet(fixture.jwks);
      served.useKeys(shaped.jwks);
      const key = shaped.keys[0]!;
      await page.getByRole('link', { name: 'Token inspector' }).click();
      await page
        .getByLabel('Token', { exact: true })
        .fill(await signWithShapedKey(key, claimsFor(served, expectationFor(fixture.id))));
      await page.getByRole('button', { name: 'Verify the signature' }).click();
      await expect(page.locator('.verdict')).toContainText('Signature valid');
      expect(served.count(served.jwksUri, 'browser')).toBe(1);
      expect(served.requests.filter((r) => r.via === 'relay')).toEqual([]);
    } finally {
      served.setCors(false);
      served.useKeys('published');
    }
  });
});
