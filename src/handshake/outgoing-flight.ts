// Our handshake messages of one step, encoded one after another into one buffer that the record writer copies
// them out of into records (RFC 8446 §5.1: messages of one flight share records): each message's bytes are a view,
// for the transcript hash, the message event's copy and the record, instead of an array of its own and a second
// array joining the flight. The buffer is lent from a small pool shared by every connection and given back,
// wiped, when the step ends: nothing of one connection's messages is ever read by another, and no view of it
// outlives the step (the transcript copies what it keeps, the events copy `raw`, the record writer copies into
// records and gives its hook copies).
import { Writer } from '../wire/bytes.js';
import { writeHandshake } from '../wire/messages.js';
import type { HandshakeMessage } from '../wire/types.js';

/** What a new buffer holds: a server's flight with a certificate chain of a few KiB. */
const FIRST_CAPACITY = 4096;
/** A buffer that grew past this (a very long chain) is not kept. */
const KEPT_BYTES = 16 * 1024;
/** Buffers kept for the next steps: one per connection whose step is running at once (a callback may drive another). */
const POOL_SIZE = 4;
/** Wiped buffers, lent to one step at a time. */
const pool: Uint8Array[] = [];

export class OutgoingFlight {
  /** Writes at the end of the step's messages; unset between steps. */
  private writer: Writer | undefined;
  /** Buffers the writer grew out of in this step: earlier messages' views still read them until the step ends. */
  private outgrown: Uint8Array[] | undefined;

  /** Whether messages were encoded since the step began (the buffer is lent). */
  get open(): boolean {
    return this.writer !== undefined;
  }

  /** `message` encoded after the step's others: a view that holds its bytes until close(). */
  encode(message: HandshakeMessage): Uint8Array {
    const w = (this.writer ??= new Writer(pool.pop() ?? new Uint8Array(FIRST_CAPACITY)));
    const start = w.length;
    const before = w.buffer;
    writeHandshake(w, message);
    if (w.buffer !== before) (this.outgrown ??= []).push(before);
    return w.buffer.subarray(start, w.length);
  }

  /**
   * The step is over: every message was copied into a record or dropped (our close_notify went out, or the step
   * failed). What was written is wiped and the buffer goes back to the pool; the views are not read again.
   */
  close(): void {
    const w = this.writer;
    if (w === undefined) return;
    this.writer = undefined;
    w.buffer.fill(0, 0, w.length);
    if (this.outgrown !== undefined) for (const old of this.outgrown) old.fill(0);
    this.outgrown = undefined;
    if (w.buffer.length <= KEPT_BYTES && pool.length < POOL_SIZE) pool.push(w.buffer);
  }
}
