import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { sharedStoreOriginWarning } from './open-store.ts';

describe('start-up warning: several instances need one public origin (issue 15)', () => {
  test('Redis without SANDBOX_PUBLIC_ORIGIN: says what breaks and what to set', () => {
    const warning = sharedStoreOriginWarning({ SANDBOX_REDIS_URL: 'redis://127.0.0.1:47765' });
    expect(warning).toMatch(/^Warning: /);
    expect(warning).toContain('SANDBOX_PUBLIC_ORIGIN');
    expect(warning).toMatch(/refuses them/);
    expect(warning).toMatch(/set SANDBOX_PUBLIC_ORIGIN on every instance/);
  });

  test('memory store (no SANDBOX_REDIS_URL, or empty): no warning, whatever the origin', () => {
    fc.assert(
      fc.property(fc.option(fc.webUrl(), { nil: undefined }), (origin) => {
        const env = origin === undefined ? {} : { SANDBOX_PUBLIC_ORIGIN: origin };
        expect(sharedStoreOriginWarning(env)).toBeUndefined();
        expect(sharedStoreOriginWarning({ ...env, SANDBOX_REDIS_URL: '' })).toBeUndefined();
      }),
    );
  });

  test('any Redis URL: warns exactly when the public origin is missing or blank', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.oneof(fc.constant(undefined), fc.stringMatching(/^\s*$/), fc.webUrl()),
        (url, origin) => {
          const env =
            origin === undefined
              ? { SANDBOX_REDIS_URL: url }
              : { SANDBOX_REDIS_URL: url, SANDBOX_PUBLIC_ORIGIN: origin };
          const blank = origin === undefined || origin.trim() === '';
          expect(sharedStoreOriginWarning(env) !== undefined).toBe(blank);
        },
      ),
    );
  });
});
