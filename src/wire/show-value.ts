// A caller's value as an error message shows it, on one line: strings quoted with their control characters
// escaped (a value read from a file or the environment may hold a newline or an escape sequence that would
// break the message, or a terminal), bytes and containers by their kind, functions without their source.

/** Control characters (C0, DEL, C1) and the Unicode line separators, as \uXXXX. */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
