import { describe, expect, test } from 'vitest';
import { buildTokenRequest } from '../protocol/token.ts';
import type { FlowDeps } from './runner.ts';
import { browserRoute, sendTokenRequest } from './token-request.ts';

describe('token requests', () => {
  test('OIDC Discovery §3: with no token endpoint nothing is sent, and the error names token_endpoint', async () => {
    const sent: string[] = [];
    const deps: FlowDeps = {
      fetch: async (url) => {
        sent.push(url);
        return new Response('{}');
      },
      now: () => 0,
      relayAvailable: true,
      relayToken: 't',
      appOrigin: 'http://localhost:5173',
    };
    const request = buildTokenRequest('', [['grant_type', 'password']], { method: 'none' });
    await expect(sendTokenRequest(request, browserRoute('test'), deps)).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: 'token',
        message: expect.stringMatching(/token_endpoint/),
      }),
    );
    expect(sent).toEqual([]);
  });
});
