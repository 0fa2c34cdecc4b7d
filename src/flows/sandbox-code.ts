/**
 * "Use the sandbox from your code": for each client library (MSAL Node, MSAL.js in a browser, Azure
 * Identity, openid-client) and plain curl, the configuration and calls for every grant it supports
 * against the sandbox tenant, filled with the sandbox's live values (tenant, issuer, client ids, the
 * sandbox-only secrets, the demo users). Pure data: the page renders it, a unit test checks every
 * snippet names only the directory's values and the documented names in {@link LIBRARY_NAMES}.
 */
import type { SandboxDirectory, SandboxDirectoryApp } from '../protocol/sandbox-directory.ts';

/** The libraries the page covers, in the order it shows them. */
export type SnippetLibrary = 'msal-node' | 'msal-browser' | 'azure-identity' | 'openid-client' | 'curl';

/** One documented name (option, method, export, flag) a snippet may use, with where it is documented. */
export interface LibraryName {
  readonly library: SnippetLibrary;
  readonly name: string;
  /** What it does here, in our words. */
  readonly what: string;
  readonly docs: string;
}

const MSAL_NODE_CONFIG = 'https://learn.microsoft.com/en-us/entra/msal/javascript/node/configuration';
const MSAL_NODE_CCA =
  'https://learn.microsoft.com/en-us/entra/msal/javascript/node/initialize-confidential-client-application';
const MSAL_NODE_PCA =
  'https://learn.microsoft.com/en-us/entra/msal/javascript/node/initialize-public-client-application';
const MSAL_NODE_API = 'https://learn.microsoft.com/en-us/javascript/api/@azure/msal-node/';
const MSAL_BROWSER_INIT = 'https://learn.microsoft.com/en-us/entra/msal/javascript/browser/initialization';
const MSAL_BROWSER_API = 'https://learn.microsoft.com/en-us/javascript/api/@azure/msal-browser/';
const IDENTITY_API = 'https://learn.microsoft.com/en-us/javascript/api/@azure/identity/';
const OPENID_CLIENT_DOCS = 'https://github.com/panva/openid-client/blob/v6.x/docs/README.md';
const CURL_DOCS = 'https://curl.se/docs/manpage.html';

/**
 * Every library name a snippet uses, in one table: the unit test refuses a snippet that uses a name not
 * listed here, and checks each Node library's names against its installed type declarations.
 */
