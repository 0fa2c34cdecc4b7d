import { afterEach, describe, expect, test, vi } from 'vitest';
import { discoverAuthorizationServer } from '../protocol/discovery.ts';
import { useLabConfig } from './lab-config.ts';
import { allowOnRelay, fetchMetadataViaRelay, originsToAllow } from './relay.ts';

const ISSUER = 'https://id.example.com/t';
const DOCUMENT = {
  issuer: ISSUER,
  authorization_endpoint: 'https://id.example.com/t/authorize',
  token_endpoint: 'https://id.example.com/t/token',
  jwks_uri: 'https://id.example.com/t/keys',
  response_types_supported: ['code'],
};

afterEach(() => vi.unstubAllGlobals());

function stubFetch(answer: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer(url, init);
  });
  return calls;
}

describe('relay helpers', () => {
  test('RFC 8414 fallback through the relay: a refused non-document counts as “not here”', async () => {
    useLabConfig.setState({ relay: true, relayToken: 'tok' });
    const calls = stubFetch((_url, init) => {
      const target = new Headers(init.headers).get('X-Relay-Target') ?? '';
      return target.includes('oauth-authorization-server')
        ? new Response(JSON.stringify(DOCUMENT), { status: 200 })
        : new Response('The answer is not JSON.', { status: 502, headers: { 'X-Relay-Refused': '1' } });
    });
    const found = await discoverAuthorizationServer(ISSUER, fetchMetadataViaRelay);
    expect(found.kind).toBe('oauth-authorization-server');
    expect(calls.map((c) => c.url)).toEqual(['/relay/forward', '/relay/forward']);
    expect(new Headers(calls[0]?.init.headers).get('X-Relay-Token')).toBe('tok');
  });

  test('any other relay refusal is an error with the relay’s reason', async () => {
    useLabConfig.setState({ relay: true, relayToken: 'tok' });
    stubFetch(
      () => new Response('not on the allowlist', { status: 403, headers: { 'X-Relay-Refused': '1' } }),
    );
    await expect(fetchMetadataViaRelay(`${ISSUER}/.well-known/openid-configuration`)).rejects.toMatchObject({
      code: 'RELAY_UNAVAILABLE',
    });
  });

  test('an issuer the relay cannot reach is a NETWORK_ERROR naming its host and the cause', async () => {
    useLabConfig.setState({ relay: true, relayToken: 'tok' });
    stubFetch(
      () =>
        new Response(
          JSON.stringify({
            relay_error: 'upstream_unreachable',
            host: 'id.example.com',
            cause: 'dns',
            detail: 'ENOTFOUND',
          }),
          { status: 502, headers: { 'X-Relay-Unreachable': '1' } },
        ),
    );
    await expect(fetchMetadataViaRelay(`${ISSUER}/.well-known/openid-configuration`)).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      message: 'Could not reach id.example.com: DNS lookup failed.',
      unreachable: { host: 'id.example.com', cause: 'dns', detail: 'ENOTFOUND', via: 'relay' },
    });
  });

  test('POST /relay/allow with the token, once per origin, never for Entra’s own hosts', async () => {
    useLabConfig.setState({ relay: true, relayToken: 'tok' });
    const calls = stubFetch(() => new Response('{}', { status: 200 }));
    const added = await allowOnRelay(['https://login.microsoftonline.com', 'https://id.example.com']);
    expect(added).toEqual(['https://id.example.com']);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('/relay/allow');
    expect(calls[0]?.init.method).toBe('POST');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ origin: 'https://id.example.com' });
    expect(originsToAllow(['https://login.microsoftonline.us'])).toEqual([]);
  });

  test('without a relay, adding an origin fails plainly', async () => {
    useLabConfig.setState({ relay: false, relayToken: '' });
    await expect(allowOnRelay(['https://id.example.com'])).rejects.toThrow(/No local relay/);
  });
});
