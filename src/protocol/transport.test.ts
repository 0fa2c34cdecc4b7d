import { afterEach, describe, expect, test, vi } from 'vitest';
import { NetworkError } from './errors.ts';
import type { RecordedRequest } from './http.ts';
import { sendRequest, type FetchLike, type Route } from './transport.ts';

const REQUEST: RecordedRequest = {
  method: 'POST',
  url: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
  headers: [['Content-Type', 'application/x-www-form-urlencoded']],
  body: 'grant_type=client_credentials',
  secretFields: [],
};
const RELAY: Route = { via: 'relay', reason: 'needs a server', relayToken: 't' };
const BROWSER: Route = { via: 'browser', reason: 'SPA' };

async function failureOf(route: Route, fetchFn: FetchLike): Promise<NetworkError> {
  try {
    await sendRequest(REQUEST, route, fetchFn);
  } catch (error) {
    expect(error).toBeInstanceOf(NetworkError);
    return error as NetworkError;
  }
  throw new Error('expected a NetworkError');
}

const relayAnswer =
  (body: string, status: number, headers: Record<string, string>): FetchLike =>
  () =>
    Promise.resolve(new Response(body, { status, headers }));

afterEach(() => vi.unstubAllGlobals());

describe('an authority that cannot be reached', () => {
  test.each([
    ['dns', 'ENOTFOUND', 502, /Could not reach login\.microsoftonline\.com: DNS lookup failed/],
    ['refused', 'ECONNREFUSED', 502, /connection refused/],
    ['reset', 'ECONNRESET', 502, /connection was reset/],
    ['timeout', 'no answer within 15000 ms', 504, /no answer in time/],
    ['tls', 'CERT_HAS_EXPIRED', 502, /secure \(TLS\) connection failed.*CERT_HAS_EXPIRED/],
  ])(
    'the relay says %s: NETWORK_ERROR naming the host and the cause, not the relay',
    async (cause, detail, status, says) => {
      const body = JSON.stringify({
        relay_error: 'upstream_unreachable',
        host: 'login.microsoftonline.com',
        cause,
        detail,
      });
      const error = await failureOf(
        RELAY,
        relayAnswer(body, status, { 'X-Relay-Unreachable': '1', 'Content-Type': 'application/json' }),
      );
      expect(error.code).toBe('NETWORK_ERROR');
      expect(error.message).toMatch(says);
      expect(error.message).toMatch(/relay tried and is running/);
      expect(error.unreachable).toEqual({ host: 'login.microsoftonline.com', cause, detail, via: 'relay' });
    },
  );

  test('an unreadable unreachable answer still names the request’s host', async () => {
    const error = await failureOf(RELAY, relayAnswer('garbage', 502, { 'X-Relay-Unreachable': '1' }));
    expect(error.unreachable).toEqual({ host: 'login.microsoftonline.com', cause: 'unknown', via: 'relay' });
  });

  test('a cause the relay invents is not trusted', async () => {
    const body = JSON.stringify({ host: 'h.example', cause: '__proto__' });
    const error = await failureOf(RELAY, relayAnswer(body, 502, { 'X-Relay-Unreachable': '1' }));
    expect(error.unreachable?.cause).toBe('unknown');
  });

  test('the relay’s own refusal stays RELAY_UNAVAILABLE', async () => {
    const error = await failureOf(
      RELAY,
      relayAnswer('not on the allowlist', 403, { 'X-Relay-Refused': '1' }),
    );
    expect(error.code).toBe('RELAY_UNAVAILABLE');
    expect(error.unreachable).toBeUndefined();
  });

  test('the relay itself not answering is RELAY_UNAVAILABLE', async () => {
    const error = await failureOf(RELAY, () => Promise.reject(new TypeError('Failed to fetch')));
    expect(error.code).toBe('RELAY_UNAVAILABLE');
  });

  test('from the browser: CORS_ERROR, with the host named and the cause unknown', async () => {
    const error = await failureOf(BROWSER, () => Promise.reject(new TypeError('Failed to fetch')));
    expect(error.code).toBe('CORS_ERROR');
    expect(error.message).toMatch(/login\.microsoftonline\.com/);
    expect(error.unreachable).toEqual({
      host: 'login.microsoftonline.com',
      cause: 'unknown',
      via: 'browser',
    });
  });

  test('offline (navigator.onLine false): NETWORK_ERROR “this computer is offline”, not CORS', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const error = await failureOf(BROWSER, () => Promise.reject(new TypeError('Failed to fetch')));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.message).toBe('Could not reach login.microsoftonline.com: this computer is offline.');
    expect(error.unreachable).toEqual({
      host: 'login.microsoftonline.com',
      cause: 'offline',
      via: 'browser',
    });
  });

  test('a timeout names the host', async () => {
    const error = await failureOf(BROWSER, () =>
      Promise.reject(new DOMException('The operation timed out.', 'TimeoutError')),
    );
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.unreachable).toMatchObject({ host: 'login.microsoftonline.com', cause: 'timeout' });
  });
});

describe('RFC 9110 §8.3.1: bodies are decoded in the charset they name', () => {
  test('ISO-8859-1 from the browser route', async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]); // {"e":"é"}
    const exchange = await sendRequest(REQUEST, BROWSER, () =>
      Promise.resolve(
        new Response(bytes, {
          status: 400,
          headers: { 'Content-Type': 'application/json; charset=ISO-8859-1' },
        }),
      ),
    );
    expect(exchange.response?.body).toBe('{"e":"é"}');
  });

  test('an unknown charset falls back to UTF-8, and a UTF-8 BOM is dropped', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    const exchange = await sendRequest(REQUEST, BROWSER, () =>
      Promise.resolve(
        new Response(bytes, { status: 200, headers: { 'Content-Type': 'application/json; charset=x-nope' } }),
      ),
    );
    expect(exchange.response?.body).toBe('{}');
  });
});
