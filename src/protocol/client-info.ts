/**
 * Entra's `client_info`: a token response field sent when the token request carried `client_info=1` (MSAL
 * sends it), base64url of the JSON `{"uid": …, "utid": …}` — the account's object id and home tenant id,
 * which MSAL joins as the account's home account id `uid.utid`.
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-common/src/account/ClientInfo.ts
 */
import { decodeBase64Url } from './base64url.ts';

/** What a `client_info` value says, or why it could not be read. */
export type ClientInfo =
  | { readonly ok: true; readonly uid: string; readonly utid: string; readonly homeAccountId: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Decodes a `client_info` value of any type: base64url JSON with string `uid` and `utid`. Never throws;
 * anything else comes back with the reason in plain words.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/msal-acquire-cache-tokens
 */
export function decodeClientInfo(value: unknown): ClientInfo {
  if (typeof value !== 'string' || value === '') {
    return { ok: false, reason: 'client_info is not a non-empty string, so it cannot be decoded.' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Url(value)));
  } catch {
    return { ok: false, reason: 'client_info is not base64url-encoded JSON, as Entra sends it.' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, reason: 'client_info decodes to JSON that is not an object.' };
  }
  const { uid, utid } = parsed as Record<string, unknown>;
  if (typeof uid !== 'string' || typeof utid !== 'string') {
    return { ok: false, reason: 'client_info lacks the uid and utid strings Entra puts in it.' };
  }
  return { ok: true, uid, utid, homeAccountId: `${uid}.${utid}` };
}
