/**
 * "Which flow should I use?" as data: four questions, the answers some app kinds decide on their own,
 * and the recommendation every combination of answers ends on (the grant, the ones to avoid, the Entra
 * platform and redirect URI shape, and the guidance each rests on). No React: the page renders this.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 * @see https://learn.microsoft.com/entra/identity-platform/authentication-flows-app-scenarios
 */
import type { FlowId } from './registry.ts';

/** The kind of app the reader builds. */
export type AppKind = 'spa' | 'web' | 'native' | 'cli' | 'daemon' | 'api';
/** A yes-or-no answer. */
export type YesNo = 'yes' | 'no';

/** The answers given so far; a question not answered is absent. */
export interface ChooserAnswers {
  readonly app?: AppKind;
  readonly user?: YesNo;
  readonly secret?: YesNo;
  readonly browser?: YesNo;
}

/** A question's id, which is also its query parameter on `/choose`. */
export type QuestionId = keyof ChooserAnswers;

/** One choice of a question. */
export interface ChooserOption<Value extends string = string> {
  readonly value: Value;
  readonly label: string;
  /** One line under the label: what counts as this answer. */
  readonly hint: string;
}

/** One question, asked as a radio group. */
export interface ChooserQuestion {
  readonly id: QuestionId;
  readonly legend: string;
  readonly options: readonly ChooserOption[];
}

/** A link to the guidance a recommendation rests on. */
export interface Citation {
  readonly label: string;
  readonly href: string;
}

/** A grant (or habit) the reader should not use here, and why. */
export interface Avoidance {
  readonly what: string;
  readonly why: string;
  /** The lab's page about it, when it has one. */
  readonly route?: FlowId;
  readonly cite: Citation;
}

/** A page of the lab worth opening next, and what for. */
export interface RelatedRoute {
  readonly route: FlowId;
  readonly text: string;
}

/** The Entra app registration platform, as the admin center's "Add a platform" names it. */
export type EntraPlatform = 'spa' | 'web' | 'mobile-desktop' | 'none';

/** The sandbox app registration the lab's page uses for this kind of client. */
export type SandboxRegistration = 'Flow Lab SPA' | 'Flow Lab Web App' | 'Flow Lab Console' | 'Flow Lab API';

/** The yes-or-no questions, whose answers a recommendation rests on. */
export type PremiseId = Exclude<QuestionId, 'app'>;

/**
 * The answers a recommendation rests on: each question it depends on and the value it needs. A question
 * absent here does not apply to it, so it is neither asked nor shown with it.
 */
export type Premise = Readonly<Partial<Record<PremiseId, YesNo>>>;

/** Microsoft guidance that comes before or around the grant: a stronger option, or a warning. */
export interface Guidance {
  readonly kind: 'prefer' | 'warning';
  readonly title: string;
  readonly text: string;
  readonly cite: Citation;
}

/** How the lab's page opens for this answer in the sandbox: the registration it runs, PKCE, a secret. */
export interface HandOff {
  /** The registration the page runs (for the code flow, the active profile it makes or selects). */
  readonly registration: SandboxRegistration;
  /** Authorization code only: PKCE on. */
  readonly pkce?: boolean;
  /** Authorization code only: the run redeems the code with the registration's secret (a confidential client). */
  readonly secret?: boolean;
  /** Why it opens with this registration, when that is not the one a real app of this kind registers. */
  readonly note?: string;
}

/** What the chooser ends on when a grant fits. */
export interface GrantRecommendation {
  readonly kind: 'grant';
  readonly id: string;
  /** The grant, in a few words. */
  readonly grant: string;
  /** The lab's page that runs it. */
  readonly route: FlowId;
  /** Why this grant, in two or three sentences. */
  readonly why: string;
  readonly platform: EntraPlatform;
  /** What to set on that platform beyond the redirect URI (public client flows, certificates). */
  readonly platformNote: string;
  /** Redirect URI shapes to register; empty when the grant uses none. */
  readonly redirectUris: readonly { readonly uri: string; readonly note: string }[];
  /** The sandbox registration made for this kind of client. */
  readonly sandboxRegistration: SandboxRegistration;
  /** How "Open" hands the answer to the lab's page in the sandbox. */
  readonly handOff: HandOff;
  readonly premise: Premise;
  /** Microsoft guidance to weigh first: a stronger option or a warning, each with its source. */
  readonly guidance: readonly Guidance[];
  readonly avoid: readonly Avoidance[];
  readonly related: readonly RelatedRoute[];
  /** The guidance it rests on: at least one RFC 9700 section or Microsoft page. */
  readonly cites: readonly Citation[];
}

