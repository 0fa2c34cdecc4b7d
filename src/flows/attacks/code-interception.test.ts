import { describe, expect, test } from 'vitest';
import { buildEntraEndpoints } from '../../protocol/endpoints.ts';
import { buildSequenceDiagram } from '../diagram.ts';
import { codeInterceptionAttack, type CodeInterceptionContext } from './code-interception.ts';
import type { LabTenant } from './sandbox-lab.ts';
import { ATTACK_MODES, type AttackDeps } from './types.ts';

const SANDBOX = 'http://localhost:5174';
const TENANT: LabTenant = {
  issuer: `${SANDBOX}/tenant/v2.0`,
  endpoints: buildEntraEndpoints(SANDBOX, 'tenant'),
  app: {
    clientId: 'desktop-app',
    displayName: 'Flow Lab Console',
    platform: 'publicClient',
    redirectUris: ['http://localhost:1337/'],
    allowPublicClientFlows: true,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    confidential: false,
    exposedScopes: [],
  },
};

const b64 = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

/** Deps whose relay answers every request with `answer`, recording the bodies sent. */
function stub(answer: () => Response): { deps: AttackDeps; bodies: string[] } {
  const bodies: string[] = [];
  return {
    bodies,
    deps: {
      fetch: async (_url, init) => {
        bodies.push(typeof init.body === 'string' ? init.body : '');
        return answer();
      },
      now: () => 0,
      relayAvailable: true,
      appOrigin: 'http://localhost:5173',
      sandboxOrigin: SANDBOX,
      redirectUri: 'http://localhost:5173/callback',
    },
  };
}

const step = (id: string) => {
  const found = codeInterceptionAttack.steps.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no step ${id}`);
  return found;
};

const captured = (mode: 'vulnerable' | 'defended'): CodeInterceptionContext => ({
  mode,
  tenant: TENANT,
  code: 'captured-code',
});

describe('code interception: the attacker’s redemption', () => {
  test('sends no code_verifier, and tokens mean the attack worked', async () => {
    const accessToken = `${b64({ alg: 'RS256' })}.${b64({ upn: 'adele@flowlab-sandbox.onmicrosoft.com' })}.sig`;
    const { deps, bodies } = stub(() =>
      Response.json({ access_token: accessToken, token_type: 'Bearer', refresh_token: 'rt' }),
    );
    const outcome = await step('redeem').run(captured('vulnerable'), deps);
    expect(outcome.verdict?.attackWorked).toBe(true);
    expect(outcome.facts?.[0]?.value).toBe('adele@flowlab-sandbox.onmicrosoft.com');
    const sent = new URLSearchParams(bodies[0]);
    expect(sent.get('code')).toBe('captured-code');
    expect(sent.has('code_verifier')).toBe(false);
    expect(sent.has('client_secret')).toBe(false);
  });

  test('invalid_grant is the defence: the verdict names Entra’s code', async () => {
    const { deps } = stub(() =>
      Response.json(
        {
          error: 'invalid_grant',
          error_description: 'AADSTS501481: The Code_Verifier does not match the code_challenge.',
          error_codes: [501481],
        },
        { status: 400 },
      ),
    );
    const outcome = await step('redeem').run(captured('defended'), deps);
    expect(outcome.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'AADSTS501481' } });
  });

  test('any other error is a broken run, never mistaken for the defence', async () => {
    const { deps } = stub(() => Response.json({ error: 'invalid_client' }, { status: 401 }));
    await expect(step('redeem').run(captured('defended'), deps)).rejects.toThrow();
  });

  test('a redirect without a code (an error response) stops the run with the server’s error', () => {
    const ctx: CodeInterceptionContext = {
      mode: 'vulnerable',
      redirectedTo: 'http://localhost:1337/?error=access_denied&error_description=no',
    };
    expect(() => step('capture').run(ctx, stub(() => new Response()).deps)).toThrow(/access_denied/);
  });
});

describe('code interception diagram', () => {
  test.each(ATTACK_MODES)('%s run', (mode) => {
    const { actors, messages } = codeInterceptionAttack.diagram;
    const spec = { actors, messages: messages.filter((m) => m.variant === undefined || m.variant === mode) };
    expect(buildSequenceDiagram(spec)).toMatchSnapshot();
  });
});
