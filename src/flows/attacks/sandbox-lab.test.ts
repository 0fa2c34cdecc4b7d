import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SANDBOX_MISMATCH_HINT, SandboxErrorPage, signInAs, withoutFinalStop } from './sandbox-lab.ts';
import type { AttackDeps } from './types.ts';

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

async function failureOf(answer: () => Response): Promise<Error> {
  try {
    await signInAs('adele', LINK, stub(answer));
  } catch (error) {
    return error as Error;
  }
  throw new Error('signInAs did not fail');
}

const DOUBLED_STOP = /[.!?][\s)]*[.!?]/;
const words = fc.array(fc.constantFrom('The', 'sign-in', 'stopped', 'AADSTS50011:', 'x', '(ignored)'), {
  minLength: 1,
  maxLength: 8,
});
const ending = fc.constantFrom('', '.', '!', '?', '..', ' .', '. ', '…', '.!');

describe('the sandbox sign-in helper’s failures (RFC 6749 §4.1.2.1)', () => {
  test('its error page (AADSTS50011) is a typed refusal with the code and words as the page had them', async () => {
    const error = await failureOf(() =>
      Response.json(
        {
          error: 'invalid_request',
          error_description: 'The sign-in stopped … AADSTS50011: No match.',
          error_page: { aadsts: 'AADSTS50011', message: 'No match.' },
        },
        { status: 400 },
      ),
    );
    expect(error).toBeInstanceOf(SandboxErrorPage);
    expect(error).toMatchObject({ aadsts: 'AADSTS50011', description: 'No match.' });
    expect(error.message).not.toContain(SANDBOX_MISMATCH_HINT);
  });

  test('an error_page that is not a sandbox code is not taken for one', async () => {
    for (const page of [
      { aadsts: 'nope', message: 'x' },
      { aadsts: 'AADSTS1' },
      { code: 'AADSTS50011', message: 'x' },
      'AADSTS50011',
      null,
    ]) {
      const error = await failureOf(() =>
        Response.json(
          { error: 'invalid_request', error_description: 'x', error_page: page },
          { status: 400 },
        ),
      );
      expect(error).not.toBeInstanceOf(SandboxErrorPage);
    }
  });

  test('property: a failure ends its sentence once, and hints at the wrong sandbox only when the answer is not the sandbox’s own', async () => {
    await fc.assert(
      fc.asyncProperty(
        words,
        ending,
        fc.constantFrom(400, 404, 500),
        fc.boolean(),
        async (parts, end, status, described) => {
          const description = `${parts.join(' ')}${end}`;
          const error = await failureOf(() =>
            described
              ? Response.json({ error: 'invalid_request', error_description: description }, { status })
              : new Response('<html>not the sandbox</html>', { status }),
          );
          const joined = error.message.slice(error.message.indexOf(': ') + 2);
          // The description's own inside is its own; what this code adds after it ends one sentence once.
          const added = described ? joined.slice(withoutFinalStop(description).length) : joined;
          expect(added).not.toMatch(DOUBLED_STOP);
          expect(error.message.includes(SANDBOX_MISMATCH_HINT)).toBe(!described || status === 404);
        },
      ),
    );
  });

  test('withoutFinalStop keeps the inside of a sentence', () => {
    expect(withoutFinalStop('ignored)..')).toBe('ignored)');
    expect(withoutFinalStop('e.g. this! ')).toBe('e.g. this');
    expect(withoutFinalStop('')).toBe('');
  });
});
