/**
 * The sandbox tenant's directory as the app reads it at run time (the sandbox serves it at
 * {@link SANDBOX_DIRECTORY_PATH}): tenant, issuer, and each app registration as it stands now on the
 * portal. Checked field by field: an odd document gives an `InvalidInputError` naming the field, never
 * a crash later in a flow.
 */
import { InvalidInputError } from './errors.ts';

/**
 * Where the sandbox serves the app's directory, relative to its origin; polled with If-None-Match.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2
 */
export const SANDBOX_DIRECTORY_PATH = '/app-directory/v1.json';

/**
 * The schema version this app reads; any other is refused with the reason.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app
 */
export const SANDBOX_DIRECTORY_SCHEMA_VERSION = 1;

/**
 * The platform an app registration is on (Entra's "Authentication" blade).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-redirect-uri
 */
export type SandboxPlatform = 'spa' | 'web' | 'publicClient';

/**
 * One app registration of the sandbox tenant, as its portal has it now.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app
 */
export interface SandboxDirectoryApp {
  readonly clientId: string;
  readonly displayName: string;
  readonly platform: SandboxPlatform;
  readonly redirectUris: readonly string[];
  readonly allowPublicClientFlows: boolean;
  readonly implicitIdTokens: boolean;
  readonly implicitAccessTokens: boolean;
  readonly confidential: boolean;
  readonly identifierUri?: string;
  readonly exposedScopes: readonly string[];
  /** Sandbox-only test value of the app's newest secret; never sent by a real authorization server. */
  readonly sandboxOnlySecret?: string;
}

/**
 * The whole document, as checked: the tenant, its v2.0 issuer, the portal and the app registrations.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc
 */
export interface SandboxDirectory {
  readonly schemaVersion: typeof SANDBOX_DIRECTORY_SCHEMA_VERSION;
  readonly tenant: { readonly id: string; readonly domain: string; readonly displayName: string };
  readonly issuer: string;
  readonly portal: string;
  readonly apps: readonly SandboxDirectoryApp[];
}