export const LIBRARY_NAMES: readonly LibraryName[] = [
  // MSAL Node 7
  {
    library: 'msal-node',
    name: 'ConfidentialClientApplication',
    what: 'An app with a credential (secret or certificate): daemons, web apps, APIs.',
    docs: MSAL_NODE_CCA,
  },
  {
    library: 'msal-node',
    name: 'PublicClientApplication',
    what: 'An app without a credential: console and desktop apps.',
    docs: MSAL_NODE_PCA,
  },
  {
    library: 'msal-node',
    name: 'clientId',
    what: "The app registration's application (client) id.",
    docs: MSAL_NODE_CONFIG,
  },
  {
    library: 'msal-node',
    name: 'authority',
    what: 'The sandbox origin and the tenant id; MSAL reads <authority>/v2.0/.well-known/openid-configuration.',
    docs: MSAL_NODE_CONFIG,
  },
  {
    library: 'msal-node',
    name: 'knownAuthorities',
    what: "The sandbox's host: MSAL trusts it without asking login.microsoftonline.com (instance discovery), which an offline machine cannot reach.",
    docs: MSAL_NODE_CONFIG,
  },
  {
    library: 'msal-node',
    name: 'clientSecret',
    what: "The app's secret (sandbox-only test value here).",
    docs: MSAL_NODE_CCA,
  },
  {
    library: 'msal-node',
    name: 'clientCertificate',
    what: 'A certificate credential: MSAL signs a client assertion with the private key.',
    docs: MSAL_NODE_CCA,
  },
  {
    library: 'msal-node',
    name: 'thumbprintSha256',
    what: "The certificate's SHA-256 thumbprint in hex, sent as x5t#S256.",
    docs: MSAL_NODE_CCA,
  },
  {
    library: 'msal-node',
    name: 'privateKey',
    what: 'The PEM private key of the certificate.',
    docs: MSAL_NODE_CCA,
  },
  {
    library: 'msal-node',
    name: 'acquireTokenByClientCredential',
    what: 'Client credentials grant: an app-only token.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'acquireTokenByDeviceCode',
    what: 'Device code grant: prints a code, polls until the user signs in.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'deviceCodeCallback',
    what: 'Receives the code and the message to show the user.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'acquireTokenByUsernamePassword',
    what: 'Resource owner password grant (legacy; fails for users who need MFA).',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'InteractionRequiredAuthError',
    what: 'Thrown when only an interactive sign-in can help (MFA, consent).',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'getAuthCodeUrl',
    what: 'Builds the authorization request URL.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'acquireTokenByCode',
    what: 'Redeems the authorization code.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'CryptoProvider',
    what: "MSAL's helper that makes a PKCE verifier and challenge.",
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'generatePkceCodes',
    what: 'Returns { verifier, challenge } for PKCE (S256).',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'codeChallenge',
    what: 'The PKCE challenge sent with the authorization request.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'codeChallengeMethod',
    what: 'S256: the challenge is the base64url SHA-256 hash of the verifier (RFC 7636 §4.2).',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'codeVerifier',
    what: 'The PKCE verifier sent with the code.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'redirectUri',
    what: 'Where the sign-in sends the code; must be registered on the app.',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'acquireTokenSilent',
    what: "A token from MSAL's cache, refreshed with the refresh token when it has expired.",
    docs: MSAL_NODE_API,
  },
  { library: 'msal-node', name: 'getTokenCache', what: "MSAL's in-memory token cache.", docs: MSAL_NODE_API },
  {
    library: 'msal-node',
    name: 'getAllAccounts',
    what: 'The accounts signed in so far (home account id <oid>.<tid>).',
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'acquireTokenOnBehalfOf',
    what: "On-behalf-of: an API swaps the user's token for one to call Graph as that user.",
    docs: MSAL_NODE_API,
  },
  {
    library: 'msal-node',
    name: 'oboAssertion',
    what: 'The access token the API received.',
    docs: MSAL_NODE_API,
  },
  // MSAL.js (@azure/msal-browser 4; the snippet is checked against 4.30)
  {
    library: 'msal-browser',
    name: 'PublicClientApplication',
    what: 'The single-page app, a public client.',
    docs: MSAL_BROWSER_INIT,
  },
  {
    library: 'msal-browser',
    name: 'createPublicClientApplication',
    what: 'Creates and initializes the app (MSAL.js 3 and later must be initialized before use).',
    docs: MSAL_BROWSER_INIT,
  },
  {
    library: 'msal-browser',
    name: 'clientId',
    what: "The SPA registration's client id.",
    docs: MSAL_BROWSER_INIT,
  },
  {
    library: 'msal-browser',
    name: 'authority',
    what: 'The sandbox origin and the tenant id.',
    docs: MSAL_BROWSER_INIT,
  },
  {
    library: 'msal-browser',
    name: 'knownAuthorities',
    what: "The sandbox's host, trusted without instance discovery.",
    docs: MSAL_BROWSER_INIT,
  },
  {
    library: 'msal-browser',
    name: 'redirectUri',
    what: "Your page's address, registered on the SPA platform.",
    docs: MSAL_BROWSER_INIT,
  },
  {
    library: 'msal-browser',
    name: 'loginPopup',
    what: 'Sign-in in a popup: authorization code with PKCE, redeemed by the browser.',
    docs: MSAL_BROWSER_API,
  },
  {
    library: 'msal-browser',
    name: 'acquireTokenSilent',
    what: 'A token from the cache, refreshed when expired.',
    docs: MSAL_BROWSER_API,
  },
  {
    library: 'msal-browser',
    name: 'acquireTokenPopup',
    what: 'An interactive fallback when the silent call needs the user.',
    docs: MSAL_BROWSER_API,
  },
  {
    library: 'msal-browser',
    name: 'InteractionRequiredAuthError',
    what: 'Thrown when only an interactive sign-in can help.',
    docs: MSAL_BROWSER_API,
  },
  {
    library: 'msal-browser',
    name: 'setActiveAccount',
    what: 'The account later silent calls use.',
    docs: MSAL_BROWSER_API,
  },
  // Azure Identity 4
  {
    library: 'azure-identity',
    name: 'ClientSecretCredential',
    what: 'Client credentials with a secret.',
    docs: `${IDENTITY_API}clientsecretcredential`,
  },
  {
    library: 'azure-identity',
    name: 'ClientCertificateCredential',
    what: 'Client credentials with a certificate (a PEM file holding the certificate and its key).',
    docs: `${IDENTITY_API}clientcertificatecredential`,
  },
  {
    library: 'azure-identity',
    name: 'DeviceCodeCredential',
    what: 'Device code for a user.',
    docs: `${IDENTITY_API}devicecodecredential`,
  },
  {
    library: 'azure-identity',
    name: 'authorityHost',
    what: 'The sandbox origin instead of https://login.microsoftonline.com; must be https.',
    docs: `${IDENTITY_API}tokencredentialoptions`,
  },
  {
    library: 'azure-identity',
    name: 'disableInstanceDiscovery',
    what: 'Skips the instance discovery call to login.microsoft.com, which does not know the sandbox.',
    docs: `${IDENTITY_API}authorityvalidationoptions`,
  },
  {
    library: 'azure-identity',
    name: 'getToken',
    what: 'Asks for a token for a scope (the resource with /.default).',
    docs: `${IDENTITY_API}tokencredential`,
  },
  {
    library: 'azure-identity',
    name: 'tenantId',
    what: "The sandbox tenant's id.",
    docs: `${IDENTITY_API}devicecodecredentialoptions`,
  },
  {
    library: 'azure-identity',
    name: 'clientId',
    what: "The app registration's client id.",
    docs: `${IDENTITY_API}devicecodecredentialoptions`,
  },
  {
    library: 'azure-identity',
    name: 'userPromptCallback',
    what: 'Receives the device code message to show the user.',
    docs: `${IDENTITY_API}devicecodecredentialoptions`,
  },
  {
    library: 'azure-identity',
    name: 'OnBehalfOfCredential',
    what: "On-behalf-of in an API, from the user's token.",
    docs: `${IDENTITY_API}onbehalfofcredential`,
  },
  {
    library: 'azure-identity',
    name: 'clientSecret',
    what: "The API's secret (sandbox-only test value here).",
    docs: `${IDENTITY_API}onbehalfofcredentialsecretoptions`,
  },
  {
    library: 'azure-identity',
    name: 'userAssertionToken',
    what: 'The access token the API received.',
    docs: `${IDENTITY_API}onbehalfofcredentialsecretoptions`,
  },
  // openid-client 6 (functional API)
  {
    library: 'openid-client',
    name: 'discovery',
    what: "Reads the issuer's discovery document and returns a Configuration.",
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'allowInsecureRequests',
    what: 'Lets openid-client talk to an http issuer (only when the sandbox runs without https).',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'execute',
    what: 'Functions applied to the Configuration, such as allowInsecureRequests.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'randomPKCECodeVerifier',
    what: 'A fresh PKCE verifier.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'calculatePKCECodeChallenge',
    what: 'Its S256 challenge.',
    docs: OPENID_CLIENT_DOCS,
  },
  { library: 'openid-client', name: 'randomState', what: 'A fresh state value.', docs: OPENID_CLIENT_DOCS },
  {
    library: 'openid-client',
    name: 'randomNonce',
    what: 'A fresh nonce for the ID token.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'buildAuthorizationUrl',
    what: 'The authorization request URL.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'authorizationCodeGrant',
    what: 'Checks the callback (state) and redeems the code; validates the ID token (nonce, issuer, signature).',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'pkceCodeVerifier',
    what: 'The PKCE verifier to send with the code.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'expectedState',
    what: 'The state the callback must carry.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'expectedNonce',
    what: 'The nonce the ID token must carry.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'idTokenExpected',
    what: 'Fail if no ID token comes back.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'claims',
    what: "The validated ID token's claims.",
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'refreshTokenGrant',
    what: 'Redeems a refresh token.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'fetchUserInfo',
    what: 'Calls the userinfo endpoint and checks the subject.',
    docs: OPENID_CLIENT_DOCS,
  },
  {
    library: 'openid-client',
    name: 'clientCredentialsGrant',
    what: 'Client credentials grant.',
    docs: OPENID_CLIENT_DOCS,
  },
  // curl
  { library: 'curl', name: '--data-urlencode', what: 'Sends one form field, URL-encoded.', docs: CURL_DOCS },
  {
    library: 'curl',
    name: '-sS',
    what: 'No progress meter, but errors still shown: the answer alone goes to jq.',
    docs: CURL_DOCS,
  },
  {
    library: 'curl',
    name: '--cacert',
    what: "Trusts the sandbox's local CA for this request.",
    docs: CURL_DOCS,
  },
  {
    library: 'curl',
    name: '--user',
    what: 'HTTP Basic client authentication (client_secret_basic).',
    docs: CURL_DOCS,
  },
];

/** One copyable snippet: a grant done with one library. */
export interface CodeSnippet {
  /** Stable id: `<library>-<grant>`; also the element id's base on the page. */
  readonly id: string;
  readonly library: SnippetLibrary;
  /** The grant in plain words, e.g. "Client credentials with a secret". */
  readonly grant: string;
  /** `js`: a plain JavaScript ES module (.mjs, top-level await); `sh`: a POSIX shell script. */
  readonly language: 'js' | 'sh';
  readonly code: string;
  /** The documented names it uses, each in {@link LIBRARY_NAMES} for its library. */
  readonly names: readonly string[];
  /** What to do first or know, in our words. */
  readonly notes: readonly string[];
}

