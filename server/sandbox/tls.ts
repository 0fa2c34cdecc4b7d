/**
 * Opt-in HTTPS for the sandbox (issue 17): a local certificate authority and a certificate for
 * localhost it signs, made on first start with Node's WebCrypto and @peculiar/x509 and kept in the data
 * dir beside the signing key. MSAL and Azure Identity refuse an http authority; with this, a user points
 * them at `https://localhost:<port>` and trusts one file (`NODE_EXTRA_CA_CERTS=<ca path>`).
 *
 * Files (private keys mode 0600): `tls-ca.pem`, `tls-ca-key.pem`, `tls-localhost.pem`,
 * `tls-localhost-key.pem`. What is missing, expired (or about to be), or no longer fits is made again:
 * a new CA also means a new localhost certificate; a localhost certificate not issued by the CA on disk,
 * or without the names below, is replaced.
 */
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodeTls from 'node:tls';

/** The CA certificate's file name in the data dir (what `NODE_EXTRA_CA_CERTS` names). */
export const TLS_CA_FILE = 'tls-ca.pem';
const CA_KEY_FILE = 'tls-ca-key.pem';
const LEAF_FILE = 'tls-localhost.pem';
const LEAF_KEY_FILE = 'tls-localhost-key.pem';

const CA_SUBJECT = 'CN=OAuth Flow Lab sandbox local CA (this machine only), O=OAuth Flow Lab';
const LEAF_SUBJECT = 'CN=localhost';
/** The names the localhost certificate covers (RFC 5280 §4.2.1.6 subjectAltName). */
export const TLS_HOST_NAMES = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

const DAY_MS = 86_400_000;
/** Ten years: the CA is trusted once by hand, so it should rarely change. */
const CA_VALIDITY_MS = 3650 * DAY_MS;
/** 397 days: the longest server certificate browsers accept (CA/Browser Forum baseline, §6.3.2). */
const LEAF_VALIDITY_MS = 397 * DAY_MS;
/** A certificate expiring within this is renewed now rather than failing mid-session. */
const RENEW_MARGIN_MS = DAY_MS;

const EC_KEY: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** What an https listener needs (PEM text) and where the CA is, for the start-up lines. */
export interface SandboxTls {
  /** PEM private key of the localhost certificate (PKCS #8). */
  readonly key: string;
  /** PEM localhost certificate followed by the CA certificate. */
  readonly cert: string;
  /** PEM CA certificate. */
  readonly ca: string;
  /** Absolute path of the CA certificate file: give it to `NODE_EXTRA_CA_CERTS` or a browser. */
  readonly caPath: string;
  /** True when this call made (or renewed) the CA: a browser that trusted the old one must trust this. */
  readonly caCreated: boolean;
  /** When the localhost certificate expires (it is renewed on the first start after, or a day before). */
  readonly notAfter: Date;
}

/**
 * Loads the local CA and localhost certificate from `dataDir`, making (or renewing) what is missing,
 * expired or not matching, and saving it there. Throws with the file's path when a file exists but is
 * not readable PEM of the kind expected (delete it to have it made again).
 */
export async function loadOrCreateTls(dataDir: string, now: Date = new Date()): Promise<SandboxTls> {
  await mkdir(dataDir, { recursive: true });
  const caPath = join(dataDir, TLS_CA_FILE);
  const renewBefore = new Date(now.getTime() + RENEW_MARGIN_MS);

  let caCreated = false;
  let ca = await readPair(dataDir, TLS_CA_FILE, CA_KEY_FILE);
  if (!ca || !ca.certificate.ca || !stillValid(ca.certificate, now, renewBefore)) {
    ca = await createCa(now);
    await savePair(dataDir, TLS_CA_FILE, CA_KEY_FILE, ca);
    caCreated = true;
  }

  let leaf = caCreated ? undefined : await readPair(dataDir, LEAF_FILE, LEAF_KEY_FILE);
  if (
    !leaf ||
    !stillValid(leaf.certificate, now, renewBefore) ||
    !leaf.certificate.checkIssued(ca.certificate) ||
    !leaf.certificate.verify(ca.certificate.publicKey) ||
    !coversHostNames(leaf.certificate)
  ) {
    leaf = await createLeaf(ca, now);
    await savePair(dataDir, LEAF_FILE, LEAF_KEY_FILE, leaf);
  }

  return {
    key: leaf.keyPem,
    cert: `${leaf.certificatePem}${ca.certificatePem}`,
    ca: ca.certificatePem,
    caPath,
    caCreated,
    notAfter: new Date(leaf.certificate.validTo),
  };
}

