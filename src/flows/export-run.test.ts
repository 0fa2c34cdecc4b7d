import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { HttpExchange } from '../protocol/http.ts';
import { authorizationCodeFlow } from './authorization-code.ts';
import { clientCredentialsFlow } from './client-credentials.ts';
import {
  buildRunHtml,
  buildRunMarkdown,
  collectSecretValues,
  exportFileName,
  findExchanges,
  type ExportableRun,
} from './export-run.ts';
import { encodeBase64Url } from '../protocol/base64url.ts';

const TOKEN_ENDPOINT = 'http://localhost:5174/5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10/oauth2/v2.0/token';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
const base64url = (text: string): string => encodeBase64Url(new TextEncoder().encode(text));

const opaque = fc.string({ unit: fc.constantFrom(...B64URL, '.', '~'), minLength: 16, maxLength: 60 });
const jwt = fc
  .record({
    sub: fc.string(),
    nonce: fc.string(),
    sig: fc.string({ unit: fc.constantFrom(...B64URL), minLength: 20, maxLength: 86 }),
  })
  .map(
    ({ sub, nonce, sig }) =>
      `${base64url('{"alg":"RS256","typ":"JWT"}')}.${base64url(JSON.stringify({ sub, nonce }))}.${sig}`,
  );

interface Secrets {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly idToken: string;
  readonly code: string;
  readonly codeVerifier: string;
  readonly clientSecret: string;
}

const secrets: fc.Arbitrary<Secrets> = fc.record({
  accessToken: jwt,
  refreshToken: opaque,
  idToken: jwt,
  code: opaque,
  codeVerifier: opaque,
  clientSecret: opaque,
});

/** A code-flow run that redeemed a code with a secret and PKCE, then failed a second redemption. */
function codeRun(s: Secrets, startedAt: number): ExportableRun {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: 'b7e1c3d2-1111-4a5b-8c9d-0e1f2a3b4c5d',
    code: s.code,
    code_verifier: s.codeVerifier,
    client_secret: s.clientSecret,
    redirect_uri: 'http://localhost:5173/callback',
  }).toString();
  const tokens = {
    token_type: 'Bearer',
    scope: 'User.Read',
    expires_in: 3599,
    access_token: s.accessToken,
    refresh_token: s.refreshToken,
    id_token: s.idToken,
  };
  const exchange: HttpExchange = {
    request: {
      method: 'POST',
      url: TOKEN_ENDPOINT,
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body,
      secretFields: ['code', 'code_verifier', 'client_secret'],
    },
    response: {
      status: 200,
      statusText: 'OK',
      headers: [['Content-Type', 'application/json; charset=utf-8']],
      body: JSON.stringify(tokens),
    },
    via: 'relay',
    viaReason: 'a web app’s token request',
    startedAt,
    durationMs: 42,
  };
  return {
    flowId: 'authorization-code',
    runId: 'r1',
    startedAt: startedAt - 1000,
    current: 'tokens',
    status: { pkce: 'done', authorize: 'done', 'sign-in': 'done', exchange: 'failed', tokens: 'stale' },
    ctx: {
      usePkce: true,
      codeVerifier: s.codeVerifier,
      clientSecret: s.clientSecret,
      params: { client_id: 'b7e1c3d2-1111-4a5b-8c9d-0e1f2a3b4c5d', state: 'st4te' },
      authorizationResponse: { code: s.code, state: 'st4te' },
      exchange,
      preview: { ...exchange, startedAt: 0, response: undefined },
      tokens,
    },
    failure: {
      stepId: 'exchange',
      failure: {
        code: 'TOKEN_ENDPOINT_ERROR',
        message: `The code ${s.code} was already redeemed.`,
        status: 400,
        fields: { error: 'invalid_grant', error_description: `AADSTS54005: code ${s.code} already used` },
        raw: JSON.stringify({ error: 'invalid_grant', refresh_token: s.refreshToken }),
      },
    },
    recorded: [
      {
        step: 'authorize',
        method: 'navigation',
        url: 'http://localhost:5174/authorize',
        via: 'navigation',
        at: startedAt - 500,
      },
      { step: 'exchange', method: 'POST', url: TOKEN_ENDPOINT, via: 'relay', status: 200, at: startedAt + 1 },
    ],
  };
}

const input = (run: ExportableRun) => ({
  flow: authorizationCodeFlow,
  run,
  variants: ['pkce', 'secret'],
  authority: 'Sandbox tenant at http://localhost:5174',
  now: new Date('2026-11-30T15:04:05Z'),
});