/** What the chooser ends on when no grant fits the answers: why, and what to do instead. No route. */
export interface NoGrantRecommendation {
  readonly kind: 'none';
  readonly id: string;
  /** The dead end, in a few words. */
  readonly title: string;
  readonly why: string;
  /** What to change so that a grant fits, each with its source. */
  readonly instead: readonly { readonly text: string; readonly cite: Citation }[];
  readonly premise: Premise;
  readonly avoid: readonly Avoidance[];
  readonly cites: readonly Citation[];
}

/** What the chooser ends on. */
export type Recommendation = GrantRecommendation | NoGrantRecommendation;

const RFC9700 = 'https://www.rfc-editor.org/rfc/rfc9700';
const LEARN = 'https://learn.microsoft.com/entra/identity-platform';

/** RFC 9700 section `section`, as a citation. */
function bcp(section: string, title: string): Citation {
  return { label: `RFC 9700 §${section}: ${title}`, href: `${RFC9700}#section-${section}` };
}

const CITE = {
  pkce: bcp('2.1.1', 'authorization code grant with PKCE'),
  implicit: bcp('2.1.2', 'implicit grant'),
  senderConstrained: bcp('2.2.1', 'sender-constrained access tokens'),
  refreshTokens: bcp('2.2.2', 'refresh tokens'),
  privilege: bcp('2.3', 'access token privilege restriction'),
  ropc: bcp('2.4', 'resource owner password credentials grant'),
  clientAuth: bcp('2.5', 'client authentication'),
  redirect: bcp('2.1', 'exact redirect URI matching'),
  clientCredentialsConfidential: {
    label: 'RFC 6749 §4.4: client credentials, for confidential clients only',
    href: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.4',
  },
  nativeLoopback: {
    label: 'RFC 8252 §7.3: loopback redirect for native apps',
    href: 'https://www.rfc-editor.org/rfc/rfc8252#section-7.3',
  },
  nativeNoSecret: {
    label: 'RFC 8252 §8.5: native apps cannot keep a secret',
    href: 'https://www.rfc-editor.org/rfc/rfc8252#section-8.5',
  },
  embedded: {
    label: 'RFC 8252 §8.12: no embedded browsers',
    href: 'https://www.rfc-editor.org/rfc/rfc8252#section-8.12',
  },
  deviceGrant: {
    label: 'RFC 8628 §1: the device authorization grant',
    href: 'https://www.rfc-editor.org/rfc/rfc8628#section-1',
  },
  tokenExchange: {
    label: 'RFC 8693 §2: token exchange',
    href: 'https://www.rfc-editor.org/rfc/rfc8693#section-2',
  },
  msScenarios: {
    label: 'Microsoft: app types and authentication flows',
    href: `${LEARN}/authentication-flows-app-scenarios`,
  },
  msSpa: { label: 'Microsoft: single-page app registration', href: `${LEARN}/scenario-spa-app-registration` },
  msWeb: {
    label: 'Microsoft: web app that signs in users, registration',
    href: `${LEARN}/scenario-web-app-sign-user-app-registration`,
  },
  msDesktop: {
    label: 'Microsoft: desktop app registration',
    href: `${LEARN}/scenario-desktop-app-registration`,
  },
  msMobile: {
    label: 'Microsoft: mobile app registration',
    href: `${LEARN}/scenario-mobile-app-registration`,
  },
  msDevice: { label: 'Microsoft: device code flow', href: `${LEARN}/v2-oauth2-device-code` },
  msDaemon: {
    label: 'Microsoft: daemon app registration',
    href: `${LEARN}/scenario-daemon-app-registration`,
  },
  msClientCredentials: {
    label: 'Microsoft: client credentials flow',
    href: `${LEARN}/v2-oauth2-client-creds-grant-flow`,
  },
  msCertificate: { label: 'Microsoft: certificate credentials', href: `${LEARN}/certificate-credentials` },
  msObo: { label: 'Microsoft: on-behalf-of flow', href: `${LEARN}/v2-oauth2-on-behalf-of-flow` },
  msManagedIdentity: {
    label: 'Microsoft: managed identities for Azure resources',
    href: 'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview',
  },
  msWorkloadFederation: {
    label: 'Microsoft: workload identity federation',
    href: 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation',
  },
  msWam: {
    label: 'Microsoft: desktop apps, the WAM broker on Windows',
    href: `${LEARN}/scenario-desktop-acquire-token-wam`,
  },
  msMobileBroker: {
    label: 'Microsoft: single sign-on through a broker on Android',
    href: `${LEARN}/msal-android-single-sign-on`,
  },
  msXamarinBroker: {
    label: 'Microsoft: Authenticator and Company Portal as brokers (iOS, Android)',
    href: `${LEARN}/msal-net-use-brokers-with-xamarin-apps`,
  },
  msDeviceCodeConditionalAccess: {
    label: 'Microsoft: Conditional Access, blocking device code flow',
    href: 'https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows',
  },
  msMsalJsCache: {
    label: 'Microsoft: where MSAL.js keeps tokens in the browser',
    href: 'https://learn.microsoft.com/entra/msal/javascript/browser/caching',
  },
  bff: {
    label: 'OAuth 2.0 for Browser-Based Applications §6.1: backend for frontend (BFF)',
    href: 'https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps#section-6.1',
  },
} as const satisfies Record<string, Citation>;