interface Pair {
  readonly certificate: X509Certificate;
  readonly certificatePem: string;
  readonly keyPem: string;
}

function stillValid(certificate: X509Certificate, now: Date, renewBefore: Date): boolean {
  return new Date(certificate.validFrom) <= now && new Date(certificate.validTo) > renewBefore;
}

function coversHostNames(certificate: X509Certificate): boolean {
  return (
    TLS_HOST_NAMES.dns.every((name) => certificate.checkHost(name, { subject: 'never' }) !== undefined) &&
    TLS_HOST_NAMES.ip.every((ip) => certificate.checkIP(ip) !== undefined)
  );
}

async function readPair(dataDir: string, certFile: string, keyFile: string): Promise<Pair | undefined> {
  const [certificatePem, keyPem] = await Promise.all([
    readOptional(join(dataDir, certFile)),
    readOptional(join(dataDir, keyFile)),
  ]);
  if (certificatePem === undefined || keyPem === undefined) return undefined;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new Error(
      `${join(dataDir, certFile)} is not a PEM certificate; delete it (and ${keyFile}) to have the sandbox make a new one`,
    );
  }
  if (!/^-----BEGIN PRIVATE KEY-----/.test(keyPem.trim()))
    throw new Error(
      `${join(dataDir, keyFile)} is not a PEM private key; delete it (and ${certFile}) to have the sandbox make a new one`,
    );
  return { certificate, certificatePem, keyPem };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function savePair(dataDir: string, certFile: string, keyFile: string, pair: Pair): Promise<void> {
  // The key first: a certificate on disk without its key would be read as missing and made again anyway.
  await writeFile(join(dataDir, keyFile), pair.keyPem, { mode: 0o600 });
  await writeFile(join(dataDir, certFile), pair.certificatePem, { mode: 0o644 });
}

async function x509(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  const lib = await import('@peculiar/x509');
  lib.cryptoProvider.set(webcrypto as unknown as Crypto);
  return lib;
}

/** RFC 5280 §4.1.2.2: a positive serial number of up to 20 octets. */
function serialNumber(): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  return serial.toString('hex');
}

function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${base64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

async function newKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
}

/** Whole seconds: X.509 times carry no milliseconds. Backdated a minute for clocks slightly behind. */
function notBeforeOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 - 60_000);
}

