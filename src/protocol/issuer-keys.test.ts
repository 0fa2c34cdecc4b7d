import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { FetchMetadata, MetadataAnswer } from './discovery.ts';
import { InvalidInputError, LabError, ProtocolViolationError } from './errors.ts';
import {
  buildIssuerMetadataUrls,
  compareIssuers,
  fetchIssuerKeys,
  fetchKeysFromTypedUrl,
  parseKeySetJson,
  parseTokenIssuer,
  type TokenIssuer,
} from './issuer-keys.ts';

const WELL_KNOWN = '/.well-known/openid-configuration';
const doc = (issuer: string, jwks = 'https://keys.example/jwks') => ({ issuer, jwks_uri: jwks });
const KEYS = { keys: [{ kty: 'RSA', kid: 'k', n: 'AQAB', e: 'AQAB' }] };

/** A stub network: answers from a table, 404 elsewhere; records every URL asked for. */
function stubFetch(table: Record<string, unknown>): FetchMetadata & { readonly asked: string[] } {
  const asked: string[] = [];
  const fetchMetadata = async (url: string): Promise<MetadataAnswer> => {
    asked.push(url);
    // Never relative: a URL without a scheme and host would be resolved against the app's origin.
    new URL(url);
    return url in table ? { status: 200, body: table[url] } : { status: 404, body: undefined };
  };
  return Object.assign(fetchMetadata, { asked });
}

const url = (issuer: TokenIssuer) => {
  if (issuer.kind !== 'url') throw new Error(`expected a URL issuer, got ${issuer.kind}`);
  return issuer;
};

