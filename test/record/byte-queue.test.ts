// The FIFO under record framing and handshake reassembly: headers are read in place with byteAt (no view
// per header), whole units are taken as a view of one chunk or one copy across chunks.
import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../src/record/byte-queue.js';
import { fromHex } from '../../src/wire/bytes.js';

describe('ByteQueue', () => {
  it('reads bytes in place across chunks, after a partial take, and leaves them queued', () => {
    const q = new ByteQueue();
    for (const chunk of ['01', '0203', '', '040506']) q.push(fromHex(chunk));
    expect([0, 1, 2, 3, 4, 5].map((i) => q.byteAt(i))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(q.take(2)).toEqual(fromHex('0102'));
    expect([0, 1, 2, 3].map((i) => q.byteAt(i))).toEqual([3, 4, 5, 6]);
    expect(q.length).toBe(4);
    expect(() => q.byteAt(4)).toThrow(/byte 4 requested, 4 queued/);
  });

  it('takes a view of one chunk, and one copy of bytes spread over several', () => {
    const q = new ByteQueue();
    const chunk = fromHex('0a0b0c');
    q.push(chunk);
    q.push(fromHex('0d'));
    const inOne = q.take(2);
    expect(inOne.buffer).toBe(chunk.buffer);
    const spread = q.take(2);
    expect(spread).toEqual(fromHex('0c0d'));
    expect(spread.buffer).not.toBe(chunk.buffer);
    expect(q.length).toBe(0);
  });

  // Empty queues share one frozen chunk list (no array per empty queue): a queue that fills, empties and fills
  // again must never show another queue's bytes, nor lose or reorder its own.
  it('keeps the bytes of each queue its own through every emptying', () => {
    const [a, b, c] = [new ByteQueue(), new ByteQueue(), new ByteQueue()];
    for (let round = 0; round < 3; round++) {
      a.push(Uint8Array.of(round, 1));
      a.push(Uint8Array.of(round, 2));
      b.own(new Uint8Array(0)); // an empty queue made its own: nothing to keep
      expect([b.length, c.length]).toEqual([0, 0]);
      b.push(Uint8Array.of(0xbb, round));
      expect(a.take(3)).toEqual(Uint8Array.of(round, 1, round));
      expect(b.take(2)).toEqual(Uint8Array.of(0xbb, round));
      expect(a.take(1)).toEqual(Uint8Array.of(2));
      expect([a.length, b.length, c.length]).toEqual([0, 0, 0]);
      expect(() => c.byteAt(0)).toThrow(/byte 0 requested, 0 queued/);
    }
  });
});
