/**
 * Test-only credentials and assertions: a self-signed RSA certificate with its private key (generated for
 * these tests, valid until 2126, used nowhere else), Entra's error-body assertion, and helpers that build
 * client assertions (RFC 7523 §2.2) and forged tokens.
 */
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { expect } from 'vitest';
import type { TestSandbox } from './test-support.ts';
import { SANDBOX_TENANT } from './seed.ts';

/** Test certificate (public part), as a person would upload it on the portal. */
export const TEST_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDOzCCAiOgAwIBAgIUNpCOLBXSasPwrlm8u7zGnM0MWmUwDQYJKoZIhvcNAQEL
BQAwLDEqMCgGA1UEAwwhRmxvdyBMYWIgc2FuZGJveCB0ZXN0IGNlcnRpZmljYXRl
MCAXDTI2MTEyMzE5NDgzN1oYDzIxMjYxMDMwMTk0ODM3WjAsMSowKAYDVQQDDCFG
bG93IExhYiBzYW5kYm94IHRlc3QgY2VydGlmaWNhdGUwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQC1bhJXC/k4IrIhSSUVDgaERaSvZA8kKIbzESLh4scg
lY1TXVYTxqv0psrFllagJ5sjAhz18IJDaIKPbziY7TqmNinOe0llOfMFJ70xHmbh
iKtZCw90RExGOr4p/3pBuFfFRHwS/YmYIrcZINBIbzZ/DYGg+kzK1toaVQ62KxY/
jnr5NFLTZdVhiPjUGNhJlnAXp/WoOFayEa5b+CPU3BC5CUIGyhJFKdy3k/WxZNnT
fgjW4oGgXdA5h2rKLsuOW/eTQ09rvo5MaJBaAhDOUMAfAI7I0CqLW+5oZyq3EoUz
lL3VaFX4+FmemqYsAESmxxXZfwPiZYUSDoySNVWxW4m1AgMBAAGjUzBRMB0GA1Ud
DgQWBBQsJTyuaEXW6lcGv1Cgycfnncwu+DAfBgNVHSMEGDAWgBQsJTyuaEXW6lcG
v1Cgycfnncwu+DAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQA5
imOsSNhTQW/ZDNCHXUU2RTIFFGj6NF5l35Te03ojKrYO6w1bw3ZCI6VrrEEPRs9K
mpFfxBK9vtu0WR4ehQzZPcK/bRj+m2aX0P2pLZBBjJ9inaBK3TsS9znsIjfO1JX5
6XDFTW/iqPJ3yUh7DW3Wx0UVZ4AjvJCNbqKSNiMvH0N9Hs2d2H4E0ETUAGqzc5Zw
VKN1Fsymvk+2LwCTNnJ0Ia4N8O0WhDHm8uqdZp9+coaVYQlpTUVN7bh+jDtE6z8Q
7eXZi8aTJs0YJ4ZsldQp2PjcCs3/Fy64jNBB/4VofEEv6YM4KfZlhWCFebZPEMJH
dY3xxu1DHVefyMUWSvaf
-----END CERTIFICATE-----
`;

/** Private key of {@link TEST_CERT_PEM} (test-only). */
export const TEST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC1bhJXC/k4IrIh
SSUVDgaERaSvZA8kKIbzESLh4scglY1TXVYTxqv0psrFllagJ5sjAhz18IJDaIKP
bziY7TqmNinOe0llOfMFJ70xHmbhiKtZCw90RExGOr4p/3pBuFfFRHwS/YmYIrcZ
INBIbzZ/DYGg+kzK1toaVQ62KxY/jnr5NFLTZdVhiPjUGNhJlnAXp/WoOFayEa5b
+CPU3BC5CUIGyhJFKdy3k/WxZNnTfgjW4oGgXdA5h2rKLsuOW/eTQ09rvo5MaJBa
AhDOUMAfAI7I0CqLW+5oZyq3EoUzlL3VaFX4+FmemqYsAESmxxXZfwPiZYUSDoyS
NVWxW4m1AgMBAAECggEAU46xJaPfEKpyDYBpcqv19l84vIpBqu57UGDZBt1xxiD6
aKV46jy6nz9d7egSV0pGWbY0blRpOfBdCQA5Ob0wILKbSHxhThyFPx+RM5kD2uUd
vTGp2WtHEaUmRaNiw/fJfJHQ7tIT15xNZWZGZsXJfHRU+jWsvlJ7OltoHh/z7CrD
8lFfrPAbqTHttIezdtCzl8EjgvO9HPyA1FJRhyGzCxlVR8ZccQWeLowZ4+3jif0L
7RyHsdqvjhN+PHmeDmUopaeWdjasjsi2jcHBxWywjA6JL2VAX1BfnBHKJT2j5M8p
cogetlDK+CT02XJXSwm/eJMq9h4Wr11STRNwJziQ9QKBgQDv6vZrhfQ2ToBSWUhe
gqRSTstPf/TjFb3U97ZWg9ARpncz/QRMjCKcRTc3vaLACg/KI/vRUr5TUmK8Vlh+
q8SVj34trUpwWrftJP1PmFKsqIEdb/+KHKP4sw/r7rLzDz17bSuhI1HGYE9x4Wi3
HrRYlQ3wBy1J1dlnFwbo4iO86wKBgQDBl3IkSFTN6DsMfhOKKuznukAaG8BB+ota
tBn9nY6yP3o1uP8zDBrktVj2x1MzLF0Nrq6RTuaGugMmq7/Acl6ZJYzdKditPJ02
ORzQAn8u4Kcb8BbHqd8T2088nqD0UAdyBoQPWt3oHFeynOMmym7Pq2/RV1sZ1LCO
dFsaqNur3wKBgQCiJ7XLsKsBtYcnoW63aicz9kuV/Q8AGObINXDJAqgz9cYlnkI0
lpah9mo+w25ny6UmY7HEpd87o7hWQSno26Gv0F9g8foY/EfKAbEwBe0DA5TY16To
rTjqU+RT+255t3g/nubZL20K3ndzqf1Dn34XTQ8xhzhF6kLZWYfzCT1MZwKBgCnc
8hXeflg4i+xbpyYNukUyBYKf1adu4ouuvqAVXjI1f9v2MVl8mKQ0gxR6bgd25Hh8
+cr6YOdpehz2rvSSxtofQKLi1bRAk06ScySYJaChfAGSnZp3pYHJvwzA0NWEKNgD
iLM5VxtGZcB+JLDSvbuyuu9uEIk5cSSdDMZrFXXJAoGBAJ5f1HNKHJzBvJJuIVLP
oYkTrkdrMNV2h4siWVYZBaUpkyBbu9FzSVBkQ3MCDokfr8fzDYsL2zb7ZbAzqc0X
RTCa7Mykuz7jPQS/o48ciHET5CJ80vsYmcPTteFafYRvteXBQONzlsRFAf6KcGL9
hviBg/kr6cCCj7+e+aAORWTG
-----END PRIVATE KEY-----
`;