const PLATFORMS: readonly SandboxPlatform[] = ['spa', 'web', 'publicClient'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(field: string, problem: string): never {
  throw new InvalidInputError(
    `directory.${field}`,
    `The sandbox's directory has ${problem} at ${field}. The sandbox and this app are probably different versions: start both from the same checkout (npm start).`,
  );
}

function text(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') fail(`${where}${key}`, 'no text');
  return value;
}

function flag(record: Record<string, unknown>, key: string, where: string): boolean {
  const value = record[key];
  if (typeof value !== 'boolean') fail(`${where}${key}`, 'no true/false value');
  return value;
}

function texts(record: Record<string, unknown>, key: string, where: string): string[] {
  const value = record[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    fail(`${where}${key}`, 'no list of strings');
  return value as string[];
}

function absoluteUrl(record: Record<string, unknown>, key: string, where: string): string {
  const value = text(record, key, where);
  if (!URL.canParse(value)) fail(`${where}${key}`, 'no absolute URL');
  return value;
}

function parseApp(value: unknown, index: number): SandboxDirectoryApp {
  const where = `apps[${index}].`;
  if (!isRecord(value)) fail(`apps[${index}]`, 'no object');
  const platform = value['platform'];
  if (!PLATFORMS.some((p) => p === platform)) fail(`${where}platform`, 'an unknown platform');
  const identifierUri = value['identifierUri'];
  if (identifierUri !== undefined && typeof identifierUri !== 'string')
    fail(`${where}identifierUri`, 'no text');
  const secret = value['sandboxOnlySecret'];
  if (secret !== undefined && (typeof secret !== 'string' || secret === ''))
    fail(`${where}sandboxOnlySecret`, 'no text');
  return {
    clientId: text(value, 'clientId', where),
    displayName: text(value, 'displayName', where),
    platform: platform as SandboxPlatform,
    redirectUris: texts(value, 'redirectUris', where),
    allowPublicClientFlows: flag(value, 'allowPublicClientFlows', where),
    implicitIdTokens: flag(value, 'implicitIdTokens', where),
    implicitAccessTokens: flag(value, 'implicitAccessTokens', where),
    confidential: flag(value, 'confidential', where),
    ...(identifierUri === undefined ? {} : { identifierUri }),
    exposedScopes: texts(value, 'exposedScopes', where),
    ...(secret === undefined ? {} : { sandboxOnlySecret: secret as string }),
  };
}

/**
 * Checks the sandbox's directory document (parsed JSON of any shape).
 * @throws InvalidInputError (field `directory.<path>`) naming the first field that is missing or odd,
 *   or a schema version this app does not read.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app
 */
export function parseSandboxDirectory(json: unknown): SandboxDirectory {
  if (!isRecord(json)) fail('(root)', 'no JSON object');
  const version = json['schemaVersion'];
  if (version !== SANDBOX_DIRECTORY_SCHEMA_VERSION) {
    throw new InvalidInputError(
      'directory.schemaVersion',
      `The sandbox's directory has schema version ${JSON.stringify(version) ?? 'none'}; this app reads version ${SANDBOX_DIRECTORY_SCHEMA_VERSION}. Start the sandbox and the app from the same checkout (npm start).`,
    );
  }
  const tenant = json['tenant'];
  if (!isRecord(tenant)) fail('tenant', 'no object');
  const apps = json['apps'];
  if (!Array.isArray(apps)) fail('apps', 'no list');
  const parsed = apps.map(parseApp);
  const ids = new Set(parsed.map((a) => a.clientId.toLowerCase()));
  if (ids.size !== parsed.length) fail('apps', 'the same client id twice');
  return {
    schemaVersion: SANDBOX_DIRECTORY_SCHEMA_VERSION,
    tenant: {
      id: text(tenant, 'id', 'tenant.'),
      domain: text(tenant, 'domain', 'tenant.'),
      displayName: text(tenant, 'displayName', 'tenant.'),
    },
    issuer: absoluteUrl(json, 'issuer', ''),
    portal: absoluteUrl(json, 'portal', ''),
    apps: parsed,
  };
}

/**
 * The app registration with this client id (GUIDs compare case-insensitively, as Entra does).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.2
 */
export function findSandboxApp(
  directory: SandboxDirectory | undefined,
  clientId: string,
): SandboxDirectoryApp | undefined {
  const wanted = clientId.trim().toLowerCase();
  if (wanted === '') return undefined;
  return directory?.apps.find((app) => app.clientId.toLowerCase() === wanted);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether Entra would accept `redirectUri` for an app registered with `registered`: an exact match,
 * except that the port of an http loopback URI is ignored.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function isRedirectUriRegistered(registered: readonly string[], redirectUri: string): boolean {
  if (!URL.canParse(redirectUri)) return false;
  const wanted = new URL(redirectUri);
  return registered.some((candidate) => {
    if (!URL.canParse(candidate)) return false;
    const allowed = new URL(candidate);
    if (allowed.href === wanted.href) return true;
    if (allowed.protocol !== 'http:' || wanted.protocol !== 'http:' || !LOOPBACK_HOSTS.has(wanted.hostname))
      return false;
    return (
      allowed.hostname === wanted.hostname &&
      allowed.pathname === wanted.pathname &&
      allowed.search === wanted.search
    );
  });
}

/** What the sandbox will refuse in a request, judged from its registration as listed now. */
export type RegistrationFinding =
  | { readonly aadsts: 700016; readonly clientId: string }
  | { readonly aadsts: 50011; readonly app: SandboxDirectoryApp; readonly redirectUri: string }
  | { readonly aadsts: 9002326; readonly app: SandboxDirectoryApp };

/**
 * Compares an authorization code request with the sandbox's registration of its client, before it is
 * sent: an unknown client id (AADSTS700016), a redirect URI not registered (AADSTS50011), and a code
 * that will be redeemed with an Origin header by an app not on the SPA platform (AADSTS9002326). The
 * request is still sent if the user wants: this is a warning, as the sandbox's answer is the lesson.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#redirect-uris-for-single-page-apps-spas
 */
export function checkAgainstRegistration(
  directory: SandboxDirectory | undefined,
  request: { readonly clientId: string; readonly redirectUri: string; readonly sendsOrigin: boolean },
): RegistrationFinding[] {
  if (directory === undefined || request.clientId.trim() === '') return [];
  const app = findSandboxApp(directory, request.clientId);
  if (app === undefined) return [{ aadsts: 700016, clientId: request.clientId.trim() }];
  const findings: RegistrationFinding[] = [];
  if (request.redirectUri !== '' && !isRedirectUriRegistered(app.redirectUris, request.redirectUri))
    findings.push({ aadsts: 50011, app, redirectUri: request.redirectUri });
  // Entra: only a code issued to an SPA redirect URI may be redeemed cross-origin.
  if (request.sendsOrigin && app.platform !== 'spa') findings.push({ aadsts: 9002326, app });
  return findings;
}
