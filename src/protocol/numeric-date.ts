/**
 * Whether a NumericDate (seconds since the epoch) is at or before `nowMs`; false when it is not a number.
 * Apart from `jwt.ts` so a page can check an expiry without loading the JWT decoder.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4
 */
export function isPast(numericDate: unknown, nowMs: number): boolean {
  return typeof numericDate === 'number' && Number.isFinite(numericDate) && numericDate * 1000 <= nowMs;
}
