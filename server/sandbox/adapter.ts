/**
 * In-memory storage for oidc-provider's artifacts (sessions, interactions, codes, grants, refresh tokens),
 * one store per sandbox instance. Expired entries are dropped lazily.
 */
import type { Adapter, AdapterConstructor, AdapterPayload, ClientMetadata } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  readonly expiresAt: number | undefined;
}

/** Options that change how artifacts behave. */
export interface AdapterOptions {
  /**
   * When false (Entra's behaviour), redeeming a refresh token does not mark it used: the old one stays
   * valid. oidc-provider is configured to always issue a new refresh token; this flag decides whether the
   * old one is consumed (rotation, RFC 9700 §4.14.2) or not. Read on every redemption (a runtime setting).
   */
  readonly rotateRefreshTokens: () => boolean;
  /**
   * The client metadata of an app registration as it stands now. oidc-provider reads clients through the
   * adapter's `Client` model on every request and rebuilds its client object whenever the metadata
   * changes, so edits on the portal apply without a restart.
   */
  readonly findClient: (clientId: string) => ClientMetadata | undefined;
}

/** The store behind the adapter, exposed so the sandbox can look artifacts up before oidc-provider does. */
export interface ArtifactStore {
  find(model: string, id: string): AdapterPayload | undefined;
}

/** Creates one artifact store and the adapter class oidc-provider instantiates per model. */
export function createMemoryAdapter(options: AdapterOptions): {
  Adapter: AdapterConstructor;
  store: ArtifactStore;
} {
  const entries = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();

  const get = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  class MemoryAdapter implements Adapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    #key(id: string): string {
      return `${this.#model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = this.#key(id);
      entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      if (payload.grantId) {
        const keys = byGrant.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        byGrant.set(payload.grantId, keys);
      }
      if (payload.uid) byUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.#model === 'Client') return options.findClient(id);
      return get(this.#key(id))?.payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = byUid.get(uid);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = byUserCode.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      if (this.#model === 'RefreshToken' && !options.rotateRefreshTokens()) return;
      const entry = get(this.#key(id));
      if (entry) entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) };
    }

    async destroy(id: string): Promise<void> {
      entries.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
      byGrant.delete(grantId);
    }
  }

  return {
    Adapter: MemoryAdapter,
    store: { find: (model, id) => get(`${model}:${id}`)?.payload },
  };
}
