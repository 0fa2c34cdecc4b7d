import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  describeTime,
  detectIssuerFamily,
  explainClaim,
  explainHeader,
  isGraphAudience,
  type ClaimContext,
  type IssuerFamily,
  type TokenKind,
} from './claims.ts';
import { decideTokenKind } from './token-kind.ts';
import { PROVIDER_TOKENS, type ProviderToken } from './test-support/token-shapes.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0); // 2025-01-15T12:00:00Z
const nowSeconds = NOW / 1000;

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ENTRA: ClaimContext = {
  kind: 'access',
  payload: { iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT, ver: '2.0' },
};

function token(name: RegExp): ProviderToken {
  const found = PROVIDER_TOKENS.find((t) => name.test(t.name));
  if (found === undefined) throw new Error(`no provider token matches ${name}`);
  return found;
}

/** Explains every claim of a provider token as the token view does. */
function explainAll(t: ProviderToken, kind: TokenKind = t.kind) {
  return Object.fromEntries(
    Object.entries(t.payload).map(([name, value]) => [
      name,
      explainClaim(name, value, { kind, payload: t.payload }),
    ]),
  );
}

describe('describeTime', () => {
  test('RFC 7519 §2: NumericDate shown as ISO 8601 and relative to now', () => {
    expect(describeTime(nowSeconds, NOW)).toEqual({ iso: '2025-01-15T12:00:00Z', relative: 'now' });
    expect(describeTime(nowSeconds + 59 * 60 + 59, NOW).relative).toBe('in 59 min');
    expect(describeTime(nowSeconds - 3 * 60, NOW).relative).toBe('3 min ago');
    expect(describeTime(nowSeconds + 2 * 3600 + 5 * 60, NOW).relative).toBe('in 2 h 5 min');
    expect(describeTime(nowSeconds + 12, NOW).relative).toBe('in 12 s');
    expect(describeTime(nowSeconds - 1, NOW).relative).toBe('1 s ago');
    expect(describeTime(nowSeconds + 3 * 3600, NOW).relative).toBe('in 3 h');
    expect(describeTime(nowSeconds - 90 * 86400 - 3600, NOW).relative).toBe('90 d 1 h ago');
  });

  test('fractional seconds keep their milliseconds', () => {
    expect(describeTime(nowSeconds + 0.5, NOW)).toEqual({ iso: '2025-01-15T12:00:00.500Z', relative: 'now' });
  });

  test('values outside the Date range do not throw', () => {
    expect(describeTime(1e20, NOW)).toEqual({ iso: 'not a valid time', relative: 'not a valid time' });
    expect(describeTime(Number.NaN, NOW).iso).toBe('not a valid time');
  });
});

