/**
 * Receives authorization responses sent with `response_mode=form_post` (OAuth 2.0 Form Post Response
 * Mode §2): the authorization server's page POSTs the parameters to the redirect URI as a form. A
 * single-page app cannot read a POST body, so the local server keeps it for a moment in memory under a
 * random one-time id and sends the browser on to `/callback?form_post=<id>`; the callback page then
 * fetches the parameters once, same-origin, and checks them exactly as it checks a query or fragment.
 * The parameters hold a code or tokens: they are never logged, never written to disk, read at most
 * once and forgotten after a minute.
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CALLBACK_PATH } from '../src/protocol/callback-path.ts';
import { checkHostHeader, Refusal } from './relay/policy.ts';

/** Where the authorization server POSTs: the app's redirect URI path, shared with the app. */
export const FORM_POST_CALLBACK_PATH = CALLBACK_PATH;
/** Where the callback page fetches a stored response, followed by its id. */
export const FORM_POST_READ_PREFIX = '/callback/form-post/';
/** A form with a code, an ID token and an access token fits easily; anything bigger is not a response. */
export const FORM_POST_MAX_BYTES = 64 * 1024;
/** How long a stored response waits for the callback page to read it. */
export const FORM_POST_TTL_MS = 60_000;
/** At most this many responses wait at once; the oldest is dropped first. */
export const FORM_POST_MAX_ENTRIES = 50;

const ID_PATTERN = /^[A-Za-z0-9_-]{22,64}$/;

interface Entry {
  readonly body: string;
  readonly expiresAt: number;
}

export interface FormPostOptions {
  /** The app's port, for the Host header check. */
  readonly port: number;
  /**
   * Hosting mode (server/hosting.ts): learners reach the app under a name or address of the trainer's
   * choosing, so the Host check (a loopback server's defence against DNS rebinding) is left out.
   */
  readonly anyHost?: boolean;
  /** Injected clock (ms), so expiry is testable. */
  readonly now?: () => number;
}

/** A small page for the rare refusal, so the person sees why the run stopped. */
function refusalPage(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The middleware for `POST /callback` and `GET /callback/form-post/<id>`; everything else goes on to
 * `next`. Both answers are refused unless the Host header names this machine (DNS rebinding).
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export function createFormPostMiddleware(options: FormPostOptions) {
  const now = options.now ?? Date.now;
  const store = new Map<string, Entry>();

  const prune = () => {
    const t = now();
    for (const [id, entry] of store) if (entry.expiresAt <= t) store.delete(id);
    // Map keeps insertion order: the first entries are the oldest.
    while (store.size > FORM_POST_MAX_ENTRIES) {
      const oldest = store.keys().next().value;
      if (oldest === undefined) break;
      store.delete(oldest);
    }
  };

  const middleware = async (
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): Promise<void> => {
    const path = (req.url ?? '').split(/[?#]/)[0] ?? '';
    const isPost = req.method === 'POST' && path === FORM_POST_CALLBACK_PATH;
    const isRead = req.method === 'GET' && path.startsWith(FORM_POST_READ_PREFIX);
    if (!isPost && !isRead) {
      next();
      return;
    }
    try {
      if (options.anyHost !== true) checkHostHeader(req.headers.host, options.port);
    } catch (error) {
      refusalPage(res, error instanceof Refusal ? error.status : 400, 'Refused: wrong Host header.');
      return;
    }
    prune();
    if (isRead) {
      // Only this app's own page may collect a response: a browser marks a request from another
      // site, which could not read the answer anyway but would use up the one-time id.
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin') {
        refusalPage(res, 403, 'Refused: only the app’s own page may read a form_post response.');
        return;
      }
      const id = path.slice(FORM_POST_READ_PREFIX.length);
      const entry = ID_PATTERN.test(id) ? store.get(id) : undefined;
      // Consumed on read: a second fetch, a reload or another tab finds nothing.
      if (entry !== undefined) store.delete(id);
      if (entry === undefined) {
        res.writeHead(404, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        res.end(JSON.stringify({ error: 'not_found' }));
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(entry.body);
      return;
    }
    // Form Post Response Mode §2: the parameters are "encoded in the body using the
    // application/x-www-form-urlencoded format".
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      req.resume();
      refusalPage(
        res,
        415,
        `A form_post response must be sent as application/x-www-form-urlencoded, not ${type === '' ? 'without a content type' : type}. Go back to the app and start the flow again.`,
      );
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > FORM_POST_MAX_BYTES) {
      req.resume();
      refusalPage(res, 413, 'The form_post response is too large to be an authorization response.');
      return;
    }
    let body: string | 'too-large';
    try {
      body = await readBody(req, FORM_POST_MAX_BYTES);
    } catch {
      refusalPage(res, 400, 'The form_post response could not be read.');
      return;
    }
    if (body === 'too-large') {
      refusalPage(res, 413, 'The form_post response is too large to be an authorization response.');
      return;
    }
    const id = randomBytes(24).toString('base64url');
    store.set(id, { body, expiresAt: now() + FORM_POST_TTL_MS });
    prune();
    // 303 See Other: the browser follows with a GET, so a reload never re-POSTs the code.
    res.writeHead(303, {
      Location: `${FORM_POST_CALLBACK_PATH}?form_post=${id}`,
      'Cache-Control': 'no-store',
      'Content-Length': '0',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end();
  };

  return Object.assign(middleware, {
    /** How many responses wait (for tests). */
    pending: (): number => {
      prune();
      return store.size;
    },
  });
}