describe('parseTokenIssuer: every real iss form', () => {
  test.each([
    // Google documents both forms of its ID tokens' iss.
    [
      'accounts.google.com',
      [
        'https://accounts.google.com/.well-known/openid-configuration',
        'https://accounts.google.com/.well-known/oauth-authorization-server',
      ],
    ],
    [
      'https://accounts.google.com',
      [
        'https://accounts.google.com/.well-known/openid-configuration',
        'https://accounts.google.com/.well-known/oauth-authorization-server',
      ],
    ],
    // Entra v1: the issuer is sts.windows.net, the metadata is on login.microsoftonline.com.
    [
      'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
      [
        'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/.well-known/openid-configuration',
        'https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/.well-known/openid-configuration',
      ],
    ],
    // Entra v1 in China: sts.chinacloudapi.cn, metadata on login.partner.microsoftonline.cn.
    [
      'https://sts.chinacloudapi.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/',
      [
        'https://login.partner.microsoftonline.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/.well-known/openid-configuration',
      ],
    ],
    [
      'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
      [
        'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration',
        'https://login.microsoftonline.com/.well-known/oauth-authorization-server/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
      ],
    ],
    // Keycloak realm, Okta authorization server: a path; RFC 8414 puts the well-known part first.
    [
      'https://sso.example.org/realms/lab',
      [
        'https://sso.example.org/realms/lab/.well-known/openid-configuration',
        'https://sso.example.org/.well-known/oauth-authorization-server/realms/lab',
      ],
    ],
    [
      'https://dev-1.okta.com/oauth2/default',
      [
        'https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration',
        'https://dev-1.okta.com/.well-known/oauth-authorization-server/oauth2/default',
      ],
    ],
    // Auth0's issuer ends in a slash: exactly one slash before .well-known.
    [
      'https://lab.eu.auth0.com/',
      [
        'https://lab.eu.auth0.com/.well-known/openid-configuration',
        'https://lab.eu.auth0.com/.well-known/oauth-authorization-server',
      ],
    ],
    [
      'http://localhost:8080/realms/x',
      [
        'http://localhost:8080/realms/x/.well-known/openid-configuration',
        'http://localhost:8080/.well-known/oauth-authorization-server/realms/x',
      ],
    ],
  ])('OIDC Discovery §4.1 / RFC 8414 §3.1: %s', (iss, urls) => {
    expect(url(parseTokenIssuer(iss)).metadataUrls).toEqual(urls);
  });

  test('Google’s bare host is read as https://accounts.google.com and marked as a variant', () => {
    expect(parseTokenIssuer('accounts.google.com')).toMatchObject({
      kind: 'url',
      iss: 'accounts.google.com',
      issuer: 'https://accounts.google.com',
      variant: 'bare-host',
    });
  });

  test('the 13 real issuers each lead to issuer + /.well-known/openid-configuration first', () => {
    const files = readdirSync('test-fixtures/providers').filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(13);
    for (const file of files) {
      const { metadata } = JSON.parse(readFileSync(`test-fixtures/providers/${file}`, 'utf8')) as {
        metadata: { issuer: string };
      };
      // Entra's multi-tenant documents name a template: a real token has its tenant there.
      const iss = metadata.issuer.replace('{tenantid}', '9188040d-6c67-4c5b-b112-36a304b66dad');
      const parsed = url(parseTokenIssuer(iss));
      expect(parsed.metadataUrls[0]).toBe(`${iss}${WELL_KNOWN}`);
      expect(compareIssuers(iss, metadata.issuer, '9188040d-6c67-4c5b-b112-36a304b66dad')).toEqual({
        kind: 'identical',
      });
    }
  });

  test('OIDC Core §2: an http iss off this machine is refused, never fetched', () => {
    for (const iss of ['http://issuer.example', 'http://10.0.0.5/realms/x', 'http://accounts.google.com/']) {
      expect(parseTokenIssuer(iss)).toMatchObject({
        kind: 'refused',
        reason: expect.stringMatching(/http, not https/),
      });
    }
  });

  test('an iss with a query, a fragment or a password is refused', () => {
    for (const iss of ['https://a.example/?x=1', 'https://a.example/#f', 'https://u:p@a.example']) {
      expect(parseTokenIssuer(iss).kind).toBe('refused');
    }
  });

  test.each([
    [42, /a number/],
    [null, /null/],
    [true, /a boolean/],
    [{ url: 'https://a.example' }, /an object/],
    [['https://a.example'], /an array/],
    ['', /is empty/],
    ['   ', /is empty/],
    ['null', /not a URL/],
    ['12345', /not a URL/],
    ['urn:example:issuer', /is a URN/],
    ['https://accounts google.com', /spaces/],
    ['發行者', /not a URL/],
    ['🔑', /not a URL/],
    ['/realms/x', /not a URL/],
    ['//issuer.example', /not a URL/],
    ['javascript:alert(1)', /“javascript:” scheme/],
    ['localhost:8080', /no scheme/],
    ['accounts.google.com:443:x', /scheme/],
  ])('%j cannot lead to keys, and the message says what to do', (iss, says) => {
    const parsed = parseTokenIssuer(iss);
    expect(parsed).toMatchObject({ kind: 'not-a-url', reason: expect.stringMatching(says) });
    expect(parsed.kind !== 'url' && parsed.reason).toMatch(
      /Give the issuer or key set URL, or paste the key set, under “Keys from elsewhere”/,
    );
  });

  test('fast-check: any https issuer leads only to absolute https URLs with one /.well-known/', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ validSchemes: ['https'], withQueryParameters: false, withFragments: false }),
        fc.boolean(),
        (issuer, slash) => {
          const iss = slash && !issuer.endsWith('/') ? `${issuer}/` : issuer;
          const parsed = parseTokenIssuer(iss);
          if (parsed.kind !== 'url') {
            // Only what the rules refuse: credentials in the URL.
            expect(new URL(iss).username !== '' || new URL(iss).password !== '').toBe(true);
            return;
          }
          for (const metadataUrl of parsed.metadataUrls) {
            expect(new URL(metadataUrl).protocol).toBe('https:');
            expect(new URL(metadataUrl).origin).toBe(new URL(iss).origin);
            expect(metadataUrl.split('/.well-known/')).toHaveLength(2);
            expect(metadataUrl).not.toContain('//.well-known');
          }
        },
      ),
    );
  });

  test('fast-check: any value at all never throws and never yields a relative or non-web URL', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.webUrl(), fc.domain()), (iss) => {
        const parsed = parseTokenIssuer(iss);
        if (parsed.kind !== 'url') {
          expect(parsed.reason.length).toBeGreaterThan(20);
          return;
        }
        for (const metadataUrl of parsed.metadataUrls) {
          const target = new URL(metadataUrl);
          const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(target.hostname);
          expect(target.protocol === 'https:' || (target.protocol === 'http:' && loopback)).toBe(true);
        }
      }),
    );
  });

  test('fast-check: a bare domain stands for its https URL', () => {
    fc.assert(
      fc.property(fc.domain(), (host) => {
        const parsed = parseTokenIssuer(host);
        expect(parsed).toMatchObject({ kind: 'url', issuer: `https://${host}`, variant: 'bare-host' });
      }),
    );
  });

  test('buildIssuerMetadataUrls removes every terminating slash, then appends one', () => {
    expect(buildIssuerMetadataUrls('https://a.example/t//')[0]).toBe(`https://a.example/t${WELL_KNOWN}`);
  });
});

