/**
 * Finding the keys that should have signed a token: from the token's `iss` (its discovery document,
 * then its `jwks_uri`), from a URL the user typed, or from a key set pasted as JSON. Only absolute
 * https URLs (http on this machine) are ever fetched; the fetching is injected (direct, or the relay).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
import type { JSONWebKeySet } from 'jose';
import type { FetchMetadata, MetadataAnswer } from './discovery.ts';
import { InvalidInputError, LabError, NetworkError, ProtocolViolationError } from './errors.ts';
import { parseEntraV1Issuer } from './issuer-version.ts';
import { quoteForMessage } from './quote.ts';

/**
 * What a token's `iss` says about where its keys are: a URL to discover from, a URL the lab refuses
 * to fetch (not https), or a value that is no URL at all.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 */
export type TokenIssuer =
  | {
      readonly kind: 'url';
      /** The iss exactly as the token has it. */
      readonly iss: string;
      /** The absolute https URL discovery starts from (the iss, or https:// + a bare host). */
      readonly issuer: string;
      /** The metadata URLs to try, in order. */
      readonly metadataUrls: readonly string[];
      /** Set when the iss is not itself a URL but a form that stands for one (Google's bare host). */
      readonly variant?: 'bare-host';
    }
  | { readonly kind: 'refused'; readonly iss: string; readonly reason: string }
  | { readonly kind: 'not-a-url'; readonly reason: string };

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const BARE_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?(?::\d{1,5})?(?:\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/i;
const ENTRA_V1 = /^https:\/\/(sts\.windows\.net|sts\.chinacloudapi\.cn)\/([^/?#]+)\/?$/;
/**
 * Where each Entra v1 issuer host publishes its tenants' metadata. US Government tenants also get
 * sts.windows.net as their v1 issuer, so login.microsoftonline.us is the second place to look.
 * @see https://learn.microsoft.com/en-us/answers/questions/1190472/what-are-the-token-issuers-for-the-sovereign-cloud
 */
const ENTRA_V1_METADATA_HOSTS: Readonly<Record<string, readonly string[]>> = {
  'sts.windows.net': ['login.microsoftonline.com', 'login.microsoftonline.us'],
  'sts.chinacloudapi.cn': ['login.partner.microsoftonline.cn'],
};

/** Names the type of a claim value for a message. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const ASK_FOR_KEYS =
  'Give the issuer or key set URL, or paste the key set, under “Keys from elsewhere” to check the signature anyway.';

/**
 * The metadata URLs for an issuer: OIDC Discovery appends the well-known path (one slash, any
 * terminating "/" removed); RFC 8414 inserts its own between the host and the path. Entra v1's
 * `https://sts.windows.net/{tid}/` publishes its metadata on login.microsoftonline.com (China:
 * sts.chinacloudapi.cn on login.partner.microsoftonline.cn); the lab sandbox's `{origin}/sts/{tid}/` on
 * `{origin}/{tid}/`.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
 */
export function buildIssuerMetadataUrls(issuer: string): string[] {
  // The lab sandbox's copy of sts.windows.net ({origin}/sts/{tid}/) publishes its v1.0 metadata where
  // Entra does, below the tenant: {origin}/{tid}/.well-known/openid-configuration.
  const sandboxV1 = parseEntraV1Issuer(issuer);
  if (sandboxV1?.sandbox === true) return [sandboxV1.metadataUrl];
  const [, v1Host, tenant] = ENTRA_V1.exec(issuer) ?? [];
  if (v1Host !== undefined && tenant !== undefined) {
    return (ENTRA_V1_METADATA_HOSTS[v1Host] ?? []).map(
      (host) => `https://${host}/${tenant}/.well-known/openid-configuration`,
    );
  }
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  // OIDC Discovery §4.1: "any terminating / MUST be removed before appending /.well-known/openid-configuration".
  const oidc = `${url.origin}${path}/.well-known/openid-configuration`;
  const rfc8414 = `${url.origin}/.well-known/oauth-authorization-server${path}`;
  return oidc === rfc8414 ? [oidc] : [oidc, rfc8414];
}

/** Why a parsed URL cannot be an issuer to fetch keys from; undefined when it can. */
function refusal(url: URL, what: string): string | undefined {
  const loopback = LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) {
    // OIDC Core §2: iss is "a case-sensitive URL using the https scheme".
    return `${what} uses http, not https. Keys fetched over plain http could be swapped by anyone on the way, so they prove nothing: the lab does not fetch them (http is accepted only on localhost).`;
  }
  if (url.username !== '' || url.password !== '') {
    return `${what} carries a user name or password, which an issuer URL never has.`;
  }
  if (url.search !== '' || url.hash !== '') {
    // OIDC Core §2 / RFC 8414 §2: the issuer has no query or fragment components.
    return `${what} has a query (?) or fragment (#), which an issuer URL never has.`;
  }
  return undefined;
}

/**
 * Reads a token's `iss`: absolute https URLs (with or without a path or trailing slash), Entra v1,
 * Google's documented bare host `accounts.google.com`, http on localhost. Anything else is refused
 * or named as no URL, with what to do; nothing relative is ever produced.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 * @see https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken
 */
export function parseTokenIssuer(iss: unknown): TokenIssuer {
  if (typeof iss !== 'string') {
    return {
      kind: 'not-a-url',
      reason: `The token's iss is ${describeValue(iss)} (${quoteForMessage(iss, 40)}), not a URL, so it cannot lead to the issuer's keys. ${ASK_FOR_KEYS}`,
    };
  }
  const shown = quoteForMessage(iss, 80);
  const notUrl = (why: string): TokenIssuer => ({
    kind: 'not-a-url',
    reason: `The token's iss ${shown} ${why}, so it cannot lead to the issuer's keys. ${ASK_FOR_KEYS}`,
  });
  if (iss.trim() === '') return notUrl('is empty');
  if (/\s/.test(iss)) return notUrl('contains spaces or line breaks, which no URL has');
  if (BARE_HOST.test(iss)) {
    // Google documents iss as "https://accounts.google.com or accounts.google.com": a bare host
    // stands for the https URL of that host.
    const issuer = `https://${iss}`;
    return { kind: 'url', iss, issuer, metadataUrls: buildIssuerMetadataUrls(issuer), variant: 'bare-host' };
  }
  // "localhost:8080" parses as a URL whose scheme is "localhost:": it is a host and port, no scheme.
  if (/^[a-z0-9.-]+:\d+(?:\/|$)/i.test(iss)) return notUrl('has no scheme (https://)');
  let url: URL;
  try {
    url = new URL(iss);
  } catch {
    return notUrl('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return notUrl(
      url.protocol === 'urn:'
        ? 'is a URN: it names the issuer but does not say where its keys are'
        : `uses the “${url.protocol}” scheme, not https:, so it says nowhere where keys could be fetched`,
    );
  }
  const refused = refusal(url, `The token's iss ${shown}`);
  if (refused !== undefined) return { kind: 'refused', iss, reason: `${refused} ${ASK_FOR_KEYS}` };
  return { kind: 'url', iss, issuer: iss, metadataUrls: buildIssuerMetadataUrls(iss) };
}

/**
 * How the issuer a discovery document names compares with the token's iss.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export type IssuerCheck =
  | { readonly kind: 'identical' }
  | { readonly kind: 'variant'; readonly explanation: string }
  | { readonly kind: 'mismatch'; readonly explanation: string };

/**
 * The issuer a discovery document names, with Entra's `{tenantid}` template filled from the token.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
 */
export function expectedIssuerFromDiscovery(discoveredIssuer: string, tid: unknown): string {
  return typeof tid === 'string' ? discoveredIssuer.replace('{tenantid}', tid) : discoveredIssuer;
}

/**
 * Compares the token's iss with the issuer its discovery document names. Identical is required;
 * Google's bare host is a documented variant, said as such; anything else is a mismatch, explained.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export function compareIssuers(tokenIss: string, documentIssuer: string, tid: unknown): IssuerCheck {
  const expected = expectedIssuerFromDiscovery(documentIssuer, tid);
  if (tokenIss === expected) return { kind: 'identical' };
  if (`https://${tokenIss}` === expected) {
    if (tokenIss === 'accounts.google.com') {
      return {
        kind: 'variant',
        explanation:
          'The token names its issuer “accounts.google.com” without https://. Google documents both forms for its ID tokens, so this is the same issuer as https://accounts.google.com.',
      };
    }
    return {
      kind: 'mismatch',
      explanation: `The token names its issuer without https:// (${quoteForMessage(tokenIss, 60)}); the document names ${expected}. Only Google documents a bare-host iss: for other issuers they must be identical.`,
    };
  }
  if (tokenIss.replace(/\/+$/, '') === expected.replace(/\/+$/, '')) {
    return {
      kind: 'mismatch',
      explanation: `The token's iss and the document's issuer (${expected}) differ only by a trailing slash. They must be identical, character for character, so a strict client rejects this token.`,
    };
  }
  if (documentIssuer.includes('{tenantid}') && typeof tid !== 'string') {
    return {
      kind: 'mismatch',
      explanation: `The document names the template ${documentIssuer}, and the token has no tid claim to fill it in.`,
    };
  }
  return {
    kind: 'mismatch',
    explanation: `The document names the issuer ${expected}, the token says ${quoteForMessage(tokenIss, 80)}: they must be identical (OpenID Connect Discovery §4.3).`,
  };
}

/**
 * Where a key set came from, for the verdict's wording.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export type KeySource = 'token-iss' | 'typed-url' | 'pasted';

/**
 * A key set and how it was found.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export interface IssuerKeys {
  readonly source: KeySource;
  /** The discovery document read on the way, when there was one. */
  readonly discoveryUrl?: string;
  /** Where the key set was read from; undefined when it was pasted. */
  readonly jwksUri?: string;
  readonly jwks: JSONWebKeySet;
  /** The issuer the discovery document names (Entra's template filled in). */
  readonly discoveredIssuer?: string;
  /** How the token's iss compares with that issuer; undefined when no document was read. */
  readonly issuerCheck?: IssuerCheck;
  /** The metadata URLs tried before one answered, with what each said. */
  readonly attempts: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ok(answer: MetadataAnswer): boolean {
  return answer.status >= 200 && answer.status < 300 && answer.body !== undefined;
}

/** One fetch, its failure turned into a line that says which URL and what happened. */
async function tryFetch(
  url: string,
  fetchMetadata: FetchMetadata,
): Promise<{ readonly answer?: MetadataAnswer; readonly problem?: string }> {
  try {
    const answer = await fetchMetadata(url);
    if (ok(answer)) return { answer };
    return {
      answer,
      problem:
        answer.status === 0
          ? `${url}: no answer`
          : answer.body === undefined
            ? `${url}: HTTP ${answer.status}, not JSON`
            : `${url}: HTTP ${answer.status}`,
    };
  } catch (error) {
    // The message is joined with others: no sentence stop of its own.
    const message = (error instanceof Error ? error.message : String(error)).replace(/[.\s]+$/, '');
    return { problem: `${url}: ${message}` };
  }
}

/** Checks that a URL read from a document may be fetched: absolute, https (http on localhost). */
function checkFetchable(field: string, value: unknown, from: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ProtocolViolationError('INVALID_RESPONSE', `${from} has no ${field} to read the keys from.`);
  }
  let url: URL;
  try {
    // No base URL: a relative jwks_uri must never resolve against this app's own origin.
    url = new URL(value);
  } catch {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `${from} gives ${field} ${quoteForMessage(value, 80)}, which is not an absolute URL (OIDC Discovery §3 requires one).`,
    );
  }
  const refused =
    url.protocol === 'https:' || url.protocol === 'http:'
      ? refusal(Object.assign(url, { search: '', hash: '' }), `Its ${field}`)
      : `Its ${field} uses the “${url.protocol}” scheme.`;
  if (refused !== undefined) throw new ProtocolViolationError('INVALID_RESPONSE', `${from}: ${refused}`);
  return value;
}

