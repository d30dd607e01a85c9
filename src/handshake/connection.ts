// The sans-I/O connection: bytes in, events and bytes out. It drives one state machine (client or
// server), applies the effects the machine returns in order, and turns every protocol failure into the
// RFC's alert on the wire and a closed connection. Nothing but API misuse throws out of it.
import { MAX_CLIENT_HELLO_LENGTH, RecordLayer, type IncomingItem, type RecordAllocator } from '../record/index.js';
import type { Span } from '../wire/bytes.js';
import { AlertDescription, AlertLevel, alertDescriptionName, type AlertName } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import { decodeHandshakeBody } from '../wire/messages.js';
import type { HandshakeMessage } from '../wire/types.js';
import { messageSpans } from './annotate.js';
import { ClientHandshake } from './client/machine.js';
import { asTlsError, requireBoolean, requireBytes } from './caller-input.js';
import { checkedClientSnapshot, checkedServerSnapshot } from './config-snapshot.js';
import { resolveCommon, type ClientConfig, type ServerConfig } from './config.js';
import { HandshakeContext, type Effect } from './context.js';
import { checkDecisionAnswer, decisionStep, type DecisionAnswer } from './decision-answer.js';
import { handedOut } from './handed-out.js';
import type { NegotiatedInfo, PendingDecision, Role, TlsEvent } from './events.js';
import { admitHandshakeType } from './expected-messages.js';
import { exporter } from './keyschedule.js';
import { ExclusiveCalls } from './reentrancy.js';
import { RecordEffects } from './record-effects.js';
import { ServerHandshake } from './server/machine.js';
import type { SuiteInfo } from './suites.js';
import type { ApplicationTraffic } from './traffic.js';
import { dataRecordsLeft, recordsPerWriteKey } from './key-usage.js';
import { Closing } from './closing.js';

/** How much input a connection keeps while it waits for a decision (a few flights' worth). */
export const MAX_BUFFERED_WHILE_PAUSED = 64 * 1024;

export type { DecisionAnswer } from './decision-answer.js';

export class Connection {
  private readonly ctx: HandshakeContext;
  private readonly machine: ClientHandshake | ServerHandshake;
  private readonly records: RecordLayer;
  /** Keys, record size limits and our handshake messages as the machine's effects set them on the records. */
  private readonly recordEffects: RecordEffects;
  /** Which call drives the engine now: a callback it runs may not drive it too (re-entrancy). */
  private readonly calls: ExclusiveCalls;
  private events: TlsEvent[] = [];
  private awaiting?: PendingDecision;
  /** Which ways are still open, and what goes when one closes (closing.ts). */
  private readonly closing: Closing;

  private constructor(role: Role, config: ClientConfig | ServerConfig) {
    const cfg = resolveCommon(config, role);
    this.records = new RecordLayer({
      padding: config.recordPadding,
      plaintextAlertsUnderFirstReadKeys: role === 'server',
      maxClientHelloLength: role === 'server' ? MAX_CLIENT_HELLO_LENGTH : undefined,
      admitHandshake: (msgType) => admitHandshakeType(this.machine, msgType),
    });
    this.ctx = new HandshakeContext(role, cfg);
    this.recordEffects = new RecordEffects(this.records, this.ctx.provider, role, role === 'server' ? (config as ServerConfig).serverFlight : undefined);
    this.calls = new ExclusiveCalls(this.records, () => this.pump());
    this.closing = new Closing({
      ctx: this.ctx,
      records: this.records,
      recordEffects: this.recordEffects,
      machineState: () => this.machine.state,
      emit: (event) => this.events.push(event),
      dropDecision: () => (this.awaiting = undefined),
    });
    if (cfg.traceRecords) {
      this.records.onRecord = (r) =>
        this.events.push({ type: 'record', direction: r.direction, contentType: r.contentType, protected: r.protected, raw: r.raw });
    }
    this.machine = role === 'client' ? new ClientHandshake(this.ctx, config as ClientConfig) : new ServerHandshake(this.ctx, config as ServerConfig);
  }

