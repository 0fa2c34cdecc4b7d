import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from './base64url.ts';
import { decodeClientInfo } from './client-info.ts';

const encode = (value: unknown): string => encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));

describe("Entra's client_info (base64url JSON {uid, utid})", () => {
  test('any uid and utid round-trip, with MSAL’s home account id uid.utid', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (uid, utid) => {
        expect(decodeClientInfo(encode({ uid, utid }))).toEqual({
          ok: true,
          uid,
          utid,
          homeAccountId: `${uid}.${utid}`,
        });
      }),
    );
  });

  test('anything else is refused with a reason, never a throw', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const info = decodeClientInfo(value);
        if (!info.ok) expect(info.reason).toMatch(/client_info/);
      }),
    );
    expect(decodeClientInfo('not base64url!').ok).toBe(false);
    expect(decodeClientInfo(encode(['uid'])).ok).toBe(false);
    expect(decodeClientInfo(encode({ uid: 1, utid: 'x' })).ok).toBe(false);
    expect(decodeClientInfo(encodeBase64Url(new Uint8Array([0xff, 0xfe]))).ok).toBe(false);
  });
});