/** The four questions, in the order they are asked. */
export const QUESTIONS: readonly ChooserQuestion[] = [
  {
    id: 'app',
    legend: 'What kind of app are you building?',
    options: [
      { value: 'spa', label: 'Single-page app', hint: 'JavaScript in the browser calls the APIs itself.' },
      {
        value: 'web',
        label: 'Web app with a back end',
        hint: 'Pages or calls served by your server, which holds the tokens.',
      },
      {
        value: 'native',
        label: 'Desktop or mobile app',
        hint: 'Installed on the user’s computer or phone.',
      },
      {
        value: 'cli',
        label: 'CLI, or a device with no browser',
        hint: 'A command-line tool, a TV, a kiosk, an IoT device.',
      },
      {
        value: 'daemon',
        label: 'Daemon or background service',
        hint: 'A job, script or service that runs with nobody at the keyboard.',
      },
      {
        value: 'api',
        label: 'API that calls another API',
        hint: 'Your API receives requests with tokens and calls an API downstream.',
      },
    ],
  },
  {
    id: 'user',
    legend: 'Does it act for a signed-in user?',
    options: [
      { value: 'yes', label: 'Yes, for a user', hint: 'It reads or changes that user’s data, as them.' },
      { value: 'no', label: 'No, as itself', hint: 'It uses its own permissions; no user is involved.' },
    ],
  },
  {
    id: 'secret',
    legend: 'Can it keep a secret?',
    options: [
      {
        value: 'yes',
        label: 'Yes',
        hint: 'It runs where only you can read its configuration (a server, a managed pipeline).',
      },
      {
        value: 'no',
        label: 'No',
        hint: 'It runs on machines its users or others control: anything shipped can be read.',
      },
    ],
  },
  {
    id: 'browser',
    legend: 'Can it open a browser on the same device?',
    options: [
      { value: 'yes', label: 'Yes', hint: 'The user can sign in with a browser on this machine.' },
      { value: 'no', label: 'No', hint: 'No browser, or no way for the user to reach it (SSH, a TV).' },
    ],
  },
];

/** A question whose answer follows from earlier ones, with the reason shown instead of asking. */
export interface DecidedAnswer {
  readonly id: PremiseId;
  readonly value: YesNo;
  readonly reason: string;
}

/**
 * The questions that do not apply to these answers: they are neither asked nor shown. Without a user
 * nobody signs in, so whether a browser is at hand does not matter (RFC 6749 §4.4: client credentials has
 * no user-agent); an API never shows a sign-in page, its callers do.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export function notApplicable(answers: ChooserAnswers): PremiseId[] {
  switch (answers.app) {
    case 'daemon':
    case 'api':
      return ['browser'];
    case 'web':
    case 'native':
    case 'cli':
      return answers.user === 'no' ? ['browser'] : [];
    default:
      return [];
  }
}

/**
 * The answers that follow from the app kind (and whether there is a user), so they are not asked. Each
 * is a value the recommendation then rests on; a question that does not apply is not decided either.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.1
 */
export function decidedAnswers(answers: ChooserAnswers): DecidedAnswer[] {
  const decided: DecidedAnswer[] = [];
  switch (answers.app) {
    case 'spa':
      decided.push(
        { id: 'user', value: 'yes', reason: 'A single-page app runs in its user’s browser.' },
        {
          id: 'secret',
          value: 'no',
          reason:
            'Its code is downloaded to every visitor, so anything in it is public (RFC 6749 §2.1: a public client).',
        },
        { id: 'browser', value: 'yes', reason: 'It is itself in a browser.' },
      );
      break;
    case 'web':
      decided.push({ id: 'secret', value: 'yes', reason: 'It runs on your server: a confidential client.' });
      if (answers.user === 'yes')
        decided.push({
          id: 'browser',
          value: 'yes',
          reason: 'Its users sign in with the browser they use it in.',
        });
      break;
    case 'api':
      decided.push({ id: 'secret', value: 'yes', reason: 'It runs on your server: a confidential client.' });
      break;
    case 'native':
      decided.push({
        id: 'secret',
        value: 'no',
        reason:
          'A secret shipped in an installed app can be extracted from it (RFC 8252 §8.5): a public client.',
      });
      if (answers.user === 'yes')
        decided.push({
          id: 'browser',
          value: 'yes',
          reason: 'Desktop and mobile systems have a system browser the app can open (RFC 8252 §6).',
        });
      break;
    case 'cli':
      if (answers.user === 'yes')
        decided.push({
          id: 'secret',
          value: 'no',
          reason: 'A tool run by users is installed on their machines.',
        });
      break;
    case 'daemon':
      decided.push({ id: 'user', value: 'no', reason: 'A daemon runs with nobody signed in.' });
      break;
    case undefined:
      break;
  }
  return decided;
}

