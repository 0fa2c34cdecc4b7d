import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAppManifest, type AppRegistration } from './app-manifest.ts';
import {
  CHECKED_FLOWS,
  checkRegistration,
  parseScopeList,
  type CheckedFlow,
  type Finding,
  type TenantChoice,
} from './registration-checker.ts';

const DIR = new URL('../../test-fixtures/manifests/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, DIR), 'utf8');

interface Case {
  readonly file: string;
  readonly flow: CheckedFlow;
  readonly tenant: TenantChoice;
  readonly scopes: string;
  readonly redirectUri?: string;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}
const EXPECTATIONS = JSON.parse(read('expectations.json')) as {
  readonly now: string;
  readonly cases: readonly Case[];
  readonly unreadable: readonly { readonly file: string; readonly code: string }[];
};
const NOW = new Date(EXPECTATIONS.now);

function registration(file: string): AppRegistration {
  const reading = parseAppManifest(read(file));
  if (!reading.ok) throw new Error(`${file}: ${reading.problem.message}`);
  return reading.registration;
}

function run(c: Case): Finding[] {
  return checkRegistration(registration(c.file), {
    flow: c.flow,
    tenant: c.tenant,
    scopes: parseScopeList(c.scopes),
    ...(c.redirectUri === undefined ? {} : { redirectUri: c.redirectUri }),
    now: NOW,
  });
}

const ids = (findings: readonly Finding[], severity: Finding['severity']) =>
  findings.filter((f) => f.severity === severity).map((f) => f.id);

describe('the corpus (test-fixtures/manifests/expectations.json)', () => {
  test.each(
    EXPECTATIONS.cases.map(
      (c) => [`${c.file} · ${c.flow} · ${c.tenant} · ${c.scopes || '(no scope)'}`, c] as const,
    ),
  )('%s', (_name, c) => {
    const findings = run(c);
    expect(ids(findings, 'problem').sort()).toEqual([...c.problems].sort());
    expect(ids(findings, 'warning').sort()).toEqual([...c.warnings].sort());
    // Every problem and warning says what to do.
    for (const f of findings.filter((x) => x.severity !== 'pass')) expect(f.fix).toBeTruthy();
  });

  test('every manifest of the folder is in a case, there are at least 24, and each finding id is shown broken', () => {
    const files = new Set(EXPECTATIONS.cases.map((c) => c.file));
    const inFolder = readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'expectations.json');
    expect(inFolder.filter((f) => !files.has(f))).toEqual([]);
    expect(files.size).toBeGreaterThanOrEqual(24);
    const raised = new Set(EXPECTATIONS.cases.flatMap((c) => [...c.problems, ...c.warnings]));
    const all = new Set(EXPECTATIONS.cases.flatMap((c) => run(c).map((f) => f.id)));
    // A check that never fails in the corpus is not tested.
    expect([...all].filter((id) => !raised.has(id))).toEqual([]);
  });

  test.each(EXPECTATIONS.unreadable.map((u) => [u.file, u.code] as const))(
    '%s cannot be read: %s',
    (file, code) => {
      const reading = parseAppManifest(read(file));
      expect(reading.ok ? 'read' : reading.problem.code).toBe(code);
    },
  );
});

