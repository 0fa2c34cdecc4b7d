/**
 * Issue 15, the sandbox's own state across instances: two sandboxes of one tenant, one shared store.
 * What one instance records (consent, portal edits, settings, lockout counters, device-code polls,
 * verification-code steps) the other must act on at its very next request. Registered by
 * cross-instance-state.test.ts (two instances on one in-memory store: everything but oidc-provider's
 * artifacts is shared) and cross-instance-state.redis.test.ts (two instances behind a proxy on a real
 * Redis, where sessions, codes and interactions are shared too, so a flow may hop between them).
 */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { RunningSandbox } from './index.ts';
import { SANDBOX_USERS } from './seed.ts';
import { SEEDED_CLIENTS } from './standard/clients.ts';
import { STANDARD_API_PATH } from './standard/resource-api.ts';
import { clientAssertion, generateClientKey, postForm } from './standard/test-support.ts';
import { expectEntraError } from './test-fixtures.ts';
import {
  asPage,
  asRedirect,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  generatePkce,
  SPA,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
  type Page,
} from './test-support.ts';

/** Two running instances of one tenant; `use` steers a proxy in front of them when there is one. */
export interface InstancePair {
  readonly a: RunningSandbox;
  readonly b: RunningSandbox;
  /** Sends the next requests to `a` or `b` (a no-op when each instance is reached at its own origin). */
  use(choice: 'a' | 'b'): void;
  /** Each instance's own address, for requests sent to both at once (bypassing any proxy). */
  readonly direct: { readonly a: string; readonly b: string };
  /** True when oidc-provider's artifacts (sessions, interactions, codes) are shared too. */
  readonly sharesArtifacts: boolean;
  close(): Promise<void>;
}

