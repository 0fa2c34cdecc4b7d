import { describe, expect, test } from 'vitest';
import { buildCurlSnippet, buildFetchSnippet, buildPowerShellSnippet } from './snippets.ts';
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

/** Reads back the body a PowerShell hashtable would send. */
function bodyFromPowerShell(snippet: string): URLSearchParams {
  const out = new URLSearchParams();
  const block = /\$Body = @\{\n([\s\S]*?)\n\}/.exec(snippet)?.[1] ?? '';
  for (const line of block.split('\n')) {
    const match = /^\s+(\S+) = '((?:[^']|'')*)'$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined)
      out.append(match[1], match[2].replace(/''/g, "'"));
  }
  return out;
}

/** Reads back the body curl would send from its --data-urlencode arguments. */
function bodyFromCurl(snippet: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const match of snippet.matchAll(/--data-urlencode '((?:[^']|'\\'')*)'/g)) {
    const arg = (match[1] ?? '').replace(/'\\''/g, "'");
    const at = arg.indexOf('=');
    out.append(decodeURIComponent(arg.slice(0, at)), arg.slice(at + 1));
  }
  return out;
}

/** Evaluates the object literal a fetch snippet passes to URLSearchParams. */
function bodyFromFetch(snippet: string): URLSearchParams {
  const literal = /new URLSearchParams\((\{[\s\S]*?\})\)/.exec(snippet)?.[1] ?? '{}';
  const object = new Function(`return (${literal});`)() as Record<string, string>;
  return new URLSearchParams(object);
}

describe('snippets', () => {
  test('PowerShell, curl and fetch encode exactly the same body as the request', () => {
    const expected = [...new URLSearchParams(request.body)];
    expect([...bodyFromPowerShell(buildPowerShellSnippet(request, true))]).toEqual(expected);
    expect([...bodyFromCurl(buildCurlSnippet(request, true))]).toEqual(expected);
    expect([...bodyFromFetch(buildFetchSnippet(request, true))]).toEqual(expected);
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