/** A grant the library supports whose snippet cannot be written from the current directory, and why. */
export interface MissingSnippet {
  readonly library: SnippetLibrary;
  readonly grant: string;
  readonly reason: string;
}

/** One library's part of the page. */
export interface LibrarySection {
  readonly library: SnippetLibrary;
  readonly title: string;
  /** The npm package and the major this is written for, e.g. `@azure/msal-node@7`. */
  readonly install: string | undefined;
  /** True when the library refuses an http authority and the sandbox runs without https. */
  readonly needsHttps: boolean;
  /** Configuration beyond "authority = the sandbox", in our words. */
  readonly beyondAuthority: readonly string[];
  readonly snippets: readonly CodeSnippet[];
  readonly missing: readonly MissingSnippet[];
}

/** A demo user, as the sandbox's `/directory.json` lists it (sandbox-only password). */
export interface SandboxCodeUser {
  readonly userPrincipalName: string;
  readonly password: string;
  readonly mfaRequired: boolean;
}

/** The whole guide for one directory. */
export interface SandboxCodeGuide {
  /** The sandbox origin its issuer names (follows SANDBOX_PUBLIC_ORIGIN and the https listener). */
  readonly origin: string;
  readonly https: boolean;
  readonly tenantId: string;
  /** `<origin>/<tenant id>`: what MSAL and Azure Identity call the authority. */
  readonly authority: string;
  readonly issuer: string;
  /** The shell line(s) setting NODE_EXTRA_CA_CERTS: the sandbox's absolute CA path when it gave one. */
  readonly caExport: string;
  readonly sections: readonly LibrarySection[];
}

/** Graph's resource, as Entra names it; the sandbox mirrors it. */
const GRAPH = 'https://graph.microsoft.com';
const GRAPH_DEFAULT = `${GRAPH}/.default`;
/** The port a reader's own web server listens on in the snippets (any port: see localhostPort). */
const OWN_APP_PORT = '3000';

/** A JavaScript string literal for any value (JSON is valid JavaScript). */
function js(value: string): string {
  return JSON.stringify(value);
}

/** A POSIX shell word for any value: single quotes, with each ' written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `uri` with its port changed to the reader's own, when it is an http localhost URI: Entra ignores
 * the port of such a redirect URI when matching, so the reader's server may listen anywhere.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions
 */
