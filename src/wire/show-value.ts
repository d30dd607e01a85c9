// A caller's value as an error message shows it, on one line: strings quoted with their control characters
// escaped (a value read from a file or the environment may hold a newline or an escape sequence that would
// break the message, or a terminal), bytes and containers by their kind, functions without their source.

/**
 * Characters a reader cannot see as themselves: controls (C0, DEL, C1: ESC and CSI drive a terminal), the
 * Unicode line and paragraph separators (lines break there in editors, log viewers and str.splitlines()), and
 * the invisible and direction-changing formats (soft hyphen, zero-width and bidi marks and overrides, U+FEFF,
 * tag characters). Not global, so that test() and exec() keep no state between calls; replaceUnprintable
 * replaces every one.
 */
export const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u{e0001}\u{e0020}-\u{e007f}]/u;
const EVERY_UNPRINTABLE = new RegExp(UNPRINTABLE.source, 'gu');

/** `text` with each unprintable character replaced by what `escape` makes of it. */
export function replaceUnprintable(text: string, escape: (character: string) => string): string {
  return text.replace(EVERY_UNPRINTABLE, escape);
}

/**
 * Each unprintable character as \uXXXX (a tag character as its two UTF-16 units): one line that drives no
 * terminal. Inside a JSON string the same escapes read back as the same text.
 */
export function escapeControls(text: string): string {
  return replaceUnprintable(text, (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
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
