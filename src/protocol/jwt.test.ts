import { describe, expect, test } from 'vitest';
import { InvalidJwtError } from './errors.ts';
import fc from 'fast-check';
import { classifyToken, decodeJwt, describeTokenShape, isPast, normalizeToken } from './jwt.ts';

// RFC 7519 §3.1: the example JWT (HS256; header and claims contain CRLF line breaks).
const RFC7519_EXAMPLE =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

const b64url = (text: string): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const HEADER = b64url('{"alg":"RS256","typ":"JWT"}');
const PAYLOAD = b64url('{"sub":"abc"}');

function expectInvalid(token: string, message: string): void {
  let caught: unknown;
  try {
    decodeJwt(token);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidJwtError);
  expect((caught as InvalidJwtError).code).toBe('INVALID_JWT');
  expect((caught as InvalidJwtError).message).toBe(message);
}

describe('decodeJwt', () => {
  test('RFC 7519 §3.1: example JWT decodes to its header and claims', () => {
    const decoded = decodeJwt(RFC7519_EXAMPLE);
    expect(decoded.header).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(decoded.payload).toEqual({ iss: 'joe', exp: 1300819380, 'http://example.com/is_root': true });
    expect(decoded.signature).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(decoded.parts).toEqual(RFC7519_EXAMPLE.split('.'));
  });

  test('RFC 6750 §2.1: a leading "Bearer " and surrounding whitespace are stripped', () => {
    expect(decodeJwt(`  Bearer ${RFC7519_EXAMPLE}\n`).payload['iss']).toBe('joe');
    expect(decodeJwt(`bearer\t${RFC7519_EXAMPLE}`).payload['iss']).toBe('joe');
    expect(normalizeToken(' Bearer  abc ')).toBe('abc');
  });

  test('RFC 7519 §6.1: an unsecured JWT (empty signature) still decodes', () => {
    const decoded = decodeJwt(`${b64url('{"alg":"none"}')}.${PAYLOAD}.`);
    expect(decoded.header).toEqual({ alg: 'none' });
    expect(decoded.signature).toBe('');
  });

  test('UTF-8 claims decode to the right characters', () => {
    expect(decodeJwt(`${HEADER}.${b64url('{"name":"Zoë Ñandú 😀"}')}.sig`).payload['name']).toBe(
      'Zoë Ñandú 😀',
    );
  });

  test('empty input', () => {
    expectInvalid('', 'The token is empty.');
    expectInvalid(' \n\t', 'The token is empty.');
  });

  test('only the Bearer prefix', () => {
    expectInvalid('Bearer   ', 'Only the "Bearer" prefix is there; the token after it is missing.');
  });

  test('whitespace inside the token', () => {
    expectInvalid(
      `${HEADER}.${PAYLOAD}\n.sig`,
      `The token has whitespace or a line break at position ${HEADER.length + PAYLOAD.length + 2}; a JWT is one unbroken string.`,
    );
  });

  test('RFC 7519 §7.2: wrong number of parts says how many', () => {
    expectInvalid(
      `${HEADER}.${PAYLOAD}`,
      'A JWT has 3 parts separated by dots (header.payload.signature); this token has 2.',
    );
    expectInvalid(
      'abcdef',
      'A JWT has 3 parts separated by dots (header.payload.signature); this token has 1 (no dots at all: it may be an opaque token, not a JWT).',
    );
    expectInvalid(
      `${HEADER}.${PAYLOAD}.a.b`,
      'A JWT has 3 parts separated by dots (header.payload.signature); this token has 4.',
    );
  });

  test('RFC 7516 §7.1: five parts is a JWE', () => {
    expectInvalid(
      `${b64url('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d`,
      'The token has 5 parts: it is a JWE (an encrypted token). Only the holder of the decryption key can read it.',
    );
  });

  test('RFC 7515 §2: a part outside the base64url alphabet names the part', () => {
    expectInvalid(
      `eyJ+bGciOiJ.${PAYLOAD}.sig`,
      'The header is not valid base64url: character “+” at position 4 is standard base64; base64url uses “-” and “_” instead.',
    );
    expectInvalid(
      `${HEADER}.eyJzdWIiOiJhYmMifQ==.sig`,
      'The payload is not valid base64url: it has "=" padding at position 19, which JWTs leave out.',
    );
    expectInvalid(
      `${HEADER}.eyJ*.sig`,
      'The payload is not valid base64url: character “*” at position 4 is not in the base64url alphabet (A-Z, a-z, 0-9, "-", "_").',
    );
    expectInvalid(
      `${HEADER}.eyJzd.sig`,
      'The payload is not valid base64url: its length (5) is not a possible base64url length.',
    );
    expectInvalid(
      `${HEADER}.${PAYLOAD}.a/b`,
      'The signature is not valid base64url: character “/” at position 2 is standard base64; base64url uses “-” and “_” instead.',
    );
  });

  test('an empty header or payload part', () => {
    expectInvalid(`.${PAYLOAD}.sig`, 'The header part is empty.');
    expectInvalid(`${HEADER}..sig`, 'The payload part is empty.');
  });

  test('RFC 7519 §7.2: a part that is not JSON', () => {
    expectInvalid(
      `${b64url('not json')}.${PAYLOAD}.sig`,
      'The header is valid base64url but does not decode to JSON.',
    );
    expectInvalid(
      `${HEADER}.${b64url('{"sub":')}.sig`,
      'The payload is valid base64url but does not decode to JSON.',
    );
  });

  test('RFC 7519 §7.2: a claims set that is not a JSON object', () => {
    expectInvalid(
      `${HEADER}.${b64url('[1,2]')}.sig`,
      'The payload decodes to JSON but to an array, not an object.',
    );
    expectInvalid(
      `${HEADER}.${b64url('"text"')}.sig`,
      'The payload decodes to JSON but to a string, not an object.',
    );
    expectInvalid(
      `${HEADER}.${b64url('null')}.sig`,
      'The payload decodes to JSON but to null, not an object.',
    );
    expectInvalid(
      `${b64url('42')}.${PAYLOAD}.sig`,
      'The header decodes to JSON but to a number, not an object.',
    );
  });

  test('keeps the JSON cause of a parse failure', () => {
    try {
      decodeJwt(`${HEADER}.${b64url('nope')}.sig`);
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidJwtError).cause).toBeInstanceOf(Error);
    }
  });
});

