import { describe, expect, test } from 'vitest';
import type { OAuthErrorFields } from '../protocol/errors.ts';
import type { StepFailure } from '../flows/runner.ts';
import { aadstsNumber, explainFailure, isCatalogued, lookupLinks } from './explain-error.ts';
import recorded from './__fixtures__/entra-errors.json';

/** One recorded Entra error, as quoted in a public issue thread. */
interface Fixture {
  readonly source: string;
  readonly status: number | null;
  readonly endpoint: string;
  readonly truncated?: boolean;
  readonly body: OAuthErrorFields;
}

const FIXTURES = recorded as readonly Fixture[];

/** The codes the explainer must know (the brief's list). */
const REQUIRED_AADSTS = [
  50011, 500113, 900971, 700054, 70005, 50076, 50079, 65001, 65004, 7000218, 7000215, 7000222, 700016, 700025,
  90014, 900144, 50126, 50034, 70008, 700082, 700084, 54005, 501481, 70011, 28002, 28003, 700022, 700023,
  50058, 50059, 50194, 90009, 650057, 53003, 700027, 9002326, 9002327, 9002313, 9001023, 90002, 901002, 50196,
  50013, 500131, 70016, 70018, 70019, 1002012, 9002325, 700051,
];

/** A token endpoint failure as the runner builds it from a `TokenEndpointError`. */
function tokenFailure(fields: OAuthErrorFields, status = 400): StepFailure {
  return {
    code: 'TOKEN_ENDPOINT_ERROR',
    message: fields.error_description ?? fields.error,
    fields,
    status,
    raw: JSON.stringify(fields),
  };
}

/** An authorization response error as the runner builds it (no status, no raw body). */
function authorizeFailure(fields: OAuthErrorFields): StepFailure {
  return { code: 'AUTHORIZATION_RESPONSE_ERROR', message: fields.error_description ?? fields.error, fields };
}

function fromFixture(fixture: Fixture): StepFailure {
  return fixture.endpoint === 'authorize'
    ? authorizeFailure(fixture.body)
    : tokenFailure(fixture.body, fixture.status ?? 400);
}

/** The first AADSTS number of a recorded body: `error_codes[0]`, else the description's prefix. */
function firstCode(body: OAuthErrorFields): number {
  const fromCodes = body.error_codes?.[0];
  if (fromCodes !== undefined) return fromCodes;
  const match = /^AADSTS(\d+)/.exec(body.error_description ?? '');
  if (match?.[1] === undefined) throw new Error('fixture without an AADSTS number');
  return Number(match[1]);
}

describe('recorded Entra errors (src/ui/__fixtures__/entra-errors.json)', () => {
  test('there are at least 20 distinct codes, each recorded from a public issue thread', () => {
    expect(new Set(FIXTURES.map((fixture) => firstCode(fixture.body))).size).toBeGreaterThanOrEqual(20);
    for (const fixture of FIXTURES) {
      expect(fixture.source).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+\/(issues|pull)\/\d+$/);
      expect(['token', 'authorize']).toContain(fixture.endpoint);
      expect(typeof fixture.body.error).toBe('string');
    }
  });

  test.each(FIXTURES.map((fixture) => [`AADSTS${firstCode(fixture.body)}`, fixture] as const))(
    '%s maps to its own catalogue entry',
    (_name, fixture) => {
      const failure = fromFixture(fixture);
      const explanation = explainFailure(failure);
      expect(explanation.matchedBy).toBe('aadsts');
      expect(explanation.aadsts).toBe(firstCode(fixture.body));
      expect(explanation.title).not.toBe('');
      expect(explanation.what).not.toMatch(/not in our catalogue/);
      expect(lookupLinks(failure)).toEqual([]);
    },
  );
});

