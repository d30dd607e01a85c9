// The structure of the flights a peer sent, as one side's events show it (traceRecords on): which record
// carried which handshake messages, and each message's extension order. Two servers whose flights have the
// same structure differ only in what is random or keyed; a replay of a captured server compares this.
import type { TlsEvent } from '../handshake/events.js';
import { contentTypeName } from '../wire/enums.js';
import type { Extension, HandshakeMessage } from '../wire/types.js';

export interface FlightStructure {
  /** One entry per record received: its content type, or for handshake records the messages it completed. */
  records: string[];
  /** Extension code points in wire order, per message kind (CertificateEntry: the leaf's). */
  extensionOrders: Record<string, number[][]>;
}

/** Extensions of a message, when it has any; for Certificate, the leaf entry's. */
function extensionsOf(message: HandshakeMessage): Extension[] | undefined {
  if (message.kind === 'certificate') return message.entries[0]?.extensions;
  return 'extensions' in message ? message.extensions : undefined;
}

/**
 * Reads the structure from the receiver's events, which come in wire order: a `record` event, then the
 * messages that record completed (the record layer reads a record only when no complete message is left).
 */
export function receivedFlightStructure(events: readonly TlsEvent[]): FlightStructure {
  const records: string[] = [];
  const extensionOrders: Record<string, number[][]> = {};
  let messages: string[] | undefined;
  for (const event of events) {
    if (event.type === 'record' && event.direction === 'in') {
      const type = contentTypeName(event.contentType);
      messages = type === 'handshake' ? [] : undefined;
      records.push(type);
    } else if (event.type === 'handshake-message' && event.direction === 'in') {
      messages?.push(event.message.kind);
      if (messages) records[records.length - 1] = messages.join('+');
      const extensions = extensionsOf(event.message);
      if (extensions) (extensionOrders[event.message.kind] ??= []).push(extensions.map((e) => e.type));
    }
  }
  return { records, extensionOrders };
}
