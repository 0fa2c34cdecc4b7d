import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAppManifest } from '../../protocol/app-manifest.ts';
import {
  CHECKED_FLOWS,
  checkRegistration,
  type CheckedFlow,
  type TenantChoice,
} from '../../protocol/registration-checker.ts';
import { cataloguedAadsts } from '../explain-error.ts';
import { aadstsTitle } from './registration-check.tsx';

const DIR = new URL('../../../test-fixtures/manifests/', import.meta.url);
const FLOWS = Object.keys(CHECKED_FLOWS) as CheckedFlow[];
const TENANTS: TenantChoice[] = ['tenant', 'common', 'organizations', 'consumers'];
const CATALOGUED = new Set(cataloguedAadsts());
const NOW = new Date('2026-06-01T00:00:00Z');

describe('the checker cites only errors the explainer knows', () => {
  test('every AADSTS number any corpus manifest can produce, for every flow and tenant, is catalogued', () => {
    const cited = new Set<number>();
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'expectations.json')) {
      const reading = parseAppManifest(readFileSync(new URL(file, DIR), 'utf8'));
      if (!reading.ok) continue;
      for (const flow of FLOWS) {
        for (const tenant of TENANTS) {
          for (const scopes of [
            [],
            ['User.Read', 'Mail.Read'],
            ['https://graph.microsoft.com/.default'],
            ['User.Read', 'api://x/y'],
          ]) {
            for (const f of checkRegistration(reading.registration, {
              flow,
              tenant,
              scopes,
              redirectUri: 'https://nope/',
              now: NOW,
            })) {
              if (f.aadsts !== undefined) cited.add(f.aadsts);
            }
          }
        }
      }
    }
    expect(cited.size).toBeGreaterThanOrEqual(15);
    expect([...cited].filter((n) => !CATALOGUED.has(n))).toEqual([]);
    // The page shows the explainer's own title for each.
    for (const n of cited) expect(aadstsTitle(n)).toBeTruthy();
  });

  test('property: for any manifest-like JSON, cited numbers are catalogued', () => {
    const json = fc.record(
      {
        appId: fc.uuid(),
        signInAudience: fc.constantFrom(
          'AzureADMyOrg',
          'AzureADMultipleOrgs',
          'PersonalMicrosoftAccount',
          'AzureADandPersonalMicrosoftAccount',
        ),
        spa: fc.record({ redirectUris: fc.array(fc.oneof(fc.webUrl(), fc.constant('https://*.x.com/cb'))) }),
        web: fc.record({
          redirectUris: fc.array(fc.oneof(fc.webUrl(), fc.constant('http://example.com/cb'))),
          implicitGrantSettings: fc.record({
            enableIdTokenIssuance: fc.boolean(),
            enableAccessTokenIssuance: fc.boolean(),
          }),
        }),
        publicClient: fc.record({
          redirectUris: fc.array(fc.constantFrom('http://localhost', 'msal://auth')),
        }),
        isFallbackPublicClient: fc.option(fc.boolean()),
        api: fc.record({
          requestedAccessTokenVersion: fc.constantFrom(null, 1, 2),
          oauth2PermissionScopes: fc.array(fc.record({ value: fc.string() })),
        }),
        identifierUris: fc.array(fc.string()),
        passwordCredentials: fc.array(
          fc.record({ endDateTime: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) }),
        ),
        keyCredentials: fc.array(
          fc.record({
            endDateTime: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            type: fc.constant('AsymmetricX509Cert'),
          }),
        ),
        requiredResourceAccess: fc.array(
          fc.record({
            resourceAppId: fc.oneof(fc.uuid(), fc.constant('00000003-0000-0000-c000-000000000000')),
            resourceAccess: fc.array(fc.record({ id: fc.uuid(), type: fc.constantFrom('Scope', 'Role') })),
          }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        json,
        fc.constantFrom(...FLOWS),
        fc.constantFrom(...TENANTS),
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom(
              'User.Read',
              'https://graph.microsoft.com/.default',
              'api://a/b',
              'offline_access',
            ),
          ),
        ),
        (manifest, flow, tenant, scopes) => {
          const reading = parseAppManifest(JSON.stringify(manifest));
          if (!reading.ok) return;
          for (const f of checkRegistration(reading.registration, { flow, tenant, scopes, now: NOW })) {
            if (f.aadsts !== undefined)
              expect(CATALOGUED.has(f.aadsts), `AADSTS${f.aadsts} (${f.id})`).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
