/**
 * The tenant's rarely-written state (app registrations and their portal edits, certificates, runtime
 * settings, the standards issuer's clients and settings, the attack lab's switches), shared by every
 * sandbox instance of one tenant through the shared store, yet read synchronously: oidc-provider looks
 * its clients up, and the gates read the settings, without awaiting anything.
 *
 * Each instance keeps an in-process copy of every part and a version number. The store holds each part
 * (`tenant:part:{name}`) and one version counter (`tenant:version`):
 * - a write changes the part in the store atomically (`SharedStore.update`, so two instances never lose
 *   a write), then increments the version, before the response is sent;
 * - every request starts with {@link TenantState.refreshIfChanged}: one GET of the version; when it is
 *   not the one this instance last loaded, every part is read again.
 * So no instance answers from a copy older than the last write acknowledged by any instance. Publishing
 * on {@link TENANT_CHANNEL} lets idle instances reload early; correctness does not depend on it.
 */
import type { SharedStore } from './store/shared-store.ts';

/** One part of the tenant state, held in process by its owner. */
export interface TenantPart {
  /** Its key in the store, below `tenant:part:`. */
  readonly name: string;
  /** Replaces the in-process copy with the stored value; undefined means the part as seeded. */
  load(value: unknown): void;
}

/** The channel a write announces itself on (the message is the new version). */
export const TENANT_CHANNEL = 'tenant:changed';

const VERSION_KEY = 'tenant:version';
const partKey = (name: string): string => `tenant:part:${name}`;

/** The version counter and the parts of one tenant, as one instance holds them. */
export class TenantState {
  readonly #store: SharedStore;
  readonly #parts = new Map<string, TenantPart>();
  /** The version whose parts this instance holds; -1 before the first load. */
  #version = -1;
  /** Writes this instance has made: a reload that overlapped one must not replace what it loaded. */
  #writes = 0;
  #unsubscribe: (() => Promise<void>) | undefined;

  constructor(store: SharedStore) {
    this.#store = store;
  }

  /** Adds a part; call before the first {@link refreshIfChanged}. */
  register(part: TenantPart): void {
    if (this.#parts.has(part.name)) throw new Error(`TenantState: part '${part.name}' registered twice`);
    this.#parts.set(part.name, part);
  }

  /** The shared store the tenant lives in (for a part's per-flow records). */
  get store(): SharedStore {
    return this.#store;
  }

  /** The version this instance holds (-1 before the first load). */
  get version(): number {
    return this.#version;
  }

  /**
   * Reloads every part when another instance (or this one, in another request) wrote since the last
   * load. One GET when nothing changed; resolves once the in-process copies are current.
   */
  async refreshIfChanged(): Promise<void> {
    const stored = (await this.#store.get<number>(VERSION_KEY)) ?? 0;
    if (stored === this.#version) return;
    await this.#reload(stored);
  }

  async #reload(version: number): Promise<void> {
    const parts = [...this.#parts.values()];
    const writes = this.#writes;
    const values = await this.#store.getMany<unknown>(parts.map((p) => partKey(p.name)));
    // A write by this instance loaded a newer version meanwhile: the values read may predate it.
    if (writes !== this.#writes) return;
    parts.forEach((part, i) => part.load(values[i]));
    this.#version = version;
  }

  /**
   * Changes one part everywhere: `change` gets the stored value (undefined: as seeded) and returns the
   * new one (undefined: back to the seeded state). It must be pure: it may run more than once when
   * another instance writes the same part meanwhile. Resolves once the store and this instance hold it.
   */
  async write<T>(name: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    const part = this.#parts.get(name);
    if (!part) throw new Error(`TenantState: no part '${name}'`);
    const before = this.#version;
    this.#writes += 1;
    const next = await this.#store.update<T>(partKey(name), change);
    const version = await this.#store.increment(VERSION_KEY);
    if (version === before + 1) {
      // Nobody else wrote since this instance's last load: its copies plus this part are current.
      part.load(next);
      this.#version = version;
    } else {
      await this.#reload(version);
    }
    void this.#store.publish(TENANT_CHANNEL, String(version)).catch(() => undefined);
    return next;
  }

  /** Reloads when another instance announces a write (an optimisation: requests check anyway). */
  async listen(): Promise<void> {
    if (this.#unsubscribe) return;
    this.#unsubscribe = await this.#store.subscribe(TENANT_CHANNEL, (message) => {
      if (Number(message) !== this.#version) void this.refreshIfChanged().catch(() => undefined);
    });
  }

  /** Stops listening (the store itself is the caller's to close). */
  async close(): Promise<void> {
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    if (unsubscribe) await unsubscribe();
  }
}
