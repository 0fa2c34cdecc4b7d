/**
 * The workshop bench's reverse proxy on loopback: what nginx or HAProxy does in front of several sandbox
 * instances, in a few lines of `node:http`, so the bench needs nothing installed.
 *
 * Routing is round robin with one twist the bench needs to prove that the instances share one tenant: a
 * request carrying {@link FLOW_HEADER} belongs to one flow, and each request of a flow goes to the
 * instance after the one its previous request went to. So with two instances every step of every flow
 * (sign-in, verification code, consent, code redemption, device-code poll, the resource call) is served
 * by the other instance than the step before it; the flows themselves start on the instances in turn.
 * Requests without the header are plain round robin. The header is not forwarded; every answer says which
 * instance served it in {@link UPSTREAM_HEADER}.
 *
 * It runs in a child process of its own (`startWorkshopProxy`), so proxying does not share the load
 * generator's event loop, and talks to the bench over the fork's IPC channel: `ready` once listening,
 * its counters on `stats`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { fileURLToPath } from 'node:url';

/** Names the flow a request belongs to (any string unique to the flow). */
export const FLOW_HEADER = 'x-workshop-flow';
/** On every answer: the index of the instance that served it (0, 1, …), or `proxy` when none could. */
export const UPSTREAM_HEADER = 'x-workshop-upstream';

/** RFC 9110 §7.6.1: connection-specific fields a proxy must not forward. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** What the proxy saw since it started (or since the last reset). */
export interface ProxyStats {
  /** Requests forwarded to each instance, in the order of the upstreams. */
  readonly requests: readonly number[];
  /** Flows seen (distinct {@link FLOW_HEADER} values). */
  readonly flows: number;
  /** Flows of two requests or more. */
  readonly multiRequestFlows: number;
  /** Of those, the flows where every request went to another instance than the one before it. */
  readonly alternatingFlows: number;
  /** Requests answered 502 because their instance could not be reached, and the first reasons. */
  readonly failures: number;
  readonly firstFailures: readonly string[];
}

interface FlowRoute {
  next: number;
  last: number;
  requests: number;
  alternating: boolean;
}

function forwardHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = String(headers['connection'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase());
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || listed.includes(name) || name === FLOW_HEADER)
      continue;
    out[name] = value;
  }
  return out;
}

/** The proxy itself: an HTTP server forwarding to `upstreams` as the header comment says. */
export function createWorkshopProxy(upstreams: readonly URL[]) {
  if (upstreams.length === 0) throw new Error('the proxy needs at least one upstream');
  // A new connection per request, as nginx talks to its upstreams by default: a kept-alive socket the
  // instance closes (its 5 s keep-alive timeout) just as a request goes out would be a bad gateway that
  // says nothing about the instances. The same for one instance as for two.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  let turn = 0;
  let requests = upstreams.map(() => 0);
  let flows = new Map<string, FlowRoute>();
  let failures = 0;
  let firstFailures: string[] = [];

  const pick = (flow: string | undefined): number => {
    if (flow === undefined) return turn++ % upstreams.length;
    let route = flows.get(flow);
    if (route === undefined) {
      route = { next: turn++ % upstreams.length, last: -1, requests: 0, alternating: true };
      flows.set(flow, route);
    }
    const chosen = route.next;
    if (route.last === chosen) route.alternating = false;
    route.last = chosen;
    route.next = (chosen + 1) % upstreams.length;
    route.requests += 1;
    return chosen;
  };

  const fail = (res: ServerResponse, why: string): void => {
    failures += 1;
    if (firstFailures.length < 5) firstFailures.push(why);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .writeHead(502, { 'content-type': 'text/plain; charset=utf-8', [UPSTREAM_HEADER]: 'proxy' })
      .end(`Bad gateway: ${why}\n`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const flowHeader = req.headers[FLOW_HEADER];
    const index = pick(typeof flowHeader === 'string' ? flowHeader : undefined);
    const upstream = upstreams[index]!;
    requests[index] = (requests[index] ?? 0) + 1;
    const headers = forwardHeaders(req.headers);
    // The instances build every URL from their public origin; these say where the request came from.
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = req.headers.host ?? '';
    const outgoing = request(
      {
        agent,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer) => {
        const back: Record<string, string | string[]> = forwardHeaders(answer.headers);
        back[UPSTREAM_HEADER] = String(index);
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
        answer.pipe(res);
        answer.on('error', (error) => fail(res, `instance ${index}: ${error.message}`));
      },
    );
    outgoing.on('error', (error) => fail(res, `instance ${index} (${upstream.host}): ${error.message}`));
    req.pipe(outgoing);
  });

  return {
    server,
    stats(): ProxyStats {
      const routes = [...flows.values()];
      const multi = routes.filter((r) => r.requests >= 2);
      return {
        requests: [...requests],
        flows: routes.length,
        multiRequestFlows: multi.length,
        alternatingFlows: multi.filter((r) => r.alternating).length,
        failures,
        firstFailures: [...firstFailures],
      };
    },
    reset(): void {
      requests = upstreams.map(() => 0);
      flows = new Map();
      failures = 0;
      firstFailures = [];
    },
    close(): void {
      server.close();
      agent.destroy();
    },
  };
}