const der = new X509Certificate(TEST_CERT_PEM).raw;

/** RFC 7515 §4.1.8 `x5t#S256` of the test certificate. */
export const TEST_CERT_X5T_S256 = createHash('sha256').update(der).digest('base64url');
/** RFC 7515 §4.1.7 `x5t` (SHA-1) of the test certificate. */
export const TEST_CERT_X5T = createHash('sha1').update(der).digest('base64url');

/** Options for {@link buildClientAssertion}. */
export interface AssertionOptions {
  readonly alg?: 'RS256' | 'PS256';
  readonly header?: Record<string, unknown>;
  readonly claims?: JWTPayload;
  readonly omitJti?: boolean;
}

/** A client assertion signed with the test key, for `clientId` at the sandbox's tenant token endpoint. */
export async function buildClientAssertion(
  sandbox: TestSandbox,
  clientId: string,
  options: AssertionOptions = {},
): Promise<string> {
  const alg = options.alg ?? 'PS256';
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    aud: `${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`,
    iss: clientId,
    sub: clientId,
    nbf: now,
    iat: now,
    exp: now + 600,
    ...(options.omitJti ? {} : { jti: randomUUID() }),
    ...options.claims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT', 'x5t#S256': TEST_CERT_X5T_S256, ...options.header })
    .sign(createPrivateKey(TEST_KEY_PEM));
}

/** Signs arbitrary claims with the sandbox's own signing key (read from its data directory). */
export async function signWithSandboxKey(sandbox: TestSandbox, claims: JWTPayload): Promise<string> {
  const file = JSON.parse(await readFile(join(sandbox.dataDir, 'keys.json'), 'utf8')) as { signingKey: JWK };
  const key = await importJWK(file.signingKey, 'RS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: file.signingKey.kid ?? '' })
    .sign(key);
}

/** Entra's JSON error shape with the given code (STYLE.md: failure paths assert the exact code). */
export function expectEntraError(body: Record<string, unknown>, error: string, code: number): void {
  expect(body['error']).toBe(error);
  expect(body['error_codes']).toEqual([code]);
  const description = String(body['error_description']);
  expect(description.startsWith(`AADSTS${code}: `)).toBe(true);
  expect(description).toMatch(
    /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
  );
  expect(body['timestamp']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(body['trace_id']).toEqual(expect.any(String));
  expect(body['correlation_id']).toEqual(expect.any(String));
  expect(body['error_uri']).toBe(`https://login.microsoftonline.com/error?code=${code}`);
}
