/**
 * Hosting mode, for a trainer serving the lab to a class (`npm start -- --host`, or `LAB_HOST`): the app
 * and the sandbox listen on a non-loopback address, the portal's write actions need a trainer password
 * (HTTP Basic, RFC 7617), and the relay is off. Without `--host` nothing here applies: loopback only, no
 * password, the relay on. See docs/workshop.md.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** The address `--host` alone binds: every interface. */
export const DEFAULT_HOSTING_ADDRESS = '0.0.0.0';

/** The Basic realm of the trainer password (RFC 7617 §2: the protection space the browser asks for). */
export const TRAINER_REALM = 'Flow Lab sandbox portal (trainer)';

/** Where a trainer signs in on the sandbox: a 401 challenge there, then back to the portal. */
export const TRAINER_SIGN_IN_PATH = '/trainer';

/** The user name the docs give; any name is accepted, only the password is checked. */
export const TRAINER_USER = 'trainer';

/** Hosting mode as asked for on the command line or in the environment. */
export interface HostingOptions {
  /** The IP address the app and the sandbox listen on (`--host=ADDRESS`, `LAB_HOST`; default 0.0.0.0). */
  readonly address: string;
  /** The trainer password: `LAB_TRAINER_PASSWORD`, else made at start. */
  readonly trainerPassword: string;
  /** True when the password was made at start (and must be printed once). */
  readonly passwordGenerated: boolean;
  /** The https origin learners open (`LAB_PUBLIC_ORIGIN`), when the app is behind a reverse proxy. */
  readonly publicOrigin?: string;
}

/** A hosting option that cannot be used, with what to do. */
export class HostingOptionError extends Error {
  override readonly name = 'HostingOptionError';
}

/** 24 random bytes, base64url: 32 characters, typed once by the trainer, pasted into curl. */
export function generateTrainerPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Reads an origin (scheme, host, port; no path): `undefined` when absent, an error when not an origin. */
export function parsePublicOrigin(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new HostingOptionError(`${name} is not a URL: give an origin such as https://lab.example.org.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new HostingOptionError(`${name} must be an http or https origin, not ${url.protocol}.`);
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.pathname !== '/'
  )
    throw new HostingOptionError(
      `${name} must be an origin only (scheme, host, port), with no path: ${url.origin}.`,
    );
  return url.origin;
}

function readAddress(value: string, from: string): string {
  const address = value.trim() === '' ? DEFAULT_HOSTING_ADDRESS : value.trim();
  if (isIP(address) === 0)
    throw new HostingOptionError(
      `${from} takes an IP address to listen on (such as 0.0.0.0 or 192.168.1.20), not "${address}".`,
    );
  return address;
}

/**
 * Hosting mode from the command line (`--host`, `--host=ADDRESS`) and the environment (`LAB_HOST`,
 * `LAB_TRAINER_PASSWORD`, `LAB_PUBLIC_ORIGIN`); undefined when not asked for. Throws
 * {@link HostingOptionError} for an address that is not an IP literal, a password under 12 characters,
 * or a public origin that is not one.
 */
export function parseHostingOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  generate: () => string = generateTrainerPassword,
): HostingOptions | undefined {
  const flag = [...argv].reverse().find((arg) => arg === '--host' || arg.startsWith('--host='));
  const fromEnv = env['LAB_HOST'];
  let address: string;
  if (flag !== undefined)
    address = readAddress(flag === '--host' ? '' : flag.slice('--host='.length), '--host');
  else if (fromEnv !== undefined && fromEnv.trim() !== '') address = readAddress(fromEnv, 'LAB_HOST');
  else return undefined;
  const given = env['LAB_TRAINER_PASSWORD'];
  if (given !== undefined && given !== '' && given.length < 12)
    throw new HostingOptionError(
      'LAB_TRAINER_PASSWORD is shorter than 12 characters: choose a longer one, or leave it unset and one is made at start.',
    );
  const publicOrigin = parsePublicOrigin(env['LAB_PUBLIC_ORIGIN'], 'LAB_PUBLIC_ORIGIN');
  const generated = given === undefined || given === '';
  return {
    address,
    trainerPassword: generated ? generate() : given,
    passwordGenerated: generated,
    ...(publicOrigin === undefined ? {} : { publicOrigin }),
  };
}

/** True for an address only this machine can reach (127.0.0.0/8, ::1). */
export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

/**
 * True when the Authorization header carries the trainer password (RFC 7617 §2: Basic, base64 of
 * `user-id:password`; the user-id is not checked). Compared in constant time over SHA-256 digests, so
 * neither the value nor its length leaks through timing.
 */
export function checkTrainerCredentials(authorization: string | undefined, password: string): boolean {
  if (authorization === undefined) return false;
  const match = /^basic +([A-Za-z0-9+/=._~-]+)\s*$/i.exec(authorization);
  if (!match) return false;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(decoded.slice(colon + 1)), digest(password));
}

/** Requests that only read: everything else below a portal API changes the sandbox. */
const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** The portal APIs of the sandbox: the tenant's (`/portal/`) and the standards issuer's. */
export const PORTAL_WRITE_PREFIXES = ['/portal/', '/standard/portal/api/'] as const;

/** True for a request that changes the sandbox through one of its portals (reset, edits, settings…). */
export function isPortalWrite(method: string, pathname: string): boolean {
  return (
    !SAFE_METHODS.includes(method.toUpperCase()) &&
    PORTAL_WRITE_PREFIXES.some((prefix) => pathname.startsWith(prefix))
  );
}

const REFUSAL_TEXT =
  'Only the trainer can change this shared sandbox: this action needs the trainer password, which was missing or wrong. Everything stays readable without it.';

/** The trainer gate of a sandbox in hosting mode. */
export interface TrainerGate {
  /** True when the request carries the trainer password. */
  admits(req: IncomingMessage): boolean;
  /**
   * Answers 401 with a Basic challenge: JSON for API calls, a short page for form posts and the
   * sign-in link. Never echoes what was sent.
   */
  refuse(req: IncomingMessage, res: ServerResponse): void;
}

function wantsHtml(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const accept = (req.headers.accept ?? '').toLowerCase();
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')
    ? true
    : accept.includes('text/html');
}

/** The gate for `password` (hosting mode's trainer password). */
export function createTrainerGate(password: string): TrainerGate {
  if (password === '') throw new HostingOptionError('The trainer password cannot be empty.');
  return {
    admits: (req) => checkTrainerCredentials(req.headers.authorization, password),
    refuse(req, res) {
      // RFC 7235 §3.1: a 401 MUST carry a WWW-Authenticate challenge; RFC 7617 §2.1: charset UTF-8.
      const headers = {
        'WWW-Authenticate': `Basic realm="${TRAINER_REALM}", charset="UTF-8"`,
        'Cache-Control': 'no-store',
      };
      if (wantsHtml(req)) {
        res.writeHead(401, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trainer password needed</title></head><body><main><h1>Trainer password needed</h1><p>${REFUSAL_TEXT}</p><p>Trainer: sign in with user name <code>${TRAINER_USER}</code> and the password printed when the lab started. Learners: ask the trainer for the change.</p><p><a href="/">Back to the portal (read-only)</a></p></main></body></html>`,
        );
        return;
      }
      res.writeHead(401, { ...headers, 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'unauthorized',
          error_description: `${REFUSAL_TEXT} Send it with HTTP Basic authentication (curl -u ${TRAINER_USER}:PASSWORD).`,
        }),
      );
    },
  };
}

