// Reused memory for outgoing records (issue 16): a new 16 KiB array per record costs the AEAD about a third
// more than sealing into memory already in the cache. A record's memory is lent to one record at a time and
// given back only by the one array it was lent as, when its bytes have left (see recordMemoryIsReusable).
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { MAX_CIPHERTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../record/index.js';

/** The largest protected record (RFC 8446 §5.2): header and 2^14 + 256 bytes. */
export const RECORD_SLOT_LENGTH = RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_LENGTH;
/** Records shorter than this get their own array: a slot holds at most twice a pooled record's length. */
export const MIN_POOLED_LENGTH = Math.ceil(RECORD_SLOT_LENGTH / 2);
/**
 * Where a record starts in its slot: 11 bytes in, so that its body (the AEAD's input and output, after the
 * 5-byte header) starts on a 16-byte boundary, as the bare AEAD's arrays do. noble copies a misaligned body
 * before it can read it by 32-bit words; OpenSSL reads it either way (docs/performance-history.md, eighth round).
 */
export const RECORD_OFFSET_IN_SLOT = 16 - RECORD_HEADER_LENGTH;

export class RecordPool {
  private readonly free: ArrayBuffer[] = [];
  /** The array each slot is lent as now: only that array gives the slot back. */
  private readonly lent = new WeakMap<ArrayBuffer, Uint8Array>();

  /** `maxFree`: slots kept for reuse; more given back are left to the garbage collector. */
  constructor(private readonly maxFree: number) {}

  /**
   * A RecordAllocator: `length` bytes of a slot nobody else holds. A new array when too long for a slot, and
   * when shorter than half of one: a queued record must hold about the memory its length says, because
   * backpressure and the driver's bound on unsent answers count lengths (a 23-byte KeyUpdate answer in a
   * 16 KiB slot held 720 times what was counted, for as long as a peer that does not read leaves it queued).
   */
  readonly allocate = (length: number): Uint8Array => {
    if (length > RECORD_SLOT_LENGTH || length < MIN_POOLED_LENGTH) return new Uint8Array(length);
    const slot = this.free.pop() ?? new ArrayBuffer(RECORD_OFFSET_IN_SLOT + RECORD_SLOT_LENGTH);
    const record = new Uint8Array(slot, RECORD_OFFSET_IN_SLOT, length);
    this.lent.set(slot, record);
    return record;
  };

  /**
   * Gives a record's slot back for reuse: its bytes must not be read again. A second release, or a stale
   * array of a slot lent again since, is ignored: it must not free memory another record is using.
   */
  release(record: Uint8Array): void {
    const slot = record.buffer as ArrayBuffer;
    if (this.lent.get(slot) !== record) return;
    this.lent.delete(slot);
    if (this.free.length < this.maxFree) this.free.push(slot);
  }

  /** Slots waiting for reuse. */
  get freeSlots(): number {
    return this.free.length;
  }
}

/**
 * Whether a write's callback means the transport is done with the written array: true for a net.Socket itself
 * (net.connect, a net.Server's connection), whose native handle has handed the bytes to the kernel when it
 * calls back. Not for any other Duplex: a PassThrough calls back at once and hands the very same array to its
 * reader, which may read it much later. Not for a subclass either: a TLSSocket, or node's internal socket
 * over a JavaScript stream, is a net.Socket whose writes may end in such a stream.
 */
export function recordMemoryIsReusable(transport: Duplex): boolean {
  return Object.getPrototypeOf(transport) === Socket.prototype;
}

/** One pool for every connection of the process: the memory kept idle is the pool's, not each connection's. */
export const sharedRecordPool = new RecordPool(64);
