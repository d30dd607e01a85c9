// An in-memory client and server wired back to back: the backbone of scenario tests, negative tests,
// fuzzing, narrated demos and the stepping API. What a side sends waits in a queue of in-flight records
// (one per direction) until it is delivered; the caller may look at the queue and drop, reorder, duplicate
// or edit records before they arrive, and may advance one record, one handshake message or one flight at a
// time. `inspect(side)` shows what a side knows at that point: its state, the transcript hash and its keys.
import { RECORD_HEADER_LENGTH } from '../record/header.js';
import { concat } from '../wire/bytes.js';
import { contentTypeName } from '../wire/enums.js';
import type { ClientConfig, ServerConfig } from './config.js';
import { resolveCommon } from './config.js';
import { Connection } from './connection.js';
import type { NegotiatedInfo, PendingDecision, Role, TlsEvent } from './events.js';
import { trafficKeys, type SecretName } from './keyschedule.js';
import { SUITES, type SuiteInfo } from './suites.js';
import { Transcript } from './transcript.js';

export interface Flight {
  from: Role;
  bytes: Uint8Array;
}

export interface PairOptions {
  /** Sees each flight before delivery; returns the bytes to deliver instead (or undefined to drop them). */
  tamper?: (flight: Flight) => Uint8Array | undefined;
  /** Deliver bytes in chunks of at most this size (1 = one byte at a time). */
  chunkSize?: number;
}

/** One record waiting to be delivered: the caller may edit `bytes`, or drop, reorder or copy entries. */
export interface InFlightRecord {
  /** Numbered in the order the sender produced them, from 1 per direction; a duplicate keeps its number. */
  seq: number;
  from: Role;
  /** The whole record: 5-byte header and fragment (ciphertext once protected). */
  bytes: Uint8Array;
}

/** Bytes as they crossed the (imaginary) wire, in delivery order: what a pcap of the session shows. */
export interface WireSegment {
  from: Role;
  bytes: Uint8Array;
}

/** A secret a side has derived, with the AEAD key and IV of the traffic secrets (RFC 8446 §7.3). */
export interface KnownSecret {
  name: SecretName;
  label: string;
  secret: Uint8Array;
  key?: Uint8Array;
  iv?: Uint8Array;
}

/** What one side knows at this point of the handshake. */
export interface SideSnapshot {
  state: string;
  info: Readonly<NegotiatedInfo>;
  /** Transcript-Hash over the handshake messages so far (RFC 8446 §4.4.1), once the suite is known. */
  transcriptHash?: Uint8Array;
  /** The messages the transcript covers, in order, by kind. */
  transcript: string[];
  secrets: KnownSecret[];
  pendingDecision?: PendingDecision;
  /** Records this side sent that still wait in its queue. */
  queued: number;
}

const peerOf = (side: Role): Role => (side === 'client' ? 'server' : 'client');

/** Post-handshake messages are not part of the handshake transcript (RFC 8446 §4.4.1, §4.6). */
const OUTSIDE_TRANSCRIPT = new Set(['new_session_ticket', 'key_update']);

const TRAFFIC_SECRETS = new Set<SecretName>([
  'client_early_traffic_secret',
  'client_handshake_traffic_secret',
  'server_handshake_traffic_secret',
  'client_application_traffic_secret_0',
  'server_application_traffic_secret_0',
]);

export class InMemoryPair {
  readonly client: Connection;
  readonly server: Connection;
  /** Every event of both sides in the order they happened. */
  readonly log: Array<{ side: Role; event: TlsEvent }> = [];
  /** Records each side sent that its peer has not received yet, oldest first. Edit freely. */
  readonly queue: Record<Role, InFlightRecord[]> = { client: [], server: [] };
  /** Everything delivered, in order. */
  readonly wire: WireSegment[] = [];
  private readonly produced: Record<Role, number> = { client: 0, server: 0 };
  private readonly configs: Record<Role, ClientConfig | ServerConfig>;

  constructor(
    clientConfig: ClientConfig,
    serverConfig: ServerConfig,
    private readonly options: PairOptions = {},
  ) {
    this.configs = { client: clientConfig, server: serverConfig };
    this.server = Connection.server(serverConfig);
    this.client = Connection.client(clientConfig);
    this.collect();
  }

  connection(side: Role): Connection {
    return side === 'client' ? this.client : this.server;
  }

  /**
   * Moves what `from` has sent (its queue and any new output) to its peer as one flight, through the
   * tamper hook. Returns false when `from` had nothing to send.
   */
  step(from: Role): boolean {
    this.pull(from);
    const records = this.queue[from].splice(0);
    if (records.length === 0) return false;
    const bytes = records.length === 1 ? records[0]!.bytes : concat(...records.map((r) => r.bytes));
    const delivered = this.options.tamper ? this.options.tamper({ from, bytes }) : bytes;
    if (delivered) this.deliver(from, delivered);
    this.collect();
    return true;
  }

  /** Moves flights back and forth until neither side has anything to send. */
  run(maxFlights = 100): this {
    for (let i = 0; i < maxFlights; i++) {
      const moved = this.step('client') || this.step('server');
      if (!moved) return this;
    }
    throw new Error(`no quiescence after ${maxFlights} flights`);
  }