const adele = SANDBOX_USERS[0]!;
const megan = SANDBOX_USERS.find((u) => u.mfaRequired && u.mfaCode)!;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Registers the cross-instance tests against pairs made by `start`. */
export function crossInstanceScenarios(
  label: string,
  start: () => Promise<InstancePair>,
  options: {
    /** Both instances answer as one issuer (one public origin), so a token of A is good at B. */
    readonly oneIssuer: boolean;
  },
): void {
  describe(`sandbox state across two instances (${label})`, () => {
    let pair: InstancePair;
    /** The instance to talk to next (steering the proxy, when there is one). */
    const on = (which: 'a' | 'b'): RunningSandbox => {
      pair.use(which);
      return pair[which];
    };
    const portal = async (
      which: 'a' | 'b',
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${on(which).origin}/portal/${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    };
    /** An instance reached at its own address, for requests in flight at the same time. */
    const direct = (which: 'a' | 'b'): RunningSandbox => ({ ...pair[which], origin: pair.direct[which] });
    const passwordGrant = (which: 'a' | 'b', password = adele.password, username = adele.userPrincipalName) =>
      tokenRequest(on(which), {
        client_id: CONSOLE.clientId,
        grant_type: 'password',
        username,
        password,
        scope: 'openid profile User.Read',
      });

    beforeAll(async () => {
      pair = await start();
    });
    afterAll(async () => {
      await pair.close();
    });
    beforeEach(async () => {
      // Each test starts from the seeded tenant, reset through one instance for both.
      expect((await portal('b', 'POST', 'reset')).status).toBe(200);
      expect(
        (
          await portal('a', 'POST', 'settings', {
            rememberConsent: false,
            lockoutThreshold: 10,
            lockoutDurationSeconds: 60,
          })
        ).status,
      ).toBe(200);
      await portal('a', 'DELETE', `lockouts/${adele.oid}`);
    });

    test('consent granted on the portal of A lets the password grant through on B; revoked on A, B refuses', async () => {
      expectEntraError((await passwordGrant('b')).body, 'invalid_grant', 65001);
      expect(
        (await portal('a', 'POST', `apps/${CONSOLE.clientId}/consents`, { user: adele.oid })).status,
      ).toBe(200);
      expect((await passwordGrant('b')).status).toBe(200);
      expect((await portal('a', 'DELETE', `apps/${CONSOLE.clientId}/consents/${adele.oid}`)).status).toBe(
        200,
      );
      expectEntraError((await passwordGrant('b')).body, 'invalid_grant', 65001);
      // The portal of either instance lists the same decision.
      const listed = (await portal('b', 'GET', `apps/${CONSOLE.clientId}/consents`)).body as {
        users: { objectId: string; state: string }[];
      };
      expect(listed.users.find((u) => u.objectId === adele.oid)?.state).toBe('revoked');
    });

    test('admin consent given and revoked on A is what B applies', async () => {
      expect((await portal('a', 'POST', `apps/${CONSOLE.clientId}/consents`, { admin: true })).status).toBe(
        200,
      );
      expect((await passwordGrant('b')).status).toBe(200);
      expect(
        ((await portal('b', 'GET', `apps/${CONSOLE.clientId}/consents`)).body as { adminConsent: boolean })
          .adminConsent,
      ).toBe(true);
      expect((await portal('a', 'DELETE', `apps/${CONSOLE.clientId}/consents/admin`)).status).toBe(200);
      expectEntraError((await passwordGrant('b')).body, 'invalid_grant', 65001);
    });

    test('consent accepted on the page of A ("Remember consent" on) spares the consent page on B', async () => {
      await portal('a', 'POST', 'settings', { rememberConsent: true });
      const first = new Browser(on('a'));
      const scope = 'openid profile User.Read';
      const query = new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope,
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
      });
      const authorize = (which: 'a' | 'b') => `${endpoint(on(which), '/oauth2/v2.0/authorize')}?${query}`;
      const login = asPage(await first.go(authorize('a')));
      const consentPage = asPage(
        await first.go(formAction(login), { username: adele.userPrincipalName, password: adele.password }),
      );
      expect(consentPage.html).toContain('>Accept</button>');
      expect(
        asRedirect(await first.go(formAction(consentPage), { action: 'accept' })).searchParams.get('code'),
      ).toEqual(expect.any(String));
      // A new browser session on B: sign-in, then straight back to the app with a code.
      pair.use('b');
      const second = new Browser(on('b'));
      const loginB = asPage(await second.go(authorize('b')));
      const back = asRedirect(
        await second.go(formAction(loginB), { username: adele.userPrincipalName, password: adele.password }),
      );
      expect(back.searchParams.get('code')).toEqual(expect.any(String));
    });

    test('portal edits on A apply at B on the very next request: redirect URI, new secret, settings, reset', async () => {
      const added = 'http://localhost:47999/added-on-a';
      const authorizeAt = (which: 'a' | 'b', redirectUri: string) =>
        fetch(
          `${endpoint(on(which), '/oauth2/v2.0/authorize')}?${new URLSearchParams({
            client_id: WEB.clientId,
            response_type: 'code',
            redirect_uri: redirectUri,
            scope: 'openid',
          })}`,
          { redirect: 'manual' },
        );
      // Not registered: B answers with its error page (AADSTS50011), not a sign-in.
      const before = await authorizeAt('b', added);
      expect(before.status).toBe(400);
      expect(await before.text()).toContain('AADSTS50011');
      expect((await portal('a', 'POST', `apps/${WEB.clientId}/redirect-uris`, { uri: added })).status).toBe(
        201,
      );
      const after = await authorizeAt('b', added);
      expect(after.status).toBe(303);
      expect(after.headers.get('location')).toMatch(/\/interaction\//);

      // A secret made on A authenticates at B's token endpoint.
      const secret = (await portal('a', 'POST', `apps/${WEB.clientId}/secrets`, { description: 'made on A' }))
        .body as { value: string; id: string };
      const clientCredentials = (which: 'a' | 'b') =>
        tokenRequest(on(which), {
          client_id: WEB.clientId,
          client_secret: secret.value,
          grant_type: 'client_credentials',
          scope: 'https://graph.microsoft.com/.default',
        });
      expect((await clientCredentials('b')).status).toBe(200);
      // Deleted on B: refused on A.
      expect((await portal('b', 'DELETE', `apps/${WEB.clientId}/secrets/${secret.id}`)).status).toBe(204);
      expectEntraError((await clientCredentials('a')).body, 'invalid_client', 7000215);

      // Settings changed on A are B's settings.
      await portal('a', 'POST', 'settings', { deviceCodeLifetimeSeconds: 321, lockoutThreshold: 7 });
      expect((await portal('b', 'GET', 'settings')).body).toMatchObject({
        deviceCodeLifetimeSeconds: 321,
        lockoutThreshold: 7,
      });

      // Reset on B puts A back to the seeded registrations.
      await portal('b', 'POST', 'reset');
      const reset = await authorizeAt('a', added);
      expect(reset.status).toBe(400);
      const app = (await portal('a', 'GET', `apps/${WEB.clientId}`)).body as { redirectUris: string[] };
      expect(app.redirectUris).not.toContain(added);
    });

    test('edits made on both instances at once are all kept (no lost write)', async () => {
      const uris = Array.from({ length: 12 }, (_, i) => `http://localhost:${47000 + i}/both`);
      // Straight to each instance in turn, all in flight together.
      await Promise.all(
        uris.map((uri, i) =>
          fetch(`${pair.direct[i % 2 === 0 ? 'a' : 'b']}/portal/apps/${WEB.clientId}/redirect-uris`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ uri }),
          }),
        ),
      );
      for (const which of ['a', 'b'] as const) {
        const app = (await portal(which, 'GET', `apps/${WEB.clientId}`)).body as { redirectUris: string[] };
        expect(app.redirectUris).toEqual(expect.arrayContaining(uris));
      }
    });

    test('lockout: wrong passwords split over A and B lock the account on both; unlock on A frees B', async () => {
      await portal('b', 'POST', 'settings', { lockoutThreshold: 3, lockoutDurationSeconds: 600 });
      expectEntraError((await passwordGrant('a', 'wrong-1')).body, 'invalid_grant', 50126);
      expectEntraError((await passwordGrant('b', 'wrong-2')).body, 'invalid_grant', 50126);
      // A retyped wrong password is not counted again, whichever instance sees it.
      expectEntraError((await passwordGrant('a', 'wrong-2')).body, 'invalid_grant', 50126);
      expectEntraError((await passwordGrant('a', 'wrong-3')).body, 'invalid_grant', 50053);
      // Locked everywhere, even with the right password.
      expectEntraError((await passwordGrant('b')).body, 'invalid_grant', 50053);
      expectEntraError((await passwordGrant('a')).body, 'invalid_grant', 50053);
      const listed = (await portal('b', 'GET', 'lockouts')).body as { objectId: string; locked: boolean }[];
      expect(listed.find((l) => l.objectId === adele.oid)?.locked).toBe(true);
      expect((await portal('a', 'DELETE', `lockouts/${adele.oid}`)).status).toBe(200);
      // Unlocked: B checks the password again (consent is what it lacks now, not the lockout).
      expectEntraError((await passwordGrant('b')).body, 'invalid_grant', 65001);
    });

    test('lockout: concurrent wrong passwords on both instances are each counted once', async () => {
      await portal('a', 'POST', 'settings', { lockoutThreshold: 8, lockoutDurationSeconds: 600 });
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          tokenRequest(direct(i % 2 === 0 ? 'a' : 'b'), {
            client_id: CONSOLE.clientId,
            grant_type: 'password',
            username: adele.userPrincipalName,
            password: `parallel-${i}`,
            scope: 'openid',
          }).then((res) => (res.body['error_codes'] as number[] | undefined)?.[0]),
        ),
      );
      // Eight distinct wrong passwords: the eighth counted locks the account, whatever the order.
      expect(answers.filter((code) => code === 50053)).toHaveLength(1);
      expect(answers.filter((code) => code === 50126)).toHaveLength(7);
      expectEntraError((await passwordGrant('b')).body, 'invalid_grant', 50053);
    });

    test('device code started on A: polls to A and B alternately share one interval (RFC 8628 §3.5 slow_down)', async () => {
      const started = await fetch(endpoint(on('a'), '/oauth2/v2.0/devicecode'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: CONSOLE.clientId, scope: 'openid profile User.Read' }),
      });
      expect(started.status).toBe(200);
      const { device_code: deviceCode, user_code: userCode } = (await started.json()) as Record<
        string,
        string
      >;
      const poll = (which: 'a' | 'b') =>
        tokenRequest(on(which), {
          client_id: CONSOLE.clientId,
          grant_type: DEVICE_GRANT,
          device_code: deviceCode!,
        });
      expectEntraError((await poll('a')).body, 'authorization_pending', 70016);
      // Polled again within the interval, on the other instance: slow_down, and the interval grows by 5 s
      // for every later poll, whichever instance gets it. B answers from the shared poll record before
      // its oidc-provider looks for the code (which, in memory, only A holds).
      const tooSoon = await poll('b');
      expect(tooSoon.status).toBe(400);
      expect(tooSoon.body['error']).toBe('slow_down');
      expect(String(tooSoon.body['error_description'])).toContain('Wait at least 10 seconds');
      const again = await poll('a');
      expect(again.body['error']).toBe('slow_down');
      expect(String(again.body['error_description'])).toContain('Wait at least 15 seconds');
      if (!pair.sharesArtifacts) return;

      // The user approves on B; the next poll (on A, once the interval has passed) gets the tokens.
      const browser = new Browser(on('b'));
      const codePage = asPage(await browser.go(`${on('b').origin}/devicelogin`));
      const login = asPage(
        await browser.go(formAction(codePage), hiddenFields(codePage, { user_code: userCode! })),
      );
      const consentPage = asPage(
        await browser.go(formAction(login), { username: adele.userPrincipalName, password: adele.password }),
      );
      asPage(await browser.go(formAction(consentPage), { action: 'accept' }));
      await new Promise((resolve) => setTimeout(resolve, 15_500));
      const done = await poll('a');
      expect(done.status).toBe(200);
      expect(done.body['access_token']).toEqual(expect.any(String));
    }, 40_000);

    test('a verification-code step begun on A is finished on B', async () => {
      if (!pair.sharesArtifacts) {
        // Without shared interactions B cannot continue A's sign-in at all; the step's record is still
        // shared: the memory figures of B count the step A began.
        const browser = new Browser(on('a'));
        const query = new URLSearchParams({
          client_id: SPA.clientId,
          response_type: 'code',
          redirect_uri: TEST_REDIRECT_URI,
          scope: 'openid',
          code_challenge: generatePkce().challenge,
          code_challenge_method: 'S256',
        });
        const login = asPage(await browser.go(`${endpoint(on('a'), '/oauth2/v2.0/authorize')}?${query}`));
        const before = ((await portal('b', 'GET', 'memory')).body as { pendingMfa: number }).pendingMfa;
        const codePage = asPage(
          await browser.go(formAction(login), {
            username: megan.userPrincipalName,
            password: megan.password,
          }),
        );
        expect(codePage.html).toContain('name="otc"');
        expect(((await portal('b', 'GET', 'memory')).body as { pendingMfa: number }).pendingMfa).toBe(
          before + 1,
        );
        return;
      }
      const browser = new Browser(on('a'));
      const query = new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
      });
      const login = asPage(await browser.go(`${endpoint(on('a'), '/oauth2/v2.0/authorize')}?${query}`));
      const codePage = asPage(
        await browser.go(formAction(login), { username: megan.userPrincipalName, password: megan.password }),
      );
      expect(codePage.html).toContain('name="otc"');
      pair.use('b');
      const result = await browser.go(formAction(codePage), { otc: megan.mfaCode ?? '' });
      // Past the code: the consent page or straight back to the app, never the sign-in page again.
      if ('redirectedTo' in result)
        expect(new URL(result.redirectedTo).searchParams.get('code')).toBeTruthy();
      else expect(result.html).toContain('>Accept</button>');
    });
  });

  describe(`standards issuer state across two instances (${label})`, () => {
    let pair: InstancePair;
    const on = (which: 'a' | 'b'): RunningSandbox => {
      pair.use(which);
      return pair[which];
    };
    const standardPortal = async (which: 'a' | 'b', method: string, path: string, body?: unknown) => {
      const res = await fetch(`${on(which).origin}/standard/portal/api/${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const tokenEndpointOf = async (which: 'a' | 'b'): Promise<string> => {
      const res = await fetch(`${on(which).origin}/standard/.well-known/openid-configuration`);
      return String(((await res.json()) as Record<string, unknown>)['token_endpoint']);
    };

    beforeAll(async () => {
      pair = await start();
    });
    afterAll(async () => {
      await pair.close();
    });

    test("settings and a seeded client's public keys registered on A are what B uses", async () => {
      expect(
        (await standardPortal('a', 'POST', 'settings', { parRequestUriLifetimeSeconds: 17 })).status,
      ).toBe(200);
      expect((await standardPortal('b', 'GET', 'settings')).body).toMatchObject({
        parRequestUriLifetimeSeconds: 17,
      });

      const clientId = 'standard-private-key';
      const { privateKey, publicJwk } = await generateClientKey();
      const assertionAt = async (which: 'a' | 'b') => {
        const tokenEndpoint = await tokenEndpointOf(which);
        return postForm(tokenEndpoint, {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await clientAssertion(clientId, tokenEndpoint, { privateKey, alg: 'ES256' }),
        });
      };
      // No key registered yet: B cannot verify the assertion.
      expect((await assertionAt('b')).body['error']).toBe('invalid_client');
      expect(
        (await standardPortal('a', 'POST', `clients/${clientId}/jwks`, { keys: [publicJwk] })).status,
      ).toBe(200);
      expect((await standardPortal('b', 'GET', `clients/${clientId}/jwks`)).body).toEqual({
        keys: [publicJwk],
      });
      const issued = await assertionAt('b');
      expect(issued.status).toBe(200);
      expect(issued.body['access_token']).toEqual(expect.any(String));
    });

    if (options.oneIssuer) {
      test('DPoP at the resource (RFC 9449 §9, §11.1): a nonce from A is good at B, a proof used at A is a replay at B', async () => {
        const { privateKey, publicJwk } = await generateClientKey();
        const apiUrl = `${pair.a.origin}${STANDARD_API_PATH}`;
        const proof = (htm: string, htu: string, claims: Record<string, unknown>) =>
          new SignJWT({
            jti: randomBytes(12).toString('base64url'),
            htm,
            htu,
            iat: Math.floor(Date.now() / 1000),
            ...claims,
          })
            .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk })
            .sign(privateKey);
        // A DPoP-bound token from A (the token endpoint's own nonce dance, RFC 9449 §8).
        const tokenEndpoint = await tokenEndpointOf('a');
        const form = {
          grant_type: 'client_credentials',
          client_id: 'standard-post',
          client_secret: SEEDED_CLIENTS.find((c) => c.client_id === 'standard-post')?.client_secret ?? '',
          scope: 'api.read',
          resource: `${pair.a.origin}/standard/api`,
        };
        const first = await postForm(tokenEndpoint, form, { DPoP: await proof('POST', tokenEndpoint, {}) });
        const tokenNonce = first.headers.get('dpop-nonce') ?? undefined;
        const issued =
          first.status === 200
            ? first
            : await postForm(tokenEndpoint, form, {
                DPoP: await proof('POST', tokenEndpoint, { nonce: tokenNonce }),
              });
        expect(issued.status).toBe(200);
        const token = String(issued.body['access_token']);
        const ath = createHash('sha256').update(token).digest('base64url');
        const callApi = async (which: 'a' | 'b', dpop: string) =>
          fetch(`${on(which).origin}${STANDARD_API_PATH}`, {
            headers: { Authorization: `DPoP ${token}`, DPoP: dpop },
          });
        // A hands out its nonce; B accepts a proof carrying it.
        const askA = await callApi('a', await proof('GET', apiUrl, { ath }));
        expect(askA.status).toBe(401);
        const nonce = askA.headers.get('dpop-nonce') ?? '';
        expect(nonce).not.toBe('');
        const used = await proof('GET', apiUrl, { ath, nonce });
        expect((await callApi('b', used)).status).toBe(200);
        // The same proof again, at A: its jti was seen (by B).
        const replay = await callApi('a', used);
        expect(replay.status).toBe(401);
        expect(replay.headers.get('www-authenticate')).toContain('invalid_dpop_proof');
      });
    }
  });
}

/** The page's hidden inputs plus `fields`, as a browser would submit the form. */
function hiddenFields(page: Page, fields: Record<string, string>): Record<string, string> {
  const hidden: Record<string, string> = {};
  for (const m of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1] ?? ''] = (m[2] ?? '').replaceAll('&amp;', '&');
  }
  return { ...hidden, ...fields };
}
