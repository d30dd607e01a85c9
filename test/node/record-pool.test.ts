// Reused record memory (src/node/record-pool.ts): over a net.Socket our records are sealed into pooled slots,
// each given back in the callback of the socket write that carried it. The attacker's tests: a slot given back
// early or twice would let record N+1 overwrite record N while it still waits in a socket's queue (a peer
// reading slowly is all it takes), and a transport that keeps the written arrays (duplexPair) must never get
// pooled memory.
import { once } from 'node:events';
import * as net from 'node:net';
import { Duplex, duplexPair, PassThrough } from 'node:stream';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { connect, ConnectionDriver, createServer } from '../../src/node/adapter.js';
import { MIN_POOLED_LENGTH, RecordPool, recordMemoryIsReusable, RECORD_SLOT_LENGTH, sharedRecordPool } from '../../src/node/record-pool.js';
import { RECORD_HEADER_LENGTH } from '../../src/record/index.js';
import { ca, certPem, keyPem, listen, serverCertificates } from './fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('RecordPool', () => {
  it('reuses a slot given back, and hands out exactly the length asked for', () => {
    const pool = new RecordPool(4);
    const first = pool.allocate(MIN_POOLED_LENGTH);
    expect(first.length).toBe(MIN_POOLED_LENGTH);
    pool.release(first);
    expect(pool.allocate(16406).buffer).toBe(first.buffer);
  });

  it('places a record so that its body, after the 5-byte header, starts on a 16-byte boundary of its slot', () => {
    const pool = new RecordPool(1);
    for (const length of [MIN_POOLED_LENGTH, RECORD_SLOT_LENGTH]) {
      const record = pool.allocate(length);
      expect(record.length).toBe(length);
      expect((record.byteOffset + RECORD_HEADER_LENGTH) % 16).toBe(0);
      expect(record.byteOffset + length).toBeLessThanOrEqual(record.buffer.byteLength);
      pool.release(record);
    }
  });

  it('ignores a second release: a stale array does not free its slot while another record uses it', () => {
    const pool = new RecordPool(4);
    const stale = pool.allocate(MIN_POOLED_LENGTH);
    pool.release(stale);
    const inUse = pool.allocate(MIN_POOLED_LENGTH + 1);
    expect(inUse.buffer).toBe(stale.buffer);
    pool.release(stale);
    const next = pool.allocate(MIN_POOLED_LENGTH + 2);
    expect(next.buffer).not.toBe(inUse.buffer);
  });

  it('ignores arrays it did not lend, keeps at most maxFree slots, and gives new arrays for records too long for a slot', () => {
    const pool = new RecordPool(1);
    pool.release(new Uint8Array(RECORD_SLOT_LENGTH));
    expect(pool.freeSlots).toBe(0);
    const [a, b] = [pool.allocate(MIN_POOLED_LENGTH), pool.allocate(MIN_POOLED_LENGTH)];
    pool.release(a);
    pool.release(b);
    expect(pool.freeSlots).toBe(1);
    const long = pool.allocate(RECORD_SLOT_LENGTH + 1);
    expect(long.buffer.byteLength).toBe(RECORD_SLOT_LENGTH + 1);
    // A short record gets memory of its own length, never a slot (pooled-small-records.test.ts: the attack).
    const short = pool.allocate(MIN_POOLED_LENGTH - 1);
    expect(short.buffer.byteLength).toBe(MIN_POOLED_LENGTH - 1);
    pool.release(short);
    expect(pool.freeSlots).toBe(1);
  });
});

describe('recordMemoryIsReusable', () => {
  it('is true for a net.Socket itself only: not for a subclass (a TLSSocket), a PassThrough or a duplexPair end', () => {
    expect(recordMemoryIsReusable(new net.Socket())).toBe(true);
    expect(recordMemoryIsReusable(new (class extends net.Socket {})())).toBe(false);
    expect(recordMemoryIsReusable(new tls.TLSSocket(new PassThrough()))).toBe(false);
    expect(recordMemoryIsReusable(new PassThrough())).toBe(false);
    expect(recordMemoryIsReusable(duplexPair()[0])).toBe(false);
  });
});

/** 1024 chunks of 16 KiB, each different (its index in the first bytes, a pattern of it after). */
const CHUNKS = Array.from({ length: 1024 }, (_, i) => {
  const chunk = Buffer.alloc(2 ** 14, (i * 37) & 0xff);
  chunk.writeUInt32BE(i);
  return chunk;
});
const EXPECTED = Buffer.concat(CHUNKS);

async function readAllBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A pair of Duplexes whose writes call back at once, the written array left in the other side's buffer as it is. */
function eagerPair(): [Duplex, Duplex] {
  const side = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        other().push(chunk);
        callback();
      },
      final(callback) {
        other().push(null);
        callback();
      },
    });
  const a: Duplex = side(() => b);
  const b: Duplex = side(() => a);
  return [a, b];
}

describe('records in pooled memory, against a slow reader', () => {
  it('over TCP: a node:tls server that reads only after 16 MiB were written, 64 writes a turn with no wait for drain, gets every byte', async () => {
    const before = sharedRecordPool.freeSlots;
    const identity = serverCertificates.Ed25519;
    let received: Promise<Buffer> | undefined;
    const server = tls.createServer({ minVersion: 'TLSv1.3', cert: certPem(identity), key: keyPem(identity) }, (socket) => {
      socket.pause(); // the kernel's buffers fill; our later records wait in our socket's queue
      received = new Promise((resolve) => setTimeout(() => resolve(readAllBytes(socket)), 300));
    });
    cleanups.push(() => server.close());
    const port = await listen(server);
    const client = Connection.client({ serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, now: Date.now });
    const socket = net.connect(port, '127.0.0.1');
    const connected = new Promise<ConnectionDriver>((resolve) => {
      const driver: ConnectionDriver = new ConnectionDriver(client, socket, { event: (event) => event.type === 'connected' && resolve(driver) });
    });
    const driver = await connected;
    for (let i = 0; i < CHUNKS.length; i += 64) {
      // Ignoring write()'s false on purpose: records are sealed while the earlier ones still queue.
      for (const chunk of CHUNKS.slice(i, i + 64)) driver.write(chunk);
      await tick();
    }
    driver.end();
    const bytes = await (await vi.waitFor(() => received!));
    expect(bytes.length).toBe(EXPECTED.length);
    expect(bytes.equals(EXPECTED)).toBe(true);
    // The pool was in use: slots came back after their writes.
    expect(sharedRecordPool.freeSlots).toBeGreaterThan(before);
  });

  it('over a Duplex that keeps the written arrays (its write calls back at once): nothing is pooled, and a late reader gets every byte', async () => {
    const [clientEnd, serverEnd] = eagerPair();
    let written: Promise<void> | undefined;
    const server = createServer({ certificate: serverCertificates.Ed25519, tickets: { count: 0 } }, (socket) => {
      written = (async () => {
        for (let i = 0; i < CHUNKS.length; i += 64) {
          for (const chunk of CHUNKS.slice(i, i + 64)) socket.write(chunk);
          await tick();
        }
        socket.end();
      })();
    });
    cleanups.push(() => server.close());
    server.emit('connection', serverEnd);
    const client = connect({ socket: clientEnd, serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] } });
    await once(client, 'secureConnect');
    clientEnd.pause(); // the server's records pile up in clientEnd's buffer, by reference
    await vi.waitFor(() => written);
    await written;
    const received = readAllBytes(client);
    clientEnd.resume();
    const bytes = await received;
    expect(bytes.length).toBe(EXPECTED.length);
    expect(bytes.equals(EXPECTED)).toBe(true);
  });
});
