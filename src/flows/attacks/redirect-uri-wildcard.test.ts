import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from '../diagram.ts';
import { ATTACKER_PAGE_PATH, redirectUriWildcardAttack } from './redirect-uri-wildcard.ts';
import { ATTACK_MODES, type AttackDeps } from './types.ts';

const SANDBOX = 'http://localhost:5174';
const LINK = `${SANDBOX}/tenant/oauth2/v2.0/authorize?client_id=spa`;

function stub(answer: () => Response): AttackDeps {
  return {
    fetch: async () => answer(),
    now: () => 0,
    relayAvailable: false,
    appOrigin: 'http://localhost:5173',
    sandboxOrigin: SANDBOX,
    redirectUri: 'http://localhost:5173/callback',
  };
}

const signIn = redirectUriWildcardAttack.steps.find((s) => s.id === 'victim-signs-in');
if (signIn === undefined) throw new Error('no sign-in step');

describe('wildcard redirect URI: the victim’s sign-in', () => {
  test('a redirect to the attacker’s page goes on to the attacker', async () => {
    const to = `http://localhost:5173${ATTACKER_PAGE_PATH}?code=abc&state=s`;
    const outcome = await signIn.run(
      { mode: 'vulnerable', link: LINK },
      stub(() => Response.json({ redirectedTo: to })),
    );
    expect(outcome.verdict).toBeUndefined();
    expect(outcome.ctx.redirectedTo).toBe(to);
  });

  test('AADSTS50011 on the sandbox’s page is exact matching stopping it: its code and words once, no hint', async () => {
    const message =
      "The redirect URI 'x' specified in the request does not match (the port of an http://localhost redirect URI is ignored).";
    const outcome = await signIn.run(
      { mode: 'defended', link: LINK },
      stub(() =>
        Response.json(
          {
            error: 'invalid_request',
            error_description: `The sign-in stopped on a page without a form, the sandbox’s error page: AADSTS50011: ${message}`,
            error_page: { aadsts: 'AADSTS50011', message },
          },
          { status: 400 },
        ),
      ),
    );
    expect(outcome.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'AADSTS50011', message } });
    // The outcome shows the refusal; the step says what happened without repeating it.
    expect(JSON.stringify([outcome.said, outcome.facts ?? []])).not.toContain('AADSTS50011');
    expect(outcome.exchanges).toHaveLength(1);
  });

  test('another refusal is a broken run, not a verdict', async () => {
    const description =
      'The sign-in stopped on a page without a form, the sandbox’s error page: AADSTS700016: x';
    await expect(
      signIn.run(
        { mode: 'defended', link: LINK },
        stub(() =>
          Response.json({ error: 'invalid_request', error_description: description }, { status: 400 }),
        ),
      ),
    ).rejects.toThrow(/AADSTS700016/);
    await expect(
      signIn.run(
        { mode: 'defended', link: LINK },
        stub(() =>
          Response.json(
            {
              error: 'invalid_request',
              error_description: description,
              error_page: { aadsts: 'AADSTS700016', message: 'x' },
            },
            { status: 400 },
          ),
        ),
      ),
    ).rejects.toThrow(/AADSTS700016/);
  });
});

describe('wildcard redirect URI diagram', () => {
  test.each(ATTACK_MODES)('%s run', (mode) => {
    const { actors, messages } = redirectUriWildcardAttack.diagram;
    const spec = { actors, messages: messages.filter((m) => m.variant === undefined || m.variant === mode) };
    expect(buildSequenceDiagram(spec)).toMatchSnapshot();
  });
});
