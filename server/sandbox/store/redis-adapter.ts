/**
 * oidc-provider's artifacts (sessions, interactions, codes, grants, tokens) in the shared store, so every
 * sandbox instance on one Redis serves every request (issue 15). The layout follows the Redis adapter
 * oidc-provider's documentation points to (example/adapters/redis.js in panva/node-oidc-provider; the
 * interface: https://github.com/panva/node-oidc-provider/blob/v8.x/docs/README.md#adapter):
 * - one key per artifact, `<namespace><Model>:<id>`, expiring with the artifact (`expiresIn` seconds);
 * - index keys expiring with the artifact they point at: `uid:<uid>` (`findByUid`), `userCode:<code>`
 *   (`findByUserCode`) and one `grant:<grantId>:<Model>:<id>` per artifact of a grant (`revokeByGrantId`
 *   lists them; a row per artifact rather than one list, so each expires exactly with its artifact and
 *   nothing of an expired grant is left behind);
 * - `consume` marks the artifact with the time it was used, keeping its expiry, atomically: of two
 *   instances redeeming one code at the same moment, the second is refused (RFC 6749 §4.1.2: a code
 *   MUST NOT be used more than once).
 * The namespace (`tenant:oidc:`, `standard:oidc:`) keeps the two issuers' artifacts apart; the store adds
 * its own prefix, so a whole tenant lives under one Redis prefix.
 */
import { errors, type Adapter, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import type { AdapterOptions, ArtifactStore, StoreStats } from '../adapter.ts';
import type { SharedStore } from './shared-store.ts';

/** What the store holds per artifact: the payload and when it expires (epoch ms; absent: never). */
interface Record {
  readonly payload: AdapterPayload;
  readonly expiresAt?: number;
}

/** Options of {@link createSharedStoreAdapter}: the memory adapter's, plus where keys go. */
export interface SharedAdapterOptions extends AdapterOptions {
  readonly store: SharedStore;
  /** Prefix of every key of this issuer, e.g. `tenant:oidc:`. */
  readonly namespace: string;
}

/** Remaining lifetime as a store option; a record already past its expiry is kept for a millisecond. */
function ttlUntil(expiresAt: number | undefined, now = Date.now()): { ttlMs?: number } {
  return expiresAt === undefined ? {} : { ttlMs: Math.max(1, expiresAt - now) };
}

/** Creates the adapter class oidc-provider instantiates per model, and the sandbox's view of the artifacts. */
export function createSharedStoreAdapter(options: SharedAdapterOptions): {
  Adapter: AdapterConstructor;
  store: ArtifactStore;
} {
  const { store, namespace } = options;
  const artifactKey = (model: string, id: string): string => `${namespace}${model}:${id}`;
  const grantPrefix = (grantId: string): string => `${namespace}grant:${grantId}:`;
  const uidKey = (uid: string): string => `${namespace}uid:${uid}`;
  const userCodeKey = (userCode: string): string => `${namespace}userCode:${userCode}`;

  const findStored = async (model: string, id: string): Promise<AdapterPayload | undefined> => {
    const record = await store.get<Record>(artifactKey(model, id));
    // The store's TTL drops a record in time; the check covers a clock a little ahead of Redis's.
    if (!record || (record.expiresAt !== undefined && record.expiresAt <= Date.now())) return undefined;
    return record.payload;
  };

  const find = async (model: string, id: string): Promise<AdapterPayload | undefined> => {
    // Clients: the app registrations as they stand now, then any the issuer registered itself (RFC 7591).
    if (model === 'Client') return options.findClient(id) ?? findStored(model, id);
    return findStored(model, id);
  };

  class SharedStoreAdapter implements Adapter {
    readonly #model: string;

    constructor(model: string) {
      this.#model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = artifactKey(this.#model, id);
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
      const ttl = ttlUntil(expiresAt);
      const record: Record = expiresAt === undefined ? { payload } : { payload, expiresAt };
      const writes: Promise<unknown>[] = [store.set(key, record, ttl)];
      if (payload.grantId) {
        writes.push(store.set(`${grantPrefix(payload.grantId)}${this.#model}:${id}`, key, ttl));
      }
      if (payload.uid) writes.push(store.set(uidKey(payload.uid), id, ttl));
      if (payload.userCode) writes.push(store.set(userCodeKey(payload.userCode), id, ttl));
      await Promise.all(writes);
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return find(this.#model, id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await store.get<string>(uidKey(uid));
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await store.get<string>(userCodeKey(userCode));
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      // Read at each redemption: the portal's rotation switch applies at once (adapter.ts).
      if (this.#model === 'RefreshToken' && !options.rotateRefreshTokens()) return;
      const key = artifactKey(this.#model, id);
      const consumed = Math.floor(Date.now() / 1000);
      const current = await store.get<Record>(key);
      if (!current) return;
      // oidc-provider read the artifact unconsumed just before; another instance may have consumed it
      // since. The store's compare-and-set tells which of the two redemptions came first.
      let raced = false;
      await store.update<Record>(
        key,
        (record) => {
          raced = record?.payload.consumed !== undefined;
          return record && !raced ? { ...record, payload: { ...record.payload, consumed } } : record;
        },
        ttlUntil(current.expiresAt),
      );
      if (!raced) return;
      // The errors oidc-provider answers a sequential second use with.
      if (this.#model === 'PushedAuthorizationRequest') {
        throw new errors.InvalidRequestUri('request_uri was already used by a concurrent request');
      }
      throw new errors.InvalidGrant(`${this.#model} already used by a concurrent request`);
    }

    async destroy(id: string): Promise<void> {
      await store.delete(artifactKey(this.#model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const rows = await store.keys(grantPrefix(grantId));
      if (rows.length === 0) return;
      const artifacts = await store.getMany<string>(rows);
      await store.delete(...rows, ...artifacts.filter((k): k is string => k !== undefined));
    }
  }

  const stats = async (): Promise<StoreStats> => {
    const keys = await store.keys(namespace);
    const byModel: { [model: string]: number } = {};
    let bytes = 0;
    let entries = 0;
    // In slices, so a large tenant is read in several round trips rather than one huge answer.
    for (let i = 0; i < keys.length; i += 500) {
      const slice = keys.slice(i, i + 500);
      const values = await store.getMany<unknown>(slice);
      slice.forEach((key, j) => {
        const value = values[j];
        if (value === undefined) return;
        const model = key.slice(namespace.length, key.indexOf(':', namespace.length));
        // Index rows are not artifacts; they count towards the bytes only.
        if (model !== 'grant' && model !== 'uid' && model !== 'userCode') {
          byModel[model] = (byModel[model] ?? 0) + 1;
          entries += 1;
        }
        bytes += 2 * (key.length + JSON.stringify(value).length);
      });
    }
    return { entries, bytes, byModel };
  };

  return {
    Adapter: SharedStoreAdapter,
    store: {
      find,
      // The store expires records itself (Redis TTLs); nothing is left for a sweep.
      sweep: () => 0,
      stats,
      close: () => undefined,
    },
  };
}
