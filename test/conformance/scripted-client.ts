// A client written by hand, as tlsfuzzer's runner is: it sends exactly the ClientHello a script lists (no
// extension our own client would add or leave out), does its own key exchange and key schedule from the RFC
// (§4.2.8, §7.1), reads every record the server writes, and answers with a Finished it computes itself. What
// it keeps is what the scripts' Expect* nodes look at: the server's messages in order, its alerts, its key
// share and the (EC)DHE shared secret.
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import { finishedVerifyData, KeySchedule, nextTrafficSecret, resumptionPsk } from '../../src/handshake/keyschedule.js';
import type { SuiteInfo } from '../../src/handshake/suites.js';
import { splitRecords, suiteNamed } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { alertDescriptionName, cipherSuiteName, ExtensionType, namedGroupName } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake, truncateClientHelloForBinders } from '../../src/wire/messages.js';
import type { ClientHello, Extension, HandshakeMessage, NewSessionTicket } from '../../src/wire/types.js';
import { baseHello, ext, record, serverConfig, u16 } from '../handshake/abort-harness.js';
import { type PeerEnd, PeerReader, PeerWriter } from './harness.js';

const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const APPLICATION_DATA = 23;

/** A PSK the ClientHello offers (RFC 8446 §4.2.11): its identity, age, key and kind (ticket or external). */
export interface OfferedPsk {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
  key: Uint8Array;
  resumption: boolean;
}

/** What the client kept of a ticket to resume with (RFC 8446 §4.6.1): the PSK is derived from it. */
export interface HeldTicket {
  ticket: NewSessionTicket;
  suite: SuiteInfo;
  resumptionMasterSecret: Uint8Array;
}

/**
 * `hello` with a pre_shared_key offering `psk`, last, its binder computed with the "res binder" or "ext binder"
 * key over the truncated ClientHello, after `before` (message_hash and the HelloRetryRequest for a
 * ClientHello2, RFC 8446 §4.2.11.2).
 */
export function helloWithPsk(hello: ClientHello, psk: OfferedPsk, suite: SuiteInfo, before: Uint8Array[] = []): Uint8Array {
  const offer = (binder: Uint8Array) => ({
    ...hello,
    extensions: [...hello.extensions, ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode({ identities: [{ identity: psk.identity, obfuscatedTicketAge: psk.obfuscatedTicketAge }], binders: [binder] }))],
  });
  const draft = encodeHandshake(offer(new Uint8Array(suite.hashLength)));
  const schedule = new KeySchedule(nobleProvider, suite, psk.key);
  const binder = finishedVerifyData(nobleProvider, suite, schedule.binderKey(psk.resumption), nobleProvider.hash(suite.hash, concat(...before, truncateClientHelloForBinders(draft))));
  return encodeHandshake(offer(binder));
}

/** The PSK a held ticket stands for, offered `ageMs` after it arrived (RFC 8446 §4.2.11.1, §4.6.1). */
export function ticketPsk({ ticket, suite, resumptionMasterSecret }: HeldTicket, ageMs = 0): OfferedPsk {
  return {
    identity: ticket.ticket,
    obfuscatedTicketAge: (ageMs + ticket.ageAdd) % 2 ** 32,
    key: resumptionPsk(nobleProvider, suite, resumptionMasterSecret, ticket.nonce),
    resumption: true,
  };
}

/** What the server did about one flight of ours: its messages (decrypted), alerts and records. */
export interface Answer {
  messages: HandshakeMessage[];
  alerts: string[];
  applicationData: Uint8Array[];
  /** Content types of the records, in order (a protected record counts as its inner type). */
  records: number[];
}

