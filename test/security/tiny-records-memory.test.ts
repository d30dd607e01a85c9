// Attacker's script against the memory a partial handshake message holds. The record layer buffers at most
// one record and the handshake layer at most one message (64 KiB, a server's ClientHello 131,396 bytes), but
// each piece kept past a receive() used to be a buffer of its own: a ClientHello announcing 131,396 bytes,
// sent as one-byte records (6 bytes each on the wire) and never finished, held 28.7 MB of one server
// connection for 788 KB sent (about 220 bytes per byte). A record's content is also a view of its decrypted
// TLSInnerPlaintext, padding included (RFC 8446 §5.4): a one-byte content with 16 KiB of zeros kept all 16 KiB.
// What stays queued must cost about one byte of memory per byte.
import { describe, expect, it } from 'vitest';
import { garbageCollector } from '../../scripts/bench/memory.js';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { ByteQueue } from '../../src/record/byte-queue.js';
import { MAX_CLIENT_HELLO_LENGTH } from '../../src/record/handshake-buffer.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const identity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('tiny-records server'));

/** The ClientHello header announcing `length` bytes and all but the last of its body, one byte per record. */
function oneByteRecords(length: number): Uint8Array[] {
  const message = new Uint8Array(4 + length);
  message.set([1, length >> 16, (length >> 8) & 0xff, length & 0xff]);
  return Array.from(message.subarray(0, message.length - 1), (byte) => Uint8Array.of(22, 3, 3, 0, 1, byte));
}

/** Memory (V8 heap and ArrayBuffer backing stores) still held after `run`, and what `run` returned. */
function retained<T>(run: () => T): { bytes: number; value: T } {
  const gc = garbageCollector();
  gc();
  const before = process.memoryUsage();
  const value = run();
  gc();
  gc();
  const after = process.memoryUsage();
  return { bytes: after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers, value };
}

const server = () => Connection.server({ now: () => TEST_NOW, random: seededRandom('tiny-records'), certificate: identity });

describe('a handshake message sent in one-byte records and never finished', () => {
  const records = oneByteRecords(MAX_CLIENT_HELLO_LENGTH);

  it('holds about its own size on the server when all records come in one receive()', () => {
    const wire = new Uint8Array(records.length * 6);
    records.forEach((r, i) => wire.set(r, i * 6));
    const { bytes, value: conn } = retained(() => {
      const conn = server();
      conn.receive(wire);
      return conn;
    });
    expect(conn.state).toBe('START'); // still waiting for the last byte, nothing refused
    expect(conn.isClosed).toBe(false);
    // 131,396 bytes buffered; before the fix 28.7 MB.
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
  });

  it('holds about its own size on the server when each record comes in a receive() of its own', () => {
    const { bytes, value: conn } = retained(() => {
      const conn = server();
      for (const record of records) conn.receive(record);
      return conn;
    });
    expect(conn.isClosed).toBe(false);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('ByteQueue keeps small pieces packed together', () => {
  it('copies one-byte views of the caller\'s input into a few shared blocks', () => {
    const input = new Uint8Array(10_000).map((_, i) => i);
    const q = new ByteQueue();
    for (let i = 0; i < input.length; i++) q.push(input.subarray(i, i + 1));
    q.own(input);
    const taken = Array.from({ length: input.length }, () => q.take(1));
    expect(taken.map((b) => b[0])).toEqual(Array.from(input));
    const buffers = new Set(taken.map((b) => b.buffer));
    expect(buffers.has(input.buffer)).toBe(false);
    expect(buffers.size).toBeLessThanOrEqual(Math.ceil(input.length / 4096));
  });

  it('copies one-byte pieces that arrive in calls of their own into shared blocks', () => {
    const q = new ByteQueue();
    for (let i = 0; i < 10_000; i++) {
      const input = Uint8Array.of(i & 0xff);
      q.push(input);
      q.own(input);
    }
    const taken = Array.from({ length: 10_000 }, () => q.take(1));
    expect(taken.map((b) => b[0])).toEqual(Array.from({ length: 10_000 }, (_, i) => i & 0xff));
    expect(new Set(taken.map((b) => b.buffer)).size).toBeLessThanOrEqual(Math.ceil(10_000 / 4096));
  });

  it('does not keep a record\'s padding alive behind a short content (RFC 8446 §5.4)', () => {
    const q = new ByteQueue();
    for (let i = 0; i < 100; i++) {
      const inner = new Uint8Array(2 ** 14 + 1); // decrypted TLSInnerPlaintext: 1 byte of content, type, zeros
      inner[0] = i;
      inner[1] = 22;
      q.push(inner.subarray(0, 1));
      q.own(new Uint8Array(0)); // the record's ciphertext was the input; its plaintext is ours already
    }
    const taken = Array.from({ length: 100 }, () => q.take(1));
    expect(taken.map((b) => b[0])).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(taken.every((b) => b.buffer.byteLength < 2 ** 14)).toBe(true);
  });

  it('keeps a large chunk that is the queue\'s own as it is, and copies one of the caller\'s input', () => {
    const q = new ByteQueue();
    const ours = new Uint8Array(1000).fill(1);
    const input = new Uint8Array(2000).fill(2);
    q.push(ours);
    q.push(input.subarray(500));
    q.own(input);
    const first = q.take(1000);
    const second = q.take(1500);
    expect(first.buffer).toBe(ours.buffer);
    expect(second.buffer).not.toBe(input.buffer);
    expect(second).toEqual(new Uint8Array(1500).fill(2));
  });
});
