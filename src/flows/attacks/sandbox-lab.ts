/**
 * The attack lab's requests to the sandbox: turning its vulnerable-mode switches on and off, and asking
 * it to play a browser that signs a seeded user in (the attacker on their own account, or the victim in
 * an earlier sign-in), so a run needs no typing. Every request goes to the sandbox's origin only.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
import { buildEntraEndpoints, type Endpoints } from '../../protocol/endpoints.ts';
import { InvalidInputError, NetworkError, ProtocolViolationError } from '../../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../../protocol/http.ts';
import {
  parseSandboxDirectory,
  SANDBOX_DIRECTORY_PATH,
  type SandboxDirectoryApp,
} from '../../protocol/sandbox-directory.ts';
import { sendRequest } from '../send-request.ts';
import { browserRoute } from '../token-request.ts';
import type { AttackDeps } from './types.ts';
import { ATTACK_LAB_SIGN_IN_PATH, ATTACK_LAB_SWITCHES_PATH, type AttackLabSwitches } from './switches.ts';

const JSON_HEADERS = [['content-type', 'application/json']] as const;

function jsonRequest(url: string, body: unknown): RecordedRequest {
  return { method: 'POST', url, headers: JSON_HEADERS, body: JSON.stringify(body), secretFields: [] };
}

function readJson(exchange: HttpExchange, what: string): Record<string, unknown> {
  const response = exchange.response;
  let json: unknown;
  try {
    json = JSON.parse(response?.body ?? '');
  } catch {
    json = undefined;
  }
  if (response === undefined || response.status !== 200 || typeof json !== 'object' || json === null) {
    const reason =
      typeof json === 'object' &&
      json !== null &&
      typeof (json as Record<string, unknown>)['error_description'] === 'string'
        ? String((json as Record<string, unknown>)['error_description'])
        : `it answered ${response?.status ?? 'nothing'}`;
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The sandbox could not ${what}: ${reason}. Is the sandbox the one this app was started with (Settings)?`,
    );
  }
  return json as Record<string, unknown>;
}

/**
 * Turns sandbox switches on for one run (vulnerable mode); the sandbox turns them off by itself later.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export async function setSwitches(
  switches: Partial<AttackLabSwitches>,
  deps: AttackDeps,
): Promise<HttpExchange> {
  const request = jsonRequest(`${deps.sandboxOrigin}${ATTACK_LAB_SWITCHES_PATH}`, switches);
  const exchange = await sendRequest(
    request,
    browserRoute('The sandbox’s attack-lab switches answer this app’s origin.'),
    deps.fetch,
    deps.now,
  );
  readJson(exchange, 'turn its vulnerable-mode switches on');
  return exchange;
}

/**
 * Turns every sandbox switch off again (the end of every run, whatever happened in it).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export async function resetSwitches(deps: AttackDeps): Promise<HttpExchange> {
  const request = jsonRequest(`${deps.sandboxOrigin}${ATTACK_LAB_SWITCHES_PATH}`, { reset: true });
  const exchange = await sendRequest(
    request,
    browserRoute('The sandbox’s attack-lab switches answer this app’s origin.'),
    deps.fetch,
    deps.now,
  );
  readJson(exchange, 'turn its vulnerable-mode switches off');
  return exchange;
}

/**
 * A seeded sandbox user the lab's sign-in helper can sign in (no second factor).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export type LabUser = 'adele' | 'alex';

/**
 * Who plays whom: the victim is Adele Vance, the attacker signs in with their own account, Alex Wilber's.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.7
 */
export const LAB_USERS: Readonly<
  Record<LabUser, { readonly username: string; readonly displayName: string }>
> = {
  adele: { username: 'adele@flowlab-sandbox.onmicrosoft.com', displayName: 'Adele Vance' },
  alex: { username: 'alex@flowlab-sandbox.onmicrosoft.com', displayName: 'Alex Wilber' },
};

/**
 * What the sandbox's sign-in helper brought back.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export interface LabSignIn {
  /** The address the sign-in ended on: the redirect URI with the response in its query or fragment. */
  readonly redirectedTo: string;
  readonly exchange: HttpExchange;
}

/**
 * Asks the sandbox to play a browser signing `user` in: it opens `authorizationUrl` (a URL on the
 * sandbox), fills in the user's sandbox password, accepts consent, and stops where it would leave the
 * sandbox, returning that address. The response in it has not reached the app.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export async function signInAs(
  user: LabUser,
  authorizationUrl: string,
  deps: AttackDeps,
): Promise<LabSignIn> {
  if (!authorizationUrl.startsWith(`${deps.sandboxOrigin}/`))
    throw new NetworkError(
      'NETWORK_ERROR',
      `The attack lab only signs in on the sandbox (${deps.sandboxOrigin}), not at ${new URL(authorizationUrl).origin}.`,
    );
  const request = jsonRequest(`${deps.sandboxOrigin}${ATTACK_LAB_SIGN_IN_PATH}`, {
    username: LAB_USERS[user].username,
    authorizationUrl,
  });
  const exchange = await sendRequest(
    request,
    browserRoute('The sandbox plays a browser signing the user in, so the run needs no typing.'),
    deps.fetch,
    deps.now,
  );
  const json = readJson(exchange, `sign ${LAB_USERS[user].displayName} in`);
  const redirectedTo = json['redirectedTo'];
  if (typeof redirectedTo !== 'string')
    throw new ProtocolViolationError('INVALID_RESPONSE', 'The sandbox’s sign-in answer names no address.');
  return { redirectedTo, exchange };
}

/**
 * The sandbox tenant as an attack uses it: its directory, its endpoints, and the app under attack.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints
 */
export interface LabTenant {
  readonly issuer: string;
  readonly endpoints: Endpoints;
  readonly app: SandboxDirectoryApp;
}

/**
 * Reads the sandbox's directory (the app registrations as they are now) and picks the app an attack
 * plays against by its display name; the tenant's endpoints follow Entra's layout on the sandbox.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols#endpoints
 */
export async function loadLabTenant(
  appName: string,
  deps: AttackDeps,
): Promise<{ readonly tenant: LabTenant; readonly exchange: HttpExchange }> {
  const exchange = await sendRequest(
    {
      method: 'GET',
      url: `${deps.sandboxOrigin}${SANDBOX_DIRECTORY_PATH}`,
      headers: [['accept', 'application/json']],
      secretFields: [],
    },
    browserRoute('The sandbox publishes its app registrations to this app.'),
    deps.fetch,
    deps.now,
  );
  const directory = parseSandboxDirectory(readJson(exchange, 'list its app registrations'));
  const app = directory.apps.find((candidate) => candidate.displayName === appName);
  if (app === undefined)
    throw new InvalidInputError(
      'directory.apps',
      `The sandbox has no app called “${appName}”. Reset the sandbox on its portal to bring the seeded apps back.`,
    );
  return {
    tenant: {
      issuer: directory.issuer,
      endpoints: buildEntraEndpoints(deps.sandboxOrigin, directory.tenant.id),
      app,
    },
    exchange,
  };
}
