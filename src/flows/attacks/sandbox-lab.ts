/**
 * The attack lab's requests to the sandbox: turning its vulnerable-mode switches on and off, and asking
 * it to play a browser that signs a seeded user in (the attacker on their own account, or the victim in
 * an earlier sign-in), so a run needs no typing. Every request goes to the sandbox's origin only.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
import { buildEntraEndpoints, type Endpoints } from '../../protocol/endpoints.ts';
import {
  AuthorizationResponseError,
  InvalidInputError,
  NetworkError,
  ProtocolViolationError,
} from '../../protocol/errors.ts';
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

/**
 * What a failure to reach the attack lab adds: the likely cause when the answer did not come from this
 * app's sandbox. Never part of a refusal the sandbox gives in its own words (that is the sandbox working).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const SANDBOX_MISMATCH_HINT = 'Is the sandbox the one this app was started with (Settings)?';

/** `text` without the full stops, question and exclamation marks (and spaces) it ends with. */
export function withoutFinalStop(text: string): string {
  return text.replace(/[\s.!?…]+$/u, '');
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
    const said =
      typeof json === 'object' && json !== null
        ? (json as Record<string, unknown>)['error_description']
        : undefined;
    // A sandbox that answers in its own words is there and working; only another answer hints at a mix-up.
    const ownWords = typeof said === 'string' && response?.status !== 404;
    const reason = ownWords ? said : `it answered ${response?.status ?? 'nothing'}`;
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The sandbox could not ${what}: ${withoutFinalStop(reason)}.${ownWords ? '' : ` ${SANDBOX_MISMATCH_HINT}`}`,
    );
  }
  return json as Record<string, unknown>;
}

/**
 * The sandbox stopped a sign-in on its own error page instead of redirecting (RFC 6749 §4.1.2.1: an
 * invalid redirect_uri is never redirected to), e.g. AADSTS50011; `aadsts` and `description` verbatim.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class SandboxErrorPage extends AuthorizationResponseError {
  /** The page's code, e.g. `AADSTS50011`. */
  readonly aadsts: string;
  /** The page's message, without the code. */
  readonly description: string;
  /** The sign-in helper's exchange that brought the page back. */
  readonly exchange: HttpExchange | undefined;

  constructor(aadsts: string, description: string, exchange?: HttpExchange) {
    const number = Number(/^AADSTS(\d+)$/.exec(aadsts)?.[1]);
    super({
      error: 'invalid_request',
      error_description: `${aadsts}: ${description}`,
      ...(Number.isFinite(number) ? { error_codes: [number] } : {}),
    });
    this.aadsts = aadsts;
    this.description = description;
    this.exchange = exchange;
  }
}

/** The error page a refused sign-in stopped on, when the sandbox's answer names one. */
function errorPageOf(exchange: HttpExchange): SandboxErrorPage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(exchange.response?.body ?? '');
  } catch {
    return undefined;
  }
  const page =
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['error_page'] : undefined;
  if (typeof page !== 'object' || page === null) return undefined;
  const { aadsts, message } = page as Record<string, unknown>;
  if (typeof aadsts !== 'string' || !/^AADSTS\d+$/.test(aadsts) || typeof message !== 'string')
    return undefined;
  return new SandboxErrorPage(aadsts, message, exchange);
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
 * sandbox, returning that address. The response in it has not reached the app. Throws
 * {@link SandboxErrorPage} when the sandbox refused the request on its error page.
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
  // RFC 6749 §4.1.2.1: a refusal on the sandbox's own page is an answer, not a failure to reach it.
  const refused = exchange.response?.status === 200 ? undefined : errorPageOf(exchange);
  if (refused !== undefined) throw refused;
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
