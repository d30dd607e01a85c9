// Attacker's script against pooled record memory (s6-bulk, src/node/record-pool.ts) on the error paths: a
// connection destroyed while megabytes of its records still wait in its socket's queue (the peer does not read)
// gives its slots back in the write callbacks that fail; another connection sharing the pool then seals into
// them at once. If a slot came back while the destroyed socket could still send it, or while another socket
// still held it, the second connection's peer (node:tls, OpenSSL) would see a record rewritten under it (bad
// record MAC) or wrong bytes, and the first one's peer would see ciphertext that is not what was sealed.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { ConnectionDriver } from '../../src/node/adapter.js';
import { sharedRecordPool } from '../../src/node/record-pool.js';
import { ca, certPem, keyPem, listen, serverCertificates } from '../node/fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** Chunk i of a connection: 64 KiB (four records), each different: its index and tag, then a pattern. */
function chunk(tag: number, i: number): Buffer {
  const bytes = Buffer.alloc(2 ** 16, (i * 37 + tag) & 0xff);
  bytes.writeUInt32BE(i);
  bytes.writeUInt32BE(tag, 4);
  return bytes;
}

/** Bytes waiting in a socket's own queue (past the kernel's buffers) before we stop writing. */
const QUEUED = 4 * 2 ** 20;
const MAX_CHUNKS = 2048;

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function connectDriver(port: number): Promise<{ driver: ConnectionDriver; socket: net.Socket }> {
  const client = Connection.client({ serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, now: Date.now });
  const socket = net.connect(port, '127.0.0.1');
  const driver = await new Promise<ConnectionDriver>((resolve) => {
    const d: ConnectionDriver = new ConnectionDriver(client, socket, { event: (event) => event.type === 'connected' && resolve(d) });
  });
  return { driver, socket };
}

describe('pooled records of a connection destroyed mid-write', () => {
  it("are not reused while any socket may still send them: the other connection's peer gets every byte, the destroyed one's a clean prefix", async () => {
    const victimData: Buffer[] = [];
    const otherData: Buffer[] = [];
    const peers: Array<{ bytes: Buffer[]; errors: string[]; done: Promise<void>; read: () => void }> = [];
    const identity = serverCertificates.Ed25519;
    const server = tls.createServer({ minVersion: 'TLSv1.3', cert: certPem(identity), key: keyPem(identity) }, (socket) => {
      const peer = { bytes: [] as Buffer[], errors: [] as string[], done: Promise.resolve(), read: () => void socket.on('data', (b: Buffer) => peer.bytes.push(b)).resume() };
      peer.done = new Promise((resolve) => {
        socket.on('error', (e) => (peer.errors.push(`${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`), resolve()));
        socket.on('close', () => resolve());
      });
      socket.pause(); // nothing is read until both sockets of ours have megabytes queued
      peers.push(peer);
    });
    cleanups.push(() => server.close());
    const port = await listen(server);

    const victim = await connectDriver(port);
    const other = await connectDriver(port);
    await vi.waitFor(() => expect(peers.length).toBe(2));
    // Write until megabytes wait in the victim's socket queue (the kernel's buffers are full), then destroy it.
    while (victim.socket.writableLength < QUEUED && victimData.length < MAX_CHUNKS) {
      for (let i = 0; i < 8; i++) victim.driver.write(victimData[victimData.push(chunk(1, victimData.length)) - 1]!);
      await tick();
    }
    const queuedAtDestroy = victim.socket.writableLength;
    victim.socket.destroy(); // its queued records' write callbacks fail now, and give their slots back
    // The other connection seals into the pool at once, and queues megabytes too.
    while (other.socket.writableLength < QUEUED && otherData.length < MAX_CHUNKS) {
      for (let i = 0; i < 8; i++) other.driver.write(otherData[otherData.push(chunk(2, otherData.length)) - 1]!);
      await tick();
    }
    const otherQueued = other.socket.writableLength;
    other.driver.end();
    for (const peer of peers) peer.read();
    await Promise.all(peers.map((p) => p.done));

    const [victimPeer, otherPeer] = peers;
    // The other connection: every byte, and no TLS error (a rewritten record fails its MAC in OpenSSL).
    expect(otherPeer!.errors).toEqual([]);
    expect(Buffer.concat(otherPeer!.bytes).equals(Buffer.concat(otherData))).toBe(true);
    // The destroyed one: a prefix of what it sent, cut at a record (OpenSSL read no record it could not open).
    const got = Buffer.concat(victimPeer!.bytes);
    expect(victimPeer!.errors.filter((e) => !/ECONNRESET/.test(e))).toEqual([]);
    expect(got.equals(Buffer.concat(victimData).subarray(0, got.length))).toBe(true);
    // Both scenarios happened: records were still queued in our sockets (not only in the kernel's).
    expect(queuedAtDestroy).toBeGreaterThanOrEqual(QUEUED);
    expect(otherQueued).toBeGreaterThanOrEqual(QUEUED);
    expect(sharedRecordPool.freeSlots).toBeGreaterThan(0);
  });
});
