/**
 * The attack lab's part of the sandbox, below `/attack-lab/`: the vulnerable-mode switches (each turns
 * off one defence the sandbox normally enforces; all off by default, on only for the length of one
 * attack run, and off again by themselves after a short while) and a sign-in helper that plays a
 * browser signing a seeded user in, so an attack run needs no typing. JSON only, CORS for local app
 * origins only (as the portal API); nothing here reaches any host but the sandbox itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ATTACK_LAB_SIGN_IN_PATH,
  ATTACK_LAB_SWITCH_TTL_SECONDS,
  ATTACK_LAB_SWITCHES_PATH,
  parseSwitchesPatch,
  SAFE_SWITCHES,
  type AttackLabSwitches,
} from '../../src/flows/attacks/switches.ts';
import { readBody, sendJson } from './http-utils.ts';
import type { TenantPart, TenantState } from './tenant-state.ts';
import { SANDBOX_USERS } from './seed.ts';

export type { AttackLabSwitches } from '../../src/flows/attacks/switches.ts';

/** Path prefix of the attack lab's endpoints. */
export const ATTACK_LAB_PREFIX = '/attack-lab/';

/** The switches and when those on go off by themselves (ms since the epoch), as the store keeps them. */
interface LabState {
  readonly switches: AttackLabSwitches;
  readonly expiresAt: number | undefined;
}

const SAFE_STATE: LabState = { switches: SAFE_SWITCHES, expiresAt: undefined };

/** The switches after `patch` at `now`: any switch on (re)starts the countdown; all off is the safe state. */
function patched(state: LabState, patch: Partial<AttackLabSwitches>, now: number): LabState {
  const live = state.expiresAt !== undefined && now >= state.expiresAt ? SAFE_STATE : state;
  const next = { ...live.switches, ...patch };
  if (Object.values(next).every((on) => !on)) return SAFE_STATE;
  return { switches: next, expiresAt: now + ATTACK_LAB_SWITCH_TTL_SECONDS * 1000 };
}

/**
 * The live switches of the tenant. Checks that honour a switch read `attackLab.switches.<name>`;
 * switches turned on fall back to off after {@link ATTACK_LAB_SWITCH_TTL_SECONDS} without a reset.
 * With a tenant state (tenant-state.ts) a change is written to the shared store first, so a run's
 * switch applies on every sandbox instance of the tenant.
 */
export class AttackLab implements TenantPart {
  /** The tenant state part name. */
  readonly name = 'attack-lab';
  #state: LabState = SAFE_STATE;
  readonly #now: () => number;
  readonly #tenant: TenantState | undefined;
  /** {@link keep}'s records without a tenant state (one process). */
  readonly #records = new Map<string, { readonly value: unknown; readonly until: number }>();

  constructor(now: () => number = Date.now, tenant?: TenantState) {
    this.#now = now;
    this.#tenant = tenant;
    tenant?.register(this);
  }

  /** Replaces this instance's copy with the stored switches (tenant-state.ts). */
  load(value: unknown): void {
    const stored = value as LabState | undefined;
    this.#state =
      stored === undefined || Object.values(stored.switches).every((on) => !on)
        ? SAFE_STATE
        : { switches: { ...SAFE_SWITCHES, ...stored.switches }, expiresAt: stored.expiresAt };
  }

  /** The switches as they are now (all off once their time is up). */
  get switches(): AttackLabSwitches {
    const { expiresAt } = this.#state;
    if (expiresAt !== undefined && this.#now() >= expiresAt) this.#state = SAFE_STATE;
    return this.#state.switches;
  }

  /** When switches that are on go off by themselves (ms since the epoch); undefined when all are off. */
  get expiresAt(): number | undefined {
    return this.switches === SAFE_SWITCHES ? undefined : this.#state.expiresAt;
  }

  /** Changes some switches in this instance only; any switch on (re)starts the countdown to all off. */
  set(patch: Partial<AttackLabSwitches>): void {
    this.#state = patched(this.#state, patch, this.#now());
  }

  /** Every switch off, in this instance only. */
  reset(): void {
    this.#state = SAFE_STATE;
  }

  /**
   * Changes the switches for the whole tenant (after turning all off when `reset`), resolving once the
   * shared store and this instance hold the change; without a tenant state, as {@link set}.
   */
  async change(patch: Partial<AttackLabSwitches>, reset = false): Promise<void> {
    const now = this.#now();
    if (!this.#tenant) {
      this.#state = patched(reset ? SAFE_STATE : this.#state, patch, now);
      return;
    }
    await this.#tenant.write<LabState>(this.name, (current) =>
      patched(reset || current === undefined ? SAFE_STATE : current, patch, now),
    );
  }