describe('the AADSTS number each mistake produces', () => {
  const finding = (c: Partial<Case> & Pick<Case, 'file' | 'flow'>, id: string) =>
    run({ tenant: 'tenant', scopes: 'openid User.Read', problems: [], warnings: [], ...c }).find(
      (f) => f.id === id && f.severity !== 'pass',
    );

  test.each([
    [{ file: 'graph-spa-on-web.json', flow: 'spa-code' }, 'redirect-platform', 9002326],
    [{ file: 'graph-web-uri-on-spa.json', flow: 'web-code' }, 'redirect-platform', 9002327],
    [{ file: 'aad-desktop-installed-client.json', flow: 'web-code' }, 'redirect-platform', 700025],
    [{ file: 'graph-desktop-on-web.json', flow: 'desktop-code' }, 'redirect-platform', 7000218],
    [{ file: 'graph-no-redirect.json', flow: 'web-code' }, 'redirect-none', 500113],
    [
      { file: 'graph-spa-wildcard-personal.json', flow: 'spa-code', tenant: 'common' },
      'redirect-wildcard',
      50011,
    ],
    [{ file: 'aad-implicit-off.json', flow: 'implicit' }, 'implicit-id-token', 700054],
    [{ file: 'aad-implicit-off.json', flow: 'implicit' }, 'implicit-access-token', 700051],
    [{ file: 'graph-device-public-off.json', flow: 'device-code' }, 'public-client-flows', 7000218],
    [{ file: 'graph-spa-good.json', flow: 'spa-code', tenant: 'common' }, 'audience-tenant', 50194],
    [{ file: 'graph-device-good.json', flow: 'device-code', tenant: 'consumers' }, 'audience-tenant', 700016],
    [{ file: 'graph-spa-personal-only.json', flow: 'spa-code' }, 'audience-tenant', 9002331],
    [{ file: 'aad-ropc-public-off.json', flow: 'password', tenant: 'consumers' }, 'tenant-required', 9001023],
    [
      { file: 'graph-daemon-good.json', flow: 'client-credentials-secret', scopes: 'User.Read.All' },
      'scope-default',
      1002012,
    ],
    [{ file: 'graph-obo-no-api.json', flow: 'on-behalf-of', scopes: 'Mail.Read' }, 'scope-consent', 65001],
    [{ file: 'graph-obo-no-api.json', flow: 'on-behalf-of', scopes: 'User.Read' }, 'obo-api', 50013],
    [{ file: 'graph-web-secret-expired.json', flow: 'web-code' }, 'secret-expiry', 7000222],
    [{ file: 'graph-web-no-credential.json', flow: 'web-code' }, 'credential-missing', 7000218],
    [
      {
        file: 'graph-daemon-cert-missing.json',
        flow: 'client-credentials-certificate',
        scopes: 'https://graph.microsoft.com/.default',
      },
      'certificate-missing',
      700027,
    ],
    [
      {
        file: 'aad-daemon-cert-expired.json',
        flow: 'client-credentials-certificate',
        scopes: 'https://graph.microsoft.com/.default',
      },
      'certificate-expiry',
      700027,
    ],
    [
      {
        file: 'graph-spa-good.json',
        flow: 'spa-code',
        scopes: 'User.Read api://9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40/x',
      },
      'scope-several-apis',
      700022,
    ],
  ] as const)('%j %s → AADSTS%i', (c, id, aadsts) => {
    expect(finding(c as Case, id)?.aadsts).toBe(aadsts);
  });

  test('generic metadata cites no AADSTS: those are Entra’s', () => {
    const findings = run({
      file: 'metadata-cc-secret-expired.json',
      flow: 'client-credentials-secret',
      tenant: 'tenant',
      scopes: '',
      problems: [],
      warnings: [],
    });
    expect(findings.find((f) => f.id === 'secret-expiry')?.severity).toBe('problem');
    expect(findings.every((f) => f.aadsts === undefined)).toBe(true);
  });

  test('the manifest field to change is named in the pasted format’s spelling', () => {
    const graph = run({
      file: 'graph-device-public-off.json',
      flow: 'device-code',
      tenant: 'tenant',
      scopes: '',
      problems: [],
      warnings: [],
    });
    expect(graph.find((f) => f.id === 'public-client-flows')?.field).toBe('isFallbackPublicClient');
    const aad = run({
      file: 'aad-ropc-public-off.json',
      flow: 'password',
      tenant: 'tenant',
      scopes: '',
      problems: [],
      warnings: [],
    });
    expect(aad.find((f) => f.id === 'public-client-flows')?.field).toBe('allowPublicClient');
  });
});