describe('compareIssuers', () => {
  test('Google: the bare host is a documented variant, not a mismatch', () => {
    expect(compareIssuers('accounts.google.com', 'https://accounts.google.com', undefined)).toMatchObject({
      kind: 'variant',
      explanation: expect.stringMatching(/Google documents both forms/),
    });
  });

  test('another bare host is a mismatch, and the message says only Google documents it', () => {
    expect(compareIssuers('login.example.com', 'https://login.example.com', undefined)).toMatchObject({
      kind: 'mismatch',
      explanation: expect.stringMatching(/Only Google/),
    });
  });

  test('OIDC Discovery §4.3: a trailing slash is a mismatch, said as such', () => {
    expect(compareIssuers('https://lab.auth0.com', 'https://lab.auth0.com/', undefined)).toMatchObject({
      kind: 'mismatch',
      explanation: expect.stringMatching(/only by a trailing slash/),
    });
  });

  test("Entra's {tenantid} template is filled from the token's tid; without tid it cannot match", () => {
    const template = 'https://login.microsoftonline.com/{tenantid}/v2.0';
    expect(compareIssuers('https://login.microsoftonline.com/abc/v2.0', template, 'abc')).toEqual({
      kind: 'identical',
    });
    expect(compareIssuers('https://login.microsoftonline.com/abc/v2.0', template, undefined)).toMatchObject({
      kind: 'mismatch',
      explanation: expect.stringMatching(/no tid/),
    });
  });
});