describe('classifyToken', () => {
  test('RFC 7519 §3.1: the example is a JWT', () => {
    expect(classifyToken(RFC7519_EXAMPLE)).toBe('jwt');
    expect(classifyToken(`Bearer ${RFC7519_EXAMPLE}`)).toBe('jwt');
  });

  test('a JWT-looking token that does not decode is still a (malformed) JWT', () => {
    expect(classifyToken(`${HEADER}.${PAYLOAD}`)).toBe('jwt');
    expect(classifyToken(`${HEADER}.%%%.x`)).toBe('jwt');
  });

  test('RFC 7516 §7.1: five parts with a JOSE header is a JWE', () => {
    expect(classifyToken(`${b64url('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a.b.c.d`)).toBe('jwe');
  });

  test('Entra refresh tokens and random strings are opaque', () => {
    expect(classifyToken('0.AXEAv4j5cvGGr0GRqy180BHbR_example-refresh-token')).toBe('opaque');
    expect(classifyToken('M.C105_BAY.-CZ_example')).toBe('opaque');
    expect(classifyToken('2YotnFZFEjr1zCsicMWpAA')).toBe('opaque');
  });

  test('empty and whitespace', () => {
    expect(classifyToken('')).toBe('empty');
    expect(classifyToken('  \n')).toBe('empty');
    expect(classifyToken('Bearer ')).toBe('empty');
  });
});

describe('isPast', () => {
  test('RFC 7519 §4.1.4: a token is expired on or after exp', () => {
    expect(isPast(1000, 1_000_000)).toBe(true);
    expect(isPast(1000, 999_999)).toBe(false);
    expect(isPast('1000', 2_000_000)).toBe(false);
  });
});

