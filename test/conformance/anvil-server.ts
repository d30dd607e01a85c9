// A server written by hand, as TLS-Attacker plays one for TLS-Anvil's client tests: it answers our client's
// ClientHello with messages it builds itself (a test edits any field before it is sent), keeps the transcript
// of exactly the bytes it sent (RFC 8446 §4.4.1), runs its own key exchange and key schedule (§4.2.8, §7.1),
// signs its CertificateVerify and computes its Finished over that transcript, and seals records under the keys
// it derived, with no check on what goes in (PeerWriter). So a test that changes one thing (a legacy_version,
// a signature scheme, a record's padding) changes only that: the rest of the handshake stays consistent, as in
// a WorkflowTrace where TLS-Attacker recomputes what follows a modified message.
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey, ClientConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { finishedVerifyData, KeySchedule, nextTrafficSecret } from '../../src/handshake/keyschedule.js';
import { signCertificateVerify, certificateVerifyContent } from '../../src/handshake/signatures.js';
import { SUITES, type SuiteInfo } from '../../src/handshake/suites.js';
import { splitHandshakeMessages, splitRecords } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { alertDescriptionName, ExtensionType, namedGroupName } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, encodeHandshake } from '../../src/wire/messages.js';
import type { CertificateVerify, ClientHello, Extension, HandshakeMessage, HelloRetryRequest, ServerHello } from '../../src/wire/types.js';
import { clientConfig, ext, record, server, type Abort } from '../handshake/abort-harness.js';
import { type PeerEnd, PeerReader, PeerWriter } from './harness.js';

export const CHANGE_CIPHER_SPEC = 20;
export const ALERT = 21;
export const HANDSHAKE = 22;
export const APPLICATION_DATA = 23;

/** A message as the server sends it: typed (encoded by our codec) or raw bytes (sent as they are). */
export type Outgoing = HandshakeMessage | Uint8Array;

/** An edit of a message before it is encoded; raw bytes are sent as they are. */
export type Edit<M> = (message: M) => M | Uint8Array;

/** The key exchange of a group, undefined for a group no provider implements (e.g. GREASE). */
const keyExchangeOf = (group: number) => nobleProvider.keyExchange(namedGroupName(group) as never) as ReturnType<typeof nobleProvider.keyExchange> | undefined;

const encoded = (message: Outgoing) => (message instanceof Uint8Array ? message : encodeHandshake(message));

/**
 * A PSK the ServerHello accepts (RFC 8446 §4.2.11): its key, the identity it selects (default 0), whether a
 * key_share goes with it (psk_dhe_ke, the default; false for psk_ke) and whether the server reads 0-RTT.
 */
export interface ServerPsk {
  key: Uint8Array;
  selected?: number;
  keyShare?: boolean;
  readEarlyData?: boolean;
}

/** What the server sent so far, and what the client did: the client is the victim of the abort harness. */
/** A TLS 1.2-style ServerHello: no supported_versions, this legacy_version (RFC 8446 §4.2.1, App. D). */
export const tls12Hello = (legacyVersion: number, random?: Uint8Array): Edit<ServerHello> => (sh) => ({
  ...sh,
  legacyVersion,
  ...(random ? { random } : {}),
  extensions: sh.extensions.filter((e) => e.type !== ExtensionType.supported_versions),
});

export class ScriptedServer {
  readonly client: Connection;
  /** Every ClientHello the client sent, in order. */
  readonly clientHellos: ClientHello[] = [];
  /** Every handshake message the client sent after its ClientHellos (decrypted), in order. */
  readonly clientMessages: HandshakeMessage[] = [];
  /** The alerts the client sent (plaintext or protected), by name, in order. */
  readonly clientAlerts: string[] = [];
  /** The records the client sent: legacy_record_version and outer content type, in order. */
  readonly clientRecords: Array<{ type: number; version: number }> = [];
  /** Every event of the client since it started. */
  readonly events: TlsEvent[] = [];
  suite!: SuiteInfo;
  private readonly random = seededRandom('anvil scripted server');
  private readonly transcript: Uint8Array[] = [];
  private schedule?: KeySchedule;
  private handshakeSecrets?: { client: Uint8Array; server: Uint8Array };
  private applicationSecrets?: { client: Uint8Array; server: Uint8Array };
  /** The server's writer under its handshake keys, then under its application keys (application()). */
  private writer?: PeerWriter;
  private reader?: PeerReader;
  private pendingHandshake: Uint8Array = new Uint8Array(0);
  /** Protected records of the client that came before the server had keys to read them (0-RTT). */
  private readonly unreadRecords: Uint8Array[] = [];
  /** The 0-RTT application data the server read. */
  readonly earlyData: Uint8Array[] = [];
  private clientSecret?: Uint8Array;
  private readonly end: PeerEnd;

