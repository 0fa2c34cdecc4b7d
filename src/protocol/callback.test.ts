import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  parseAuthorizationResponse,
  parsePastedResponse,
  readCallbackParameters,
  validateAuthorizationResponse,
} from './callback.ts';
import { AuthorizationResponseError, LabError } from './errors.ts';

const base = 'http://localhost:5173/callback';

describe('authorization response', () => {
  test('RFC 6749 §4.1.2: code and state from the query', () => {
    const result = parseAuthorizationResponse(`${base}?code=abc&state=xyz`, { state: 'xyz' });
    expect(result).toMatchObject({ code: 'abc', state: 'xyz', responseMode: 'query' });
  });

  test('OAuth Multiple Response Types §2: code and state from the fragment', () => {
    const result = parseAuthorizationResponse(`${base}#code=abc&state=xyz`, { state: 'xyz' });
    expect(result.responseMode).toBe('fragment');
  });

  test('RFC 6749 §10.12: a forged state is refused with STATE_MISMATCH', () => {
    expect(() => parseAuthorizationResponse(`${base}?code=abc&state=forged`, { state: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH' }),
    );
  });

  test('RFC 6749 §10.12: a missing state is refused when one was sent', () => {
    expect(() => parseAuthorizationResponse(`${base}?code=abc`, { state: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH', message: expect.stringMatching(/no state/) }),
    );
  });

  test('RFC 6749 §4.1.2.1: an error keeps its fields verbatim', () => {
    const url = `${base}?error=access_denied&error_description=AADSTS65004%3A+User+declined&state=xyz`;
    try {
      parseAuthorizationResponse(url, { state: 'xyz' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthorizationResponseError);
      expect((error as AuthorizationResponseError).fields).toMatchObject({
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined',
      });
      expect((error as AuthorizationResponseError).code).toBe('AUTHORIZATION_RESPONSE_ERROR');
    }
  });

  test('state is checked before an error is believed', () => {
    expect(() =>
      parseAuthorizationResponse(`${base}?error=access_denied&state=forged`, { state: 'xyz' }),
    ).toThrow(expect.objectContaining({ code: 'STATE_MISMATCH' }));
  });

  test('RFC 6749 §3.1: a repeated parameter is refused', () => {
    expect(() => readCallbackParameters(`${base}?code=a&code=b&state=x`)).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_PARAMETER' }),
    );
  });

  test('a callback with a state but neither code nor error is MISSING_PARAMETER', () => {
    expect(() => parseAuthorizationResponse(`${base}?state=xyz`, { state: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'MISSING_PARAMETER' }),
    );
  });

  test('RFC 9207 §2.4: a response from another issuer is refused', () => {
    expect(() =>
      parseAuthorizationResponse(`${base}?code=a&state=x&iss=https%3A%2F%2Fevil.example`, {
        state: 'x',
        issuer: 'http://localhost:5174/t/v2.0',
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_RESPONSE' }));
  });

  test('injected HTML in a parameter is kept as inert text', () => {
    const result = parseAuthorizationResponse(`${base}?code=%3Cscript%3E&state=x`, { state: 'x' });
    expect(result.code).toBe('<script>');
  });
});

describe('what servers and people send (issue 8: callback parsing)', () => {
  const STATE = 'st4te-value_0123456789';
  // Full Unicode names and values; names never repeat (a repeat is its own property below).
  const extraParams = fc
    .uniqueArray(
      fc.tuple(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
      ),
      { selector: ([name]) => name, maxLength: 5 },
    )
    .map((pairs) =>
      pairs.filter(([name]) => !['code', 'state', 'error', 'id_token', 'access_token'].includes(name)),
    );
  const response = fc
    .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }), extraParams)
    .map(([code, extras]) => {
      const params = new URLSearchParams([['code', code], ['state', STATE], ...extras]);
      return { code, extras, query: params.toString() };
    });

  /** The ways a person's copy of the address comes out of a chat window, a mail or a document. */
  const decoration = fc.record({
    wrap: fc.constantFrom(
      (t: string) => t,
      (t: string) => `"${t}"`,
      (t: string) => `'${t}'`,
      (t: string) => `“${t}”`,
      (t: string) => `<${t}>`,
      (t: string) => `<${t}|sign-in link>`,
      (t: string) => `[the redirect](${t})`,
      (t: string) => `Location: ${t}`,
    ),
    around: fc.constantFrom('', ' ', '\n', '\r\n  ', '\t', '\u00A0', '\uFEFF'),
    breaks: fc.array(fc.nat(), { maxLength: 4 }),
    breakWith: fc.constantFrom('\n', '\r\n', '\n    ', '\u2028'),
    invisible: fc.array(fc.nat(), { maxLength: 3 }),
    htmlEscape: fc.boolean(),
  });

  type Decoration = typeof decoration extends fc.Arbitrary<infer T> ? T : never;

  function decorate(url: string, d: Decoration): string {
    let text = d.htmlEscape ? url.replace(/&/g, '&amp;') : url;
    for (const at of d.breaks) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + d.breakWith + text.slice(i);
    }
    for (const at of d.invisible) {
      const i = at % (text.length + 1);
      text = `${text.slice(0, i)}\u200B${text.slice(i)}`;
    }
    return `${d.around}${d.wrap(text)}${d.around}`;
  }

  test('a pasted redirect survives quotes, brackets, wraps, invisible characters and &amp; (property)', () => {
    fc.assert(
      fc.property(
        response,
        decoration,
        fc.constantFrom(
          (q: string) => `http://localhost:1337/?${q}`,
          (q: string) => `http://localhost:1337/#${q}`,
          (q: string) => `com.contoso.app:/auth?${q}`,
          (q: string) => `?${q}`,
          (q: string) => `#${q}`,
          (q: string) => q,
        ),
        ({ code, extras, query }, d, shape) => {
          const pasted = parsePastedResponse(decorate(shape(query), d));
          expect(pasted.kind).toBe('parameters');
          if (pasted.kind !== 'parameters') return;
          const result = validateAuthorizationResponse(pasted.read, { state: STATE });
          expect(result.code).toBe(code);
          expect(result.state).toBe(STATE);
          for (const [name, value] of extras) expect(result.params[name]).toBe(value);
        },
      ),
    );
  });

  test('RFC 6749 §3.1: any repeated parameter is refused with DUPLICATE_PARAMETER (property)', () => {
    fc.assert(
      fc.property(
        response,
        fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }),
        fc.string({ unit: 'binary', maxLength: 10 }),
        ({ query }, name, value) => {
          const twice = `${query}&${new URLSearchParams([[name, value]]).toString()}&${new URLSearchParams([[name, value]]).toString()}`;
          for (const input of [`${base}?${twice}`, { formPost: twice }]) {
            expect(() => readCallbackParameters(input)).toThrow(
              expect.objectContaining({ code: 'DUPLICATE_PARAMETER' }),
            );
          }
          expect(() => parsePastedResponse(twice)).toThrow(
            expect.objectContaining({ code: 'DUPLICATE_PARAMETER' }),
          );
        },
      ),
    );
  });

  test('any pasted text gives a result or a typed error, never a crash (property)', () => {
    const specials = fc.constantFrom(
      '?',
      '#',
      '&',
      '=',
      '%',
      '%3D',
      '&amp;',
      ' ',
      '\n',
      '<',
      '>',
      '"',
      'code=',
      'http://',
      ':',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(specials, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 12 }),
        (parts) => {
          const text = parts.join('');
          try {
            const pasted = parsePastedResponse(text);
            if (pasted.kind === 'parameters') validateAuthorizationResponse(pasted.read, { state: STATE });
          } catch (error) {
            expect(error).toBeInstanceOf(LabError);
          }
        },
      ),
    );
  });

  test('a redirect with no code, no error and no state is MISSING_PARAMETER, never STATE_MISMATCH (property)', () => {
    fc.assert(
      fc.property(extraParams, (extras) => {
        const query = new URLSearchParams(extras).toString();
        expect(() => parseAuthorizationResponse(`${base}?${query}`, { state: STATE })).toThrow(
          expect.objectContaining({
            code: 'MISSING_PARAMETER',
            message: expect.stringMatching(/no code, no error and no state/),
          }),
        );
      }),
    );
  });

  test('form_post: the POSTed body is read like a query, with mode form_post', () => {
    const result = parseAuthorizationResponse(
      { formPost: `code=a%2Bb&state=${STATE}&session_state=s+1` },
      { state: STATE },
    );
    expect(result).toMatchObject({ code: 'a+b', responseMode: 'form_post' });
    expect(result.params['session_state']).toBe('s 1');
  });

  test('RFC 6749 Appendix B: + in error_description is a space; percent-encoded UTF-8 is decoded', () => {
    try {
      parseAuthorizationResponse(
        `${base}?error=access_denied&error_description=The+user+said+%E2%80%9Cno%E2%80%9D&state=${STATE}`,
        { state: STATE },
      );
      expect.unreachable();
    } catch (error) {
      expect((error as AuthorizationResponseError).fields.error_description).toBe('The user said “no”');
    }
  });

  test('an error without state names the error but is still not believed (RFC 6749 §10.12)', () => {
    expect(() => parseAuthorizationResponse(`${base}?error=access_denied`, { state: STATE })).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH', message: expect.stringMatching(/access_denied/) }),
    );
  });

  test('RFC 9207 §2.4: iss compared by exact string; a trailing slash is named; a match is reported', () => {
    const issuer = 'https://login.example.com/tenant/v2.0';
    expect(() =>
      parseAuthorizationResponse(`${base}?code=a&state=${STATE}&iss=${encodeURIComponent(`${issuer}/`)}`, {
        state: STATE,
        issuer,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_RESPONSE',
        message: expect.stringMatching(/trailing slash.*mix-up/s),
      }),
    );
    const ok = parseAuthorizationResponse(`${base}?code=a&state=${STATE}&iss=${encodeURIComponent(issuer)}`, {
      state: STATE,
      issuer,
    });
    expect(ok.issuerChecked).toBe(true);
    // Unknown issuer: iss is kept but not called checked.
    const unknown = parseAuthorizationResponse(`${base}?code=a&state=${STATE}&iss=x`, { state: STATE });
    expect(unknown.issuerChecked).toBeUndefined();
  });

  test('RFC 9207: any iss other than the expected issuer is refused (property)', () => {
    const issuer = 'https://issuer.example/t';
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s !== issuer),
        (iss) => {
          const url = `${base}?${new URLSearchParams({ code: 'a', state: STATE, iss }).toString()}`;
          expect(() => parseAuthorizationResponse(url, { state: STATE, issuer })).toThrow(
            expect.objectContaining({ code: 'INVALID_RESPONSE' }),
          );
        },
      ),
    );
  });

  test('session_state (OIDC Session Management) and other extras are kept verbatim', () => {
    const result = parseAuthorizationResponse(
      `${base}?code=a&state=${STATE}&session_state=8f0e%2Bx&client_info=eyJ1aWQiOiJ4In0`,
      { state: STATE },
    );
    expect(result.params).toMatchObject({ session_state: '8f0e+x', client_info: 'eyJ1aWQiOiJ4In0' });
  });

  test('a bare code: percent-encoding copied with it is decoded; junk is refused with INVALID_INPUT', () => {
    expect(parsePastedResponse(' 0.AQIA%2Fabc%3D ')).toMatchObject({ kind: 'code', code: '0.AQIA/abc=' });
    expect(parsePastedResponse('abc==')).toMatchObject({ kind: 'code', code: 'abc==' });
    for (const junk of ['', '  ', 'the code is abc', 'abc\ndef', 'a?b'])
      expect(() => parsePastedResponse(junk)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  test('an address percent-encoded twice (from a log), an Outlook safe link, a path without origin', () => {
    const inner = `http://localhost:1337/?code=abc&state=${STATE}`;
    const cases = [
      encodeURIComponent(`code=abc&state=${STATE}`),
      `https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(inner)}&data=05%7C01`,
      `/callback?code=abc&state=${STATE}`,
    ];
    for (const text of cases) {
      const pasted = parsePastedResponse(text);
      expect(pasted.kind).toBe('parameters');
      if (pasted.kind === 'parameters')
        expect(validateAuthorizationResponse(pasted.read, { state: STATE }).code).toBe('abc');
      expect(pasted.notes.length).toBeGreaterThan(0);
    }
  });

  test('an address inside a sentence, and sentence punctuation after it, are taken apart', () => {
    const url = `http://localhost:1337/?code=abc&state=${STATE}`;
    for (const text of [
      `Here is where it sent me: ${url}. Does it work?`,
      `${url}.`,
      `(${url})`,
      `see <${url}>, thanks`,
    ]) {
      const pasted = parsePastedResponse(text);
      expect(pasted.kind).toBe('parameters');
      if (pasted.kind === 'parameters')
        expect(validateAuthorizationResponse(pasted.read, { state: STATE }).code).toBe('abc');
    }
    // Two addresses: which one is meant cannot be told, so it is not guessed.
    expect(() => parsePastedResponse(`${url} or ${url}`)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  test('a long paste is read in linear time', () => {
    const started = performance.now();
    for (const text of ['a.'.repeat(50_000), `${'x://'.repeat(20_000)} y`, `${'a'.repeat(100_000)}\n?`]) {
      try {
        parsePastedResponse(text);
      } catch (error) {
        expect(error).toBeInstanceOf(LabError);
      }
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
