// Trace events as JSON lines: one object per event per line, schema documented in docs/trace.md.
// Every object carries `"v": 1` (the schema version), `side` (which end reported it) and the event's own
// fields; byte strings (Uint8Array) become lowercase hex strings.
import type { Role, TlsEvent } from '../handshake/events.js';
import { hex } from '../wire/bytes.js';
import { escapeControls } from '../wire/show-value.js';

/** Bumped when a field changes meaning or disappears; adding fields keeps the version. */
export const TRACE_JSON_VERSION = 1;

export interface JsonTraceOptions {
  /** Include secret values (default false: only when asked); without them `secret` events keep their names and labels. */
  secrets?: boolean;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return hex(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One JSON line (without the trailing newline) for an event one side of a connection reported. */
export function jsonTraceLine(side: Role, event: TlsEvent, options: JsonTraceOptions = {}): string {
  const record: Record<string, unknown> = { v: TRACE_JSON_VERSION, side, ...event };
  if (options.secrets !== true) {
    if (event.type === 'secret') delete record['secret'];
    // A ticket's PSK is as secret as a traffic secret (RFC 8446 §4.6.1).
    if (event.type === 'session-ticket') {
      const { psk: _psk, ...ticket } = event.ticket;
      record['ticket'] = ticket;
    }
  }
  // JSON escapes C0 but leaves DEL, C1 (CSI), U+2028 and the bidi overrides of a peer's text (an ALPN name)
  // raw, for a terminal to act on: they can only be inside strings, where \uXXXX reads back the same.
  return escapeControls(JSON.stringify(record, replacer));
}