  /** Delivers the first record `from` has in flight; returns it, or undefined when the queue is empty. */
  stepRecord(from: Role): InFlightRecord | undefined {
    this.pull(from);
    const record = this.queue[from].shift();
    if (!record) return undefined;
    this.deliver(from, record.bytes);
    this.collect();
    return record;
  }

  /**
   * Delivers `from`'s records one at a time until its peer has received at least one whole handshake
   * message, and returns the messages that arrived. A record can carry several messages (a server flight
   * often shares one record), so more than one may come at once; a record cannot be opened in part.
   */
  stepMessage(from: Role): Array<Extract<TlsEvent, { type: 'handshake-message' }>> {
    const receiver = peerOf(from);
    const start = this.log.length;
    const arrived = () =>
      this.log
        .slice(start)
        .flatMap((e) => (e.side === receiver && e.event.type === 'handshake-message' && e.event.direction === 'in' ? [e.event] : []));
    while (arrived().length === 0) if (!this.stepRecord(from)) break;
    return arrived();
  }

  /** Delivers everything `from` has in flight, one record at a time (no tamper hook); returns how many. */
  stepFlight(from: Role): number {
    let count = 0;
    while (this.stepRecord(from)) count++;
    return count;
  }

  /** Takes the new output of `from` into its queue, split into records; returns the queue. */
  pull(from: Role): InFlightRecord[] {
    const output = this.connection(from).takeOutput();
    for (const bytes of splitIntoRecords(output)) this.queue[from].push({ seq: ++this.produced[from], from, bytes });
    this.collect();
    return this.queue[from];
  }

  /** State, transcript hash and secrets of one side, as of now. */
  inspect(side: Role): SideSnapshot {
    const connection = this.connection(side);
    const events = this.events(side);
    const provider = resolveCommon(this.configs[side], side).provider;
    const transcript = new Transcript(provider);
    const kinds: string[] = [];
    let suite: SuiteInfo | undefined;
    for (const event of events) {
      if (event.type !== 'handshake-message' || OUTSIDE_TRANSCRIPT.has(event.message.kind)) continue;
      const message = event.message;
      if (message.kind === 'server_hello' || message.kind === 'hello_retry_request') {
        suite = SUITES.get(message.cipherSuite);
        if (suite) transcript.selectHash(suite.hash);
      }
      // After a HelloRetryRequest, ClientHello1 stands in the transcript as message_hash (RFC 8446 §4.4.1).
      if (message.kind === 'hello_retry_request' && suite) {
        transcript.replaceWithMessageHash();
        kinds.splice(0, kinds.length, 'message_hash');
      }
      transcript.add(event.raw);
      kinds.push(message.kind);
    }
    const secrets: KnownSecret[] = [];
    for (const event of events) {
      if (event.type !== 'secret') continue;
      const known: KnownSecret = { name: event.name, label: event.label, secret: event.secret };
      if (suite && TRAFFIC_SECRETS.has(event.name)) Object.assign(known, trafficKeys(provider, suite, event.secret));
      secrets.push(known);
    }
    const snapshot: SideSnapshot = { state: connection.state, info: connection.info, transcript: kinds, secrets, queued: this.queue[side].length };
    if (transcript.hash) snapshot.transcriptHash = transcript.current();
    if (connection.pendingDecision) snapshot.pendingDecision = connection.pendingDecision;
    return snapshot;
  }

  /** Events of one side, in order. */
  events(side: Role): TlsEvent[] {
    return this.log.filter((e) => e.side === side).map((e) => e.event);
  }

  private deliver(from: Role, bytes: Uint8Array): void {
    const receiver = this.connection(peerOf(from));
    this.wire.push({ from, bytes });
    const chunk = Math.max(this.options.chunkSize ?? bytes.length, 1);
    for (let i = 0; i < bytes.length; i += chunk) receiver.receive(bytes.subarray(i, i + chunk));
  }

  private collect(): void {
    for (const event of this.client.takeEvents()) this.log.push({ side: 'client', event });
    for (const event of this.server.takeEvents()) this.log.push({ side: 'server', event });
  }
}

/**
 * Splits output into records by their headers (RFC 8446 §5.1). Output always ends on a record boundary;
 * should it not, the incomplete rest stays one entry, so no byte is lost.
 */
function splitIntoRecords(output: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  let at = 0;
  while (at < output.length) {
    const length = output.length - at >= RECORD_HEADER_LENGTH ? (output[at + 3]! << 8) | output[at + 4]! : Infinity;
    const end = Math.min(at + RECORD_HEADER_LENGTH + length, output.length);
    // Views: the output is the pair's own from here on.
    records.push(output.subarray(at, end));
    at = end;
  }
  return records;
}

/** A short label for an in-flight record, e.g. `#3 client→server application_data 53 bytes`. */
export function describeInFlight(record: InFlightRecord): string {
  return `#${record.seq} ${record.from}→${peerOf(record.from)} ${contentTypeName(record.bytes[0] ?? 0)} ${record.bytes.length} bytes`;
}
