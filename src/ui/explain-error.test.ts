import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { toStepFailure, type StepFailure } from '../flows/runner.ts';
import type { OAuthErrorFields, UnreachableDetail } from '../protocol/errors.ts';
import { parseTokenResponse } from '../protocol/token.ts';
import {
  aadstsNumber,
  cataloguedAadsts,
  describeFormat,
  explainFailure,
  isCatalogued,
  lookupLinks,
  whoAnswered,
  type StepKind,
} from './explain-error.ts';
import recorded from './__fixtures__/entra-errors.json';
import providerErrors from './__fixtures__/provider-errors.json';

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
  // The codes people report most (Microsoft's reference and MSAL / azure-cli / azure-sdk / PowerShell
  // issue threads), beyond the list above.
  50020, 50053, 50055, 50056, 50057, 50076, 50105, 50128, 50148, 50158, 50173, 53000, 65004, 70000, 70002,
  70011, 700024, 700082, 7000218, 90072, 90094, 500011, 500133, 530003, 650052, 1002016, 16000, 50072, 50074,
  50078, 50089, 50097, 50132, 50133, 51004, 65002, 70043, 7000112, 7000229,
  // Every code the sandbox produces (docs/aadsts-sandbox.md, checked by server/sandbox/aadsts-table.test.ts).
  50011, 50013, 50020, 50034, 50053, 50058, 50059, 50074, 50076, 50079, 50126, 50194, 54005, 65001, 65004,
  70000, 70003, 70008, 70011, 70016, 70018, 70019, 90002, 90014, 500011, 500112, 500113, 500133, 501481,
  501491, 650057, 700016, 700021, 700022, 700024, 700025, 700027, 700051, 700054, 700084, 900142, 900144,
  900561, 900971, 901002, 1002012, 7000215, 7000218, 7000222, 9001023, 9002313, 9002325, 9002326, 9002327,
  9002331,
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

  test.each([
    ['invalid_grant', /device code was rejected/, /new device code/],
    ['unauthorized_client', /device code grant/, /Allow public client flows/],
    ['invalid_client', /polling client/, /Allow public client flows/],
  ])('RFC 8628 §3.5: %s while polling is explained for a device code', (error, what, fix) => {
    const explanation = explainFailure(tokenFailure({ error }), 'device-poll');
    expect(explanation.what).toMatch(what);
    expect(explanation.fix).toMatch(fix);
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

describe('the most reported AADSTS codes get a specific explanation, never the fallback', () => {
  test('the catalogue holds at least 80 codes, every one with a title, an explanation and a fix', () => {
    expect(cataloguedAadsts().length).toBeGreaterThanOrEqual(80);
    for (const code of cataloguedAadsts()) {
      for (const context of [undefined, 'authorize', 'token', 'device-poll', 'api'] as const) {
        const explanation = explainFailure(
          tokenFailure({ error: 'invalid_grant', error_codes: [code] }),
          context,
        );
        expect(explanation.matchedBy).toBe('aadsts');
        expect(explanation.title.trim()).not.toBe('');
        expect(explanation.what).not.toMatch(/not in our catalogue/);
      }
    }
  });

  test.each<[number, StepKind, RegExp, RegExp]>([
    [7000218, 'device-poll', /public client flows/, /Allow public client flows/],
    [7000218, 'token', /confidential/, /secret or certificate/],
    [50011, 'authorize', /not one of the URIs registered/, /SPA platform/],
    [50011, 'token', /not one of the URIs registered/, /same redirect_uri/],
    [65001, 'authorize', /agreed/, /interactive sign-in/],
    [65001, 'token', /agreed/, /cannot show a consent page/],
    [70011, 'token', /scope/, /\.default/],
    [90014, 'authorize', /absent/, /authorization URL/],
    [65001, 'device-poll', /agreed/, /verification page/],
  ])('AADSTS%i at %s', (code, context, what, fix) => {
    const explanation = explainFailure(
      tokenFailure({ error: 'invalid_client', error_codes: [code] }),
      context,
    );
    expect(explanation.what).toMatch(what);
    expect(explanation.fix).toMatch(fix);
  });

  test('AADSTS70000: a bad grant and unauthorized or expired scopes are told apart by the description', () => {
    const scopes = tokenFailure({
      error: 'invalid_grant',
      error_description:
        'AADSTS70000: The request was denied because one or more scopes requested are unauthorized or expired. The user must first sign in and grant the client application access to the requested scope.',
      error_codes: [70000],
    });
    expect(explainFailure(scopes).what).toMatch(/scopes the user never agreed to/);
    expect(explainFailure(scopes).fix).toMatch(/sign the user in again with the new scopes/);
    const code = tokenFailure({
      error: 'invalid_grant',
      error_description: "AADSTS70000: The provided value for the 'code' parameter is not valid.",
      error_codes: [70000],
    });
    expect(explainFailure(code).what).toMatch(/authorization code or refresh token was rejected/);
    // Without a description, both causes are named.
    const bare = explainFailure(tokenFailure({ error: 'invalid_grant', error_codes: [70000] }));
    expect(bare.what).toMatch(/invalid, expired, already used/);
    expect(bare.what).toMatch(/scopes/);
  });

  test('error_codes as strings, a lone string, or junk still find the number', () => {
    expect(aadstsNumber(tokenFailure({ error: 'x', error_codes: ['70000'] as unknown as number[] }))).toBe(
      70000,
    );
    expect(aadstsNumber(tokenFailure({ error: 'x', error_codes: '50126' as unknown as number[] }))).toBe(
      50126,
    );
    expect(
      aadstsNumber(
        tokenFailure({
          error: 'x',
          error_codes: [null, -1, 1e300] as unknown as number[],
          error_description: 'AADSTS50058: x',
        }),
      ),
    ).toBe(50058);
    // "+" for spaces, as a description that was form-encoded twice arrives.
    expect(
      aadstsNumber(
        tokenFailure({
          error: 'invalid_resource',
          error_description: 'AADSTS500011:+The+resource+principal',
        }),
      ),
    ).toBe(500011);
  });
});

describe('who answered changes the explanation', () => {
  const denied = { error: 'access_denied', error_description: 'Unauthorized' };

  test('Auth0 access_denied at the token endpoint: the client is not authorized for the grant or API, not a declined consent', () => {
    const where = { endpoint: 'https://example.eu.auth0.com/oauth/token' };
    const explanation = explainFailure(tokenFailure(denied, 403), 'token', where);
    expect(explanation.authority).toBe('auth0');
    expect(explanation.what).not.toMatch(/declined/);
    expect(explanation.fix).toMatch(/Grant Types/);
    const grant = explainFailure(
      tokenFailure({
        error: 'access_denied',
        error_description:
          'Client is not authorized to access "https://example.eu.auth0.com/api/v2/". You need to create a "client-grant" associated to this API.',
      }),
      'token',
      where,
    );
    expect(grant.what).toMatch(/no client grant/);
    expect(grant.fix).toMatch(/Machine to Machine Applications/);
  });

  test('Auth0 access_denied at /authorize: declined consent or a rule or Action', () => {
    const explanation = explainFailure(
      authorizeFailure({ error: 'access_denied', error_description: 'x' }),
      'authorize',
      {
        endpoint: 'https://example.auth0.com/authorize',
      },
    );
    expect(explanation.what).toMatch(/declined consent, or a rule or Action/);
  });

  test('a generic server’s access_denied at the token endpoint is not called a declined consent either', () => {
    const explanation = explainFailure(tokenFailure({ error: 'access_denied' }), 'token', {
      endpoint: 'https://id.example.com/token',
    });
    expect(explanation.authority).toBe('generic');
    expect(explanation.what).toMatch(/nobody was asked to consent/);
  });

  test('Okta’s errorCode body is read and explained as Okta’s', () => {
    const failure = toStepFailure(
      (() => {
        try {
          parseTokenResponse({
            status: 401,
            body: '{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oae1","errorCauses":[]}',
            headers: [['content-type', 'application/json']],
          });
        } catch (error) {
          return error;
        }
        return undefined;
      })(),
    );
    expect(failure.format).toBe('okta');
    const explanation = explainFailure(failure, 'token', {
      endpoint: 'https://dev-1.okta.com/oauth2/v1/token',
    });
    expect(explanation.authority).toBe('okta');
    expect(explanation.title).toBe('Okta: invalid token');
    expect(explanation.matchedBy).toBe('error');
  });

  test('GitHub’s form-encoded bad_verification_code is explained as GitHub’s', () => {
    const failure = toStepFailure(
      (() => {
        try {
          parseTokenResponse({
            status: 200,
            body: 'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.',
          });
        } catch (error) {
          return error;
        }
        return undefined;
      })(),
    );
    expect(failure).toMatchObject({ code: 'TOKEN_ENDPOINT_ERROR', format: 'form' });
    const explanation = explainFailure(failure, 'token', {
      endpoint: 'https://github.com/login/oauth/access_token',
    });
    expect(explanation.title).toBe('GitHub code wrong or expired');
    expect(lookupLinks(failure, { endpoint: 'https://github.com/login/oauth/access_token' })).toEqual([]);
  });

  test.each([
    ['https://login.microsoftonline.com/common/oauth2/v2.0/token', {}, 'entra'],
    ['https://login.microsoftonline.us/t/oauth2/v2.0/token', {}, 'entra'],
    ['http://localhost:5174/t/oauth2/v2.0/token', { error_codes: [50126] }, 'sandbox'],
    ['https://id.example.com/token', { trace_id: 't', correlation_id: 'c' }, 'entra'],
    ['https://oauth2.googleapis.com/token', {}, 'google'],
    ['https://github.com/login/oauth/access_token', {}, 'github'],
    ['https://kc.example.com/realms/demo/protocol/openid-connect/token', {}, 'keycloak'],
    ['https://acme.okta.com/oauth2/default/v1/token', {}, 'okta'],
    ['https://acme.us.auth0.com/oauth/token', {}, 'auth0'],
    ['https://id.example.com/token', {}, 'generic'],
  ] as const)('%s → %s', (endpoint, extra, authority) => {
    expect(whoAnswered(tokenFailure({ error: 'invalid_grant', ...extra }), { endpoint })).toBe(authority);
  });
});

test('an error in a 200 (as GitHub sends it) is explained as an error, and the status is named', () => {
  const explanation = explainFailure(tokenFailure({ error: 'invalid_grant' }, 200), 'token');
  expect(explanation.title).toBe('Grant rejected');
  expect(explanation.what).toMatch(/with HTTP 200, not the 400/);
});

describe('bodies that are not OAuth errors: the shape is explained', () => {
  test('a gateway’s HTML 502: a gateway or proxy answered, not the authorization server', () => {
    const failure: StepFailure = {
      code: 'INVALID_RESPONSE',
      message: 'The token endpoint answered HTTP 502 with an HTML page.',
      status: 502,
      format: 'html',
      raw: '<html><title>502 Bad Gateway</title></html>',
    };
    const explanation = explainFailure(failure, 'token');
    expect(explanation.matchedBy).toBe('format');
    expect(explanation.title).toBe('Unreadable response: a web page came back');
    expect(explanation.what).toMatch(/gateway, proxy, load balancer or firewall/);
    expect(explanation.what).toMatch(/HTTP 502 from a gateway/);
    expect(describeFormat('html')).toMatch(/not the authorization server/);
  });

  test('an empty 401 with only a challenge that names no error', () => {
    const failure: StepFailure = { code: 'INVALID_RESPONSE', message: 'm', status: 401, format: 'challenge' };
    expect(explainFailure(failure, 'token').fix).toMatch(/client_secret_basic/);
  });
});

describe('an authority that cannot be reached: the headline names the host and the cause, never the relay', () => {
  const causes: [UnreachableDetail['cause'], RegExp][] = [
    ['dns', /DNS lookup failed/],
    ['refused', /connection refused/],
    ['reset', /connection was reset/],
    ['timeout', /no answer in time/],
    ['tls', /TLS/],
    ['no-route', /no network route/],
    ['offline', /offline/],
  ];
  test.each(causes)('%s', (cause, title) => {
    const failure: StepFailure = {
      code: 'NETWORK_ERROR',
      message: 'm',
      unreachable: { host: 'login.microsoftonline.com', cause, via: 'relay', detail: 'ECODE' },
    };
    for (const context of ['token', 'device-poll', 'api', 'authorize', undefined] as const) {
      const explanation = explainFailure(failure, context);
      expect(explanation.matchedBy).toBe('network');
      expect(explanation.title).toMatch(/^Could not reach login\.microsoftonline\.com: /);
      expect(explanation.title).toMatch(title);
      expect(explanation.title).not.toMatch(/relay/i);
      expect(explanation.what).toMatch(/relay is running/);
    }
    expect(lookupLinks(failure)).toEqual([]);
  });

  test('from the browser, where the cause is hidden: the host is named and CORS is not ruled out', () => {
    const failure: StepFailure = {
      code: 'CORS_ERROR',
      message: 'm',
      unreachable: { host: 'id.example.com', cause: 'unknown', via: 'browser' },
    };
    const explanation = explainFailure(failure, 'token');
    expect(explanation.title).toBe('No readable answer (network or CORS) from id.example.com');
    expect(explanation.fix).toMatch(/relay/);
  });
});

describe('generated failures never throw and never give an empty headline', () => {
  const jsonish = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
  );
  const description = fc.oneof(
    jsonish,
    fc.tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.string()).map(([n, rest]) => `AADSTS${n}: ${rest}`),
    fc.constantFrom(...cataloguedAadsts()).map((n) => `AADSTS${n}:+The+thing+failed`),
  );
  const fields = fc.record(
    {
      error: fc.oneof(
        fc.constantFrom('invalid_grant', 'access_denied', 'constructor', '__proto__', 'toString', ''),
        jsonish,
      ),
      error_description: description,
      error_codes: jsonish,
      trace_id: jsonish,
      correlation_id: jsonish,
    },
    { requiredKeys: [] },
  );
  const failure = fc.record(
    {
      code: fc.constantFrom(
        'TOKEN_ENDPOINT_ERROR',
        'AUTHORIZATION_RESPONSE_ERROR',
        'INVALID_RESPONSE',
        'NETWORK_ERROR',
        'CORS_ERROR',
        'RELAY_UNAVAILABLE',
        'BUG',
      ),
      message: fc.string(),
      fields: fields as fc.Arbitrary<unknown>,
      status: fc.integer({ min: 0, max: 999 }),
      format: fc.constantFrom(
        'oauth',
        'okta',
        'form',
        'problem',
        'nested',
        'challenge',
        'json',
        'html',
        'text',
        'empty',
      ),
      unreachable: fc.record({
        host: fc.string({ minLength: 1 }),
        cause: fc.constantFrom('dns', 'refused', 'reset', 'timeout', 'tls', 'no-route', 'offline', 'unknown'),
        via: fc.constantFrom('browser', 'relay'),
      }),
    },
    { requiredKeys: ['code', 'message'] },
  ) as fc.Arbitrary<StepFailure>;
  const context = fc.constantFrom<StepKind | undefined>(
    'authorize',
    'token',
    'device-poll',
    'api',
    'network',
    undefined,
  );
  const endpoint = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      'https://x.auth0.com/oauth/token',
      'https://github.com/login/oauth/access_token',
      'not a url',
    ),
    fc.webUrl(),
  );

  test('explainFailure and lookupLinks', () => {
    fc.assert(
      fc.property(failure, context, endpoint, (f, kind, url) => {
        const where = url === undefined ? {} : { endpoint: url };
        const explanation = explainFailure(f, kind, where);
        expect(explanation.title.trim()).not.toBe('');
        expect(explanation.what.trim()).not.toBe('');
        expect(explanation.fix.trim()).not.toBe('');
        expect(() => lookupLinks(f, where)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  test('random AADSTS numbers inside descriptions: specific when catalogued, with lookup links when not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999 }), fc.string(), (n, rest) => {
        const f = tokenFailure({ error: 'invalid_request', error_description: `${rest} AADSTS${n}: x` });
        const explanation = explainFailure(f);
        if (/AADSTS\d/.test(rest)) return;
        expect(explanation.aadsts).toBe(n);
        if (isCatalogued(n)) expect(explanation.matchedBy).toBe('aadsts');
        else expect(lookupLinks(f)[0]?.href).toBe(`https://login.microsoftonline.com/error?code=${n}`);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * One error body from a provider other than Entra, as quoted in a public thread (whitespace may
 * differ). `url` is the provider's documented endpoint shape where the thread does not give one.
 */
interface ProviderFixture {
  readonly source: string;
  readonly status: number | null;
  readonly step: StepKind;
  readonly url: string;
  readonly contentType: string | null;
  readonly body: string;
  readonly reconstructed?: string;
  readonly expect: {
    readonly authority: string;
    readonly format: string;
    readonly title?: string;
    readonly what?: string;
    /** Only for an error nobody documents: the general fallback, with the odd status named. */
    readonly matchedBy?: string;
  };
}

const PROVIDER_FIXTURES = providerErrors as readonly ProviderFixture[];

describe('recorded errors of other providers (src/ui/__fixtures__/provider-errors.json)', () => {
  test.each(PROVIDER_FIXTURES.map((f) => [`${f.expect.authority}: ${f.body.slice(0, 60)}`, f] as const))(
    '%s',
    (_name, fixture) => {
      expect(fixture.source).toMatch(
        /^https:\/\/(github\.com\/[^/]+\/[^/]+\/(issues|pull)\/\d+|gist\.github\.com\/)/,
      );
      const headers: [string, string][] =
        fixture.contentType === null ? [] : [['content-type', fixture.contentType]];
      let thrown: unknown;
      try {
        parseTokenResponse({ status: fixture.status ?? 400, body: fixture.body, headers });
      } catch (error) {
        thrown = error;
      }
      const failure = toStepFailure(thrown);
      expect(failure.format).toBe(fixture.expect.format);
      const explanation = explainFailure(failure, fixture.step, { endpoint: fixture.url });
      expect(explanation.authority).toBe(fixture.expect.authority);
      if (fixture.expect.matchedBy === undefined) expect(explanation.matchedBy).not.toBe('code');
      else expect(explanation.matchedBy).toBe(fixture.expect.matchedBy);
      if (fixture.expect.title !== undefined) expect(explanation.title).toBe(fixture.expect.title);
      if (fixture.expect.what !== undefined) expect(explanation.what).toContain(fixture.expect.what);
    },
  );
});

describe('dynamic client registration errors (RFC 7591 §3.2.2, RFC 7592 §2)', () => {
  const failure = (fields: OAuthErrorFields, status = 400): StepFailure => ({
    code: 'REGISTRATION_ERROR',
    message: String(fields.error_description ?? fields.error),
    fields,
    status,
  });

  test('each RFC 7591 error code has its own explanation, with no web search offered', () => {
    for (const error of [
      'invalid_redirect_uri',
      'invalid_client_metadata',
      'invalid_software_statement',
      'unapproved_software_statement',
    ]) {
      expect(explainFailure(failure({ error })).matchedBy).toBe('error');
      expect(lookupLinks(failure({ error }))).toEqual([]);
    }
  });

  test('oidc-provider’s invalid_client_metadata is told apart by what its description names', () => {
    expect(
      explainFailure(
        failure({
          error: 'invalid_client_metadata',
          error_description: 'redirect_uris must not contain fragments',
        }),
      ).what,
    ).toMatch(/invalid_redirect_uri/);
    expect(
      explainFailure(
        failure({
          error: 'invalid_client_metadata',
          error_description: 'scope must only contain Authorization Server supported scope values',
        }),
      ).fix,
    ).toMatch(/scopes_supported/);
  });

  test('a refused registration access token is explained as one, not as an API’s token', () => {
    const explanation = explainFailure(failure({ error: 'invalid_token' }, 401));
    expect(explanation.what).toMatch(/registration access token/);
    expect(explanation.what).not.toMatch(/\bAPI\b/);
  });
});
