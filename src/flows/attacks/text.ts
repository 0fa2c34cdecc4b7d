/**
 * The attack page joins a few texts with a citation or an error code: a step's "why" with the section
 * it rests on, a refusal's code with its message. Both texts come from different places (an attack's
 * definition, a server's answer), and each may already hold the other: these joins add a citation or a
 * code only when the text does not hold it yet, so neither is ever shown twice in a row.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */

/** `text` with its whitespace runs made single spaces and its ends trimmed. */
function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Whether `text` holds `token` as a whole (not inside a longer word or number). */
function holds(text: string, token: string): boolean {
  if (token === '') return true;
  let from = 0;
  for (;;) {
    const at = text.indexOf(token, from);
    if (at < 0) return false;
    const before = text[at - 1];
    const after = text[at + token.length];
    const word = /[\p{L}\p{N}_]/u;
    const edgeOk = (c: string | undefined, inner: string | undefined) =>
      c === undefined || inner === undefined || !word.test(c) || !word.test(inner);
    if (edgeOk(before, token[0]) && edgeOk(after, token.at(-1))) return true;
    from = at + 1;
  }
}

/**
 * A step's explanation followed by the section it rests on, in brackets — unless the explanation
 * already cites it, in which case it is shown as it is.
 * @example citedText('Native apps listen on loopback.', 'RFC 8252 §7.3') // 'Native apps listen on loopback. (RFC 8252 §7.3)'
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export function citedText(text: string, citation: string): string {
  const body = tidy(text);
  const cite = citationToAdd(body, citation);
  if (cite === undefined) return body;
  return body === '' ? `(${cite})` : `${body} (${cite})`;
}

/**
 * The citation to show after `text`, or undefined when `text` already cites it (or it is empty).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export function citationToAdd(text: string, citation: string): string | undefined {
  const cite = tidy(citation);
  return cite === '' || holds(tidy(text), cite) ? undefined : cite;
}

/**
 * How a refusal reads: its code, then its message without a leading copy of that code (servers often
 * begin `error_description` with it: `AADSTS501481: The Code_Verifier…`). `code` is empty when the
 * message names it anyway, further on.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function refusalParts(refusal: { readonly code: string; readonly message: string }): {
  readonly code: string;
  readonly message: string;
} {
  const code = tidy(refusal.code);
  let message = tidy(refusal.message);
  // Leading copies of the code, with the separator after each (`CODE: `, `CODE - `, `CODE `).
  while (code !== '' && message.startsWith(code) && holds(message.slice(0, code.length + 1), code))
    message = message.slice(code.length).replace(/^\s*[:\-–—]?\s*/, '');
  if (code !== '' && holds(message, code)) return { code: '', message };
  return { code, message };
}

/**
 * The refusal as one line of plain text, as the page shows it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function refusalText(refusal: { readonly code: string; readonly message: string }): string {
  const { code, message } = refusalParts(refusal);
  if (code === '') return `Refused: ${message}`;
  return message === '' ? `Refused with ${code}.` : `Refused with ${code}: ${message}`;
}
