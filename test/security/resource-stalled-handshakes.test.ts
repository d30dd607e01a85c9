// Attacker: clients that open TCP to a createServer server (the node adapter) and never finish the handshake:
// part of a ClientHello and then silence; a whole ClientHello and then silence (the server's flight answered
// by nothing); part of the second flight (half of the client's Finished) and then silence, or then FIN.
// A FIN ends such a connection at once (test/security/failing-handshakes-leak covers FIN and reset after half a
// ClientHello); silence is ended only by `handshakeTimeout` (default 10 s). Many of them at once must not keep an
// honest client from being served, each must be closed by the server, and what a stalled connection holds must
// be about what it sent. No timing is asserted: the timeouts are short, and the tests wait for events.
import { once } from 'node:events';
import * as net from 'node:net';
import { loadavg } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { MAX_CLIENT_HELLO_LENGTH } from '../../src/record/handshake-buffer.js';
import { garbageCollector } from '../../scripts/bench/memory.js';
import { ca, listen, serverCertificates } from '../node/fixtures.js';

type Stall = 'part of a ClientHello' | 'a ClientHello' | 'half of its Finished' | 'half of its Finished, then FIN';
const STALLS: Stall[] = ['part of a ClientHello', 'a ClientHello', 'half of its Finished', 'half of its Finished, then FIN'];
/** The first 9 bytes of a ClientHello record announcing 512 bytes that never come. */
const partialHello = Buffer.from([22, 3, 1, 2, 0, 1, 0, 1, 252]);

const servers: Tls13Server[] = [];
const sockets: net.Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

async function server(handshakeTimeout: number) {
  const failures: Error[] = [];
  const s = createServer({ certificate: serverCertificates['ECDSA P-256'], handshakeTimeout }, (socket) => socket.end('hello'));
  s.on('tlsClientError', (error: Error) => failures.push(error));
  servers.push(s);
  return { port: await listen(s), failures };
}

/** A client that stalls as `stall` says; `closed` resolves when the server closed the connection. */
function staller(port: number, stall: Stall): { closed: Promise<void>; sent: Promise<void> } {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  // Reads (and drops) what the server sends, so that the server's close is seen; sends nothing more.
  if (!stall.startsWith('half')) socket.resume();
  // Not events.once: it rejects on the 'error' (a reset) that may come before 'close'.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const sent = new Promise<void>((resolve) => {
    if (stall === 'part of a ClientHello') return void socket.write(partialHello, () => resolve());
    const tls = Connection.client({ trust: { kind: 'ca', anchors: [ca.der] }, serverName: 'localhost', now: Date.now });
    socket.write(tls.takeOutput(), () => stall === 'a ClientHello' && resolve());
    if (stall === 'a ClientHello') return;
    socket.on('data', (bytes: Buffer) => {
      tls.receive(new Uint8Array(bytes));
      const flight = tls.takeOutput();
      if (flight.length === 0) return;
      const half = flight.subarray(0, flight.length - 20);
      if (stall === 'half of its Finished') socket.write(half, () => resolve());
      else socket.end(half, () => resolve());
    });
  });
  return { closed, sent };
}

const openConnections = (s: Tls13Server) => new Promise<number>((resolve) => s.getConnections((_e, n) => resolve(n)));

describe('stalled handshakes against createServer', () => {
  it('40 stalled clients of every kind: an honest client is served while they all wait', async () => {
    // A timeout beyond the test: the stallers are still there when the honest client comes.
    const { port, failures } = await server(600_000);
    const stallers = Array.from({ length: 40 }, (_, i) => ({ stall: STALLS[i % STALLS.length]!, ...staller(port, STALLS[i % STALLS.length]!) }));
    await Promise.all(stallers.map((s) => s.sent));
    // Those that sent FIN are closed by the server at once (event order: their FIN, the server's end).
    await Promise.all(stallers.filter((s) => s.stall.endsWith('FIN')).map((s) => s.closed));
    let silentClosed = 0;
    for (const s of stallers.filter((s) => !s.stall.endsWith('FIN'))) void s.closed.then(() => silentClosed++);
    const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] } });
    const [chunk] = (await once(client, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('hello');
    client.destroy();
    // The silent ones still hold their connections: they wait for a timeout far beyond the test.
    expect(silentClosed).toBe(0);
    expect(failures).toHaveLength(10);
    for (const failure of failures) expect(failure.message).toMatch(/closed the connection during the TLS handshake/);
    expect(await openConnections(servers[0]!)).toBeGreaterThanOrEqual(30);
  });

  it.each(STALLS)('clients that stall after sending %s: each closed by the server, reported once', async (stall) => {
    const { port, failures } = await server(stall.endsWith('FIN') ? 600_000 : 300);
    const stallers = Array.from({ length: 10 }, () => staller(port, stall));
    await Promise.all(stallers.map((s) => s.closed));
    while (failures.length < 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(failures).toHaveLength(10);
    for (const failure of failures) expect(failure.message).toMatch(stall.endsWith('FIN') ? /closed the connection during the TLS handshake/ : /TLS handshake timed out after 300 ms/);
    expect(await openConnections(servers[0]!)).toBe(0);
  });
});

describe('memory held by stalled connections', () => {
  /** A ClientHello record stream announcing `length` bytes, all sent but the last byte, in records of 2^14 bytes. */
  function partialClientHello(length: number): Buffer {
    const body = Buffer.concat([Buffer.from([1, length >> 16, (length >> 8) & 0xff, length & 0xff]), Buffer.alloc(length - 1)]);
    const records: Buffer[] = [];
    for (let at = 0; at < body.length; at += 16384) {
      const fragment = body.subarray(at, at + 16384);
      records.push(Buffer.from([22, 3, 1, fragment.length >> 8, fragment.length & 0xff]), fragment);
    }
    return Buffer.concat(records);
  }

  /** Bytes retained (heap and buffers, after GC) per connection of `clients` that each sent `wire` and stalled. */
  async function retainedPerConnection(wire: Buffer, clients: number): Promise<number> {
    const { port } = await server(600_000);
    const gc = garbageCollector();
    gc();
    const before = process.memoryUsage();
    const accepted: net.Socket[] = [];
    servers.at(-1)!.on('tlsSocket', (socket: Tls13Socket) => accepted.push(socket.transport as net.Socket));
    for (let i = 0; i < clients; i++) {
      const socket = net.connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => {});
      socket.write(wire);
    }
    // Event order, not time: wait until the server has read every byte sent.
    while (accepted.length < clients || accepted.reduce((n, s) => n + s.bytesRead, 0) < clients * wire.length) await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
    const after = process.memoryUsage();
    return (after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / clients;
  }

  it(`a ClientHello of ${MAX_CLIENT_HELLO_LENGTH} bytes but its last byte holds about its size per connection`, async () => {
    const small = await retainedPerConnection(partialHello, 50);
    const wire = partialClientHello(MAX_CLIENT_HELLO_LENGTH);
    const large = await retainedPerConnection(wire, 50);
    console.log(`stalled connection: ${Math.round(small)} bytes retained after 9 bytes, ${Math.round(large)} after ${wire.length} (load ${loadavg()[0]!.toFixed(1)})`);
    // About one byte of memory per byte held (the byte queue copies what stays queued into blocks of its own),
    // plus the connection's own state: 144 KB measured alone at load 13-19. The measure is of the whole process,
    // up to 308 KB a connection when other test files run beside it; a bound of 4x still fails a
    // regression to the 220 bytes per byte of round 9 (test/security/tiny-records-memory).
    expect(large).toBeLessThan(4 * wire.length);
  });
});