/**
 * The answers the recommendation reads: decided ones win over what a deep link says, and answers to
 * questions that do not apply are dropped.
 */
export function effectiveAnswers(answers: ChooserAnswers): ChooserAnswers {
  const merged: Record<string, string> = { ...answers };
  for (const d of decidedAnswers(answers)) merged[d.id] = d.value;
  for (const id of notApplicable(merged as ChooserAnswers)) delete merged[id];
  return merged as ChooserAnswers;
}

/** The questions still asked for these answers, in order: the app kind, then what it leaves open. */
export function askedQuestions(answers: ChooserAnswers): ChooserQuestion[] {
  if (answers.app === undefined) return QUESTIONS.filter((q) => q.id === 'app');
  const skipped = new Set<QuestionId>([
    ...decidedAnswers(answers).map((d) => d.id),
    ...notApplicable(answers),
  ]);
  return QUESTIONS.filter((q) => !skipped.has(q.id));
}

/** The first asked question not answered yet, or undefined when the answers reach a recommendation. */
export function nextQuestion(answers: ChooserAnswers): ChooserQuestion | undefined {
  return askedQuestions(answers).find((q) => answers[q.id] === undefined);
}

/** One answer as the page shows it beside the recommendation: given by the reader, or decided (with why). */
export interface ShownAnswer {
  readonly id: PremiseId;
  readonly value: YesNo;
  readonly reason?: string;
}

/**
 * The yes-or-no answers the page shows for these answers: the asked ones answered so far and the
 * decided ones. A question that does not apply is never among them.
 */
export function shownAnswers(answers: ChooserAnswers): ShownAnswer[] {
  if (answers.app === undefined) return [];
  const shown: ShownAnswer[] = [];
  // As the page shows them: the asked questions up to the first one still open.
  for (const q of askedQuestions(answers)) {
    const value = answers[q.id];
    if (value === undefined) break;
    if (q.id !== 'app' && (value === 'yes' || value === 'no')) shown.push({ id: q.id, value });
  }
  for (const d of decidedAnswers(answers)) shown.push({ id: d.id, value: d.value, reason: d.reason });
  return shown;
}

const AVOID_IMPLICIT: Avoidance = {
  what: 'Implicit grant',
  why: 'Tokens come back in the URL fragment, where history, logs and extensions see them, and they cannot be bound to the client.',
  route: 'implicit',
  cite: CITE.implicit,
};
const AVOID_ROPC: Avoidance = {
  what: 'Resource owner password (ROPC)',
  why: 'The app handles the user’s password: no MFA, no consent page, no federated or passwordless accounts.',
  route: 'password',
  cite: CITE.ropc,
};
const AVOID_CC_FOR_USER: Avoidance = {
  what: 'Client credentials to act for a user',
  why: 'An app-only token carries the app’s own permissions, often over every user’s data; nothing ties it to who asked.',
  route: 'client-credentials',
  cite: CITE.privilege,
};
const AVOID_LOOSE_REDIRECT: Avoidance = {
  what: 'Wildcard or prefix redirect URIs',
  why: 'Any address that matches could receive the code. Register each full URI: the server compares the whole string (Entra answers AADSTS50011 when it differs).',
  cite: CITE.redirect,
};
const AVOID_PASS_THROUGH: Avoidance = {
  what: 'Forwarding the incoming token downstream',
  why: 'The token was issued for your API (its aud); the next API must refuse it, and one that accepts it accepts tokens meant for anyone.',
  cite: CITE.privilege,
};

// Microsoft's order for an app's own credential: a managed identity or a federated credential (nothing
// stored), then a certificate, then a secret. See the managed identities overview and
// https://learn.microsoft.com/entra/workload-id/workload-identity-federation
const PREFER_MANAGED_IDENTITY: Guidance = {
  kind: 'prefer',
  title: 'Running in Azure? A managed identity: no secret at all',
  text: 'Azure gives the service an identity and gets its tokens for it; there is nothing to store, rotate or leak. Prefer it to a certificate or a secret.',
  cite: CITE.msManagedIdentity,
};
const PREFER_FEDERATION: Guidance = {
  kind: 'prefer',
  title: 'Running in CI or another cloud? Workload identity federation',
  text: 'GitHub Actions, Kubernetes or another cloud already give the job a signed token; Entra trusts that issuer and swaps it for its own. No secret is stored either.',
  cite: CITE.msWorkloadFederation,
};
// https://learn.microsoft.com/entra/identity-platform/scenario-desktop-acquire-token-wam and
// msal-android-single-sign-on: Microsoft recommends signing in through its broker where there is one.
const PREFER_BROKER: Guidance = {
  kind: 'prefer',
  title: 'Sign in through the broker with MSAL',
  text: 'On Windows, MSAL can hand the sign-in to WAM; on phones, to Microsoft Authenticator or Company Portal. The user gets single sign-on and device-based Conditional Access, and refresh tokens stay bound to the device. MSAL falls back to the system browser where no broker is present.',
  cite: CITE.msWam,
};

