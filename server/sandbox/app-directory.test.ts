import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseSandboxDirectory } from '../../src/protocol/sandbox-directory.ts';
import { APP_DIRECTORY_PATH, entityTag, noneMatch } from './app-directory.ts';
import { SANDBOX_APPS, SANDBOX_TENANT } from './seed.ts';
import { SPA, startTestSandbox, WEB, type TestSandbox } from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

const APP_ORIGIN = 'http://localhost:5173';

async function portal(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.origin}/portal/${path}`, {
    method,
    headers: { origin: APP_ORIGIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function directory(headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sandbox.origin}${APP_DIRECTORY_PATH}`, { headers: { origin: APP_ORIGIN, ...headers } });
}

describe('the app directory: what the lab app reads at run time', () => {
  test('schema version 1, checked by the app’s own parser: tenant, issuer, apps as registered now', async () => {
    const res = await directory();
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/etag/i);
    const parsed = parseSandboxDirectory(await res.json());
    expect(parsed.tenant.id).toBe(SANDBOX_TENANT.id);
    expect(parsed.issuer).toBe(`${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`);
    expect(parsed.apps.map((a) => a.clientId)).toEqual(SANDBOX_APPS.map((a) => a.clientId));
    expect(parsed.apps.find((a) => a.clientId === WEB.clientId)?.sandboxOnlySecret).toBe(WEB.clientSecret);
    expect(parsed.apps.find((a) => a.clientId === SPA.clientId)?.sandboxOnlySecret).toBeUndefined();
  });

  test('RFC 9110 §13.1.2: a strong ETag; If-None-Match with it gives 304 without a body', async () => {
    const first = await directory();
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await directory({ 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    // A weak form of the same tag matches too (weak comparison); another tag does not.
    expect((await directory({ 'if-none-match': `W/${etag!}` })).status).toBe(304);
    expect((await directory({ 'if-none-match': '"other"' })).status).toBe(200);
  });

  test('CORS preflight allows If-None-Match from any origin; other methods are refused', async () => {
    const pre = await fetch(`${sandbox.origin}${APP_DIRECTORY_PATH}`, {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'if-none-match',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/if-none-match/i);
    const post = await fetch(`${sandbox.origin}${APP_DIRECTORY_PATH}`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  test('a secret rotated on the portal: the new value is listed, the ETag changes; reset brings the seed back', async () => {
    try {
      const before = await directory();
      const etag = before.headers.get('etag')!;
      const created = await portal('POST', `apps/${WEB.clientId}/secrets`, { description: 'rotated' });
      expect(created.status).toBe(201);
      const secret = (await created.json()) as { id: string; value: string };
      const seeded = (
        (await (await portal('GET', `apps/${WEB.clientId}/secrets`)).json()) as {
          id: string;
          value?: string;
        }[]
      ).find((s) => s.value === WEB.clientSecret)!;
      expect((await portal('DELETE', `apps/${WEB.clientId}/secrets/${seeded.id}`)).ok).toBe(true);

      const after = await directory({ 'if-none-match': etag });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      const app = parseSandboxDirectory(await after.json()).apps.find((a) => a.clientId === WEB.clientId);
      expect(app?.sandboxOnlySecret).toBe(secret.value);
    } finally {
      await portal('POST', 'reset');
    }
    const reset = parseSandboxDirectory(await (await directory()).json());
    expect(reset.apps.find((a) => a.clientId === WEB.clientId)?.sandboxOnlySecret).toBe(WEB.clientSecret);
  });

  test('a redirect URI removed on the portal is gone from the next read', async () => {
    try {
      const uri = SPA.redirectUris[0]!;
      const res = await portal('DELETE', `apps/${SPA.clientId}/redirect-uris/${encodeURIComponent(uri)}`);
      expect(res.ok).toBe(true);
      const app = parseSandboxDirectory(await (await directory()).json()).apps.find(
        (a) => a.clientId === SPA.clientId,
      );
      expect(app?.redirectUris).not.toContain(uri);
    } finally {
      await portal('POST', 'reset');
    }
  });

  test('/directory.json is served as before (no ETag needed), with CORS', async () => {
    const res = await fetch(`${sandbox.origin}/directory.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { tenant: { id: string } }).tenant.id).toBe(SANDBOX_TENANT.id);
  });
});

describe('If-None-Match matching (RFC 9110 §13.1.2, weak comparison)', () => {
  test('a list matches when any member is the tag, weak or strong, or *', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(fc.string({ minLength: 1 }).filter((s) => !s.includes(','))),
        (body, others) => {
          const tag = entityTag(body);
          const list = [...others.map((o) => `"${o.replace(/"/g, '')}x"`), tag];
          expect(noneMatch(list.join(', '), tag)).toBe(true);
          expect(noneMatch(list.map((t) => `W/${t}`).join(','), tag)).toBe(true);
          expect(noneMatch('*', tag)).toBe(true);
          expect(noneMatch(undefined, tag)).toBe(false);
          expect(noneMatch(entityTag(`${body}.`), tag)).toBe(false);
        },
      ),
    );
  });
});
