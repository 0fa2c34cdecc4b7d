import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// A test may look across the layers: this one keeps the protocol's flow ids equal to the registry's.
// eslint-disable-next-line import/no-restricted-paths
import { FLOWS } from '../flows/registry.ts';
import { readMetadata } from './discovery.ts';
import { buildEntraEndpoints, type Endpoints } from './endpoints.ts';
import {
  assessFlowSupport,
  LAB_FLOW_IDS,
  pickFlowSupportMetadata,
  type FlowSupportStatus,
  type LabFlowId,
} from './flow-support.ts';
import { entraFeatureMetadata, pickFeatureMetadata } from './provider-features.ts';

const PROVIDERS_DIR = new URL('../../test-fixtures/providers/', import.meta.url);
function provider(name: string): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(new URL(`${name}.json`, PROVIDERS_DIR), 'utf8')) as {
      metadata: Record<string, unknown>;
    }
  ).metadata;
}

/** The endpoints discovery takes from a fixture (the Entra templates are read as their own issuer). */
function endpointsOf(metadata: Record<string, unknown>): Endpoints {
  const issuer = metadata['issuer'] as string;
  return readMetadata(metadata, issuer, 'openid-configuration', `${issuer}/.well-known/openid-configuration`)
    .endpoints;
}

const O: FlowSupportStatus = 'offered';
const N: FlowSupportStatus = 'not-advertised';
const U: FlowSupportStatus = 'unavailable';

/**
 * Written by reading each document: its token and device endpoints, response_types_supported and
 * grant_types_supported (absent means authorization_code and implicit). Columns in registry order:
 * authorization-code, client-credentials, call-api, device-code, password, implicit, refresh-token,
 * on-behalf-of, then the feature routes: dpop (dpop_signing_alg_values_supported), token-exchange (its
 * grant listed), token-management (any of userinfo, introspection, revocation, end_session endpoints),
 * dynamic-registration (registration_endpoint). Battle.net lists the token-exchange grant.
 */
const EXPECTED: Record<string, readonly FlowSupportStatus[]> = {
  // code only; no grant list; no device endpoint.
  apple: [O, N, O, U, N, U, N, N, N, N, O, U],
  // device endpoint and the URN device grant; no password, no jwt-bearer.
  'battle-net': [O, O, O, O, N, O, O, N, N, O, O, U],
  // code and token; no grant list.
  discord: [O, N, O, U, N, O, N, N, N, N, U, U],
  // code only; lists authorization_code only; token endpoint on another host.
  dropbox: [O, N, O, U, N, U, N, N, N, N, U, U],
  // Entra's documents as documents: no grant list, a device endpoint, implicit response types.
  'entra-common': [O, N, O, N, N, O, N, N, N, N, O, U],
  'entra-organizations': [O, N, O, N, N, O, N, N, N, N, O, U],
  // no token_endpoint: only implicit works.
  facebook: [U, U, O, U, U, O, U, U, U, U, U, U],
  // code only; lists password, client_credentials, "device_code" but has no device endpoint.
  gitlab: [O, O, O, U, O, U, O, N, N, N, O, U],
  // every response type; grants without implicit and password; jwt-bearer listed.
  google: [O, N, O, O, N, N, O, N, N, N, O, U],
  klarna: [O, O, O, U, N, O, O, N, N, N, O, U],
  slack: [O, N, O, U, N, U, N, N, N, N, O, U],
  // code and none; refresh and jwt-bearer listed; no device endpoint although the URN is listed.
  spotify: [O, N, O, U, N, U, O, N, N, N, O, U],
  verimi: [O, O, O, U, N, O, O, N, N, N, O, U],
};