describe('describeTokenShape on generated strings', () => {
  const bytes = (min: number) => fc.uint8Array({ minLength: min, maxLength: 64 });
  const part = (value: unknown) => b64url(JSON.stringify(value));
  const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), {
    maxKeys: 5,
  });
  const notObject = fc.oneof(
    fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 4 }),
    fc.integer(),
    fc.string({ maxLength: 12 }),
    fc.boolean(),
    fc.constant(null),
  );
  const randomToken = bytes(12).map((b) =>
    btoa(String.fromCharCode(...b))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, ''),
  );

  test('fast-check: a JOSE header, a claims object and a signature make a JWT', () => {
    fc.assert(
      fc.property(jsonObject, jsonObject, randomToken, (header, payload, sig) => {
        expect(classifyToken(`${part({ alg: 'RS256', ...header })}.${part(payload)}.${sig}`)).toBe('jwt');
      }),
    );
  });

  test('fast-check: RFC 7516 §9: five parts after a JOSE header are a JWE, named as such', () => {
    fc.assert(
      fc.property(fc.array(randomToken, { minLength: 4, maxLength: 4 }), (rest) => {
        const reading = describeTokenShape([part({ alg: 'RSA-OAEP', enc: 'A256GCM' }), ...rest].join('.'));
        expect(reading.shape).toBe('jwe');
        expect(reading.reason).toMatch(/encrypted/);
      }),
    );
  });

  test('fast-check: two dotted words (hello.world) are not a JWT, and not called opaque', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,7}\.[a-z]{1,7}$/), (text) => {
        const reading = describeTokenShape(text);
        expect(reading.shape).toBe('not-jwt');
        expect(reading.reason).toMatch(/2 dot-separated parts.*a JWT has 3/);
      }),
    );
    expect(describeTokenShape('hello.world').reason).toMatch(/too short to be a token/);
  });

  test('fast-check: RFC 7519 §7.2: a first part that is JSON but not an object is not a JWT, with the reason', () => {
    fc.assert(
      fc.property(notObject, jsonObject, randomToken, (header, payload, sig) => {
        const reading = describeTokenShape(`${part(header)}.${part(payload)}.${sig}`);
        expect(reading.shape).toBe('not-jwt');
        expect(reading.reason).toMatch(
          /not a JOSE header \(it decodes to JSON but to (an array|a number|a string|a boolean|null), not an object\)/,
        );
      }),
    );
  });

  test('fast-check: a claims part after a header that is not base64url JSON is not a JWT', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z$!*]{1,12}$/), jsonObject, randomToken, (first, payload, sig) => {
        const reading = describeTokenShape(`${first}.${part({ sub: 'x', ...payload })}.${sig}`);
        expect(reading.shape).toBe('not-jwt');
        expect(reading.reason).toMatch(/^it has three dot-separated parts like a JWT, but its first part/);
      }),
    );
  });

  test('fast-check: RFC 6749 §10.10: long random strings without JWT structure are opaque, said why', () => {
    fc.assert(
      fc.property(randomToken, fc.constantFrom('', '0.', 'ya29.', 'M.C105_BAY.'), (token, prefix) => {
        fc.pre(!token.startsWith('eyJ') && /[A-Z]/.test(token) && /[a-z0-9]/.test(token));
        const reading = describeTokenShape(prefix + token);
        fc.pre(!(prefix + token).split('.').some((p) => p.startsWith('eyJ')));
        expect(reading.shape).toBe('opaque');
        expect(reading.reason).toMatch(/long and random/);
      }),
    );
  });

  test('fast-check: never throws, and every shape but jwt and empty has a reason', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const reading = describeTokenShape(text);
        if (reading.shape !== 'jwt' && reading.shape !== 'empty') expect(reading.reason).not.toBe('');
      }),
      { numRuns: 500 },
    );
  });
});