/** Reads a key set answer: a JSON object with a "keys" array. */
function readKeySet(body: unknown, url: string): JSONWebKeySet {
  if (!isObject(body) || !Array.isArray(body['keys'])) {
    throw new ProtocolViolationError('INVALID_RESPONSE', `${url} is not a key set (no "keys" array).`);
  }
  return body as unknown as JSONWebKeySet;
}

async function keysFromDocument(
  document: Record<string, unknown>,
  discoveryUrl: string,
  fetchMetadata: FetchMetadata,
): Promise<{ readonly jwksUri: string; readonly jwks: JSONWebKeySet }> {
  const jwksUri = checkFetchable('jwks_uri', document['jwks_uri'], `The document at ${discoveryUrl}`);
  const { answer, problem } = await tryFetch(jwksUri, fetchMetadata);
  if (answer === undefined || problem !== undefined) {
    throw new LabError('NETWORK_ERROR', `The key set could not be read: ${problem ?? jwksUri}.`);
  }
  return { jwksUri, jwks: readKeySet(answer.body, jwksUri) };
}

/**
 * Discovery, then the key set, for a token's issuer: each metadata URL in turn until one answers
 * with a document, then its `jwks_uri`. The message on failure names every URL tried.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export async function fetchIssuerKeys(
  issuer: Extract<TokenIssuer, { kind: 'url' }>,
  tid: unknown,
  fetchMetadata: FetchMetadata,
  source: KeySource = 'token-iss',
): Promise<IssuerKeys> {
  const attempts: string[] = [];
  for (const url of issuer.metadataUrls) {
    const { answer, problem } = await tryFetch(url, fetchMetadata);
    if (problem !== undefined || answer === undefined) {
      attempts.push(problem ?? url);
      continue;
    }
    const document = answer.body;
    if (!isObject(document) || typeof document['issuer'] !== 'string') {
      attempts.push(`${url}: not a discovery document (no issuer)`);
      continue;
    }
    const { jwksUri, jwks } = await keysFromDocument(document, url, fetchMetadata);
    return {
      source,
      discoveryUrl: url,
      jwksUri,
      jwks,
      discoveredIssuer: expectedIssuerFromDiscovery(document['issuer'], tid),
      issuerCheck: compareIssuers(issuer.iss, document['issuer'], tid),
      attempts,
    };
  }
  throw new LabError(
    'NETWORK_ERROR',
    `No discovery document for ${issuer.issuer} could be read. Tried ${attempts.join('; ')}. ${ASK_FOR_KEYS}`,
  );
}

/**
 * Keys from a URL the user typed: a key set URL, a discovery document URL, or an issuer URL (then
 * discovered). Throws `InvalidInputError` for what is not an absolute https URL.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export async function fetchKeysFromTypedUrl(
  typed: string,
  tokenIss: unknown,
  tid: unknown,
  fetchMetadata: FetchMetadata,
): Promise<IssuerKeys> {
  const value = typed.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInputError('keysUrl', 'Type an absolute URL, starting with https://.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidInputError('keysUrl', 'Type an https URL (http is accepted on localhost only).');
  }
  const refused = refusal(Object.assign(new URL(value), { search: '', hash: '' }), 'This URL');
  if (refused !== undefined) throw new InvalidInputError('keysUrl', refused);
  const iss = typeof tokenIss === 'string' ? tokenIss : value;
  const first = await tryFetch(value, fetchMetadata);
  const { answer } = first;
  const body = answer !== undefined && ok(answer) ? answer.body : undefined;
  if (isObject(body) && Array.isArray(body['keys'])) {
    return { source: 'typed-url', jwksUri: value, jwks: readKeySet(body, value), attempts: [] };
  }
  if (isObject(body) && body['jwks_uri'] !== undefined && typeof body['issuer'] === 'string') {
    const { jwksUri, jwks } = await keysFromDocument(body, value, fetchMetadata);
    return {
      source: 'typed-url',
      discoveryUrl: value,
      jwksUri,
      jwks,
      discoveredIssuer: expectedIssuerFromDiscovery(body['issuer'], tid),
      ...(typeof tokenIss === 'string' ? { issuerCheck: compareIssuers(tokenIss, body['issuer'], tid) } : {}),
      attempts: [],
    };
  }
  // Neither a key set nor a document: take it as an issuer URL and discover from it.
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidInputError('keysUrl', `${value} is neither a key set nor a discovery document.`);
  }
  let looked: IssuerKeys;
  try {
    looked = await fetchIssuerKeys(
      { kind: 'url', iss, issuer: value, metadataUrls: buildIssuerMetadataUrls(value) },
      tid,
      fetchMetadata,
      'typed-url',
    );
  } catch (error) {
    // The URL itself got no answer (offline, CORS, the relay refused it): say that first, since it is
    // what was typed, then why it did not work as an issuer either.
    if (answer !== undefined && answer.status !== 0) throw error;
    const asIssuer = (error instanceof Error ? error.message : String(error))
      .replace(ASK_FOR_KEYS, '')
      .replace(/[.\s]+$/, '');
    throw new NetworkError(
      'NETWORK_ERROR',
      `Could not read ${first.problem ?? value}; taken as an issuer instead: ${asIssuer}. ${ASK_FOR_KEYS}`,
      { cause: error },
    );
  }
  const { issuerCheck, ...found } = looked;
  // With no iss in the token there is nothing to compare the document's issuer with.
  return typeof tokenIss === 'string' && issuerCheck !== undefined ? { ...found, issuerCheck } : found;
}

/**
 * Reads a key set pasted as JSON: `{"keys": [...]}`, one JWK, or an array of JWKs. Throws
 * `InvalidInputError` with what is wrong.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export function parseKeySetJson(text: string): JSONWebKeySet {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(
      'jwksJson',
      `The pasted key set is not JSON: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  if (isObject(value) && Array.isArray(value['keys'])) return value as unknown as JSONWebKeySet;
  if (isObject(value) && typeof value['kty'] === 'string') return { keys: [value as never] };
  if (Array.isArray(value) && value.every(isObject)) return { keys: value as never[] };
  throw new InvalidInputError(
    'jwksJson',
    `The pasted JSON is ${describeValue(value)}, not a key set: paste {"keys": [...]} as the jwks_uri returns it, or one key.`,
  );
}
