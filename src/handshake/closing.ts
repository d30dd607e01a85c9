// How a connection ends (RFC 8446 §6.1, §6.2): our close_notify closes our write side, the peer's its read side,
// a fatal alert (or abandon) both at once; what a closed connection no longer needs is wiped (wipe.ts). Connection
// holds one of these and asks it which ways are still open.
import type { RecordLayer } from '../record/index.js';
import { AlertDescription, AlertLevel, type AlertName } from '../wire/enums.js';
import type { TlsError } from '../wire/errors.js';
import type { ClientState } from './client/machine.js';
import type { HandshakeContext } from './context.js';
import type { TlsEvent } from './events.js';
import type { RecordEffects } from './record-effects.js';
import type { ServerState } from './server/machine.js';
import { wipeExporterSecrets, wipeReadDirection, wipeStateSecrets, wipeWriteDirection } from './wipe.js';

/** What the closing paths act on: the connection's records, context and machine state, its events and decision. */
export interface ClosingHost {
  readonly ctx: HandshakeContext;
  readonly records: RecordLayer;
  readonly recordEffects: RecordEffects;
  machineState(): ClientState | ServerState;
  emit(event: TlsEvent): void;
  /** The pending decision can no longer be answered. */
  dropDecision(): void;
}

export class Closing {
  /** A fatal alert was sent or received, or close() canceled the handshake: nothing more happens. */
  failed = false;
  /** We sent close_notify: no more writing (RFC 8446 §6.1). */
  writeClosed = false;
  /** Our Finished went out: closing no longer cancels the handshake. */
  sentFinished = false;
  /** The peer sent close_notify: nothing more will be read. */
  readClosed = false;
  /** The `connected` event went out: the handshake completed, and the identity in `info.peer` stands. */
  reportedConnected = false;

  constructor(private readonly host: ClosingHost) {}

  /** After a fatal alert, or once close_notify went both ways. */
  get isClosed(): boolean {
    return this.failed || (this.readClosed && this.writeClosed);
  }

  closeWriteSide(): void {
    this.host.recordEffects.flushHandshake();
    // Before our Finished, no Finished can follow close_notify: the handshake is canceled (RFC 8446 §6.1
    // user_canceled, "SHOULD be followed by a close_notify"), and nothing the peer sends is read any more.
    if (!this.sentFinished) this.sendAlert('user_canceled', AlertLevel.warning);
    this.sendAlert('close_notify', AlertLevel.warning);
    this.writeClosed = true;
    if (!this.sentFinished) return this.fail('us', 'handshake canceled: closed before our Finished');
    this.host.emit({ type: 'closed', by: 'us' });
    // Else the write direction goes once this step's effects are applied (wipeWriteDirection, below).
    if (this.readClosed) this.wipeSecrets();
  }

  /**
   * Our close_notify went out: nothing is sealed again (RFC 8446 §6.1), so the write keys and our traffic secret go
   * (wipe.ts). Connection runs this after every step (close() is one): a handshake that completes after our close
   * makes its traffic then, and its write direction is gone at birth.
   */
  wipeWriteDirection(): void {
    if (!this.writeClosed || this.isClosed) return;
    this.host.records.writer.wipeKeys();
    wipeWriteDirection(this.host.machineState(), this.host.ctx.role);
  }

  /** The peer's close_notify: it will send no more; we may still write until we close() (RFC 8446 §6.1). */
  onCloseNotify(): void {
    // Before the `connected` event its Finished can no longer come: nobody was proven (a 0-RTT identity is withdrawn).
    this.readClosed = true;
    this.host.dropDecision();
    this.withdrawUnprovenPeer();
    this.host.emit({ type: 'closed', by: 'peer' });
    if (this.writeClosed) return this.wipeSecrets();
    // Nothing is opened again: the read keys and the peer's secrets go (wipe.ts), ours stay for writing and our close.
    this.host.records.wipeReadKeys();
    wipeReadDirection(this.host.machineState(), this.host.ctx.role, this.host.ctx.provider);
  }

  /**
   * Seals one alert. After our close_notify not even an error alert goes out (RFC 8446 §6.1): by then the write keys
   * are wiped (wipeWriteDirection, at the end of the step that sent it) and a wiped RecordProtection refuses to seal,
   * so the call throws before any byte or event; Connection's sendAlertIfSealable takes that as "cannot be sent".
   */
  sendAlert(name: AlertName, level: number, error?: TlsError): void {
    this.host.records.writer.alert(level, AlertDescription[name]);
    const event: TlsEvent = { type: 'alert', direction: 'out', level: level === AlertLevel.warning ? 'warning' : 'fatal', description: name };
    if (error) {
      event.reason = error.reason;
      event.detail = error.detail;
    }
    this.host.emit(event);
  }

  fail(by: 'us' | 'peer', error: string): void {
    // A handshake that failed before its end proved nobody: a resumed session's identity, published at
    // ServerHello for 0-RTT, is withdrawn with it. The end is the `connected` event, not the state: the
    // machine is CONNECTED once it takes the peer's Finished, and the switch to application keys after it
    // can still fail (handshake bytes spanning the key change, RFC 8446 §5.1).
    this.withdrawUnprovenPeer();
    this.failed = true;
    this.host.dropDecision();
    this.host.emit({ type: 'closed', by, error });
    this.wipeSecrets();
    wipeExporterSecrets(this.host.ctx);
  }

  /**
   * Closed both ways or failed: no record is read or sealed again, so the keys and the secrets they come from are
   * zeroed (wipe.ts). The alert that ended it is sealed already. The exporters' secrets go only with a failure.
   */
  private wipeSecrets(): void {
    this.host.records.wipeKeys();
    wipeStateSecrets(this.host.machineState(), this.host.ctx.provider);
  }

  private withdrawUnprovenPeer(): void {
    if (!this.reportedConnected) delete this.host.ctx.info.peer;
  }
}
