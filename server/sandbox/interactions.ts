/**
 * The sandbox's own sign-in, verification-code and consent steps, served at `/interaction/{uid}` and
 * completed through oidc-provider's interaction API (the library's devInteractions are not used).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { ConsentStore } from './consents.ts';
import { MFA_ACR } from './authorize-gate.ts';
import { aadsts, type EntraError } from './entra-errors.ts';
import { appDisplayName, findUserById, findUserByName } from './directory.ts';
import { readBody, sendHtml, sendRedirect } from './http-utils.ts';
import type { SmartLockout } from './lockout.ts';
import { consentPage, errorPage, mfaPage, signInPage } from './pages.ts';
import { INTERACTION_PREFIX, INTERACTION_TTL_SECONDS } from './provider-config.ts';
import { describePermission, isAdminOnly } from './scopes.ts';
import type { SandboxSettings } from './settings.ts';
import type { SharedStore } from './store/shared-store.ts';

/** An interaction as oidc-provider's `interactionDetails` returns it. */
export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * The interaction of a request below `/interaction/`, or undefined when its cookie is missing or the
 * interaction has expired. Looked up once per request (a signed cookie and a store read).
 */
export async function findInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Interaction | undefined> {
  try {
    return await provider.interactionDetails(req, res);
  } catch {
    return undefined;
  }
}

const MFA_PREFIX = 'mfa-pending:';

/**
 * Sign-ins waiting for their verification code: interaction uid → the user's object id, in the tenant's
 * shared store (`mfa-pending:{uid}`), so a code page served by one sandbox instance may be answered on
 * another. Each record lives as long as its interaction can ({@link INTERACTION_TTL_SECONDS}).
 */
export class PendingMfa {
  readonly #store: SharedStore;

  constructor(store: SharedStore) {
    this.#store = store;
  }

  /** Remembers that `userId` signed in with a password in interaction `uid` and now owes a code. */
  async begin(uid: string, userId: string): Promise<void> {
    await this.#store.set(`${MFA_PREFIX}${uid}`, userId, { ttlMs: INTERACTION_TTL_SECONDS * 1000 });
  }

  /** The user awaiting a code in interaction `uid`, if any. */
  userOf(uid: string): Promise<string | undefined> {
    return this.#store.get<string>(`${MFA_PREFIX}${uid}`);
  }

  /** Forgets the step (the code was right). */
  async finish(uid: string): Promise<void> {
    await this.#store.delete(`${MFA_PREFIX}${uid}`);
  }

