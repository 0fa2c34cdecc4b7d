/**
 * The app server's own requests to an https sandbox (relay, page prerender) in a process started without
 * NODE_EXTRA_CA_CERTS naming the sandbox's CA. Its own file: trusting a CA changes this whole process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startSandbox, type RunningSandbox } from './index.ts';
import { trustCaInThisProcess } from './tls.ts';

let dataDir: string;
let sandbox: RunningSandbox;
beforeAll(async () => {
  // A CA of its own, which no test process trusts (tls-global-setup.ts trusts another one).
  dataDir = await mkdtemp(join(tmpdir(), 'sandbox-tls-trust-'));
  sandbox = await startSandbox({ port: 0, dataDir, quiet: true, https: true });
});
afterAll(async () => {
  await sandbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

function httpsStatus(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
      .end();
  });
}

test('fetch and https reach the sandbox (localhost and 127.0.0.1) only once its CA is trusted here', async () => {
  expect(sandbox.tls?.caCreated).toBe(true);
  const byName = `${sandbox.origin}/directory.json`;
  const byAddress = `https://127.0.0.1:${sandbox.port}/directory.json`;
  const failure = await fetch(byName).then(
    () => undefined,
    (error: Error) => (error.cause as NodeJS.ErrnoException | undefined)?.code,
  );
  expect(failure).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  expect(await httpsStatus(byName)).toBe('SELF_SIGNED_CERT_IN_CHAIN');

  trustCaInThisProcess(sandbox.tls!.ca);
  expect((await fetch(byName)).status).toBe(200);
  expect((await fetch(byAddress)).status).toBe(200);
  expect(await httpsStatus(byName)).toBe(200);
  // A request that names its own CAs is left alone: this one does not include the sandbox's.
  const own = await new Promise<string | number>((resolve) => {
    request(byName, { ca: [] as string[], agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
      .end();
  });
  expect(own).not.toBe(200);
});