function localhostPort(uri: string): string {
  const url = new URL(uri);
  if (url.protocol !== 'http:' || (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1')) return uri;
  url.port = OWN_APP_PORT;
  return url.href;
}

function redirectFor(app: SandboxDirectoryApp): string | undefined {
  const registered = app.redirectUris.filter((uri) => URL.canParse(uri));
  const loopback = registered.find((uri) => new URL(uri).protocol === 'http:');
  const chosen = loopback ?? registered[0];
  return chosen === undefined ? undefined : localhostPort(chosen);
}

interface Apps {
  readonly web: SandboxDirectoryApp | undefined;
  readonly console: SandboxDirectoryApp | undefined;
  readonly spa: SandboxDirectoryApp | undefined;
  readonly api: SandboxDirectoryApp | undefined;
}

/** The registrations each grant uses: picked by what they are, so a renamed app still fits. */
function pickApps(directory: SandboxDirectory): Apps {
  const apps = directory.apps;
  return {
    web: apps.find(
      (a) =>
        a.platform === 'web' && a.confidential && a.identifierUri === undefined && a.redirectUris.length > 0,
    ),
    console: apps.find((a) => a.platform === 'publicClient' && a.allowPublicClientFlows),
    spa: apps.find((a) => a.platform === 'spa' && a.redirectUris.length > 0),
    api: apps.find((a) => a.identifierUri !== undefined && a.confidential && a.exposedScopes.length > 0),
  };
}

function apiScope(api: SandboxDirectoryApp): string {
  const scope = api.exposedScopes.includes('access_as_user') ? 'access_as_user' : api.exposedScopes[0];
  return `${api.identifierUri ?? `api://${api.clientId}`}/${scope ?? ''}`;
}

const SECRET_NOTE =
  'The secret shown is sandbox-only test data from the sandbox directory; never put a real secret in code.';
const HTTPS_NOTE =
  'It refuses an http authority: start the sandbox with https (npm start -- --https, or SANDBOX_HTTPS=1) and set NODE_EXTRA_CA_CERTS to the CA file it prints (tls-ca.pem in its data folder, .sandbox/ by default); this page then shows the https address.';

/** Context shared by the builders. */
interface Context {
  readonly origin: string;
  readonly host: string;
  readonly https: boolean;
  readonly tenantId: string;
  readonly authority: string;
  readonly issuer: string;
  readonly apps: Apps;
  readonly users: readonly SandboxCodeUser[] | undefined;
  /** The CA file's absolute path, from `/directory.json` (`tls.caFile`), when the sandbox said it. */
  readonly caFile: string | undefined;
}

type Built = { snippet: CodeSnippet } | { missing: MissingSnippet };

function snippet(
  library: SnippetLibrary,
  key: string,
  grant: string,
  code: string,
  names: readonly string[],
  notes: readonly string[] = [],
  language: CodeSnippet['language'] = 'js',
): Built {
  return { snippet: { id: `${library}-${key}`, library, grant, language, code, names, notes } };
}

function missing(library: SnippetLibrary, grant: string, reason: string): Built {
  return { missing: { library, grant, reason } };
}

function noApp(library: SnippetLibrary, grant: string, what: string): Built {
  return missing(
    library,
    grant,
    `The sandbox directory has no ${what}, so this snippet has nothing to name. Reset the tenant on the portal to get the seeded app registrations back.`,
  );
}

function noSecret(library: SnippetLibrary, grant: string, app: SandboxDirectoryApp): Built {
  return missing(
    library,
    grant,
    `The sandbox has not sent ${app.displayName}'s secret to this page (it is read live from the sandbox; its secrets may all have expired). Add a secret on the portal; this page picks it up within seconds.`,
  );
}

/**
 * Where the incoming user token for on-behalf-of comes from. The SPA registration lists the API's scope.
 * Device code and ROPC cannot add a permission (AADSTS650057 for the Console app); a sign-in in a browser
 * can, by dynamic consent, so the Web app's code flow gets one too. Both tested in
 * server/client-libraries/sandbox-code-snippets.test.ts.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/consent-types-developer#incremental-and-dynamic-user-consent
 */
function incomingTokenNotes(ctx: Context, api: SandboxDirectoryApp): string[] {
  const { spa, web, console: cli } = ctx.apps;
  const scope = apiScope(api);
  const notes = [
    `The incoming token is a user's access token for ${scope}, got by a client the user signed in to.`,
  ];
  if (cli !== undefined)
    notes.push(
      `Not from ${cli.displayName}: its device code and password sign-ins cannot show a consent page, and its registration does not list that scope, so the answer is AADSTS650057.`,
    );
  if (spa !== undefined)
    notes.push(
      `The simplest way: in this lab, open Authorization code (/flows/authorization-code) with ${spa.displayName}, set the scope to "openid ${scope}", run it and copy access_token from the token response (or use the On-behalf-of page, whose first step does this).`,
    );
  if (web !== undefined)
    notes.push(
      `From your own code: the MSAL Node authorization code snippet above with scopes ["${scope}"] — ${web.displayName}'s sign-in in a browser may ask for it (the user consents), then result.accessToken is the token.`,
    );
  if (spa === undefined && web === undefined)
    notes.push('The sandbox directory has no app that can ask for it; reset the tenant on the portal.');
  return notes;
}

/**
 * MSAL's auth block. knownAuthorities holds the host alone, as MSAL's docs write it ("Mark your B2C
 * tenant's domain as trusted"):
 * https://learn.microsoft.com/en-us/entra/msal/javascript/node/initialize-public-client-application
 */
function msalAuth(ctx: Context, clientId: string, extra: readonly string[] = []): string {
  return [
    `    clientId: ${js(clientId)},`,
    `    authority: ${js(ctx.authority)},`,
    `    knownAuthorities: [${js(ctx.host)}],`,
    ...extra.map((line) => `    ${line}`),
  ].join('\n');
}

function msalNode(ctx: Context): Built[] {
  const L = 'msal-node';
  const { web, console: cli, api } = ctx.apps;
  const out: Built[] = [];
  // RFC 6749 §4.4 / Entra client credentials: the scope is the resource with /.default.
  if (web === undefined) out.push(noApp(L, 'Client credentials with a secret', 'confidential web app'));
  else if (web.sandboxOnlySecret === undefined)
    out.push(noSecret(L, 'Client credentials with a secret', web));
  else
    out.push(
      snippet(
        L,
        'client-credentials-secret',
        'Client credentials with a secret',
        `import { ConfidentialClientApplication } from "@azure/msal-node";

const app = new ConfidentialClientApplication({
  auth: {
${msalAuth(ctx, web.clientId, [`clientSecret: ${js(web.sandboxOnlySecret)}, // sandbox-only test secret`])}
  },
});

const result = await app.acquireTokenByClientCredential({ scopes: [${js(GRAPH_DEFAULT)}] });
console.log(result?.accessToken);
`,
        [
          'ConfidentialClientApplication',
          'clientId',
          'authority',
          'knownAuthorities',
          'clientSecret',
          'acquireTokenByClientCredential',
        ],
        [SECRET_NOTE],
      ),
    );
  if (web === undefined) out.push(noApp(L, 'Client credentials with a certificate', 'confidential web app'));
  else
    out.push(
      snippet(
        L,
        'client-credentials-certificate',
        'Client credentials with a certificate',
        `import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { ConfidentialClientApplication } from "@azure/msal-node";

// cert.pem and key.pem: made with openssl (see above); cert.pem uploaded on the portal first.
const certificate = new X509Certificate(readFileSync("cert.pem"));
const app = new ConfidentialClientApplication({
  auth: {
${msalAuth(ctx, web.clientId, [
  'clientCertificate: {',
  '  thumbprintSha256: certificate.fingerprint256.replaceAll(":", ""),',
  '  privateKey: readFileSync("key.pem", "utf8"),',
  '},',
])}
  },
});

const result = await app.acquireTokenByClientCredential({ scopes: [${js(GRAPH_DEFAULT)}] });
console.log(result?.accessToken);
`,
        [
          'ConfidentialClientApplication',
          'clientId',
          'authority',
          'knownAuthorities',
          'clientCertificate',
          'thumbprintSha256',
          'privateKey',
          'acquireTokenByClientCredential',
        ],
        [
          `Make a key and a self-signed certificate: openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 365 -subj "/CN=my-sandbox-client". Upload cert.pem on the portal under ${web.displayName}'s certificates; the private key never leaves your machine.`,
        ],
      ),
    );
  if (cli === undefined) out.push(noApp(L, 'Device code', 'public client with public client flows allowed'));
  else
    out.push(
      snippet(
        L,
        'device-code',
        'Device code',
        `import { PublicClientApplication } from "@azure/msal-node";

const app = new PublicClientApplication({
  auth: {
${msalAuth(ctx, cli.clientId)}
  },
});

const result = await app.acquireTokenByDeviceCode({
  scopes: ["User.Read"],
  // Shows where to go and the code to type; MSAL polls until the user has signed in.
  deviceCodeCallback: (response) => console.log(response.message),
});
console.log(result?.account?.username);
`,
        [
          'PublicClientApplication',
          'clientId',
          'authority',
          'knownAuthorities',
          'acquireTokenByDeviceCode',
          'deviceCodeCallback',
        ],
      ),
    );
  const ordinary = ctx.users?.find((u) => !u.mfaRequired);
  const mfa = ctx.users?.find((u) => u.mfaRequired);
  if (cli === undefined)
    out.push(noApp(L, 'Username and password (ROPC)', 'public client with public client flows allowed'));
  else if (ordinary === undefined)
    out.push(
      missing(
        L,
        'Username and password (ROPC)',
        "The sandbox's user list (/directory.json) has not been read, so there is no user to name. Check that the sandbox is running; this page reads it again when the directory changes.",
      ),
    );
  else
    out.push(
      snippet(
        L,
        'password',
        'Username and password (ROPC)',
        `import { InteractionRequiredAuthError, PublicClientApplication } from "@azure/msal-node";

const app = new PublicClientApplication({
  auth: {
${msalAuth(ctx, cli.clientId)}
  },
});

try {
  const result = await app.acquireTokenByUsernamePassword({
    scopes: ["User.Read"],
    username: ${js(ordinary.userPrincipalName)},
    password: ${js(ordinary.password)}, // sandbox-only test password
  });
  console.log(result?.account?.username);
} catch (error) {
  // MFA (${mfa?.userPrincipalName ?? 'an MFA user'}: AADSTS50076, subError basic_action) or no consent yet
  // (AADSTS65001, subError consent_required): both are invalid_grant; only a sign-in in a browser helps.
  if (error instanceof InteractionRequiredAuthError)
    console.log("Sign in interactively instead:", error.subError, error.errorMessage.match(/AADSTS\\d+/)?.[0]);
  else throw error;
}
`,
        [
          'PublicClientApplication',
          'clientId',
          'authority',
          'knownAuthorities',
          'acquireTokenByUsernamePassword',
          'InteractionRequiredAuthError',
        ],
        [
          'Legacy: the password grant exists for old scripts; prefer device code.',
          `As in Entra, it cannot ask for consent: the user must have consented to ${cli.displayName} once (sign in with the device code snippet first), or the answer is AADSTS65001, which MSAL raises as InteractionRequiredAuthError (consent_required).`,
        ],
      ),
    );
  if (web === undefined)
    out.push(noApp(L, 'Authorization code with PKCE, then silent refresh', 'confidential web app'));
  else if (web.sandboxOnlySecret === undefined)
    out.push(noSecret(L, 'Authorization code with PKCE, then silent refresh', web));
  else {
    const redirect = redirectFor(web);
    if (redirect === undefined)
      out.push(
        missing(
          L,
          'Authorization code with PKCE, then silent refresh',
          `${web.displayName} has no redirect URI; add one on the portal.`,
        ),
      );
    else
      out.push(
        snippet(
          L,
          'authorization-code',
          'Authorization code with PKCE, then silent refresh',
          `import { createServer } from "node:http";
import { ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";

const app = new ConfidentialClientApplication({
  auth: {
${msalAuth(ctx, web.clientId, [`clientSecret: ${js(web.sandboxOnlySecret)}, // sandbox-only test secret`])}
  },
});
const redirectUri = ${js(redirect)};
const scopes = ["User.Read"];
const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
console.log("Open:", await app.getAuthCodeUrl({ scopes, redirectUri, codeChallenge: challenge, codeChallengeMethod: "S256" }));

createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", redirectUri);
  // Only the redirect URI is the callback: anything else (the browser's /favicon.ico) is not found.
  if (url.pathname !== new URL(redirectUri).pathname) return void res.writeHead(404).end("Not found.");
  try {
    const code = url.searchParams.get("code");
    if (code === null) throw new Error(url.searchParams.get("error_description") ?? "No code in this request.");
    const result = await app.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier });
    // Later calls: from MSAL's cache, refreshed with the refresh token once expired.
    const [account] = await app.getTokenCache().getAllAccounts();
    const again = account && (await app.acquireTokenSilent({ account, scopes }));
    res.end(\`Signed in as \${result.account?.username}; silent token: \${again ? "yes" : "no"}\`);
  } catch (error) {
    // A failed sign-in is printed and answered; the server keeps running.
    console.error(error);
    res.writeHead(500).end(\`Sign-in failed: \${error instanceof Error ? error.message : String(error)}\`);
  }
}).listen(Number(new URL(redirectUri).port));
`,
          [
            'ConfidentialClientApplication',
            'clientId',
            'authority',
            'knownAuthorities',
            'clientSecret',
            'CryptoProvider',
            'generatePkceCodes',
            'getAuthCodeUrl',
            'codeChallenge',
            'codeChallengeMethod',
            'redirectUri',
            'acquireTokenByCode',
            'codeVerifier',
            'getTokenCache',
            'getAllAccounts',
            'acquireTokenSilent',
          ],
          [
            `The redirect URI is ${web.displayName}'s registered one with your server's port: Entra ignores the port of an http://localhost redirect URI when matching.`,
            SECRET_NOTE,
          ],
        ),
      );
  }
  if (api === undefined) out.push(noApp(L, 'On-behalf-of', 'API with a secret and an exposed scope'));
  else if (api.sandboxOnlySecret === undefined) out.push(noSecret(L, 'On-behalf-of', api));
  else
    out.push(
      snippet(
        L,
        'on-behalf-of',
        'On-behalf-of (in your API)',
        `import { ConfidentialClientApplication } from "@azure/msal-node";

const api = new ConfidentialClientApplication({
  auth: {
${msalAuth(ctx, api.clientId, [`clientSecret: ${js(api.sandboxOnlySecret)}, // sandbox-only test secret`])}
  },
});

/** incomingToken: the access token a caller sent your API (audience ${api.identifierUri ?? api.clientId}). */
export async function graphTokenFor(incomingToken) {
  const result = await api.acquireTokenOnBehalfOf({ oboAssertion: incomingToken, scopes: [${js(`${GRAPH}/User.Read`)}] });
  return result?.accessToken;
}
`,
        [
          'ConfidentialClientApplication',
          'clientId',
          'authority',
          'knownAuthorities',
          'clientSecret',
          'acquireTokenOnBehalfOf',
          'oboAssertion',
        ],
        [...incomingTokenNotes(ctx, api), SECRET_NOTE],
      ),
    );
  return out;
}

function msalBrowser(ctx: Context): Built[] {
  const L = 'msal-browser';
  const { spa, api } = ctx.apps;
  if (spa === undefined)
    return [noApp(L, 'Authorization code with PKCE, then silent refresh', 'single-page app')];
  const redirect = redirectFor(spa);
  if (redirect === undefined)
    return [
      missing(
        L,
        'Authorization code with PKCE, then silent refresh',
        `${spa.displayName} has no redirect URI; add one on the portal.`,
      ),
    ];
  return [
    snippet(
      L,
      'authorization-code',
      'Authorization code with PKCE, then silent refresh',
      `import { InteractionRequiredAuthError, PublicClientApplication } from "@azure/msal-browser";

const msal = await PublicClientApplication.createPublicClientApplication({
  auth: {
${msalAuth(ctx, spa.clientId, [`redirectUri: ${js(redirect)},`])}
  },
});

const login = await msal.loginPopup({ scopes: ["User.Read"] });
msal.setActiveAccount(login.account);

async function token(scopes) {
  try {
    return (await msal.acquireTokenSilent({ scopes })).accessToken;
  } catch (error) {
    // Consent or MFA needed: only the user can help.
    if (error instanceof InteractionRequiredAuthError) return (await msal.acquireTokenPopup({ scopes })).accessToken;
    throw error;
  }
}
console.log(await token(["User.Read"]));${api === undefined ? '' : `\n// For your API (then on-behalf-of there):\nconsole.log(await token([${js(apiScope(api))}]));`}
`,
      [
        'PublicClientApplication',
        'createPublicClientApplication',
        'clientId',
        'authority',
        'knownAuthorities',
        'redirectUri',
        'loginPopup',
        'setActiveAccount',
        'acquireTokenSilent',
        'InteractionRequiredAuthError',
        'acquireTokenPopup',
      ],
      [
        `Serve your page at ${redirect}: ${spa.displayName}'s redirect URI is on the SPA platform, so the browser may redeem the code (the port of http://localhost is ignored when matching).`,
        ctx.https
          ? "The browser must trust the sandbox's certificate: import its CA (tls-ca.pem, the CA file printed at start) as a trusted authority (docs/sandbox-https.md)."
          : 'MSAL.js refuses an http authority too: it needs the sandbox on https, and the browser must trust its CA (docs/sandbox-https.md).',
      ],
    ),
  ];
}