const GRANT_OF: Record<LabFlowId, string | undefined> = {
  'authorization-code': 'authorization_code',
  'client-credentials': 'client_credentials',
  'call-api': undefined,
  'device-code': 'urn:ietf:params:oauth:grant-type:device_code',
  password: 'password',
  implicit: 'implicit',
  'refresh-token': 'refresh_token',
  'on-behalf-of': 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  dpop: undefined,
  'token-exchange': 'urn:ietf:params:oauth:grant-type:token-exchange',
  'token-management': undefined,
  'dynamic-registration': undefined,
};

/** Entra's published feature fields, as the app uses them for Entra and the sandbox tenant. */
const ENTRA_FEATURES = entraFeatureMetadata({
  userinfo: 'https://graph.microsoft.com/oidc/userinfo',
  endSession: 'https://login.microsoftonline.com/common/oauth2/v2.0/logout',
});

/** The feature routes' verdicts for Entra: userinfo and logout only, no DPoP, token exchange or registration. */
const ENTRA_FEATURE_FLOWS: Partial<Record<LabFlowId, FlowSupportStatus>> = {
  dpop: 'not-advertised',
  'token-exchange': 'not-advertised',
  'token-management': 'offered',
  'dynamic-registration': 'unavailable',
};

describe('flow support', () => {
  test('the flow ids are those of the registry, in its order', () => {
    expect([...LAB_FLOW_IDS]).toEqual(FLOWS.map((flow) => flow.id));
  });

  test('the table covers every fixture in test-fixtures/providers', () => {
    const names = readdirSync(PROVIDERS_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.replace(/\.json$/, ''))
      .sort();
    expect(Object.keys(EXPECTED).sort()).toEqual(names);
  });

  test.each(Object.entries(EXPECTED))('%s: the statuses match what its document says', (name, expected) => {
    const metadata = provider(name);
    const support = assessFlowSupport(endpointsOf(metadata), metadata);
    expect(support.map((s) => s.flow)).toEqual([...LAB_FLOW_IDS]);
    expect(support.map((s) => s.status)).toEqual(expected);
    // Stored settings keep only the fields that decide: the verdicts do not change.
    expect(
      assessFlowSupport(endpointsOf(metadata), pickFlowSupportMetadata(metadata), {
        features: pickFeatureMetadata(metadata),
      }),
    ).toEqual(support);
  });

  test('OIDC Discovery §3: Facebook has no token_endpoint, and the reason says so exactly', () => {
    const metadata = provider('facebook');
    const byFlow = new Map(assessFlowSupport(endpointsOf(metadata), metadata).map((s) => [s.flow, s]));
    expect(byFlow.get('authorization-code')?.reason).toBe(
      'There is no token_endpoint, so no code can be redeemed: only the implicit flow works with this provider.',
    );
    expect(byFlow.get('device-code')?.reason).toMatch(/no device_authorization_endpoint/);
    expect(byFlow.get('implicit')?.reason).toMatch(/no grant_types_supported; its default includes implicit/);
  });

  test('response types: code flow needs "code", implicit one with token or id_token', () => {
    const slack = provider('slack');
    const implicit = assessFlowSupport(endpointsOf(slack), slack).find((s) => s.flow === 'implicit');
    expect(implicit?.reason).toBe(
      'response_types_supported lists “code”, and this flow needs one with “token” or “id_token”.',
    );
    const idTokenOnly = assessFlowSupport(endpointsOf(slack), { response_types_supported: ['id_token'] });
    expect(idTokenOnly.find((s) => s.flow === 'authorization-code')?.status).toBe('unavailable');
    expect(idTokenOnly.find((s) => s.flow === 'implicit')?.status).toBe('offered');
  });

  test('RFC 8628 §3.4: "device_code" is not the registered grant name, and the reason says so', () => {
    const gitlab = provider('gitlab');
    const support = assessFlowSupport(
      { ...endpointsOf(gitlab), deviceAuthorization: 'https://gitlab.com/oauth/authorize_device' },
      gitlab,
    );
    const device = support.find((s) => s.flow === 'device-code');
    expect(device?.status).toBe('not-advertised');
    expect(device?.reason).toMatch(/lists “device_code”, which is not the registered name/);
  });

  test('Entra and the sandbox (Entra’s published feature fields): every grant offered, the features as Entra has them', () => {
    const support = assessFlowSupport(
      buildEntraEndpoints('https://login.microsoftonline.com', 'common'),
      undefined,
      {
        features: ENTRA_FEATURES,
      },
    );
    for (const verdict of support)
      expect(verdict.status, verdict.flow).toBe(ENTRA_FEATURE_FLOWS[verdict.flow] ?? 'offered');
  });

  test('typed endpoints without a device endpoint: only device code is unavailable', () => {
    const { deviceAuthorization: _d, ...typed } = buildEntraEndpoints('https://as.example', 't');
    const unavailable = assessFlowSupport(typed).filter((s) => s.status === 'unavailable');
    // No document: nothing says where userinfo, introspection, revocation, logout or registration live.
    expect(unavailable.map((s) => s.flow)).toEqual([
      'device-code',
      'token-management',
      'dynamic-registration',
    ]);
  });

  test('generated documents: one verdict per flow, and each rule holds', () => {
    const grants = [
      'authorization_code',
      'implicit',
      'client_credentials',
      'password',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
    ];
    const needsToken: readonly LabFlowId[] = [
      'authorization-code',
      'client-credentials',
      'device-code',
      'password',
      'refresh-token',
      'on-behalf-of',
    ];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.subarray(grants), { nil: undefined }),
        fc.subarray(['code', 'token', 'id_token', 'code id_token', 'none']),
        (hasToken, hasDevice, grantList, responseTypes) => {
          const endpoints: Endpoints = {
            authorization: 'https://as.example/authorize',
            ...(hasToken ? { token: 'https://as.example/token' } : {}),
            ...(hasDevice ? { deviceAuthorization: 'https://as.example/device' } : {}),
          };
          const metadata = {
            response_types_supported: responseTypes,
            ...(grantList === undefined ? {} : { grant_types_supported: grantList }),
          };
          const support = assessFlowSupport(endpoints, metadata);
          expect(support.map((s) => s.flow)).toEqual([...LAB_FLOW_IDS]);
          for (const s of support) {
            expect(s.reason.length).toBeGreaterThan(10);
            if (!hasToken && needsToken.includes(s.flow)) expect(s.status).toBe('unavailable');
            if (s.flow === 'device-code' && !hasDevice) expect(s.status).toBe('unavailable');
            if (s.flow === 'call-api') expect(s.status).toBe('offered');
            // Not advertised only ever because the list (or its default) leaves the grant out.
            const listed = grantList ?? ['authorization_code', 'implicit'];
            const grant = GRANT_OF[s.flow];
            if (s.status === 'not-advertised' && s.flow !== 'on-behalf-of')
              expect(listed).not.toContain(grant);
            if (s.status === 'offered' && grant !== undefined) expect(listed).toContain(grant);
            // On-behalf-of is Microsoft's profile of jwt-bearer: never offered by a document of another shape.
            if (s.flow === 'on-behalf-of' && s.status !== 'unavailable')
              expect(s.status).toBe('not-advertised');
            if (s.flow === 'implicit' && !responseTypes.some((t) => /token/.test(t)))
              expect(s.status).toBe('unavailable');
          }
        },
      ),
    );
  });
});

