/**
 * The fast half of the real-provider harness: each of the 13 published documents served from
 * loopback (e2e/support/provider-issuers.ts, real Node http servers on free ports), read through
 * `discoverAuthorizationServer` with an injected fetch, the endpoints it takes, the request sequence
 * it makes, and tokens signed with keys shaped like each published key checked by
 * `verifyJwtSignature` and `fetchIssuerKeys`. The e2e half is e2e/providers.spec.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  documentEndpoints,
  loadProviderFixtures,
  openIdConfigurationUrl,
  originsNamed,
  pathAndQuery,
  publishedIssuer,
  rewriteOrigins,
  rewriteUrl,
  TENANT_TEMPLATE,
} from '../../e2e/support/provider-fixtures.ts';
import { expectationFor, type ExpectedFlow } from '../../e2e/support/provider-expectations.ts';
import { startProviderIssuers, type ProviderIssuers } from '../../e2e/support/provider-issuers.ts';
import {
  buildShapedKeySet,
  membersNotBase64Url,
  signPretendingToBe,
  signWithShapedKey,
  type ShapedKeySet,
} from '../../e2e/support/shaped-keys.ts';
import { discoverAuthorizationServer, type FetchMetadata } from './discovery.ts';
import { buildEntraEndpoints, ENTRA_GLOBAL_ORIGIN } from './endpoints.ts';
import { ProtocolViolationError } from './errors.ts';
import { fetchIssuerKeys, parseTokenIssuer } from './issuer-keys.ts';
import { assessFlowSupport } from './flow-support.ts';
import { verifyJwtSignature } from './verify.ts';

const FIXTURES = loadProviderFixtures();
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** The app's metadata fetch, done with Node's fetch against the loopback servers; records the order. */
function recordingFetch(seen: string[]): FetchMetadata {
  return async (url) => {
    seen.push(url);
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      return { status: response.status, body: undefined };
    }
  };
}

const claimsFor = (issuer: string, extra: Record<string, unknown> = {}) => ({
  iss: issuer,
  sub: 'provider-harness-user',
  aud: 'provider-harness-client',
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
  ...extra,
});

/** The verdicts as the expectation table spells them, reasons checked for the fields they must name. */
function expectFlowTable(
  actual: readonly { flow: string; status: string; reason: string }[],
  expected: Readonly<Record<string, ExpectedFlow>>,
): void {
  expect(actual.map((row) => row.flow)).toEqual(Object.keys(expected));
  expect(Object.fromEntries(actual.map((row) => [row.flow, row.status]))).toEqual(
    Object.fromEntries(Object.entries(expected).map(([flow, row]) => [flow, row.status])),
  );
  for (const row of actual) {
    expect(row.reason.trim(), row.flow).not.toBe('');
    const names = expected[row.flow]?.names;
    if (names !== undefined)
      expect(
        names.some((name) => row.reason.includes(name)),
        `${row.flow}: ${row.reason}`,
      ).toBe(true);
  }
}

test('the fixtures are the 13 providers of issue 8, each with a document and a key set', () => {
  expect(FIXTURES.map((f) => f.id)).toEqual([
    'apple',
    'battle-net',
    'discord',
    'dropbox',
    'entra-common',
    'entra-organizations',
    'facebook',
    'gitlab',
    'google',
    'klarna',
    'slack',
    'spotify',
    'verimi',
  ]);
  for (const fixture of FIXTURES) {
    expect(typeof fixture.metadata['issuer']).toBe('string');
    expect(fixture.jwks.keys.length).toBeGreaterThan(0);
    expect(() => expectationFor(fixture.id)).not.toThrow();
  }
});

test('rewriting moves the origin only: path, trailing slash, query and case stay as written', () => {
  const map = new Map([['https://idp.example.com', 'http://localhost:47399']]);
  fc.assert(
    fc.property(
      fc.array(fc.stringMatching(/^[A-Za-z0-9._~{}-]{0,12}$/), { maxLength: 5 }),
      fc.boolean(),
      fc.option(fc.stringMatching(/^[a-z]{1,6}=[A-Za-z0-9]{0,6}$/), { nil: undefined }),
      fc.constantFrom('https://idp.example.com', 'HTTPS://IDP.example.com', 'https://idp.example.com:443'),
      (segments, trailing, query, written) => {
        const rest = `${segments.length === 0 ? '' : `/${segments.join('/')}`}${trailing ? '/' : ''}${
          query === undefined ? '' : `?${query}`
        }`;
        expect(rewriteUrl(`${written}${rest}`, map)).toBe(`http://localhost:47399${rest}`);
        // Another origin, or text that is no URL, is left alone.
        expect(rewriteUrl(`https://other.example.com${rest}`, map)).toBe(`https://other.example.com${rest}`);
        expect(rewriteUrl(`idp.example.com${rest}`, map)).toBe(`idp.example.com${rest}`);
      },
    ),
  );
});