export class ScriptedClient {
  readonly server: Connection;
  private readonly end: PeerEnd;
  /** Every handshake message in order, both directions, encoded (the transcript, RFC 8446 §4.4.1). */
  private readonly transcript: Uint8Array[] = [];
  private readonly privateKeys = new Map<number, unknown>();
  private readonly random: ReturnType<typeof seededRandom>;
  /** ClientHello.random, the same in a second ClientHello (§4.1.2). */
  private readonly clientRandom: Uint8Array;
  private schedule?: KeySchedule;
  private reader?: PeerReader;
  private writer?: PeerWriter;
  private pendingHandshake: Uint8Array = new Uint8Array(0);
  private handshakeSecrets?: { client: Uint8Array; server: Uint8Array };
  private serverApplicationSecret?: Uint8Array;
  private clientApplicationSecret?: Uint8Array;
  suite?: SuiteInfo;
  serverKeyShare?: Uint8Array;
  sharedSecret?: Uint8Array;
  resumptionMasterSecret?: Uint8Array;
  /** legacy_record_version of our plaintext records (RFC 8446 §5.1: the receiver ignores it). */
  recordVersion = 0x0303;
  /** The most ClientHello bytes one record carries (RFC 8446 §5.1: a handshake message may span records). */
  helloRecordLength = 2 ** 14;
  /** The transcript hash the server's CertificateVerify signs (RFC 8446 §4.4.3). */
  signedTranscriptHash?: Uint8Array;
  /** How many messages the handshake's transcript holds, once our Finished is sent. */
  private handshakeLength = 0;
  /** The PSK the ClientHello offered, if any, for the key schedule once the server accepts it. */
  private psk?: Uint8Array;
  /** The suite of the offered PSK: 0-RTT is protected in it (RFC 8446 §4.2.10). */
  private pskSuite?: SuiteInfo;
  private earlyWriter?: PeerWriter;

  /**
   * A server connection of `config`; `seed` names both sides' randomness (each run its own transcript). With
   * `end`, the records go there instead (another implementation's server, test/conformance/differential-*).
   */
  constructor(config: Partial<ServerConfig> = {}, seed = 'scripted', end?: PeerEnd) {
    this.server = Connection.server(serverConfig({ random: seededRandom(`${seed} server`), ...config }));
    this.end = end ?? this.server;
    this.random = seededRandom(`${seed} client`);
    this.clientRandom = this.random(32);
  }

  /** key_share with a fresh key pair for each group (RFC 8446 §4.2.8), remembered to finish the exchange. */
  keyShare(...groups: number[]): Extension {
    const entries = groups.map((group) => {
      const pair = nobleProvider.keyExchange(namedGroupName(group) as never).generate(this.random);
      this.privateKeys.set(group, pair.privateKey);
      return { group, keyExchange: pair.share };
    });
    return ext(ExtensionType.key_share, X.keyShareClientHello.encode(entries));
  }

  /** Sends a ClientHello of these suites and extensions (and a PSK, last); reads the server's answer. */
  hello(cipherSuites: number[], extensions: Extension[], psk?: { offer: OfferedPsk; suite: SuiteInfo }): Answer {
    return this.helloWithLegacyVersion(0x0303, cipherSuites, extensions, psk);
  }

  /** hello() with another ClientHello.legacy_version (§4.1.2: 0x0303 in TLS 1.3). */
  helloWithLegacyVersion(legacyVersion: number, cipherSuites: number[], extensions: Extension[], psk?: { offer: OfferedPsk; suite: SuiteInfo }): Answer {
    return this.sendHello(this.encodeHello(legacyVersion, cipherSuites, extensions, psk), psk);
  }

  /** An encoded ClientHello as it is (e.g. two identities), into the transcript; `psk` is the one it offers first. */
  sendHello(encoded: Uint8Array, psk?: { offer: OfferedPsk; suite: SuiteInfo }): Answer {
    this.psk = psk?.offer.key;
    this.pskSuite = psk?.suite;
    this.transcript.push(encoded);
    const bytes: Uint8Array[] = [];
    const step = this.helloRecordLength;
    for (let at = 0; at < encoded.length; at += step) bytes.push(record(HANDSHAKE, encoded.subarray(at, at + step), this.recordVersion));
    return this.feed(concat(...bytes));
  }

  /** An encoded ClientHello into the transcript, sent as `records` hold it (split, interleaved, oversized). */
  sendHelloRecords(encoded: Uint8Array, records: Uint8Array): Answer {
    this.transcript.push(encoded);
    return this.feed(records);
  }