describe('Entra tenant aliases (client credentials, ROPC and on-behalf-of docs)', () => {
  const entra = buildEntraEndpoints('https://login.microsoftonline.com', 'common');
  const EXPECTED: Record<string, Partial<Record<LabFlowId, FlowSupportStatus>>> = {
    common: { 'client-credentials': 'unavailable', password: 'unavailable', 'on-behalf-of': 'unavailable' },
    organizations: { 'client-credentials': 'unavailable', 'on-behalf-of': 'unavailable' },
    consumers: {
      'client-credentials': 'unavailable',
      password: 'unavailable',
      'on-behalf-of': 'unavailable',
    },
  };

  test.each(Object.keys(EXPECTED))(
    '/%s: the flows that need a tenant say so and stay fixable in the run',
    (alias) => {
      const support = assessFlowSupport(entra, undefined, { entraTenant: alias, features: ENTRA_FEATURES });
      for (const verdict of support) {
        const expected = EXPECTED[alias]?.[verdict.flow] ?? ENTRA_FEATURE_FLOWS[verdict.flow] ?? 'offered';
        expect(verdict.status, verdict.flow).toBe(expected);
        if (EXPECTED[alias]?.[verdict.flow] === 'unavailable') {
          expect(verdict.fixableInRun).toBe(true);
          expect(verdict.reason).toContain(`/${alias}`);
          expect(verdict.reason).toMatch(/tenant/);
        }
      }
    },
  );

  test('any letter case and surrounding spaces name the same alias', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('common', 'organizations', 'consumers'),
        fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }),
        fc.constantFrom('', ' ', '  '),
        (alias, upper, pad) => {
          const cased = [...alias].map((c, i) => (upper[i] === true ? c.toUpperCase() : c)).join('');
          const support = assessFlowSupport(entra, undefined, { entraTenant: `${pad}${cased}${pad}` });
          expect(support.find((s) => s.flow === 'client-credentials')?.status).toBe('unavailable');
        },
      ),
    );
  });

  test('a tenant id or a domain offers every flow the endpoints allow', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.domain()), (tenant) => {
        const support = assessFlowSupport(entra, undefined, {
          entraTenant: tenant,
          features: ENTRA_FEATURES,
        });
        for (const s of support) expect(s.status).toBe(ENTRA_FEATURE_FLOWS[s.flow] ?? 'offered');
      }),
    );
  });
});