function identity(ctx: Context): Built[] {
  const L = 'azure-identity';
  const { web, console: cli, api } = ctx.apps;
  const options = `{ authorityHost: ${js(ctx.origin)}, disableInstanceDiscovery: true }`;
  const out: Built[] = [];
  if (web === undefined) out.push(noApp(L, 'Client credentials with a secret', 'confidential web app'));
  else if (web.sandboxOnlySecret === undefined)
    out.push(noSecret(L, 'Client credentials with a secret', web));
  else
    out.push(
      snippet(
        L,
        'client-credentials-secret',
        'Client credentials with a secret',
        `import { ClientSecretCredential } from "@azure/identity";

const credential = new ClientSecretCredential(
  ${js(ctx.tenantId)},
  ${js(web.clientId)},
  ${js(web.sandboxOnlySecret)}, // sandbox-only test secret
  ${options},
);
const token = await credential.getToken(${js(GRAPH_DEFAULT)});
console.log(token.token);
`,
        ['ClientSecretCredential', 'authorityHost', 'disableInstanceDiscovery', 'getToken'],
        [SECRET_NOTE],
      ),
    );
  if (web === undefined) out.push(noApp(L, 'Client credentials with a certificate', 'confidential web app'));
  else
    out.push(
      snippet(
        L,
        'client-credentials-certificate',
        'Client credentials with a certificate',
        `import { ClientCertificateCredential } from "@azure/identity";

// client.pem holds the certificate and its private key: cat cert.pem key.pem > client.pem
const credential = new ClientCertificateCredential(
  ${js(ctx.tenantId)},
  ${js(web.clientId)},
  "client.pem",
  ${options},
);
const token = await credential.getToken(${js(GRAPH_DEFAULT)});
console.log(token.token);
`,
        ['ClientCertificateCredential', 'authorityHost', 'disableInstanceDiscovery', 'getToken'],
        [
          `Make cert.pem and key.pem with openssl as for MSAL Node, and upload cert.pem on the portal under ${web.displayName}'s certificates.`,
        ],
      ),
    );
  if (cli === undefined) out.push(noApp(L, 'Device code', 'public client with public client flows allowed'));
  else
    out.push(
      snippet(
        L,
        'device-code',
        'Device code',
        `import { DeviceCodeCredential } from "@azure/identity";

const credential = new DeviceCodeCredential({
  tenantId: ${js(ctx.tenantId)},
  clientId: ${js(cli.clientId)},
  authorityHost: ${js(ctx.origin)},
  disableInstanceDiscovery: true,
  userPromptCallback: (info) => console.log(info.message),
});
const token = await credential.getToken(${js(`${GRAPH}/User.Read`)});
console.log(token.expiresOnTimestamp);
`,
        [
          'DeviceCodeCredential',
          'tenantId',
          'clientId',
          'authorityHost',
          'disableInstanceDiscovery',
          'userPromptCallback',
          'getToken',
        ],
      ),
    );
  if (api === undefined)
    out.push(noApp(L, 'On-behalf-of (in your API)', 'API with a secret and an exposed scope'));
  else if (api.sandboxOnlySecret === undefined) out.push(noSecret(L, 'On-behalf-of (in your API)', api));
  else
    out.push(
      snippet(
        L,
        'on-behalf-of',
        'On-behalf-of (in your API)',
        `import { OnBehalfOfCredential } from "@azure/identity";

// OnBehalfOfCredential's option type omits disableInstanceDiscovery, but the credential hands it to MSAL
// like the others do: passed through a spread, it keeps the sandbox away from instance discovery.
const sandbox = ${options};

/** incomingToken: the access token a caller sent your API (audience ${api.identifierUri ?? api.clientId}). */
export async function graphTokenFor(incomingToken) {
  const credential = new OnBehalfOfCredential({
    tenantId: ${js(ctx.tenantId)},
    clientId: ${js(api.clientId)},
    clientSecret: ${js(api.sandboxOnlySecret)}, // sandbox-only test secret
    userAssertionToken: incomingToken,
    ...sandbox,
  });
  return (await credential.getToken(${js(`${GRAPH}/User.Read`)})).token;
}
`,
        [
          'OnBehalfOfCredential',
          'tenantId',
          'clientId',
          'clientSecret',
          'userAssertionToken',
          'authorityHost',
          'disableInstanceDiscovery',
          'getToken',
        ],
        [...incomingTokenNotes(ctx, api), SECRET_NOTE],
      ),
    );
  return out;
}

function openidClient(ctx: Context): Built[] {
  const L = 'openid-client';
  const { web } = ctx.apps;
  const grant = 'Discovery, code flow with PKCE, ID token, refresh, userinfo';
  if (web === undefined) return [noApp(L, grant, 'confidential web app')];
  if (web.sandboxOnlySecret === undefined) return [noSecret(L, grant, web)];
  const redirect = redirectFor(web);
  if (redirect === undefined)
    return [missing(L, grant, `${web.displayName} has no redirect URI; add one on the portal.`)];
  // OpenID Connect Discovery 1.0 §4.3: the issuer in the document must equal the one asked for, so the
  // tenant-GUID issuer is used (openid-client accepts Entra's multi-tenant forms only on Microsoft's hosts).
  const discovery = [
    'const config = await client.discovery(',
    `  new URL(${js(ctx.issuer)}),`,
    `  ${js(web.clientId)},`,
    `  ${js(web.sandboxOnlySecret)}, // sandbox-only test secret`,
    ...(ctx.https
      ? []
      : [
          '  undefined,',
          '  { execute: [client.allowInsecureRequests] }, // only while the sandbox runs on http',
        ]),
    ');',
  ].join('\n');
  const names = [
    'discovery',
    ...(ctx.https ? [] : ['execute', 'allowInsecureRequests']),
    'randomPKCECodeVerifier',
    'calculatePKCECodeChallenge',
    'randomState',
    'randomNonce',
    'buildAuthorizationUrl',
    'authorizationCodeGrant',
    'pkceCodeVerifier',
    'expectedState',
    'expectedNonce',
    'idTokenExpected',
    'claims',
    'refreshTokenGrant',
    'fetchUserInfo',
  ];
  return [
    snippet(
      L,
      'authorization-code',
      grant,
      `import { createServer } from "node:http";
import * as client from "openid-client";

${discovery}
const redirect_uri = ${js(redirect)};
const verifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
console.log("Open:", client.buildAuthorizationUrl(config, {
  redirect_uri,
  scope: "openid profile offline_access User.Read",
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: "S256",
  state,
  nonce,
}).href);

createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", redirect_uri);
  // Only the redirect URI is the callback: anything else (the browser's /favicon.ico) is not found.
  if (url.pathname !== new URL(redirect_uri).pathname) return void res.writeHead(404).end("Not found.");
  try {
    const tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    const user = await client.fetchUserInfo(config, tokens.access_token, claims?.sub ?? "");
    const refreshed = tokens.refresh_token ? await client.refreshTokenGrant(config, tokens.refresh_token) : undefined;
    res.end(\`Signed in as \${String(user.name)}; refreshed: \${refreshed ? "yes" : "no"}\`);
  } catch (error) {
    // A failed sign-in (no code, a state mismatch, a refused token request) is printed and answered.
    console.error(error);
    res.writeHead(500).end(\`Sign-in failed: \${error instanceof Error ? error.message : String(error)}\`);
  }
}).listen(Number(new URL(redirect_uri).port));
`,
      names,
      [
        `The issuer is the tenant-GUID form (${ctx.issuer}). openid-client checks the discovery document's issuer exactly, and accepts Entra's multi-tenant issuers only on login.microsoftonline.com.`,
        `The redirect URI is ${web.displayName}'s registered one with your server's port (Entra ignores the port of an http://localhost redirect URI).`,
        SECRET_NOTE,
      ],
    ),
    snippet(
      L,
      'client-credentials-secret',
      'Client credentials with a secret',
      `import * as client from "openid-client";

${discovery}
const tokens = await client.clientCredentialsGrant(config, { scope: ${js(GRAPH_DEFAULT)} });
console.log(tokens.access_token);
`,
      ['discovery', ...(ctx.https ? [] : ['execute', 'allowInsecureRequests']), 'clientCredentialsGrant'],
      [SECRET_NOTE],
    ),
  ];
}

