/**
 * The standards issuer's seeded clients, one per client authentication method (RFC 6749 §2.3, OIDC Core
 * §9), and the directory the app reads them from. Every secret here is a sandbox-only value, published on
 * purpose. Dynamically registered clients (RFC 7591) live in the artifact store, not here.
 */
import type { ClientMetadata } from 'oidc-provider';
import type { JWK } from 'jose';
import { CALLBACK_PATH, DEFAULT_APP_ORIGIN } from '../seed.ts';
import type { TenantPart, TenantState } from '../tenant-state.ts';

/** The five client authentication methods the standards issuer accepts. */
export const CLIENT_AUTH_METHODS = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** The protected resource's scope (RFC 8707 resource `${issuer}/api`). */
export const API_SCOPE = 'api.read';
/** Scopes a seeded client may ask for. */
export const CLIENT_SCOPE = `openid profile email offline_access ${API_SCOPE}`;

/**
 * RFC 6749 §2.3.1: client id and secret are form-encoded before Basic. This secret has characters that
 * change under that encoding (`:`, `+`, `/`, `&`, `=`, `%`), so a client that skips it is refused.
 */
export const BASIC_CLIENT_SECRET = 'sandbox-only:Basic+Secret/&=%25-7Qm2';

/** One seeded client as the directory publishes it. */
export interface SeededClient {
  readonly client_id: string;
  readonly client_name: string;
  readonly client_secret?: string;
  readonly token_endpoint_auth_method: ClientAuthMethod;
  readonly note: string;
}

/** The seeded clients, in the order the directory lists them. */
export const SEEDED_CLIENTS: readonly SeededClient[] = [
  {
    client_id: 'standard-basic',
    client_name: 'Standard client (client_secret_basic)',
    client_secret: BASIC_CLIENT_SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    note: 'Sends its secret in an Authorization: Basic header. The secret has characters that must be form-encoded first (RFC 6749 §2.3.1); a client that skips that step is refused.',
  },
  {
    client_id: 'standard-post',
    client_name: 'Standard client (client_secret_post)',
    client_secret: 'sandbox-only~Post.Secret-3vR8kL2nW5qT9xZ1',
    token_endpoint_auth_method: 'client_secret_post',
    note: 'Sends client_id and client_secret in the form body of each request.',
  },
  {
    client_id: 'standard-jwt',
    client_name: 'Standard client (client_secret_jwt)',
    client_secret: 'sandbox-only~Jwt.Secret-8hY4mP6cB2dF7gK0',
    token_endpoint_auth_method: 'client_secret_jwt',
    note: 'Proves itself with a short JWT signed with HS256 using its secret (RFC 7523, OIDC Core §9). The secret itself never travels. Also signs request objects (JAR) with HS256.',
  },
  {
    client_id: 'standard-private-key',
    client_name: 'Standard client (private_key_jwt)',
    token_endpoint_auth_method: 'private_key_jwt',
    note: 'Proves itself with a JWT signed by its own private key (RFC 7523). Register the public key first: POST {"keys":[publicJwk]} to /standard/portal/api/clients/standard-private-key/jwks, or use dynamic registration.',
  },
  {
    client_id: 'standard-spa',
    client_name: 'Standard single-page app (public, PKCE)',
    token_endpoint_auth_method: 'none',
    note: 'A public client: no secret, so PKCE (S256) is required.',
  },
];

/** The app's redirect URI; any loopback port is accepted for it (the port is ignored, RFC 8252 §7.3). */
export const APP_REDIRECT_URI = `${DEFAULT_APP_ORIGIN}${CALLBACK_PATH}`;
/** Where RP-initiated logout may send the browser back to. */
export const APP_POST_LOGOUT_REDIRECT_URIS = [`${DEFAULT_APP_ORIGIN}/`, APP_REDIRECT_URI] as const;

function withJwks(metadata: ClientMetadata, keys: readonly JWK[]): ClientMetadata {
  return { ...metadata, jwks: { keys: keys.map((k) => ({ ...k })) } };
}

/** The grants a seeded client may use, given the grants the provider has registered. */
function grantTypesFor(client: SeededClient, registered: ReadonlySet<string>): string[] {
  const wanted =
    client.token_endpoint_auth_method === 'none'
      ? ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']
      : [
          'authorization_code',
          'refresh_token',
          'client_credentials',
          'urn:ietf:params:oauth:grant-type:device_code',
          'urn:ietf:params:oauth:grant-type:token-exchange',
        ];
  return wanted.filter((g) => registered.has(g));
}

