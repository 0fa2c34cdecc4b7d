import { beforeEach, describe, expect, test, vi } from 'vitest';

const storage = new Map<string, string>();
vi.stubGlobal('sessionStorage', {
  getItem: (key: string) => storage.get(key) ?? null,
  setItem: (key: string, value: string) => void storage.set(key, value),
  removeItem: (key: string) => void storage.delete(key),
});
const { useFlowRuns } = await import('./flow-runs.ts');
const { errorOfAnswer, recordingFetch, withoutQuery } = await import('./recording-fetch.ts');

beforeEach(() => {
  useFlowRuns.setState({ runs: {}, history: [] });
  useFlowRuns.getState().start('device-code', {}, 'request');
});

const recorded = () => useFlowRuns.getState().runs['device-code']?.recorded ?? [];

describe('every request a run sends is recorded, by its shape only', () => {
  test('method, target without query, status, and the error the answer named, in the running step', async () => {
    useFlowRuns.getState().setStep('device-code', 'poll', 'running');
    const answer = JSON.stringify({ error: 'authorization_pending', error_codes: [70016] });
    const send = recordingFetch('device-code', () => Promise.resolve(new Response(answer, { status: 400 })));
    const response = await send('http://localhost:5174/t/oauth2/v2.0/token?x=secret#frag', {
      method: 'POST',
    });
    expect(await response.text()).toBe(answer);
    expect(recorded()).toEqual([
      expect.objectContaining({
        step: 'poll',
        method: 'POST',
        url: 'http://localhost:5174/t/oauth2/v2.0/token',
        via: 'browser',
        status: 400,
        error: 'authorization_pending AADSTS70016',
      }),
    ]);
  });

  test('through the relay: the real target, and the relay’s own refusals named as such', async () => {
    const headers = { 'X-Relay-Target': 'https://login.example/token?code=abc' };
    const refused = recordingFetch('device-code', () =>
      Promise.resolve(new Response('no', { status: 403, headers: { 'X-Relay-Refused': '1' } })),
    );
    await refused('/relay/forward', { method: 'POST', headers });
    expect(recorded()[0]).toMatchObject({
      url: 'https://login.example/token',
      via: 'relay',
      error: 'refused by the relay',
    });
  });

  test('no answer at all is recorded, and the error still reaches the step', async () => {
    const down = recordingFetch('device-code', () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(down('http://localhost:1/token', { method: 'POST' })).rejects.toThrow('Failed to fetch');
    expect(recorded()[0]).toMatchObject({ error: 'no answer', step: 'request' });
    expect(recorded()[0]?.status).toBeUndefined();
  });
});

test('the error of an answer: OAuth body, Graph body, Bearer challenge, or none', () => {
  expect(errorOfAnswer('{"error":"invalid_grant","error_codes":[54005]}', null)).toBe(
    'invalid_grant AADSTS54005',
  );
  expect(errorOfAnswer('{"error":{"code":"InvalidAuthenticationToken","message":"x"}}', null)).toBe(
    'InvalidAuthenticationToken',
  );
  expect(errorOfAnswer('<html>', 'Bearer realm="", error="invalid_token", error_description="x"')).toBe(
    'invalid_token',
  );
  expect(errorOfAnswer('', null)).toBeUndefined();
  expect(withoutQuery('/relay/forward?x=1')).toBe('/relay/forward');
});