  /**
   * Keeps a run's one-off record (what the mix-up attacker captured) for `ttlMs`, where every instance
   * of the tenant can {@link take} it: the shared store's `attack-lab:record:{name}`.
   */
  async keep(name: string, value: unknown, ttlMs: number): Promise<void> {
    if (this.#tenant) {
      await this.#tenant.store.set(`attack-lab:record:${name}`, value, { ttlMs });
      return;
    }
    this.#records.set(name, { value, until: Date.now() + ttlMs });
  }

  /** Reads and forgets a record {@link keep} kept (undefined when none or expired). */
  async take<T>(name: string): Promise<T | undefined> {
    if (this.#tenant) {
      const out: { value: T | undefined } = { value: undefined };
      await this.#tenant.store.update<T>(`attack-lab:record:${name}`, (current) => {
        out.value = current;
        return undefined;
      });
      return out.value;
    }
    const record = this.#records.get(name);
    this.#records.delete(name);
    return record && record.until > Date.now() ? (record.value as T) : undefined;
  }

  /** The JSON the switches endpoint answers with. */
  view(): Record<string, unknown> {
    const switches = this.switches;
    const expiresAt = this.expiresAt;
    return {
      switches,
      vulnerable: switches !== SAFE_SWITCHES,
      ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
    };
  }
}

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin !== undefined && LOCAL_ORIGIN.test(origin)
    ? { 'access-control-allow-origin': origin, vary: 'Origin', 'cache-control': 'no-store' }
    : { vary: 'Origin', 'cache-control': 'no-store' };
}

/** What the attack lab's endpoints need from the running sandbox. */
export interface AttackLabState {
  readonly attackLab: AttackLab;
  /** The sandbox's own origin: the sign-in helper goes there and nowhere else. */
  readonly origin: string;
}

/** Handles one request below `/attack-lab/`. */
export async function handleAttackLabRequest(
  state: AttackLabState,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const origin = req.headers.origin;
  const headers = corsHeaders(origin);
  const reply = (status: number, body: unknown): void => sendJson(res, status, body, headers);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res
      .writeHead(204, {
        ...headers,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      })
      .end();
    return;
  }
  // Only the app on this machine may switch defences off: a JSON body needs a preflight, which only
  // local origins pass; a request that still names another origin is refused outright.
  if (method !== 'GET' && origin !== undefined && !LOCAL_ORIGIN.test(origin)) {
    reply(403, { error: 'forbidden', error_description: `Origin '${origin}' may not use the attack lab.` });
    return;
  }
  const isJson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
  if (pathname === ATTACK_LAB_SWITCHES_PATH) {
    if (method === 'GET') return reply(200, state.attackLab.view());
    if (method !== 'POST')
      return reply(405, { error: 'method_not_allowed', error_description: 'Use GET or POST.' });
    if (!isJson) return reply(415, { error: 'invalid_request', error_description: 'Send JSON.' });
    const parsed = parseSwitchesPatch(await readJsonBody(req));
    if (!parsed.ok) return reply(400, { error: 'invalid_request', error_description: parsed.message });
    await state.attackLab.change(parsed.patch, parsed.reset);
    return reply(200, state.attackLab.view());
  }
  if (pathname === ATTACK_LAB_SIGN_IN_PATH) {
    if (method !== 'POST') return reply(405, { error: 'method_not_allowed', error_description: 'Use POST.' });
    if (!isJson) return reply(415, { error: 'invalid_request', error_description: 'Send JSON.' });
    const body = await readJsonBody(req);
    const result = await signInAsUser(state.origin, body);
    return reply(
      result.ok ? 200 : 400,
      result.ok
        ? result.answer
        : {
            error: 'invalid_request',
            error_description: result.message,
            // The sandbox's own error page stopped the sign-in: its code and message, for the attack lab.
            // (`aadsts`, not `code`: a field named code reads as an authorization code to log redaction.)
            ...(result.errorPage === undefined
              ? {}
              : { error_page: { aadsts: result.errorPage.code, message: result.errorPage.message } }),
          },
    );
  }
  reply(404, { error: 'not_found', error_description: `No attack-lab endpoint at ${pathname}.` });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse((await readBody(req)).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A form on a sandbox page: where it posts and the fields it would send as it is. */
interface PageForm {
  readonly action: string;
  readonly fields: Record<string, string>;
  readonly names: readonly string[];
}

function decodeHtml(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match?.[1] === undefined ? undefined : decodeHtml(match[1]);
}

/** The first form of a sandbox page (the sandbox's own pages, so a small reading is enough). */
function firstForm(html: string, pageUrl: string): PageForm | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  const action = attribute(form[0].slice(0, form[0].indexOf('>') + 1), 'action') ?? pageUrl;
  const fields: Record<string, string> = {};
  const names: string[] = [];
  for (const tag of form[1]?.match(/<(input|button)\b[^>]*>/g) ?? []) {
    const name = attribute(tag, 'name');
    if (name === undefined) continue;
    names.push(name);
    // Hidden inputs go as they are; of the submit buttons only the first (accept / allow) is pressed.
    if (tag.startsWith('<input') && attribute(tag, 'type') === 'hidden')
      fields[name] = attribute(tag, 'value') ?? '';
    else if (tag.startsWith('<button') && !(name in fields)) fields[name] = attribute(tag, 'value') ?? '';
  }
  return { action: new URL(action, pageUrl).href, fields, names };
}

