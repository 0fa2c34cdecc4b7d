/**
 * The registration checker: given an app registration (see app-manifest.ts), the grant the user means
 * to run, the tenant segment of the authority URL and the scopes asked, lists what will work and what
 * will fail, with the AADSTS error Entra answers for each mistake and the fix. Pure: nothing is sent
 * anywhere, and the current time is passed in.
 * Entra's rules here come from Microsoft's pages, cited where each is applied:
 * https://learn.microsoft.com/en-us/entra/identity-platform/reply-url (redirect URI rules)
 * https://learn.microsoft.com/en-us/entra/identity-platform/supported-accounts-validation (audience)
 * https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens (token versions)
 * https://learn.microsoft.com/en-us/graph/permissions-reference (Microsoft Graph permission ids)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
import type { AppRegistration, Credential, RedirectPlatform } from './app-manifest.ts';

/**
 * The grants the checker knows, as a user would pick them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-1.3
 */
export type CheckedFlow =
  | 'spa-code'
  | 'web-code'
  | 'desktop-code'
  | 'client-credentials-secret'
  | 'client-credentials-certificate'
  | 'device-code'
  | 'password'
  | 'implicit'
  | 'hybrid'
  | 'on-behalf-of'
  | 'refresh-token';

/**
 * The tenant segment of the authority URL: a tenant (its id or domain), or one of the shared endpoints.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/msal-client-application-configuration#authority
 */
export type TenantChoice = 'tenant' | 'common' | 'organizations' | 'consumers';

/**
 * Each check has an id; its outcome is the finding's severity.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
export type FindingId =
  | 'redirect-none'
  | 'redirect-platform'
  | 'redirect-not-registered'
  | 'redirect-http'
  | 'redirect-wildcard'
  | 'implicit-id-token'
  | 'implicit-access-token'
  | 'implicit-unneeded'
  | 'public-client-flows'
  | 'audience-tenant'
  | 'tenant-required'
  | 'access-token-version'
  | 'scope-several-apis'
  | 'scope-default'
  | 'app-permission'
  | 'scope-consent'
  | 'offline-access'
  | 'credential-missing'
  | 'secret-expiry'
  | 'secret-not-yet-valid'
  | 'certificate-missing'
  | 'certificate-expiry'
  | 'certificate-not-yet-valid'
  | 'obo-api'
  | 'grant-type'
  | 'response-type'
  | 'auth-method'
  | 'registered-scope';

/**
 * A check's outcome: fine, refused by the server, or working with a risk or a catch.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export type Severity = 'pass' | 'problem' | 'warning';

/**
 * One line of the checklist: what was checked, the outcome, and for a problem or warning the error it
 * leads to and what to change.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 */
export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  readonly fix?: string;
  /** The AADSTS error Entra answers when this mistake is made. */
  readonly aadsts?: number;
  /** The manifest field to change, in the pasted format's spelling. */
  readonly field?: string;
}

/**
 * How the registration will be used: the grant, the tenant segment, the scopes, and the time now.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export interface CheckOptions {
  readonly flow: CheckedFlow;
  readonly tenant: TenantChoice;
  readonly scopes: readonly string[];
  /** The redirect URI the app will send, when the user gives it. */
  readonly redirectUri?: string;
  readonly now: Date;
}