/** How hosting mode treats a request: `open` to anyone, `trainer` password needed, `off` for everyone. */
export type HostedAccess = 'open' | 'trainer' | 'off';

/** Why the attack lab is off in hosting mode (the sandbox's 403, and the app's attack pages). */
export const ATTACK_LAB_OFF_REASON =
  'The attack lab is off on this shared sandbox: its switches and sign-in change the tenant for everyone in the class. Run the attack lab on your own machine with npm start.';

/** Answers 403 for the attack lab in hosting mode: JSON, with the reason and what to do. */
export function refuseAttackLab(res: ServerResponse): void {
  res.writeHead(403, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: 'forbidden', error_description: ATTACK_LAB_OFF_REASON }));
}

/**
 * The sandbox's part of hosting mode, before its own routes: `/trainer` (a Basic challenge, then back
 * to the portal signed in), the refusal of every write `access` says is the trainer's without the
 * trainer password, and of the attack lab's changes (`off`: 403 whoever asks). True when the request
 * was answered here.
 */
export function answerTrainerGate(
  gate: TrainerGate,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  access: HostedAccess,
): boolean {
  if (pathname === TRAINER_SIGN_IN_PATH) {
    if (!gate.admits(req)) gate.refuse(req, res);
    else res.writeHead(303, { Location: '/', 'Cache-Control': 'no-store' }).end();
    return true;
  }
  if (access === 'off') {
    refuseAttackLab(res);
    return true;
  }
  if (access === 'trainer' && !gate.admits(req)) {
    gate.refuse(req, res);
    return true;
  }
  return false;
}

/** What the app server tells the page about the relay in hosting mode, and the relay's refusal text. */
export const RELAY_OFF_REASON =
  'The relay is off: this lab runs on a shared server for a class, and the relay is a personal tool that sends requests from the machine it runs on.';

/** Paths of the relay on the app's origin. */
const RELAY_PREFIX = '/relay/';

/**
 * In hosting mode the relay is not mounted: every `/relay/*` request is answered 404 with the reason
 * (marked `X-Relay-Refused`, as the relay's own refusals, so the app explains it); anything else goes on.
 */
export function relayOffMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (!path.startsWith(RELAY_PREFIX)) {
    next();
    return;
  }
  res.writeHead(404, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Relay-Refused': '1',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(
    `${RELAY_OFF_REASON} Send the request from your own machine (copy it as curl), or run the lab there with npm start.`,
  );
}
