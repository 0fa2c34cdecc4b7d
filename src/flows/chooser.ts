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

/** What the chooser ends on. */
export interface Recommendation {
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
  readonly avoid: readonly Avoidance[];
  readonly related: readonly RelatedRoute[];
  /** The guidance it rests on: at least one RFC 9700 section or Microsoft page. */
  readonly cites: readonly Citation[];
}

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
  readonly id: QuestionId;
  readonly value: YesNo;
  readonly reason: string;
}

/**
 * The answers that follow from the app kind (and whether there is a user), so they are not asked.
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
      decided.push(
        { id: 'secret', value: 'yes', reason: 'It runs on your server: a confidential client.' },
        { id: 'browser', value: 'yes', reason: 'Its users reach it in a browser.' },
      );
      break;
    case 'api':
      decided.push(
        { id: 'secret', value: 'yes', reason: 'It runs on your server: a confidential client.' },
        { id: 'browser', value: 'yes', reason: 'It never shows a sign-in page: its callers do.' },
      );
      break;
    case 'native':
      decided.push(
        {
          id: 'secret',
          value: 'no',
          reason:
            'A secret shipped in an installed app can be extracted from it (RFC 8252 §8.5): a public client.',
        },
        {
          id: 'browser',
          value: 'yes',
          reason: 'Desktop and mobile systems have a system browser the app can open (RFC 8252 §6).',
        },
      );
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
      decided.push(
        { id: 'user', value: 'no', reason: 'A daemon runs with nobody signed in.' },
        { id: 'browser', value: 'yes', reason: 'With no user, no browser is needed.' },
      );
      break;
    case undefined:
      break;
  }
  // Without a user nobody signs in, so whether a browser exists does not matter.
  if (answers.app === 'cli' && answers.user === 'no')
    decided.push({ id: 'browser', value: 'yes', reason: 'With no user, no browser is needed.' });
  return decided;
}

/** The answers with the decided ones filled in (they win over what a deep link says). */
export function effectiveAnswers(answers: ChooserAnswers): ChooserAnswers {
  const merged: Record<string, string> = { ...answers };
  for (const d of decidedAnswers(answers)) merged[d.id] = d.value;
  return merged as ChooserAnswers;
}

/** The questions still asked for these answers, in order: the app kind, then what it leaves open. */
export function askedQuestions(answers: ChooserAnswers): ChooserQuestion[] {
  const decided = new Set(decidedAnswers(answers).map((d) => d.id));
  if (answers.app === undefined) return QUESTIONS.filter((q) => q.id === 'app');
  return QUESTIONS.filter((q) => !decided.has(q.id));
}

