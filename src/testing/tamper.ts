// Editing records and handshake messages in flight, for negative tests and fuzzing. A flight (what one
// `takeOutput()` returned) is split into records; plaintext handshake records (the hellos) are rewritten
// as typed messages; protected records are opened and sealed again with a traffic secret taken from the
// connection's own `secret` events. That is the position of an attacker who knows the keys: it lets a test
// reach the checks that sit behind record protection (Certificate, CertificateVerify, Finished).
// Core-safe: no node imports.
import { nobleProvider } from '../crypto/noble.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { Role, TlsEvent } from '../handshake/events.js';
import { trafficKeys, type SecretName } from '../handshake/keyschedule.js';
import { SUITES, type SuiteInfo } from '../handshake/suites.js';
import { MAX_PLAINTEXT_LENGTH, plaintextRecord, RECORD_HEADER_LENGTH } from '../record/header.js';
import { RecordProtection, type RecordContent } from '../record/protection.js';
import { concat } from '../wire/bytes.js';
import { ContentType } from '../wire/enums.js';
import { decodeHandshake, encodeHandshake } from '../wire/messages.js';
import type { HandshakeMessage, ServerHello } from '../wire/types.js';

/** One record as framed on the wire (RFC 8446 §5.1): for a protected record, `fragment` is the ciphertext. */
export interface WireRecord {
  type: number;
  version: number;
  fragment: Uint8Array;
}

/** Splits a flight into records; the flight must end on a record boundary. */
export function splitRecords(flight: Uint8Array): WireRecord[] {
  const records: WireRecord[] = [];
  let at = 0;
  while (at < flight.length) {
    if (flight.length - at < RECORD_HEADER_LENGTH) throw new Error(`flight ends inside a record header at offset ${at}`);
    const length = (flight[at + 3]! << 8) | flight[at + 4]!;
    const end = at + RECORD_HEADER_LENGTH + length;
    if (end > flight.length) throw new Error(`record at offset ${at} claims ${length} bytes but the flight ends first`);
    records.push({ type: flight[at]!, version: (flight[at + 1]! << 8) | flight[at + 2]!, fragment: flight.slice(at + RECORD_HEADER_LENGTH, end) });
    at = end;
  }
  return records;
}

/** The records framed again, each with a header that matches its fragment. */
export function joinRecords(records: WireRecord[]): Uint8Array {
  return concat(...records.map((r) => plaintextRecord(r.type, r.version, r.fragment)));
}

/** Splits handshake record content into whole messages (header included); it must hold no partial message. */
export function splitHandshakeMessages(content: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (at < content.length) {
    const length = content.length - at >= 4 ? (content[at + 1]! << 16) | (content[at + 2]! << 8) | content[at + 3]! : Infinity;
    if (at + 4 + length > content.length) throw new Error(`handshake content ends inside a message at offset ${at}`);
    messages.push(content.slice(at, at + 4 + length));
    at += 4 + length;
  }
  return messages;
}

/** A copy of `bytes` with one bit flipped. */
export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  if (index < 0 || index >= bytes.length) throw new Error(`flipBit: index ${index} outside ${bytes.length} bytes`);
  const copy = bytes.slice();
  copy[index]! ^= 1 << bit;
  return copy;
}

/**
 * What an edit returns: typed messages (re-encoded) or raw bytes (sent as they are). A message object
 * returned unchanged from the input keeps its original bytes.
 */
export type EditedMessages = Array<HandshakeMessage | Uint8Array>;
export type HandshakeEdit = (messages: HandshakeMessage[]) => EditedMessages;

/** Decodes whole messages, applies `edit`, and encodes the result. */
function applyEdit(raws: Uint8Array[], edit: HandshakeEdit): Uint8Array {
  const decoded = raws.map((raw) => decodeHandshake(raw));
  const edited = edit(decoded);
  return concat(
    ...edited.map((item) => {
      if (item instanceof Uint8Array) return item;
      const index = decoded.indexOf(item);
      return index >= 0 ? raws[index]! : encodeHandshake(item);
    }),
  );
}

/** Handshake bytes in records of at most 2^14 bytes (RFC 8446 §5.1); empty content gives no record. */
function chunks(content: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < content.length; at += MAX_PLAINTEXT_LENGTH) out.push(content.subarray(at, at + MAX_PLAINTEXT_LENGTH));
  return out;
}

/**
 * Rewrites the handshake messages of each plaintext handshake record of a flight (ClientHello,
 * ServerHello); every other record passes unchanged. The edit sees the messages of one record at a time.
 */
export function editPlaintextHandshake(flight: Uint8Array, edit: HandshakeEdit): Uint8Array {
  const records = splitRecords(flight).flatMap((record): WireRecord[] => {
    if (record.type !== ContentType.handshake) return [record];
    const content = applyEdit(splitHandshakeMessages(record.fragment), edit);
    return chunks(content).map((fragment) => ({ type: record.type, version: record.version, fragment }));
  });
  return joinRecords(records);
}

