// Drives a sans-I/O `Connection` over a byte stream (a net.Socket or any Duplex): bytes from the stream go
// into the engine, and after every engine call that can produce output (receive, write, close, resolve,
// KeyUpdate, ...) that output goes onto the stream, so nothing waits for the peer to speak first. Events
// come out in order; the stream's backpressure is passed on (write() returns false until 'drain').
import type { Duplex } from 'node:stream';
import type { Connection } from '../handshake/connection.js';
import type { TlsEvent } from '../handshake/events.js';
import { recordMemoryIsReusable, sharedRecordPool, type RecordPool } from './record-pool.js';

export interface DriverHandlers {
  /**
   * Every engine event, in order. Calling the driver from here is fine: the events that call produces are
   * delivered after this one's handler returns, never inside it.
   */
  event(event: TlsEvent): void;
  /**
   * The stream ended. `closeNotify`: the peer sent close_notify first, so everything it sent arrived; false
   * is a truncation (RFC 8446 §6.1: "the receiver cannot know that all the data that was sent has been
   * received"), or a peer that left mid-handshake.
   */
  end?(info: { closeNotify: boolean }): void;
}

/** Answers a peer may leave unread before we stop reading it (2,400 KeyUpdate answers; a legitimate peer sends a few). */
export const MAX_UNSENT_ANSWER_BYTES = 64 * 1024;

/**
 * A Uint8Array over the same memory as `bytes` (no copy). node hands us Buffers, and every subarray the engine
 * takes of a Buffer (a record, its header, its body and tag for the AEAD) goes through Buffer's species
 * constructor: about 95 ns against 60 for a Uint8Array's, four to six times per 16 KiB record.
 */
function plainView(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

export class ConnectionDriver {
  /** The peer's close_notify arrived. */
  private closeNotifyReceived = false;
  /** Answers to the peer's records wait unsent (see onData): its bytes are not read until they drain. */
  private awaitingDrain = false;
  /** Bytes of answers written while the stream was over its mark, since it last took a write under it. */
  private unsentAnswerBytes = 0;
  private readonly onData = (chunk: Uint8Array) => {
    this.connection.receive(plainView(chunk));
    // What the peer's records made us send (a KeyUpdate answer, RFC 8446 §4.6.3) waits unsent while the peer
    // does not read. A few such answers are nothing (and pausing on the first could deadlock a peer that
    // uploads before it reads); past MAX_UNSENT_ANSWER_BYTES the peer is asking and not reading: read no more
    // of it until the stream drains, or it fills our memory 27 bytes per KeyUpdate it sends.
    const answer = this.connection.takeOutput();
    if (answer.length > 0 && this.transport.writable) {
      if (this.transport.write(answer)) this.unsentAnswerBytes = 0;
      else if ((this.unsentAnswerBytes += answer.length) > MAX_UNSENT_ANSWER_BYTES) this.pauseUntilDrain();
    }
    this.deliver();
  };
  private readonly onEnd = () => this.handlers.end?.({ closeNotify: this.closeNotifyReceived });
  /** Where records are sealed when the transport is done with them at its write callback (record-pool.ts). */
  private readonly pool: RecordPool | undefined;
  /** deliver() is running: a handler's call into the driver adds events, which the same loop delivers next. */
  private delivering = false;

  /** Starts at once: a client's ClientHello goes out now, queued events are delivered on the next tick. */
  constructor(
    readonly connection: Connection,
    readonly transport: Duplex,
    private readonly handlers: DriverHandlers,
  ) {
    transport.on('data', this.onData);
    transport.on('end', this.onEnd);
    this.pool = recordMemoryIsReusable(transport) ? sharedRecordPool : undefined;
    connection.sealRecordsWith(this.pool?.allocate);
    this.flush();
    // A caller who creates the driver and then attaches listeners of its own sees the first events too.
    process.nextTick(() => this.deliver());
  }

  /**
   * Runs an engine call (`resolve`, `updateKeys`, `requestClientCertificate`, ...), then puts its output on
   * the stream and delivers its events. Returns what the call returned.
   */
  step<T>(call: (connection: Connection) => T): T {
    const result = call(this.connection);
    this.flush();
    this.deliver();
    return result;
  }

  /** Application data (once connected). false: the stream's buffer is full, wait for its 'drain'. */
  write(data: Uint8Array | string): boolean {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : plainView(data);
    this.step((c) => bytes.length > 0 && c.write(bytes));
    return !this.transport.writableNeedDrain;
  }

  /** Optionally writes, then sends close_notify and ends the stream's write side; reading goes on (RFC 8446 §6.1). */
  end(data?: Uint8Array | string): void {
    if (data !== undefined) this.write(data);
    this.step((c) => c.close());
    if (this.transport.writable) this.transport.end();
  }

  /** Puts the engine's pending output on the stream; false when the stream asks us to wait for 'drain'. */
  flush(): boolean {
    if (this.pool === undefined) {
      const output = this.connection.takeOutput();
      if (output.length === 0 || !this.transport.writable) return !this.transport.writableNeedDrain;
      return this.transport.write(output);
    }
    const records = this.connection.takeOutputRecords();
    if (records.length === 0 || !this.transport.writable) return !this.transport.writableNeedDrain;
    const pool = this.pool;
    const last = records.length - 1;
    for (let i = 0; i < last; i++) this.transport.write(records[i]!);
    // A stream completes its writes in order: the last one's callback (success or error) ends them all, and
    // then the socket holds none of these records any more.
    return this.transport.write(records[last]!, () => {
      for (const record of records) pool.release(record);
    });
  }

  /** Reads from the stream again, unless answers to the peer still wait for its 'drain' (onData). */
  resumeReading(): void {
    if (!this.awaitingDrain) this.transport.resume();
  }

  private pauseUntilDrain(): void {
    if (this.awaitingDrain) return;
    this.awaitingDrain = true;
    this.transport.pause();
    this.transport.once('drain', () => {
      this.awaitingDrain = false;
      this.unsentAnswerBytes = 0;
      this.transport.resume();
    });
  }

  /** Stops listening to the stream (the stream itself is left as it is). */
  detach(): void {
    this.transport.off('data', this.onData);
    this.transport.off('end', this.onEnd);
  }

  /**
   * One event after another. A handler that drives the connection (a 'tlsEvent' listener that updates keys on
   * `connected`) gets its events delivered after its own, not inside it: else the events that followed, the
   * peer's data among them, were acted on before the event being delivered (data readable before 'secure').
   */
  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let event = this.connection.nextEvent(); event; event = this.connection.nextEvent()) {
        if (event.type === 'closed' && event.by === 'peer' && !event.error) this.closeNotifyReceived = true;
        this.handlers.event(event);
        // A fatal alert (its record is already on the stream) ends the connection: nothing more to send.
        if (event.type === 'closed' && event.error && this.transport.writable) this.transport.end();
      }
    } finally {
      this.delivering = false;
    }
  }
}
