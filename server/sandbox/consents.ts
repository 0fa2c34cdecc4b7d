/**
 * Consent as Entra keeps it: per user and app (a user's grant) or for every user of an app (admin
 * consent), outside any browser session, in the tenant's shared store (store/shared-store.ts), so every
 * sandbox instance of one tenant sees the same decisions. oidc-provider's own grants live in a session;
 * `loadExistingGrant` (provider-config.ts) and the token gate consult this store.
 *
 * A user and app start with no decision recorded: the consent page is shown in each new browser session,
 * and the password grant, which cannot show one, gets AADSTS65001. A revoked pair has no consent: the
 * consent page returns and silent grants get AADSTS65001.
 *
 * One record per user and app (`consent:user:{user}|{app}`) and one per app under admin consent
 * (`consent:admin:{app}`). Consent is tenant state, not a flow's: records have no time to live, and
 * their number is bounded by users × apps.
 */
import type { SharedStore } from './store/shared-store.ts';

/** What the store says about one user and app. */
export type ConsentState =
  | { readonly kind: 'admin' }
  | { readonly kind: 'granted'; readonly scopes: readonly string[] }
  | { readonly kind: 'revoked' }
  | { readonly kind: 'none' };

/** A user's own decision (what the portal lists per user). */
export type UserConsentState = Exclude<ConsentState, { kind: 'admin' }>;

/** Every permission a registration may be granted: its API permissions and the OIDC scopes. */
export type PermissionSet = readonly string[];

/** The stored record of one user and app. */
interface UserConsentRecord {
  /** Consented with the decision remembered (portal, or the consent page under "Remember consent"). */
  readonly granted: readonly string[];
  /** Accepted on the consent page with "Remember consent" off: enough for the password grant only. */
  readonly accepted: readonly string[];
  readonly revoked: boolean;
}

const PREFIX = 'consent:';
const USER_PREFIX = `${PREFIX}user:`;
const ADMIN_PREFIX = `${PREFIX}admin:`;
const userKey = (userId: string, clientId: string): string => `${USER_PREFIX}${userId}|${clientId}`;
const adminKey = (clientId: string): string => `${ADMIN_PREFIX}${clientId}`;

const union = (a: readonly string[], b: Iterable<string>): string[] => [...new Set([...a, ...b])];

function userStateOf(record: UserConsentRecord | undefined): UserConsentState {
  if (record?.revoked) return { kind: 'revoked' };
  return record && record.granted.length > 0
    ? { kind: 'granted', scopes: [...record.granted] }
    : { kind: 'none' };
}

/** Reads consent synchronously from a snapshot (the portal page renders from one). */
export interface ConsentReader {
  hasAdminConsent(clientId: string): boolean;
  userState(userId: string, clientId: string): UserConsentState;
}

/** Every recorded decision at one moment ({@link ConsentStore.snapshot}), read synchronously. */
export class ConsentSnapshot implements ConsentReader {
  readonly #admin: ReadonlySet<string>;
  readonly #users: ReadonlyMap<string, UserConsentRecord>;

  /** `users` is keyed `{user}|{app}`; without arguments: no decision at all (the seeded directory). */
  constructor(admin: Iterable<string> = [], users: Iterable<readonly [string, UserConsentRecord]> = []) {
    this.#admin = new Set(admin);
    this.#users = new Map(users);
  }

  hasAdminConsent(clientId: string): boolean {
    return this.#admin.has(clientId);
  }

  userState(userId: string, clientId: string): UserConsentState {
    return userStateOf(this.#users.get(`${userId}|${clientId}`));
  }
}

/** Per-user and admin consent of the tenant, shared by every instance through `store`. */
export class ConsentStore {
  readonly #store: SharedStore;

  constructor(store: SharedStore) {
    this.#store = store;
  }

  /** Forgets every decision (the seeded directory has none), for every instance. */
  async reset(): Promise<void> {
    const keys = await this.#store.keys(PREFIX);
    if (keys.length > 0) await this.#store.delete(...keys);
  }

