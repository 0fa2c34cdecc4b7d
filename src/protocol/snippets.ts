/**
 * The same request as PowerShell (`Invoke-RestMethod` with a hashtable body, the guide's style),
 * curl (POSIX sh) and JavaScript fetch, so it can be sent from anywhere. Secret values are replaced
 * by a placeholder unless the user asked to reveal them.
 *
 * Every value is quoted so that the target shell or language reads back exactly the text the app
 * sends, whatever its characters:
 * - PowerShell: single-quoted strings, where only the single quote is special — and PowerShell takes
 *   ‘ ’ ‚ ‛ (U+2018–U+201B) for single quotes too — so each of the five is doubled. Characters that are
 *   invisible, or that a console would act on when pasted (NUL, tab, CR, LF, other controls, format
 *   characters such as U+202E), are written as `[char]0x…` and joined with `+`.
 * - sh: single quotes, a `'` written as `'\''`. A value with an invisible or control character goes
 *   already form-encoded through `--data-raw` (pure ASCII), so NUL can be carried in the body too.
 *   Anywhere else (URL, header, JSON body) NUL cannot be carried in a shell argument: that request is
 *   refused with a message instead of a command that would send something else.
 * - JavaScript: a JSON string literal, with invisible and control characters as `\u` escapes.
 * - Lone surrogates (half of a UTF-16 pair) cannot be encoded in UTF-8: the app's own request already
 *   carries U+FFFD in their place (WHATWG Encoding, "UTF-8 encode"), so the snippets write U+FFFD too.
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 * @see https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules
 * @see https://learn.microsoft.com/powershell/scripting/lang-spec/chapter-02#2352-string-literals
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02_02
 */
import type { RecordedRequest } from './http.ts';

/**
 * The languages a request can be copied as.
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
export type SnippetLanguage = 'powershell' | 'curl' | 'fetch';

/**
 * The languages in the order the snippet view offers them, with their labels.
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
export const SNIPPET_LANGUAGES: readonly { readonly id: SnippetLanguage; readonly label: string }[] = [
  { id: 'powershell', label: 'PowerShell' },
  { id: 'curl', label: 'curl' },
  { id: 'fetch', label: 'fetch' },
];

interface Parts {
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: readonly (readonly [string, string])[];
  /** A JSON body (the portal's certificate upload), sent as it is instead of as a form. */
  readonly json?: string;
}

function isJson(request: RecordedRequest): boolean {
  return request.headers.some(
    ([name, value]) => name.toLowerCase() === 'content-type' && value.includes('json'),
  );
}

/**
 * A string as UTF-8 can carry it: each lone surrogate becomes U+FFFD, as every UTF-8 encoder does.
 * @see https://encoding.spec.whatwg.org/#utf-8-encode
 */
