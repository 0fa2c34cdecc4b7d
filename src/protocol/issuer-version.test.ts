import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { explainHeader, explainClaim, detectIssuerFamily } from './claims.ts';
import { buildIssuerMetadataUrls } from './issuer-keys.ts';
import { explainV1AccessTokenIssuer, parseEntraV1Issuer } from './issuer-version.ts';
import { decideTokenKind } from './token-kind.ts';
import { precheckSignature } from './verify.ts';

const tenant = fc.uuid();
const loopback = fc.record({
  host: fc.constantFrom('localhost', '127.0.0.1', '[::1]'),
  port: fc.integer({ min: 1, max: 65535 }),
  scheme: fc.constantFrom('http', 'https'),
});

describe('Entra v1.0 issuers (access-tokens#validate-the-issuer)', () => {
  test('the sandbox copy {origin}/sts/{tid}/ is read with its v2.0 issuer and v1.0 metadata URL', () => {
    fc.assert(
      fc.property(loopback, tenant, ({ host, port, scheme }, tid) => {
        const origin = `${scheme}://${host}:${port}`;
        const iss = `${origin}/sts/${tid}/`;
        expect(parseEntraV1Issuer(iss)).toEqual({
          issuer: iss,
          tenantId: tid,
          v2Issuer: `${origin}/${tid}/v2.0`,
          metadataUrl: `${origin}/${tid}/.well-known/openid-configuration`,
          sandbox: true,
        });
        expect(buildIssuerMetadataUrls(iss)).toEqual([`${origin}/${tid}/.well-known/openid-configuration`]);
      }),
    );
  });

  test("Entra's own sts.windows.net and sts.chinacloudapi.cn map to their login hosts", () => {
    fc.assert(
      fc.property(tenant, (tid) => {
        expect(parseEntraV1Issuer(`https://sts.windows.net/${tid}/`)).toMatchObject({
          v2Issuer: `https://login.microsoftonline.com/${tid}/v2.0`,
          sandbox: false,
        });
        expect(parseEntraV1Issuer(`https://sts.chinacloudapi.cn/${tid}/`)).toMatchObject({
          v2Issuer: `https://login.partner.microsoftonline.cn/${tid}/v2.0`,
          sandbox: false,
        });
      }),
    );
  });

  test('anything else is not a v1.0 issuer, and nothing throws', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(() => parseEntraV1Issuer(value)).not.toThrow();
        expect(() => explainV1AccessTokenIssuer({ iss: value, scp: 'x' })).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(loopback, tenant, ({ host, port }, tid) => {
        const origin = `http://${host}:${port}`;
        for (const iss of [
          `${origin}/${tid}/v2.0`,
          `${origin}/sts/${tid}`,
          `https://evil.example/sts/${tid}/`,
          `https://login.microsoftonline.com/${tid}/v2.0`,
          `https://sts.windows.net/${tid}`,
        ]) {
          expect(parseEntraV1Issuer(iss), iss).toBeUndefined();
        }
      }),
    );
  });

  test('a v1.0 API access token explains the issuer difference and both fixes; Graph tokens and ID tokens do not', () => {
    fc.assert(
      fc.property(loopback, tenant, fc.boolean(), ({ host, port }, tid, sandbox) => {
        const origin = `http://${host}:${port}`;
        const iss = sandbox ? `${origin}/sts/${tid}/` : `https://sts.windows.net/${tid}/`;
        const v2 = sandbox ? `${origin}/${tid}/v2.0` : `https://login.microsoftonline.com/${tid}/v2.0`;
        const text = explainV1AccessTokenIssuer({
          iss,
          aud: `api://${tid}`,
          scp: 'access_as_user',
          ver: '1.0',
        });
        expect(text).toContain(iss);
        expect(text).toContain(v2);
        expect(text).toContain('accessTokenAcceptedVersion to 2');
        expect(text).toContain('accept the v1.0 issuer');
        expect(
          explainV1AccessTokenIssuer({ iss, aud: 'https://graph.microsoft.com', scp: 'User.Read' }),
        ).toBe(undefined);
        expect(explainV1AccessTokenIssuer({ iss, aud: 'client', nonce: 'n' })).toBeUndefined();
        expect(explainV1AccessTokenIssuer({ iss: v2, aud: 'x', scp: 'y' })).toBeUndefined();
      }),
    );
  });

  test('the token view calls the sandbox v1.0 issuer what it is; a sandbox Graph token is not verifiable by design', () => {
    fc.assert(
      fc.property(loopback, tenant, ({ host, port }, tid) => {
        const payload = {
          iss: `http://${host}:${port}/sts/${tid}/`,
          tid,
          ver: '1.0',
          aud: 'https://graph.microsoft.com',
        };
        expect(detectIssuerFamily(payload).family).toBe('entra');
        const note = explainClaim('iss', payload.iss, { kind: 'access', payload }).note ?? '';
        expect(note).toContain('v1.0 issuer format');
        const verdict = precheckSignature({ alg: 'RS256', kid: 'k', nonce: 'abc' }, payload);
        expect(verdict?.kind).toBe('not-verifiable');
        expect(verdict !== undefined && 'reason' in verdict ? verdict.reason : '').toContain(
          'only Graph can check its signature',
        );
        expect(explainHeader('nonce', 'abc', 'entra').note).toContain('nobody but Graph');
      }),
    );
  });

  test('token kind: the sandbox’s v1.0 user and app-only tokens are access tokens, read as Entra’s', () => {
    fc.assert(
      fc.property(loopback, tenant, fc.boolean(), ({ host, port }, tid, appOnly) => {
        const payload = {
          iss: `http://${host}:${port}/sts/${tid}/`,
          aud: appOnly ? 'https://graph.microsoft.com' : `api://${tid}`,
          tid,
          ver: '1.0',
          appid: tid,
          appidacr: appOnly ? '1' : '0',
          ...(appOnly ? { idtyp: 'app', roles: ['User.Read.All'] } : { scp: 'access_as_user', upn: 'a@b.c' }),
        };
        const decision = decideTokenKind({ alg: 'RS256', typ: 'JWT', kid: 'k', x5t: 'k' }, payload);
        expect(decision.kind).toBe('access');
        expect(decision.confidence).not.toBe('none');
      }),
    );
  });
});
