/**
 * In-memory storage for oidc-provider's artifacts (sessions, interactions, codes, grants, refresh tokens),
 * one store per sandbox instance (the default; store/redis-adapter.ts keeps them in the shared store when
 * several instances serve one tenant). Expired entries are dropped when read and, without being read, by a
 * sweep: on a timer (unref'd, so it never keeps the process alive) and on writes once the sweep interval
 * has passed, so a burst of short-lived flows leaves nothing behind once its artifacts expire.
 */
import type { Adapter, AdapterConstructor, AdapterPayload, ClientMetadata } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  readonly expiresAt: number | undefined;
}

/** How often expired entries are swept without being read (milliseconds), unless overridden. */
export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

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
   * changes, so edits on the portal apply without a restart. When it knows none, a client the issuer
   * registered itself (RFC 7591 dynamic registration, stored like any artifact) is looked up.
   */
  readonly findClient: (clientId: string) => ClientMetadata | undefined;
  /** Sweep interval in milliseconds (default {@link DEFAULT_SWEEP_INTERVAL_MS}). */
  readonly sweepIntervalMs?: number;
}

/** The store's size, as the portal shows it. */
export interface StoreStats {
  /** Entries held (expired ones not yet swept included). */
  readonly entries: number;
  /**
   * Rough bytes held by the entries: keys and payloads as JSON, two bytes a character. Measured when
   * asked, not on every write: a sign-in writes several artifacts and the portal rarely asks.
   */
  readonly bytes: number;
  /** Entries per oidc-provider model (`Session`, `Grant`, `AuthorizationCode`, …). */
  readonly byModel: Readonly<Record<string, number>>;
}

/** The store behind the adapter, exposed so the sandbox can look artifacts up before oidc-provider does. */
export interface ArtifactStore {
  /** The live artifact of `model` (`AuthorizationCode`, `RefreshToken`, …) with this id, or undefined. */
  find(model: string, id: string): Promise<AdapterPayload | undefined>;
  /**
   * Deletes every entry expired at `now` (epoch ms) with its index rows; returns how many went (0 for the
   * shared store, whose records expire by themselves).
   */
  sweep(now?: number): number;
  /** Entries and estimated bytes now held. */
  stats(): Promise<StoreStats>;
  /** Stops the sweep timer (the sandbox calls it on close). */
  close(): void;
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
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  let lastSweep = Date.now();

  const sizeOf = (key: string, payload: AdapterPayload): number =>
    2 * (key.length + JSON.stringify(payload).length);

  /** Removes one entry and every index row that points at it. */
  const remove = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const id = key.slice(key.indexOf(':') + 1);
    const { grantId, uid, userCode } = entry.payload;
    if (typeof grantId === 'string') {
      const keys = byGrant.get(grantId);
      keys?.delete(key);
      if (keys?.size === 0) byGrant.delete(grantId);
    }
    if (typeof uid === 'string' && byUid.get(uid) === id) byUid.delete(uid);
    if (typeof userCode === 'string' && byUserCode.get(userCode) === id) byUserCode.delete(userCode);
  };

  const sweep = (now = Date.now()): number => {
    lastSweep = now;
    let dropped = 0;
    for (const [key, entry] of entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        remove(key);
        dropped += 1;
      }
    }
    return dropped;
  };

  const timer = setInterval(() => sweep(), sweepIntervalMs);
  timer.unref();

  const get = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      remove(key);
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
      const now = Date.now();
      // Amortised: a busy sandbox sweeps on its writes even if the timer is late.
      if (now - lastSweep >= sweepIntervalMs) sweep(now);
      remove(key);
      entries.set(key, { payload, expiresAt: expiresIn ? now + expiresIn * 1000 : undefined });
      if (payload.grantId) {
        const keys = byGrant.get(payload.grantId) ?? new Set<string>();
        keys.add(key);
        byGrant.set(payload.grantId, keys);
      }
      if (payload.uid) byUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return find(this.#model, id);
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
      remove(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of [...(byGrant.get(grantId) ?? [])]) remove(key);
      byGrant.delete(grantId);
    }
  }

  const find = (model: string, id: string): AdapterPayload | undefined => {
    if (model === 'Client') return options.findClient(id) ?? get(`${model}:${id}`)?.payload;
    return get(`${model}:${id}`)?.payload;
  };

  const stats = (): StoreStats => {
    let bytes = 0;
    const byModel: Record<string, number> = {};
    for (const [key, entry] of entries) {
      bytes += sizeOf(key, entry.payload);
      const model = key.slice(0, key.indexOf(':'));
      byModel[model] = (byModel[model] ?? 0) + 1;
    }
    return { entries: entries.size, bytes, byModel };
  };

  return {
    Adapter: MemoryAdapter,
    store: {
      find: (model, id) => Promise.resolve(find(model, id)),
      sweep,
      stats: () => Promise.resolve(stats()),
      close: () => clearInterval(timer),
    },
  };
}
