import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { RecordedRequest } from './http.ts';
import {
  buildCurlSnippet,
  buildFetchSnippet,
  buildPowerShellSnippet,
  quoteJavaScript,
  quotePosixShell,
  quotePowerShell,
  toWellFormed,
} from './snippets.ts';
import { buildTokenRequest } from './token.ts';
const request = buildTokenRequest(
  'https://login.microsoftonline.com/common/oauth2/v2.0/token',
  [
    ['grant_type', 'authorization_code'],
    ['client_id', '1950a258-227b-4e31-a9cf-717495945fc2'],
    ['scope', 'https://graph.microsoft.com/.default offline_access openid'],
    ['code', "0.AQIA'quote&amp=equals+plus"],
    ['redirect_uri', 'http://localhost:1337/'],
  ],
  { method: 'client_secret_post', clientSecret: "s3cr'et~value" },
);

/*
 * PowerShell is not installed here (no `powershell` package for this distribution), so its quoting is
 * checked against a reference reader of the PowerShell grammar the snippets use, written from the
 * language specification, not from our quoting code:
 * - §2.3.5.2 string literals: a verbatim string is single-quote-character … single-quote-character,
 *   where single-quote-character is any of ' U+2018 U+2019 U+201A U+201B; inside it, a pair of them
 *   stands for one character (the tokenizer keeps the second), and nothing else is special.
 *   https://learn.microsoft.com/powershell/scripting/lang-spec/chapter-02#2352-string-literals
 *   https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules
 * - `[char]0x…` casts a number to one UTF-16 unit; `[char]::ConvertFromUtf32(0x…)` gives a code point.
 * - `+` with a string on the left concatenates; parentheses group.
 */
const PS_QUOTE = /['\u2018\u2019\u201A\u201B]/;

class PsReader {
  at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  skipSpaces(): void {
    while (this.text[this.at] === ' ') this.at += 1;
  }

  expect(literal: string): void {
    this.skipSpaces();
    if (!this.text.startsWith(literal, this.at))
      throw new Error(
        `expected ${literal} at ${this.at}: ${JSON.stringify(this.text.slice(this.at, this.at + 20))}`,
      );
    this.at += literal.length;
  }

  /** §2.3.5.2 verbatim string: ends at a single-quote-character not followed by another. */
  verbatim(): string {
    this.skipSpaces();
    const open = this.text[this.at];
    if (open === undefined || !PS_QUOTE.test(open)) throw new Error(`no string at ${this.at}`);
    this.at += 1;
    let out = '';
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) throw new Error('unterminated string');
      this.at += 1;
      if (PS_QUOTE.test(c)) {
        const next = this.text[this.at];
        if (next === undefined || !PS_QUOTE.test(next)) return out;
        this.at += 1;
        out += next;
      } else {
        out += c;
      }
    }
  }

  /** One term: a verbatim string, [char]0x…, [char]::ConvertFromUtf32(0x…), or ( expression ). */
  term(): string {
    this.skipSpaces();
    const rest = this.text.slice(this.at);
    const cast = /^\[char\]0x([0-9A-F]+)/.exec(rest);
    if (cast?.[1] !== undefined) {
      this.at += cast[0].length;
      return String.fromCharCode(parseInt(cast[1], 16));
    }
    const utf32 = /^\[char\]::ConvertFromUtf32\(0x([0-9A-F]+)\)/.exec(rest);
    if (utf32?.[1] !== undefined) {
      this.at += utf32[0].length;
      return String.fromCodePoint(parseInt(utf32[1], 16));
    }
    if (rest.startsWith('(')) {
      this.at += 1;
      const value = this.expression();
      this.expect(')');
      return value;
    }
    return this.verbatim();
  }

  expression(): string {
    const first = this.term();
    let value = first;
    for (;;) {
      this.skipSpaces();
      if (this.text[this.at] !== '+') return value;
      this.at += 1;
      value += this.term();
    }
  }

  /** A hashtable key: a bare simple name or an expression. */
  key(): string {
    this.skipSpaces();
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.at));
    if (bare !== null) {
      this.at += bare[0].length;
      return bare[0];
    }
    return this.expression();
  }
}