describe('AADSTS catalogue', () => {
  test.each(REQUIRED_AADSTS)('AADSTS%i has an entry with a title, an explanation and a fix', (code) => {
    expect(isCatalogued(code)).toBe(true);
    const explanation = explainFailure(
      tokenFailure({ error: 'invalid_request', error_description: `AADSTS${code}: x`, error_codes: [code] }),
    );
    expect(explanation.matchedBy).toBe('aadsts');
    expect(explanation.aadsts).toBe(code);
    for (const text of [explanation.title, explanation.what, explanation.fix])
      expect(text.length).toBeGreaterThan(5);
  });

  test('the number comes from error_codes first, then the description prefix', () => {
    expect(aadstsNumber(tokenFailure({ error: 'invalid_grant', error_codes: [54005] }))).toBe(54005);
    expect(
      aadstsNumber(tokenFailure({ error: 'invalid_grant', error_description: 'AADSTS70008: expired' })),
    ).toBe(70008);
    expect(aadstsNumber(tokenFailure({ error: 'invalid_grant' }))).toBeUndefined();
  });

  test('a step kind makes the fix specific: AADSTS50011 at /token asks for the same redirect_uri', () => {
    const failure = tokenFailure({ error: 'invalid_client', error_codes: [50011] });
    expect(explainFailure(failure, 'token').fix).toMatch(/same redirect_uri/);
    expect(explainFailure(failure, 'authorize').fix).toMatch(/SPA platform/);
    // Without a context, a token endpoint failure implies the token step.
    expect(explainFailure(failure).fix).toBe(explainFailure(failure, 'token').fix);
  });
});

describe('AADSTS numbers not in the catalogue', () => {
  const failure = tokenFailure({
    error: 'invalid_grant',
    error_description: 'AADSTS123456: something new.\r\nTrace ID: t\r\nCorrelation ID: c',
    error_codes: [123456],
  });

  test('the explanation says so and falls back to the OAuth error', () => {
    const explanation = explainFailure(failure);
    expect(explanation.aadsts).toBe(123456);
    expect(explanation.matchedBy).toBe('error');
    expect(explanation.title).toBe('Grant rejected');
    expect(explanation.what).toMatch(/AADSTS123456 is not in our catalogue/);
    expect(explanation.fix).toMatch(/links below/);
  });

  test('lookup links: Entra’s own error lookup, then a web search', () => {
    expect(lookupLinks(failure)).toEqual([
      {
        label: 'Look up AADSTS123456 in Entra’s error lookup',
        href: 'https://login.microsoftonline.com/error?code=123456',
      },
      { label: 'Search the web for AADSTS123456', href: 'https://duckduckgo.com/?q=%22AADSTS123456%22' },
    ]);
  });

  test('an unknown number with an unknown error still explains by our own code', () => {
    const odd = tokenFailure({ error: 'weird_error', error_codes: [999999] });
    const explanation = explainFailure(odd);
    expect(explanation.matchedBy).toBe('code');
    expect(explanation.title).toBe('The token endpoint refused the request');
    expect(lookupLinks(odd).map((link) => link.href)).toContain(
      'https://login.microsoftonline.com/error?code=999999',
    );
  });
});