  /**
   * A client connection of `client` in memory; with `end`, the records go there instead (another
   * implementation's client, test/conformance/client-differential-*), read once its ClientHello is in (deliver()).
   */
  constructor(
    client: Partial<ClientConfig> = {},
    readonly identity: CertifiedKey = server,
    end?: PeerEnd,
  ) {
    this.client = Connection.client(clientConfig(client));
    this.end = end ?? this.client;
    this.collect();
  }

  get clientHello(): ClientHello {
    return this.clientHellos[this.clientHellos.length - 1]!;
  }

  /**
   * The ServerHello an honest server sends: the first suite and the first key share of the last ClientHello
   * (or `group`'s share), supported_versions TLS 1.3. `edit` may change any field; the key schedule follows
   * the suite the edited ServerHello names when it is one of ours. Returns its plaintext record.
   */
  serverHello(options: { group?: number; edit?: Edit<ServerHello>; psk?: ServerPsk } = {}): Uint8Array {
    const hello = this.clientHello;
    const shares = X.bodyOf(X.keyShareClientHello, X.findExtension(hello.extensions, ExtensionType.key_share)!);
    // The first share of a group we can answer (a GREASE share, RFC 8701, is not one), or `group`'s.
    const share = shares.find((s) => (options.group === undefined ? keyExchangeOf(s.group) !== undefined : s.group === options.group))!;
    const exchange = keyExchangeOf(share.group)!.encapsulate(share.keyExchange, this.random)!;
    const { psk } = options;
    const message: ServerHello = {
      kind: 'server_hello',
      legacyVersion: 0x0303,
      random: this.random(32),
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: hello.cipherSuites.find((s) => SUITES.has(s))!,
      legacyCompressionMethod: 0,
      extensions: [
        ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(0x0304)),
        ...(psk?.keyShare === false ? [] : [ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: share.group, keyExchange: exchange.share }))]),
        ...(psk ? [ext(ExtensionType.pre_shared_key, X.preSharedKeyServerHello.encode(psk.selected ?? 0))] : []),
      ],
    };
    const sent = options.edit ? options.edit(message) : message;
    const bytes = encoded(sent);
    const suite = sent instanceof Uint8Array ? message.cipherSuite : sent.cipherSuite;
    this.suite = SUITES.get(suite) ?? SUITES.get(message.cipherSuite)!;
    this.schedule = new KeySchedule(nobleProvider, this.suite, psk?.key);
    // 0-RTT the server reads (RFC 8446 §2.3): under client_early_traffic_secret over the ClientHello alone.
    if (psk?.readEarlyData) this.readEarlyData(this.schedule.earlySecrets(this.hash()).clientEarlyTraffic);
    this.transcript.push(bytes);
    this.schedule.enterHandshake(psk?.keyShare === false ? undefined : exchange.sharedSecret);
    this.handshakeSecrets = this.schedule.handshakeTrafficSecrets(this.hash());
    this.writer = new PeerWriter(this.suite, this.handshakeSecrets.server);
    if (!psk?.readEarlyData) this.reader = new PeerReader(this.suite, this.handshakeSecrets.client);
    return record(HANDSHAKE, bytes);
  }

  /** The client's 0-RTT records so far, opened in order; later ones are read as they come, up to EndOfEarlyData. */
  private readEarlyData(secret: Uint8Array): void {
    this.reader = new PeerReader(this.suite, secret);
    for (const fragment of this.unreadRecords.splice(0)) this.takeProtected(fragment);
  }

  /**
   * A HelloRetryRequest for `group` (RFC 8446 §4.1.4) in the first offered suite, delivered; the transcript
   * starts again with message_hash (§4.4.1). Returns what the client did (its ClientHello2 is kept).
   */
  helloRetryRequest(group: number, edit?: Edit<HelloRetryRequest>): Abort {
    const hello = this.clientHello;
    const message: HelloRetryRequest = {
      kind: 'hello_retry_request',
      legacyVersion: 0x0303,
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: hello.cipherSuites.find((s) => SUITES.has(s))!,
      legacyCompressionMethod: 0,
      extensions: [
        ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(0x0304)),
        ext(ExtensionType.key_share, X.keyShareHelloRetryRequest.encode(group)),
      ],
    };
    const sent = edit ? edit(message) : message;
    const bytes = encoded(sent);
    // ClientHello1 becomes message_hash under the hash of the suite the HelloRetryRequest names, when we know it.
    const suite = (!(sent instanceof Uint8Array) && SUITES.get(sent.cipherSuite)) || SUITES.get(message.cipherSuite)!;
    const hash = nobleProvider.hash(suite.hash, this.transcript[0]!);
    this.transcript.splice(0, 1, concat(Uint8Array.of(254, 0, 0, hash.length), hash), bytes);
    return this.deliver(record(HANDSHAKE, bytes));
  }

  /** EncryptedExtensions (RFC 8446 §4.3.1), encoded and added to the transcript. */
  encryptedExtensions(extensions: Extension[] = [], edit?: Edit<Extract<HandshakeMessage, { kind: 'encrypted_extensions' }>>): Uint8Array {
    return this.add({ kind: 'encrypted_extensions', extensions }, edit);
  }

  /** The server's Certificate (RFC 8446 §4.4.2): its chain, no extensions. */
  certificate(edit?: Edit<Extract<HandshakeMessage, { kind: 'certificate' }>>): Uint8Array {
    const entries = this.identity.chain.map((data) => ({ data, extensions: [] }));
    return this.add({ kind: 'certificate', context: new Uint8Array(0), entries }, edit);
  }

  /**
   * CertificateVerify (RFC 8446 §4.4.3) over the transcript so far, with `scheme` (default: the first one our
   * key can make, ed25519 for the test identity). `edit` gets the message and a signer for any scheme.
   */
  certificateVerify(scheme = 0x0807, edit?: (message: CertificateVerify, sign: (scheme: number) => Uint8Array) => CertificateVerify | Uint8Array): Uint8Array {
    const hash = this.hash();
    const sign = (s: number) => signCertificateVerify(nobleProvider, s, this.identity, 'server', hash, this.random);
    const message: CertificateVerify = { kind: 'certificate_verify', scheme, signature: sign(scheme) };
    return this.add(message, edit && ((m) => edit(m, sign)));
  }

  /** The content a CertificateVerify signs now, for signatures our signer would not make (e.g. RSASSA-PKCS1-v1_5). */
  certificateVerifyContent(): Uint8Array {
    return certificateVerifyContent('server', this.hash());
  }

  /** The server's Finished (RFC 8446 §4.4.4); the application secrets follow from the transcript through it. */
  finished(edit?: Edit<Extract<HandshakeMessage, { kind: 'finished' }>>): Uint8Array {
    const verifyData = finishedVerifyData(nobleProvider, this.suite, this.handshakeSecrets!.server, this.hash());
    const bytes = this.add({ kind: 'finished', verifyData }, edit);
    this.schedule!.enterMaster();
    this.applicationSecrets = this.schedule!.applicationSecrets(this.hash());
    return bytes;
  }

  /** EncryptedExtensions, Certificate, CertificateVerify and Finished, as an honest server sends them. */
  authentication(): Uint8Array[] {
    return [this.encryptedExtensions(), this.certificate(), this.certificateVerify(), this.finished()];
  }

  /** Handshake messages in one record under the current keys (several when over 2^14 bytes, §5.1). */
  protect(...messages: Uint8Array[]): Uint8Array {
    const content = concat(...messages);
    const records: Uint8Array[] = [];
    for (let at = 0; at < content.length; at += 2 ** 14) records.push(this.seal(HANDSHAKE, content.subarray(at, at + 2 ** 14)));
    return concat(...records);
  }

  /** One TLSCiphertext of `type` and `content` under the current keys, whatever they hold (§5.2). */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    return this.writer!.seal(type, content, padding);
  }

  /** One TLSCiphertext around `inner` as it is, whatever it holds (no content type at all, §5.4). */
  sealInner(inner: Uint8Array): Uint8Array {
    return this.writer!.sealInner(inner);
  }

  /** From now on the server writes under its application traffic secret (after its Finished went out). */
  application(): void {
    this.writer = new PeerWriter(this.suite, this.applicationSecrets!.server);
  }

  /** The writer moves to the next application traffic secret, as after the server's own KeyUpdate (§7.2). */
  nextKeys(): void {
    this.writer = this.writer!.next();
  }

  /** A whole honest handshake: the ServerHello flight; the client's Finished read; application keys in use. */
  handshake(): Abort {
    const result = this.deliver(this.serverHello(), this.protect(...this.authentication()));
    this.application();
    return result;
  }

  /** Bytes to the client; what it did about them (its events since it started, its output now). */
  deliver(...chunks: Uint8Array[]): Abort {
    for (const bytes of chunks) this.end.receive(bytes);
    const output = this.collect();
    return { victim: this.client, events: this.events, output };
  }

  /** A message of the server's own making (typed or raw), encoded and added to the transcript. */
  add<M extends HandshakeMessage>(message: M | Uint8Array, edit?: Edit<M>): Uint8Array {
    const bytes = encoded(edit && !(message instanceof Uint8Array) ? edit(message) : message);
    this.transcript.push(bytes);
    return bytes;
  }

  private hash(): Uint8Array {
    return nobleProvider.hash(this.suite.hash, concat(...this.transcript));
  }

  /** Takes the client's output and events; reads its records as the server would (ClientHello2, Finished, KeyUpdate, alerts). */
  private collect(): Uint8Array {
    this.events.push(...this.client.takeEvents());
    const output = this.end.takeOutput();
    // Our client in memory reports its alert in its events; once closed, it may have written it under keys the
    // server does not read with (0-RTT). Another implementation's client (`end`) is read to its last record.
    if (this.client.isClosed) return output;
    for (const { type, version, fragment } of splitRecords(output)) {
      this.clientRecords.push({ type, version });
      if (type === ALERT) this.clientAlerts.push(alertDescriptionName(fragment[1]!));
      if (type === HANDSHAKE) for (const raw of splitHandshakeMessages(fragment)) this.takeClientHello(raw);
      if (type !== APPLICATION_DATA) continue;
      if (this.reader) this.takeProtected(fragment);
      else this.unreadRecords.push(fragment.slice());
    }
    return output;
  }

  private takeProtected(fragment: Uint8Array): void {
    const inner = this.reader!.open(fragment);
    if (inner.type === HANDSHAKE) this.takeHandshake(inner.content);
    if (inner.type === ALERT) this.clientAlerts.push(alertDescriptionName(inner.content[1]!));
    if (inner.type === APPLICATION_DATA && !this.clientSecret) this.earlyData.push(inner.content.slice());
  }

  private takeClientHello(raw: Uint8Array): void {
    const message = decodeHandshake(raw);
    if (message.kind !== 'client_hello') throw new Error(`the client sent a plaintext ${message.kind}`);
    this.clientHellos.push(message);
    this.transcript.push(raw.slice());
  }

  private takeHandshake(content: Uint8Array): void {
    this.pendingHandshake = concat(this.pendingHandshake, content);
    const messages = splitHandshakeMessages(this.pendingHandshake);
    this.pendingHandshake = new Uint8Array(0);
    for (const raw of messages) {
      const message = decodeHandshake(raw);
      this.clientMessages.push(message);
      // After the client's Finished its records come under its application secret, stepped by each KeyUpdate (§7.2).
      if (message.kind === 'finished') this.clientSecret = this.applicationSecrets!.client;
      if (message.kind === 'key_update') this.clientSecret = nextTrafficSecret(nobleProvider, this.suite, this.clientSecret!);
      if (message.kind === 'finished' || message.kind === 'key_update') this.reader = new PeerReader(this.suite, this.clientSecret!);
      // After EndOfEarlyData the client writes under its handshake traffic secret (RFC 8446 §4.5).
      if (message.kind === 'end_of_early_data') this.reader = new PeerReader(this.suite, this.handshakeSecrets!.client);
    }
  }
}
