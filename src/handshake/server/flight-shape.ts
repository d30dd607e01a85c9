// The server's counterpart of ClientHelloShape: what a replay, an interop test or a fuzzer may dictate
// about the server's flight that the protocol leaves to the implementation. A shape only rearranges and
// chooses among what RFC 8446 allows: extension order (§4.2: "may appear in any order"), the optional
// server_name acknowledgement (RFC 6066 §3), the message-to-record mapping (§5.1: coalescing and splitting
// are both allowed) and the free fields of NewSessionTicket (§4.6.1). It never adds an extension to a
// handshake message nor drops a required one, and everything it shapes is encoded before it is added to
// the transcript, so the transcript always covers exactly the bytes sent.
import { ExtensionType } from '../../wire/enums.js';
import { ALLOWED_EXTENSIONS, knownExtensionName } from '../../wire/extension-table.js';
import type { HandshakeMessage, Extension } from '../../wire/types.js';
import type { TicketConfig } from '../config.js';

/** The messages whose extension order a shape can set. */
export type ShapedMessage = 'serverHello' | 'helloRetryRequest' | 'encryptedExtensions' | 'certificateRequest' | 'newSessionTicket' | 'certificateEntry';

/** 'coalesced': every message of a flight under the same keys shares records; 'one-per-record': each message starts a record of its own. */
export type RecordMapping = 'coalesced' | 'one-per-record';

export interface ServerFlightShape {
  /**
   * Extension order per message, as code points: listed extensions come first, in this order; the others
   * follow in our default order. A listed extension that the message does not carry is ignored.
   */
  extensionOrder?: Partial<Record<ShapedMessage, number[]>>;
  /** Send the empty server_name acknowledgement in EncryptedExtensions (RFC 6066 §3: optional). Default true. */
  serverNameAck?: boolean;
  /** How the handshake flight maps to records (default 'coalesced'; OpenSSL: 'one-per-record'). */
  handshakeRecords?: RecordMapping;
  /** How post-handshake NewSessionTickets map to records (default 'coalesced'; OpenSSL: 'one-per-record'). */
  ticketRecords?: RecordMapping;
  newSessionTicket?: TicketShape;
}

/** The fields of NewSessionTicket (RFC 8446 §4.6.1) left to the server; the ticket bytes come from TicketConfig.seal. */
export interface TicketShape {
  /** Length of the default nonce, the ticket's index big-endian (default 2; OpenSSL: 8). */
  nonceLength?: number;
  /** The nonces, one per ticket, in order; they must be unique (the PSK derives from them) and cover every ticket. */
  nonces?: Uint8Array[];
  /**
   * ticket_age_add per ticket, in order, all different; tickets beyond the list draw theirs from `random`.
   * Every connection sends the same ones, which an observer can learn: for replays, not for serving.
   */
  ageAdds?: number[];
  /** Extensions appended to ours (early_data), e.g. RFC 8701 GREASE values; clients ignore unknown ones. */
  extensions?: Extension[];
}

/** Stable reorder: `order`'s extensions first, in that order; the rest keep their relative order. */
export function shapeExtensions(shape: ServerFlightShape | undefined, message: ShapedMessage, extensions: Extension[]): Extension[] {
  const order = shape?.extensionOrder?.[message];
  if (!order || order.length === 0) return extensions;
  const rank = (e: Extension) => {
    const i = order.indexOf(e.type);
    return i < 0 ? order.length : i;
  };
  return extensions
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map(({ e }) => e);
}

/** Whether `message` is to end its record, so that the next message starts a new one. */
export function endsRecord(shape: ServerFlightShape | undefined, message: HandshakeMessage): boolean {
  const mapping = message.kind === 'new_session_ticket' ? shape?.ticketRecords : shape?.handshakeRecords;
  return mapping === 'one-per-record';
}