describe('OAuth errors without an AADSTS number', () => {
  test.each([
    // RFC 6749 §4.1.2.1
    ['authorize', 'invalid_request', 'Malformed request'],
    ['authorize', 'unauthorized_client', 'Client not allowed'],
    ['authorize', 'access_denied', 'Access denied'],
    ['authorize', 'unsupported_response_type', 'Response type not supported'],
    ['authorize', 'invalid_scope', 'Invalid scope'],
    ['authorize', 'server_error', 'Server error'],
    ['authorize', 'temporarily_unavailable', 'Server busy'],
    // RFC 6749 §5.2
    ['token', 'invalid_client', 'Client authentication failed'],
    ['token', 'invalid_grant', 'Grant rejected'],
    ['token', 'unsupported_grant_type', 'Grant type not supported'],
    // RFC 8628 §3.5
    ['token', 'authorization_pending', 'Waiting for the user'],
    ['token', 'slow_down', 'Polling too fast'],
    ['token', 'expired_token', 'Device code expired'],
    // RFC 6750 §3.1
    ['token', 'invalid_token', 'Token rejected by the API'],
    ['token', 'insufficient_scope', 'Missing permission'],
  ] as const)('%s: %s → “%s”', (endpoint, error, title) => {
    const failure = endpoint === 'authorize' ? authorizeFailure({ error }) : tokenFailure({ error });
    const explanation = explainFailure(failure);
    expect(explanation.matchedBy).toBe('error');
    expect(explanation.title).toBe(title);
    expect(explanation.aadsts).toBeUndefined();
    expect(lookupLinks(failure)).toEqual([]);
  });

  test('RFC 6749 §4.1.2.1 vs §5.2 vs RFC 6750 §3.1: invalid_request is explained for the step at hand', () => {
    const failure = tokenFailure({ error: 'invalid_request' });
    expect(explainFailure(failure, 'authorize').what).toMatch(/authorization request/);
    expect(explainFailure(failure, 'token').what).toMatch(/token request/);
    expect(explainFailure(failure, 'api').what).toMatch(/RFC 6750/);
    expect(explainFailure(failure, 'api').fix).toMatch(/Authorization: Bearer/);
  });

  test('RFC 8628 §3.5: access_denied while polling means stop polling', () => {
    expect(explainFailure(tokenFailure({ error: 'access_denied' }), 'device-poll').fix).toMatch(
      /Stop polling/,
    );
  });

  test('RFC 8628 §3.5: slow_down says the interval grows by 5 seconds', () => {
    expect(explainFailure(tokenFailure({ error: 'slow_down' }), 'device-poll').what).toMatch(/5 seconds/);
  });

  test('an unknown error gets a search link for the error string and says it is not one we know', () => {
    const failure = tokenFailure({ error: 'x_custom_error' });
    const explanation = explainFailure(failure);
    expect(explanation.matchedBy).toBe('code');
    expect(explanation.what).toMatch(/“x_custom_error”/);
    expect(lookupLinks(failure)).toEqual([
      {
        label: 'Search the web for “x_custom_error”',
        href: 'https://duckduckgo.com/?q=%22x_custom_error%22%20OAuth%20error',
      },
    ]);
  });

  test('an error named like an Object.prototype member is not mistaken for an entry', () => {
    const failure = tokenFailure({ error: 'constructor' });
    expect(explainFailure(failure).matchedBy).toBe('code');
    expect(lookupLinks(failure)).toHaveLength(1);
  });
});

describe('our own error codes', () => {
  test.each([
    ['STATE_MISMATCH', /State mismatch/],
    ['NONCE_MISMATCH', /Nonce mismatch/],
    ['CORS_ERROR', /CORS/],
    ['RELAY_UNAVAILABLE', /relay/i],
    ['INVALID_RESPONSE', /Unreadable response/],
    ['INVALID_JWT', /Malformed token/],
    ['NETWORK_ERROR', /Network error/],
    ['MISSING_PARAMETER', /missing/],
    ['DUPLICATE_PARAMETER', /Repeated parameter/],
    ['INVALID_INPUT', /Input/],
    ['BUG', /Unexpected/],
  ] as const)('%s', (code, title) => {
    const failure: StepFailure = { code, message: 'details' };
    const explanation = explainFailure(failure);
    expect(explanation.matchedBy).toBe('code');
    expect(explanation.title).toMatch(title);
    expect(explanation.aadsts).toBeUndefined();
    expect(lookupLinks(failure)).toEqual([]);
  });

  test('CORS_ERROR at the token step points to the SPA platform or the relay', () => {
    const failure: StepFailure = { code: 'CORS_ERROR', message: 'Failed to fetch' };
    expect(explainFailure(failure, 'token').fix).toMatch(/SPA platform.*relay/);
    expect(explainFailure(failure, 'api').what).toMatch(/Graph/);
  });
});

test('a generic code listed first ([70002, 54005]) gives way to the specific one', () => {
  const failure = {
    code: 'TOKEN_ENDPOINT_ERROR' as const,
    message: 'x',
    status: 400,
    fields: { error: 'invalid_grant', error_codes: [70002, 54005] },
  };
  expect(explainFailure(failure).aadsts).toBe(54005);
});