function curl(ctx: Context): Built[] {
  const L = 'curl';
  const { web, console: cli, api } = ctx.apps;
  const ca = !ctx.https
    ? ''
    : ctx.caFile === undefined
      ? ' --cacert "$NODE_EXTRA_CA_CERTS"'
      : ` --cacert ${shellQuote(ctx.caFile)}`;
  const token = `${ctx.origin}/${ctx.tenantId}/oauth2/v2.0/token`;
  const device = `${ctx.origin}/${ctx.tenantId}/oauth2/v2.0/devicecode`;
  const q = shellQuote;
  const out: Built[] = [];
  const caNote =
    ctx.https && ctx.caFile === undefined
      ? ['NODE_EXTRA_CA_CERTS holds the path of the CA file the sandbox printed at start.']
      : [];
  const jqNote = 'Needs jq (https://jqlang.org) to read the JSON answers; paste the block whole.';
  if (web === undefined) out.push(noApp(L, 'Client credentials with a secret', 'confidential web app'));
  else if (web.sandboxOnlySecret === undefined)
    out.push(noSecret(L, 'Client credentials with a secret', web));
  else
    out.push(
      snippet(
        L,
        'client-credentials-secret',
        'Client credentials with a secret',
        `# RFC 6749 section 4.4; the secret is sandbox-only test data.
curl${ca} ${q(token)} \\
  --user ${q(`${web.clientId}:${web.sandboxOnlySecret}`)} \\
  --data-urlencode 'grant_type=client_credentials' \\
  --data-urlencode ${q(`scope=${GRAPH_DEFAULT}`)}
`,
        ['--user', '--data-urlencode', ...(ctx.https ? ['--cacert'] : [])],
        [
          ...caNote,
          'Client id and secret in HTTP Basic (RFC 6749 §2.3.1): the client id is a GUID, so nothing needs encoding.',
        ],
        'sh',
      ),
    );
  if (cli === undefined) out.push(noApp(L, 'Device code', 'public client with public client flows allowed'));
  else
    out.push(
      snippet(
        L,
        'device-code',
        'Device code',
        `# 1. Ask for a code (RFC 8628 section 3.1): the answer names the page and the code to enter there.
answer=$(curl -sS${ca} ${q(device)} \\
  --data-urlencode ${q(`client_id=${cli.clientId}`)} \\
  --data-urlencode 'scope=User.Read offline_access')
DEVICE_CODE=$(printf '%s' "$answer" | jq -r '.device_code // empty')
interval=$(printf '%s' "$answer" | jq -r '.interval // 5')
if [ -z "$DEVICE_CODE" ]; then printf '%s\n' "$answer"; else
  printf '%s\n' "$answer" | jq -r .message
  # 2. Poll the token endpoint (RFC 8628 section 3.4) until the user has signed in there.
  while :; do
    sleep "$interval"
    tokens=$(curl -sS${ca} ${q(token)} \\
      --data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:device_code' \\
      --data-urlencode ${q(`client_id=${cli.clientId}`)} \\
      --data-urlencode "device_code=$DEVICE_CODE")
    case $(printf '%s' "$tokens" | jq -r '.error // empty') in
      authorization_pending) ;;
      slow_down) interval=$((interval + 5)) ;; # RFC 8628 section 3.5: 5 seconds more from now on
      *) printf '%s\n' "$tokens"; break ;;
    esac
  done
fi
`,
        ['--data-urlencode', '-sS', ...(ctx.https ? ['--cacert'] : [])],
        [
          ...caNote,
          jqNote,
          'It prints where to sign in, then asks again every interval seconds (5 more after slow_down) until the answer is the tokens or an error other than authorization_pending.',
        ],
        'sh',
      ),
    );
  const ordinary = ctx.users?.find((u) => !u.mfaRequired);
  if (cli !== undefined && ordinary !== undefined)
    out.push(
      snippet(
        L,
        'password',
        'Username and password (ROPC)',
        `# Legacy (RFC 6749 section 4.3); the password is sandbox-only test data.
tokens=$(curl -sS${ca} ${q(token)} \\
  --data-urlencode 'grant_type=password' \\
  --data-urlencode ${q(`client_id=${cli.clientId}`)} \\
  --data-urlencode ${q(`username=${ordinary.userPrincipalName}`)} \\
  --data-urlencode ${q(`password=${ordinary.password}`)} \\
  --data-urlencode 'scope=User.Read offline_access')
printf '%s\n' "$tokens"
REFRESH_TOKEN=$(printf '%s' "$tokens" | jq -r '.refresh_token // empty')

# Refresh (RFC 6749 section 6) with the refresh_token of that answer, when there is one.
if [ -n "$REFRESH_TOKEN" ]; then
  curl -sS${ca} ${q(token)} \\
    --data-urlencode 'grant_type=refresh_token' \\
    --data-urlencode ${q(`client_id=${cli.clientId}`)} \\
    --data-urlencode "refresh_token=$REFRESH_TOKEN"
  echo
fi
`,
        ['--data-urlencode', '-sS', ...(ctx.https ? ['--cacert'] : [])],
        [
          ...caNote,
          jqNote,
          `The user must have consented to ${cli.displayName} once (device code above), or the answer is AADSTS65001 and there is no refresh.`,
        ],
        'sh',
      ),
    );
  else if (cli !== undefined)
    out.push(
      missing(
        L,
        'Username and password (ROPC), then refresh',
        "The sandbox's user list (/directory.json) has not been read, so there is no user to name.",
      ),
    );
  if (api !== undefined && api.sandboxOnlySecret !== undefined)
    out.push(
      snippet(
        L,
        'on-behalf-of',
        'On-behalf-of',
        `# Entra's on-behalf-of: the API swaps the token it received ($USER_TOKEN) for a Graph token.
curl${ca} ${q(token)} \\
  --user ${q(`${api.clientId}:${api.sandboxOnlySecret}`)} \\
  --data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer' \\
  --data-urlencode 'requested_token_use=on_behalf_of' \\
  --data-urlencode "assertion=$USER_TOKEN" \\
  --data-urlencode ${q(`scope=${GRAPH}/User.Read`)}
`,
        ['--user', '--data-urlencode', ...(ctx.https ? ['--cacert'] : [])],
        [...caNote, ...incomingTokenNotes(ctx, api)],
        'sh',
      ),
    );
  return out;
}