  /**
   * A client connection; its ClientHello is ready in `takeOutput()` at once. A config that does not fit is
   * a TypeError naming the field, thrown before anything is sent. The config is read once, here: the
   * connection checks and uses a snapshot of it (config-snapshot.ts), not what the caller changes later.
   */
  static client(given: ClientConfig): Connection {
    const config = checkedClientSnapshot(given);
    const conn = new Connection('client', config);
    // A config the client cannot act on (a group we cannot make a key share for, ...) is the caller's error.
    (conn.machine as ClientHandshake).start();
    conn.applyEffects();
    return conn;
  }

  /** A server connection, waiting for a ClientHello. A config that does not fit is a TypeError naming the field; read once, as for client(). */
  static server(given: ServerConfig): Connection {
    const config = checkedServerSnapshot(given);
    return new Connection('server', config);
  }

  get role(): Role {
    return this.ctx.role;
  }

  /** Whether secrets derived from now on make `secret` events (from config `secretEvents`, default true). */
  get secretEvents(): boolean {
    return this.ctx.secretEvents;
  }

  set secretEvents(on: boolean) {
    this.ctx.secretEvents = requireBoolean(on, 'secretEvents');
  }

  /** Whether `handshake-message`, `state` and `decision` events are made from now on (config `traceEvents`, default true). */
  get traceEvents(): boolean {
    return this.ctx.traceEvents;
  }

  set traceEvents(on: boolean) {
    this.ctx.traceEvents = requireBoolean(on, 'traceEvents');
  }

  /** The RFC 8446 Appendix A state name, or CLOSED. */
  get state(): string {
    return this.isClosed ? 'CLOSED' : this.machine.state.name;
  }

  get isConnected(): boolean {
    return !this.isClosed && this.machine.state.name === 'CONNECTED';
  }

  /** After a fatal alert, or once close_notify went both ways. */
  get isClosed(): boolean {
    return this.closing.isClosed;
  }

  /** We may still write: connected, and we have not sent close_notify. */
  get isWritable(): boolean {
    return !this.closing.failed && !this.closing.writeClosed && this.machine.state.name === 'CONNECTED';
  }

  /** What has been negotiated so far (complete once connected). */
  get info(): Readonly<NegotiatedInfo> {
    return this.ctx.handedInfo();
  }

  /** The decision the connection is waiting for, if any. */
  get pendingDecision(): PendingDecision | undefined {
    return handedOut(this.awaiting);
  }

  /**
   * Bytes from the peer, in any chunking. Ignored after a fatal alert, and after the peer's close_notify
   * ("Any data received after a closure alert has been received MUST be ignored", RFC 8446 §6.1). While a
   * decision is pending nothing is read, so input is buffered only up to MAX_BUFFERED_WHILE_PAUSED.
   * The caller may write `bytes` again once this returns: what stays buffered is copied, and what the
   * handshake keeps of a plaintext message is its own (events taken later may still show views of them).
   */
  receive(bytes: Uint8Array): void {
    requireBytes(bytes, 'receive: bytes');
    if (this.closing.failed || this.closing.readClosed) return;
    if (this.calls.busy) return this.calls.queueInput(bytes);
    this.calls.run('receive()', () => {
      this.records.receive(bytes);
      if (this.awaiting && this.records.bufferedBytes > MAX_BUFFERED_WHILE_PAUSED) {
        return this.guard(() => {
          throw new TlsError('ResourceLimit', `more than ${MAX_BUFFERED_WHILE_PAUSED} bytes arrived while waiting for a ${this.awaiting!.kind} decision`);
        });
      }
      this.pump();
      this.records.own(bytes);
    });
  }

  /** Events since the last call, oldest first. */
  takeEvents(): TlsEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  nextEvent(): TlsEvent | undefined {
    return this.events.shift();
  }

  /** Bytes to put on the wire, possibly empty. */
  takeOutput(): Uint8Array {
    this.traffic()?.outputTaken();
    return this.records.writer.take();
  }