test('generated issuers with paths and trailing slashes: served where the specs say, found there, nothing else asked', async () => {
  const generic = FIXTURES.filter((f) => expectationFor(f.id).discovery.kind === 'found');
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...generic),
      // Dot segments ("." and "..") are removed by every URL parser, so no issuer has them.
      fc.array(
        fc.stringMatching(/^[A-Za-z0-9._~-]{1,10}$/).filter((segment) => !/^\.+$/.test(segment)),
        { maxLength: 3 },
      ),
      fc.boolean(),
      fc.constantFrom('openid-configuration' as const, 'oauth-authorization-server' as const),
      async (fixture, segments, trailing, wellKnown) => {
        // The same published document, its issuer moved under a path (Keycloak, Okta and Auth0 shapes).
        const original = fixture.metadata['issuer'] as string;
        const path = `${segments.map((segment) => `/${segment}`).join('')}${trailing ? '/' : ''}`;
        const moved = { ...fixture, metadata: { ...fixture.metadata, issuer: `${original}${path}` } };
        const served = await startProviderIssuers(moved, { basePort: 0, wellKnown });
        try {
          const seen: string[] = [];
          const result = await discoverAuthorizationServer(served.issuer, recordingFetch(seen));
          const oidc = openIdConfigurationUrl(served.issuer);
          expect(seen).toEqual(wellKnown === 'openid-configuration' ? [oidc] : [oidc, served.discoveryUrl]);
          expect(result.url).toBe(served.discoveryUrl);
          expect(result.issuer).toBe(served.issuer);
          expect(result.endpoints.jwks).toBe(served.jwksUri);
          expect(served.requests.filter((r) => r.status === 200)).toHaveLength(1);
        } finally {
          await served.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('OIDC Discovery §4.1: a templated Entra issuer is published under its tenant alias', () => {
  const common = FIXTURES.find((f) => f.id === 'entra-common')!;
  expect(publishedIssuer(common.metadata)).toBe('https://login.microsoftonline.com/common/v2.0');
  expect(openIdConfigurationUrl(publishedIssuer(common.metadata))).toBe(
    'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  );
});

describe.each(FIXTURES.map((fixture) => [fixture.id, fixture] as const))(
  '%s from loopback',
  (id, fixture) => {
    const expectation = expectationFor(id);
    const templated = expectation.discovery.kind === 'entra-template';
    let issuers: ProviderIssuers;
    let shaped: ShapedKeySet;

    beforeAll(async () => {
      issuers = await startProviderIssuers(fixture, {
        basePort: 0,
        ...(templated ? { tenants: [TENANT_ID] } : {}),
      });
      shaped = await buildShapedKeySet(fixture.jwks);
    });
    afterAll(async () => {
      await issuers.close();
    });

    test('every URL in the served document is on loopback, with its path exactly as published', () => {
      const served = issuers.metadata;
      expect(originsNamed(served).every((origin) => /^http:\/\/localhost:\d+$/.test(origin))).toBe(true);
      expect(originsNamed(served)).toHaveLength(originsNamed(fixture.metadata).length);
      for (const [field, value] of Object.entries(fixture.metadata)) {
        if (typeof value === 'string' && /^https:\/\//.test(value))
          expect(pathAndQuery(served[field] as string), field).toBe(pathAndQuery(value));
        else expect(served[field], field).toEqual(rewriteOrigins(value, issuers.origins));
      }
    });

    if (!templated) {
      test('discovery reads the document at the issuer’s well-known URL, first try, and takes its endpoints', async () => {
        const seen: string[] = [];
        const result = await discoverAuthorizationServer(issuers.issuer, recordingFetch(seen));
        expect(seen).toEqual([openIdConfigurationUrl(issuers.issuer)]);
        expect(result.attempts).toEqual([{ url: issuers.discoveryUrl, status: 200 }]);
        expect(result.issuer).toBe(issuers.issuer);
        expect(result.kind).toBe('openid-configuration');
        const expected = documentEndpoints(issuers.metadata);
        expect(result.endpoints.authorization).toBe(expected.authorization);
        expect(result.endpoints.token).toBe(expected.token);
        expect(result.endpoints.deviceAuthorization).toBe(expected.deviceAuthorization);
        expect(result.endpoints.jwks).toBe(expected.jwks);
        expect(result.endpoints.discovery).toBe(issuers.discoveryUrl);
        expect(issuers.requests.map((r) => [r.path, r.status])).toEqual([
          ['/.well-known/openid-configuration', 200],
        ]);
        // The flows this provider supports are offered; the others say why not.
        expectFlowTable(assessFlowSupport(result.endpoints, result.document), expectation.flows);
      });

      test('RFC 8414 §3.1: served only at oauth-authorization-server, discovery falls back to it', async () => {
        const moved = await startProviderIssuers(fixture, {
          basePort: 0,
          wellKnown: 'oauth-authorization-server',
        });
        try {
          const seen: string[] = [];
          const result = await discoverAuthorizationServer(moved.issuer, recordingFetch(seen));
          expect(seen).toEqual([openIdConfigurationUrl(moved.issuer), moved.discoveryUrl]);
          expect(result.attempts.map((a) => a.status)).toEqual([404, 200]);
          expect(result.kind).toBe('oauth-authorization-server');
          expect(result.endpoints.jwks).toBe(moved.jwksUri);
        } finally {
          await moved.close();
        }
      });
    } else {
      const tenant = expectation.discovery.kind === 'entra-template' ? expectation.discovery.tenant : '';

      test('discovery under a generic issuer is refused with the Entra explanation, after one request', async () => {
        const seen: string[] = [];
        const attempt = discoverAuthorizationServer(issuers.issuer, recordingFetch(seen));
        await expect(attempt).rejects.toBeInstanceOf(ProtocolViolationError);
        await expect(attempt).rejects.toThrow(/choose Microsoft Entra ID/);
        await expect(attempt).rejects.toThrow(issuers.metadata['issuer'] as string);
        expect(seen).toEqual([openIdConfigurationUrl(issuers.issuer)]);
        expect(issuers.issuer).toMatch(new RegExp(`/${tenant}/v2\\.0$`));
      });

      test('the Entra authority’s endpoints for the alias are the ones the document publishes', () => {
        const endpoints = buildEntraEndpoints(ENTRA_GLOBAL_ORIGIN, tenant);
        const published = documentEndpoints(fixture.metadata);
        expect(endpoints.authorization).toBe(published.authorization);
        expect(endpoints.token).toBe(published.token);
        expect(endpoints.deviceAuthorization).toBe(published.deviceAuthorization);
        expect(endpoints.jwks).toBe(published.jwks);
        expect(endpoints.discovery).toBe(openIdConfigurationUrl(publishedIssuer(fixture.metadata)));
        // The flow table under the Entra authority depends on the tenant alias, which Settings knows
        // and the endpoints alone need not say: e2e/providers.spec.ts checks it as the user sees it.
      });
    }

    test('a token signed with a key shaped like each published key verifies (kid, alg, x5c as published)', async () => {
      expect(shaped.jwks.keys.map((k) => Object.keys(k))).toEqual(
        fixture.jwks.keys.map((k) => Object.keys(k)),
      );
      for (const key of shaped.keys) {
        const token = await signWithShapedKey(key, claimsFor(issuers.issuer));
        const verdict = await verifyJwtSignature(token, shaped.jwks as never);
        expect(verdict, `key ${key.index}`).toMatchObject({ kind: 'valid', alg: key.alg });
        if (key.kid !== undefined) expect(verdict).toMatchObject({ kid: key.kid });
      }
    });

    test('against the published keys, a token naming a published kid but signed elsewhere is a bad signature (a malformed key: unusable)', async () => {
      const first = fixture.jwks.keys[0]!;
      const token = await signPretendingToBe(first, claimsFor(issuers.issuer));
      const verdict = await verifyJwtSignature(token, fixture.jwks as never);
      const malformed = membersNotBase64Url(first);
      if (malformed.length === 0) expect(verdict.kind).toBe('invalid');
      else {
        // RFC 7518 §6.3.1.1: n and e are base64url. Battle.net publishes n in standard base64 with
        // padding: the key is unusable, said with the member named, never a bad signature.
        expect(verdict.kind).toBe('unusable-key');
        for (const member of malformed)
          expect((verdict as { reason: string }).reason).toContain(`"${member}"`);
      }
    });

    test('the key lookup for the token’s issuer goes discovery → jwks_uri on loopback', async () => {
      issuers.useKeys(shaped.jwks);
      issuers.clearRequests();
      try {
        const documentIssuer = issuers.metadata['issuer'] as string;
        const iss = templated ? documentIssuer.replace(TENANT_TEMPLATE, TENANT_ID) : issuers.issuer;
        const parsed = parseTokenIssuer(iss);
        if (parsed.kind !== 'url') throw new Error(`${iss} was not read as a URL: ${JSON.stringify(parsed)}`);
        const fetched: string[] = [];
        const keys = await fetchIssuerKeys(
          parsed,
          templated ? TENANT_ID : undefined,
          recordingFetch(fetched),
        );
        expect(fetched).toEqual([openIdConfigurationUrl(iss), issuers.jwksUri]);
        expect(keys.jwksUri).toBe(issuers.jwksUri);
        expect(keys.issuerCheck).toEqual({ kind: 'identical' });
        const key = shaped.keys[shaped.keys.length - 1]!;
        const token = await signWithShapedKey(key, claimsFor(iss, templated ? { tid: TENANT_ID } : {}));
        expect(await verifyJwtSignature(token, keys.jwks)).toMatchObject({ kind: 'valid' });
        expect(issuers.requests.every((r) => r.status === 200)).toBe(true);
      } finally {
        issuers.useKeys('published');
      }
    });
  },
);