/** Every recommendation the chooser can end on. */
export const RECOMMENDATIONS = {
  'spa-code-pkce': {
    kind: 'grant',
    id: 'spa-code-pkce',
    grant: 'Authorization code with PKCE (public client)',
    route: 'authorization-code',
    why: 'The browser sends the user to sign in, gets a one-time code back and redeems it with the PKCE verifier it kept. No secret is involved: a single-page app cannot hold one.',
    platform: 'spa',
    platformNote:
      'Register the redirect URI on the Single-page application platform: only there does Entra let a browser redeem the code cross-origin, and its refresh tokens last 24 hours.',
    redirectUris: [{ uri: 'https://app.example.com/auth/callback', note: 'exact match, HTTPS' }],
    sandboxRegistration: 'Flow Lab SPA',
    handOff: { registration: 'Flow Lab SPA', pkce: true, secret: false },
    premise: { user: 'yes', secret: 'no', browser: 'yes' },
    guidance: [
      {
        kind: 'prefer',
        title: 'Stronger: a backend for frontend (BFF)',
        text: 'If you can add a small server beside the app, let it run the code flow as a confidential client and keep the tokens; the browser gets only an HttpOnly session cookie. Script injected into the page then has no token to steal.',
        cite: CITE.bff,
      },
      {
        kind: 'warning',
        title: 'Tokens in the browser are within reach of its scripts',
        text: 'MSAL.js keeps tokens in session storage by default, where any script on your origin can read them. Keep scopes small and your pages free of injected script.',
        cite: CITE.msMsalJsCache,
      },
    ],
    avoid: [AVOID_IMPLICIT, AVOID_ROPC, AVOID_LOOSE_REDIRECT],
    related: [
      { route: 'refresh-token', text: 'Keep the user signed in: refresh tokens, rotated for a browser.' },
      { route: 'dpop', text: 'Make a stolen token useless: bind it to a key the browser holds.' },
      { route: 'token-management', text: 'Read the user’s profile, check or revoke a token, sign out.' },
    ],
    cites: [CITE.pkce, CITE.implicit, CITE.msSpa, CITE.bff],
  },
  'web-code-pkce-secret': {
    kind: 'grant',
    id: 'web-code-pkce-secret',
    grant: 'Authorization code with PKCE and a client secret or certificate',
    route: 'authorization-code',
    why: 'The user signs in through the browser; your server redeems the code with PKCE and its own credential, so tokens never reach the browser. Prefer a certificate to a secret.',
    platform: 'web',
    platformNote:
      'Register the redirect URI on the Web platform, and a certificate (or a secret) under Certificates & secrets.',
    redirectUris: [
      { uri: 'https://app.example.com/auth/callback', note: 'exact match, HTTPS' },
      { uri: 'http://localhost:3000/auth/callback', note: 'for local development only' },
    ],
    sandboxRegistration: 'Flow Lab Web App',
    handOff: { registration: 'Flow Lab Web App', pkce: true, secret: true },
    premise: { user: 'yes', secret: 'yes', browser: 'yes' },
    guidance: [
      {
        kind: 'prefer',
        title: 'Hosted in Azure? Use its managed identity as the credential',
        text: 'Your server can authenticate without a stored secret: a managed identity, or a federated credential, in place of the secret or certificate.',
        cite: CITE.msWorkloadFederation,
      },
    ],
    avoid: [
      {
        ...AVOID_IMPLICIT,
        what: 'Implicit or hybrid flow for access tokens',
        why: 'Tokens in the front channel leak through the browser; your server can redeem a code safely instead.',
      },
      AVOID_ROPC,
      AVOID_LOOSE_REDIRECT,
    ],
    related: [
      { route: 'refresh-token', text: 'Keep the session going without asking the user again.' },
      { route: 'token-management', text: 'Read the user’s profile, check or revoke a token, sign out.' },
      {
        route: 'dynamic-registration',
        text: 'On servers that allow it, register the client over HTTP instead of in a portal.',
      },
    ],
    cites: [CITE.pkce, CITE.clientAuth, CITE.msWeb],
  },
  'native-code-pkce': {
    kind: 'grant',
    id: 'native-code-pkce',
    grant: 'Authorization code with PKCE in the system browser (public client)',
    route: 'authorization-code',
    why: 'The app opens the system browser (or the platform’s broker) for the sign-in and catches the redirect on a loopback port or its own URI scheme, then redeems the code with the PKCE verifier. It keeps no secret: an installed app cannot.',
    platform: 'mobile-desktop',
    platformNote: 'Add the Mobile and desktop applications platform with the redirect URI your library uses.',
    redirectUris: [
      { uri: 'http://localhost', note: 'desktop and CLI: loopback, any port' },
      { uri: 'msal{clientId}://auth', note: 'mobile and Electron (MSAL)' },
    ],
    sandboxRegistration: 'Flow Lab Console',
    handOff: {
      registration: 'Flow Lab SPA',
      pkce: true,
      secret: false,
      note: 'This lab runs in your browser and plays the app, so it signs in as the sandbox’s SPA: the same public client with PKCE. A real installed app registers like the sandbox’s Flow Lab Console, whose codes Entra refuses to redeem from a browser.',
    },
    premise: { user: 'yes', secret: 'no', browser: 'yes' },
    guidance: [
      PREFER_BROKER,
      {
        ...PREFER_BROKER,
        title: 'On phones: Authenticator or Company Portal',
        text: 'MSAL on iOS and Android signs in through Microsoft Authenticator, or Company Portal on Android, when one is installed: single sign-on across apps and device-based Conditional Access.',
        cite: CITE.msXamarinBroker,
      },
    ],
    avoid: [
      {
        what: 'An embedded web view for the sign-in',
        why: 'The app can read what the user types into it, and the user’s existing browser session is not used.',
        cite: CITE.embedded,
      },
      AVOID_ROPC,
      AVOID_IMPLICIT,
    ],
    related: [
      { route: 'refresh-token', text: 'Keep the user signed in between launches.' },
      { route: 'device-code', text: 'When the machine has no browser: device code.' },
    ],
    cites: [CITE.pkce, CITE.nativeLoopback, CITE.msDesktop, CITE.msMobile, CITE.msMobileBroker],
  },
  'device-code': {
    kind: 'grant',
    id: 'device-code',
    grant: 'Device code',
    route: 'device-code',
    why: 'The device shows a short code; the user enters it in a browser on their phone or laptop and signs in there, while the device polls the token endpoint until they are done.',
    platform: 'none',
    platformNote:
      'No redirect URI. Under Authentication, set “Allow public client flows” to Yes, or Entra answers AADSTS7000218.',
    redirectUris: [],
    sandboxRegistration: 'Flow Lab Console',
    handOff: { registration: 'Flow Lab Console' },
    premise: { user: 'yes', secret: 'no', browser: 'no' },
    guidance: [
      // https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows: device
      // code is "a high-risk authentication flow"; "Microsoft recommends blocking device code flow wherever
      // possible." RFC 8628 §5.4 describes the same remote phishing.
      {
        kind: 'warning',
        title: 'Only where no browser is available: device code is used for phishing',
        text: 'An attacker can start a sign-in and send the code to a victim, who then signs the attacker in. Microsoft recommends blocking device code with Conditional Access wherever it is not needed; your users’ tenant may well have done so.',
        cite: CITE.msDeviceCodeConditionalAccess,
      },
    ],
    avoid: [
      {
        ...AVOID_ROPC,
        why: 'Typing the password into the tool hands it to the tool; it also fails for MFA and federated accounts.',
      },
    ],
    related: [
      { route: 'refresh-token', text: 'Avoid asking for a new code every time.' },
      { route: 'authorization-code', text: 'When a browser is at hand: authorization code with PKCE.' },
    ],
    cites: [CITE.deviceGrant, CITE.ropc, CITE.msDevice, CITE.msDeviceCodeConditionalAccess],
  },
  'client-credentials': {
    kind: 'grant',
    id: 'client-credentials',
    grant: 'Client credentials, with a managed identity, a federated credential or a certificate',
    route: 'client-credentials',
    why: 'The app authenticates as itself and gets an app-only token with the application permissions an admin granted. Best is no stored credential at all; next a certificate (a signed assertion: nothing reusable travels); a secret last.',
    platform: 'none',
    platformNote:
      'No redirect URI. Without a managed identity or federation, upload a certificate under Certificates & secrets; have an admin grant the application permissions.',
    redirectUris: [],
    sandboxRegistration: 'Flow Lab Web App',
    handOff: { registration: 'Flow Lab Web App' },
    premise: { user: 'no', secret: 'yes' },
    guidance: [PREFER_MANAGED_IDENTITY, PREFER_FEDERATION],
    avoid: [
      {
        ...AVOID_ROPC,
        what: 'A service account’s password (ROPC)',
        why: 'A user password in a job is a long-lived secret that breaks with MFA; use the app’s own identity.',
      },
      {
        what: 'A client secret when a certificate or federation is possible',
        why: 'A secret is sent with each request and copied into configuration; a key never leaves the app.',
        route: 'client-credentials',
        cite: CITE.clientAuth,
      },
    ],
    related: [
      { route: 'dpop', text: 'Bind the token to a key the service holds.' },
      { route: 'token-management', text: 'Check or revoke a token at the server.' },
    ],
    cites: [
      CITE.clientAuth,
      CITE.msClientCredentials,
      CITE.msManagedIdentity,
      CITE.msWorkloadFederation,
      CITE.msCertificate,
      CITE.msDaemon,
    ],
  },
  'public-no-user': {
    kind: 'none',
    id: 'public-no-user',
    title: 'No grant fits: an app with no user and no way to keep a secret',
    why: 'Without a user, only the app’s own credential can get a token (RFC 6749 §4.4: client credentials is for confidential clients). Anything shipped to machines others control can be copied, so such an app has no credential worth trusting.',
    instead: [
      {
        text: 'Move the call to a server you run: it holds the credential and runs client credentials, and the app calls your server.',
        cite: CITE.clientCredentialsConfidential,
      },
      {
        text: 'If it runs in Azure or in CI, it can hold a credential after all: a managed identity or workload identity federation, with nothing stored. It is then a confidential client, and client credentials fits.',
        cite: CITE.msWorkloadFederation,
      },
      {
        text: 'Or let a user sign in, so the app acts for them: device code, or authorization code with PKCE.',
        cite: CITE.msScenarios,
      },
    ],
    premise: { user: 'no', secret: 'no' },
    avoid: [
      {
        what: 'Shipping a client secret in the app',
        why: 'Anyone with a copy can read it and act as your app, with all its permissions.',
        cite: CITE.clientCredentialsConfidential,
      },
      { what: AVOID_ROPC.what, why: AVOID_ROPC.why, cite: AVOID_ROPC.cite },
    ],
    cites: [CITE.clientCredentialsConfidential, CITE.clientAuth, CITE.msManagedIdentity, CITE.msScenarios],
  },
  'api-on-behalf-of': {
    kind: 'grant',
    id: 'api-on-behalf-of',
    grant: 'On-behalf-of (Entra) or token exchange (RFC 8693)',
    route: 'on-behalf-of',
    why: 'Your API trades the user’s token it received for a new one for the downstream API, still as that user and within what they consented to. Entra calls this on-behalf-of; RFC 8693 token exchange is the standard form.',
    platform: 'none',
    platformNote:
      'Your API is a confidential client: a certificate or secret under Certificates & secrets, the downstream API’s delegated permissions, and an exposed scope the calling app asks for.',
    redirectUris: [],
    sandboxRegistration: 'Flow Lab API',
    handOff: { registration: 'Flow Lab API' },
    premise: { user: 'yes', secret: 'yes' },
    guidance: [
      {
        kind: 'prefer',
        title: 'Hosted in Azure? Its credential can be a managed identity',
        text: 'The API’s own credential in the exchange can come from a managed identity through a federated credential, so no secret is stored.',
        cite: CITE.msWorkloadFederation,
      },
    ],
    avoid: [AVOID_PASS_THROUGH, AVOID_CC_FOR_USER],
    related: [
      { route: 'token-exchange', text: 'The standard form: token exchange on a non-Entra server.' },
      { route: 'call-api', text: 'See how an API checks a token’s audience and scopes.' },
    ],
    cites: [CITE.privilege, CITE.tokenExchange, CITE.msObo],
  },
} as const satisfies Record<string, Recommendation>;

