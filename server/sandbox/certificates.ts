/**
 * Certificate credentials registered on app registrations at runtime (Entra's "Certificates & secrets"),
 * kept in memory per sandbox instance. Only the public certificate is stored, as in Entra.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

/** A certificate as the portal API lists it. */
export interface CertificateSummary {
  /** base64url SHA-256 of the DER certificate: the `x5t#S256` JWS header value (RFC 7515 §4.1.8). */
  readonly thumbprintSha256: string;
  /** Hex SHA-1 of the DER certificate, as Entra's portal shows thumbprints. */
  readonly thumbprintSha1Hex: string;
  readonly subject: string;
  /** ISO 8601 end of validity. */
  readonly notAfter: string;
}

/** A registered certificate with its public key. */
export interface RegisteredCertificate extends CertificateSummary {
  /** base64url SHA-1 of the DER certificate: the `x5t` JWS header value (RFC 7515 §4.1.7). */
  readonly thumbprintSha1: string;
  readonly publicKey: KeyObject;
}

/** Result of parsing an uploaded certificate. */
export type CertificateParseResult =
  | { readonly ok: true; readonly certificate: RegisteredCertificate }
  | { readonly ok: false; readonly message: string };

/** Parses a PEM X.509 certificate holding an RSA public key (RS256 / PS256 client assertions). */
export function parseCertificate(pem: string): CertificateParseResult {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    return { ok: false, message: 'Expected a PEM certificate (-----BEGIN CERTIFICATE-----).' };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    return { ok: false, message: `Not a readable X.509 certificate: ${(err as Error).message}.` };
  }
  const keyType = cert.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa') {
    return {
      ok: false,
      message: `The certificate's key is ${keyType ?? 'unknown'}; the sandbox verifies RSA keys (RS256, PS256).`,
    };
  }
  const sha256 = createHash('sha256').update(cert.raw).digest();
  const sha1 = createHash('sha1').update(cert.raw).digest();
  return {
    ok: true,
    certificate: {
      thumbprintSha256: sha256.toString('base64url'),
      thumbprintSha1Hex: sha1.toString('hex').toUpperCase(),
      thumbprintSha1: sha1.toString('base64url'),
      subject: cert.subject.replaceAll('\n', ', '),
      notAfter: new Date(cert.validTo).toISOString(),
      publicKey: cert.publicKey,
    },
  };
}

/** The public view of a registered certificate. */
export function summarizeCertificate(cert: RegisteredCertificate): CertificateSummary {
  return {
    thumbprintSha256: cert.thumbprintSha256,
    thumbprintSha1Hex: cert.thumbprintSha1Hex,
    subject: cert.subject,
    notAfter: cert.notAfter,
  };
}

/** In-memory certificate credentials, keyed by client id. */
export class CertificateStore {
  readonly #byClient = new Map<string, RegisteredCertificate[]>();

  /** Registers a certificate; registering the same one twice keeps one entry. */
  add(clientId: string, cert: RegisteredCertificate): void {
    const list = this.#byClient.get(clientId) ?? [];
    if (!list.some((c) => c.thumbprintSha256 === cert.thumbprintSha256)) list.push(cert);
    this.#byClient.set(clientId, list);
  }

  /** Removes every certificate (the seeded directory has none). */
  clear(): void {
    this.#byClient.clear();
  }

  /** The certificates registered for an app. */
  list(clientId: string): readonly RegisteredCertificate[] {
    return this.#byClient.get(clientId) ?? [];
  }

  /** Removes a certificate by any of its thumbprints; false when none matched. */
  remove(clientId: string, thumbprint: string): boolean {
    const list = this.list(clientId);
    const kept = list.filter((c) => !matchesThumbprint(c, thumbprint));
    this.#byClient.set(clientId, kept);
    return kept.length !== list.length;
  }

  /** Finds the certificate a JWS header names: `x5t#S256` first, else `x5t` (SHA-1). */
  findByHeader(
    clientId: string,
    header: { readonly 'x5t#S256'?: unknown; readonly x5t?: unknown },
  ): RegisteredCertificate | undefined {
    const s256 = header['x5t#S256'];
    const sha1 = header.x5t;
    return this.list(clientId).find((c) =>
      typeof s256 === 'string'
        ? c.thumbprintSha256 === s256
        : typeof sha1 === 'string' && c.thumbprintSha1 === sha1,
    );
  }
}

function matchesThumbprint(cert: RegisteredCertificate, thumbprint: string): boolean {
  return (
    cert.thumbprintSha256 === thumbprint ||
    cert.thumbprintSha1 === thumbprint ||
    cert.thumbprintSha1Hex === thumbprint.toUpperCase()
  );
}
