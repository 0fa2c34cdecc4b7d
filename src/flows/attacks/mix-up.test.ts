import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from '../diagram.ts';
import { MIX_UP_AS_PATH, MIX_UP_CAPTURED_PATH } from './mix-up-server.ts';
import { mixUpAttack } from './mix-up.ts';
import { runAttack } from './runner.ts';
import { ATTACK_MODES, type AttackDeps } from './types.ts';

const SANDBOX = 'http://localhost:5174';
const ATTACKER_ISSUER = `${SANDBOX}${MIX_UP_AS_PATH}`;
const HONEST_ISSUER = `${SANDBOX}/standard`;
const CALLBACK = 'http://localhost:5173/callback';

function metadata(issuer: string, extra: Record<string, unknown> = {}) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    ...extra,
  };
}

const b64 = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const ID_TOKEN = `${b64({ alg: 'RS256' })}.${b64({ sub: 'adele', email: 'adele@flowlab-sandbox.onmicrosoft.com' })}.sig`;

/**
 * A sandbox played by a stub: the attacker's server, the sign-in helper (whose answer carries `iss`
 * as given, the state of the authorization request, and a code), and the honest token endpoint.
 */
function stub(iss: string | undefined, attackerPromisesIss = true) {
  const calls: { method: string; url: string; body: string }[] = [];
  const deps: AttackDeps = {
    fetch: async (url, init) => {
      const body = typeof init.body === 'string' ? init.body : '';
      calls.push({ method: init.method ?? 'GET', url, body });
      if (url === `${ATTACKER_ISSUER}/.well-known/openid-configuration`)
        return Response.json(
          metadata(ATTACKER_ISSUER, { authorization_response_iss_parameter_supported: attackerPromisesIss }),
        );
      if (url === `${HONEST_ISSUER}/.well-known/openid-configuration`)
        return Response.json(metadata(HONEST_ISSUER, { userinfo_endpoint: `${HONEST_ISSUER}/me` }));
      if (url === `${HONEST_ISSUER}/me`)
        return Response.json({ sub: 'adele', email: 'adele@flowlab-sandbox.onmicrosoft.com' });
      if (url === `${SANDBOX}/attack-lab/sign-in`) {
        const asked = new URL(String((JSON.parse(body) as { authorizationUrl: string }).authorizationUrl));
        const back = new URLSearchParams({
          code: 'honest-code',
          state: asked.searchParams.get('state') ?? '',
        });
        if (iss !== undefined) back.set('iss', iss);
        return Response.json({ redirectedTo: `${CALLBACK}?${back}` });
      }
      if (url === `${ATTACKER_ISSUER}/token`)
        return Response.json({ error: 'invalid_grant' }, { status: 400 });
      if (url === `${SANDBOX}${MIX_UP_CAPTURED_PATH}`) {
        const sent = calls.find((c) => c.url === `${ATTACKER_ISSUER}/token`);
        return Response.json(
          sent === undefined
            ? { captured: false }
            : { captured: true, fields: Object.fromEntries(new URLSearchParams(sent.body)) },
        );
      }
      if (url === `${HONEST_ISSUER}/token`)
        return Response.json({
          access_token: 'at',
          token_type: 'Bearer',
          expires_in: 3600,
          id_token: ID_TOKEN,
        });
      return Response.json({ error: 'not_found' }, { status: 404 });
    },
    now: () => 0,
    relayAvailable: false,
    appOrigin: 'http://localhost:5173',
    sandboxOrigin: SANDBOX,
    redirectUri: CALLBACK,
  };
  return { deps, calls };
}

describe('mix-up (RFC 9700 §4.4)', () => {
  test('defence off: the code and verifier go to the attacker’s token endpoint, which redeems them at the honest one', async () => {
    const { deps, calls } = stub(HONEST_ISSUER);
    const record = await runAttack(mixUpAttack, 'vulnerable', deps);
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    const toAttacker = calls.find((c) => c.url === `${ATTACKER_ISSUER}/token`);
    const sent = new URLSearchParams(toAttacker?.body);
    expect(sent.get('code')).toBe('honest-code');
    expect(sent.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    const toHonest = new URLSearchParams(calls.find((c) => c.url === `${HONEST_ISSUER}/token`)?.body);
    expect(toHonest.get('client_id')).toBe('standard-spa');
    expect(toHonest.get('code_verifier')).toBe(sent.get('code_verifier'));
    expect(
      record.steps.at(-1)?.facts?.find((f) => f.label === 'The attacker reads from userinfo')?.value,
    ).toBe('adele@flowlab-sandbox.onmicrosoft.com');
  });

  test('RFC 9207 §2.4: defence on, another issuer in iss: refused before any token request', async () => {
    const { deps, calls } = stub(HONEST_ISSUER);
    const record = await runAttack(mixUpAttack, 'defended', deps);
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'INVALID_RESPONSE' } });
    expect(calls.some((c) => c.url.endsWith('/token'))).toBe(false);
  });

  test('RFC 9207 §2.4: defence on, no iss although the chosen server promised it: refused', async () => {
    const { deps, calls } = stub(undefined);
    const record = await runAttack(mixUpAttack, 'defended', deps);
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'MISSING_PARAMETER' } });
    expect(calls.some((c) => c.url.endsWith('/token'))).toBe(false);
  });

  test('defence on, the chosen server’s own issuer in iss: the code is taken (the check is not a blanket refusal)', async () => {
    const { deps } = stub(ATTACKER_ISSUER);
    const record = await runAttack(mixUpAttack, 'defended', deps);
    expect(record.steps.find((s) => s.id === 'callback')?.status).toBe('done');
    expect(record.verdict).toBeUndefined();
  });

  test('sequence diagram text', () => {
    for (const mode of ATTACK_MODES) {
      const spec = {
        actors: mixUpAttack.diagram.actors,
        messages: mixUpAttack.diagram.messages.filter((m) => m.variant === undefined || m.variant === mode),
      };
      expect(buildSequenceDiagram(spec)).toMatchSnapshot(mode);
    }
  });
});

describe('what the page says Entra ID does', () => {
  // The discovery documents Entra ID published, as captured: none offers iss in authorization responses.
  test.each(['entra-common.json', 'entra-organizations.json'])(
    'test-fixtures/providers/%s has no authorization_response_iss_parameter_supported',
    (file) => {
      const doc = JSON.parse(readFileSync(`test-fixtures/providers/${file}`, 'utf8')) as Record<
        string,
        unknown
      >;
      const metadata = (doc['metadata'] ?? doc) as Record<string, unknown>;
      expect(JSON.stringify(doc)).toContain('authorization_endpoint');
      expect(metadata['authorization_response_iss_parameter_supported']).toBeUndefined();
      expect(mixUpAttack.onEntra?.text).toMatch(/sends no iss/);
    },
  );
});
