import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { loadOrCreateTls, parseHttpsOption, TLS_CA_FILE } from './tls.ts';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-tls-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const DAY = 86_400_000;

describe('local CA and localhost certificate (issue 17)', () => {
  test('first start: a CA and a localhost certificate it signs, SAN localhost/127.0.0.1/::1, keys 0600', async () => {
    const dir = await freshDir();
    const tls = await loadOrCreateTls(dir);
    expect(tls.caCreated).toBe(true);
    expect(tls.caPath).toBe(join(dir, TLS_CA_FILE));
    const ca = new X509Certificate(await readFile(tls.caPath, 'utf8'));
    const leaf = new X509Certificate(await readFile(join(dir, 'tls-localhost.pem'), 'utf8'));
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    // RFC 5280 §6: the leaf chains to the CA.
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkHost('example.org')).toBeUndefined();
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    // Browsers refuse server certificates valid for more than 398 days.
    expect(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)).toBeLessThanOrEqual(398 * DAY);
    for (const key of ['tls-ca-key.pem', 'tls-localhost-key.pem'])
      expect((await stat(join(dir, key))).mode & 0o777).toBe(0o600);
    expect(tls.cert).toContain(tls.ca.trim());
  });

  test('a later start reuses both; an expired localhost certificate is renewed under the same CA', async () => {
    const dir = await freshDir();
    const first = await loadOrCreateTls(dir);
    const again = await loadOrCreateTls(dir);
    expect(again.caCreated).toBe(false);
    expect(again.cert).toBe(first.cert);
    expect(again.key).toBe(first.key);

    const later = new Date(first.notAfter.getTime() + DAY);
    const renewed = await loadOrCreateTls(dir, later);
    expect(renewed.caCreated).toBe(false);
    expect(renewed.ca).toBe(first.ca);
    expect(renewed.key).not.toBe(first.key);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(later.getTime());
    // Renewed a day before it runs out, not after it failed.
    const almost = await loadOrCreateTls(dir, new Date(renewed.notAfter.getTime() - DAY / 2));
    expect(almost.key).not.toBe(renewed.key);
  });

  test('an expired CA is made again, with a new localhost certificate, and says so', async () => {
    const dir = await freshDir();
    const first = await loadOrCreateTls(dir);
    const ca = new X509Certificate(first.ca);
    const renewed = await loadOrCreateTls(dir, new Date(Date.parse(ca.validTo) + DAY));
    expect(renewed.caCreated).toBe(true);
    expect(renewed.ca).not.toBe(first.ca);
    expect(new X509Certificate(renewed.cert).checkIssued(new X509Certificate(renewed.ca))).toBe(true);
  });

  test('a localhost certificate from another CA is replaced by one the CA on disk signs', async () => {
    const [a, b] = [await freshDir(), await freshDir()];
    await loadOrCreateTls(a);
    const other = await loadOrCreateTls(b);
    await copyFile(join(b, 'tls-localhost.pem'), join(a, 'tls-localhost.pem'));
    await copyFile(join(b, 'tls-localhost-key.pem'), join(a, 'tls-localhost-key.pem'));
    const fixed = await loadOrCreateTls(a);
    expect(fixed.caCreated).toBe(false);
    expect(fixed.key).not.toBe(other.key);
    expect(new X509Certificate(fixed.cert).checkIssued(new X509Certificate(fixed.ca))).toBe(true);
  });

  test('property: a CA file that is not a certificate stops the start, naming the file and the fix', async () => {
    const dir = await freshDir();
    await loadOrCreateTls(dir);
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), async (junk) => {
        fc.pre(!junk.includes('-----BEGIN CERTIFICATE-----'));
        await writeFile(join(dir, TLS_CA_FILE), junk);
        await expect(loadOrCreateTls(dir)).rejects.toThrow(
          new RegExp(`${TLS_CA_FILE} is not a PEM certificate; delete it`),
        );
      }),
      { numRuns: 20 },
    );
  });
});

describe('--https / SANDBOX_HTTPS', () => {
  test('the flag or 1/true turn it on; 0/false/empty/unset leave http; the flag wins', () => {
    expect(parseHttpsOption(['--https'], {})).toBe(true);
    expect(parseHttpsOption(['--https'], { SANDBOX_HTTPS: '0' })).toBe(true);
    expect(parseHttpsOption([], { SANDBOX_HTTPS: '1' })).toBe(true);
    expect(parseHttpsOption([], { SANDBOX_HTTPS: ' TRUE ' })).toBe(true);
    expect(parseHttpsOption([], { SANDBOX_HTTPS: 'false' })).toBe(false);
    expect(parseHttpsOption([], { SANDBOX_HTTPS: '0' })).toBe(false);
    expect(parseHttpsOption([], { SANDBOX_HTTPS: '' })).toBeUndefined();
    expect(parseHttpsOption(['--host'], {})).toBeUndefined();
  });

  test('property: any other value is refused, quoting it and saying what to set', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (value) => {
        fc.pre(!['', '0', '1', 'true', 'false'].includes(value.trim().toLowerCase()));
        expect(() => parseHttpsOption([], { SANDBOX_HTTPS: value })).toThrow(
          `SANDBOX_HTTPS ${JSON.stringify(value)} is neither 1 nor 0: set SANDBOX_HTTPS=1`,
        );
      }),
    );
  });
});
