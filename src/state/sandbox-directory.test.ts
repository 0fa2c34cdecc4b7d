import { beforeEach, describe, expect, test, vi } from 'vitest';
import {
  refreshSandboxDirectory,
  useSandboxDirectory,
  whenSandboxDirectorySettled,
} from './sandbox-directory.ts';

const ORIGIN = 'http://localhost:5174';
const TENANT = '0e9a4c1d-7b2f-4e63-9d58-1a2b3c4d5e6f';

function document(secret: string) {
  return {
    schemaVersion: 1,
    tenant: { id: TENANT, domain: 'class.onmicrosoft.com', displayName: 'Class sandbox' },
    issuer: `${ORIGIN}/${TENANT}/v2.0`,
    portal: `${ORIGIN}/`,
    apps: [
      {
        clientId: 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb',
        displayName: 'Flow Lab Web App',
        platform: 'web',
        redirectUris: ['http://localhost:5173/callback'],
        allowPublicClientFlows: false,
        implicitIdTokens: true,
        implicitAccessTokens: false,
        confidential: true,
        exposedScopes: [],
        sandboxOnlySecret: secret,
      },
    ],
  };
}

const json = (body: unknown, etag: string) =>
  new Response(JSON.stringify(body), { status: 200, headers: { etag, 'content-type': 'application/json' } });

beforeEach(() => {
  useSandboxDirectory.setState({ status: 'idle', origin: '' }, true);
});

describe('reading the sandbox’s directory', () => {
  test('a fetch that fails: unreachable, saying where, why and what to do; nothing thrown', async () => {
    const fetchFn = vi.fn<typeof fetch>().mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(refreshSandboxDirectory(ORIGIN, fetchFn)).resolves.toBeUndefined();
    const state = useSandboxDirectory.getState();
    expect(state.status).toBe('unreachable');
    expect(state.problem).toContain(`The sandbox at ${ORIGIN} could not be reached`);
    expect(state.problem).toMatch(/npm start.*another authority/);
    expect(fetchFn.mock.calls[0]![0]).toBe(`${ORIGIN}/app-directory/v1.json`);
  });

  test('a read that times out is said as such', async () => {
    const fetchFn = vi
      .fn<typeof fetch>()
      .mockRejectedValue(new DOMException('The operation timed out.', 'TimeoutError'));
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState().problem).toContain('did not answer within 5 seconds');
  });

  test('polls send the ETag back; a 304 keeps the directory; a change replaces it', async () => {
    const fetchFn = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(json(document('first~secret'), '"one"'))
      .mockResolvedValueOnce(new Response(null, { status: 304, headers: { etag: '"one"' } }))
      .mockResolvedValueOnce(json(document('rotated~secret'), '"two"'));
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState()).toMatchObject({ status: 'ready', etag: '"one"' });
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(fetchFn.mock.calls[1]![1]?.headers).toEqual({ 'If-None-Match': '"one"' });
    expect(useSandboxDirectory.getState().directory?.apps[0]?.sandboxOnlySecret).toBe('first~secret');
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState().directory?.apps[0]?.sandboxOnlySecret).toBe('rotated~secret');
    expect(useSandboxDirectory.getState().etag).toBe('"two"');
  });

  test('a sandbox that stops after a good read: unreachable at the second miss, then ready again when it is back', async () => {
    const fetchFn = vi
      .fn<typeof fetch>()
      .mockResolvedValueOnce(json(document('s'), '"one"'))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(new Response(null, { status: 304 }))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(new Response(null, { status: 304 }));
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    // One miss on a busy machine is not yet a stopped sandbox; an answer in between resets the count.
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState().status).toBe('ready');
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState().status).toBe('ready');
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState().status).toBe('unreachable');
    await refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState()).toMatchObject({ status: 'ready', problem: undefined });
  });

  test('an HTTP error, a page that is not JSON, or an odd document: invalid, with the reason', async () => {
    await refreshSandboxDirectory(ORIGIN, async () => new Response('Not found', { status: 404 }));
    expect(useSandboxDirectory.getState()).toMatchObject({ status: 'invalid' });
    expect(useSandboxDirectory.getState().problem).toContain('answered HTTP 404');
    await refreshSandboxDirectory(ORIGIN, async () => new Response('<html>', { status: 200 }));
    expect(useSandboxDirectory.getState().problem).toContain('not JSON');
    await refreshSandboxDirectory(ORIGIN, async () => json({ ...document('s'), schemaVersion: 7 }, '"x"'));
    expect(useSandboxDirectory.getState().problem).toContain('schema version 7');
  });

  test('another sandbox origin starts afresh: no ETag or directory of the old one is used', async () => {
    await refreshSandboxDirectory(ORIGIN, async () => json(document('s'), '"one"'));
    const fetchFn = vi.fn<typeof fetch>().mockRejectedValue(new TypeError('Failed to fetch'));
    await refreshSandboxDirectory('http://localhost:6000', fetchFn);
    expect(fetchFn.mock.calls[0]![1]?.headers).toBeUndefined();
    expect(useSandboxDirectory.getState()).toMatchObject({
      origin: 'http://localhost:6000',
      status: 'unreachable',
    });
    expect(useSandboxDirectory.getState().directory).toBeUndefined();
  });

  test('reads at the same time share one request; waiting for the first outcome resolves once settled', async () => {
    let answer: (r: Response) => void = () => undefined;
    const fetchFn = vi.fn<typeof fetch>(() => new Promise<Response>((resolve) => (answer = resolve)));
    const settled = whenSandboxDirectorySettled();
    const a = refreshSandboxDirectory(ORIGIN, fetchFn);
    const b = refreshSandboxDirectory(ORIGIN, fetchFn);
    expect(useSandboxDirectory.getState().status).toBe('loading');
    answer(json(document('s'), '"one"'));
    await Promise.all([a, b, settled]);
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(useSandboxDirectory.getState().status).toBe('ready');
  });
});