  /** Steps waiting now (the portal's memory figures). */
  async count(): Promise<number> {
    return (await this.#store.keys(MFA_PREFIX)).length;
  }
}

/** What the interaction pages work with. */
export interface InteractionDeps {
  readonly provider: Provider;
  /** Sign-ins awaiting a verification code. */
  readonly pendingMfa: PendingMfa;
  readonly consents: ConsentStore;
  readonly settings: Readonly<SandboxSettings>;
  /** Smart lockout: wrong passwords on the sign-in page count as on the password grant. */
  readonly lockout: SmartLockout;
}

/** Handles one request below `/interaction/`; `interaction` is {@link findInteraction}'s answer. */
export async function handleInteraction(
  deps: InteractionDeps,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  interaction: Interaction | undefined,
): Promise<void> {
  const { provider, pendingMfa, lockout } = deps;
  const [uid = '', step = ''] = pathname.slice(INTERACTION_PREFIX.length).split('/');
  if (interaction?.uid !== uid) {
    sendHtml(res, 400, errorPage(sessionExpired()));
    return;
  }
  const base = `${INTERACTION_PREFIX}${uid}`;
  const form =
    req.method === 'POST' ? new URLSearchParams((await readBody(req)).toString('utf8')) : undefined;

  if (interaction.prompt.name === 'login') {
    if (form && step === 'login')
      return submitCredentials(provider, pendingMfa, lockout, interaction, req, res, form, base);
    if (form && step === 'mfa') return submitCode(provider, pendingMfa, interaction, req, res, form, base);
    sendHtml(
      res,
      200,
      signInPage({
        action: `${base}/login`,
        clientName: clientName(interaction),
        username: loginHint(interaction),
      }),
    );
    return;
  }
  if (interaction.prompt.name === 'consent') {
    const user = findUserById(interaction.session?.accountId ?? '');
    // Admin-only permissions: only an administrator may consent; anyone else gets "Need admin approval".
    // With user consent off for the tenant, every permission needs one.
    const requested = requestedScopes(interaction);
    const adminOnly = deps.settings.userConsentAllowed ? requested.filter(isAdminOnly) : requested;
    if (adminOnly.length > 0 && user?.admin !== true) {
      sendHtml(res, 200, errorPage(aadsts.adminConsentRequired(clientName(interaction), adminOnly)));
      return;
    }
    if (form && step === 'consent') return submitConsent(deps, interaction, req, res, form);
    sendHtml(
      res,
      200,
      consentPage({
        action: `${base}/consent`,
        clientName: clientName(interaction),
        username: user?.userPrincipalName ?? '',
        items: requestedScopes(interaction).map(describePermission),
      }),
    );
    return;
  }
  sendRedirect(res, interaction.returnTo, 303);
}

function sessionExpired(): EntraError {
  return {
    status: 400,
    error: 'invalid_request',
    code: 50058,
    message: 'The sign-in session has expired or its cookie is missing. Start again from the app.',
  };
}

function clientName(interaction: Interaction): string {
  const clientId = String(interaction.params['client_id'] ?? '');
  return appDisplayName(clientId) ?? clientId;
}

function loginHint(interaction: Interaction): string {
  const hint = interaction.params['login_hint'];
  return typeof hint === 'string' ? hint : '';
}

function requestedScopes(interaction: Interaction): string[] {
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  return [...(details.missingOIDCScope ?? []), ...Object.values(details.missingResourceScopes ?? {}).flat()];
}

async function submitCredentials(
  provider: Provider,
  pendingMfa: PendingMfa,
  lockout: SmartLockout,
  interaction: Interaction,
  req: IncomingMessage,
  res: ServerResponse,
  form: URLSearchParams,
  base: string,
): Promise<void> {
  const username = form.get('username') ?? '';
  const user = findUserByName(username);
  const retry = (error: EntraError): void =>
    sendHtml(
      res,
      200,
      signInPage({ action: `${base}/login`, clientName: clientName(interaction), username, error }),
    );
  if (!user) return retry(aadsts.userNotFound(username));
  const password = form.get('password') ?? '';
  const verdict = await lockout.attempt(user.oid, password === user.password, password);
  if (verdict.kind === 'locked') return retry(aadsts.accountLocked());
  if (verdict.kind === 'wrong') return retry(aadsts.invalidCredentials());
  // Per-user MFA, or a Conditional Access claims challenge the authorize gate turned into `acr_values`.
  const acrValues = String(interaction.params['acr_values'] ?? '').split(' ');
  if (user.mfaRequired || acrValues.includes(MFA_ACR)) {
    if (!user.mfaCode) return retry(aadsts.mfaEnrollmentRequired());
    await pendingMfa.begin(interaction.uid, user.oid);
    sendHtml(
      res,
      200,
      mfaPage({ action: `${base}/mfa`, username: user.userPrincipalName, code: user.mfaCode ?? '' }),
    );
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.oid, amr: ['pwd'] } },
    { mergeWithLastSubmission: false },
  );
}

async function submitCode(
  provider: Provider,
  pendingMfa: PendingMfa,
  interaction: Interaction,
  req: IncomingMessage,
  res: ServerResponse,
  form: URLSearchParams,
  base: string,
): Promise<void> {
  const user = findUserById((await pendingMfa.userOf(interaction.uid)) ?? '');
  if (!user) {
    sendRedirect(res, base, 303);
    return;
  }
  if ((form.get('otc') ?? '').trim() !== user.mfaCode) {
    sendHtml(
      res,
      200,
      mfaPage({
        action: `${base}/mfa`,
        username: user.userPrincipalName,
        code: user.mfaCode ?? '',
        error: aadsts.invalidMfaCode(),
      }),
    );
    return;
  }
  await pendingMfa.finish(interaction.uid);
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.oid, amr: ['pwd', 'mfa'] } },
    { mergeWithLastSubmission: false },
  );
}

async function submitConsent(
  { provider, consents, settings }: InteractionDeps,
  interaction: Interaction,
  req: IncomingMessage,
  res: ServerResponse,
  form: URLSearchParams,
): Promise<void> {
  if (form.get('action') !== 'accept') {
    const declined = aadsts.consentDeclined();
    await provider.interactionFinished(
      req,
      res,
      { error: declined.error, error_description: `AADSTS${declined.code}: ${declined.message}` },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const accountId = interaction.session?.accountId ?? '';
  const clientId = String(interaction.params['client_id'] ?? '');
  const grant = interaction.grantId
    ? ((await provider.Grant.find(interaction.grantId)) ?? new provider.Grant({ accountId, clientId }))
    : new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  const accepted = [
    ...(details.missingOIDCScope ?? []),
    ...Object.values(details.missingResourceScopes ?? {}).flat(),
  ];
  // Entra keeps consent per user and app; the sandbox does when "Remember consent" is on.
  if (settings.rememberConsent) await consents.grant(accountId, clientId, accepted);
  else await consents.acceptedOnPage(accountId, clientId, accepted);
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