/** The first asked question not answered yet, or undefined when the answers reach a recommendation. */
export function nextQuestion(answers: ChooserAnswers): ChooserQuestion | undefined {
  return askedQuestions(answers).find((q) => answers[q.id] === undefined);
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

/** Every recommendation the chooser can end on. */
export const RECOMMENDATIONS = {
  'spa-code-pkce': {
    id: 'spa-code-pkce',
    grant: 'Authorization code with PKCE (public client)',
    route: 'authorization-code',
    why: 'The browser sends the user to sign in, gets a one-time code back and redeems it with the PKCE verifier it kept. No secret is involved: a single-page app cannot hold one.',
    platform: 'spa',
    platformNote:
      'Register the redirect URI on the Single-page application platform: only there does Entra let a browser redeem the code cross-origin, and its refresh tokens last 24 hours.',
    redirectUris: [{ uri: 'https://app.example.com/auth/callback', note: 'exact match, HTTPS' }],
    sandboxRegistration: 'Flow Lab SPA',
    avoid: [AVOID_IMPLICIT, AVOID_ROPC, AVOID_LOOSE_REDIRECT],
    related: [
      { route: 'refresh-token', text: 'Keep the user signed in: refresh tokens, rotated for a browser.' },
      { route: 'dpop', text: 'Make a stolen token useless: bind it to a key the browser holds.' },
      { route: 'token-management', text: 'Read the user’s profile, check or revoke a token, sign out.' },
    ],
    cites: [CITE.pkce, CITE.implicit, CITE.msSpa],
  },
  'web-code-pkce-secret': {
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
    id: 'native-code-pkce',
    grant: 'Authorization code with PKCE in the system browser (public client)',
    route: 'authorization-code',
    why: 'The app opens the system browser for the sign-in and catches the redirect on a loopback port or its own URI scheme, then redeems the code with the PKCE verifier. It keeps no secret: an installed app cannot.',
    platform: 'mobile-desktop',
    platformNote: 'Add the Mobile and desktop applications platform with the redirect URI your library uses.',
    redirectUris: [
      { uri: 'http://localhost', note: 'desktop and CLI: loopback, any port' },
      { uri: 'msal{clientId}://auth', note: 'mobile and Electron (MSAL)' },
    ],
    sandboxRegistration: 'Flow Lab Console',
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
    cites: [CITE.pkce, CITE.nativeLoopback, CITE.msDesktop, CITE.msMobile],
  },
  'device-code': {
    id: 'device-code',
    grant: 'Device code',
    route: 'device-code',
    why: 'The device shows a short code; the user enters it in a browser on their phone or laptop and signs in there, while the device polls the token endpoint until they are done.',
    platform: 'none',
    platformNote:
      'No redirect URI. Under Authentication, set “Allow public client flows” to Yes, or Entra answers AADSTS7000218.',
    redirectUris: [],
    sandboxRegistration: 'Flow Lab Console',
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
    cites: [CITE.deviceGrant, CITE.ropc, CITE.msDevice],
  },
  'client-credentials': {
    id: 'client-credentials',
    grant: 'Client credentials, with a certificate',
    route: 'client-credentials',
    why: 'The app authenticates as itself and gets an app-only token with the application permissions an admin granted. A certificate (a signed assertion) beats a secret: nothing reusable travels.',
    platform: 'none',
    platformNote:
      'No redirect URI. Upload a certificate under Certificates & secrets, and have an admin grant the application permissions.',
    redirectUris: [],
    sandboxRegistration: 'Flow Lab Web App',
    avoid: [
      {
        ...AVOID_ROPC,
        what: 'A service account’s password (ROPC)',
        why: 'A user password in a job is a long-lived secret that breaks with MFA; use the app’s own identity.',
      },
      {
        what: 'A client secret when a certificate is possible',
        why: 'A secret is sent with each request and copied into configuration; a key never leaves the app.',
        route: 'client-credentials',
        cite: CITE.clientAuth,
      },
    ],
    related: [
      { route: 'dpop', text: 'Bind the token to a key the service holds.' },
      { route: 'token-management', text: 'Check or revoke a token at the server.' },
    ],
    cites: [CITE.clientAuth, CITE.msClientCredentials, CITE.msCertificate, CITE.msDaemon],
  },
  'public-no-user': {
    id: 'public-no-user',
    grant: 'No grant fits as asked: move the call to a server, or sign a user in',
    route: 'client-credentials',
    why: 'Without a user, only the app’s own credential can get a token, and an app that cannot keep a secret has none worth trusting. Put the call behind a back end that runs client credentials, or let a user sign in (device code, authorization code).',
    platform: 'none',
    platformNote:
      'Register the back end as a confidential client (a certificate) with the application permissions.',
    redirectUris: [],
    sandboxRegistration: 'Flow Lab Web App',
    avoid: [
      {
        what: 'Shipping a client secret in the app',
        why: 'Anyone with a copy can read it and act as your app, with all its permissions.',
        cite: CITE.clientCredentialsConfidential,
      },
      AVOID_ROPC,
    ],
    related: [{ route: 'device-code', text: 'Sign a user in on another device instead.' }],
    cites: [CITE.clientCredentialsConfidential, CITE.clientAuth, CITE.msDaemon, CITE.msScenarios],
  },
  'api-on-behalf-of': {
    id: 'api-on-behalf-of',
    grant: 'On-behalf-of (Entra) or token exchange (RFC 8693)',
    route: 'on-behalf-of',
    why: 'Your API trades the user’s token it received for a new one for the downstream API, still as that user and within what they consented to. Entra calls this on-behalf-of; RFC 8693 token exchange is the standard form.',
    platform: 'none',
    platformNote:
      'Your API is a confidential client: a certificate or secret under Certificates & secrets, the downstream API’s delegated permissions, and an exposed scope the calling app asks for.',
    redirectUris: [],
    sandboxRegistration: 'Flow Lab API',
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
