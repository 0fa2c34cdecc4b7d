/**
 * The sandbox tenant's directory as seeded at every start: one tenant, its users and its app
 * registrations. Pure data (no Node imports); the app reads the live ones from `/app-directory/v1.json`.
 * Every password and secret here is a sandbox-only value, published on purpose.
 */
import { CALLBACK_PATH } from '../../src/protocol/callback-path.ts';
import type { SignInAudience } from './sign-in-audience.ts';

export type Platform = 'spa' | 'web' | 'publicClient';

export interface SandboxUser {
  readonly oid: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly surname: string;
  readonly password: string;
  /** Sign-in asks for a second factor; ROPC cannot satisfy it (AADSTS50076). */
  readonly mfaRequired: boolean;
  /** The sandbox's fixed one-time code for users with an MFA method registered. */
  readonly mfaCode?: string;
  /**
   * A directory role that may consent for the whole organisation (Entra's Global / Cloud Application
   * Administrator), so admin-only permissions can be granted on the consent page.
   */
  readonly admin?: boolean;
}

export interface ExposedScope {
  readonly value: string;
  readonly description: string;
  /** "Who can consent: Admins only" on the API's scope: a user cannot consent to it (AADSTS90094). */
  readonly adminOnly?: boolean;
}

export interface AppRole {
  readonly value: string;
  readonly description: string;
}

export interface SandboxApp {
  readonly clientId: string;
  readonly displayName: string;
  readonly platform: Platform;
  readonly description: string;
  readonly redirectUris: readonly string[];
  /** Sandbox-only secret value, when the app is a confidential client. */
  readonly clientSecret?: string;
  /** "Allow public client flows" in Entra: device code and ROPC without a credential. */
  readonly allowPublicClientFlows: boolean;
  /** Implicit grant settings ("ID tokens" / "Access tokens" check boxes). */
  readonly implicitIdTokens: boolean;
  readonly implicitAccessTokens: boolean;
  /** App ID URI and delegated scopes this app exposes as an API. */
  readonly identifierUri?: string;
  readonly exposedScopes?: readonly ExposedScope[];
  readonly appRoles?: readonly AppRole[];
  /** "Supported account types"; absent: AzureADMyOrg, Entra's default for a new registration. */
  readonly signInAudience?: SignInAudience;
  /** For an API: the access token version it accepts (null or absent: v1.0, Entra's default). */
  readonly accessTokenAcceptedVersion?: 1 | 2 | null;
  /** API permissions: resource identifier → delegated scope values it may ask for. */
  readonly delegatedPermissions: Readonly<Record<string, readonly string[]>>;
  /** API permissions granted as application roles (client credentials). */
  readonly applicationPermissions: Readonly<Record<string, readonly string[]>>;
}

/** A resource server known to the tenant; Microsoft Graph is mirrored by the sandbox. */
export interface SandboxResource {
  readonly identifier: string;
  readonly displayName: string;
  /** The GUID that is the token's `aud` (Entra v2 puts the API's client id there). */
  readonly appId: string;
  readonly delegatedScopes: readonly string[];
  /** Delegated scopes only an administrator may consent to (Graph's `Directory.ReadWrite.All`). */
  readonly adminOnlyScopes?: readonly string[];
  readonly appRoles: readonly string[];
}

export const SANDBOX_TENANT = {
  id: '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10',
  domain: 'flowlab-sandbox.onmicrosoft.com',
  displayName: 'Flow Lab Sandbox',
} as const;

export const DEFAULT_APP_ORIGIN = 'http://localhost:5173';

/**
 * The app's origins the seeded registrations redirect to: the local one, and in hosting mode the https
 * origin learners open (`LAB_PUBLIC_ORIGIN`, checked at start by server/hosting.ts; docs/workshop.md),
 * so that sign-in works there too without an edit on the portal. Anything but an http(s) origin is left out.
 */
export function seededAppOrigins(publicOrigin: string | undefined): readonly string[] {
  let extra: string | undefined;
  try {
    const url = new URL(publicOrigin ?? '');
    if (url.protocol === 'https:' || url.protocol === 'http:') extra = url.origin;
  } catch {
    extra = undefined;
  }
  return extra === undefined || extra === DEFAULT_APP_ORIGIN
    ? [DEFAULT_APP_ORIGIN]
    : [DEFAULT_APP_ORIGIN, extra];
}

const APP_CALLBACKS = seededAppOrigins(process.env['LAB_PUBLIC_ORIGIN']).map(
  (origin) => `${origin}${CALLBACK_PATH}`,
);
// Shared with the app, which may not import server code (eslint.config.js).
export { CALLBACK_PATH };

export const GRAPH_RESOURCE: SandboxResource = {
  identifier: 'https://graph.microsoft.com',
  displayName: 'Microsoft Graph (sandbox copy)',
  appId: '00000003-0000-0000-c000-000000000000',
  delegatedScopes: ['User.Read', 'Mail.Read', 'Calendars.Read', 'Directory.ReadWrite.All'],
  // https://learn.microsoft.com/graph/permissions-reference#directoryreadwriteall: admin consent required.
  adminOnlyScopes: ['Directory.ReadWrite.All'],
  appRoles: ['User.Read.All'],
};

export const API_APP_ID = '9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40';