describe('fetchIssuerKeys', () => {
  test('accounts.google.com: fetches https://accounts.google.com, never a relative URL', async () => {
    const net = stubFetch({
      [`https://accounts.google.com${WELL_KNOWN}`]: doc('https://accounts.google.com'),
      'https://keys.example/jwks': KEYS,
    });
    const keys = await fetchIssuerKeys(url(parseTokenIssuer('accounts.google.com')), undefined, net);
    expect(net.asked).toEqual([`https://accounts.google.com${WELL_KNOWN}`, 'https://keys.example/jwks']);
    expect(keys).toMatchObject({ jwksUri: 'https://keys.example/jwks', issuerCheck: { kind: 'variant' } });
  });

  test('RFC 8414 §3.1: when the OIDC URL misses, the inserted form is tried', async () => {
    const net = stubFetch({
      'https://as.example/.well-known/oauth-authorization-server/tenant': doc('https://as.example/tenant'),
      'https://keys.example/jwks': KEYS,
    });
    const keys = await fetchIssuerKeys(url(parseTokenIssuer('https://as.example/tenant')), undefined, net);
    expect(keys.attempts).toEqual([`https://as.example/tenant${WELL_KNOWN}: HTTP 404, not JSON`]);
    expect(keys.issuerCheck).toEqual({ kind: 'identical' });
  });

  test('when nothing answers, the error names every URL tried and blames no one else', async () => {
    const net = stubFetch({});
    const error = await fetchIssuerKeys(url(parseTokenIssuer('https://as.example/t')), undefined, net).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LabError);
    expect((error as Error).message).toMatch(
      /as\.example\/t\/\.well-known.*404.*oauth-authorization-server\/t.*404/,
    );
    expect((error as Error).message).not.toMatch(/relay/);
  });

  test('a network failure on one URL is reported with that URL, and the next one is tried', async () => {
    const asked: string[] = [];
    const net: FetchMetadata = async (u) => {
      asked.push(u);
      if (u.endsWith(WELL_KNOWN)) throw new Error('The browser could not read it (CORS).');
      return {
        status: 200,
        body: u.includes('oauth-authorization-server') ? doc('https://as.example/t') : KEYS,
      };
    };
    const keys = await fetchIssuerKeys(url(parseTokenIssuer('https://as.example/t')), undefined, net);
    expect(keys.attempts[0]).toMatch(/CORS/);
    expect(asked).toHaveLength(3);
  });

  test.each([
    ['/keys'],
    ['keys.json'],
    ['//keys.example/jwks'],
    ['http://keys.example/jwks'],
    ['javascript:alert(1)'],
    [42],
  ])('a jwks_uri of %j is refused, never fetched from the app’s own origin', async (jwksUri) => {
    const net = stubFetch({
      [`https://as.example${WELL_KNOWN}`]: { issuer: 'https://as.example', jwks_uri: jwksUri },
    });
    await expect(
      fetchIssuerKeys(url(parseTokenIssuer('https://as.example')), undefined, net),
    ).rejects.toBeInstanceOf(ProtocolViolationError);
    expect(net.asked).toEqual([`https://as.example${WELL_KNOWN}`]);
  });

  test('Entra v1: the sts.windows.net issuer is found through login.microsoftonline.com', async () => {
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const net = stubFetch({
      [`https://login.microsoftonline.com/${tid}${WELL_KNOWN}`]: doc(`https://sts.windows.net/${tid}/`),
      'https://keys.example/jwks': KEYS,
    });
    const keys = await fetchIssuerKeys(url(parseTokenIssuer(`https://sts.windows.net/${tid}/`)), tid, net);
    expect(keys.issuerCheck).toEqual({ kind: 'identical' });
  });

  test('a key set that is not one is named', async () => {
    const net = stubFetch({
      [`https://as.example${WELL_KNOWN}`]: doc('https://as.example'),
      'https://keys.example/jwks': { keys: 'x' },
    });
    await expect(
      fetchIssuerKeys(url(parseTokenIssuer('https://as.example')), undefined, net),
    ).rejects.toThrow(/not a key set/);
  });
});

