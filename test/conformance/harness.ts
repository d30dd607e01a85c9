// The black-box harness of the conformance tests: our server (or client) after an honest handshake, and
// records a scripted peer writes by hand under the keys that peer holds, the way a test suite such as
// tlsfuzzer drives a real connection. Each test then checks the exact alert on the wire (abort-harness).
import { nobleProvider } from '../../src/crypto/noble.js';
import { AEAD_TAG_LENGTHS } from '../../src/crypto/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { Connection } from '../../src/handshake/connection.js';
import type { Role } from '../../src/handshake/events.js';
import { nextTrafficSecret, trafficKeys, type SecretName } from '../../src/handshake/keyschedule.js';
import type { SuiteInfo } from '../../src/handshake/suites.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { concat } from '../../src/wire/bytes.js';
import { announcedSecret, suiteNamed } from '../../src/testing/tamper.js';
import { clientConfig, record, serverConfig, type Abort } from '../handshake/abort-harness.js';

/**
 * Where a scripted peer's records go and the other side's come from: our engine in memory (a Connection), or
 * another implementation over TCP (tcp-end.ts).
 */
export interface PeerEnd {
  receive(bytes: Uint8Array): void;
  /** The other side's records that arrived since the last call, whole records only. */
  takeOutput(): Uint8Array;
}

/**
 * Records sealed as `side` under `secret`, sequence numbers from 0 (RFC 8446 §5.2, §5.3), with no check on
 * what goes in: a peer that writes records the engine's own RecordProtection refuses to write (over 2^14 + 1
 * bytes, content type 0).
 */
export class PeerWriter {
  private readonly aead: ReturnType<typeof nobleProvider.createAead>;
  private readonly iv: Uint8Array;
  private sequence = 0;

  constructor(
    private readonly suite: SuiteInfo,
    private readonly secret: Uint8Array,
  ) {
    const { key, iv } = trafficKeys(nobleProvider, suite, secret);
    this.aead = nobleProvider.createAead(suite.aead, key);
    this.iv = iv;
  }

  /** The writer of `side` under the secret it announced as `name`, in the negotiated suite unless named. */
  static of(pair: InMemoryPair, side: Role, name: SecretName, suite = pair.server.info.cipherSuite): PeerWriter {
    return new PeerWriter(suiteNamed(suite), announcedSecret(pair.events(side), name));
  }

  /** The writer under the next application traffic secret, as after a KeyUpdate (RFC 8446 §7.2). */
  next(): PeerWriter {
    return new PeerWriter(this.suite, nextTrafficSecret(nobleProvider, this.suite, this.secret));
  }

  /** TLSCiphertext of TLSInnerPlaintext = content || type || zeros(padding). */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    return this.sealInner(concat(content, Uint8Array.of(type), new Uint8Array(padding)));
  }

  /** A TLSCiphertext around any TLSInnerPlaintext, even one with no content type (RFC 8446 §5.4 forbids it). */
  sealInner(inner: Uint8Array): Uint8Array {
    const length = inner.length + AEAD_TAG_LENGTHS[this.suite.aead];
    const header = Uint8Array.of(23, 3, 3, length >> 8, length & 0xff);
    return concat(header, this.aead.seal(perRecordNonce(this.iv, this.sequence++), header, inner));
  }
}

/** The per-record nonce: the sequence number, padded to iv_length, XORed with the static IV (RFC 8446 §5.3). */
function perRecordNonce(iv: Uint8Array, sequence: number): Uint8Array {
  const nonce = iv.slice();
  for (let i = 0, seq = sequence; i < 8; i++, seq = Math.floor(seq / 256)) nonce[11 - i]! ^= seq % 256;
  return nonce;
}

/** Opens the records a side seals under `secret`, sequence numbers from 0, as a peer reading them must. */
export class PeerReader {
  private readonly aead: ReturnType<typeof nobleProvider.createAead>;
  private readonly iv: Uint8Array;
  private sequence = 0;

  constructor(suite: SuiteInfo, secret: Uint8Array) {
    const { key, iv } = trafficKeys(nobleProvider, suite, secret);
    this.aead = nobleProvider.createAead(suite.aead, key);
    this.iv = iv;
  }

  /** The content and true type of one TLSCiphertext's fragment (§5.4: padding zeros stripped). */
  open(fragment: Uint8Array): { type: number; content: Uint8Array } {
    const header = Uint8Array.of(23, 3, 3, fragment.length >> 8, fragment.length & 0xff);
    const inner = this.aead.open(perRecordNonce(this.iv, this.sequence++), header, fragment);
    if (!inner) throw new Error('a record the peer wrote did not open under its key');
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    return { type: inner[end]!, content: inner.subarray(0, end) };
  }
}

/** A connected pair; `writer` seals further records as `side` under its first application keys. */
export function connected(side: Role, client: Partial<ClientConfig> = {}, server: Partial<ServerConfig> = {}) {
  const pair = new InMemoryPair(clientConfig(client), serverConfig(server)).run();
  const victim = side === 'client' ? pair.server : pair.client;
  const peer = side === 'client' ? pair.client : pair.server;
  if (!victim.isConnected || !peer.isConnected) throw new Error('the honest handshake failed');
  const writer = PeerWriter.of(pair, side, side === 'client' ? 'client_application_traffic_secret_0' : 'server_application_traffic_secret_0');
  return { pair, victim, peer, writer };
}

/** Feeds `bytes` to `victim`; what it did about them. */
export function feed(victim: Connection, ...chunks: Uint8Array[]): Abort {
  victim.takeEvents();
  victim.takeOutput();
  for (const bytes of chunks) victim.receive(bytes);
  return { victim, events: victim.takeEvents(), output: victim.takeOutput() };
}

/** The victim took the input without complaint: no alert out, still open. */
export function accepted({ victim, events }: Abort): boolean {
  return !events.some((e) => e.type === 'alert' && e.direction === 'out') && !victim.isClosed;
}

/** A plaintext handshake message in records of at most 2^14 bytes, as a peer must send a long one (§5.1). */
export function plaintextRecords(message: Uint8Array): Uint8Array {
  const records: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += 2 ** 14) records.push(record(22, message.subarray(at, at + 2 ** 14)));
  return concat(...records);
}
