// A caller's value as an error message shows it, on one line: strings quoted with their control characters
// escaped (a value read from a file or the environment may hold a newline or an escape sequence that would
// break the message, or a terminal), bytes and containers by their kind, functions without their source.

/**
 * Characters a reader cannot see as themselves: controls (C0, DEL, C1: ESC and CSI drive a terminal), the
 * Unicode line and paragraph separators (lines break there in editors, log viewers and str.splitlines()), and
 * the invisible and direction-changing formats (soft hyphen, zero-width and bidi marks and overrides, U+FEFF,
 * tag characters). Not global, so that test() and exec() keep no state between calls; escapeControls and
 * escapePeerText replace every one.
 */
export const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0001}\u{e0020}-\u{e007f}]/u;
const EVERY_UNPRINTABLE = new RegExp(UNPRINTABLE.source, 'gu');
const BACKSLASH_OR_UNPRINTABLE = new RegExp(`\\\\|${UNPRINTABLE.source}`, 'gu');

/** An unprintable character as \uXXXX (a tag character as its two UTF-16 units). */
const unicodeEscape = (c: string): string => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');

/**
 * Each unprintable character as \uXXXX: one line that drives no terminal. Inside a JSON string the same escapes
 * read back as the same text. The backslash stays as it is, so this is the last layer, over text already made of
 * our words and escaped values (an RFC 4514 name, a CLI error): it must not escape their escapes again. A value
 * the peer chose gets escapePeerText where it is put into text, or it could spell "\u001b" and read as an
 * escaped ESC.
 */
export function escapeControls(text: string): string {
  return text.replace(EVERY_UNPRINTABLE, unicodeEscape);
}

/**
 * A value the peer chose (a name in its certificate, an ALPN name, a field of its message), escaped where it
 * becomes part of a text, once: each backslash doubled, each unprintable character as `escape` makes it
 * (\uXXXX by default; x509.ts writes RFC 4514's octets), and each of `separators` (the characters that
 * delimit the value where it is shown, a space or a comma between names) as an unprintable one would be. Then
 * no value shows as another value, as an escaped character, or as two values; escapeControls over the whole
 * text leaves it as it is.
 */
export function escapePeerText(text: string, options: { escape?: (character: string) => string; separators?: string } = {}): string {
  const escape = options.escape ?? unicodeEscape;
  let escaped = text.replace(BACKSLASH_OR_UNPRINTABLE, (c) => (c === '\\' ? '\\\\' : escape(c)));
  // An escape is a backslash and hex digits: it holds no separator.
  for (const separator of options.separators ?? '') escaped = escaped.replaceAll(separator, escape(separator));
  return escaped;
}

export function showValue(value: unknown): string {
  if (typeof value === 'string') return `'${escapeControls(value)}'`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return escapeControls(String(value));
}