export function toWellFormed(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function parts(request: RecordedRequest, reveal: boolean): Parts {
  const secrets = new Set(request.secretFields.map((f) => f.toLowerCase()));
  const hide = (name: string, value: string) =>
    toWellFormed(!reveal && secrets.has(name.toLowerCase()) ? `<${name}>` : value);
  if (request.body !== undefined && isJson(request)) {
    return {
      url: toWellFormed(request.url),
      headers: request.headers.map(([name, value]) => [toWellFormed(name), hide(name, value)] as const),
      body: [],
      json: toWellFormed(request.body),
    };
  }
  const body = [...new URLSearchParams(request.body ?? '')].map(
    ([name, value]) => [name, hide(name, value)] as const,
  );
  const headers = request.headers
    // Both tools set the form content type themselves for a form body.
    .filter(([name]) => !(request.body !== undefined && name.toLowerCase() === 'content-type'))
    .map(([name, value]) => [toWellFormed(name), hide(name, value)] as const);
  return { url: toWellFormed(request.url), headers, body };
}

/**
 * Characters written as escapes rather than as themselves: C0/C1 controls (NUL, tab, CR, LF, ESC …),
 * format characters (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF …), line and paragraph
 * separators. They are invisible in the snippet, and a console may act on them when they are pasted.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const INVISIBLE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

function hex(char: string): string {
  return (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The characters PowerShell reads as a single quote: ' and ‘ ’ ‚ ‛.
 * @see https://learn.microsoft.com/powershell/scripting/lang-spec/chapter-02#2352-string-literals
 */
const PS_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/**
 * A PowerShell expression whose value is exactly `value`: a single-quoted string, each single-quote
 * character doubled (about_Quoting_Rules: "To include a single quotation mark in a single-quoted
 * string, use a second consecutive single quote"); invisible characters as `[char]0x…` joined by `+`.
 * @see https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules
 */
export function quotePowerShell(value: string): string {
  const text = toWellFormed(value);
  const single = (s: string) => `'${s.replace(PS_SINGLE_QUOTES, (q) => q + q)}'`;
  if (!INVISIBLE.test(text)) return single(text);
  const pieces: string[] = [];
  let run = '';
  for (const char of text) {
    if (INVISIBLE.test(char)) {
      if (run !== '') pieces.push(single(run));
      run = '';
      // [char] holds one UTF-16 unit; every invisible character is in the BMP except tags (U+E00xx).
      const code = char.codePointAt(0) ?? 0;
      if (code > 0xffff) pieces.push(`[char]::ConvertFromUtf32(0x${hex(char)})`);
      else pieces.push(`[char]0x${hex(char)}`);
    } else {
      run += char;
    }
  }
  if (run !== '') pieces.push(single(run));
  // A [char] first would make + add numbers; an empty string first makes every + a concatenation.
  if (!(pieces[0] ?? '').startsWith("'")) pieces.unshift("''");
  return `(${pieces.join(' + ')})`;
}

/**
 * A POSIX shell word whose value is exactly `value`: single quotes, within which no character is
 * special, a quote itself written as '\''. NUL cannot be in any shell word, so it is refused.
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02_02
 */
export function quotePosixShell(value: string): string {
  if (value.includes('\u0000')) {
    throw new SnippetRefusal('a NUL character, which no shell argument can carry');
  }
  return `'${toWellFormed(value).replace(/'/g, `'\\''`)}'`;
}

/**
 * A JavaScript string literal whose value is exactly `value`: JSON, with invisible characters as
 * `\u` escapes so the snippet shows them.
 * @see https://tc39.es/ecma262/#sec-literals-string-literals
 */
export function quoteJavaScript(value: string): string {
  return JSON.stringify(toWellFormed(value)).replace(INVISIBLE_ALL, (c) =>
    c.length === 1 ? `\\u${hex(c)}` : `\\u{${hex(c)}}`,
  );
}

/** Why a request cannot be written in a language. */
class SnippetRefusal extends Error {}

const PS_KEYWORDS = new Set(
  'begin break catch class clean continue data define do dynamicparam else elseif end enum exit filter finally for foreach from function hidden if in inlinescript parallel param process return sequence static switch throw trap try until using var while workflow'.split(
    ' ',
  ),
);

function psKey(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !PS_KEYWORDS.has(name.toLowerCase())
    ? name
    : quotePowerShell(name);
}

/** Form-encodes pairs as application/x-www-form-urlencoded (WHATWG URL §5.2), pure ASCII. */
function formEncode(pairs: readonly (readonly [string, string])[]): string {
  return new URLSearchParams(pairs.map(([n, v]) => [n, v])).toString();
}

/**
 * `Invoke-RestMethod` with the body as a hashtable, which PowerShell sends form-encoded. When two
 * names are equal ignoring case (a hashtable cannot hold both), the body is sent as the encoded text.
 * @see https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/invoke-restmethod
 */
export function buildPowerShellSnippet(request: RecordedRequest, reveal = false): string {
  const { url, headers, body, json } = parts(request, reveal);
  const lines: string[] = [];
  const names = body.map(([name]) => name.toLowerCase());
  const asHashtable = new Set(names).size === names.length;
  if (body.length > 0 && asHashtable) {
    lines.push('$Body = @{');
    for (const [name, value] of body) lines.push(`    ${psKey(name)} = ${quotePowerShell(value)}`);
    lines.push('}');
  } else if (body.length > 0) {
    // PowerShell hashtable keys ignore case, so repeated names travel as the form text itself.
    lines.push(`$Body = ${quotePowerShell(formEncode(body))}`);
  }
  if (headers.length > 0) {
    lines.push('$Headers = @{');
    for (const [name, value] of headers) lines.push(`    ${psKey(name)} = ${quotePowerShell(value)}`);
    lines.push('}');
  }
  const args = [`Invoke-RestMethod ${quotePowerShell(url)} -Method ${request.method}`];
  if (headers.length > 0) args.push('-Headers $Headers');
  if (body.length > 0) args.push('-Body $Body');
  if (body.length > 0 && !asHashtable) args.push("-ContentType 'application/x-www-form-urlencoded'");
  if (json !== undefined) args.push(`-Body ${quotePowerShell(json)}`);
  lines.push(args.join(' '));
  return lines.join('\n');
}

/**
 * curl with each body parameter passed through `--data-urlencode`; a pair with an invisible or
 * control character (or an empty name, which that option cannot express) goes pre-encoded through
 * `--data-raw`. A request that no shell command can carry is refused with a comment saying why.
 * @see https://curl.se/docs/manpage.html#--data-urlencode
 */
export function buildCurlSnippet(request: RecordedRequest, reveal = false): string {
  const { url, headers, body, json } = parts(request, reveal);
  try {
    const lines = [`curl -X ${request.method} ${quotePosixShell(url)}`];
    for (const [name, value] of headers) lines.push(`  -H ${quotePosixShell(`${name}: ${value}`)}`);
    for (const [name, value] of body) {
      if (name === '' || INVISIBLE.test(name) || INVISIBLE.test(value)) {
        lines.push(`  --data-raw ${quotePosixShell(formEncode([[name, value]]))}`);
      } else {
        // curl encodes the part after the first '=' and sends the name as given.
        lines.push(`  --data-urlencode ${quotePosixShell(`${encodeURIComponent(name)}=${value}`)}`);
      }
    }
    if (json !== undefined) lines.push(`  --data-raw ${quotePosixShell(json)}`);
    return lines.join(' \\\n');
  } catch (error) {
    if (!(error instanceof SnippetRefusal)) throw error;
    return `# This request cannot be written as a curl command: it holds ${error.message}.\n# Use the PowerShell or fetch version.`;
  }
}

