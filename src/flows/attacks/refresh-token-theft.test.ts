import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from '../diagram.ts';
import fc from 'fast-check';
import { refreshRefusalStory, refreshTokenTheftAttack } from './refresh-token-theft.ts';
import { runAttack } from './runner.ts';
import { ATTACK_MODES, type AttackDeps } from './types.ts';

const SANDBOX = 'http://localhost:5174';

/** A sandbox whose portal keeps settings and whose directory is broken, so the run fails at the sign-in. */
function stub(initial: Record<string, unknown>) {
  let settings = { ...initial };
  const posted: Record<string, unknown>[] = [];
  const deps: AttackDeps = {
    fetch: async (url, init) => {
      if (url === `${SANDBOX}/portal/settings`) {
        if (init.method === 'POST') {
          const patch = JSON.parse(String(init.body)) as Record<string, unknown>;
          posted.push(patch);
          settings = { ...settings, ...patch };
        }
        return Response.json(settings);
      }
      return Response.json({ error: 'server_error' }, { status: 500 });
    },
    now: () => 0,
    relayAvailable: false,
    appOrigin: 'http://localhost:5173',
    sandboxOrigin: SANDBOX,
    redirectUri: 'http://localhost:5173/callback',
  };
  return { deps, posted, settings: () => settings };
}

describe('refresh token theft (RFC 9700 §4.14)', () => {
  test('RFC 9700 §4.14.2: the defended run turns rotation on, and a run that fails half-way puts it back', async () => {
    const sandbox = stub({ rotateRefreshTokens: false, spaRefreshTokenLifetimeSeconds: 3600 });
    const record = await runAttack(refreshTokenTheftAttack, 'defended', sandbox.deps);
    expect(record.verdict).toBeUndefined();
    expect(record.failure?.stepId).toBe('victim-sign-in');
    expect(record.cleanupFailed).toBeUndefined();
    expect(sandbox.posted[0]).toEqual({ rotateRefreshTokens: true });
    expect(sandbox.posted.at(-1)).toEqual({
      rotateRefreshTokens: false,
      spaRefreshTokenLifetimeSeconds: 3600,
    });
    expect(sandbox.settings()).toEqual({ rotateRefreshTokens: false, spaRefreshTokenLifetimeSeconds: 3600 });
  });

  test('the vulnerable run turns a person’s rotation off for the run, and back on after', async () => {
    const sandbox = stub({ rotateRefreshTokens: true, spaRefreshTokenLifetimeSeconds: 86_400 });
    await runAttack(refreshTokenTheftAttack, 'vulnerable', sandbox.deps);
    expect(sandbox.posted[0]).toEqual({ rotateRefreshTokens: false });
    expect(sandbox.settings()).toEqual({ rotateRefreshTokens: true, spaRefreshTokenLifetimeSeconds: 86_400 });
  });

  test('a portal that answers without the settings fails the first step, and nothing is put back', async () => {
    const sandbox = stub({});
    const record = await runAttack(refreshTokenTheftAttack, 'defended', sandbox.deps);
    expect(record.failure).toMatchObject({ stepId: 'sandbox-setting', code: 'INVALID_RESPONSE' });
    expect(sandbox.posted).toEqual([]);
  });

  test('sequence diagram text', () => {
    for (const mode of ATTACK_MODES) {
      const spec = {
        actors: refreshTokenTheftAttack.diagram.actors,
        messages: refreshTokenTheftAttack.diagram.messages.filter(
          (m) => m.variant === undefined || m.variant === mode,
        ),
      };
      expect(buildSequenceDiagram(spec)).toMatchSnapshot(mode);
    }
  });
});

describe('the story a refresh refusal tells matches its code (reference-error-codes)', () => {
  test('AADSTS50173 (FreshTokenNeeded): the grant was revoked, for both holders, never "expired"', () => {
    for (const whose of ['victim', 'attacker'] as const) {
      const story = refreshRefusalStory({ error_codes: [50173] }, whose);
      expect(story.grantRevoked).toBe(true);
      expect(story.said).toMatch(/revoked/);
      expect(story.said).not.toMatch(/expired|inactiv|AADSTS/);
    }
  });

  test('AADSTS70008 (ExpiredOrRevokedGrant, "expired due to inactivity") is told as expiry, not as a reuse', () => {
    const story = refreshRefusalStory({ error_codes: [70008] }, 'victim');
    expect(story).toMatchObject({ grantRevoked: false });
    expect(story.said).toMatch(/expired/);
    expect(story.said).not.toMatch(/revoked|used before|thief/);
  });

  test('property: only AADSTS50173 is told as a revoked grant, whatever else comes back', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 99_999_999 }), { nil: undefined }),
        fc.string({ maxLength: 80 }),
        fc.constantFrom('victim' as const, 'attacker' as const),
        fc.boolean(),
        (code, description, whose, afterRevocation) => {
          const story = refreshRefusalStory(
            { ...(code === undefined ? {} : { error_codes: [code] }), error_description: description },
            whose,
            afterRevocation,
          );
          expect(story.grantRevoked).toBe(code === 50173);
          // Revocation is told only on its own code, or for the attacker after the victim's reuse revoked it.
          if (code !== 50173 && !(whose === 'attacker' && afterRevocation))
            expect(story.said).not.toMatch(/revok/);
          expect(story.said).not.toMatch(/AADSTS/);
        },
      ),
    );
  });
});
