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
});
