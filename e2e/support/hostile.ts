/**
 * Hostile inputs for the robustness e2e spec: a sample of the unit corpus's JWTs (src/robustness/)
 * with what the token inspector must show for each, and page-error / dialog guards.
 */
import { expect, type Page } from '@playwright/test';

const b64u = (text: string | Uint8Array): string => Buffer.from(text).toString('base64url');
const enc = (value: unknown): string => b64u(JSON.stringify(value));

const HEADER = enc({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
const PAYLOAD = enc({ iss: 'https://issuer.invalid/t/v2.0', sub: 's', exp: 1_700_000_000 });
const SIG = b64u('not-a-real-signature');
const withPayload = (payload: unknown): string => `${HEADER}.${enc(payload)}.${SIG}`;

/** What the inspector must show: a malformed-token alert naming the fault, a status note, or claims. */
export type InspectorExpectation =
  | { readonly alert: RegExp }
  | { readonly status: RegExp }
  | { readonly claim: string; readonly shows: string };

export const HOSTILE_TOKENS: Record<
  string,
  { readonly token: string; readonly expect: InspectorExpectation }
> = {
  'padding in the payload': { token: `${HEADER}.${PAYLOAD}==.${SIG}`, expect: { alert: /"=" padding/ } },
  'standard base64 "+"': {
    token: `${HEADER.slice(0, 4)}+${HEADER.slice(5)}.${PAYLOAD}.${SIG}`,
    expect: { alert: /standard base64/ },
  },
  'payload that is not JSON': {
    token: `${HEADER}.${b64u('hello world')}.${SIG}`,
    expect: { alert: /does not decode to JSON/ },
  },
  'payload that is an array': { token: withPayload([1, 2]), expect: { alert: /to an array, not an object/ } },
  'payload that is null': { token: withPayload(null), expect: { alert: /to null, not an object/ } },
  'a line break inside': {
    token: `${HEADER}.${PAYLOAD.slice(0, 8)}\n${PAYLOAD.slice(8)}.${SIG}`,
    expect: { alert: /line break/ },
  },
  'a control character inside': {
    token: `${HEADER}.${PAYLOAD.slice(0, 8)}\u0007${PAYLOAD.slice(8)}.${SIG}`,
    expect: { alert: /not in the base64url alphabet/ },
  },
  'four parts': { token: `${HEADER}.${PAYLOAD}.${SIG}.x`, expect: { alert: /this token has 4/ } },
  'a JWE (five parts)': {
    token: `${enc({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`,
    expect: { status: /encrypted token \(JWE/ },
  },
  'HTML and script': { token: '<script>alert(1)</script>', expect: { status: /Not a JWT: .*no token uses/ } },
  'alg none': { token: `${enc({ alg: 'none' })}.${PAYLOAD}.`, expect: { claim: 'alg', shows: 'none' } },
  'a nested JWT in a claim': {
    token: withPayload({ inner: `${HEADER}.${PAYLOAD}.${SIG}` }),
    expect: { claim: 'inner', shows: HEADER },
  },
  '__proto__ and constructor claims': {
    token: `${HEADER}.${b64u('{"__proto__":{"polluted":1},"constructor":"c","sub":"s"}')}.${SIG}`,
    expect: { claim: 'constructor', shows: 'c' },
  },
  'exp as a string': {
    token: withPayload({ exp: '1700000000' }),
    expect: { claim: 'exp', shows: '1700000000' },
  },
  'exp beyond the Date range': {
    token: withPayload({ exp: 1e300 }),
    expect: { claim: 'exp', shows: 'not a valid time' },
  },
  'an RTL override and zero-width space in a claim': {
    token: withPayload({ name: '\u202eevil\u200b' }),
    expect: { claim: 'name', shows: 'evil' },
  },
  'HTML in a claim value': {
    token: withPayload({ name: '<img src=x onerror=alert(1)>' }),
    expect: { claim: 'name', shows: '<img src=x onerror=alert(1)>' },
  },
  '1 MB of garbage without dots': {
    token: `${'!'.repeat(1024 * 1024)}`,
    expect: { status: /Not a JWT: .*too plain/ },
  },
  'a 1 MB claim': {
    token: withPayload({ blob: 'x'.repeat(1024 * 1024) }),
    expect: { claim: 'blob', shows: 'xxxxxxxx' },
  },
};

/** A token whose claim is 10 000 arrays deep: claims.ts formats it by unbounded recursion (KNOWN BUG). */
export const DEEPLY_NESTED_TOKEN = `${HEADER}.${b64u(`{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`)}.${SIG}`;

/** Fails the test on any uncaught page error or any script-opened dialog (an injected alert()). */
export function guardPage(page: Page): { readonly errors: string[] } {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { errors };
}

/** No injected markup made it into the DOM as elements. */
export async function expectNoInjectedMarkup(page: Page): Promise<void> {
  await expect(page.locator('img[src="x"], script:not([src]):not([type])', { hasText: /alert/ })).toHaveCount(
    0,
  );
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
}