type SignInResult =
  | { readonly ok: true; readonly answer: Record<string, unknown> }
  | {
      readonly ok: false;
      readonly message: string;
      /** The sandbox's error page (e.g. AADSTS50011) the sign-in stopped on: its code and message verbatim. */
      readonly errorPage?: { readonly code: string; readonly message: string };
    };

/**
 * Plays a browser: opens the authorization URL (on this sandbox), signs the user in with their
 * sandbox password, accepts consent, and stops where the next hop would leave the sandbox (the
 * redirect URI) — returning that address, or the form a form_post response would have posted there.
 */
async function signInAsUser(origin: string, body: unknown): Promise<SignInResult> {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const { username, authorizationUrl } = input;
  if (typeof username !== 'string' || typeof authorizationUrl !== 'string')
    return { ok: false, message: 'Send {"username": …, "authorizationUrl": …}.' };
  const user = SANDBOX_USERS.find((u) => u.userPrincipalName === username.toLowerCase());
  if (!user || user.mfaRequired)
    return {
      ok: false,
      message: `The attack lab signs in only seeded users without a second factor, not '${username.slice(0, 80)}'.`,
    };
  let next: URL;
  try {
    next = new URL(authorizationUrl);
  } catch {
    return { ok: false, message: 'authorizationUrl is not a URL.' };
  }
  if (next.origin !== origin) return { ok: false, message: `The attack lab signs in on ${origin} only.` };
  const cookies = new Map<string, string>();
  const hops: { method: string; url: string; status: number }[] = [];
  let form: Record<string, string> | undefined;
  for (let hop = 0; hop < 12; hop += 1) {
    const response = await fetch(next, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    hops.push({
      method: form ? 'POST' : 'GET',
      url: `${next.origin}${next.pathname}`,
      status: response.status,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    form = undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, next);
      if (target.origin !== origin) return { ok: true, answer: { redirectedTo: target.href, hops } };
      next = target;
      continue;
    }
    const html = await response.text();
    const page = firstForm(html, next.href);
    if (!page) {
      // The sandbox's error page (pages.ts errorPage, e.g. AADSTS50011): its code and message verbatim.
      const alert = /<strong>(AADSTS\d+):<\/strong>\s*([^<]*)/.exec(html);
      if (alert?.[1] !== undefined) {
        const errorPage = { code: alert[1], message: decodeHtml(alert[2] ?? '').trim() };
        return {
          ok: false,
          message: `The sign-in stopped on a page without a form, the sandbox’s error page: ${errorPage.code}: ${errorPage.message}`,
          errorPage,
        };
      }
      const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? `status ${response.status}`;
      return { ok: false, message: `The sign-in stopped on a page without a form: ${decodeHtml(title)}.` };
    }
    if (new URL(page.action).origin !== origin) {
      // response_mode=form_post: the page would post the response to the app.
      return {
        ok: true,
        answer: { redirectedTo: page.action, formPost: new URLSearchParams(page.fields).toString(), hops },
      };
    }
    if (page.names.includes('password'))
      form = { ...page.fields, username: user.userPrincipalName, password: user.password };
    else if (page.names.includes('otc'))
      return { ok: false, message: 'The sign-in asked for a second factor.' };
    else form = page.fields;
    next = new URL(page.action);
  }
  return { ok: false, message: 'The sign-in went round in circles (more than 12 hops).' };
}
