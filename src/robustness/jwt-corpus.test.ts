/**
 * Bad-input corpus for the token decoder, the claim explanations and the signature check: malformed
 * and hostile JWTs must each get a precise, bounded message and never an uncaught exception.
 * Cases named in a "Regression" comment pin defects this corpus found and that are now fixed.
 * failing once the code is fixed (then move them to the passing table).
 */
import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { describeTime, explainClaim, explainHeader } from '../protocol/claims.ts';
import { InvalidJwtError, LabError } from '../protocol/errors.ts';
import { classifyToken, decodeJwt, isPast, normalizeToken } from '../protocol/jwt.ts';
import { precheckSignature, verifyJwtSignature } from '../protocol/verify.ts';
import { toStepFailure } from '../flows/runner.ts';
import { explainFailure } from '../ui/explain-error.ts';

/** A message the user can read: not empty, not a wall of pasted input. */
const MAX_MESSAGE = 500;

const b64u = (text: string | Uint8Array): string => Buffer.from(text).toString('base64url');
const enc = (value: unknown): string => b64u(JSON.stringify(value));
const raw = (text: string): string => b64u(text);

const HEADER = enc({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
const PAYLOAD = enc({ iss: 'https://login.microsoftonline.com/t/v2.0', sub: 's', exp: 1_700_000_000 });
const SIG = b64u('not-a-real-signature');
const jwt = (header: unknown, payload: unknown, signature = SIG): string =>
  `${enc(header)}.${enc(payload)}.${signature}`;
const withPayload = (payload: unknown): string => `${HEADER}.${enc(payload)}.${SIG}`;

interface Rejected {
  readonly token: string;
  /** What the message must say, specifically. */
  readonly says: RegExp;
}

const MB = 1024 * 1024;

/** Tokens decodeJwt must refuse with InvalidJwtError, and what its message must name. */
const REJECTED: Record<string, Rejected> = {
  'empty string': { token: '', says: /empty/ },
  'only spaces and newlines': { token: '  \n\t ', says: /empty/ },
  'only a Bearer prefix': { token: 'Bearer ', says: /Bearer/ },
  'Bearer prefix twice': { token: `Bearer Bearer ${HEADER}.${PAYLOAD}.${SIG}`, says: /whitespace/ },
  'no dots (opaque token)': { token: 'abcdef', says: /no dots at all/ },
  'two parts': { token: `${HEADER}.${PAYLOAD}`, says: /3 parts.*has 2/ },
  'four parts': { token: `${HEADER}.${PAYLOAD}.${SIG}.x`, says: /has 4/ },
  'six parts': { token: 'a.b.c.d.e.f', says: /has 6/ },
  'five parts: a JWE': { token: `${enc({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`, says: /JWE/ },
  'five empty parts': { token: '....', says: /JWE/ },
  'only dots': { token: '..', says: /header part is empty/ },
  'empty header': { token: `.${PAYLOAD}.${SIG}`, says: /header part is empty/ },
  'empty payload': { token: `${HEADER}..${SIG}`, says: /payload part is empty/ },
  'padding in header': { token: `${HEADER}=.${PAYLOAD}.${SIG}`, says: /"=" padding/ },
  'padding in payload': { token: `${HEADER}.${PAYLOAD}==.${SIG}`, says: /payload.*"=" padding/ },
  'padding in signature': { token: `${HEADER}.${PAYLOAD}.${SIG}=`, says: /signature.*"=" padding/ },
  'standard base64 "+" in header': {
    token: `${HEADER.slice(0, 4)}+${HEADER.slice(5)}.${PAYLOAD}.${SIG}`,
    says: /standard base64/,
  },
  'standard base64 "/" in payload': {
    token: `${HEADER}.${PAYLOAD.slice(0, 4)}/${PAYLOAD.slice(5)}.${SIG}`,
    says: /standard base64/,
  },
  'standard base64 "/" in signature': {
    token: `${HEADER}.${PAYLOAD}.ab/cd`,
    says: /signature.*standard base64/,
  },
  'whole token in standard base64 with padding': {
    token: `${Buffer.from('{"alg":"RS256"}?').toString('base64')}.${PAYLOAD}.${SIG}`,
    says: /padding|standard base64/,
  },
  'header length 4n+1': { token: `AAAAA.${PAYLOAD}.${SIG}`, says: /not a possible base64url length/ },
  'payload of one character': { token: `${HEADER}.e.${SIG}`, says: /not a possible base64url length/ },
  'signature length 4n+1': { token: `${HEADER}.${PAYLOAD}.abcde`, says: /signature.*not a possible/ },
  'space inside': { token: `${HEADER}. ${PAYLOAD}.${SIG}`, says: /whitespace.*position/ },
  'line break inside (wrapped by a mail client)': {
    token: `${HEADER}.${PAYLOAD.slice(0, 10)}\n${PAYLOAD.slice(10)}.${SIG}`,
    says: /line break/,
  },
  'CRLF inside': { token: `${HEADER}\r\n.${PAYLOAD}.${SIG}`, says: /whitespace|line break/ },
  'tab inside': { token: `${HEADER}.\t${PAYLOAD}.${SIG}`, says: /whitespace/ },
  'non-breaking space inside': { token: `${HEADER}.\u00a0${PAYLOAD}.${SIG}`, says: /whitespace/ },
  'BOM inside': { token: `${HEADER}.${PAYLOAD}\ufeff.${SIG}`, says: /whitespace/ },
  'quoted token (copied from JSON)': {
    token: `"${HEADER}.${PAYLOAD}.${SIG}"`,
    says: /character “"” at position 1/,
  },
  'angle brackets: HTML': { token: '<script>alert(1)</script>.a.b', says: /character “<”/ },
  'HTML page pasted': { token: '<html><body>Sign in</body></html>', says: /whitespace/ },
  'cty JWT with the nested token as a JSON string payload': {
    token: `${enc({ alg: 'RS256', cty: 'JWT' })}.${enc(jwt({ alg: 'none' }, {}))}.${SIG}`,
    says: /payload decodes to JSON but to a string/,
  },
  'JSON pasted instead of a token': { token: '{"access_token":"x"}', says: /no dots|not in the base64url/ },
  'percent-encoded dots': { token: `${HEADER}%2E${PAYLOAD}%2E${SIG}`, says: /no dots|character “%”/ },
  'non-ASCII letter in header': {
    token: `${HEADER.slice(0, 3)}é${HEADER.slice(3)}.${PAYLOAD}.${SIG}`,
    says: /character “é”.*not in the base64url/,
  },
  'emoji in signature': { token: `${HEADER}.${PAYLOAD}.ab🙂cd`, says: /signature.*not in the base64url/ },
  'fullwidth letters (IME)': { token: `ｅｙＪ.${PAYLOAD}.${SIG}`, says: /not in the base64url/ },
  'header is not JSON': {
    token: `${raw('not json at all')}.${PAYLOAD}.${SIG}`,
    says: /header is valid base64url but does not decode to JSON/,
  },
  'payload is not JSON': {
    token: `${HEADER}.${raw('hello world')}.${SIG}`,
    says: /payload is valid base64url but does not decode to JSON/,
  },
  'payload is truncated JSON': {
    token: `${HEADER}.${raw('{"sub":"abc"')}.${SIG}`,
    says: /payload.*does not decode to JSON/,
  },
  'payload is JSON with a trailing comma': {
    token: `${HEADER}.${raw('{"a":1,}')}.${SIG}`,
    says: /does not decode to JSON/,
  },
  'payload is single-quoted pseudo-JSON': {
    token: `${HEADER}.${raw("{'a':1}")}.${SIG}`,
    says: /does not decode to JSON/,
  },
  'payload is binary garbage': {
    token: `${HEADER}.${b64u(new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0x90]))}.${SIG}`,
    says: /does not decode to JSON/,
  },
  'payload is an array': { token: withPayload([1, 2, 3]), says: /payload decodes to JSON but to an array/ },
  'payload is null': { token: withPayload(null), says: /payload decodes to JSON but to null/ },
  'payload is a string': { token: withPayload('claims'), says: /payload decodes to JSON but to a string/ },
  'payload is a number': { token: withPayload(42), says: /to a number/ },
  'payload is true': { token: withPayload(true), says: /to a boolean/ },
  'header is an array': {
    token: `${enc(['RS256'])}.${PAYLOAD}.${SIG}`,
    says: /header decodes to JSON but to an array/,
  },
  'header is null': { token: `${enc(null)}.${PAYLOAD}.${SIG}`, says: /header decodes to JSON but to null/ },
  '1 MB of garbage without dots': { token: '!'.repeat(MB), says: /no dots|not in the base64url/ },
  '1 MB of base64url letters without dots': { token: 'A'.repeat(MB), says: /no dots at all/ },
  '1 MB payload that is not JSON': {
    token: `${HEADER}.${raw('x'.repeat(MB))}.${SIG}`,
    says: /payload.*does not decode to JSON/,
  },
  '1 MB token with a space at the end of the payload': {
    token: `${HEADER}.${'A'.repeat(MB)} x.${SIG}`,
    says: /whitespace.*position/,
  },
  '100 000 dots': { token: '.'.repeat(100_000), says: /has 100001/ },
};

/** Tokens whose message names the invisible character with a visible code point. */
const INVISIBLE: Record<string, Rejected> = {
  'zero-width space inside the header (pasted from chat)': {
    token: `${HEADER.slice(0, 5)}\u200b${HEADER.slice(5)}.${PAYLOAD}.${SIG}`,
    says: /U\+200B/,
  },
  'zero-width joiner in the payload': {
    token: `${HEADER}.${PAYLOAD.slice(0, 5)}\u200d${PAYLOAD.slice(5)}.${SIG}`,
    says: /U\+200D/,
  },
  'right-to-left override in the header': {
    token: `${HEADER.slice(0, 5)}\u202e${HEADER.slice(5)}.${PAYLOAD}.${SIG}`,
    says: /U\+202E/,
  },
  'left-to-right mark in the signature': { token: `${HEADER}.${PAYLOAD}.ab\u200ecd`, says: /U\+200E/ },
  'NUL control character in the header': {
    token: `${HEADER.slice(0, 5)}\u0000${HEADER.slice(5)}.${PAYLOAD}.${SIG}`,
    says: /U\+0000/,
  },
  'BEL control character in the payload': {
    token: `${HEADER}.${PAYLOAD.slice(0, 5)}\u0007${PAYLOAD.slice(5)}.${SIG}`,
    says: /U\+0007/,
  },
  'DEL control character in the signature': { token: `${HEADER}.${PAYLOAD}.ab\u007fcd`, says: /U\+007F/ },
  'soft hyphen in the header': {
    token: `${HEADER.slice(0, 5)}\u00ad${HEADER.slice(5)}.${PAYLOAD}.${SIG}`,
    says: /U\+00AD/,
  },
};

function expectRejected(token: string, says: RegExp): void {
  let thrown: unknown;
  try {
    decodeJwt(token);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidJwtError);
  const error = thrown as InvalidJwtError;
  expect(error.code).toBe('INVALID_JWT');
  expect(error.message).toMatch(says);
  expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  const explanation = explainFailure(toStepFailure(error));
  expect(explanation.title).toBe('Malformed token');
  // The shape test the UI runs first never throws either.
  expect(['jwt', 'jwe', 'opaque', 'not-jwt', 'empty']).toContain(classifyToken(token));
}

describe('decodeJwt refuses malformed and hostile tokens with a precise message', () => {
  test.each(Object.entries(REJECTED))('%s', (_name, { token, says }) => {
    expectRejected(token, says);
  });
});

describe('invisible characters are named by code point, not quoted invisibly', () => {
  // Regression (src/protocol/jwt.ts, base64urlProblem): the message quotes the raw character between
  // the quotes (`character "" at position 6`), which renders as nothing, or reverses the sentence
  // for U+202E. It should name the code point.
  test.each(Object.entries(INVISIBLE))('%s', (_name, { token, says }) => {
    expectRejected(token, says);
  });
  test.each(Object.entries(INVISIBLE))('%s is still refused as INVALID_JWT', (_name, { token }) => {
    expect(() => decodeJwt(token)).toThrow(InvalidJwtError);
  });
});

/** Hostile tokens that are well-formed: they decode, and every claim is explained without a throw. */
const DECODED: Record<
  string,
  { token: string; check?: (header: Record<string, unknown>, payload: Record<string, unknown>) => void }
> = {
  'alg none with an empty signature': {
    token: `${enc({ alg: 'none' })}.${PAYLOAD}.`,
    check: (h) => expect(explainHeader('alg', h['alg']).note).toMatch(/Unsigned/),
  },
  'alg NONE in capitals': {
    token: `${enc({ alg: 'NONE' })}.${PAYLOAD}.`,
    check: (h) => expect(explainHeader('alg', h['alg']).note).toMatch(/never be accepted/),
  },
  'alg HS256 (shared secret)': {
    token: jwt({ alg: 'HS256' }, {}),
    check: (h) => expect(explainHeader('alg', h['alg']).note).toMatch(/shared-secret/),
  },
  'alg is a number': { token: jwt({ alg: 256 }, { sub: 'x' }) },
  'alg is an object': { token: jwt({ alg: { name: 'RS256' } }, { sub: 'x' }) },
  'empty header object': { token: jwt({}, { sub: 'x' }) },
  'empty claims object': { token: jwt({ alg: 'RS256' }, {}) },
  'nested JWT in a claim': {
    token: withPayload({ inner: jwt({ alg: 'none' }, { sub: 'inner' }), cty: 'JWT' }),
    check: (_h, p) => expect(typeof p['inner']).toBe('string'),
  },
  'unicode claims (CJK, emoji, combining marks)': {
    token: withPayload({ name: '山田 太郎 🙂', family_name: 'Zoë', given_name: 'e\u0301' }),
    check: (_h, p) => expect(explainClaim('name', p['name'], 'id').display).toBe('山田 太郎 🙂'),
  },
  'RTL override in the name claim': {
    token: withPayload({ name: 'moc.elpmaxe@\u202eevil', preferred_username: '\u202eadmin' }),
    check: (_h, p) => expect(explainClaim('name', p['name'], 'id').display).toContain('\u202e'),
  },
  'zero-width characters in sub and oid': { token: withPayload({ sub: 'a\u200bb', oid: '\u200d' }) },
  'control characters in claim values': {
    token: withPayload({ name: 'a\u0000b\u0007c\u001b[31m', amr: ['\u0000'] }),
  },
  'control characters in claim names': { token: withPayload({ 'a\u0000b': 1, '\u001b[2J': 'clear screen' }) },
  '__proto__ claim name': {
    token: `${HEADER}.${raw('{"__proto__":{"polluted":"yes"},"sub":"s"}')}.${SIG}`,
    check: (_h, p) => {
      expect(Object.hasOwn(p, '__proto__')).toBe(true);
      expect(explainClaim('__proto__', p['__proto__'], 'access').meaning).toMatch(/does not know/);
    },
  },
  'constructor and prototype claim names': {
    token: withPayload({ constructor: 'x', prototype: { a: 1 }, toString: 'y', hasOwnProperty: 1 }),
    check: (_h, p) => {
      expect(explainClaim('constructor', p['constructor'], 'access').meaning).toMatch(/does not know/);
      expect(explainClaim('toString', p['toString'], 'id').display).toBe('y');
    },
  },
  '__proto__ in the header': {
    token: `${raw('{"alg":"RS256","__proto__":{"alg":"none"}}')}.${PAYLOAD}.${SIG}`,
  },
  'exp as a numeric string': {
    token: withPayload({ exp: '1700000000', nbf: '0', iat: '1e10' }),
    check: (_h, p) => {
      expect(explainClaim('exp', p['exp'], 'access').isTime).toBe(false);
      expect(isPast(p['exp'], Date.now())).toBe(false);
    },
  },
  'exp as an object, array and boolean': {
    token: withPayload({ exp: { $date: 1 }, nbf: [1, 2], iat: true }),
    check: (_h, p) => expect(explainClaim('exp', p['exp'], 'id').display).toBe('{"$date":1}'),
  },
  'exp beyond the Date range': {
    token: withPayload({ exp: 1e300, iat: -1e300, nbf: 8.64e12 }),
    check: (_h, p) => expect(describeTime(p['exp'] as number, Date.now()).iso).toBe('not a valid time'),
  },
  'exp as a float with a fraction': { token: withPayload({ exp: 1700000000.999 }) },
  'exp as negative zero': { token: withPayload({ exp: -0 }) },
  'exp as 1e999 (Infinity after parse)': { token: `${HEADER}.${raw('{"exp":1e999}')}.${SIG}` },
  'duplicate claim names (last one wins)': {
    token: `${HEADER}.${raw('{"sub":"first","sub":"second"}')}.${SIG}`,
  },
  'null claim values': { token: withPayload({ sub: null, aud: null, scp: null, roles: null }) },
  'aud as a long array': {
    token: withPayload({ aud: Array.from({ length: 5000 }, (_, i) => `api://${i}`) }),
  },
  'HTML and script in claim values': {
    token: withPayload({ name: '<img src=x onerror=alert(1)>', iss: 'javascript:alert(1)' }),
    check: (_h, p) =>
      expect(explainClaim('name', p['name'], 'id').display).toBe('<img src=x onerror=alert(1)>'),
  },
  'payload with leading whitespace in its JSON': { token: `${HEADER}.${raw('\n {"sub":"s"}')}.${SIG}` },
  'payload in invalid UTF-8 but JSON-shaped': {
    token: `${HEADER}.${b64u(Buffer.concat([Buffer.from('{"n":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]))}.${SIG}`,
  },
  'empty signature on an RS256 header': { token: `${HEADER}.${PAYLOAD}.` },
  'Bearer prefix in lower case': { token: `bearer ${HEADER}.${PAYLOAD}.${SIG}` },
  'surrounding whitespace and newlines': { token: `\n\t  ${HEADER}.${PAYLOAD}.${SIG}  \r\n` },
  '1 MB payload of valid claims': {
    token: withPayload({ blob: 'x'.repeat(MB) }),
    check: (_h, p) => expect(explainClaim('blob', p['blob'], 'access').display.length).toBe(MB),
  },
  'thousands of claims': {
    token: withPayload(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`c${i}`, i]))),
  },
  'deep object (500 levels) in a claim': {
    token: `${HEADER}.${raw(`{"x":${'{"a":'.repeat(500)}1${'}'.repeat(500)}}`)}.${SIG}`,
  },
};

