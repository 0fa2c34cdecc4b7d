/**
 * The same request as PowerShell (`Invoke-RestMethod` with a hashtable body, the guide's style),
 * curl and JavaScript fetch, so it can be sent from anywhere. Secret values are replaced by a
 * placeholder unless the user asked to reveal them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
import type { RecordedRequest } from './http.ts';

export type SnippetLanguage = 'powershell' | 'curl' | 'fetch';

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

function parts(request: RecordedRequest, reveal: boolean): Parts {
  const secrets = new Set(request.secretFields.map((f) => f.toLowerCase()));
  const hide = (name: string, value: string) =>
    !reveal && secrets.has(name.toLowerCase()) ? `<${name}>` : value;
  if (request.body !== undefined && isJson(request)) {
    return {
      url: request.url,
      headers: request.headers.map(([name, value]) => [name, hide(name, value)] as const),
      body: [],
      json: request.body,
    };
  }
  const body = [...new URLSearchParams(request.body ?? '')].map(
    ([name, value]) => [name, hide(name, value)] as const,
  );
  const headers = request.headers
    // Both tools set the form content type themselves for a form body.
    .filter(([name]) => !(request.body !== undefined && name.toLowerCase() === 'content-type'))
    .map(([name, value]) => [name, hide(name, value)] as const);
  return { url: request.url, headers, body };
}

/** PowerShell single-quoted string: a quote is written twice. */
function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** POSIX shell single-quoted string: close, escaped quote, reopen. */
function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A JavaScript string literal. */
function jsQuote(value: string): string {
  return JSON.stringify(value);
}

function psKey(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : psQuote(name);
}

function jsKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : jsQuote(name);
}

/** `Invoke-RestMethod` with the body as a hashtable, which PowerShell sends form-encoded. */
export function buildPowerShellSnippet(request: RecordedRequest, reveal = false): string {
  const { url, headers, body, json } = parts(request, reveal);
  const lines: string[] = [];
  if (body.length > 0) {
    lines.push('$Body = @{');
    for (const [name, value] of body) lines.push(`    ${psKey(name)} = ${psQuote(value)}`);
    lines.push('}');
  }
  if (headers.length > 0) {
    lines.push('$Headers = @{');
    for (const [name, value] of headers) lines.push(`    ${psKey(name)} = ${psQuote(value)}`);
    lines.push('}');
  }
  const args = [`Invoke-RestMethod ${psQuote(url)} -Method ${request.method}`];
  if (headers.length > 0) args.push('-Headers $Headers');
  if (body.length > 0) args.push('-Body $Body');
  if (json !== undefined) args.push(`-Body ${psQuote(json)}`);
  lines.push(args.join(' '));
  return lines.join('\n');
}

/** curl with each body parameter passed through `--data-urlencode`. */
export function buildCurlSnippet(request: RecordedRequest, reveal = false): string {
  const { url, headers, body, json } = parts(request, reveal);
  const lines = [`curl -X ${request.method} ${shQuote(url)}`];
  for (const [name, value] of headers) lines.push(`  -H ${shQuote(`${name}: ${value}`)}`);
  // curl encodes the part after the first '=' and sends the name as given.
  for (const [name, value] of body)
    lines.push(`  --data-urlencode ${shQuote(`${encodeURIComponent(name)}=${value}`)}`);
  if (json !== undefined) lines.push(`  --data-raw ${shQuote(json)}`);
  return lines.join(' \\\n');
}

/** fetch with a URLSearchParams body (which sets the form content type). */
export function buildFetchSnippet(request: RecordedRequest, reveal = false): string {
  const { url, headers, body, json } = parts(request, reveal);
  const lines = [`const response = await fetch(${jsQuote(url)}, {`, `  method: ${jsQuote(request.method)},`];
  if (headers.length > 0) {
    lines.push('  headers: {');
    for (const [name, value] of headers) lines.push(`    ${jsQuote(name)}: ${jsQuote(value)},`);
    lines.push('  },');
  }
  if (body.length > 0) {
    lines.push('  body: new URLSearchParams({');
    for (const [name, value] of body) lines.push(`    ${jsKey(name)}: ${jsQuote(value)},`);
    lines.push('  }),');
  }
  if (json !== undefined) lines.push(`  body: ${jsQuote(json)},`);
  lines.push('});', 'console.log(response.status, await response.json());');
  return lines.join('\n');
}

/** The request in one of the three languages. */
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
