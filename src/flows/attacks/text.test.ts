import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { citationToAdd, citedText, refusalParts, refusalText } from './text.ts';

const count = (text: string, token: string): number => text.split(token).length - 1;

const citation = fc
  .tuple(
    fc.constantFrom('RFC', 'OIDC Core'),
    fc.integer({ min: 1, max: 9999 }),
    fc.integer({ min: 1, max: 20 }),
  )
  .map(([name, n, section]) => `${name} ${n} §${section}`);
const code = fc.oneof(
  fc.integer({ min: 10000, max: 9999999 }).map((n) => `AADSTS${n}`),
  fc.constantFrom('STATE_MISMATCH', 'NONCE_MISMATCH', 'invalid_grant', 'invalid_token', 'IDX10214'),
);
const words = fc.array(fc.constantFrom('The', 'code', 'is', 'bound', 'to', 'it.', 'Refused', ':', '(', ')'), {
  maxLength: 12,
});

describe('citedText: a step’s why and its citation', () => {
  test('RFC 8252 §7.3 cited inside the why is not added again', () => {
    const why = 'A native app listens on a loopback redirect URI (RFC 8252 §7.3).';
    expect(citedText(why, 'RFC 8252 §7.3')).toBe(why);
    expect(citationToAdd(why, 'RFC 8252 §7.3')).toBeUndefined();
    expect(citedText('A native app listens on loopback.', 'RFC 8252 §7.3')).toBe(
      'A native app listens on loopback. (RFC 8252 §7.3)',
    );
  });

  test('another section of the same RFC is still added (§7.3 is not §7.30)', () => {
    expect(citedText('See RFC 8252 §7.30.', 'RFC 8252 §7.3')).toBe('See RFC 8252 §7.30. (RFC 8252 §7.3)');
  });

  test('property: the citation appears as often as the why holds it, and at least once', () => {
    fc.assert(
      fc.property(words, citation, fc.integer({ min: 0, max: 2 }), (parts, cite, copies) => {
        const why = [...parts, ...Array.from({ length: copies }, () => `(${cite})`)].join(' ');
        const shown = citedText(why, cite);
        expect(count(shown, cite)).toBe(Math.max(1, count(why, cite)));
      }),
    );
  });
});

describe('refusalText: a refusal’s code and message', () => {
  test('AADSTS501481 at the start of the message is shown once', () => {
    const refusal = { code: 'AADSTS501481', message: 'AADSTS501481: The Code_Verifier does not match.' };
    expect(refusalText(refusal)).toBe('Refused with AADSTS501481: The Code_Verifier does not match.');
    expect(refusalParts(refusal)).toEqual({
      code: 'AADSTS501481',
      message: 'The Code_Verifier does not match.',
    });
  });

  test('a code the message names further on is not put in front of it', () => {
    expect(refusalText({ code: 'invalid_grant', message: 'The server said invalid_grant.' })).toBe(
      'Refused: The server said invalid_grant.',
    );
  });

  test('a code that is only part of a longer word is not taken for it', () => {
    expect(refusalParts({ code: 'invalid_grant', message: 'invalid_grants are odd' })).toEqual({
      code: 'invalid_grant',
      message: 'invalid_grants are odd',
    });
  });

  test('property: the code appears exactly once whatever copies of it the message begins with', () => {
    fc.assert(
      fc.property(
        code,
        words,
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(': ', ' - ', ' '),
        (c, parts, n, sep) => {
          const rest = parts.join(' ').replaceAll(c, '');
          const message = `${Array.from({ length: n }, () => `${c}${sep}`).join('')}${rest}`;
          const line = refusalText({ code: c, message });
          expect(count(line, c)).toBe(1);
        },
      ),
    );
  });
});