describe('detectIssuerFamily', () => {
  test.each(PROVIDER_TOKENS.map((t) => [t.name, t] as const))('%s', (_name, t) => {
    const detected = detectIssuerFamily(t.payload);
    expect(detected.family).toBe(t.family);
    expect(detected.signal.length).toBeGreaterThan(0);
  });

  test('Entra national clouds and External ID hosts', () => {
    for (const iss of [
      `https://login.microsoftonline.us/${TENANT}/v2.0`,
      `https://login.partner.microsoftonline.cn/${TENANT}/v2.0`,
      `https://sts.chinacloudapi.cn/${TENANT}/`,
      `https://contoso.ciamlogin.com/${TENANT}/v2.0`,
    ]) {
      expect(detectIssuerFamily({ iss }).family).toBe('entra');
    }
  });

  test('B2C by host, by /tfp/ path, by tfp claim and by acr naming a user flow', () => {
    expect(
      detectIssuerFamily({ iss: `https://login.microsoftonline.com/tfp/${TENANT}/b2c_1_x/v2.0/` }).family,
    ).toBe('entra-b2c');
    expect(
      detectIssuerFamily({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0/`, acr: 'b2c_1_signin' })
        .family,
    ).toBe('entra-b2c');
    expect(
      detectIssuerFamily({ iss: `https://login.contoso.com/${TENANT}/v2.0/`, tfp: 'B2C_1A_signin' }).family,
    ).toBe('entra-b2c');
    // A B2C-looking claim on an issuer of another shape does not make it B2C.
    expect(detectIssuerFamily({ iss: 'https://gitlab.com', tfp: 'B2C_1A_signin' }).family).toBe('generic');
    expect(detectIssuerFamily({ iss: 'https://gitlab.com', aud: 'https://graph.microsoft.com' }).family).toBe(
      'generic',
    );
    expect(detectIssuerFamily({ aud: 'https://graph.microsoft.com/' }).family).toBe('entra');
  });

  test('the lab sandbox: an Entra-shaped issuer on localhost (tid in iss, ver 2.0)', () => {
    const tid = '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10';
    const detected = detectIssuerFamily({ iss: `http://localhost:5174/${tid}/v2.0`, tid, ver: '2.0' });
    expect(detected).toEqual({ family: 'entra', signal: expect.stringContaining('tid') });
    // Without ver, or with a tid that is not in iss, nothing says Entra.
    expect(detectIssuerFamily({ iss: `http://localhost:5174/${tid}/v2.0`, tid }).family).toBe('generic');
    expect(detectIssuerFamily({ iss: 'https://as.example', tid, ver: '2.0' }).family).toBe('generic');
  });

  test('Okta custom domains by their /oauth2/ path with Okta claims; Keycloak by /realms/', () => {
    expect(detectIssuerFamily({ iss: 'https://login.example.com/oauth2/default', cid: 'c' }).family).toBe(
      'okta',
    );
    expect(detectIssuerFamily({ iss: 'https://login.example.com/oauth2/default' }).family).toBe('generic');
    expect(detectIssuerFamily({ iss: 'https://id.example.com/auth/realms/master' }).family).toBe('keycloak');
    // ForgeRock AM's realm paths are not Keycloak's.
    expect(
      detectIssuerFamily({ iss: 'https://id.example.com/am/oauth2/realms/root/realms/alpha' }).family,
    ).toBe('generic');
  });

  test('a claim-based guess never overrides an issuer host that decided', () => {
    expect(
      detectIssuerFamily({
        iss: 'https://accounts.google.com',
        tfp: 'B2C_1_x',
        aud: 'https://graph.microsoft.com',
      }).family,
    ).toBe('google');
  });

  test('the issuers of 13 real providers’ discovery documents', () => {
    const expected: Record<string, IssuerFamily> = {
      apple: 'apple',
      google: 'google',
      'entra-common': 'entra',
      'entra-organizations': 'entra',
    };
    const dir = new URL('../../test-fixtures/providers/', import.meta.url);
    const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(13);
    for (const file of files) {
      const provider = file.replace(/\.json$/, '');
      const { metadata } = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as {
        metadata: { issuer: string };
      };
      const iss = metadata.issuer.replace('{tenantid}', TENANT);
      expect(detectIssuerFamily({ iss }).family, provider).toBe(expected[provider] ?? 'generic');
    }
  });

  test('no iss, or an iss that is not a URL', () => {
    expect(detectIssuerFamily({}).family).toBe('generic');
    expect(detectIssuerFamily({ iss: 42 }).signal).toBe('the token names no issuer');
    expect(detectIssuerFamily({ iss: 'not a url at all' }).family).toBe('generic');
  });
});

describe('isGraphAudience', () => {
  test('every form of Microsoft Graph’s audience, in every cloud', () => {
    for (const aud of [
      '00000003-0000-0000-c000-000000000000',
      '00000003-0000-0000-C000-000000000000',
      'https://graph.microsoft.com',
      'https://graph.microsoft.com/',
      'https://graph.microsoft.us',
      'https://graph.microsoft.us/',
      'https://dod-graph.microsoft.us/',
      'https://microsoftgraph.chinacloudapi.cn',
      'https://microsoftgraph.chinacloudapi.cn/',
      ['api://other', 'https://graph.microsoft.com/'],
    ]) {
      expect(isGraphAudience(aud), String(aud)).toBe(true);
    }
  });

  test('look-alikes are not Graph', () => {
    for (const aud of [
      'https://graph.microsoft.com.evil.example',
      'https://graph.microsoft.com/v1.0/me',
      'http://graph.microsoft.com',
      'api://graph.microsoft.com',
      'graph.microsoft.com',
      '00000002-0000-0000-c000-000000000000',
      42,
      null,
    ]) {
      expect(isGraphAudience(aud), String(aud)).toBe(false);
    }
  });

  test('the aud explanation says Graph for the trailing-slash form', () => {
    const t = token(/v1\.0 Graph/);
    expect(explainAll(t)['aud']?.note).toMatch(/for Microsoft Graph/);
    expect(explainHeader('nonce', 'AQAB', 'entra').note).toMatch(/nobody but Graph can verify/);
  });
});

describe('explainClaim: standard claims', () => {
  test('RFC 7519 §4.1.4: exp is a time', () => {
    const exp = explainClaim('exp', 1736942400, 'access');
    expect(exp.isTime).toBe(true);
    expect(exp.display).toBe('1736942400');
    expect(exp.meaning).toMatch(/^Expiry/);
    expect(exp.appliesTo).toBe('standard');
  });

  test('OIDC Core §2: every ID token claim has its own meaning', () => {
    for (const name of [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'acr',
      'amr',
      'azp',
      'at_hash',
      'c_hash',
    ]) {
      expect(explainClaim(name, 'x', 'id').meaning).not.toMatch(/does not know/);
    }
  });

  test('aud, sub and iss differ with the kind of token', () => {
    expect(explainClaim('aud', 'api://x', 'access').meaning).toMatch(/API/);
    expect(explainClaim('aud', 'client', 'id').meaning).toMatch(/client id/);
    expect(explainClaim('aud', 'https://as/token', 'client-assertion').meaning).toMatch(/token endpoint/);
    expect(explainClaim('aud', 'client', 'logout').meaning).toMatch(/logout/);
    expect(explainClaim('iss', 'client', 'client-assertion').meaning).toMatch(/client itself/);
    expect(explainClaim('sub', 'client', 'client-assertion').meaning).toMatch(/client id again/);
    expect(explainClaim('sid', 's', 'logout').meaning).toMatch(/end every local session/);
  });

  test('nonce: checked in an ID token, meaningless elsewhere', () => {
    expect(explainClaim('nonce', 'n', 'id').note).toMatch(/must check/);
    expect(explainClaim('nonce', 'n', 'access')).not.toHaveProperty('note');
  });

  test('RFC 9068 §2.2: client_id, scope, groups, roles and entitlements of a JWT access token', () => {
    const explained = explainAll(token(/RFC 9068/));
    for (const name of ['client_id', 'scope', 'groups', 'entitlements', 'acr', 'auth_time', 'jti']) {
      expect(explained[name]?.meaning, name).not.toMatch(/does not know/);
      expect(explained[name]?.appliesTo, name).toBe('standard');
    }
    expect(explained['groups']?.meaning).toMatch(/RFC 9068 §2\.2\.3\.1/);
    expect(explainClaim('roles', ['r'], 'access').meaning).toMatch(/RFC 9068/);
    expect(explainClaim('scope', ['a', 'b'], 'access').note).toMatch(/array/);
    expect(
      explainClaim('scp', 'read write', { kind: 'access', payload: { iss: 'https://as.example' } }),
    ).toMatchObject({
      appliesTo: 'standard',
      meaning: expect.stringMatching(/instead of scope/),
    });
  });

  test('RFC 8693 §4.1: act shows the actor chain; nested actors are history', () => {
    const act = explainAll(token(/RFC 8693/))['act'];
    expect(act?.display).toBe('consumer.example.com-web-application (before it: intermediary.example.com)');
    expect(act?.note).toMatch(/Only the outermost actor/);
    expect(explainClaim('act', { sub: 'a' }, 'access')).not.toHaveProperty('note');
    expect(explainClaim('may_act', { sub: 'admin@example.com' }, 'access')).toMatchObject({
      display: 'admin@example.com',
      meaning: expect.stringMatching(/may act/),
    });
    // A hostile chain is bounded.
    let deep: Record<string, unknown> = { sub: 'x' };
    for (let i = 0; i < 10_000; i += 1) deep = { sub: `a${i}`, act: deep };
    expect(typeof explainClaim('act', deep, 'access').display).toBe('string');
  });

  test('OIDC Back-Channel Logout §2.4: events', () => {
    expect(explainAll(token(/logout/))['events']?.meaning).toMatch(/back-channel logout/);
  });

  test('a claim named with a URL is a collision-resistant custom claim (RFC 7519 §4.2)', () => {
    expect(explainClaim('https://example.com/tier', 'gold', 'access').meaning).toMatch(/named with a URL/);
  });
});

describe('explainClaim: claims true for one issuer are shown only for it', () => {
  test('Entra user token: sub is pairwise; app-only token: sub equals oid, nothing pairwise', () => {
    const user = explainAll(token(/v2\.0 access token for a user/));
    expect(user['sub']?.note).toMatch(/Pairwise/);
    expect(user['sub']?.appliesTo).toBe('entra');
    const appOnly = explainAll(token(/app-only access token \(roles/));
    expect(appOnly['sub']?.note).toMatch(/Equal to oid/);
    expect(appOnly['sub']?.note).not.toMatch(/Pairwise/);
    expect(appOnly['roles']?.note).toMatch(/app-only/);
  });

  test('no pairwise note for Google, Okta, Apple, B2C, Auth0, Keycloak or Cognito', () => {
    for (const t of PROVIDER_TOKENS.filter((p) => p.family !== 'entra')) {
      const sub = explainAll(t)['sub'];
      expect(sub?.note ?? '', t.name).not.toMatch(/pairwise|oid/i);
    }
    expect(explainAll(token(/B2C/))['sub']?.note).toMatch(/object ID/);
    expect(explainAll(token(/Apple/))['sub']?.note).toMatch(/developer team/);
    expect(explainAll(token(/Google ID token \(Workspace/))['sub']?.note).toMatch(/never reused/);
  });

  test('no Entra explanation on any non-Entra provider token', () => {
    for (const t of PROVIDER_TOKENS.filter((p) => p.family !== 'entra' && p.family !== 'entra-b2c')) {
      for (const [name, explained] of Object.entries(explainAll(t))) {
        expect(explained.appliesTo, `${t.name}: ${name}`).not.toMatch(/^entra/);
        expect(`${explained.meaning} ${explained.note ?? ''}`, `${t.name}: ${name}`).not.toMatch(
          /Entra|v1\.0 tokens/,
        );
      }
    }
  });

  test('Entra claims are known and scoped to Entra', () => {
    const names = [
      'tid',
      'oid',
      'azpacr',
      'appid',
      'appidacr',
      'scp',
      'roles',
      'ver',
      'uti',
      'rh',
      'aio',
      'idtyp',
    ];
    for (const name of [
      ...names,
      'wids',
      'groups',
      'xms_cc',
      'unique_name',
      'upn',
      'ipaddr',
      'login_hint',
      'hasgroups',
      'idp',
    ]) {
      const explained = explainClaim(name, 'x', ENTRA);
      expect(explained.meaning, name).not.toMatch(/does not know/);
      expect(explained.appliesTo, name).toBe('entra');
    }
    expect(explainClaim('xms_tcdt', 1, ENTRA).meaning).toMatch(/Entra extension claim/);
    // The same names on an issuer this lab has no notes for: no Entra meaning, but said honestly.
    const elsewhere = explainClaim('appidacr', '1', {
      kind: 'access',
      payload: { iss: 'https://as.example' },
    });
    expect(elsewhere.meaning).toMatch(/knows only from Microsoft Entra ID; this issuer defines/);
    expect(elsewhere).not.toHaveProperty('note');
    expect(
      explainClaim('xms_cc', ['cp1'], { kind: 'access', payload: { iss: 'https://as.example' } }).appliesTo,
    ).toBe('standard');
  });

  test('Entra: scp is delegated, roles is application permissions, v1 claims name their v2 equivalent', () => {
    const scp = explainClaim('scp', 'User.Read Mail.Read', ENTRA);
    expect(scp.meaning).toMatch(/delegated/);
    expect(scp.display).toBe('User.Read Mail.Read');
    const roles = explainClaim('roles', ['Mail.Read.All', 'User.Read.All'], ENTRA);
    expect(roles.meaning).toMatch(/application permissions/);
    expect(roles.display).toBe('Mail.Read.All, User.Read.All');
    expect(explainClaim('appid', 'guid', ENTRA).note).toBe(
      'Only in v1.0 tokens; v2.0 tokens use azp instead.',
    );
    expect(explainClaim('appidacr', '1', ENTRA).note).toBe(
      '1: the client proved itself with a client secret. Only in v1.0 tokens; v2.0 tokens use azpacr instead.',
    );
    expect(explainClaim('azpacr', '2', ENTRA).note).toMatch(/certificate/);
    expect(explainClaim('iss', `https://sts.windows.net/${TENANT}/`, ENTRA).note).toMatch(/v1\.0/);
    expect(explainClaim('tid', '9188040d-6c67-4c5b-b112-36a304b66dad', ENTRA).note).toMatch(/personal/);
    expect(explainClaim('idtyp', 'app', ENTRA).note).toMatch(/no user/);
  });

  test('Entra ID token with roles: app roles assigned to the user, not app-only', () => {
    const explained = explainAll(token(/ID token with app roles/));
    expect(explained['roles']?.meaning).toMatch(/App roles assigned to the user/);
    expect(explained['roles']).not.toHaveProperty('note');
  });

  test('Entra groups: object IDs or names, said from the values', () => {
    expect(explainClaim('groups', ['93f37b2a-8fb3-4e17-b0ae-d91ea5a94bb6'], ENTRA).note).toMatch(
      /object IDs/,
    );
    expect(explainClaim('groups', ['Sales', 'Finance'], ENTRA).note).toMatch(/names/);
  });

  test('Okta: scp is an array, ver the integer 1, groups are names, cid and uid', () => {
    const explained = explainAll(token(/Okta access token/));
    expect(explained['scp']).toMatchObject({ display: 'openid, profile, email, groups', appliesTo: 'okta' });
    expect(explained['scp']?.meaning).toMatch(/JSON array/);
    expect(explained['scp']?.meaning).not.toMatch(/delegated|space-separated/);
    expect(explained['ver']).toMatchObject({ display: '1', appliesTo: 'okta' });
    expect(explained['groups']?.note).toMatch(/names/);
    expect(explained['groups']?.note).not.toMatch(/object IDs/);
    expect(explained['cid']?.meaning).toMatch(/Client ID/);
    expect(explained['uid']?.meaning).toMatch(/Okta ID/);
    expect(explained['sub']?.note).toMatch(/login name/);
    expect(explainAll(token(/Okta ID token/))['idp']?.meaning).toMatch(/Okta ID of the identity provider/);
  });

  test('Auth0: permissions, org_id, namespaced roles, aud with /userinfo', () => {
    const explained = explainAll(token(/Auth0 access token/));
    expect(explained['permissions']).toMatchObject({
      display: 'read:messages, write:messages',
      appliesTo: 'auth0',
    });
    expect(explained['org_id']?.meaning).toMatch(/Organization/);
    expect(explained['https://example.com/roles']?.meaning).toMatch(/Roles that an Auth0 Action/);
    expect(explained['aud']?.note).toMatch(/userinfo/);
    expect(explainAll(token(/machine-to-machine/))['gty']?.meaning).toMatch(/machine-to-machine/);
  });

  test('Keycloak: realm and client roles shown as lists, typ, preferred_username', () => {
    const explained = explainAll(token(/Keycloak access token/));
    expect(explained['realm_access']?.display).toBe('offline_access, uma_authorization, default-roles-demo');
    expect(explained['resource_access']?.display).toBe('account: manage-account, view-profile');
    expect(explained['typ']?.meaning).toMatch(/Keycloak's token type/);
    expect(explained['preferred_username']?.note).toMatch(/key on sub/);
    expect(explained['allowed-origins']?.meaning).toMatch(/CORS/);
    // A malformed roles object still renders.
    expect(
      explainClaim('realm_access', { roles: 'admin' }, { kind: 'access', family: 'keycloak' }).display,
    ).toBe('{"roles":"admin"}');
  });

  test('Cognito: groups, token_use, client_id, username', () => {
    const explained = explainAll(token(/Cognito access token/));
    expect(explained['cognito:groups']?.meaning).toMatch(/user pool groups/);
    expect(explained['token_use']?.meaning).toMatch(/"access" or "id"/);
    expect(explained['client_id']?.meaning).toMatch(/no aud/);
    expect(explained['username']?.meaning).toMatch(/key on sub/);
  });

  test('Google: hd, azp, email_verified', () => {
    const explained = explainAll(token(/Google ID token \(Workspace/));
    expect(explained['hd']?.meaning).toMatch(/Hosted domain/);
    expect(explained['azp']?.meaning).toMatch(/Android or iOS/);
    expect(explained['email_verified']?.note).toMatch(/hd/);
  });

  test('Apple: email_verified and is_private_email as strings, real_user_status, nonce_supported', () => {
    const explained = explainAll(token(/Apple/));
    expect(explained['email_verified']?.note).toMatch(/string "true"/);
    expect(explained['is_private_email']?.meaning).toMatch(/private relay/);
    expect(explained['real_user_status']?.note).toBe('2: likely a real person.');
    expect(explained['nonce_supported']?.meaning).toMatch(/nonce is optional/);
  });

  test('every claim of every provider token is explained', () => {
    for (const t of PROVIDER_TOKENS) {
      for (const [name, explained] of Object.entries(explainAll(t))) {
        expect(explained.meaning, `${t.name}: ${name}`).not.toMatch(/does not know/);
      }
    }
  });
});

describe('explainClaim: values real servers send that the specs did not foresee', () => {
  test('exp as a numeric string, in milliseconds, as a float, or null', () => {
    const asString = explainClaim('exp', '1736942400', 'access');
    expect(asString.isTime).toBe(false);
    expect(asString.note).toMatch(/string, not a number/);
    const inMs = explainClaim('exp', 1736942400000, 'access');
    expect(inMs.note).toMatch(/milliseconds.*2025/);
    const float = explainClaim('exp', 1736942400.5, 'access');
    expect(float).toMatchObject({ isTime: true, display: '1736942400.5' });
    expect(float).not.toHaveProperty('note');
    expect(explainClaim('exp', null, 'access').note).toMatch(/null/);
    expect(explainClaim('exp', 'tomorrow', 'access')).toMatchObject({
      isTime: false,
      note: expect.stringMatching(/Not a number/),
    });
  });

  test('booleans sent as strings', () => {
    expect(explainClaim('email_verified', 'false', 'id').note).toMatch(/string "false".*truthy/);
    expect(explainClaim('email_verified', true, 'id')).not.toHaveProperty('note');
  });

  test('aud as an array; several audiences in an ID token without azp', () => {
    expect(explainClaim('aud', ['a', 'b'], 'access').note).toMatch(/2 audiences/);
    expect(explainClaim('aud', ['a', 'b'], { kind: 'id', payload: { aud: ['a', 'b'] } }).note).toMatch(
      /no azp/,
    );
    expect(explainClaim('aud', ['a'], 'id')).not.toHaveProperty('note');
  });

  test('very long arrays say how many values', () => {
    const groups = Array.from({ length: 500 }, (_, i) => `g${i}`);
    expect(explainClaim('groups', groups, 'access').note).toMatch(/500 values/);
  });

  test('unknown claims (including Object.prototype names) get a generic meaning', () => {
    for (const name of ['custom_claim', 'constructor', 'toString', '__proto__']) {
      const explained = explainClaim(name, 1, 'access');
      expect(explained.meaning).toMatch(/does not know/);
      expect(explained).not.toHaveProperty('note');
    }
  });

  test('values of any shape render without throwing', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(explainClaim('x', { a: [1, 'b'] }, 'id').display).toBe('{"a":[1,"b"]}');
    expect(explainClaim('x', null, 'id').display).toBe('null');
    expect(explainClaim('x', [true, { k: 1 }], 'id').display).toBe('true, {"k":1}');
    expect(explainClaim('x', circular, 'id').display).toBe('[object Object]');
    expect(explainClaim('x', Object.create(null), 'id').display).toBe('{}');
  });
});

const FAMILIES: readonly IssuerFamily[] = [
  'entra',
  'entra-b2c',
  'google',
  'apple',
  'okta',
  'auth0',
  'keycloak',
  'cognito',
  'generic',
];
const KINDS: readonly TokenKind[] = ['access', 'id', 'refresh', 'logout', 'client-assertion'];
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(null, 'true', '1.0', 1, 1.7e12, '1736942400', [], {}),
  // Values that would make an Entra note apply if the issuer were Entra.
  fc.constantFrom(
    '2.0',
    'B2C_1_signin',
    'b2c_1a_signup',
    TENANT,
    '9188040d-6c67-4c5b-b112-36a304b66dad',
    'https://graph.microsoft.com/',
    '00000003-0000-0000-c000-000000000000',
    ['93f37b2a-8fb3-4e17-b0ae-d91ea5a94bb6'],
  ),
  fc.array(fc.string(), { maxLength: 200 }),
);
const entraNames = fc.constantFrom(
  'sub',
  'oid',
  'tid',
  'groups',
  'wids',
  'scp',
  'roles',
  'ver',
  'xms_cc',
  'xms_pdl',
  'appidacr',
  'azpacr',
  'idp',
  'upn',
  'unique_name',
  'aud',
  'acr',
  'amr',
  'iss',
  'tfp',
  'hasgroups',
  '_claim_names',
);
const NON_ENTRA_ISSUERS = [
  // The non-Microsoft issuers of test-fixtures/providers, and the families with notes of their own.
  'https://oauth.battle.net',
  'https://discord.com',
  'https://www.dropbox.com',
  'https://www.facebook.com',
  'https://gitlab.com',
  'https://login.klarna.com',
  'https://slack.com',
  'https://accounts.spotify.com',
  'https://web.verimi.de',
  'https://accounts.google.com',
  'accounts.google.com',
  'https://appleid.apple.com',
  'https://dev-1.okta.com/oauth2/default',
  'https://dev-1.okta.com',
  'https://tenant.eu.auth0.com/',
  'https://sso.example.org/realms/staff',
  'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
];

describe('explainClaim on generated claim sets', () => {
  test('fast-check: an Entra-only explanation never appears for a non-Entra iss', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NON_ENTRA_ISSUERS),
        fc.dictionary(entraNames, anyValue, { maxKeys: 10 }),
        fc.constantFrom(...KINDS),
        (iss, claims, kind) => {
          const payload = { ...claims, iss };
          for (const [name, value] of Object.entries(payload)) {
            const explained = explainClaim(name, value, { kind, payload });
            expect(explained.appliesTo).not.toMatch(/^entra/);
            expect(`${explained.meaning} ${explained.note ?? ''}`).not.toMatch(
              /[Pp]airwise|Entra ID uses|v1\.0 tokens|Microsoft Graph|object IDs/,
            );
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  test('fast-check: any claim name, value, kind and family explains without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          entraNames,
          fc.string(),
          fc.constantFrom('act', 'may_act', 'realm_access', 'resource_access', 'exp', 'email_verified'),
        ),
        anyValue,
        fc.constantFrom(...KINDS),
        fc.constantFrom(...FAMILIES),
        fc.dictionary(fc.string(), anyValue, { maxKeys: 5 }),
        (name, value, kind, family, payload) => {
          const explained = explainClaim(name, value, { kind, family, payload });
          expect(typeof explained.display).toBe('string');
          expect(explained.meaning.length).toBeGreaterThan(0);
          expect(typeof explainHeader(name, value, family).display).toBe('string');
        },
      ),
      { numRuns: 400 },
    );
  });

  test('fast-check: every provider token, explained as every kind, keeps its family’s scope', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROVIDER_TOKENS), fc.constantFrom(...KINDS), (t, kind) => {
        for (const explained of Object.values(explainAll(t, kind))) {
          expect(['standard', t.family]).toContain(explained.appliesTo);
        }
        // The kind decided from the token never depends on the kind it is explained as.
        expect(decideTokenKind(t.header, t.payload).kind).toBe(t.kind);
      }),
      { numRuns: 100 },
    );
  });
});

describe('explainHeader', () => {
  test('RFC 7515 §4.1: alg, typ, kid, x5t, x5t#S256', () => {
    for (const name of ['alg', 'typ', 'kid', 'x5t', 'x5t#S256']) {
      expect(explainHeader(name, 'x').meaning).not.toMatch(/does not know/);
    }
    expect(explainHeader('alg', 'none').note).toMatch(/Unsigned/);
  });

  test('RFC 9068 §2.1 and OIDC Back-Channel Logout §2.4: typ values explained', () => {
    expect(explainHeader('typ', 'application/at+jwt').note).toMatch(/RFC 9068/);
    expect(explainHeader('typ', 'logout+jwt').note).toMatch(/logout/);
    expect(explainHeader('typ', 'JWT')).not.toHaveProperty('note');
  });

  test('Microsoft Graph header nonce: only for Entra tokens', () => {
    const nonce = explainHeader('nonce', 'abc', 'entra');
    expect(nonce.meaning).toMatch(/Microsoft Graph/);
    expect(nonce.note).toMatch(/nobody but Graph can verify/);
    expect(explainHeader('nonce', 'abc', 'okta').meaning).toMatch(/does not know/);
  });
});