  /**
   * A 0-RTT record (RFC 8446 §4.2.10) under client_early_traffic_secret, derived from the offered PSK and
   * ClientHello1 (§7.1), whatever the server decided.
   */
  sendEarly(type: number, content: Uint8Array): Answer {
    if (!this.earlyWriter) {
      const suite = this.pskSuite!;
      const hash = nobleProvider.hash(suite.hash, this.transcript[0]!);
      this.earlyWriter = new PeerWriter(suite, new KeySchedule(nobleProvider, suite, this.psk).earlySecrets(hash).clientEarlyTraffic);
    }
    return this.feed(this.earlyWriter.seal(type, content));
  }

  /** EndOfEarlyData (§4.5) under the early key, in the transcript; a non-empty `body` makes it malformed. */
  endOfEarlyData(body = new Uint8Array(0)): Answer {
    const encoded = concat(Uint8Array.of(5, 0, 0, body.length), body);
    this.transcript.push(encoded);
    return this.sendEarly(HANDSHAKE, encoded);
  }

  /** The ClientHello helloWithLegacyVersion() sends now (a binder over the transcript so far), not sent: to send it altered. */
  encodeHello(legacyVersion: number, cipherSuites: number[], extensions: Extension[], psk?: { offer: OfferedPsk; suite: SuiteInfo }): Uint8Array {
    const hello: ClientHello = { ...baseHello(), legacyVersion, random: this.clientRandom, cipherSuites, extensions };
    return psk ? helloWithPsk(hello, psk.offer, psk.suite, this.transcript) : encodeHandshake(hello);
  }

  /** Our Finished message (RFC 8446 §4.4.4) for the transcript so far, encoded and not sent: to send it altered. */
  finishedMessage(): Uint8Array {
    const verifyData = finishedVerifyData(nobleProvider, this.suite!, this.handshakeSecrets!.client, this.transcriptHash());
    return encodeHandshake({ kind: 'finished', verifyData });
  }

  /** A record of `type` sealed under our current keys (handshake keys until finish(), then application keys). */
  sendSealed(type: number, content: Uint8Array, padding = 0): Answer {
    return this.feed(this.seal(type, content, padding));
  }

