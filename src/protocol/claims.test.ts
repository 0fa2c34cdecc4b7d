import { describe, expect, test } from 'vitest';
import { describeTime, explainClaim, explainHeader } from './claims.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0); // 2025-01-15T12:00:00Z
const nowSeconds = NOW / 1000;

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

describe('explainClaim', () => {
  test('RFC 7519 §4.1.4: exp is a time', () => {
    const exp = explainClaim('exp', 1736942400, 'access');
    expect(exp.isTime).toBe(true);
    expect(exp.display).toBe('1736942400');
    expect(exp.meaning).toMatch(/^Expiry/);
  });

  test('a time claim that is not a number is not treated as a time', () => {
    expect(explainClaim('exp', 'tomorrow', 'access').isTime).toBe(false);
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

  test('standard and Entra claims are all known', () => {
    const names = [
      'nbf',
      'jti',
      'sid',
      'email',
      'name',
      'preferred_username',
      'given_name',
      'family_name',
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
      'wids',
      'groups',
      'xms_cc',
      'unique_name',
      'upn',
      'ipaddr',
      'login_hint',
      'hasgroups',
      'idp',
    ];
    for (const name of names) expect(explainClaim(name, 'x', 'access').meaning).not.toMatch(/does not know/);
  });

  test('aud differs between access and ID tokens', () => {
    expect(explainClaim('aud', 'api://x', 'access').meaning).toMatch(/API/);
    expect(explainClaim('aud', 'client', 'id').meaning).toMatch(/client id/);
  });

  test('Entra access tokens: scp is delegated, roles is application permissions', () => {
    const scp = explainClaim('scp', 'User.Read Mail.Read', 'access');
    expect(scp.meaning).toMatch(/delegated/);
    expect(scp.display).toBe('User.Read Mail.Read');
    const roles = explainClaim('roles', ['Mail.Read.All', 'User.Read.All'], 'access');
    expect(roles.meaning).toMatch(/application permissions/);
    expect(roles.display).toBe('Mail.Read.All, User.Read.All');
    expect(roles.note).toMatch(/app-only/);
  });

  test('Entra v1 claims name their v2 equivalent', () => {
    expect(explainClaim('appid', 'guid', 'access').note).toBe(
      'Only in v1.0 tokens; v2.0 tokens use azp instead.',
    );
    expect(explainClaim('appidacr', '1', 'access').note).toBe(
      '1: the client proved itself with a client secret. Only in v1.0 tokens; v2.0 tokens use azpacr instead.',
    );
    expect(explainClaim('unique_name', 'a@b', 'access').note).toMatch(/preferred_username/);
    expect(explainClaim('upn', 'a@b', 'access').note).toMatch(/preferred_username/);
  });

  test('Entra: azpacr values, issuer versions, consumer tenant, Graph audience', () => {
    expect(explainClaim('azpacr', '0', 'access').note).toMatch(/public client/);
    expect(explainClaim('azpacr', '2', 'access').note).toMatch(/certificate/);
    expect(explainClaim('iss', 'https://sts.windows.net/t/', 'access').note).toMatch(/v1\.0/);
    expect(explainClaim('iss', 'https://login.microsoftonline.com/t/v2.0', 'id').note).toMatch(/v2\.0/);
    expect(explainClaim('tid', '9188040d-6c67-4c5b-b112-36a304b66dad', 'id').note).toMatch(/personal/);
    expect(explainClaim('aud', '00000003-0000-0000-c000-000000000000', 'access').note).toMatch(/Graph/);
    expect(explainClaim('idtyp', 'app', 'access').note).toMatch(/no user/);
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

describe('explainHeader', () => {
  test('RFC 7515 §4.1: alg, typ, kid, x5t, x5t#S256', () => {
    for (const name of ['alg', 'typ', 'kid', 'x5t', 'x5t#S256']) {
      expect(explainHeader(name, 'x').meaning).not.toMatch(/does not know/);
    }
    expect(explainHeader('alg', 'none').note).toMatch(/Unsigned/);
  });

  test('Microsoft Graph header nonce: third parties cannot verify the signature', () => {
    const nonce = explainHeader('nonce', 'abc');
    expect(nonce.meaning).toMatch(/Microsoft Graph/);
    expect(nonce.note).toMatch(/nobody but Graph can verify/);
  });
});
