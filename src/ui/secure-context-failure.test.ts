import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { explainFailure } from './explain-error.ts';
import { toStepFailure } from '../flows/runner.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a step that fails for want of WebCrypto (W3C Secure Contexts)', () => {
  test('without crypto.subtle anything thrown is INSECURE_CONTEXT, with the browser’s words kept', () => {
    vi.stubGlobal('crypto', { getRandomValues: crypto.getRandomValues.bind(crypto) });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string().map((m) => new TypeError(m)),
          fc.anything(),
        ),
        (thrown) => {
          const failure = toStepFailure(thrown);
          expect(failure.code).toBe('INSECURE_CONTEXT');
          expect(failure.message.startsWith('The browser said: ')).toBe(true);
        },
      ),
    );
    const failure = toStepFailure(new TypeError("Cannot read properties of undefined (reading 'digest')"));
    const explained = explainFailure(failure);
    expect(explained.title).toBe('No WebCrypto on this page');
    expect(explained.what).toContain('https pages and to localhost');
    expect(explained.fix).toContain('https address');
  });

  test('with crypto.subtle an unforeseen throw stays a bug', () => {
    expect(toStepFailure(new TypeError('x is not a function')).code).toBe('BUG');
  });
});
