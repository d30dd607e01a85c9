// NSS key-log lines (the SSLKEYLOGFILE format, RFC 9850): `LABEL <client_random hex> <secret hex>`, one
// secret a line, which Wireshark and tshark read to decrypt a captured TLS 1.3 connection.
import type { TlsEvent } from '../handshake/events.js';
import { hex } from '../wire/bytes.js';

type SecretEvent = Extract<TlsEvent, { type: 'secret' }>;

/** The key-log line for a `secret` event, or undefined when the secret has no key-log label (binder, resumption). */
export function keylogLine(event: SecretEvent): string | undefined {
  if (!event.keylog) return undefined;
  return `${event.keylog} ${hex(event.clientRandom)} ${hex(event.secret)}`;
}

/**
 * Key-log lines for a stream of events, each line once: when both ends of an in-memory pair report the same
 * secret, it is logged a single time.
 */
export class KeylogCollector {
  private readonly seen = new Set<string>();

  /** The new line this event contributes, if any. */
  add(event: TlsEvent): string | undefined {
    if (event.type !== 'secret') return undefined;
    const line = keylogLine(event);
    if (line === undefined || this.seen.has(line)) return undefined;
    this.seen.add(line);
    return line;
  }
}