/** Rewrites the ServerHello of a server's first flight. */
export function editServerHello(flight: Uint8Array, edit: (hello: ServerHello) => ServerHello | EditedMessages): Uint8Array {
  return editPlaintextHandshake(flight, (messages) =>
    messages.flatMap((m) => {
      if (m.kind !== 'server_hello') return [m];
      const result = edit(m);
      return Array.isArray(result) ? result : [result];
    }),
  );
}

/** The traffic secret and suite one direction of a handshake epoch is protected with. */
export interface TrafficSecret {
  suite: SuiteInfo;
  secret: Uint8Array;
  provider?: CryptoProvider;
}

/** The secret a connection announced in its `secret` events (e.g. 'server_handshake_traffic_secret'). */
export function announcedSecret(events: TlsEvent[], name: SecretName): Uint8Array {
  const event = events.find((e): e is Extract<TlsEvent, { type: 'secret' }> => e.type === 'secret' && e.name === name);
  if (!event) throw new Error(`no ${name} among the events`);
  return event.secret;
}

/** The suite with this IANA name, e.g. `connection.info.cipherSuite`. */
export function suiteNamed(name: string | undefined): SuiteInfo {
  const suite = [...SUITES.values()].find((s) => s.name === name);
  if (!suite) throw new Error(`no cipher suite named ${name}`);
  return suite;
}

function protectionFor(keys: TrafficSecret): RecordProtection {
  const provider = keys.provider ?? nobleProvider;
  const { key, iv } = trafficKeys(provider, keys.suite, keys.secret);
  return new RecordProtection(provider, keys.suite.aead, key, iv);
}

/**
 * Opens the protected records of a flight with one traffic secret (sequence numbers from 0), lets `edit`
 * rewrite their contents (drop, add, reorder, change content types), and seals the result again under the
 * same key. Plaintext records (ServerHello, ChangeCipherSpec) keep their place before them. For flights
 * whose protected records all use that one key: a server's first flight (handshake keys), a client's
 * second flight.
 */
export function editProtectedRecords(flight: Uint8Array, keys: TrafficSecret, edit: (records: RecordContent[]) => RecordContent[]): Uint8Array {
  const records = splitRecords(flight);
  const firstProtected = records.findIndex((r) => r.type === ContentType.application_data);
  if (firstProtected < 0) throw new Error('the flight has no protected records');
  const opener = protectionFor(keys);
  const opened = records.slice(firstProtected).map((r) => opener.open(plaintextRecord(r.type, r.version, r.fragment)));
  const sealer = protectionFor(keys);
  const sealed = edit(opened).map((r) => sealer.seal(r.contentType, r.content));
  return concat(joinRecords(records.slice(0, firstProtected)), ...sealed);
}

/**
 * Rewrites the handshake messages carried by the protected records of a flight (see editProtectedRecords);
 * the result is sealed one record per 2^14 bytes.
 */
export function editProtectedHandshake(flight: Uint8Array, keys: TrafficSecret, edit: HandshakeEdit): Uint8Array {
  return editProtectedRecords(flight, keys, (records) => {
    const other = records.find((r) => r.contentType !== ContentType.handshake);
    if (other) throw new Error(`protected record of content type ${other.contentType} in a handshake flight`);
    const content = applyEdit(splitHandshakeMessages(concat(...records.map((r) => r.content))), edit);
    return chunks(content).map((chunk) => ({ contentType: ContentType.handshake, content: chunk }));
  });
}

/**
 * A tamper hook for an InMemoryPair: once `from` has its handshake keys, the first flight it sends under
 * them has its handshake messages rewritten by `edit` (a man in the middle given those keys; it holds no
 * private key but its own). `edited()` says whether that flight came.
 */
export function handshakeRewriter(
  pair: () => { events(side: Role): TlsEvent[]; connection(side: Role): { info: { cipherSuite?: string } } },
  from: Role,
  edit: (message: HandshakeMessage) => HandshakeMessage,
): { tamper: (flight: { from: Role; bytes: Uint8Array }) => Uint8Array; edited: () => boolean } {
  const secret = from === 'server' ? 'server_handshake_traffic_secret' : 'client_handshake_traffic_secret';
  let edited = false;
  return {
    tamper: (flight) => {
      const events = pair().events(from);
      if (flight.from !== from || edited || !events.some((e) => e.type === 'secret' && e.name === secret)) return flight.bytes;
      edited = true;
      const keys = { suite: suiteNamed(pair().connection(from).info.cipherSuite), secret: announcedSecret(events, secret) };
      return editProtectedHandshake(flight.bytes, keys, (messages) => messages.map(edit));
    },
    edited: () => edited,
  };
}