describe('keys by hand: a typed URL, or a pasted key set', () => {
  test('a typed key set URL is used as it is', async () => {
    const net = stubFetch({ 'https://keys.example/jwks': KEYS });
    const keys = await fetchKeysFromTypedUrl(' https://keys.example/jwks ', 42, undefined, net);
    expect(keys).toMatchObject({ source: 'typed-url', jwksUri: 'https://keys.example/jwks', jwks: KEYS });
    expect(keys.issuerCheck).toBeUndefined();
  });

  test('a typed discovery document URL leads to its jwks_uri, and its issuer is compared', async () => {
    const net = stubFetch({
      [`https://as.example${WELL_KNOWN}`]: {
        issuer: 'https://as.example',
        jwks_uri: 'https://keys.example/jwks',
      },
      'https://keys.example/jwks': KEYS,
    });
    const keys = await fetchKeysFromTypedUrl(`https://as.example${WELL_KNOWN}`, 'urn:x', undefined, net);
    expect(keys).toMatchObject({ jwksUri: 'https://keys.example/jwks', issuerCheck: { kind: 'mismatch' } });
    // A token without a string iss has nothing to compare.
    const noIss = await fetchKeysFromTypedUrl(`https://as.example${WELL_KNOWN}`, 42, undefined, net);
    expect(noIss.issuerCheck).toBeUndefined();
  });

  test('a typed issuer URL is discovered', async () => {
    const net = stubFetch({
      [`https://as.example/realms/x${WELL_KNOWN}`]: doc('https://as.example/realms/x'),
      'https://keys.example/jwks': KEYS,
    });
    const keys = await fetchKeysFromTypedUrl(
      'https://as.example/realms/x',
      'https://as.example/realms/x',
      undefined,
      net,
    );
    expect(keys).toMatchObject({
      discoveryUrl: `https://as.example/realms/x${WELL_KNOWN}`,
      issuerCheck: { kind: 'identical' },
    });
  });

  test('a typed key set URL that gets no answer is named first, and the messages join without stray stops', async () => {
    const unreachable = async (url: string): Promise<MetadataAnswer> => {
      throw new Error(`Could not reach ${new URL(url).host}: DNS lookup failed.`);
    };
    const error = await fetchKeysFromTypedUrl(
      'https://www.googleapis.com/oauth2/v3/certs',
      'accounts.google.com',
      undefined,
      unreachable,
    ).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Could not read https:\/\/www\.googleapis\.com\/oauth2\/v3\/certs: Could not reach/,
    );
    expect(message).toMatch(/taken as an issuer instead/);
    expect(message).not.toMatch(/\.\.|\.;|\.,/);
    expect(message.match(/Keys from elsewhere/g)).toHaveLength(1);
  });

  test('a typed issuer whose own URL cannot be read (the relay fetches documents only) is still discovered', async () => {
    const table: Record<string, unknown> = {
      [`https://as.example${WELL_KNOWN}`]: doc('https://as.example'),
      'https://keys.example/jwks': KEYS,
    };
    const relayLike = async (url: string): Promise<MetadataAnswer> => {
      if (!(url in table)) throw new Error('The relay fetches only metadata documents and named key sets.');
      return { status: 200, body: table[url] };
    };
    const keys = await fetchKeysFromTypedUrl(
      'https://as.example',
      'https://as.example',
      undefined,
      relayLike,
    );
    expect(keys).toMatchObject({ jwksUri: 'https://keys.example/jwks', issuerCheck: { kind: 'identical' } });
  });

  test('a typed issuer URL for a token without iss: keys found, no issuer comparison', async () => {
    const net = stubFetch({
      [`https://as.example${WELL_KNOWN}`]: doc('https://as.example'),
      'https://keys.example/jwks': KEYS,
    });
    const keys = await fetchKeysFromTypedUrl('https://as.example', undefined, undefined, net);
    expect(keys).toMatchObject({ source: 'typed-url', jwks: KEYS });
    expect(keys.issuerCheck).toBeUndefined();
  });

  test.each([['keys.example/jwks'], ['/jwks'], ['http://keys.example/jwks'], ['ftp://keys.example'], ['']])(
    '%j is refused as typed input before any fetch',
    async (typed) => {
      const net = stubFetch({});
      await expect(fetchKeysFromTypedUrl(typed, undefined, undefined, net)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      expect(net.asked).toEqual([]);
    },
  );

  test('RFC 7517 §5: a pasted set, a single key or an array of keys', () => {
    expect(parseKeySetJson(JSON.stringify(KEYS))).toEqual(KEYS);
    expect(parseKeySetJson(JSON.stringify(KEYS.keys[0]))).toEqual(KEYS);
    expect(parseKeySetJson(JSON.stringify(KEYS.keys))).toEqual(KEYS);
  });

  test.each([['{'], ['"keys"'], ['{"keys": 1}'], ['[1, 2]'], ['null']])(
    '%s is not a key set, and says why',
    (text) => {
      expect(() => parseKeySetJson(text)).toThrow(InvalidInputError);
    },
  );
});