  /** The consent that applies to `userId` signing in to `clientId`; admin consent wins. */
  async state(userId: string, clientId: string): Promise<ConsentState> {
    const [admin, record] = await this.#store.getMany<unknown>([
      adminKey(clientId),
      userKey(userId, clientId),
    ]);
    if (admin === true) return { kind: 'admin' };
    return userStateOf(record as UserConsentRecord | undefined);
  }

  /** The user's own decision, ignoring admin consent. */
  async userState(userId: string, clientId: string): Promise<UserConsentState> {
    return userStateOf(await this.#store.get<UserConsentRecord>(userKey(userId, clientId)));
  }

  async hasAdminConsent(clientId: string): Promise<boolean> {
    return (await this.#store.get<boolean>(adminKey(clientId))) === true;
  }

  /** Every decision now, for rendering the portal (one key listing and one multi-get). */
  async snapshot(): Promise<ConsentSnapshot> {
    const keys = await this.#store.keys(PREFIX);
    const values = await this.#store.getMany<unknown>(keys);
    const admin: string[] = [];
    const users: [string, UserConsentRecord][] = [];
    keys.forEach((key, i) => {
      const value = values[i];
      if (key.startsWith(ADMIN_PREFIX) && value === true) admin.push(key.slice(ADMIN_PREFIX.length));
      else if (key.startsWith(USER_PREFIX) && value !== undefined)
        users.push([key.slice(USER_PREFIX.length), value as UserConsentRecord]);
    });
    return new ConsentSnapshot(admin, users);
  }

  /** Records the user's consent to `scopes` (added to what they consented to before). */
  async grant(userId: string, clientId: string, scopes: Iterable<string>): Promise<void> {
    const added = [...scopes];
    await this.#store.update<UserConsentRecord>(userKey(userId, clientId), (current) => ({
      granted: union(current?.granted ?? [], added),
      accepted: current?.accepted ?? [],
      revoked: false,
    }));
  }

  /**
   * The user accepted the consent page for `scopes` with "Remember consent" off: a revocation no longer
   * applies, and the password grant may use the consent (Entra records it), while a new browser session
   * still shows the page (the lab's walkthroughs rely on it).
   */
  async acceptedOnPage(userId: string, clientId: string, scopes: Iterable<string>): Promise<void> {
    const added = [...scopes];
    await this.#store.update<UserConsentRecord>(userKey(userId, clientId), (current) => ({
      granted: current?.granted ?? [],
      accepted: union(current?.accepted ?? [], added),
      revoked: false,
    }));
  }

  /** Removes the user's consent: the next sign-in asks again and silent grants fail (AADSTS65001). */
  async revoke(userId: string, clientId: string): Promise<void> {
    await this.#store.set(userKey(userId, clientId), { granted: [], accepted: [], revoked: true });
  }

  async grantAdmin(clientId: string): Promise<void> {
    await this.#store.set(adminKey(clientId), true);
  }

  async revokeAdmin(clientId: string): Promise<void> {
    await this.#store.delete(adminKey(clientId));
  }

  /**
   * Whether recorded consent covers `scopes`: admin consent, or the user's own consent to every one of
   * them. The password grant needs this (it cannot show a consent page; AADSTS65001 otherwise).
   */
  async covers(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const [admin, value] = await this.#store.getMany<unknown>([
      adminKey(clientId),
      userKey(userId, clientId),
    ]);
    if (admin === true) return true;
    const record = value as UserConsentRecord | undefined;
    if (record?.revoked) return false;
    const granted = new Set([...(record?.granted ?? []), ...(record?.accepted ?? [])]);
    return scopes.every((s) => granted.has(s));
  }

  /**
   * Whether a refresh token grant may issue `scopes`: yes under admin
   * consent, when the user consented to every one of them, or when nothing was ever decided.
   */
  async allowsSilent(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const state = await this.state(userId, clientId);
    if (state.kind === 'admin' || state.kind === 'none') return true;
    if (state.kind === 'revoked') return false;
    const granted = new Set(state.scopes);
    return scopes.every((s) => granted.has(s));
  }
}