/** Reads a PowerShell snippet back: the URL, the hashtables and the string body, as PowerShell would. */
function readPowerShell(snippet: string): {
  url: string;
  body?: [string, string][] | string;
  headers: [string, string][];
} {
  const reader = new PsReader(snippet);
  let body: [string, string][] | string | undefined;
  const headers: [string, string][] = [];
  const hashtable = (into: [string, string][]) => {
    reader.expect('@{');
    reader.expect('\n');
    for (;;) {
      reader.skipSpaces();
      if (snippet.startsWith('}', reader.at)) break;
      const name = reader.key();
      reader.expect('=');
      into.push([name, reader.expression()]);
      reader.expect('\n');
    }
    reader.expect('}');
    reader.expect('\n');
  };
  for (;;) {
    const rest = snippet.slice(reader.at);
    if (rest.startsWith('$Body = @{')) {
      reader.expect('$Body =');
      body = [];
      hashtable(body);
    } else if (rest.startsWith('$Body = ')) {
      reader.expect('$Body =');
      body = reader.expression();
      reader.expect('\n');
    } else if (rest.startsWith('$Headers = @{')) {
      reader.expect('$Headers =');
      hashtable(headers);
    } else break;
  }
  reader.expect('Invoke-RestMethod');
  const url = reader.expression();
  return { url, headers, ...(body === undefined ? {} : { body }) };
}

/** Runs the curl snippet in a real POSIX sh, with `curl` as a function that prints its arguments. */
function runCurlInSh(snippet: string): string[] {
  const script = `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${snippet}\n`;
  const out = execFileSync('sh', ['-c', script], { encoding: 'buffer' });
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(out).split('\0').slice(0, -1);
}

/** The body curl would send for those arguments (curl encodes with %XX for all but A-Za-z0-9-._~). */
function bodyFromCurlArgs(args: string[]): URLSearchParams {
  const pieces: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i + 1] ?? '';
    if (args[i] === '--data-raw') pieces.push(arg);
    if (args[i] === '--data-urlencode') {
      const at = arg.indexOf('=');
      const encoded = encodeURIComponent(arg.slice(at + 1)).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
      pieces.push(`${arg.slice(0, at)}=${encoded}`);
    }
  }
  return new URLSearchParams(pieces.join('&'));
}

/** Runs the fetch snippet as JavaScript with a stand-in fetch, and returns what it would send. */
async function runFetch(snippet: string): Promise<{ url: string; init: RequestInit }> {
  const calls: { url: string; init: RequestInit }[] = [];
  const fakeFetch = (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve({ status: 200, json: () => Promise.resolve({}) });
  };
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  await new AsyncFunction('fetch', 'console', snippet)(fakeFetch, { log: () => undefined });
  expect(calls).toHaveLength(1);
  return calls[0]!;
}

function bodyFromPowerShell(snippet: string): URLSearchParams {
  const { body } = readPowerShell(snippet);
  return typeof body === 'string' ? new URLSearchParams(body) : new URLSearchParams(body ?? []);
}

function bodyFromCurl(snippet: string): URLSearchParams {
  return bodyFromCurlArgs(runCurlInSh(snippet));
}

async function bodyFromFetch(snippet: string): Promise<URLSearchParams> {
  const { init } = await runFetch(snippet);
  return new URLSearchParams(init.body as URLSearchParams);
}