type ToProxy = { readonly kind: 'stats' } | { readonly kind: 'reset' };
type FromProxy =
  | { readonly kind: 'ready' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'stats'; readonly stats: ProxyStats };

/** The proxy running in its child process. */
export interface WorkshopProxy {
  /** `http://localhost:<port>`: the public origin the instances are told to use. */
  readonly origin: string;
  stats(): Promise<ProxyStats>;
  /** Forgets the counters (after a warm-up). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const CHILD_ENV = 'WORKSHOP_PROXY';

/**
 * Starts the proxy on 127.0.0.1:`port` in a child process, forwarding to `upstreams` (origins); resolves
 * once it listens. Throws when the port is taken or the child does not start within 30 s.
 */
export function startWorkshopProxy(port: number, upstreams: readonly string[]): Promise<WorkshopProxy> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [CHILD_ENV]: JSON.stringify({ port, upstreams }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ask = (message: ToProxy): Promise<FromProxy> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: FromProxy) => {
        child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = () => {
        child.off('message', onMessage);
        reject(new Error('the proxy exited'));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the proxy did not start on port ${port} within 30 s`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the proxy exited with ${String(code)} before listening`));
    });
    child.once('message', (message: FromProxy) => {
      clearTimeout(timer);
      if (message.kind !== 'ready') {
        void stop();
        reject(new Error(message.kind === 'error' ? message.message : 'the proxy did not start'));
        return;
      }
      resolve({
        origin: `http://localhost:${port}`,
        async stats() {
          const reply = await ask({ kind: 'stats' });
          if (reply.kind !== 'stats') throw new Error('the proxy did not send its counters');
          return reply.stats;
        },
        async reset() {
          await ask({ kind: 'reset' });
        },
        stop,
      });
    });
  });
}

// The child process: listen, answer the bench, and never outlive it.
const childConfig = process.env[CHILD_ENV];
if (childConfig !== undefined && process.send !== undefined) {
  const { port, upstreams } = JSON.parse(childConfig) as { port: number; upstreams: string[] };
  const send = (message: FromProxy) => process.send?.(message);
  const proxy = createWorkshopProxy(upstreams.map((u) => new URL(u)));
  proxy.server.on('error', (error) => {
    send({ kind: 'error', message: `the proxy could not listen on ${port}: ${error.message}` });
    process.exit(1);
  });
  proxy.server.listen(port, '127.0.0.1', () => send({ kind: 'ready' }));
  process.on('message', (message: ToProxy) => {
    if (message.kind === 'reset') proxy.reset();
    send({ kind: 'stats', stats: proxy.stats() });
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => {
    proxy.close();
    process.exit(0);
  });
}
