/**
 * Quoting a value from the outside world inside one of our messages: bounded in length and with
 * invisible characters named, so a hostile input cannot make a message huge or unreadable.
 */

/** Names a character that would be invisible (or reorder text) if printed raw. */
export function describeCharacter(char: string): string {
  if (/[\p{C}\p{Z}]/u.test(char)) {
    const code = char.codePointAt(0) ?? 0;
    return `an invisible character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  }
  return `“${char}”`;
}

/** JSON-quotes a value for a message, cut to `max` characters with an ellipsis. */
export function quoteForMessage(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