export const SANDBOX_USERS: readonly SandboxUser[] = [
  {
    oid: '3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31',
    userPrincipalName: 'adele@flowlab-sandbox.onmicrosoft.com',
    displayName: 'Adele Vance',
    givenName: 'Adele',
    surname: 'Vance',
    password: 'Sandbox-Adele-1',
    mfaRequired: false,
  },
  {
    oid: '8b1e4d92-7a3c-4f05-b6e8-1d9c3f2a7e54',
    userPrincipalName: 'megan@flowlab-sandbox.onmicrosoft.com',
    displayName: 'Megan Bowen',
    givenName: 'Megan',
    surname: 'Bowen',
    password: 'Sandbox-Megan-1',
    mfaRequired: true,
    mfaCode: '246810',
  },
  {
    // MFA method registered but not required at every sign-in: asked for it only when a Conditional
    // Access claims challenge demands it (the on-behalf-of walkthrough).
    oid: '5d7c3e18-9f42-4a6b-8e21-7b0f4c9d2a63',
    userPrincipalName: 'alex@flowlab-sandbox.onmicrosoft.com',
    displayName: 'Alex Wilber',
    givenName: 'Alex',
    surname: 'Wilber',
    password: 'Sandbox-Alex-1',
    mfaRequired: false,
    mfaCode: '135790',
  },
  {
    oid: '9a2f6c40-1e7b-4d38-b5c9-3f8e0a1d7b25',
    userPrincipalName: 'isaiah@flowlab-sandbox.onmicrosoft.com',
    displayName: 'Isaiah Langer (admin)',
    givenName: 'Isaiah',
    surname: 'Langer',
    password: 'Sandbox-Isaiah-1',
    mfaRequired: false,
    admin: true,
  },
];

export const SANDBOX_APPS: readonly SandboxApp[] = [
  {
    clientId: '2d5f7b3e-8a41-4c6f-9e20-5b7c1d3a9f01',
    displayName: 'Flow Lab SPA',
    // Single tenant, Entra's default: /common and /organizations answer AADSTS50194.
    signInAudience: 'AzureADMyOrg',
    platform: 'spa',
    description:
      'Single-page application. Its redirect URI is on the SPA platform, so a browser may redeem its codes with PKCE.',
    redirectUris: [...APP_CALLBACKS],
    allowPublicClientFlows: false,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    delegatedPermissions: {
      'https://graph.microsoft.com': ['User.Read', 'Mail.Read'],
      [`api://${API_APP_ID}`]: ['access_as_user'],
    },
    applicationPermissions: {},
  },
  {
    clientId: '7c3a1e5d-2b9f-4d68-a05e-3f8b6c1d9e27',
    displayName: 'Flow Lab Web App',
    // A web app offered to other organisations: sign-in on /organizations and /common works.
    signInAudience: 'AzureADMultipleOrgs',
    platform: 'web',
    description:
      'Confidential web application with a client secret. Its codes must be redeemed by a server, not a browser.',
    redirectUris: [...APP_CALLBACKS],
    clientSecret: 'sandbox-only~WebApp.Secret-4f8Q2x',
    allowPublicClientFlows: false,
    implicitIdTokens: true,
    implicitAccessTokens: false,
    delegatedPermissions: {
      'https://graph.microsoft.com': ['User.Read', 'Mail.Read', 'Calendars.Read'],
    },
    applicationPermissions: {
      'https://graph.microsoft.com': ['User.Read.All'],
    },
  },
  {
    clientId: '1b6f9c2d-4e7a-4a35-8c91-0d2e5f7b3a68',
    displayName: 'Flow Lab Console',
    // Like Azure PowerShell: work accounts and personal accounts (so /consumers reaches its sign-in page).
    signInAudience: 'AzureADandPersonalMicrosoftAccount',
    platform: 'publicClient',
    description:
      'Public client, like Azure PowerShell: no secret, a loopback redirect URI, public client flows allowed.',
    redirectUris: ['http://localhost:1337/', ...APP_CALLBACKS],
    allowPublicClientFlows: true,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    delegatedPermissions: {
      'https://graph.microsoft.com': ['User.Read'],
    },
    applicationPermissions: {},
  },
  {
    clientId: '4e8d1c7a-6f2b-4a93-b5d0-8c1e7f3a2b96',
    displayName: 'Flow Lab Legacy SPA',
    // Single tenant, Entra's default: /common and /organizations answer AADSTS50194.
    signInAudience: 'AzureADMyOrg',
    platform: 'web',
    description:
      'An older JavaScript app using the implicit and hybrid flows: ID tokens and access tokens are enabled for implicit grant.',
    redirectUris: [...APP_CALLBACKS],
    allowPublicClientFlows: false,
    implicitIdTokens: true,
    implicitAccessTokens: true,
    delegatedPermissions: {
      'https://graph.microsoft.com': ['User.Read'],
    },
    applicationPermissions: {},
  },
  {
    clientId: API_APP_ID,
    displayName: 'Flow Lab API',
    // Multitenant, so the on-behalf-of hop works on /organizations.
    signInAudience: 'AzureADMultipleOrgs',
    platform: 'web',
    description:
      'A web API (the middle tier for on-behalf-of). Exposes access_as_user and calls Graph with its own secret.',
    redirectUris: [],
    clientSecret: 'sandbox-only~Api.Secret-9kT3vB',
    allowPublicClientFlows: false,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    identifierUri: `api://${API_APP_ID}`,
    exposedScopes: [
      { value: 'access_as_user', description: 'Call the Flow Lab API as the signed-in user.' },
      {
        value: 'Tasks.ReadWrite.All',
        description: "Read and change every user's tasks in the Flow Lab API.",
        adminOnly: true,
      },
    ],
    appRoles: [{ value: 'Tasks.Read.All', description: 'Read every task (application permission).' }],
    delegatedPermissions: {
      'https://graph.microsoft.com': ['User.Read'],
    },
    applicationPermissions: {},
  },
];

/** Find a seeded app by its role in the guide. */
export function sandboxApp(platform: Platform): SandboxApp {
  const app = SANDBOX_APPS.find((a) => a.platform === platform);
  if (!app) throw new Error(`No sandbox app on the ${platform} platform`);
  return app;
}
