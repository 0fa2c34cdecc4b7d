import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NetworkError } from '../protocol/errors.ts';
import type { RecordedRequest } from '../protocol/http.ts';
import type { FetchLike, Route } from '../protocol/transport.ts';
import { sendRequest, type TransportModule } from './send-request.ts';

const ROUTE: Route = { via: 'browser', reason: 'test' };

const request = fc.record({
  method: fc.constantFrom('GET', 'POST'),
  url: fc.webUrl(),
  headers: fc.array(fc.tuple(fc.constantFrom('Accept', 'X-Test'), fc.string({ maxLength: 20 })), {
    maxLength: 3,
  }),
  secretFields: fc.constant([] as string[]),
}) as fc.Arbitrary<RecordedRequest>;

describe('the request transport, loaded with the first request (issue 12)', () => {
  test('loaded, it sends the request as given and records the answer verbatim', async () => {
    await fc.assert(
      fc.asyncProperty(
        request,
        fc.constantFrom(200, 201, 302, 400, 401, 403, 404, 429, 500, 503),
        fc.string(),
        async (req, status, body) => {
          const sent: string[] = [];
          const fetchFn: FetchLike = (input, init) => {
            sent.push(`${init.method ?? ''} ${input}`);
            return Promise.resolve(new Response(body, { status }));
          };
          let clock = 1000;
          const exchange = await sendRequest(req, ROUTE, fetchFn, () => (clock += 5));
          expect(sent).toEqual([`${req.method} ${req.url}`]);
          expect(exchange.request).toBe(req);
          expect(exchange.response?.status).toBe(status);
          expect(exchange.response?.body).toBe(body);
          expect(exchange.durationMs).toBe(5);
        },
      ),
      { numRuns: 50 },
    );
  });

  test('any failed load (rejected or thrown) fails the request with a NETWORK_ERROR saying to reload, and sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.anything(), fc.boolean(), async (req, reason, throwsAtOnce) => {
        let fetched = false;
        const fetchFn: FetchLike = () => {
          fetched = true;
          return Promise.resolve(new Response(''));
        };
        const load = throwsAtOnce
          ? (): Promise<TransportModule> => {
              throw reason;
            }
          : () => Promise.reject(reason as Error);
        const error: unknown = await sendRequest(req, ROUTE, fetchFn, undefined, load).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(NetworkError);
        expect((error as NetworkError).code).toBe('NETWORK_ERROR');
        expect((error as NetworkError).message).toMatch(
          /^The code that sends this request could not be loaded .*Reload the page and try again\.$/,
        );
        expect((error as NetworkError).cause).toBe(reason);
        expect(fetched).toBe(false);
      }),
    );
  });

  test('a load that fails once does not stop the next request from loading it', async () => {
    const fetchFn: FetchLike = () => Promise.resolve(new Response('ok'));
    const req: RecordedRequest = {
      method: 'GET',
      url: 'https://example.com/',
      headers: [],
      secretFields: [],
    };
    await expect(
      sendRequest(req, ROUTE, fetchFn, undefined, () => Promise.reject(new TypeError('Failed to fetch'))),
    ).rejects.toBeInstanceOf(NetworkError);
    expect((await sendRequest(req, ROUTE, fetchFn)).response?.body).toBe('ok');
  });
});