const TITLES: Readonly<
  Record<SnippetLibrary, { title: string; install: string | undefined; refusesHttp: boolean }>
> = {
  'msal-node': { title: 'MSAL Node', install: 'npm install @azure/msal-node@7', refusesHttp: true },
  'msal-browser': {
    title: 'MSAL.js in a browser',
    install: 'npm install @azure/msal-browser@4',
    refusesHttp: true,
  },
  'azure-identity': { title: 'Azure Identity', install: 'npm install @azure/identity@4', refusesHttp: true },
  'openid-client': { title: 'openid-client', install: 'npm install openid-client@6', refusesHttp: false },
  curl: { title: 'curl', install: undefined, refusesHttp: false },
};

function beyondAuthority(library: SnippetLibrary, ctx: Context): string[] {
  switch (library) {
    case 'msal-node':
    case 'msal-browser':
      return [
        `knownAuthorities: [${js(ctx.host)}] — MSAL then trusts the sandbox without instance discovery at login.microsoftonline.com.`,
        'An https authority: MSAL refuses http (authority_uri_insecure).',
      ];
    case 'azure-identity':
      return [
        `authorityHost: ${js(ctx.origin)} and disableInstanceDiscovery: true.`,
        'An https authorityHost: Azure Identity refuses http.',
      ];
    case 'openid-client':
      return [
        `The issuer in its tenant-GUID form, ${ctx.issuer}.`,
        ...(ctx.https ? [] : ['execute: [allowInsecureRequests] while the sandbox runs on http.']),
      ];
    case 'curl':
      if (!ctx.https) return [];
      return ctx.caFile === undefined
        ? ['--cacert "$NODE_EXTRA_CA_CERTS" (or the CA path the sandbox printed).']
        : [`--cacert ${shellQuote(ctx.caFile)}: the CA file this sandbox uses.`];
  }
}

/**
 * The guide for a sandbox directory (and its demo users and CA file, when `/directory.json` was read):
 * one section per library, each snippet filled with the directory's live values.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols
 */
export function buildSandboxCodeGuide(
  directory: SandboxDirectory,
  users: readonly SandboxCodeUser[] | undefined,
  caFile?: string,
): SandboxCodeGuide {
  const issuerUrl = new URL(directory.issuer);
  const origin = issuerUrl.origin;
  const ctx: Context = {
    origin,
    host: issuerUrl.host,
    https: issuerUrl.protocol === 'https:',
    tenantId: directory.tenant.id,
    authority: `${origin}/${directory.tenant.id}`,
    issuer: directory.issuer,
    apps: pickApps(directory),
    users,
    caFile,
  };
  const builders: Readonly<Record<SnippetLibrary, (c: Context) => Built[]>> = {
    'msal-node': msalNode,
    'msal-browser': msalBrowser,
    'azure-identity': identity,
    'openid-client': openidClient,
    curl,
  };
  const sections = (Object.keys(builders) as SnippetLibrary[]).map((library): LibrarySection => {
    const built = builders[library](ctx);
    const info = TITLES[library];
    return {
      library,
      title: info.title,
      install: info.install,
      needsHttps: info.refusesHttp && !ctx.https,
      beyondAuthority: beyondAuthority(library, ctx),
      snippets: built.flatMap((b) => ('snippet' in b ? [b.snippet] : [])),
      missing: built.flatMap((b) => ('missing' in b ? [b.missing] : [])),
    };
  });
  return {
    origin,
    https: ctx.https,
    tenantId: ctx.tenantId,
    authority: ctx.authority,
    issuer: ctx.issuer,
    caExport: caExport(ctx),
    sections,
  };
}

/**
 * The shell line that trusts the sandbox CA for Node: the absolute path the sandbox gave in
 * `/directory.json`, or, when unknown, the default data folder's path relative to the lab's folder.
 */
function caExport(ctx: Context): string {
  if (ctx.caFile !== undefined) return `export NODE_EXTRA_CA_CERTS=${shellQuote(ctx.caFile)}`;
  return [
    '# The start prints "CA file     <path>/tls-ca.pem": use that absolute path. With the default data',
    '# folder, run this in the OAuth Flow Lab folder (not your project), or write the path out in full:',
    'export NODE_EXTRA_CA_CERTS="$PWD/.sandbox/tls-ca.pem"',
  ].join('\n');
}

/**
 * The CA file an https sandbox names in its `/directory.json` (`tls.caFile`, issue 17): an absolute path,
 * or `undefined` for anything else (http, an older sandbox, any other JSON). Never throws.
 */
export function parseSandboxCaFile(json: unknown): string | undefined {
  const tls = isRecord(json) ? json['tls'] : undefined;
  const caFile = isRecord(tls) ? tls['caFile'] : undefined;
  if (typeof caFile !== 'string' || [...caFile].some((c) => c.charCodeAt(0) < 0x20)) return undefined;
  // POSIX /… or Windows C:\… / \\server\share: a relative path would depend on the reader's folder.
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(caFile) ? caFile : undefined;
}

/**
 * Said once on the page: the Node snippets are plain JavaScript ES modules (top-level await), run as
 * `.mjs` files; the MSAL.js one is for a bundler.
 */
export const JAVASCRIPT_NOTE =
  'The Node snippets are plain JavaScript ES modules: save each as a .mjs file (or .js in a package with "type": "module") and run it with node. The MSAL.js snippet is plain JavaScript too, for a page built with a bundler such as Vite (it imports the npm package by name).';

/** Why a library section needs https, for the page. */
export const HTTPS_REQUIRED_NOTE = HTTPS_NOTE;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The demo users in the sandbox's `/directory.json` (any JSON): those with a text user name and password
 * and a true/false MFA flag; anything else is left out, never a crash.
 */
export function parseSandboxUsers(json: unknown): SandboxCodeUser[] {
  const users = isRecord(json) ? json['users'] : undefined;
  if (!Array.isArray(users)) return [];
  return users.flatMap((user): SandboxCodeUser[] => {
    if (!isRecord(user)) return [];
    const { userPrincipalName, password, mfaRequired } = user;
    if (typeof userPrincipalName !== 'string' || userPrincipalName === '') return [];
    if (typeof password !== 'string' || password === '' || typeof mfaRequired !== 'boolean') return [];
    return [{ userPrincipalName, password, mfaRequired }];
  });
}
