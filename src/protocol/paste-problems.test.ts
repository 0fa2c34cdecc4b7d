import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  PastedResponseError,
  readPastedAuthorizationResponse,
  type PasteExpectations,
  type PasteProblemKind,
} from './callback.ts';
import { AuthorizationResponseError } from './errors.ts';

// Paste-the-redirect mode (RFC 8252 §7.3): a desktop profile's loopback redirect URI.
const STATE = 'Zq3v9XkP2mT7sW1yR8nB4cL6';
const EXPECTED: PasteExpectations = { state: STATE, redirectUri: 'http://localhost' };

const port = fc.integer({ min: 1024, max: 65535 });
const loopback = fc.oneof(
  fc.constant('http://localhost'),
  port.map((p) => `http://localhost:${p}`),
  fc.constant('http://localhost/'),
);
const value = fc.stringMatching(/^[A-Za-z0-9_-]{4,40}$/);
const otherName = fc
  .stringMatching(/^[a-z_]{2,12}$/)
  .filter((name) => !['code', 'error', 'state', 'id_token', 'access_token'].includes(name));

function problemOf(
  pasted: string,
  expected: PasteExpectations = EXPECTED,
): PasteProblemKind | 'error' | 'ok' {
  try {
    readPastedAuthorizationResponse(pasted, expected);
    return 'ok';
  } catch (error) {
    if (error instanceof AuthorizationResponseError) return 'error';
    expect(error).toBeInstanceOf(PastedResponseError);
    const problem = (error as PastedResponseError).problem;
    // Only the real CSRF case speaks of a state mismatch or CSRF.
    if (problem.kind !== 'state-mismatch') {
      expect(`${problem.title} ${problem.what} ${problem.fix}`).not.toMatch(/mismatch|CSRF/i);
    }
    expect(problem.fix.length).toBeGreaterThan(10);
    return problem.kind;
  }
}

describe('each kind of bad paste gets its own problem (RFC 8252 §7.3, RFC 6749 §4.1.2)', () => {
  test('fast-check: an address with no query at all holds no answer', () => {
    fc.assert(
      fc.property(
        fc.oneof(loopback, fc.constant('https://app.example/callback')),
        fc.boolean(),
        (url, hash) => {
          expect(problemOf(hash ? `${url}#` : url)).toBe('no-parameters');
        },
      ),
    );
  });

  test('fast-check: an address whose parameters hold neither code nor error nor state is not a response', () => {
    fc.assert(
      fc.property(loopback, otherName, value, (url, name, v) => {
        expect(problemOf(`${url}?${name}=${v}`)).toBe('not-a-response');
      }),
    );
  });

  test('fast-check: the code without its state is "state missing", not a mismatch', () => {
    fc.assert(
      fc.property(loopback, value, (url, code) => {
        expect(problemOf(`${url}?code=${code}`)).toBe('state-missing');
        expect(problemOf(`?code=${code}`)).toBe('state-missing');
      }),
    );
  });

  test('fast-check: RFC 6749 §10.12: another state is the one CSRF case', () => {
    fc.assert(
      fc.property(loopback, value, value, (url, code, state) => {
        fc.pre(state !== STATE);
        expect(problemOf(`${url}?code=${code}&state=${state}`)).toBe('state-mismatch');
      }),
    );
  });

  test('fast-check: an error response is the server’s error, with or without its state', () => {
    fc.assert(
      fc.property(
        loopback,
        fc.constantFrom('access_denied', 'invalid_request', 'consent_required'),
        fc.integer({ min: 10000, max: 9999999 }),
        fc.boolean(),
        (url, error, aadsts, withState) => {
          const pasted = `${url}?error=${error}&error_description=AADSTS${aadsts}%3A+x${withState ? `&state=${STATE}` : ''}`;
          expect(problemOf(pasted)).toBe('error');
        },
      ),
    );
  });

  test('fast-check: RFC 6749 §4.1.3: a code without state at another redirect URI is named so', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('https://oauth.pstmn.io/v1/callback', 'https://app.example/cb', 'ms-appx-web://x/y'),
        value,
        fc.boolean(),
        (url, code, withOtherState) => {
          if (withOtherState) {
            // Another state stays the CSRF case, and says where the address was.
            const pasted = `${url}?code=${code}&state=other-${code}`;
            expect(problemOf(pasted)).toBe('state-mismatch');
            expect(() => readPastedAuthorizationResponse(pasted, EXPECTED)).toThrow(
              /not at this sign-in’s redirect URI/,
            );
          } else {
            expect(problemOf(`${url}?code=${code}`)).toBe('other-redirect-uri');
          }
        },
      ),
    );
    // RFC 8252 §7.3: any port on a loopback redirect URI is the same redirect URI.
    expect(problemOf('http://localhost:53124/?code=abc')).toBe('state-missing');
    expect(problemOf('http://localhost/other?code=abc')).toBe('other-redirect-uri');
    // With this sign-in's state the answer is this sign-in's, wherever it was copied from.
    expect(problemOf(`http://localhost/other?code=abc&state=${STATE}`)).toBe('ok');
  });

  test('fast-check: text that is no address, query or code is "not an address"', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{2,8}$/), { minLength: 2, maxLength: 6 }), (words) => {
        expect(problemOf(words.join(' '))).toBe('not-an-address');
      }),
    );
    expect(problemOf('')).toBe('empty');
    expect(problemOf('see http://localhost/?code=a and http://localhost/?code=b')).toBe('not-an-address');
  });

  test('the state alone is an answer with no code; a repeated parameter is named', () => {
    expect(problemOf(`http://localhost/?state=${STATE}`)).toBe('no-code');
    expect(problemOf(`http://localhost/?code=a&code=b&state=${STATE}`)).toBe('repeated-parameter');
  });

  test('a good paste and a bare code are read; only the bare code is unchecked', () => {
    expect(
      readPastedAuthorizationResponse(`http://localhost:1337/?code=abc&state=${STATE}`, EXPECTED),
    ).toMatchObject({
      stateChecked: true,
      authorizationResponse: { code: 'abc', state: STATE },
    });
    expect(readPastedAuthorizationResponse('0.AQIAQlcOnozlzaRJ-abc_123', EXPECTED)).toMatchObject({
      stateChecked: false,
    });
  });

  test('the issue’s example: a redirect URL with no code and no state never says state mismatch', () => {
    for (const pasted of [
      'http://localhost',
      'http://localhost/',
      'http://localhost:1337/?session_state=x',
    ]) {
      try {
        readPastedAuthorizationResponse(pasted, EXPECTED);
        expect.unreachable();
      } catch (error) {
        expect((error as PastedResponseError).code).not.toBe('STATE_MISMATCH');
        expect((error as PastedResponseError).problem.title).not.toMatch(/state/i);
      }
    }
  });
});
