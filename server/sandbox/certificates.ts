/**
 * Certificate credentials registered on app registrations at runtime (Entra's "Certificates & secrets"),
 * shared by every sandbox instance of the tenant. Only the public certificate is stored, as in Entra.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import type { TenantPart, TenantState } from './tenant-state.ts';

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
  /** The PEM it was read from (what the shared store keeps). */
  readonly pem: string;
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
      pem,
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

/** The `certificates` part of the tenant state: each app's certificates as PEM. */
type StoredCertificates = Readonly<Record<string, readonly string[]>>;

function toStored(byClient: ReadonlyMap<string, readonly RegisteredCertificate[]>): StoredCertificates {
  return Object.fromEntries([...byClient].map(([clientId, list]) => [clientId, list.map((c) => c.pem)]));
}

/**
 * Certificate credentials keyed by client id. Reads are synchronous, from this instance's copy; with a
 * tenant state (tenant-state.ts) every change is written to the shared store first, so every instance
 * of the tenant verifies assertions against the same certificates.
 */
export class CertificateStore implements TenantPart {
  /** The tenant state part name. */
  readonly name = 'certificates';
  #byClient = new Map<string, RegisteredCertificate[]>();
  readonly #tenant: TenantState | undefined;

  constructor(tenant?: TenantState) {
    this.#tenant = tenant;
    tenant?.register(this);
  }

  /** Replaces this instance's copy with the stored certificates (parsed again from their PEM). */
  load(value: unknown): void {
    const stored = (value ?? {}) as StoredCertificates;
    const next = new Map<string, RegisteredCertificate[]>();
    for (const [clientId, pems] of Object.entries(stored)) {
      const known = this.#byClient.get(clientId) ?? [];
      const list = pems.flatMap((pem) => {
        const same = known.find((c) => c.pem === pem);
        if (same) return [same];
        const parsed = parseCertificate(pem);
        return parsed.ok ? [parsed.certificate] : [];
      });
      if (list.length > 0) next.set(clientId, list);
    }
    this.#byClient = next;
  }

  async #change(change: (byClient: Map<string, RegisteredCertificate[]>) => boolean): Promise<boolean> {
    if (!this.#tenant) {
      const copy = new Map<string, RegisteredCertificate[]>(
        [...this.#byClient].map(([id, list]) => [id, [...list]]),
      );
      const changed = change(copy);
      this.#byClient = copy;
      return changed;
    }
    const out = { changed: false };
    await this.#tenant.write<StoredCertificates>(this.name, (current) => {
      // The stored PEMs, with the parsed certificates this instance already holds for them.
      const byClient = new Map<string, RegisteredCertificate[]>();
      for (const [clientId, pems] of Object.entries(current ?? {})) {
        const list = pems.flatMap((pem) => {
          const known = this.#byClient.get(clientId)?.find((c) => c.pem === pem);
          const parsed = known ? undefined : parseCertificate(pem);
          return known ? [known] : parsed?.ok ? [parsed.certificate] : [];
        });
        byClient.set(clientId, list);
      }
      out.changed = change(byClient);
      return toStored(byClient);
    });
    return out.changed;
  }

  /** Registers a certificate; registering the same one twice keeps one entry. */
  async add(clientId: string, cert: RegisteredCertificate): Promise<void> {
    await this.#change((byClient) => {
      const list = byClient.get(clientId) ?? [];
      if (!list.some((c) => c.thumbprintSha256 === cert.thumbprintSha256)) list.push(cert);
      byClient.set(clientId, list);
      return true;
    });
  }

  /** Removes every certificate (the seeded directory has none), for every instance. */
  async clear(): Promise<void> {
    await this.#change((byClient) => {
      byClient.clear();
      return true;
    });
  }

  /** The certificates registered for an app. */
  list(clientId: string): readonly RegisteredCertificate[] {
    return this.#byClient.get(clientId) ?? [];
  }

  /** Removes a certificate by any of its thumbprints; false when none matched. */
  remove(clientId: string, thumbprint: string): Promise<boolean> {
    return this.#change((byClient) => {
      const list = byClient.get(clientId) ?? [];
      const kept = list.filter((c) => !matchesThumbprint(c, thumbprint));
      byClient.set(clientId, kept);
      return kept.length !== list.length;
    });
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