describe('app-only tokens and the tenant', () => {
  test.each(['common', 'organizations', 'consumers'] as const)(
    'client credentials on /%s: a problem, with no AADSTS number claimed (Entra refuses or picks the home tenant)',
    (tenant) => {
      const f = run({
        file: 'graph-daemon-good.json',
        flow: 'client-credentials-secret',
        tenant,
        scopes: 'https://graph.microsoft.com/.default',
        problems: [],
        warnings: [],
      }).find((x) => x.id === 'tenant-required');
      expect(f?.severity).toBe('problem');
      expect(f?.aadsts).toBeUndefined();
    },
  );
});

describe('expiry is relative to the injected time', () => {
  test('the same secret is fine, then ending soon, then expired', () => {
    const app = registration('graph-web-secret-expiring.json');
    const at = (iso: string) =>
      checkRegistration(app, { flow: 'web-code', tenant: 'tenant', scopes: [], now: new Date(iso) }).find(
        (f) => f.id === 'secret-expiry',
      )?.severity;
    expect(at('2026-01-01T00:00:00Z')).toBe('pass');
    expect(at('2026-06-01T00:00:00Z')).toBe('warning');
    expect(at('2026-06-15T00:00:00Z')).toBe('problem');
  });
});

describe('robustness', () => {
  const flows = Object.keys(CHECKED_FLOWS) as CheckedFlow[];
  const tenants: TenantChoice[] = ['tenant', 'common', 'organizations', 'consumers'];
  test('property: any JSON that reads as a registration is checked without throwing, for every flow and tenant', () => {
    const manifestish = fc.record(
      {
        appId: fc.uuid(),
        signInAudience: fc.constantFrom(
          'AzureADMyOrg',
          'AzureADMultipleOrgs',
          'PersonalMicrosoftAccount',
          'AzureADandPersonalMicrosoftAccount',
        ),
        spa: fc.record({ redirectUris: fc.array(fc.webUrl()) }),
        web: fc.record({ redirectUris: fc.array(fc.oneof(fc.webUrl(), fc.string())) }),
        replyUrlsWithType: fc.array(
          fc.record({ url: fc.string(), type: fc.constantFrom('Web', 'Spa', 'InstalledClient') }),
        ),
        redirect_uris: fc.array(fc.string()),
        grant_types: fc.array(fc.string()),
        isFallbackPublicClient: fc.option(fc.boolean()),
        identifierUris: fc.array(fc.string()),
        passwordCredentials: fc.array(
          fc.record({ endDateTime: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }),
        ),
        requiredResourceAccess: fc.array(
          fc.record({
            resourceAppId: fc.uuid(),
            resourceAccess: fc.array(
              fc.record({ id: fc.uuid(), type: fc.constantFrom('Scope', 'Role', 'x') }),
            ),
          }),
        ),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        manifestish,
        fc.constantFrom(...flows),
        fc.constantFrom(...tenants),
        fc.array(fc.string()),
        fc.string(),
        (json, flow, tenant, scopes, redirectUri) => {
          const reading = parseAppManifest(JSON.stringify(json));
          if (!reading.ok) return;
          const findings = checkRegistration(reading.registration, {
            flow,
            tenant,
            scopes,
            redirectUri,
            now: NOW,
          });
          for (const f of findings) {
            expect(['pass', 'problem', 'warning']).toContain(f.severity);
            if (f.aadsts !== undefined) expect(Number.isInteger(f.aadsts)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('an expired credential does not pass as registered (issue 14)', () => {
  test.each([
    ['graph-web-secret-expired.json', 'web-code', '', 'credential-missing', 'secret-expiry'],
    [
      'aad-daemon-cert-expired.json',
      'client-credentials-certificate',
      'https://graph.microsoft.com/.default',
      'certificate-missing',
      'certificate-expiry',
    ],
  ] as const)('%s · %s', (file, flow, scopes, missingId, expiryId) => {
    const findings = checkRegistration(registration(file), {
      flow,
      tenant: 'tenant',
      scopes: parseScopeList(scopes || 'openid User.Read'),
      now: NOW,
    });
    expect(findings.find((f) => f.id === expiryId)?.severity).toBe('problem');
    expect(findings.some((f) => f.id === missingId && f.severity === 'pass')).toBe(false);
  });
});

describe('a credential is valid from its start date to its end date, judged at the injected time (issue 14)', () => {
  test('the same certificate is not yet valid a minute before its start, valid at it, expired at its end', () => {
    const app = registration('graph-daemon-cert-not-yet-valid.json');
    const at = (iso: string) =>
      checkRegistration(app, {
        flow: 'client-credentials-certificate',
        tenant: 'tenant',
        scopes: ['https://graph.microsoft.com/.default'],
        now: new Date(iso),
      })
        .filter((f) => f.id.startsWith('certificate-'))
        .map((f) => `${f.id}:${f.severity}`)
        .sort();
    expect(at('2026-06-01T14:29:00Z')).toEqual(['certificate-not-yet-valid:problem']);
    expect(at('2026-06-01T14:30:00Z')).toEqual(['certificate-expiry:pass', 'certificate-missing:pass']);
    expect(at('2027-06-01T14:30:00Z')).toEqual(['certificate-expiry:problem']);
  });

  test('the start date is read in both Entra formats, and a future one is named to the minute when not midnight', () => {
    const graph = registration('graph-daemon-cert-not-yet-valid.json');
    const aad = registration('aad-web-secret-not-yet-valid.json');
    expect(graph.certificates[0]?.startsAt?.toISOString()).toBe('2026-06-01T14:30:00.000Z');
    expect(aad.secrets[0]?.startsAt?.toISOString()).toBe('2026-07-01T00:00:00.000Z');
    const finding = checkRegistration(graph, {
      flow: 'client-credentials-certificate',
      tenant: 'tenant',
      scopes: ['https://graph.microsoft.com/.default'],
      now: NOW,
    }).find((f) => f.id === 'certificate-not-yet-valid');
    expect(finding?.detail).toContain('2026-06-01 14:30 UTC');
    expect(finding?.field).toBe('keyCredentials');
    // Microsoft documents no AADSTS number for a credential before its start date: none is claimed.
    expect(finding?.aadsts).toBeUndefined();
  });

  test('a start date that is not a date is a shape problem naming the field, in each format', () => {
    for (const [key, json] of [
      [
        'passwordCredentials[0].startDateTime',
        { appId: 'x', passwordCredentials: [{ startDateTime: 'soon' }] },
      ],
      [
        'keyCredentials[0].startDate',
        { appId: 'x', replyUrlsWithType: [], keyCredentials: [{ startDate: 'next week' }] },
      ],
    ] as const) {
      const reading = parseAppManifest(JSON.stringify(json));
      expect(reading.ok ? '' : reading.problem.message).toContain(`${key} should be a date`);
    }
  });

  const day = 24 * 60 * 60 * 1000;
  const offset = fc.option(fc.integer({ min: -800, max: 800 }), { nil: undefined });
  const span = fc.record({ start: offset, end: offset });
  type Span = { readonly start: number | undefined; readonly end: number | undefined };
  const iso = (days: number) => new Date(NOW.getTime() + days * day).toISOString();

  test.each([
    ['microsoft-graph', 'secret'],
    ['microsoft-graph', 'certificate'],
    ['azure-ad-graph', 'secret'],
    ['azure-ad-graph', 'certificate'],
  ] as const)(
    'property (%s, %s): a valid one passes, else one not yet valid is reported with its earliest start, else expired',
    (format, kind) => {
      const [startKey, endKey] =
        format === 'microsoft-graph' ? ['startDateTime', 'endDateTime'] : ['startDate', 'endDate'];
      const listKey = kind === 'secret' ? 'passwordCredentials' : 'keyCredentials';
      const flow = kind === 'secret' ? 'client-credentials-secret' : 'client-credentials-certificate';
      fc.assert(
        fc.property(fc.array(span, { minLength: 1, maxLength: 4 }), (spans: Span[]) => {
          const credentials = spans.map((s) => ({
            ...(kind === 'certificate' ? { type: 'AsymmetricX509Cert', usage: 'Verify' } : {}),
            ...(s.start === undefined ? {} : { [startKey]: iso(s.start) }),
            ...(s.end === undefined ? {} : { [endKey]: iso(s.end) }),
          }));
          const json =
            format === 'microsoft-graph'
              ? { appId: 'daemon', signInAudience: 'AzureADMyOrg', [listKey]: credentials }
              : {
                  appId: 'daemon',
                  replyUrlsWithType: [],
                  signInAudience: 'AzureADMyOrg',
                  [listKey]: credentials,
                };
          const reading = parseAppManifest(JSON.stringify(json));
          if (!reading.ok) throw new Error(reading.problem.message);
          const findings = checkRegistration(reading.registration, {
            flow,
            tenant: 'tenant',
            scopes: ['https://graph.microsoft.com/.default'],
            now: NOW,
          });
          const lo = (x: number | undefined) => x ?? -Infinity;
          const hi = (x: number | undefined) => x ?? Infinity;
          const valid = spans.some((s) => lo(s.start) <= 0 && hi(s.end) > 0);
          const future = spans.filter((s) => lo(s.start) > 0 && hi(s.end) > 0);
          const own = findings.filter((f) => f.id.startsWith(kind === 'secret' ? 'secret-' : 'certificate-'));
          const notYet = own.find((f) => f.id.endsWith('-not-yet-valid'));
          const missingId = kind === 'secret' ? 'credential-missing' : 'certificate-missing';
          const registered = findings.find((f) => f.id === missingId);
          if (valid) {
            expect(notYet).toBeUndefined();
            expect(registered?.severity).toBe('pass');
            expect(own.filter((f) => f.severity === 'problem')).toEqual([]);
          } else {
            expect(registered).toBeUndefined();
            if (future.length > 0) {
              expect(notYet?.severity).toBe('problem');
              const first = Math.min(...future.map((s) => lo(s.start)));
              expect(notYet?.detail).toContain(iso(first).slice(0, 10));
              expect(own).toHaveLength(1);
            } else {
              expect(notYet).toBeUndefined();
              expect(own.map((f) => `${f.id}:${f.severity}`)).toEqual([
                `${kind === 'secret' ? 'secret' : 'certificate'}-expiry:problem`,
              ]);
            }
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  test('a rotation (the next secret valid before the current one ends) is not "expiring soon"', () => {
    const app = registration('graph-daemon-secret-rotation.json');
    const at = (iso: string) =>
      checkRegistration(app, {
        flow: 'client-credentials-secret',
        tenant: 'tenant',
        scopes: ['https://graph.microsoft.com/.default'],
        now: new Date(iso),
      }).find((f) => f.id === 'secret-expiry')?.severity;
    expect(at('2026-06-01T00:00:00Z')).toBe('pass');
    // Within 30 days of the new secret's end, with nothing after it: a warning again.
    expect(at('2027-05-20T00:00:00Z')).toBe('warning');
  });
});

describe('no false alarm on a redirect URI Entra treats as the same', () => {
  const host = fc.domain();
  const check = (registered: string, sent: string, format: 'entra' | 'metadata') => {
    const json =
      format === 'entra'
        ? { appId: 'spa', signInAudience: 'AzureADMyOrg', spa: { redirectUris: [registered] } }
        : { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: [registered] };
    const reading = parseAppManifest(JSON.stringify(json));
    if (!reading.ok) throw new Error(reading.problem.message);
    return checkRegistration(reading.registration, {
      flow: 'spa-code',
      tenant: 'tenant',
      scopes: [],
      redirectUri: sent,
      now: NOW,
    }).find((f) => f.id === 'redirect-not-registered')?.severity;
  };

  test('property: with no path, https://host and https://host/ match at Entra (reply-url page)', () => {
    fc.assert(
      fc.property(host, fc.boolean(), (h, slashRegistered) => {
        const [registered, sent] = slashRegistered
          ? [`https://${h}/`, `https://${h}`]
          : [`https://${h}`, `https://${h}/`];
        expect(check(registered, sent, 'entra')).toBe('pass');
      }),
    );
  });

  test('property: a path with or without its trailing slash stays two URIs, at Entra and elsewhere', () => {
    fc.assert(
      fc.property(
        host,
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.constantFrom('entra', 'metadata'),
        (h, path, format) => {
          expect(check(`https://${h}/${path}`, `https://${h}/${path}/`, format)).toBe('problem');
        },
      ),
    );
  });

  test('a generic server compares exactly (RFC 9700 §4.1.3), so https://host and https://host/ differ there', () => {
    expect(check('https://rp.example', 'https://rp.example/', 'metadata')).toBe('problem');
  });
});

describe('generic client metadata is not judged by Entra’s rules', () => {
  const flows = Object.keys(CHECKED_FLOWS) as CheckedFlow[];
  test('property: no finding about RFC 7591 metadata cites an AADSTS number or speaks of Entra', () => {
    const metadata = fc.record(
      {
        client_id: fc.string(),
        redirect_uris: fc.array(
          fc.oneof(fc.webUrl(), fc.constantFrom('http://rp.example/cb', 'https://*.rp.example/cb')),
        ),
        grant_types: fc.array(
          fc.constantFrom(
            'authorization_code',
            'client_credentials',
            'implicit',
            'refresh_token',
            'password',
          ),
        ),
        response_types: fc.array(fc.constantFrom('code', 'id_token token', 'code id_token')),
        token_endpoint_auth_method: fc.constantFrom(
          'none',
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
        ),
        client_secret_expires_at: fc.integer({ min: 0, max: 2_000_000_000 }),
        client_secret: fc.string(),
        scope: fc.string(),
        jwks_uri: fc.webUrl(),
      },
      { requiredKeys: ['client_id'] },
    );
    fc.assert(
      fc.property(
        metadata,
        fc.constantFrom(...flows),
        fc.array(
          fc.constantFrom('openid', 'User.Read', 'api://x/read', 'https://graph.microsoft.com/.default'),
        ),
        fc.oneof(fc.constant(''), fc.webUrl()),
        (json, flow, scopes, redirectUri) => {
          const reading = parseAppManifest(JSON.stringify(json));
          if (!reading.ok) return;
          expect(reading.registration.format).toBe('client-metadata');
          for (const f of checkRegistration(reading.registration, {
            flow,
            tenant: 'tenant',
            scopes,
            redirectUri,
            now: NOW,
          })) {
            expect(f.aadsts).toBeUndefined();
            expect(`${f.title} ${f.detail} ${f.fix ?? ''}`).not.toMatch(/\bEntra\b|AADSTS/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isFallbackPublicClient matters only where the request names no redirect URI', () => {
  test('a confidential flow that redeems at a redirect URI gets no warning; one that sends none does', () => {
    const app = registration('graph-web-public-client-on.json');
    const warned = (flow: CheckedFlow) =>
      checkRegistration(app, { flow, tenant: 'tenant', scopes: [], now: NOW }).some(
        (f) => f.id === 'public-client-flows' && f.severity !== 'pass',
      );
    const flows = Object.keys(CHECKED_FLOWS) as CheckedFlow[];
    // Microsoft: the switch is read "where Microsoft Entra ID can't determine the client application type".
    for (const flow of flows.filter((f) => CHECKED_FLOWS[f].platforms !== undefined)) {
      expect(warned(flow), flow).toBe(false);
    }
    expect(warned('client-credentials-secret')).toBe(true);
    expect(warned('client-credentials-certificate')).toBe(true);
    expect(warned('on-behalf-of')).toBe(true);
  });
});
