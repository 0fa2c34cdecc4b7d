import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { graphSigningInput, hashGraphNonce, newSignedGraphNonce, revealGraphNonce } from './graph-token.ts';

const segment = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const headerOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe("Graph's header nonce (graph-token.ts)", () => {
  test('the hash is base64url SHA-256 of the UTF-8 nonce', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (nonce) => {
        expect(hashGraphNonce(nonce)).toBe(
          createHash('sha256').update(Buffer.from(nonce, 'utf8')).digest('base64url'),
        );
      }),
    );
  });

  test('reveal then Graph’s transformation gives back the signed form, for any other header members', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((k) => k !== 'nonce' && k !== '__proto__'),
          fc.jsonValue(),
        ),
        fc.string(),
        (extra, payload) => {
          const signedHeader = { alg: 'RS256', ...extra, nonce: newSignedGraphNonce() };
          const signed = `${segment(signedHeader)}.${Buffer.from(payload).toString('base64url')}.c2ln`;
          const handedOut = revealGraphNonce(signed);
          expect(handedOut).not.toBe(signed);
          expect(hashGraphNonce(String(headerOf(handedOut)['nonce']))).toBe(signedHeader.nonce);
          // Graph hashes what it receives and finds the bytes that were signed.
          expect(graphSigningInput(handedOut)).toBe(signed);
          // Revealing twice changes nothing; a token the sandbox did not sign this way is left alone.
          expect(revealGraphNonce(handedOut)).toBe(handedOut);
        },
      ),
    );
  });

  test('any string at all: no throw; tokens without a header nonce pass through unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(() => revealGraphNonce(value)).not.toThrow();
        expect(() => graphSigningInput(value)).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (header, rest) => {
        const token = `${segment(header)}.${rest.replaceAll('.', '')}.sig`;
        const hasNonce =
          typeof header === 'object' &&
          header !== null &&
          !Array.isArray(header) &&
          typeof header['nonce'] === 'string';
        if (!hasNonce) {
          expect(graphSigningInput(token)).toBe(token);
          expect(revealGraphNonce(token)).toBe(token);
        }
      }),
    );
  });
});
