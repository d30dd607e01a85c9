// Attacker's script against pooled record memory (s6-bulk, src/node/record-pool.ts): a peer that stops reading.
// Once the kernel's buffers are full, our socket's queue holds every record we write, by reference, until the
// peer reads. Backpressure (write() returning false past the socket's highWaterMark) and the driver's bound on
// unsent answers (MAX_UNSENT_ANSWER_BYTES: KeyUpdate answers, alerts) count the bytes of those records. But a
// record sealed into a pool slot keeps the whole slot (RECORD_SLOT_LENGTH, 16,645 bytes) alive: a 23-byte
// record of one byte of data, or a 27-byte KeyUpdate answer, pins 16 KiB, so every such bound on memory grows
// ~750-fold (64 KiB of unsent answers: ~40 MB per connection; a 16 KiB highWaterMark of small messages to a
// slow reader: ~12 MB). Memory held per queued record byte must stay near one.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { ConnectionDriver } from '../../src/node/adapter.js';
import { ca, certPem, keyPem, listen, serverCertificates } from '../node/fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('small records queued for a peer that does not read', () => {
  it('hold about their own size in memory, not a pool slot each', async () => {
    const identity = serverCertificates.Ed25519;
    const server = tls.createServer({ minVersion: 'TLSv1.3', cert: certPem(identity), key: keyPem(identity) }, (socket) => {
      socket.pause(); // the attacker: never reads
      cleanups.push(() => socket.destroy());
    });
    cleanups.push(() => server.close());
    const port = await listen(server);
    const client = Connection.client({ serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, now: Date.now });
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    const driver = await new Promise<ConnectionDriver>((resolve) => {
      const d: ConnectionDriver = new ConnectionDriver(client, socket, { event: (event) => event.type === 'connected' && resolve(d) });
    });
    // Fill the kernel's buffers, so that what we write from now on waits in our socket's queue.
    for (let i = 0; i < 4096 && socket.writableLength === 0; i++) {
      driver.write(Buffer.alloc(2 ** 16, i));
      await tick();
    }
    expect(socket.writableLength).toBeGreaterThan(0);

    // Small messages, as an application that honours backpressure writes them: until write() says wait.
    const queued = { bytes: 0, memory: 0 };
    const write = socket.write.bind(socket) as (chunk: Uint8Array, callback?: () => void) => boolean;
    socket.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
      queued.bytes += chunk.length;
      queued.memory += chunk.buffer.byteLength;
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof socket.write;
    for (let i = 0; i < 200; i++) driver.write(Uint8Array.of(i));
    expect(queued.bytes).toBe(200 * 23); // header 5, one byte, content type 1, tag 16
    // A record of 23 bytes should not keep 16 KiB alive: at most a few times its size (not ~750 times).
    expect(queued.memory / queued.bytes).toBeLessThan(4);
  });
});
