/**
 * Consent as Entra keeps it: per user and app (a user's grant) or for every user of an app (admin
 * consent), outside any browser session, one store per sandbox instance. oidc-provider's own grants
 * live in a session; `loadExistingGrant` (provider-config.ts) and the token gate consult this store.
 *
 * A user and app start with no decision recorded: the consent page is shown in each new browser session,
 * and the password grant, which cannot show one, gets AADSTS65001. A revoked pair has no consent: the
 * consent page returns and silent grants get AADSTS65001.
 */

/** What the store says about one user and app. */
export type ConsentState =
  | { readonly kind: 'admin' }
  | { readonly kind: 'granted'; readonly scopes: readonly string[] }
  | { readonly kind: 'revoked' }
  | { readonly kind: 'none' };

/** Every permission a registration may be granted: its API permissions and the OIDC scopes. */
export type PermissionSet = readonly string[];

const key = (userId: string, clientId: string): string => `${userId}|${clientId}`;

/** Per-user and admin consent of one sandbox instance. */
export class ConsentStore {
  readonly #granted = new Map<string, Set<string>>();
  readonly #revoked = new Set<string>();
  readonly #admin = new Set<string>();
  /** Accepted on the consent page with "Remember consent" off: enough for the password grant only. */
  readonly #accepted = new Map<string, Set<string>>();

  /** Forgets every decision (the seeded directory has none). */
  reset(): void {
    this.#granted.clear();
    this.#revoked.clear();
    this.#admin.clear();
    this.#accepted.clear();
  }

  /** The consent that applies to `userId` signing in to `clientId`; admin consent wins. */
  state(userId: string, clientId: string): ConsentState {
    if (this.#admin.has(clientId)) return { kind: 'admin' };
    const k = key(userId, clientId);
    if (this.#revoked.has(k)) return { kind: 'revoked' };
    const scopes = this.#granted.get(k);
    return scopes ? { kind: 'granted', scopes: [...scopes] } : { kind: 'none' };
  }

  /** The user's own decision, ignoring admin consent (what the portal lists per user). */
  userState(userId: string, clientId: string): Exclude<ConsentState, { kind: 'admin' }> {
    const k = key(userId, clientId);
    if (this.#revoked.has(k)) return { kind: 'revoked' };
    const scopes = this.#granted.get(k);
    return scopes ? { kind: 'granted', scopes: [...scopes] } : { kind: 'none' };
  }

  hasAdminConsent(clientId: string): boolean {
    return this.#admin.has(clientId);
  }

  /** Records the user's consent to `scopes` (added to what they consented to before). */
  grant(userId: string, clientId: string, scopes: Iterable<string>): void {
    const k = key(userId, clientId);
    this.#revoked.delete(k);
    const set = this.#granted.get(k) ?? new Set<string>();
    for (const s of scopes) set.add(s);
    this.#granted.set(k, set);
  }

  /**
   * The user accepted the consent page for `scopes` with "Remember consent" off: a revocation no longer
   * applies, and the password grant may use the consent (Entra records it), while a new browser session
   * still shows the page (the lab's walkthroughs rely on it).
   */
  acceptedOnPage(userId: string, clientId: string, scopes: Iterable<string>): void {
    const k = key(userId, clientId);
    this.#revoked.delete(k);
    const set = this.#accepted.get(k) ?? new Set<string>();
    for (const s of scopes) set.add(s);
    this.#accepted.set(k, set);
  }

  /** Removes the user's consent: the next sign-in asks again and silent grants fail (AADSTS65001). */
  revoke(userId: string, clientId: string): void {
    const k = key(userId, clientId);
    this.#granted.delete(k);
    this.#accepted.delete(k);
    this.#revoked.add(k);
  }

  grantAdmin(clientId: string): void {
    this.#admin.add(clientId);
  }

  revokeAdmin(clientId: string): void {
    this.#admin.delete(clientId);
  }

  /**
   * Whether recorded consent covers `scopes`: admin consent, or the user's own consent to every one of
   * them. The password grant needs this (it cannot show a consent page; AADSTS65001 otherwise).
   */
  covers(userId: string, clientId: string, scopes: readonly string[]): boolean {
    const state = this.state(userId, clientId);
    if (state.kind === 'admin') return true;
    if (state.kind === 'revoked') return false;
    const granted = new Set([
      ...(state.kind === 'granted' ? state.scopes : []),
      ...(this.#accepted.get(key(userId, clientId)) ?? []),
    ]);
    return scopes.every((s) => granted.has(s));
  }

  /**
   * Whether a refresh token grant may issue `scopes`: yes under admin
   * consent, when the user consented to every one of them, or when nothing was ever decided.
   */
  allowsSilent(userId: string, clientId: string, scopes: readonly string[]): boolean {
    const state = this.state(userId, clientId);
    if (state.kind === 'admin' || state.kind === 'none') return true;
    if (state.kind === 'revoked') return false;
    const granted = new Set(state.scopes);
    return scopes.every((s) => granted.has(s));
  }
}