describe('snippets', () => {
  test('PowerShell, curl and fetch encode exactly the same body as the request', async () => {
    const expected = [...new URLSearchParams(request.body)];
    expect([...bodyFromPowerShell(buildPowerShellSnippet(request, true))]).toEqual(expected);
    expect([...bodyFromCurl(buildCurlSnippet(request, true))]).toEqual(expected);
    expect([...(await bodyFromFetch(buildFetchSnippet(request, true)))]).toEqual(expected);
  });

  test('secrets are placeholders until revealed, in all three forms', () => {
    for (const build of [buildPowerShellSnippet, buildCurlSnippet, buildFetchSnippet]) {
      const masked = build(request);
      expect(masked).not.toContain('s3cr');
      expect(masked).not.toContain('0.AQIA');
      expect(masked).toContain('<client_secret>');
      expect(build(request, true)).toContain('s3cr');
    }
  });

  test("the guide's PowerShell shape: a $Body hashtable and Invoke-RestMethod -Method POST -Body $Body", () => {
    const snippet = buildPowerShellSnippet(request);
    expect(snippet.split('\n')[0]).toBe('$Body = @{');
    expect(snippet).toContain("    grant_type = 'authorization_code'");
    // Token requests ask for JSON (Accept), so the headers travel too.
    expect(snippet).toContain("    Accept = 'application/json'");
    expect(snippet.split('\n').at(-1)).toBe(
      "Invoke-RestMethod 'https://login.microsoftonline.com/common/oauth2/v2.0/token' -Method POST -Headers $Headers -Body $Body",
    );
  });

  test('a GET with a bearer header becomes -Headers, -H and headers', () => {
    const get = {
      method: 'GET' as const,
      url: 'https://graph.microsoft.com/v1.0/me',
      headers: [['Authorization', 'Bearer eyJ.x.y']] as const,
      secretFields: ['Authorization'],
    };
    expect(buildPowerShellSnippet(get)).toContain("Authorization = '<Authorization>'");
    expect(buildCurlSnippet(get, true)).toContain("-H 'Authorization: Bearer eyJ.x.y'");
    expect(buildFetchSnippet(get, true)).toContain('"Authorization": "Bearer eyJ.x.y"');
    expect(buildFetchSnippet(get)).not.toContain('body:');
  });
});

test('a JSON body is sent as JSON in all three forms', () => {
  const upload = {
    method: 'POST' as const,
    url: 'http://localhost:5174/portal/apps/x/certificates',
    headers: [['Content-Type', 'application/json']] as const,
    body: '{"pem":"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"}',
    secretFields: [],
  };
  expect(buildPowerShellSnippet(upload)).toContain(`-Body '${upload.body}'`);
  expect(buildCurlSnippet(upload)).toContain(`--data-raw '${upload.body}'`);
  expect(buildFetchSnippet(upload)).toContain(`body: ${JSON.stringify(upload.body)}`);
  expect(buildFetchSnippet(upload)).not.toContain('URLSearchParams');
});

