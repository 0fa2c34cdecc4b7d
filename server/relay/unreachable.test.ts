/**
 * When the relay cannot reach the upstream it says so as JSON (host, cause, detail), distinct from
 * its own refusals (X-Relay-Refused) — against real sockets: a closed loopback port and a name in
 * RFC 6761's `.invalid`, which resolves nowhere.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket,
} from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { classifyConnectionError } from './forward.ts';
import { createRelayMiddleware } from './index.ts';

const APP = 'http://localhost:5173';
const TOKEN = 'per-start-token-unreachable';
let relayServer: Server;
let relayPort = 0;
let closedPort = 0;
let plainPort = 0;
let resetPort = 0;
const tcpServers: TcpServer[] = [];
const logs: string[] = [];

/** A raw TCP server on loopback; `onConnection` decides what the relay's connection meets. */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createTcpServer(onConnection);
  tcpServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port that was just listened on and closed again: connecting to it is refused. */
/**
 * A loopback port nothing listens on. Not one just listened on and closed: tests running beside this
 * one take ports the system picks, and such a port was seen handed to another server (ECONNRESET
 * instead of ECONNREFUSED). Port 1 (tcpmux) is below 1024, where no test of ours ever listens.
 */
async function freeClosedPort(): Promise<number> {
  return 1;
}

beforeAll(async () => {
  closedPort = await freeClosedPort();
  // Answers a TLS ClientHello with plain HTTP: the handshake fails (wrong version number).
  plainPort = await tcpServer((socket) => {
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  });
  // Accepts the connection, then drops it as soon as the request arrives.
  resetPort = await tcpServer((socket) => {
    socket.once('data', () => socket.resetAndDestroy());
  });
  relayServer = createServer();
  await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve));
  relayPort = (relayServer.address() as AddressInfo).port;
  const relay = createRelayMiddleware({
    appOrigins: [APP],
    port: relayPort,
    token: TOKEN,
    // RFC 6761 §6.4: .invalid names never resolve. Both origins are allowlisted, so only the network fails.
    extraOrigins: [
      `http://127.0.0.1:${closedPort}`,
      'https://something.invalid',
      `https://127.0.0.1:${plainPort}`,
      `http://127.0.0.1:${resetPort}`,
    ],
    timeoutMs: 3000,
    log: (line) => logs.push(line),
  });
  relayServer.on('request', (req, res) => void relay(req, res, () => res.writeHead(404).end()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => relayServer.close(() => resolve()));
  for (const server of tcpServers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

function post(target: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: relayPort,
        method: 'POST',
        path: '/relay/forward',
        headers: {
          host: `localhost:${relayPort}`,
          origin: APP,
          'x-relay-token': TOKEN,
          'x-relay-target': target,
          'content-type': 'application/x-www-form-urlencoded',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end('grant_type=client_credentials&client_id=x');
  });
}

describe('relay: an upstream that cannot be reached', () => {
  test('a closed port on 127.0.0.1 (allowlisted): 502, cause "refused", the host named, no X-Relay-Refused', async () => {
    const res = await post(`http://127.0.0.1:${closedPort}/oauth2/token`);
    expect(res.status).toBe(502);
    expect(res.headers['x-relay-refused']).toBeUndefined();
    expect(res.headers['x-relay-unreachable']).toBe('1');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(res.body)).toEqual({
      relay_error: 'upstream_unreachable',
      host: `127.0.0.1:${closedPort}`,
      cause: 'refused',
      detail: 'ECONNREFUSED',
    });
  });

  test('a name under .invalid (RFC 6761): 502, cause "dns"', async () => {
    const res = await post('https://something.invalid/oauth2/token');
    expect(res.status).toBe(502);
    expect(res.headers['x-relay-unreachable']).toBe('1');
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      relay_error: 'upstream_unreachable',
      host: 'something.invalid',
      cause: 'dns',
    });
    expect(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']).toContain(body['detail']);
  });

  test('https to a port that answers in plain HTTP: cause "tls"', async () => {
    const res = await post(`https://127.0.0.1:${plainPort}/oauth2/token`);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ host: `127.0.0.1:${plainPort}`, cause: 'tls' });
  });

  test('a connection dropped by the server: cause "reset"', async () => {
    const res = await post(`http://127.0.0.1:${resetPort}/oauth2/token`);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toMatchObject({ host: `127.0.0.1:${resetPort}`, cause: 'reset' });
  });

  test('the log names host and cause, never the body', () => {
    expect(logs.join('\n')).toMatch(/could not reach something\.invalid \(dns/);
    expect(logs.join('\n')).not.toMatch(/client_credentials/);
  });
});

describe('classifyConnectionError', () => {
  const withCode = (code: string): Error => Object.assign(new Error(`x ${code}`), { code });
  test.each([
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['ECONNREFUSED', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ETIMEDOUT', 'timeout'],
    ['EHOSTUNREACH', 'no-route'],
    ['ENETUNREACH', 'no-route'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['EPROTO', 'tls'],
    ['EWHATEVER', 'unknown'],
  ])('%s → %s', (code, cause) => {
    expect(classifyConnectionError(withCode(code))).toEqual({ cause, detail: code });
  });

  test('an error without a code keeps its message as the detail', () => {
    expect(classifyConnectionError(new Error('socket hang up'))).toEqual({
      cause: 'unknown',
      detail: 'socket hang up',
    });
  });
});
