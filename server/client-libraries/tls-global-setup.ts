/**
 * Vitest global setup for the client-library suites (issue 17): makes a local CA (server/sandbox/tls.ts)
 * in a temporary directory before any test process starts, and points `NODE_EXTRA_CA_CERTS` at it. Node
 * reads that variable only when a process starts, so it must be set here, in the process that starts the
 * test workers: the real libraries (MSAL Node, Azure Identity, openid-client) and `fetch` then trust the
 * https sandbox exactly as a user's program does after `NODE_EXTRA_CA_CERTS=<ca path>`. A CA file the
 * caller had already named is kept: the new file holds both.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadOrCreateTls } from '../sandbox/tls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory holding the test CA (`tls-ca.pem`, `tls-ca-key.pem`) every test process trusts. */
    labTestTlsDir: string;
  }
}

/** Makes the CA, sets NODE_EXTRA_CA_CERTS for the workers to come, and returns the clean-up. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-test-tls-'));
  const tls = await loadOrCreateTls(dir);
  const previous = process.env['NODE_EXTRA_CA_CERTS'];
  let bundle = tls.ca;
  if (previous) {
    const theirs = await readFile(previous, 'utf8').catch(() => '');
    bundle = `${theirs.trimEnd()}\n${tls.ca}`;
  }
  const bundlePath = join(dir, 'trusted-by-tests.pem');
  await writeFile(bundlePath, bundle);
  process.env['NODE_EXTRA_CA_CERTS'] = bundlePath;
  project.provide('labTestTlsDir', dir);
  return async () => {
    if (previous === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
    else process.env['NODE_EXTRA_CA_CERTS'] = previous;
    await rm(dir, { recursive: true, force: true });
  };
}
