// Reused memory for outgoing records (issue 16): a new 16 KiB array per record costs the AEAD about a third
// more than sealing into memory already in the cache. A record's memory is lent to one record at a time and
// given back only by the one array it was lent as, when its bytes have left (see recordMemoryIsReusable).
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { MAX_CIPHERTEXT_LENGTH, RECORD_HEADER_LENGTH } from '../record/index.js';

/** The largest protected record (RFC 8446 §5.2): header and 2^14 + 256 bytes. */
export const RECORD_SLOT_LENGTH = RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_LENGTH;

export class RecordPool {
  private readonly free: ArrayBuffer[] = [];
  /** The array each slot is lent as now: only that array gives the slot back. */
  private readonly lent = new WeakMap<ArrayBuffer, Uint8Array>();

  /** `maxFree`: slots kept for reuse; more given back are left to the garbage collector. */
  constructor(private readonly maxFree: number) {}

  /** A RecordAllocator: `length` bytes of a slot nobody else holds (a new array when too long for a slot). */
  readonly allocate = (length: number): Uint8Array => {
    if (length > RECORD_SLOT_LENGTH) return new Uint8Array(length);
    const slot = this.free.pop() ?? new ArrayBuffer(RECORD_SLOT_LENGTH);
    const record = new Uint8Array(slot, 0, length);
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
 * Whether a write's callback means the transport is done with the written array: true for a net.Socket on
 * its native handle, where libuv has handed the bytes to the kernel when it calls back. Not for any other
 * Duplex: a PassThrough or stream.duplexPair() calls back at once and hands the very same array to its
 * reader, which may read it much later. (A TLSSocket is a net.Socket too, and may wrap a JavaScript stream.)
 */
export function recordMemoryIsReusable(transport: Duplex): boolean {
  return transport instanceof Socket && !(transport instanceof TLSSocket);
}

/** One pool for every connection of the process: the memory kept idle is the pool's, not each connection's. */
export const sharedRecordPool = new RecordPool(64);