interface FlowTraits {
  readonly label: string;
  /** Platforms whose redirect URIs work for this flow; undefined when the flow has no redirect. */
  readonly platforms?: readonly RedirectPlatform[];
  /** The credential the client must hold, for a confidential client. */
  readonly credential?: 'secret' | 'certificate' | 'either';
  /** A user agrees to permissions during this flow (a consent page can be shown). */
  readonly interactive: boolean;
  readonly delegated: boolean;
  /** RFC 7591 §2 grant_types and response_types values this flow needs. */
  readonly grantTypes: readonly string[];
  readonly responseType?: string;
  readonly defaultScopes: string;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * What each grant needs from a registration.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2.1
 */
export const CHECKED_FLOWS: Readonly<Record<CheckedFlow, FlowTraits>> = {
  'spa-code': {
    label: 'Authorization code + PKCE, single-page app',
    platforms: ['spa'],
    interactive: true,
    delegated: true,
    grantTypes: ['authorization_code'],
    responseType: 'code',
    defaultScopes: 'openid profile User.Read',
  },
  'web-code': {
    label: 'Authorization code, web app with a back end',
    platforms: ['web'],
    credential: 'either',
    interactive: true,
    delegated: true,
    grantTypes: ['authorization_code'],
    responseType: 'code',
    defaultScopes: 'openid profile User.Read',
  },
  'desktop-code': {
    label: 'Authorization code + PKCE, desktop or mobile app',
    platforms: ['public-client'],
    interactive: true,
    delegated: true,
    grantTypes: ['authorization_code'],
    responseType: 'code',
    defaultScopes: 'openid profile User.Read',
  },
  'client-credentials-secret': {
    label: 'Client credentials with a secret',
    credential: 'secret',
    interactive: false,
    delegated: false,
    grantTypes: ['client_credentials'],
    defaultScopes: 'https://graph.microsoft.com/.default',
  },
  'client-credentials-certificate': {
    label: 'Client credentials with a certificate',
    credential: 'certificate',
    interactive: false,
    delegated: false,
    grantTypes: ['client_credentials'],
    defaultScopes: 'https://graph.microsoft.com/.default',
  },
  'device-code': {
    label: 'Device code',
    interactive: true,
    delegated: true,
    grantTypes: [DEVICE_CODE_GRANT],
    defaultScopes: 'openid profile User.Read',
  },
  password: {
    label: 'Resource owner password (ROPC)',
    interactive: false,
    delegated: true,
    grantTypes: ['password'],
    defaultScopes: 'openid profile User.Read',
  },
  implicit: {
    label: 'Implicit (id_token token)',
    platforms: ['web', 'spa'],
    interactive: true,
    delegated: true,
    grantTypes: ['implicit'],
    responseType: 'id_token token',
    defaultScopes: 'openid profile User.Read',
  },
  hybrid: {
    label: 'Hybrid (code id_token)',
    platforms: ['web', 'spa'],
    interactive: true,
    delegated: true,
    grantTypes: ['authorization_code', 'implicit'],
    responseType: 'code id_token',
    defaultScopes: 'openid profile User.Read',
  },
  'on-behalf-of': {
    label: 'On-behalf-of (an API calling another API)',
    credential: 'either',
    interactive: false,
    delegated: true,
    grantTypes: [JWT_BEARER_GRANT],
    defaultScopes: 'https://graph.microsoft.com/User.Read',
  },
  'refresh-token': {
    label: 'Refresh token',
    interactive: false,
    delegated: true,
    grantTypes: ['refresh_token'],
    defaultScopes: 'openid profile offline_access User.Read',
  },
};

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/**
 * Ids of a few Microsoft Graph permissions, as requiredResourceAccess lists them (delegated `Scope`,
 * application `Role`): https://learn.microsoft.com/en-us/graph/permissions-reference
 */
const GRAPH_PERMISSIONS: Readonly<Record<string, { readonly scope?: string; readonly role?: string }>> = {
  'user.read': { scope: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d' },
  'user.read.all': {
    scope: 'a154be20-db9c-4678-8ab7-66f6cc099a59',
    role: 'df021288-bdef-4463-88db-98f22de89214',
  },
  'mail.read': {
    scope: '570282fd-fa5c-430d-a7fd-fc8dc98a9dca',
    role: '810c84a8-4a9e-49e6-bf7d-12d183f40d01',
  },
  'directory.read.all': {
    scope: '06da0dbc-49e2-44d2-8312-53f166ab848a',
    role: '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  },
};

/** Seconds in the window where a credential counts as "ending soon". */
const SOON_MS = 30 * 24 * 60 * 60 * 1000;

/** The fields to change, in each format's spelling. */
const FIELDS = {
  'microsoft-graph': {
    publicClient: 'isFallbackPublicClient',
    idToken: 'web.implicitGrantSettings.enableIdTokenIssuance',
    accessToken: 'web.implicitGrantSettings.enableAccessTokenIssuance',
    version: 'api.requestedAccessTokenVersion',
    redirects: {
      web: 'web.redirectUris',
      spa: 'spa.redirectUris',
      'public-client': 'publicClient.redirectUris',
      any: 'redirect_uris',
    },
    secrets: 'passwordCredentials',
    certificates: 'keyCredentials',
    scopes: 'api.oauth2PermissionScopes',
  },
  'azure-ad-graph': {
    publicClient: 'allowPublicClient',
    idToken: 'oauth2AllowIdTokenImplicitFlow',
    accessToken: 'oauth2AllowImplicitFlow',
    version: 'accessTokenAcceptedVersion',
    redirects: {
      web: 'replyUrlsWithType (type Web)',
      spa: 'replyUrlsWithType (type Spa)',
      'public-client': 'replyUrlsWithType (type InstalledClient)',
      any: 'replyUrlsWithType',
    },
    secrets: 'passwordCredentials',
    certificates: 'keyCredentials',
    scopes: 'oauth2Permissions',
  },
} as const;

const PLATFORM_NAMES: Readonly<Record<RedirectPlatform, string>> = {
  web: 'Web',
  spa: 'Single-page application',
  'public-client': 'Mobile and desktop applications',
  any: 'any',
};

/** A scope as asked, with the API it is for when that can be told. */
interface AskedScope {
  readonly raw: string;
  readonly permission: string;
  /** The API's client id (GUID, lower case); undefined when only an App ID URI we cannot resolve names it. */
  readonly resourceAppId: string | undefined;
  /** What tells APIs apart, for "one API per token". */
  readonly resourceKey: string;
}

function resolveScope(raw: string, registration: AppRegistration): AskedScope | undefined {
  if (OIDC_SCOPES.has(raw.toLowerCase())) return undefined;
  const cut = raw.lastIndexOf('/');
  // A bare name (User.Read) is a Microsoft Graph permission.
  if (cut < 0) return { raw, permission: raw, resourceAppId: GRAPH_APP_ID, resourceKey: GRAPH_APP_ID };
  const resource = raw.slice(0, cut).replace(/\/$/, '');
  const permission = raw.slice(cut + 1);
  const bare = resource.replace(/^api:\/\//i, '');
  let appId: string | undefined;
  if (/^(https:\/\/)?graph\.microsoft\.com$/i.test(resource) || bare.toLowerCase() === GRAPH_APP_ID)
    appId = GRAPH_APP_ID;
  else if (GUID.test(bare)) appId = bare.toLowerCase();
  else if (
    registration.clientId !== undefined &&
    registration.identifierUris.some((uri) => uri.replace(/\/$/, '').toLowerCase() === resource.toLowerCase())
  )
    appId = registration.clientId.toLowerCase();
  return { raw, permission, resourceAppId: appId, resourceKey: appId ?? resource.toLowerCase() };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A flow's label inside a sentence: its first letter lower-cased, acronyms (ROPC, PKCE) kept. */
function inSentence(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
}

function pass(id: FindingId, title: string, detail: string): Finding {
  return { id, severity: 'pass', title, detail };
}

function isEntra(registration: AppRegistration): registration is AppRegistration & {
  format: 'microsoft-graph' | 'azure-ad-graph';
} {
  return registration.format !== 'client-metadata';
}

function fieldsOf(registration: AppRegistration) {
  return FIELDS[registration.format === 'azure-ad-graph' ? 'azure-ad-graph' : 'microsoft-graph'];
}

/** Whether the app acts as a confidential client in this flow (it must present a credential). */
function credentialNeeded(flow: CheckedFlow, registration: AppRegistration): FlowTraits['credential'] {
  const traits = CHECKED_FLOWS[flow];
  if (traits.credential !== undefined) return traits.credential;
  if (flow !== 'refresh-token') return undefined;
  // A refresh token is redeemed the way the app's code was: a Web-only app is confidential.
  const platforms = new Set(registration.redirectUris.map((r) => r.platform));
  if (registration.format === 'client-metadata') {
    return registration.tokenEndpointAuthMethod === 'none' ? undefined : 'either';
  }
  return platforms.has('web') &&
    !platforms.has('spa') &&
    !platforms.has('public-client') &&
    registration.publicClientFlows !== true
    ? 'either'
    : undefined;
}

// --- Redirect URIs --------------------------------------------------------------------------------

function checkRedirects(registration: AppRegistration, options: CheckOptions): Finding[] {
  const traits = CHECKED_FLOWS[options.flow];
  const findings: Finding[] = [];
  const all = registration.redirectUris;
  const names = registration.format === 'client-metadata' ? undefined : fieldsOf(registration).redirects;

  // Redirect URI hygiene applies to every registered URI, whatever the flow.
  const plainHttp = all.filter((r) => {
    try {
      const url = new URL(r.uri);
      return url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname);
    } catch {
      return false;
    }
  });
  if (plainHttp.length > 0) {
    // RFC 6749 §3.1.2.1: the redirection endpoint SHOULD require TLS; Entra allows http only for localhost,
    // and RFC 8252 §7.3 allows it only for loopback redirects of native apps.
    findings.push({
      id: 'redirect-http',
      severity: 'problem',
      title: 'Redirect URI over plain http',
      detail: `${plainHttp.map((r) => r.uri).join(', ')} uses http on a host other than localhost. Codes and tokens sent there cross the network unencrypted; ${isEntra(registration) ? 'Entra accepts http only for localhost, and refuses to save other http URIs' : 'OAuth wants TLS there (RFC 6749 §3.1.2.1), and allows http only for loopback addresses'}.`,
      fix: 'Use https for every redirect URI that is not localhost (http://localhost is fine while developing).',
      field: names?.[plainHttp[0]?.platform ?? 'web'] ?? 'redirect_uris',
    });
  } else if (all.length > 0) {
    findings.push(
      pass(
        'redirect-http',
        'Redirect URIs use https',
        'Every redirect URI uses https, or http on localhost only.',
      ),
    );
  }
  const wildcards = all.filter((r) => r.uri.includes('*'));
  if (wildcards.length > 0) {
    // RFC 9700 §4.1.3: the authorization server MUST compare redirect URIs by exact string matching.
    // Entra (reply-url page) takes wildcards only for apps limited to work and school accounts, set in
    // the manifest; for apps that also sign in personal accounts, and for generic servers, they do not match.
    const tolerated =
      registration.signInAudience === 'AzureADMyOrg' || registration.signInAudience === 'AzureADMultipleOrgs';
    const listed = wildcards.map((r) => r.uri).join(', ');
    findings.push(
      tolerated
        ? {
            id: 'redirect-wildcard',
            severity: 'warning',
            title: 'Wildcard in a redirect URI',
            detail: `${listed} has a “*”. Entra accepts it for work and school accounts, but then any matching host — a forgotten subdomain someone else takes over — can receive your users' codes and tokens.`,
            fix: 'Register each exact redirect URI the app uses, without wildcards (use state to return to a page).',
            field: names?.[wildcards[0]?.platform ?? 'web'] ?? 'redirect_uris',
          }
        : {
            id: 'redirect-wildcard',
            severity: 'problem',
            title: 'Wildcard in a redirect URI',
            detail: `${listed} has a “*”. ${registration.format === 'client-metadata' ? 'Servers following RFC 9700 compare redirect URIs exactly' : 'Entra does not support wildcards for apps that sign in personal accounts'}, so the address your app really uses does not match it.`,
            fix: 'Register each exact redirect URI the app uses, without wildcards (use state to return to a page).',
            ...(registration.format === 'client-metadata' ? {} : { aadsts: 50011 }),
            field: names?.[wildcards[0]?.platform ?? 'web'] ?? 'redirect_uris',
          },
    );
  }

  if (traits.platforms === undefined) return findings;
  if (all.length === 0) {
    findings.push({
      id: 'redirect-none',
      severity: 'problem',
      title: 'No redirect URI registered',
      detail: `${traits.label} sends the user back to a redirect URI, and this registration has none.`,
      fix:
        registration.format === 'client-metadata'
          ? 'Add the redirect URI to redirect_uris.'
          : `Add the redirect URI on the ${PLATFORM_NAMES[traits.platforms[0] ?? 'web']} platform.`,
      ...(isEntra(registration) ? { aadsts: 500113 } : {}),
      ...(names === undefined ? { field: 'redirect_uris' } : { field: names[traits.platforms[0] ?? 'web'] }),
    });
    return findings;
  }
  const onPlatform = all.filter((r) => r.platform === 'any' || traits.platforms?.includes(r.platform));
  if (onPlatform.length === 0) {
    const has = new Set(all.map((r) => r.platform));
    const want = traits.platforms[0] ?? 'web';
    // Which error follows depends on where the URI sits instead (Microsoft: reply-url, SPA platform).
    const [aadsts, why] =
      options.flow === 'spa-code'
        ? ([
            9002326,
            'The browser redeems the code cross-origin, and Entra allows that only for a redirect URI on the Single-page application platform.',
          ] as const)
        : options.flow === 'web-code'
          ? has.has('spa')
            ? ([
                9002327,
                'A code issued for a SPA redirect URI can be redeemed only from a browser, and your back end sends no Origin header.',
              ] as const)
            : ([
                700025,
                'A redirect URI on the Mobile and desktop platform makes the app a public client, so the secret your back end sends is refused.',
              ] as const)
          : options.flow === 'desktop-code'
            ? has.has('web')
              ? ([
                  7000218,
                  'A Web redirect URI makes the app confidential, so redeeming the code without a secret is refused.',
                ] as const)
              : ([
                  9002327,
                  'A code issued for a SPA redirect URI can be redeemed only from a browser; a desktop app sends no Origin header.',
                ] as const)
            : ([50011, 'Implicit and hybrid responses go only to Web or SPA redirect URIs.'] as const);
    findings.push({
      id: 'redirect-platform',
      severity: 'problem',
      title: 'Redirect URI on the wrong platform',
      detail: `${traits.label} needs a redirect URI on the ${traits.platforms.map((p) => PLATFORM_NAMES[p]).join(' or ')} platform; this app has them only on ${[...has].map((p) => PLATFORM_NAMES[p]).join(', ')}. ${why}`,
      fix: `Move (or add) the redirect URI to the ${PLATFORM_NAMES[want]} platform.`,
      aadsts,
      ...(names === undefined ? {} : { field: names[want] }),
    });
  } else {
    findings.push(
      pass(
        'redirect-platform',
        'Redirect URI on the right platform',
        `${onPlatform.length} redirect URI${onPlatform.length === 1 ? '' : 's'} where ${inSentence(traits.label)} needs ${onPlatform.length === 1 ? 'it' : 'them'}.`,
      ),
    );
  }
  if (options.redirectUri !== undefined && options.redirectUri.trim() !== '') {
    const wanted = options.redirectUri.trim();
    // Entra matches the redirect URI at /authorize across every platform; a URI on the wrong platform
    // fails later, at redemption (the redirect-platform finding), not with AADSTS50011.
    const entra = isEntra(registration);
    const matches = all.some((r) => sameRedirectUri(r.uri, wanted, entra));
    const onRightPlatform = onPlatform.some((r) => sameRedirectUri(r.uri, wanted, entra));
    findings.push(
      matches
        ? pass(
            'redirect-not-registered',
            'Your redirect URI is registered',
            onRightPlatform
              ? `${wanted} is registered where this flow needs it.`
              : `${wanted} is registered, but on another platform (see the platform check).`,
          )
        : {
            id: 'redirect-not-registered',
            severity: 'problem',
            title: 'Your redirect URI is not registered',
            detail: `${wanted} is not one of the redirect URIs registered on the app (${all.map((r) => r.uri).join(', ')}). ${entra ? 'Entra compares' : 'The server compares (RFC 9700 §4.1.3)'} them exactly: scheme, host, path and trailing slash.`,
            fix: 'Register this exact URI on the right platform, or send one that is registered.',
            ...(entra ? { aadsts: 50011 } : {}),
            ...(names === undefined
              ? { field: 'redirect_uris' }
              : { field: names[traits.platforms[0] ?? 'web'] }),
          },
    );
  }
  return findings;
}

/**
 * Exact match, except that the port of a loopback URI may differ (RFC 8252 §7.3; Entra does the same),
 * and, for Entra, that a URI with no path is the same with or without its "/": Microsoft's reply-url
 * page says a redirect URI "not configured with a path segment" is returned with a trailing slash
 * (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url).
 */
function sameRedirectUri(registered: string, sent: string, entra: boolean): boolean {
  if (registered === sent) return true;
  if (entra && bareOrigin(registered) === bareOrigin(sent)) return true;
  try {
    const a = new URL(registered);
    const b = new URL(sent);
    return (
      LOOPBACK_HOSTS.has(a.hostname) &&
      a.hostname === b.hostname &&
      a.protocol === b.protocol &&
      a.pathname === b.pathname &&
      a.search === b.search
    );
  } catch {
    return false;
  }
}

/** `https://host/` (with nothing after the slash but a query or fragment) as `https://host`. */
function bareOrigin(uri: string): string {
  return uri.replace(/^([a-z][a-z\d+.-]*:\/\/[^/?#]*)\/(?=[?#]|$)/i, '$1');
}

// --- Entra switches -------------------------------------------------------------------------------

function checkImplicit(registration: AppRegistration, flow: CheckedFlow): Finding[] {
  if (!isEntra(registration)) return [];
  const fields = fieldsOf(registration);
  const findings: Finding[] = [];
  const wantsIdToken = flow === 'implicit' || flow === 'hybrid';
  const wantsAccessToken = flow === 'implicit';
  if (wantsIdToken) {
    findings.push(
      registration.implicitIdToken
        ? pass(
            'implicit-id-token',
            'ID tokens from /authorize allowed',
            'The app lets /authorize return an ID token.',
          )
        : {
            id: 'implicit-id-token',
            severity: 'problem',
            title: 'ID tokens from /authorize are off',
            detail: `response_type ${CHECKED_FLOWS[flow].responseType ?? ''} asks /authorize for an ID token, and the app does not allow it.`,
            fix: `Turn on “ID tokens” under implicit grant and hybrid flows (${fields.idToken}: true) — or use the code flow.`,
            aadsts: 700054,
            field: fields.idToken,
          },
    );
  }
  if (wantsAccessToken) {
    findings.push(
      registration.implicitAccessToken
        ? pass(
            'implicit-access-token',
            'Access tokens from /authorize allowed',
            'The app lets /authorize return an access token.',
          )
        : {
            id: 'implicit-access-token',
            severity: 'problem',
            title: 'Access tokens from /authorize are off',
            detail: 'response_type token asks /authorize for an access token, and the app does not allow it.',
            fix: `Turn on “Access tokens” under implicit grant and hybrid flows (${fields.accessToken}: true) — or, better, use the code flow with PKCE.`,
            aadsts: 700051,
            field: fields.accessToken,
          },
    );
  }
  if (!wantsIdToken && (registration.implicitIdToken || registration.implicitAccessToken)) {
    // RFC 9700 §2.1.2: clients SHOULD NOT use the implicit grant; tokens in the URL leak.
    findings.push({
      id: 'implicit-unneeded',
      severity: 'warning',
      title: 'Implicit grant switched on but not needed',
      detail: `${CHECKED_FLOWS[flow].label} does not use it, yet the app lets /authorize hand out ${registration.implicitAccessToken ? 'access tokens' : 'ID tokens'} in the URL, where history, logs and other scripts can read them.`,
      fix: `Turn the implicit switches off (${fields.idToken} and ${fields.accessToken}: false) unless another part of the app still needs them.`,
      field: registration.implicitAccessToken ? fields.accessToken : fields.idToken,
    });
  }
  return findings;
}

function checkPublicClient(registration: AppRegistration, flow: CheckedFlow): Finding[] {
  if (!isEntra(registration)) return [];
  const field = fieldsOf(registration).publicClient;
  if (flow === 'device-code' || flow === 'password') {
    // Device code and ROPC send no redirect URI, so only this switch tells Entra the app is public.
    return [
      registration.publicClientFlows === true
        ? pass(
            'public-client-flows',
            'Public client flows allowed',
            `${field} is true, so Entra takes the request without a secret.`,
          )
        : {
            id: 'public-client-flows',
            severity: 'problem',
            title: 'Public client flows are off',
            detail: `${CHECKED_FLOWS[flow].label} runs without a redirect URI, so Entra decides by ${field} whether the app is public. It is ${registration.publicClientFlows === false ? 'false' : 'not set'}, so Entra wants a client secret, which an app on a user's device cannot keep.`,
            fix: `Turn on “Allow public client flows” (${field}: true).`,
            aadsts: 7000218,
            field,
          },
    ];
  }
  // Microsoft (app manifest reference, isFallbackPublicClient): the switch is read only where Entra cannot
  // tell the app type from the request, "the ROPC flow where it's configured without specifying a
  // redirect URI" for one. A code redemption names its Web redirect URI, so only the confidential flows
  // that send none (client credentials, on-behalf-of) can be taken for a public client.
  // https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest
  const traits = CHECKED_FLOWS[flow];
  if (
    traits.credential !== undefined &&
    traits.platforms === undefined &&
    registration.publicClientFlows === true
  ) {
    return [
      {
        id: 'public-client-flows',
        severity: 'warning',
        title: 'Public client flows on for a confidential app',
        detail: `${field} is true. ${traits.label} sends no redirect URI, so Entra takes the app type from this switch: a public client, which may not present the ${traits.credential === 'certificate' ? 'certificate' : traits.credential === 'secret' ? 'secret' : 'secret or certificate'} the app sends.`,
        fix: `Turn “Allow public client flows” off (${field}: false) unless the app also runs device code or ROPC — and then give those their own registration.`,
        aadsts: 700025,
        field,
      },
    ];
  }
  return [];
}

function checkAudience(registration: AppRegistration, options: CheckOptions): Finding[] {
  if (!isEntra(registration)) return [];
  const findings: Finding[] = [];
  const audience = registration.signInAudience;
  const tenant = options.tenant;
  const segment = tenant === 'tenant' ? 'your tenant id' : `/${tenant}`;
  // Which tenant segments each audience can use (Microsoft: supported account types).
  const refusal: { readonly aadsts: number; readonly why: string; readonly fix: string } | undefined =
    audience === undefined
      ? undefined
      : audience === 'AzureADMyOrg' && (tenant === 'common' || tenant === 'organizations')
        ? {
            aadsts: 50194,
            why: `The app accepts accounts of its own tenant only, so Entra cannot tell which tenant ${segment} means.`,
            fix: 'Put the tenant id (or domain) in the authority URL, or make the app multi-tenant (signInAudience AzureADMultipleOrgs).',
          }
        : (audience === 'AzureADMyOrg' || audience === 'AzureADMultipleOrgs') && tenant === 'consumers'
          ? {
              aadsts: 700016,
              why: '/consumers is the personal Microsoft accounts tenant, and the app is not registered for personal accounts, so Entra cannot find it there.',
              fix: 'Use your tenant id, /organizations or /common — or set signInAudience to AzureADandPersonalMicrosoftAccount.',
            }
          : audience === 'PersonalMicrosoftAccount' && (tenant === 'tenant' || tenant === 'organizations')
            ? {
                aadsts: 9002331,
                why: `The app accepts personal Microsoft accounts only, and ${segment} serves work and school accounts.`,
                fix: 'Use /consumers (or /common), or change signInAudience to include organizations.',
              }
            : undefined;
  if (audience === undefined) {
    // Nothing to compare: a missing signInAudience is the Graph default, AzureADMyOrg, only when created so.
  } else if (refusal !== undefined) {
    findings.push({
      id: 'audience-tenant',
      severity: 'problem',
      title: 'Tenant in the URL does not fit who may sign in',
      detail: `signInAudience is ${audience} and the authority uses ${segment}. ${refusal.why}`,
      fix: refusal.fix,
      aadsts: refusal.aadsts,
      field: 'signInAudience',
    });
  } else {
    findings.push(
      pass(
        'audience-tenant',
        'Tenant fits who may sign in',
        `signInAudience ${audience} works with ${segment}.`,
      ),
    );
  }

  const flow = options.flow;
  const appOnly = flow === 'client-credentials-secret' || flow === 'client-credentials-certificate';
  if (appOnly || flow === 'password') {
    // Microsoft's client credentials page makes {tenant} required; ROPC is refused on /common and
    // /consumers with AADSTS9001023. With /common, an app-only request is refused or gets a token for
    // the app's home tenant (MSAL.NET issue 1384), never for the tenant the caller meant.
    const needsTenant = appOnly ? tenant !== 'tenant' : tenant === 'common' || tenant === 'consumers';
    findings.push(
      !needsTenant
        ? pass('tenant-required', 'Tenant named', `${CHECKED_FLOWS[flow].label} works with ${segment}.`)
        : appOnly
          ? {
              id: 'tenant-required',
              severity: 'problem',
              title: 'App-only tokens need a tenant',
              detail: `With no user signing in, only the URL tells Entra which tenant's copy of the app (and the permissions granted there) to use, and ${segment} names none. Entra refuses the request, or issues a token for the app's home tenant instead of the one you meant.`,
              fix: 'Put the tenant id or domain of the tenant whose data you want in the authority URL.',
            }
          : {
              id: 'tenant-required',
              severity: 'problem',
              title: 'The password grant needs a tenant',
              detail: `The password grant works for work and school accounts only, on a tenant or /organizations; ${segment} also means personal accounts.`,
              fix: 'Use your tenant id or /organizations.',
              aadsts: 9001023,
            },
    );
  }
  return findings;
}

function exposesApi(registration: AppRegistration): boolean {
  return (
    registration.exposedScopes.length > 0 ||
    registration.appRoles.length > 0 ||
    registration.identifierUris.length > 0
  );
}

function checkTokenVersion(registration: AppRegistration): Finding[] {
  if (!isEntra(registration) || !exposesApi(registration)) return [];
  const field = fieldsOf(registration).version;
  const version = registration.accessTokenVersion;
  if (version === 2) {
    return [
      pass(
        'access-token-version',
        'API gets v2.0 access tokens',
        `${field} is 2: tokens for this API carry the v2.0 issuer and its client id as aud.`,
      ),
    ];
  }
  const personal =
    registration.signInAudience === 'AzureADandPersonalMicrosoftAccount' ||
    registration.signInAudience === 'PersonalMicrosoftAccount';
  const v1 = `${field} is ${version === 1 ? '1' : 'null'}, so tokens for this API are v1.0: iss is https://sts.windows.net/{tenant}/ and aud is the App ID URI, whatever endpoint the client used.`;
  return [
    personal
      ? {
          id: 'access-token-version',
          severity: 'problem',
          title: 'Personal accounts need v2.0 access tokens',
          detail: `${v1} An app that signs in personal Microsoft accounts must ask for v2.0 tokens; Entra refuses to save the app otherwise.`,
          fix: `Set ${field} to 2, and validate the v2.0 issuer (https://login.microsoftonline.com/{tenant}/v2.0) in the API.`,
          field,
        }
      : {
          id: 'access-token-version',
          severity: 'warning',
          title: 'API gets v1.0 access tokens',
          detail: `${v1} An API that checks the v2.0 issuer or expects its client id in aud refuses them with 401.`,
          fix: `Set ${field} to 2 — or make the API accept the v1.0 issuer and the App ID URI as audience.`,
          field,
        },
  ];
}

// --- Permissions ----------------------------------------------------------------------------------

function permissionConfigured(
  registration: AppRegistration,
  scope: AskedScope,
  type: 'Scope' | 'Role',
): boolean | undefined {
  if (scope.resourceAppId === undefined) return undefined;
  // An app's own API: its exposed scopes and roles are what it asks for.
  if (registration.clientId !== undefined && scope.resourceAppId === registration.clientId.toLowerCase()) {
    return type === 'Scope'
      ? scope.permission === '.default' || registration.exposedScopes.includes(scope.permission)
      : registration.appRoles.length > 0;
  }
  const entry = registration.requiredResourceAccess.find(
    (r) => r.resourceAppId.toLowerCase() === scope.resourceAppId,
  );
  if (entry === undefined) return false;
  const ofType = entry.access.filter((a) => a.type === type);
  if (ofType.length === 0) return false;
  if (scope.permission === '.default' || scope.resourceAppId !== GRAPH_APP_ID) return true;
  const known = GRAPH_PERMISSIONS[scope.permission.toLowerCase()];
  const id = type === 'Scope' ? known?.scope : known?.role;
  // A Graph permission we have no id for: the API is there, which is what we can tell.
  return id === undefined ? true : ofType.some((a) => a.id === id);
}

function checkPermissions(registration: AppRegistration, options: CheckOptions): Finding[] {
  const findings: Finding[] = [];
  const traits = CHECKED_FLOWS[options.flow];
  const asked = options.scopes
    .map((s) => resolveScope(s, registration))
    .filter((s): s is AskedScope => s !== undefined);
  const apis = [...new Set(asked.map((s) => s.resourceKey))];
  // One resource per token is Entra's rule (AADSTS700022); RFC 8707 §2 lets a generic server take several.
  if (apis.length > 1 && isEntra(registration)) {
    findings.push({
      id: 'scope-several-apis',
      severity: 'problem',
      title: 'Scopes for more than one API',
      detail: `An access token is for one API, and the scopes name ${apis.length}: ${asked.map((s) => s.raw).join(', ')}.`,
      fix: 'Ask for one API’s scopes per token request; get a token for the next API afterwards (silently, with the refresh token).',
      aadsts: 700022,
    });
  }

  if (options.flow === 'refresh-token') {
    const hasOffline = options.scopes.some((s) => s.toLowerCase() === 'offline_access');
    findings.push(
      hasOffline
        ? pass(
            'offline-access',
            'offline_access asked',
            'The sign-in asks for offline_access, so a refresh token is issued.',
          )
        : {
            id: 'offline-access',
            severity: 'warning',
            title: 'No offline_access in the scopes',
            detail:
              'Without offline_access the sign-in returns no refresh token, so there is nothing to refresh with.',
            fix: 'Add offline_access to the scopes of the sign-in.',
          },
    );
  }

  if (registration.format === 'client-metadata') {
    const registered = registration.registeredScopes;
    if (registered !== undefined && options.scopes.length > 0) {
      const missing = options.scopes.filter((s) => !registered.includes(s));
      findings.push(
        missing.length === 0
          ? pass(
              'registered-scope',
              'Scopes registered',
              'Every scope asked is in the client’s registered scope.',
            )
          : {
              id: 'registered-scope',
              severity: 'warning',
              title: 'Scope not in the client’s registration',
              detail: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the client’s scope metadata; a server that enforces it answers invalid_scope, or leaves the scope out of the token.`,
              fix: 'Add the scope to the client’s scope metadata, or stop asking for it.',
              field: 'scope',
            },
      );
    }
    return findings;
  }

  if (!traits.delegated) {
    const notDefault = options.scopes.filter((s) => !s.endsWith('/.default'));
    // Client credentials get the application permissions already granted: scope names the API only.
    findings.push(
      options.scopes.length === 0
        ? {
            id: 'scope-default',
            severity: 'problem',
            title: 'No scope',
            detail: 'Client credentials need a scope naming the API, as {API}/.default.',
            fix: 'Send scope=https://graph.microsoft.com/.default (or api://{your API}/.default).',
            aadsts: 900144,
          }
        : notDefault.length > 0
          ? {
              id: 'scope-default',
              severity: 'problem',
              title: 'Scope must end in /.default',
              detail: `${notDefault.join(', ')}: an app-only token gets every application permission already granted to the app, so single permissions cannot be asked for.`,
              fix: `Ask for ${notDefault.map((s) => `${s.slice(0, Math.max(0, s.lastIndexOf('/'))) || 'https://graph.microsoft.com'}/.default`).join(', ')}.`,
              aadsts: 1002012,
            }
          : pass(
              'scope-default',
              'Scope is {API}/.default',
              'Client credentials ask for the API’s .default scope.',
            ),
    );
    for (const scope of asked) {
      const configured = permissionConfigured(registration, scope, 'Role');
      if (configured === undefined) continue;
      findings.push(
        configured
          ? pass(
              'app-permission',
              'Application permission configured',
              `The app has application permissions for ${scope.raw.replace(/\/\.default$/, '')}.`,
            )
          : {
              id: 'app-permission',
              severity: 'problem',
              title: 'No application permission for this API',
              detail: `requiredResourceAccess has no application permission (type Role) for the API in ${scope.raw}. Entra still issues a token, but with no roles claim, so the API answers 401 or 403. Delegated permissions (type Scope) do not count without a user.`,
              fix: 'Add an application permission for that API (API permissions → Application permissions), then have an admin grant consent.',
              field: 'requiredResourceAccess',
            },
      );
    }
    return findings;
  }

  for (const scope of asked) {
    const configured = permissionConfigured(registration, scope, 'Scope');
    if (configured === undefined) continue;
    if (configured) {
      findings.push(
        pass(
          'scope-consent',
          'Delegated permission configured',
          `${scope.raw} is among the app’s delegated permissions.`,
        ),
      );
      continue;
    }
    findings.push({
      id: 'scope-consent',
      severity: traits.interactive ? 'warning' : 'problem',
      title: 'Scope not in the app’s permissions',
      detail: traits.interactive
        ? `${scope.raw} is not among the app’s configured delegated permissions. The user is asked to consent to it at sign-in; where only admins may consent, sign-in stops.`
        : `${scope.raw} is not among the app’s configured delegated permissions, and ${inSentence(traits.label)} has no page where a user could consent, so Entra refuses.`,
      fix: 'Add the delegated permission to the app (API permissions) and grant consent — or ask only for permissions it has.',
      aadsts: 65001,
      field: 'requiredResourceAccess',
    });
  }
  if (options.flow === 'on-behalf-of') {
    findings.push(
      registration.exposedScopes.length > 0
        ? pass(
            'obo-api',
            'The middle-tier API exposes a scope',
            'Clients can get a token for this API, which is the token it exchanges.',
          )
        : {
            id: 'obo-api',
            severity: 'problem',
            title: 'The middle-tier app exposes no API',
            detail:
              'On-behalf-of exchanges a token whose aud is this app. The app exposes no scope, so no client can get such a token, and one for another audience is refused.',
            fix: `Expose an API on this app (an App ID URI and a scope such as access_as_user, ${fieldsOf(registration).scopes}), and have the client ask for it.`,
            aadsts: 50013,
            field: fieldsOf(registration).scopes,
          },
    );
  }
  return findings;
}

// --- Credentials ----------------------------------------------------------------------------------

/**
 * Where a set of credentials stands at `now`. A credential is valid from its start date (inclusive) to
 * its end date (exclusive); a missing date sets no limit on that side. Microsoft: passwordCredential and
 * keyCredential `startDateTime` is "the date and time at which the credential becomes valid", and
 * `endDateTime` when it expires (https://learn.microsoft.com/en-us/graph/api/resources/passwordcredential,
 * https://learn.microsoft.com/en-us/graph/api/resources/keycredential).
 */
interface Validity {
  readonly state: 'none' | 'expired' | 'not-yet-valid' | 'soon' | 'some-expired' | 'fine';
  /** How many have ended. */
  readonly expired: number;
  /** How many start later than now. */
  readonly future: number;
  /** The latest end among those that ended ('expired'). */
  readonly lastEnded?: Date;
  /** The earliest start still to come ('not-yet-valid', and beside valid ones). */
  readonly nextStart?: Date;
  /** Until when, from now, some credential is valid with no gap; absent when that never ends. */
  readonly validUntil?: Date;
}

function validity(credentials: readonly Credential[], now: Date): Validity {
  const t = now.getTime();
  const spans = credentials.map((c) => ({
    start: c.startsAt?.getTime() ?? Number.NEGATIVE_INFINITY,
    end: c.endsAt?.getTime() ?? Number.POSITIVE_INFINITY,
  }));
  const ended = spans.filter((s) => s.end <= t);
  const future = spans.filter((s) => s.end > t && s.start > t);
  const current = spans.filter((s) => s.start <= t && s.end > t);
  const counts = { expired: ended.length, future: future.length };
  const nextStart = future.length === 0 ? undefined : new Date(Math.min(...future.map((s) => s.start)));
  const withNext = nextStart === undefined ? counts : { ...counts, nextStart };
  if (spans.length === 0) return { state: 'none', ...counts };
  if (current.length === 0) {
    return future.length > 0
      ? { state: 'not-yet-valid', ...withNext }
      : { state: 'expired', ...counts, lastEnded: new Date(Math.max(...ended.map((s) => s.end))) };
  }
  // A later credential that starts before the current one ends takes over without a gap (a rotation).
  let until = Math.max(...current.map((s) => s.end));
  for (;;) {
    const next = Math.max(until, ...spans.filter((s) => s.start <= until && s.end > until).map((s) => s.end));
    if (next === until) break;
    until = next;
  }
  const base = Number.isFinite(until) ? { ...withNext, validUntil: new Date(until) } : withNext;
  if (until - t < SOON_MS) return { state: 'soon', ...base };
  if (ended.length > 0) return { state: 'some-expired', ...base };
  return { state: 'fine', ...base };
}

function day(date: Date | undefined): string {
  return date === undefined ? 'no end date' : date.toISOString().slice(0, 10);
}

/** A start date to the minute when it is not midnight: "later today" must not read as "today". */
function moment(date: Date): string {
  const iso = date.toISOString();
  return iso.slice(11, 16) === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const usable = (v: Validity) => v.state !== 'none' && v.state !== 'expired' && v.state !== 'not-yet-valid';

function checkCredentials(registration: AppRegistration, options: CheckOptions): Finding[] {
  const needed = credentialNeeded(options.flow, registration);
  if (needed === undefined) return [];
  if (registration.format === 'client-metadata') return checkAuthMethod(registration, options, needed);
  const fields = fieldsOf(registration);
  const findings: Finding[] = [];
  const certificates = registration.certificates.filter((c) => c.type === undefined || /X509/i.test(c.type));
  const secrets = validity(registration.secrets, options.now);
  const certs = validity(certificates, options.now);
  const usableSecret = usable(secrets);
  const usableCert = usable(certs);

  if (needed === 'certificate') {
    if (certs.state === 'none') {
      findings.push({
        id: 'certificate-missing',
        severity: 'problem',
        title: 'No certificate on the app',
        detail:
          'The client signs its assertion with a certificate’s private key, and Entra checks it against the certificates uploaded to the app. There are none.',
        fix: 'Upload the public part of the certificate (Certificates & secrets → Certificates).',
        aadsts: 700027,
        field: fields.certificates,
      });
    } else if (usableCert) {
      // An expired or not yet valid certificate is no credential: its own finding says so, and this row
      // must not pass.
      findings.push(
        pass(
          'certificate-missing',
          'Certificate registered',
          `${certificates.length} certificate${certificates.length === 1 ? '' : 's'} on the app.`,
        ),
      );
    }
  } else if (
    needed === 'secret' ? secrets.state === 'none' : secrets.state === 'none' && certs.state === 'none'
  ) {
    findings.push({
      id: 'credential-missing',
      severity: 'problem',
      title: needed === 'secret' ? 'No client secret on the app' : 'No secret or certificate on the app',
      detail: `${CHECKED_FLOWS[options.flow].label} runs as a confidential client, which proves who it is with a ${needed === 'secret' ? 'secret' : 'secret or a certificate'}. The app has none.`,
      fix: `Add a ${needed === 'secret' ? 'client secret' : 'certificate (preferred) or a client secret'} under Certificates & secrets.`,
      aadsts: 7000218,
      field: needed === 'secret' ? fields.secrets : `${fields.secrets} / ${fields.certificates}`,
    });
  } else if (needed === 'secret' ? usableSecret : usableSecret || usableCert) {
    // Only a credential valid now passes; an expired or future one is reported by its own finding.
    findings.push(
      pass('credential-missing', 'Credential registered', 'The app has a credential to prove who it is.'),
    );
  }

  if ((needed === 'secret' || needed === 'either') && secrets.state !== 'none') {
    findings.push(credentialValidity('secret', secrets, needed === 'either' && usableCert, fields.secrets));
  }
  if ((needed === 'certificate' || needed === 'either') && certs.state !== 'none') {
    findings.push(
      credentialValidity('certificate', certs, needed === 'either' && usableSecret, fields.certificates),
    );
  }
  return findings;
}

function credentialValidity(
  kind: 'secret' | 'certificate',
  state: Validity,
  otherUsable: boolean,
  field: string,
  server: 'Entra' | 'The server' = 'Entra',
): Finding {
  const id: FindingId = kind === 'secret' ? 'secret-expiry' : 'certificate-expiry';
  const aadsts = kind === 'secret' ? 7000222 : 700027;
  const noun = kind === 'secret' ? 'client secret' : 'certificate';
  const other = kind === 'secret' ? 'certificate' : 'secret';
  const later =
    state.nextStart === undefined ? '' : ` Another ${noun} becomes valid on ${moment(state.nextStart)}.`;
  switch (state.state) {
    case 'not-yet-valid': {
      const start = state.nextStart === undefined ? 'a later date' : moment(state.nextStart);
      // Microsoft's error list (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes)
      // has AADSTS7000222 for an expired secret and AADSTS700027 for an assertion that fails, and no code
      // for a credential before its start date: none is claimed here. Whatever the code, a client that
      // cannot authenticate gets invalid_client (RFC 6749 §5.2).
      return {
        id: kind === 'secret' ? 'secret-not-yet-valid' : 'certificate-not-yet-valid',
        severity: otherUsable ? 'warning' : 'problem',
        title: `No ${noun} is valid yet`,
        detail: `${state.future === 1 ? `The ${noun}` : `The first of the app’s ${state.future} ${noun}s`} becomes valid on ${start} (its start date)${state.expired > 0 ? `; ${state.expired} other${state.expired === 1 ? ' has' : 's have'} expired` : ''}. ${server} accepts a ${noun} only between its start and end dates, so until then the token request fails with invalid_client${otherUsable ? `; the app still has a valid ${other}` : ''}.`,
        fix:
          kind === 'secret'
            ? `Add a client secret that is valid now (the portal’s new secrets start at once) and use it, or wait until ${start}. A start date in the future usually comes from a script or an API call that set startDateTime.`
            : `Upload a certificate that is valid now (its “not before” date has passed), or wait until ${start}.`,
        field,
      };
    }
    case 'expired':
      return {
        id,
        severity: otherUsable ? 'warning' : 'problem',
        title: `Every ${noun} has expired`,
        detail: `The last ${noun} ended on ${day(state.lastEnded)}. ${server} refuses an expired ${noun}${otherUsable ? `; the app still has a valid ${other}` : ''}.`,
        fix: `Create a new ${noun}, use it in the app, and delete the expired one.`,
        aadsts,
        field,
      };
    case 'soon':
      return {
        id,
        severity: 'warning',
        title: `The ${noun} expires soon`,
        detail: `The last valid ${noun} ends on ${day(state.validUntil)}, within 30 days. After that, sign-ins of the app fail.`,
        fix: `Add a new ${noun} now and switch the app to it before ${day(state.validUntil)}.`,
        aadsts,
        field,
      };
    case 'some-expired':
      return {
        id,
        severity: 'warning',
        title: `An expired ${noun} is still listed`,
        detail: `${state.expired} ${noun}${state.expired === 1 ? ' has' : 's have'} expired; a valid one remains (until ${day(state.validUntil)}). A deployment still using an expired one fails.`,
        fix: `Check that the app uses the valid ${noun}, then delete the expired one.`,
        aadsts,
        field,
      };
    default:
      return pass(
        id,
        `${kind === 'secret' ? 'Secret' : 'Certificate'} valid`,
        `${state.validUntil === undefined ? 'No end date.' : `Valid until ${day(state.validUntil)}.`}${later}`,
      );
  }
}

// --- Generic client metadata ----------------------------------------------------------------------

function checkAuthMethod(
  registration: AppRegistration,
  options: CheckOptions,
  needed: NonNullable<FlowTraits['credential']>,
): Finding[] {
  const method = registration.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const findings: Finding[] = [];
  // RFC 7591 §2: "none" is a public client; private_key_jwt needs the client's keys (jwks or jwks_uri).
  const ok =
    needed === 'certificate'
      ? method === 'private_key_jwt' && registration.hasJwks === true
      : method !== 'none' && (method !== 'private_key_jwt' || registration.hasJwks === true);
  findings.push(
    ok
      ? pass(
          'auth-method',
          'Client authentication fits',
          `token_endpoint_auth_method ${method} suits ${inSentence(CHECKED_FLOWS[options.flow].label)}.`,
        )
      : {
          id: 'auth-method',
          severity: 'problem',
          title: 'Client authentication does not fit the flow',
          detail:
            needed === 'certificate'
              ? `Signing with a key needs token_endpoint_auth_method private_key_jwt and the public key in jwks or jwks_uri; the client has ${method}${registration.hasJwks === true ? '' : ' and no keys'}.`
              : `${CHECKED_FLOWS[options.flow].label} needs a confidential client, and token_endpoint_auth_method is ${method}${method === 'private_key_jwt' ? ' with no jwks or jwks_uri' : ''}. The server answers invalid_client.`,
          fix:
            needed === 'certificate'
              ? 'Register with token_endpoint_auth_method private_key_jwt and your public key in jwks (or jwks_uri).'
              : 'Register the client with client_secret_basic (or private_key_jwt with its keys).',
          field: 'token_endpoint_auth_method',
        },
  );
  const secrets = validity(registration.secrets, options.now);
  if (method.startsWith('client_secret') && secrets.state !== 'none') {
    const finding = credentialValidity('secret', secrets, false, 'client_secret_expires_at', 'The server');
    // RFC 7591 §3.2.1: past client_secret_expires_at, the secret no longer works; not an Entra error.
    const { aadsts: _entraOnly, ...rest } = finding;
    findings.push(rest);
  }
  return findings;
}

function checkPublicMetadata(registration: AppRegistration, options: CheckOptions): Finding[] {
  if (registration.format !== 'client-metadata') return [];
  const traits = CHECKED_FLOWS[options.flow];
  const findings: Finding[] = [];
  const grants = registration.grantTypes ?? [];
  const missing = traits.grantTypes.filter((g) => !grants.includes(g));
  findings.push(
    missing.length === 0
      ? pass(
          'grant-type',
          'Grant type registered',
          `grant_types includes ${traits.grantTypes.join(' and ')}.`,
        )
      : {
          id: 'grant-type',
          severity: 'problem',
          title: 'Grant type not registered',
          detail: `${traits.label} needs grant_types to include ${missing.join(' and ')}; the client has ${grants.join(', ') || 'none'}. The server answers unauthorized_client.`,
          fix: `Add ${missing.join(', ')} to grant_types.`,
          field: 'grant_types',
        },
  );
  if (traits.responseType !== undefined) {
    const want = traits.responseType.split(' ').sort().join(' ');
    const has = (registration.responseTypes ?? []).some((r) => r.split(' ').sort().join(' ') === want);
    // RFC 7591 §2.1: response_types and grant_types must agree; the server refuses others.
    findings.push(
      has
        ? pass('response-type', 'Response type registered', `response_types includes ${traits.responseType}.`)
        : {
            id: 'response-type',
            severity: 'problem',
            title: 'Response type not registered',
            detail: `${traits.label} asks /authorize for response_type ${traits.responseType}, which is not in response_types (${(registration.responseTypes ?? []).join(', ') || 'none'}). The server answers unsupported_response_type or unauthorized_client.`,
            fix: `Add “${traits.responseType}” to response_types.`,
            field: 'response_types',
          },
    );
  }
  // A browser or desktop app cannot keep a secret (RFC 8252 §8.5; RFC 9700 §2.1.1): it must be public.
  const publicFlow = options.flow === 'spa-code' || options.flow === 'desktop-code';
  if (publicFlow && registration.tokenEndpointAuthMethod !== 'none') {
    findings.push({
      id: 'auth-method',
      severity: 'warning',
      title: 'Registered as a confidential client',
      detail: `token_endpoint_auth_method is ${registration.tokenEndpointAuthMethod ?? 'client_secret_basic'} (the default when absent), but ${inSentence(traits.label)} runs where a secret cannot be kept.`,
      fix: 'Register this client with token_endpoint_auth_method "none" and use PKCE.',
      field: 'token_endpoint_auth_method',
    });
  }
  return findings;
}

/**
 * Checks an app registration against the grant, tenant and scopes the user means to use. Never
 * throws; findings come out in checklist order (redirect URIs, switches, tenant, permissions, credentials).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1
 */
export function checkRegistration(registration: AppRegistration, options: CheckOptions): Finding[] {
  return [
    ...checkRedirects(registration, options),
    ...checkPublicMetadata(registration, options),
    ...checkImplicit(registration, options.flow),
    ...checkPublicClient(registration, options.flow),
    ...checkAudience(registration, options),
    ...checkTokenVersion(registration),
    ...checkPermissions(registration, options),
    ...checkCredentials(registration, options),
  ];
}

/**
 * Splits a scope string as the user typed it (spaces, commas or new lines).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function parseScopeList(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}