/** The `standard-clients` part of the tenant state: the public keys registered per seeded client. */
type StoredJwks = Readonly<Record<string, readonly JWK[]>>;

/**
 * The seeded clients as oidc-provider metadata, kept as one object per client until it changes (the
 * provider rebuilds its client when the metadata it reads differs). With a tenant state
 * (tenant-state.ts) the keys registered on the portal are written to the shared store first, so every
 * sandbox instance verifies the client's assertions with them. Dynamically registered clients are
 * oidc-provider artifacts, shared through its adapter.
 */
export class SeededClientStore implements TenantPart {
  /** The tenant state part name. */
  readonly name = 'standard-clients';
  readonly #metadata = new Map<string, ClientMetadata>();
  readonly #seeded = new Map<string, ClientMetadata>();
  readonly #tenant: TenantState | undefined;

  constructor(registeredGrants: ReadonlySet<string>, tenant?: TenantState) {
    this.#tenant = tenant;
    for (const client of SEEDED_CLIENTS) {
      this.#metadata.set(client.client_id, {
        client_id: client.client_id,
        client_name: client.client_name,
        ...(client.client_secret ? { client_secret: client.client_secret } : {}),
        token_endpoint_auth_method: client.token_endpoint_auth_method,
        application_type: 'web',
        redirect_uris: [APP_REDIRECT_URI],
        post_logout_redirect_uris: [...APP_POST_LOGOUT_REDIRECT_URIS],
        response_types: ['code'],
        grant_types: grantTypesFor(client, registeredGrants),
        // No `scope` member: oidc-provider checks it against its OIDC scopes only, and `api.read` belongs
        // to the resource (RFC 8707), so the directory states the client's scopes instead.
        ...(client.token_endpoint_auth_method === 'private_key_jwt' ? { jwks: { keys: [] } } : {}),
      });
    }
    for (const [id, metadata] of this.#metadata) this.#seeded.set(id, metadata);
    tenant?.register(this);
  }

  /** Replaces this instance's copy with the stored keys; unchanged clients keep their metadata object. */
  load(value: unknown): void {
    const stored = (value ?? {}) as StoredJwks;
    for (const [clientId, seeded] of this.#seeded) {
      const keys = stored[clientId];
      const next = keys === undefined ? seeded : withJwks(seeded, keys);
      const current = this.#metadata.get(clientId);
      if (JSON.stringify(current?.jwks) !== JSON.stringify(next.jwks)) this.#metadata.set(clientId, next);
    }
  }

  /** The current metadata of a seeded client. */
  find(clientId: string): ClientMetadata | undefined {
    return this.#metadata.get(clientId);
  }

  /** True for the ids of the seeded clients. */
  has(clientId: string): boolean {
    return this.#metadata.has(clientId);
  }

  /** Replaces a seeded client's public keys (RFC 7591 §2 `jwks`), for every instance of the tenant. */
  async setJwks(clientId: string, keys: readonly JWK[]): Promise<void> {
    const current = this.#metadata.get(clientId);
    if (!current) throw new Error(`no seeded client ${clientId}`);
    if (!this.#tenant) {
      this.#metadata.set(clientId, withJwks(current, keys));
      return;
    }
    const copies = keys.map((k) => ({ ...k }));
    await this.#tenant.write<StoredJwks>(this.name, (stored) => ({ ...stored, [clientId]: copies }));
  }

  /** The seeded clients as the directory publishes them (metadata plus the note and any secret). */
  directoryEntries(): readonly Record<string, unknown>[] {
    return SEEDED_CLIENTS.map((client) => {
      const metadata = this.#metadata.get(client.client_id);
      return {
        client_id: client.client_id,
        client_name: client.client_name,
        ...(client.client_secret ? { client_secret: client.client_secret } : {}),
        token_endpoint_auth_method: client.token_endpoint_auth_method,
        redirect_uris: metadata?.redirect_uris ?? [],
        post_logout_redirect_uris: metadata?.post_logout_redirect_uris ?? [],
        grant_types: metadata?.grant_types ?? [],
        scope: CLIENT_SCOPE,
        note: client.note,
        ...(metadata?.jwks ? { jwks_registered: (metadata.jwks.keys ?? []).length } : {}),
      };
    });
  }
}