async function createCa(now: Date): Promise<Pair> {
  const lib = await x509();
  const keys = await newKeyPair();
  const notBefore = notBeforeOf(now);
  const certificate = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: CA_SUBJECT,
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_VALIDITY_MS),
    signingAlgorithm: SIGNING,
    keys: keys as CryptoKeyPair,
    extensions: [
      // RFC 5280 §4.2.1.9: a CA that signs end-entity certificates only (path length 0).
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
    ],
  });
  const certificatePem = certificate.toString('pem') + '\n';
  return {
    certificate: new X509Certificate(certificatePem),
    certificatePem,
    keyPem: toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

async function createLeaf(ca: Pair, now: Date): Promise<Pair> {
  const lib = await x509();
  const keys = await newKeyPair();
  const caKey = await webcrypto.subtle.importKey('pkcs8', fromPem(ca.keyPem), EC_KEY, false, ['sign']);
  const caCertificate = new lib.X509Certificate(ca.certificatePem);
  const notBefore = notBeforeOf(now);
  const caEnd = new Date(ca.certificate.validTo).getTime();
  const certificate = await lib.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: LEAF_SUBJECT,
    issuer: caCertificate.subject,
    notBefore,
    // Never past the CA's own end.
    notAfter: new Date(Math.min(notBefore.getTime() + LEAF_VALIDITY_MS, caEnd)),
    signingAlgorithm: SIGNING,
    publicKey: keys.publicKey as CryptoKey,
    signingKey: caKey as CryptoKey,
    extensions: [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
      // RFC 5280 §4.2.1.6; browsers match on subjectAltName only, never the CN (RFC 6125 §6.4.4).
      new lib.SubjectAlternativeNameExtension([
        ...TLS_HOST_NAMES.dns.map((value) => ({ type: 'dns' as const, value })),
        ...TLS_HOST_NAMES.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey as CryptoKey),
      await lib.AuthorityKeyIdentifierExtension.create(caCertificate),
    ],
  });
  const certificatePem = certificate.toString('pem') + '\n';
  return {
    certificate: new X509Certificate(certificatePem),
    certificatePem,
    keyPem: toPem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

/**
 * The start-up lines for an https sandbox: where the CA is, how a program trusts it
 * (`NODE_EXTRA_CA_CERTS`, read by Node when it starts) and where the browser steps are written down.
 */
export function describeTls(tls: SandboxTls, origin: string): string[] {
  return [
    `  https       ${origin} with a certificate from this machine's sandbox CA${tls.caCreated ? ' (new CA, made now)' : ''}`,
    `  CA file     ${tls.caPath}`,
    `              Node programs (MSAL, Azure Identity, openid-client): NODE_EXTRA_CA_CERTS=${tls.caPath}`,
    '              browsers: import it as a trusted authority (docs/sandbox-https.md), or accept the warning once',
  ];
}

/**
 * Whether the command line (`--https`) or `SANDBOX_HTTPS` (`1`/`true`, `0`/`false`) asks for https;
 * undefined when neither says. Throws on another value of the variable, naming it.
 */
export function parseHttpsOption(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): boolean | undefined {
  if (argv.includes('--https')) return true;
  const value = env['SANDBOX_HTTPS']?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new Error(
    `SANDBOX_HTTPS ${JSON.stringify(env['SANDBOX_HTTPS'])} is neither 1 nor 0: set SANDBOX_HTTPS=1 (or pass --https) to serve the sandbox over https, or leave it unset for http`,
  );
}

/**
 * Makes this process trust `caPem` besides its usual roots, for the app server that starts an https
 * sandbox (`npm start -- --https`): its relay and its page prerender reach the sandbox with Node's https
 * and fetch, and Node reads `NODE_EXTRA_CA_CERTS` only when a process starts. A request that names its
 * own CAs is left as it is.
 */
export function trustCaInThisProcess(caPem: string): void {
  // Node 22.19+ / 24.5+ have an API for it (https://nodejs.org/api/tls.html#tlssetdefaultcacertificatescerts).
  const modern = nodeTls as {
    setDefaultCACertificates?: (certificates: string[]) => void;
    getCACertificates?: (type: 'default') => string[];
  };
  if (modern.setDefaultCACertificates && modern.getCACertificates) {
    modern.setDefaultCACertificates([...modern.getCACertificates('default'), caPem]);
    return;
  }
  // Node 20: every TLS context made without its own `ca` gets the certificate added.
  const tlsModule = nodeTls as { createSecureContext: typeof nodeTls.createSecureContext };
  const original = tlsModule.createSecureContext;
  tlsModule.createSecureContext = function createSecureContextTrustingSandboxCa(options) {
    const secureContext = original(options);
    if (!options?.ca) (secureContext.context as { addCACert(certificate: string): void }).addCACert(caPem);
    return secureContext;
  };
}