/** The id of a recommendation. */
export type RecommendationId = keyof typeof RECOMMENDATIONS;

/**
 * The recommendation the answers end on, or undefined while a question is still open.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export function recommend(answers: ChooserAnswers): Recommendation | undefined {
  if (nextQuestion(answers) !== undefined) return undefined;
  const a = effectiveAnswers(answers);
  switch (a.app) {
    case 'spa':
      return RECOMMENDATIONS['spa-code-pkce'];
    case 'web':
      return a.user === 'yes'
        ? RECOMMENDATIONS['web-code-pkce-secret']
        : RECOMMENDATIONS['client-credentials'];
    case 'api':
      return a.user === 'yes' ? RECOMMENDATIONS['api-on-behalf-of'] : RECOMMENDATIONS['client-credentials'];
    case 'native':
      // RFC 6749 §4.4: client credentials only for confidential clients; an installed app is not one.
      return a.user === 'yes' ? RECOMMENDATIONS['native-code-pkce'] : RECOMMENDATIONS['public-no-user'];
    case 'cli':
      if (a.user === 'no')
        return a.secret === 'yes' ? RECOMMENDATIONS['client-credentials'] : RECOMMENDATIONS['public-no-user'];
      // RFC 8628 §1: the device grant is for devices that lack a browser or are hard to type on.
      return a.browser === 'yes' ? RECOMMENDATIONS['native-code-pkce'] : RECOMMENDATIONS['device-code'];
    case 'daemon':
      return a.secret === 'yes' ? RECOMMENDATIONS['client-credentials'] : RECOMMENDATIONS['public-no-user'];
    default:
      return undefined;
  }
}

function isOneOf<T extends string>(values: readonly T[], value: string | null): value is T {
  return value !== null && (values as readonly string[]).includes(value);
}

/** The answers in a `/choose` query string; unknown values are dropped, so the question is asked. */
export function parseChooserQuery(search: string | URLSearchParams): ChooserAnswers {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const answers: Record<string, string> = {};
  for (const question of QUESTIONS) {
    const value = params.get(question.id);
    if (
      isOneOf(
        question.options.map((o) => o.value),
        value,
      )
    )
      answers[question.id] = value;
  }
  return answers as ChooserAnswers;
}