describe('export this run', () => {
  test('generated runs: no token, code, verifier or secret survives in the Markdown or the HTML', () => {
    fc.assert(
      fc.property(secrets, fc.integer({ min: 1, max: 2 ** 40 }), (s, startedAt) => {
        const run = codeRun(s, startedAt);
        const files = [
          buildRunMarkdown(input(run)),
          buildRunHtml(input(run), `<svg><text>${s.accessToken}</text></svg>`),
        ];
        for (const file of files) {
          for (const value of Object.values(s)) {
            expect(file).not.toContain(value);
            expect(file).not.toContain(encodeURIComponent(value));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  test('the Markdown holds the title, the authority, each step with its status, the exchange, the failure and the diagram', () => {
    const s: Secrets = {
      accessToken: `${base64url('{"alg":"RS256"}')}.${base64url('{"sub":"a"}')}.c2lnbmF0dXJlMQ`,
      refreshToken: '1.AQIArefresh-token-value',
      idToken: `${base64url('{"alg":"RS256"}')}.${base64url('{"sub":"b"}')}.c2lnbmF0dXJlMg`,
      code: '0.AQIAcode-value-123',
      codeVerifier: 'verifier-verifier-verifier-verifier-verifier',
      clientSecret: 'web~secret~value~1',
    };
    const md = buildRunMarkdown(input(codeRun(s, 1_700_000_000_000)));
    expect(md).toContain(
      '# Authorization code: a run'.replace('Authorization code', authorizationCodeFlow.title),
    );
    expect(md).toContain('- Authority: Sandbox tenant at http://localhost:5174');
    expect(md).toContain('- Exported: 2026-11-30T15:04:05.000Z');
    for (const step of authorizationCodeFlow.steps) expect(md).toContain(step.title);
    expect(md).toMatch(/\| failed \|/);
    expect(md).toMatch(/\| stale \|/);
    // One exchange: the sent one; the preview (never sent) is left out.
    expect(md.match(/^### \d+\./gm)).toHaveLength(1);
    expect(md).toContain(`### 1. POST ${TOKEN_ENDPOINT} — HTTP 200`);
    expect(md).toContain('Sent through the local relay');
    expect(md).toContain('code_verifier=[redacted:code_verifier]');
    expect(md).toContain('"access_token": "[redacted:access_token]"');
    expect(md).toContain('"token_type": "Bearer"');
    expect(md).toContain('| error | invalid_grant |');
    expect(md).toContain('```mermaid\nsequenceDiagram');
  });

  test('exchanges are found anywhere in the context, oldest first, and matched to their step by the recordings', () => {
    const make = (startedAt: number, url: string): HttpExchange => ({
      request: { method: 'POST', url, headers: [], secretFields: [] },
      via: 'browser',
      viaReason: '',
      startedAt,
    });
    const ctx = {
      b: make(30, 'https://x/token'),
      deep: { list: [make(10, 'https://x/devicecode')] },
      c: make(0, 'https://x/unsent'),
    };
    const found = findExchanges(ctx, [
      { step: 'poll', method: 'POST', url: 'https://x/token', via: 'browser', at: 31 },
      { step: 'request', method: 'POST', url: 'https://x/devicecode', via: 'browser', at: 9 },
    ]);
    expect(found.map((f) => [f.path, f.stepId])).toEqual([
      ['deep.list[0]', 'request'],
      ['b', 'poll'],
    ]);
  });

  test('secret values are collected from credential-named keys and JWTs; endpoints and token types are not', () => {
    const values = collectSecretValues({
      clientSecret: 's3cret-value',
      tokenEndpoint: 'https://x/token',
      token_type: 'Bearer',
      certificate: { privateKeyPkcs8: 'MIIEvQIBADANBg', thumbprint: 'abc' },
      nested: { anything: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' },
      user_code: 'F7KQ-2MPX',
    }).map((v) => v.value);
    expect(values).toEqual(
      expect.arrayContaining(['s3cret-value', 'MIIEvQIBADANBg', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln']),
    );
    expect(values).not.toContain('https://x/token');
    expect(values).not.toContain('Bearer');
    expect(values).not.toContain('F7KQ-2MPX');
  });

  test('a run with no request says so; the HTML is one file with no script', () => {
    const run: ExportableRun = { flowId: 'client-credentials', ctx: {}, current: 'credential', status: {} };
    const args = { ...input(run), flow: clientCredentialsFlow, variants: ['secret'] };
    expect(buildRunMarkdown(args)).toContain('No request was sent in this run.');
    const html = buildRunHtml(args, '<svg onload="alert(1)"><script>alert(2)</script><text>x</text></svg>');
    expect(html).toContain('<svg><text>x</text></svg>');
    expect(html).not.toMatch(/<script|onload=/);
    // One main landmark around the whole report (axe: landmark-one-main, region).
    expect(html).toMatch(/<body><main>\n<h1>[\s\S]*<\/main><\/body><\/html>$/);
    expect(exportFileName('client-credentials', new Date('2026-11-30T15:04:05Z'), 'html')).toBe(
      'flow-lab-client-credentials-2026-11-30T15-04.html',
    );
  });
});
