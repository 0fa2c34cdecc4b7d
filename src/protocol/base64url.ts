/**
 * base64url without padding, as JOSE and PKCE put it on the wire.
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Lower-case hex of a byte array, for showing a digest the way command-line tools print it. */
export function encodeHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Decodes base64url (padding optional); throws on characters outside the alphabet.
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */
export function decodeBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new TypeError('Not base64url.');
  const binary = atob(text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