/**
 * fetch with a URLSearchParams body (which sets the form content type): an object literal when the
 * names allow one, else a list of pairs (repeated names, or `__proto__`, which a literal would eat).
 * @see https://fetch.spec.whatwg.org/#fetch-method
 */
export function buildFetchSnippet(request: RecordedRequest, reveal = false): string {
  const { url, headers, body, json } = parts(request, reveal);
  const lines = [
    `const response = await fetch(${quoteJavaScript(url)}, {`,
    `  method: ${quoteJavaScript(request.method)},`,
  ];
  if (headers.length > 0) {
    lines.push('  headers: {');
    for (const [name, value] of headers)
      lines.push(`    ${quoteJavaScript(name)}: ${quoteJavaScript(value)},`);
    lines.push('  },');
  }
  if (body.length > 0) {
    const names = body.map(([name]) => name);
    const asObject = new Set(names).size === names.length && !names.includes('__proto__');
    if (asObject) {
      lines.push('  body: new URLSearchParams({');
      for (const [name, value] of body) {
        const key = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quoteJavaScript(name);
        lines.push(`    ${key}: ${quoteJavaScript(value)},`);
      }
      lines.push('  }),');
    } else {
      lines.push('  body: new URLSearchParams([');
      for (const [name, value] of body)
        lines.push(`    [${quoteJavaScript(name)}, ${quoteJavaScript(value)}],`);
      lines.push('  ]),');
    }
  }
  if (json !== undefined) lines.push(`  body: ${quoteJavaScript(json)},`);
  lines.push('});', 'console.log(response.status, await response.json());');
  return lines.join('\n');
}

/**
 * The request in one of the three languages.
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
export function buildSnippet(language: SnippetLanguage, request: RecordedRequest, reveal = false): string {
  switch (language) {
    case 'powershell':
      return buildPowerShellSnippet(request, reveal);
    case 'curl':
      return buildCurlSnippet(request, reveal);
    case 'fetch':
      return buildFetchSnippet(request, reveal);
  }
}