  /**
   * Opt-in record memory, for a caller that reuses it once a record's bytes are on the wire: from now on,
   * protected records are sealed into arrays from `allocate` (undefined: new arrays again). Take them with
   * takeOutputRecords(): the engine fills every byte of each and never touches it again once taken.
   */
  sealRecordsWith(allocate: RecordAllocator | undefined): void {
    this.records.writer.recordAllocator = allocate;
  }

  /** The output as takeOutput() gives it, one record per array (no concatenation), possibly none. */
  takeOutputRecords(): Uint8Array[] {
    this.traffic()?.outputTaken();
    return this.records.writer.takeRecords();
  }

  /** Application data to send; only once connected. */
  write(data: Uint8Array): void {
    requireBytes(data, 'write: data');
    this.calls.run('write()', () => {
      if (this.closing.failed || this.closing.writeClosed) throw new Error('write on a closed connection');
      if (this.machine.state.name !== 'CONNECTED') throw new Error(`write before the handshake completed (state ${this.state})`);
      // A padding policy that fails ends the connection with internal_error, as any callback's failure does.
      this.guard(() => this.writeApplicationData(data, this.traffic()!));
    });
  }

  /** Application data, with a KeyUpdate wherever our write key reaches its usage limit (key-usage.ts, RFC 8446 §5.5). */
  private writeApplicationData(data: Uint8Array, traffic: ApplicationTraffic): void {
    const writer = this.records.writer;
    const recordsPerKey = recordsPerWriteKey(traffic.suite.aead, this.ctx.cfg.keyUpdateAfterRecords);
    for (let offset = 0; offset < data.length; ) {
      const left = dataRecordsLeft(recordsPerKey, writer.sealedUnderKey);
      if (left === 0) {
        traffic.update(false, 'our write key reached its usage limit (RFC 8446 §5.5)');
        this.applyEffects(); // the KeyUpdate goes out under the old key, then the new key is installed
        continue;
      }
      const end = Math.min(data.length, offset + left * writer.fragmentLength);
      writer.applicationData(data.subarray(offset, end));
      offset = end;
    }
  }

  /** Sends KeyUpdate and switches to fresh write keys (RFC 8446 §4.6.3); `requestPeer` asks the peer to follow. */
  updateKeys(requestPeer = false): void {
    this.calls.run('updateKeys()', () => {
      const traffic = this.traffic();
      if (!this.isWritable || !traffic) throw new Error(`KeyUpdate needs a connected, writable connection (state ${this.state})`);
      this.guard(() => traffic.update(requestPeer));
    });
  }

  /**
   * Server: asks the client for its certificate after the handshake (RFC 8446 §4.6.2); the client must have
   * offered post_handshake_auth. The answer is judged by the same trust policy; a `post-handshake-auth`
   * event reports the outcome.
   */
  requestClientCertificate(): void {
    if (!(this.machine instanceof ServerHandshake)) throw new Error('only a server requests a client certificate');
    const server = this.machine;
    this.calls.run('requestClientCertificate()', () => {
      if (!this.isWritable) throw new Error(`post-handshake authentication needs a connected, writable connection (state ${this.state})`);
      // Misuse throws here, before anything is queued; sending the request can fail like any step (guard).
      server.requestClientCertificate();
      this.guard(() => this.applyEffects());
    });
  }

  private traffic(): ApplicationTraffic | undefined {
    const state = this.machine.state;
    return state.name === 'CONNECTED' ? state.traffic : undefined;
  }

  /**
   * Sends close_notify and closes our write side (RFC 8446 §6.1). Reading goes on until the peer's own
   * close_notify: "This does not have any effect on its read side of the connection." Before our Finished
   * went out, it cancels the handshake instead: user_canceled, close_notify, and the connection is closed.
   */
  close(): void {
    if (this.closing.failed || this.closing.writeClosed) return;
    this.calls.run('close()', () => this.guard(() => this.closing.closeWriteSide()));
  }