  /** The record sendSealed() would send, not sent (to alter it first); it takes its sequence number. */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    return this.writer!.seal(type, content, padding);
  }

  /** A TLSCiphertext around `inner` as it is under our current keys, even with no content type (RFC 8446 §5.4 forbids it). */
  sealInner(inner: Uint8Array): Uint8Array {
    return this.writer!.sealInner(inner);
  }

  /** Bytes as they are (e.g. a hand-made plaintext record). */
  sendRaw(bytes: Uint8Array): Answer {
    return this.feed(bytes);
  }

  /**
   * Sends our Finished (RFC 8446 §4.4.4) under the client handshake key (or, as test-tls13-finished-plaintext
   * does, in a plaintext record; its record edited by `corrupt` if given); moves to the application keys.
   */
  finish(options: { plaintext?: boolean; corrupt?: (record: Uint8Array) => Uint8Array } = {}): Answer {
    const suite = this.suite!;
    const finished = this.finishedMessage();
    const sealed = options.plaintext ? record(HANDSHAKE, finished) : this.writer!.seal(HANDSHAKE, finished);
    this.transcript.push(finished);
    this.resumptionMasterSecret = this.schedule!.resumptionMasterSecret(this.transcriptHash());
    this.handshakeLength = this.transcript.length;
    this.writer = new PeerWriter(suite, this.clientApplicationSecret!);
    return this.feed(options.corrupt ? options.corrupt(sealed) : sealed);
  }

  /**
   * A handshake message of ours, in the transcript and under our current write key (the handshake key before
   * finish(), the application key after it): a client Certificate or CertificateVerify, forged or honest.
   */
  sendHandshake(encoded: Uint8Array): Answer {
    this.transcript.push(encoded);
    return this.feed(this.writer!.seal(HANDSHAKE, encoded));
  }

  /** The transcript hash so far: what a CertificateVerify sent next signs (RFC 8446 §4.4.3). */
  transcriptHashNow(): Uint8Array {
    return this.transcriptHash();
  }

  /**
   * The Finished that ends our answer to a post-handshake CertificateRequest (RFC 8446 §4.4, §4.6.2): its base
   * key is our current client_application_traffic_secret_N, its transcript the handshake, the request and our
   * answer. The answer leaves the transcript afterwards (a later request starts from the handshake again).
   */
  postHandshakeFinished(): Answer {
    const verifyData = finishedVerifyData(nobleProvider, this.suite!, this.clientApplicationSecret!, this.transcriptHash());
    const answer = this.feed(this.writer!.seal(HANDSHAKE, encodeHandshake({ kind: 'finished', verifyData })));
    this.transcript.splice(this.handshakeLength);
    return answer;
  }

  /** KeyUpdate (RFC 8446 §4.6.3) under our current key; then our records go under the next secret. */
  keyUpdate(requestUpdate: 0 | 1): Answer {
    const sealed = this.writer!.seal(HANDSHAKE, encodeHandshake({ kind: 'key_update', requestUpdate }));
    this.clientApplicationSecret = nextTrafficSecret(nobleProvider, this.suite!, this.clientApplicationSecret!);
    this.writer = new PeerWriter(this.suite!, this.clientApplicationSecret);
    return this.feed(sealed);
  }

  /** Application data under our application key (after finish()), its record edited by `corrupt` if given. */
  send(data: Uint8Array, corrupt: (record: Uint8Array) => Uint8Array = (record) => record): Answer {
    return this.feed(corrupt(this.writer!.seal(APPLICATION_DATA, data)));
  }

  /** A warning-level close_notify (RFC 8446 §6.1), protected. */
  closeNotify(): Answer {
    return this.sendSealed(ALERT, Uint8Array.of(1, 0));
  }

  /** What the server wrote since, of its own accord (e.g. after the application called close()). */
  read(): Answer {
    return this.feed();
  }

  /** The ticket `ticket` as a client holds it after this connection. */
  held(ticket: NewSessionTicket): HeldTicket {
    return { ticket, suite: this.suite!, resumptionMasterSecret: this.resumptionMasterSecret! };
  }

  private transcriptHash(): Uint8Array {
    return nobleProvider.hash(this.suite!.hash, concat(...this.transcript));
  }

  private feed(bytes?: Uint8Array): Answer {
    if (bytes) this.end.receive(bytes);
    const answer: Answer = { messages: [], alerts: [], applicationData: [], records: [] };
    for (const { type, fragment } of splitRecords(this.end.takeOutput())) {
      if (type === APPLICATION_DATA) {
        const inner = this.reader!.open(fragment);
        answer.records.push(inner.type);
        this.take(inner.type, inner.content, answer);
      } else {
        answer.records.push(type);
        this.take(type, fragment, answer);
      }
    }
    return answer;
  }

  private take(type: number, content: Uint8Array, answer: Answer): void {
    if (type === ALERT) answer.alerts.push(alertDescriptionName(content[1]!));
    else if (type === APPLICATION_DATA) answer.applicationData.push(content);
    else if (type === HANDSHAKE) {
      this.pendingHandshake = concat(this.pendingHandshake, content);
      const complete = completeMessages(this.pendingHandshake);
      this.pendingHandshake = this.pendingHandshake.slice(complete.reduce((n, m) => n + m.length, 0));
      for (const message of complete) this.takeMessage(message, answer);
    } else if (type !== CHANGE_CIPHER_SPEC) throw new Error(`the server wrote a record of type ${type}`);
  }

  private takeMessage(encoded: Uint8Array, answer: Answer): void {
    const message = decodeHandshake(encoded);
    answer.messages.push(message);
    if (message.kind === 'new_session_ticket') return;
    if (message.kind === 'key_update') {
      // §4.6.3: the server's next records are under its next application traffic secret.
      this.serverApplicationSecret = nextTrafficSecret(nobleProvider, this.suite!, this.serverApplicationSecret!);
      this.reader = new PeerReader(this.suite!, this.serverApplicationSecret);
      return;
    }
    if (message.kind === 'hello_retry_request') {
      // §4.4.1: ClientHello1 is replaced by message_hash, a synthetic message holding its hash.
      const hash = nobleProvider.hash(suiteNamed(cipherSuiteName(message.cipherSuite)).hash, this.transcript[0]!);
      this.transcript.splice(0, 1, concat(Uint8Array.of(254, 0, 0, hash.length), hash));
    }
    if (message.kind === 'certificate_verify') this.signedTranscriptHash = this.transcriptHash();
    this.transcript.push(encoded.slice());
    if (message.kind === 'server_hello') this.enterHandshake(message.cipherSuite, message.extensions);
    if (message.kind === 'finished') {
      this.schedule!.enterMaster();
      const secrets = this.schedule!.applicationSecrets(this.transcriptHash());
      this.serverApplicationSecret = secrets.server;
      this.clientApplicationSecret = secrets.client;
      this.reader = new PeerReader(this.suite!, this.serverApplicationSecret);
    }
  }

  /** The ServerHello's choices: suite, the server's key share and our shared secret, the handshake keys. */
  private enterHandshake(cipherSuite: number, extensions: Extension[]): void {
    this.suite = suiteNamed(cipherSuiteName(cipherSuite));
    const shareExt = X.findExtension(extensions, ExtensionType.key_share);
    if (shareExt) {
      const share = X.bodyOf(X.keyShareServerHello, shareExt);
      this.serverKeyShare = share.keyExchange;
      const exchange = nobleProvider.keyExchange(namedGroupName(share.group) as never);
      this.sharedSecret = exchange.decapsulate(this.privateKeys.get(share.group) as never, share.keyExchange) ?? undefined;
    }
    const pskAccepted = X.findExtension(extensions, ExtensionType.pre_shared_key) !== undefined;
    this.schedule = new KeySchedule(nobleProvider, this.suite, pskAccepted ? this.psk : undefined);
    this.schedule.enterHandshake(this.sharedSecret);
    this.handshakeSecrets = this.schedule.handshakeTrafficSecrets(this.transcriptHash());
    this.reader = new PeerReader(this.suite, this.handshakeSecrets.server);
    this.writer = new PeerWriter(this.suite, this.handshakeSecrets.client);
  }
}