describe('on-behalf-of beyond Entra', () => {
  const endpoints: Endpoints = { authorization: 'https://as.example/a', token: 'https://as.example/t' };
  const jwtBearer = ['authorization_code', 'urn:ietf:params:oauth:grant-type:jwt-bearer'];

  test('Google lists jwt-bearer (service accounts): not advertised, and the reason says why', () => {
    const google = provider('google');
    const obo = assessFlowSupport(endpointsOf(google), google).find((s) => s.flow === 'on-behalf-of');
    expect(obo?.status).toBe('not-advertised');
    expect(obo?.reason).toMatch(/signed assertions such as service accounts/);
  });

  test('Battle.net lists RFC 8693 token exchange: the reason points to it', () => {
    const battle = provider('battle-net');
    const obo = assessFlowSupport(endpointsOf(battle), battle).find((s) => s.flow === 'on-behalf-of');
    expect(obo?.reason).toMatch(/RFC 8693 token exchange/);
  });

  test('an Entra-shaped token endpoint (/{tenant}/oauth2/v2.0/token) that lists jwt-bearer offers it', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uuid(), fc.domain()),
        fc.constantFrom('https://login.microsoftonline.com', 'http://localhost:5174'),
        (tenant, origin) => {
          const entra = { ...endpoints, token: `${origin}/${tenant}/oauth2/v2.0/token` };
          const metadata = { grant_types_supported: jwtBearer };
          expect(assessFlowSupport(entra, metadata).find((s) => s.flow === 'on-behalf-of')?.status).toBe(
            'offered',
          );
        },
      ),
    );
  });

  test('any other token endpoint never offers it, whatever the document lists', () => {
    fc.assert(
      fc.property(
        fc.webUrl(),
        fc.subarray([...jwtBearer, 'urn:ietf:params:oauth:grant-type:token-exchange']),
        (token, grants) => {
          fc.pre(!/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(new URL(token).pathname));
          const metadata = { grant_types_supported: grants };
          const obo = assessFlowSupport({ ...endpoints, token }, metadata).find(
            (s) => s.flow === 'on-behalf-of',
          );
          expect(obo?.status).toBe('not-advertised');
        },
      ),
    );
  });
});