  /**
   * Ends the connection without a word on the wire, for a transport that is gone or dropped (a destroyed socket, a
   * timeout): no alert, closed for every later call (`closed` with an error), its secrets wiped as after a failure,
   * the exporters' too (wipe.ts). Records sealed before stay for takeOutput(). Once closed, it does nothing. From a
   * callback in the middle of a step, it is done once the step returns (wiping now would cut the step's keys).
   */
  abandon(): void {
    if (this.isClosed) return;
    if (this.calls.busy) return this.calls.afterRun(() => this.abandon());
    this.closing.fail('us', 'abandoned: no alert sent');
  }

  /** Answers the pending `decision-needed` event; the handshake continues with any input already received. */
  resolve(answer: DecisionAnswer): void {
    this.calls.run('resolve()', () => this.resolveDecision(answer));
  }

  private resolveDecision(answer: DecisionAnswer): void {
    const checked = checkDecisionAnswer(answer, this.awaiting, this.machine);
    this.awaiting = undefined;
    this.guard(decisionStep(checked, this.machine));
    this.pump();
  }

  /** TLS-Exporter (RFC 8446 §7.5): once connected, also after a clean close. */
  exportKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    const secret = this.ctx.exporterMasterSecret;
    const suite = this.suite();
    if (!secret || !suite || this.closing.failed || this.machine.state.name !== 'CONNECTED') throw new Error('exporters are available once connected');
    return exporter(this.ctx.provider, suite, secret, label, context, length);
  }

  /**
   * The early exporter (RFC 8446 §7.5), from early_exporter_master_secret: on a client that sent 0-RTT data,
   * and on a server that accepted it. Like 0-RTT data itself, it is not protected against replay.
   */
  exportEarlyKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    const early = this.ctx.earlyExporter;
    if (!early || this.closing.failed) throw new Error('the early exporter needs 0-RTT: offered (client) or accepted (server)');
    return exporter(this.ctx.provider, early.suite, early.secret, label, context, length);
  }

  private suite(): SuiteInfo | undefined {
    const state = this.machine.state;
    return 'suite' in state ? state.suite : undefined;
  }

  private pump(): void {
    this.guard(() => {
      while (!this.closing.failed && !this.closing.readClosed && !this.awaiting) {
        const item = this.records.next();
        if (!item) break;
        this.dispatch(item);
      }
    });
  }

  /** Runs a step; a failure becomes a fatal alert and a closed connection. */
  private guard(step: () => void): void {
    try {
      step();
      this.applyEffects();
    } catch (e) {
      this.ctx.effects.length = 0;
      const error = asTlsError(e);
      this.recordEffects.flushHandshake();
      this.ctx.flight.close();
      this.sendAlertIfSealable(error);
      this.closing.fail('us', error.message);
    }
  }

  /**
   * The alert of a failed step. Record keys are derived at the first record under them (keyschedule.ts
   * trafficProtection): a provider failing there fails the alert too, and then nothing can be sent under those
   * keys, nor in the clear once they are installed (RFC 8446 §5): the connection closes without the alert. After
   * our close_notify the keys are wiped and refuse too: the one rule "nothing after close_notify" (§6.1) for alerts.
   */
  private sendAlertIfSealable(error: TlsError): void {
    try {
      this.closing.sendAlert(error.alert, AlertLevel.fatal, error);
    } catch {
      // The failure that ended the step is what the `closed` event reports.
    }
  }

  private dispatch(item: IncomingItem): void {
    switch (item.kind) {
      case 'handshake': {
        const message = decodeHandshakeBody(item.msgType, item.body);
        if (this.ctx.traceEvents) this.events.push(messageEvent('in', message, item.raw, this.ctx.cfg.trace ? messageSpans(message, item.raw) : undefined));
        this.machine.handle(message, item.raw);
        this.applyEffects();
        return;
      }
      case 'application_data':
        // Application data only under application keys, or accepted 0-RTT keys (RFC 8446 §2.3, §5.1).
        if (this.recordEffects.readEpoch === 'early' && this.machine instanceof ServerHandshake) {
          this.machine.onEarlyData(item.data.length);
          if (item.data.length > 0) this.events.push({ type: 'data', data: item.data, early: true });
          return;
        }
        if (this.recordEffects.readEpoch !== 'application') throw new TlsError('UnexpectedMessage', `application data before the handshake completed (state ${this.state})`);
        if (item.data.length > 0) {
          this.traffic()?.sawData();
          this.events.push({ type: 'data', data: item.data });
        }
        return;
      case 'change_cipher_spec':
        // Middlebox compatibility: a valid CCS after the first ClientHello and before the peer's Finished
        // is dropped, however many come (RFC 8446 §5 "MUST simply drop it", §D.4; the record layer caps
        // consecutive empty records). At any other time it is unexpected_message (§5).
        if (!this.ccsAllowed()) throw new TlsError('UnexpectedChangeCipherSpec', `change_cipher_spec in state ${this.state}`);
        return;
      case 'alert':
        return this.onAlert(item.level, item.description);
      default: {
        const never: never = item;
        throw new Error(`unknown record item ${JSON.stringify(never)}`);
      }
    }
  }

  /** Client: from our ClientHello to the server Finished; server: from the ClientHello to the client Finished. */
  private ccsAllowed(): boolean {
    return this.ctx.clientRandom !== undefined && this.machine.state.name !== 'CONNECTED';
  }

  private onAlert(level: number, description: number): void {
    const name = alertDescriptionName(description) as AlertName;
    this.events.push({ type: 'alert', direction: 'in', level: level === AlertLevel.warning ? 'warning' : 'fatal', description: name });
    if (description === AlertDescription.user_canceled) return;
    if (description === AlertDescription.close_notify) return this.closing.onCloseNotify();
    // Every other alert is an error alert in TLS 1.3, whatever its level (RFC 8446 §6).
    this.closing.fail('peer', `peer sent ${name}`);
  }

  private applyEffects(): void {
    // In order, then emptied in place (applying an effect never adds one; a failure empties the list in guard).
    const effects = this.ctx.effects;
    for (let i = 0; i < effects.length; i++) this.apply(effects[i]!);
    effects.length = 0;
    this.recordEffects.flushHandshake();
    // Every message of the step is in a record now, or dropped: their bytes are not read again.
    this.ctx.flight.close();
    this.closing.wipeWriteDirection();
  }

  private apply(effect: Effect): void {
    // Our close_notify said we "will not send any more messages on this connection" (RFC 8446 §6.1): a
    // KeyUpdate, a post-handshake Certificate or a ticket the peer's messages would still draw from us stays unsent.
    if ('type' in effect) {
      if (effect.type === 'connected') this.closing.reportedConnected = true;
      this.events.push(effect);
      return;
    }
    if (this.closing.writeClosed && (effect.kind === 'send' || effect.kind === 'send-change-cipher-spec' || effect.kind === 'send-application-data')) return;
    // Nor are write keys made for it: our secret is gone (wipe.ts), keys from it would be keys from zeros.
    if (this.closing.writeClosed && effect.kind === 'write-keys') throw new Error('write keys installed after our close_notify');
    switch (effect.kind) {
      case 'send':
        if (effect.message.kind === 'finished') this.closing.sentFinished = true;
        if (this.ctx.traceEvents) this.events.push(messageEvent('out', effect.message, effect.raw, this.ctx.cfg.trace ? messageSpans(effect.message, effect.raw) : undefined));
        this.recordEffects.queueHandshake(effect.message, effect.raw);
        return;
      case 'await-decision':
        this.awaiting = effect.decision;
        this.events.push({ type: 'decision-needed', decision: handedOut(effect.decision) });
        return;
      default:
        this.recordEffects.apply(effect);
    }
  }
}

function messageEvent(direction: 'in' | 'out', handled: HandshakeMessage, raw: Uint8Array, spans: Span[] | undefined): TlsEvent {
  const message = handedOut(handled);
  const copiedRaw = raw.slice();
  return spans ? { type: 'handshake-message', direction, message, raw: copiedRaw, spans } : { type: 'handshake-message', direction, message, raw: copiedRaw };
}