describe('quoting any Unicode value (issue 8: snippets)', () => {
  /** Characters each target treats specially, and the ones that break naive quoting. */
  const SPECIALS = [
    "'",
    '"',
    '`',
    '$',
    '\\',
    '!',
    '\n',
    '\r',
    '\r\n',
    '\t',
    '\u0000',
    '\u001B',
    '\u007F',
    '\u0085',
    '‘',
    '’',
    '‚',
    '‛',
    '“',
    '”',
    '„',
    '$(',
    '${',
    "@'",
    "'@",
    '@"',
    '%',
    '^',
    '&',
    '=',
    '+',
    '#',
    '*',
    '~',
    ' ',
    ';',
    '|',
    '<',
    '>',
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    ',',
    '\u00A0',
    '\u200B',
    '\u200D',
    '\u202E',
    '\u2028',
    '\u2029',
    '\uFEFF',
    '\u{E0001}',
    '😀',
    '👩‍👩‍👧',
    'é',
    'e\u0301',
    '中文',
    '\uD800',
    '\uDFFF',
  ];
  const unit = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...SPECIALS) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 3 }) },
  );
  const anyValue = fc.string({ unit, maxLength: 24 });

  test('sh: each quoted value, run through a real sh, prints back exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          anyValue.filter((v) => !v.includes('\u0000')),
          { minLength: 1, maxLength: 40 },
        ),
        (values) => {
          const script = `printf '%s\\0' ${values.map(quotePosixShell).join(' ')}`;
          const out = execFileSync('sh', ['-c', script], { encoding: 'buffer' });
          const printed = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(out).split('\0').slice(0, -1);
          expect(printed).toEqual(values.map(toWellFormed));
        },
      ),
      { numRuns: 40 },
    );
  });

  test('sh: NUL cannot be in a shell argument, so it is refused', () => {
    expect(() => quotePosixShell('a\u0000b')).toThrow(/NUL/);
  });

  test('JavaScript: each literal evaluates back exactly, lone surrogates as U+FFFD (property)', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const literal = quoteJavaScript(value);
        expect(new Function(`return ${literal};`)()).toBe(toWellFormed(value));
        // Nothing invisible is left raw in the snippet's text.
        expect(literal).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
      }),
    );
  });

  test('PowerShell: each expression reads back exactly by the spec’s rules (property)', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const expression = quotePowerShell(value);
        const reader = new PsReader(expression);
        expect(reader.expression()).toBe(toWellFormed(value));
        expect(reader.done()).toBe(true);
        expect(expression).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
      }),
    );
  });

  test('PowerShell: the reference reader is strict — doubling only the ASCII quote fails on ’', () => {
    const naive = (v: string) => `'${v.replace(/'/g, "''")}'`;
    const reader = new PsReader(naive('it’s'));
    // The naive literal ends early at ’: the rest is left over, so the value is not what was meant.
    expect(reader.verbatim()).toBe('it');
    expect(reader.done()).toBe(false);
    expect(new PsReader(quotePowerShell('it’s')).expression()).toBe('it’s');
  });

  const pairs = fc.array(fc.tuple(fc.string({ unit, minLength: 1, maxLength: 10 }), anyValue), {
    minLength: 1,
    maxLength: 6,
  });

  test('any token request: all three snippets send exactly its form body (property, real sh)', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, fc.boolean(), async (parameters, withSecret) => {
        const req = buildTokenRequest(
          'https://login.example.com/t/oauth2/v2.0/token?x=‘1’',
          parameters,
          withSecret ? { method: 'client_secret_post', clientSecret: "s'‘$(x)\u0000`" } : { method: 'none' },
        );
        const expected = [...new URLSearchParams(req.body)];
        const ps = readPowerShell(buildPowerShellSnippet(req, true));
        expect([...bodyFromPowerShell(buildPowerShellSnippet(req, true))]).toEqual(expected);
        expect(ps.url).toBe(req.url);
        const curlArgs = runCurlInSh(buildCurlSnippet(req, true));
        expect(curlArgs.slice(0, 3)).toEqual(['-X', 'POST', req.url]);
        expect([...bodyFromCurlArgs(curlArgs)]).toEqual(expected);
        const sent = await runFetch(buildFetchSnippet(req, true));
        expect(sent.url).toBe(req.url);
        expect([...new URLSearchParams(sent.init.body as URLSearchParams)]).toEqual(expected);
      }),
      { numRuns: 30 },
    );
  });

  test('repeated names (and names equal ignoring case, or __proto__) keep every pair', async () => {
    const req = buildTokenRequest(
      'https://login.example.com/token',
      [
        ['scope', 'a'],
        ['Scope', 'b'],
        ['scope', 'c'],
        ['__proto__', 'd'],
        ['if', 'e'],
      ],
      { method: 'none' },
    );
    const expected = [...new URLSearchParams(req.body)];
    expect(buildPowerShellSnippet(req)).toContain("-ContentType 'application/x-www-form-urlencoded'");
    expect([...bodyFromPowerShell(buildPowerShellSnippet(req))]).toEqual(expected);
    expect([...bodyFromCurl(buildCurlSnippet(req))]).toEqual(expected);
    expect([...(await bodyFromFetch(buildFetchSnippet(req)))]).toEqual(expected);
  });

  test('a NUL in a form value travels encoded (%00); in a header no shell can carry it, and curl says so', () => {
    const req = buildTokenRequest('https://login.example.com/token', [['code', 'a\u0000b']], {
      method: 'none',
    });
    expect(buildCurlSnippet(req, true)).toContain("--data-raw 'code=a%00b'");
    expect([...bodyFromCurl(buildCurlSnippet(req, true))]).toEqual([['code', 'a\u0000b']]);
    const header: RecordedRequest = {
      method: 'GET',
      url: 'https://graph.microsoft.com/v1.0/me',
      headers: [['X-Odd', 'a\u0000b']],
      secretFields: [],
    };
    const refused = buildCurlSnippet(header);
    expect(refused).toMatch(/^# This request cannot be written as a curl command: it holds a NUL character/);
    expect(refused).not.toContain('curl -X');
  });
});