/** Decodes, then explains every header parameter and claim as the token view does. */
function explainAll(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const decoded = decodeJwt(token);
  for (const [name, value] of Object.entries(decoded.header)) {
    const explanation = explainHeader(name, value);
    expect(typeof explanation.display).toBe('string');
    expect(explanation.meaning).not.toBe('');
  }
  for (const kind of ['access', 'id'] as const) {
    for (const [name, value] of Object.entries(decoded.payload)) {
      const explanation = explainClaim(name, value, kind);
      expect(typeof explanation.display).toBe('string');
      if (explanation.isTime) expect(typeof describeTime(value as number, Date.now()).iso).toBe('string');
    }
  }
  return decoded;
}

describe('hostile but well-formed tokens decode and every claim is explained', () => {
  test.each(Object.entries(DECODED))('%s', (_name, { token, check }) => {
    const { header, payload } = explainAll(token);
    check?.(header, payload);
    expect(classifyToken(token)).toBe('jwt');
    // Nothing leaked onto Object.prototype from a hostile claim name.
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('claim explanations survive any JSON value', () => {
  const deepArray = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
  const VALUES: Record<string, unknown> = {
    'an empty array': [],
    'an array of nulls': [null, null],
    'an array of objects': [{ a: 1 }, { b: [2] }],
    'a nested array 100 levels deep': deepArray(100),
    'an object with __proto__ as own key': JSON.parse('{"__proto__":{"x":1}}'),
    'a 1 MB string': 'y'.repeat(MB),
    NaN: NaN,
    'negative infinity': -Infinity,
    'a bigint (never from JSON, but typed unknown)': 10n,
    undefined: undefined,
  };
  test.each(Object.entries(VALUES))('%s, under every known claim name', (_name, value) => {
    for (const name of [
      'exp',
      'aud',
      'scp',
      'roles',
      'azpacr',
      'appidacr',
      'ver',
      'idtyp',
      'tid',
      'iss',
      'groups',
    ]) {
      expect(typeof explainClaim(name, value, 'access').display).toBe('string');
      expect(typeof explainClaim(name, value, 'id').display).toBe('string');
    }
    expect(typeof explainHeader('alg', value).display).toBe('string');
  });

  // Regression (src/protocol/claims.ts, formatValue): arrays are formatted by unbounded recursion, so a
  // 20 kB token with a claim nested 10 000 arrays deep throws RangeError out of explainClaim and the
  // token view's render (the inspector falls to the error boundary and the pasted token is lost).
  test.each([
    ['10 000 levels', 10_000],
    ['100 000 levels (a 200 kB token)', 100_000],
  ])('a claim of arrays nested %s deep is explained without a stack overflow', (_name, depth) => {
    const token = `${HEADER}.${raw(`{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`)}.${SIG}`;
    const { payload } = decodeJwt(token);
    expect(typeof explainClaim('x', payload['x'], 'access').display).toBe('string');
  });
});

describe('normalizeToken and classifyToken never throw', () => {
  const INPUTS: Record<string, string> = {
    'a lone dot': '.',
    'Bearer with tabs': 'Bearer\t\tabc',
    'BEARER in capitals': 'BEARER x.y.z',
    'a 1 MB string of dots and letters': 'a.'.repeat(MB / 2),
    'eyJ prefix followed by garbage': 'eyJ!!!',
    'an unpaired surrogate': '\ud800.x.y',
    'a header that decodes to a string': `${enc('x')}.y.z`,
  };
  test.each(Object.entries(INPUTS))('%s', (_name, input) => {
    expect(typeof normalizeToken(input)).toBe('string');
    expect(['jwt', 'jwe', 'opaque', 'not-jwt', 'empty']).toContain(classifyToken(input));
  });
});

describe('signature verdicts for hostile tokens: never "valid", never a crash', () => {
  let jwks: JSONWebKeySet;
  let good: string;
  let privateKey: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey as CryptoKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
    good = await new SignJWT({ sub: 's', iss: 'https://issuer.example' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .sign(privateKey);
  });

  test('control: the untouched token is valid', async () => {
    expect(await verifyJwtSignature(good, jwks)).toMatchObject({ kind: 'valid', alg: 'RS256', kid: 'k1' });
  });

  type Mutation = (token: string) => string;
  const parts = (t: string): [string, string, string] => t.split('.') as [string, string, string];
  const CASES: Record<string, { mutate: Mutation; kind: RegExp; says: RegExp }> = {
    'payload altered (scope escalation)': {
      mutate: (t) => `${parts(t)[0]}.${enc({ sub: 's', scp: 'Directory.ReadWrite.All' })}.${parts(t)[2]}`,
      kind: /^invalid$/,
      says: /does not match/,
    },
    'signature truncated by two characters': {
      mutate: (t) => t.slice(0, -2),
      kind: /^invalid$/,
      says: /.+/,
    },
    'signature emptied': { mutate: (t) => `${parts(t)[0]}.${parts(t)[1]}.`, kind: /^invalid$/, says: /.+/ },
    'signature from another token': {
      mutate: (t) => `${parts(t)[0]}.${parts(t)[1]}.${b64u(new Uint8Array(256))}`,
      kind: /^invalid$/,
      says: /does not match/,
    },
    'alg switched to none, signature kept': {
      mutate: (t) => `${enc({ alg: 'none', kid: 'k1' })}.${parts(t)[1]}.${parts(t)[2]}`,
      kind: /^unsigned$/,
      says: /not signed/,
    },
    'alg switched to nOnE': {
      mutate: (t) => `${enc({ alg: 'nOnE' })}.${parts(t)[1]}.`,
      kind: /^unsigned$/,
      says: /not signed/,
    },
    'alg switched to HS256 (key confusion)': {
      mutate: (t) => `${enc({ alg: 'HS256', kid: 'k1' })}.${parts(t)[1]}.${parts(t)[2]}`,
      kind: /^needs-secret$/,
      says: /HMAC/,
    },
    'alg switched to an unknown name': {
      mutate: (t) => `${enc({ alg: 'XYZ999', kid: 'k1' })}.${parts(t)[1]}.${parts(t)[2]}`,
      kind: /^unsupported-alg$/,
      says: /XYZ999/,
    },
    'kid of a key not in the set': {
      mutate: (t) => `${enc({ alg: 'RS256', kid: 'rolled-over' })}.${parts(t)[1]}.${parts(t)[2]}`,
      kind: /^(no-key|invalid)$/,
      says: /rolled-over|does not match/,
    },
    'kid is an object': {
      mutate: (t) => `${enc({ alg: 'RS256', kid: { evil: true } })}.${parts(t)[1]}.${parts(t)[2]}`,
      kind: /^(no-key|invalid)$/,
      says: /.+/,
    },
    'unknown critical header': {
      mutate: (t) =>
        `${enc({ alg: 'RS256', kid: 'k1', crit: ['exp'], exp: 1 })}.${parts(t)[1]}.${parts(t)[2]}`,
      kind: /^invalid$/,
      says: /.+/,
    },
    'Graph token with a header nonce': {
      mutate: (t) =>
        `${enc({ alg: 'RS256', kid: 'k1', nonce: 'abc' })}.${enc({ aud: 'https://graph.microsoft.com' })}.${parts(t)[2]}`,
      kind: /^not-verifiable$/,
      says: /only Graph/,
    },
  };

  test.each(Object.entries(CASES))('%s', async (_name, { mutate, kind, says }) => {
    const verdict = await verifyJwtSignature(mutate(good), jwks);
    expect(verdict.kind).toMatch(kind);
    expect(verdict.kind).not.toBe('valid');
    if (verdict.kind !== 'valid') {
      expect(verdict.reason).toMatch(says);
      expect(verdict.reason.length).toBeLessThanOrEqual(MAX_MESSAGE);
    }
  });

  test.each([
    ['an empty key set', { keys: [] }],
    [
      'a key set of an EC key under the same kid',
      { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'k1' }] },
    ],
    ['a key set holding a junk key', { keys: [{ kty: 'RSA', kid: 'k1', n: '!!', e: 'AQAB' }] }],
  ])('a valid token against %s is never "valid"', async (_name, set) => {
    const verdict = await verifyJwtSignature(good, set as JSONWebKeySet);
    expect(verdict.kind).not.toBe('valid');
  });

  test.each([
    ['a malformed token', 'abc'],
    ['a signature cut to an impossible length', `${HEADER}.${PAYLOAD}.abcde`],
    ['a JWE', 'a.b.c.d.e'],
    ['a payload that is an array', withPayload([])],
  ])('%s is refused with a typed INVALID_JWT, not a raw error', async (_name, token) => {
    await expect(verifyJwtSignature(token, { keys: [] })).rejects.toBeInstanceOf(LabError);
  });

  test.each([
    ['a missing alg', {}],
    ['a numeric alg', { alg: 256 }],
    ['an array alg', { alg: ['RS256'] }],
  ])('%s is never verified, only refused', (_name, header) => {
    const verdict = precheckSignature(header, {});
    expect(verdict?.kind).toMatch(/^(unsigned|invalid)$/);
  });

  // Regression (src/protocol/verify.ts, precheckSignature): a header without alg, or with a non-string
  // alg, gets the reason 'The header says alg “none”', which is not what the header says.
  test.each([
    ['a missing alg', {}],
    ['a numeric alg', { alg: 256 }],
  ])('%s is not reported as alg “none”', (_name, header) => {
    const verdict = precheckSignature(header, {});
    expect(verdict && 'reason' in verdict ? verdict.reason : '').not.toMatch(/says alg “none”/);
  });
});