/** The whole handshake messages at the front of `bytes` (a message may continue in the next record). */
function completeMessages(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const length = (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (at + 4 + length > bytes.length) break;
    out.push(bytes.subarray(at, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

/** A list of 2-byte code points as an extension body (<2..2^16-2>), e.g. groups or signature schemes. */
export const codePointList = (type: number, points: number[]) => ext(type, [...u16(points.length * 2), ...points.flatMap(u16)]);
/** tlsfuzzer's helpers.py lists of signature schemes, in its order (TLS 1.2 hash/signature pairs included). */
export const RSA_PKCS1_ALL = [0x0601, 0x0501, 0x0401, 0x0301, 0x0201, 0x0101];
export const RSA_SIG_ALL = [...RSA_PKCS1_ALL, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b];
export const ECDSA_SIG_ALL = [0x0603, 0x0503, 0x0403, 0x0303, 0x0203];
export const SIG_ALL = [0x080b, 0x080a, 0x0809, 0x0806, 0x0805, 0x0804, ...RSA_PKCS1_ALL, ...ECDSA_SIG_ALL, 0x0808, 0x0807, 0x0602, 0x0502, 0x0402, 0x0302, 0x0202, 0x0102];
/** supported_versions as the scripts send it: TLS 1.3, then TLS 1.2. */
export const SUPPORTED_VERSIONS = ext(ExtensionType.supported_versions, [4, 3, 4, 3, 3]);

/**
 * The ClientHello extensions of tlsfuzzer's scripts against an RSA server, in their order: one key share and
 * supported_groups of `group`, rsa_pss_rsae_sha256 and rsa_pss_pss_sha256, signature_algorithms_cert RSA_SIG_ALL.
 */
export const rsaScriptExtensions = (client: ScriptedClient, group: number): Extension[] => [
  client.keyShare(group),
  SUPPORTED_VERSIONS,
  codePointList(ExtensionType.supported_groups, [group]),
  codePointList(ExtensionType.signature_algorithms, [0x0804, 0x0809]),
  codePointList(ExtensionType.signature_algorithms_cert, RSA_SIG_ALL),
];