/** At most this many of a link's unrecognised answers are named (a long query is cut short, not listed). */
export const MAX_UNRECOGNISED = 5;
/** A value or name from the link is shown cut to this many characters. */
const SHOWN_CHARS = 40;

/**
 * Something a `/choose` link says that the chooser does not know: an answer that is not one of its
 * question's values, or a parameter that is no question. `given` is as the link had it (cut short);
 * `valid` is what it could have been.
 */
export type UnrecognisedAnswer =
  | {
      readonly kind: 'value';
      readonly question: QuestionId;
      readonly legend: string;
      readonly given: string;
      readonly valid: readonly string[];
    }
  | { readonly kind: 'question'; readonly given: string; readonly valid: readonly QuestionId[] };

function cut(text: string): string {
  const chars = [...text];
  return chars.length <= SHOWN_CHARS ? text : `${chars.slice(0, SHOWN_CHARS).join('')}…`;
}

/**
 * What a `/choose` query says that the chooser cannot use (the value it reads for a question is the
 * first, as parseChooserQuery reads it), so the page can say so instead of silently asking again.
 * Never throws; at most {@link MAX_UNRECOGNISED} entries.
 */
export function unrecognisedAnswers(search: string | URLSearchParams): UnrecognisedAnswer[] {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const found: UnrecognisedAnswer[] = [];
  const seen = new Set<string>();
  for (const [name] of params) {
    if (seen.has(name) || found.length >= MAX_UNRECOGNISED) continue;
    seen.add(name);
    const question = QUESTIONS.find((q) => q.id === name);
    if (question === undefined) {
      found.push({ kind: 'question', given: cut(name), valid: QUESTIONS.map((q) => q.id) });
      continue;
    }
    const value = params.get(name) ?? '';
    const valid = question.options.map((o) => o.value);
    if (!valid.includes(value))
      found.push({ kind: 'value', question: question.id, legend: question.legend, given: cut(value), valid });
  }
  return found;
}

