/**
 * Test helpers for the standards issuer: a sandbox on a free port, its discovery document, a browser
 * walk through its sign-in and consent pages, and token endpoint calls with each client auth method.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../index.ts';
import { SignJWT, type JWK } from 'jose';
import type { StandardSettings } from './config.ts';
import { asRedirect, Browser, formAction, generatePkce, type TestSandbox } from '../test-support.ts';
import { BASIC_CLIENT_SECRET, SEEDED_CLIENTS } from './clients.ts';

export { asRedirect, Browser, formAction, generatePkce, type TestSandbox };

/** The app's redirect URI on a port other than the registered 5173 (loopback ports are ignored). */
export const REDIRECT_URI = 'http://localhost:47173/callback';
export const APP_ORIGIN = 'http://localhost:47173';
export const ADELE = { username: 'adele@flowlab-sandbox.onmicrosoft.com', password: 'Sandbox-Adele-1' };

/** Starts a quiet sandbox on a free port (temporary data directory) with the given standards settings. */
export async function startStandardSandbox(settings: Partial<StandardSettings> = {}): Promise<TestSandbox> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-standard-test-'));
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, standard: settings });
  return {
    ...sandbox,
    dataDir,
    stop: async () => {
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The standards issuer's discovery document. */
export async function discover(sandbox: TestSandbox): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.origin}/standard/.well-known/openid-configuration`);
  return (await res.json()) as Record<string, unknown>;
}

/** A discovery field that must be a string URL. */
export async function endpointOf(sandbox: TestSandbox, name: string): Promise<string> {
  const value = (await discover(sandbox))[name];
  if (typeof value !== 'string') throw new Error(`no ${name} in discovery`);
  return value;
}

/** The seeded client's secret. */
export function secretOf(clientId: string): string {
  const secret = SEEDED_CLIENTS.find((c) => c.client_id === clientId)?.client_secret;
  if (!secret) throw new Error(`${clientId} has no secret`);
  return secret;
}

/** RFC 6749 §2.3.1: Basic credentials of form-encoded id and secret. */
export function basicHeader(clientId: string, secret: string, formEncode = true): string {
  const enc = (v: string): string => (formEncode ? new URLSearchParams({ v }).toString().slice(2) : v);
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

export { BASIC_CLIENT_SECRET };

/** RFC 7523 §3 client assertion signed with a key (HS256 secret or a private JWK). */
export async function clientAssertion(
  clientId: string,
  audience: string,
  key: { readonly secret: string } | { readonly privateKey: CryptoKey; readonly alg: string },
): Promise<string> {
  const jwt = new SignJWT({})
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomBytes(12).toString('base64url'))
    .setIssuedAt()
    .setExpirationTime('2m');
  if ('secret' in key)
    return jwt.setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(key.secret));
  return jwt.setProtectedHeader({ alg: key.alg }).sign(key.privateKey);
}

/** POSTs a form to an endpoint. */
export async function postForm(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Walks authorize → sign-in → consent in `browser` and returns where it was sent back to. */
export async function signInAt(
  browser: Browser,
  authorizeUrl: string,
  user: { readonly username: string; readonly password: string } = ADELE,
  consent: 'accept' | 'deny' = 'accept',
): Promise<URL> {
  let result = await browser.go(authorizeUrl);
  if ('redirectedTo' in result) return new URL(result.redirectedTo);
  if (result.html.includes('name="password"')) {
    result = await browser.go(formAction(result), { ...user });
    if ('redirectedTo' in result) return new URL(result.redirectedTo);
  }
  if (result.html.includes('name="action"')) {
    result = await browser.go(formAction(result), { action: consent });
  }
  return asRedirect(result);
}

/** Authorization request URL for a seeded client with PKCE; returns it with the verifier. */
export async function authorizeUrl(
  sandbox: TestSandbox,
  clientId: string,
  extra: Record<string, string> = {},
): Promise<{ url: string; verifier: string }> {
  const pkce = generatePkce();
  const params = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email offline_access',
    state: 'st-1',
    nonce: 'n-1',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `${await endpointOf(sandbox, 'authorization_endpoint')}?${params}`, verifier: pkce.verifier };
}

/** Signs Adele in with a seeded client and returns the code and verifier. */
export async function codeFor(
  sandbox: TestSandbox,
  clientId: string,
  extra: Record<string, string> = {},
): Promise<{ code: string; verifier: string }> {
  const { url, verifier } = await authorizeUrl(sandbox, clientId, extra);
  const back = await signInAt(new Browser(sandbox), url);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in ${back.href}`);
  return { code, verifier };
}

/** Generates an ES256 key pair; returns the private CryptoKey and the public JWK. */
export async function generateClientKey(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = (await crypto.subtle.generateKey(
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const {
    kty = 'EC',
    crv = 'P-256',
    x = '',
    y = '',
  } = (await crypto.subtle.exportKey('jwk', publicKey)) as JWK;
  return { privateKey, publicJwk: { kty, crv, x, y } };
}