/** The nonce of ticket number `index` of this connection. */
export function ticketNonce(shape: ServerFlightShape | undefined, index: number): Uint8Array {
  const given = shape?.newSessionTicket?.nonces?.[index];
  if (given) return given;
  const nonce = new Uint8Array(shape?.newSessionTicket?.nonceLength ?? 2);
  for (let i = nonce.length - 1, rest = index; i >= 0; i--, rest = Math.floor(rest / 256)) nonce[i] = rest % 256;
  return nonce;
}

/** NewSessionTicket.extensions is `Extension extensions<0..2^16-2>` (RFC 8446 §4.6.1); our early_data takes 8 of them. */
const TICKET_EXTENSIONS_MAX = 0xfffe;
const EARLY_DATA_EXTENSION_BYTES = 8;

/**
 * What validation cannot express field by field (throws a TypeError): every order names each code point
 * once, ticket nonces can never repeat on one connection (RFC 8446 §4.6.1: "MUST be unique"; two tickets
 * with the same nonce would carry the same PSK), nor ticket_age_add values (§4.6.1: "a fresh value for each
 * ticket"; a shared one lets an observer link the tickets' resumptions), and appended ticket extensions
 * never duplicate a type (nor ours: early_data), are none the §4.2 table keeps out of NewSessionTicket,
 * and fit the extensions vector.
 */
export function checkServerFlightShape(shape: ServerFlightShape, tickets: TicketConfig | undefined): void {
  for (const [message, order] of Object.entries(shape.extensionOrder ?? {})) {
    if (new Set(order).size !== order.length) throw new TypeError(`serverFlight.extensionOrder.${message} names an extension twice`);
  }
  const ticketShape = shape.newSessionTicket;
  if (!ticketShape) return;
  const ticketCount = tickets?.count ?? 0;
  if (ticketShape.nonces) {
    const distinct = new Set(ticketShape.nonces.map((n) => Array.from(n).join()));
    if (distinct.size !== ticketShape.nonces.length) throw new TypeError('serverFlight.newSessionTicket.nonces must be unique (RFC 8446 §4.6.1)');
    if (ticketShape.nonces.length < ticketCount) throw new TypeError(`serverFlight.newSessionTicket.nonces has ${ticketShape.nonces.length} nonces for ${ticketCount} tickets`);
  }
  // Default nonces are the index in nonceLength >= 1 bytes: unique for the at most 255 tickets of tickets.count.
  const ageAdds = ticketShape.ageAdds ?? [];
  if (new Set(ageAdds).size !== ageAdds.length) throw new TypeError('serverFlight.newSessionTicket.ageAdds must differ from ticket to ticket (RFC 8446 §4.6.1)');
  const extensions = ticketShape.extensions ?? [];
  const types = extensions.map((e) => e.type);
  if (new Set(types).size !== types.length) throw new TypeError('serverFlight.newSessionTicket.extensions has a type twice');
  if (types.includes(ExtensionType.early_data)) throw new TypeError('serverFlight.newSessionTicket.extensions: early_data comes from tickets.maxEarlyDataSize');
  const forbidden = types.map(knownExtensionName).find((name) => name !== undefined && !ALLOWED_EXTENSIONS[name].includes('NST'));
  if (forbidden) throw new TypeError(`serverFlight.newSessionTicket.extensions: ${forbidden} is not allowed in NewSessionTicket (RFC 8446 §4.2)`);
  const ours = tickets?.maxEarlyDataSize !== undefined ? EARLY_DATA_EXTENSION_BYTES : 0;
  const bytes = extensions.reduce((sum, e) => sum + 4 + e.data.length, ours);
  if (bytes > TICKET_EXTENSIONS_MAX) {
    throw new TypeError(`serverFlight.newSessionTicket.extensions take ${bytes} bytes${ours ? ` with our early_data's ${ours}` : ''}: more than the ${TICKET_EXTENSIONS_MAX} of RFC 8446 §4.6.1`);
  }
}