/** The query string for the answers of the questions still asked (decided ones are left out). */
export function buildChooserQuery(answers: ChooserAnswers): string {
  const params = new URLSearchParams();
  for (const question of askedQuestions(answers)) {
    const value = answers[question.id];
    if (value !== undefined) params.set(question.id, value);
  }
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/** The Entra admin center's name of a platform. */
export const PLATFORM_NAMES: Readonly<Record<EntraPlatform, string>> = {
  spa: 'Single-page application',
  web: 'Web',
  'mobile-desktop': 'Mobile and desktop applications',
  none: 'No platform (no redirect URI)',
};

/** `uri` as an http://localhost URL, or undefined for anything else (or a string that is no URL). */
function localhostUrl(uri: string): URL | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && url.hostname === 'localhost' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The redirect URI a hand-off profile uses: this app's own callback when the registration accepts it —
 * listed as is, or listed on http://localhost with another port, which Entra ignores when matching
 * localhost (RFC 8252 §7.3) — else the registration's first URI (the sign-in then ends elsewhere and the
 * page asks for the address to be pasted), else the callback.
 * @see https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions
 */
export function pickRedirectUri(registered: readonly string[], callback: string): string {
  if (registered.includes(callback)) return callback;
  const own = localhostUrl(callback);
  if (
    own !== undefined &&
    registered.some((uri) => {
      const url = localhostUrl(uri);
      return url !== undefined && url.pathname === own.pathname && url.search === own.search;
    })
  )
    return callback;
  return registered[0] ?? callback;
}
