// The adapter is where the network meets us: an attacker's tests over real TCP on 127.0.0.1. A peer that
// sends faster than the application reads must not grow our memory (reading from TCP pauses); a peer that
// does not read must not grow it either (write() says wait); a slowloris client is dropped after the
// handshake timeout while others are served; application data never leaves before the handshake has
// completed nor after close_notify; and a write after destroy() fails instead of vanishing.
import { once } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, certPem, eventsOf, keyPem, listen, readAll, serverCertificates } from './fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const nodeTls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' } as const;
const identity = serverCertificates.Ed25519;

async function ourServer(options: { handshakeTimeout?: number } = {}, onSecure: (socket: Tls13Socket) => void = () => {}) {
  const server = createServer({ certificate: identity, tickets: { count: 0 }, ...options }, (socket) => {
    socket.on('error', () => {});
    onSecure(socket);
  });
  server.on('tlsClientError', () => {});
  cleanups.push(() => server.close());
  return { server, port: await listen(server) };
}

function nodeClient(port: number): tls.TLSSocket {
  const client = tls.connect({ ...nodeTls13, host: '127.0.0.1', port, servername: 'localhost', ca: certPem(ca) });
  client.on('error', () => {});
  cleanups.push(() => client.destroy());
  return client;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The same pseudo-random bytes for writer and reader: a reordered or lost chunk shows. */
function pattern(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 11)) & 0xff;
  return bytes;
}

describe('a peer that sends faster than the application reads', () => {
  it('fills our readable side to its limit, no further: reading from TCP pauses, and every byte arrives once the application reads', async () => {
    const total = 8 * 1024 * 1024;
    let serverSocket: Tls13Socket | undefined;
    const { port } = await ourServer({}, (socket) => (serverSocket = socket));
    const client = nodeClient(port);
    await once(client, 'secureConnect');
    const sent = pattern(total);
    for (let offset = 0; offset < total; offset += 64 * 1024) client.write(sent.subarray(offset, offset + 64 * 1024));
    await until(() => serverSocket !== undefined);
    const socket = serverSocket!;
    // Let the peer push all it can; the application has not read a byte.
    let last = -1;
    while (socket.readableLength !== last) {
      last = socket.readableLength;
      await sleep(200);
    }
    // Our buffer: the readable highWaterMark, plus at most what one TCP read carried when it filled up.
    expect(socket.readableLength).toBeLessThan(socket.readableHighWaterMark + 256 * 1024);
    expect(socket.transport.isPaused()).toBe(true);

    const chunks: Buffer[] = [];
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    await until(() => received >= total, 20_000);
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
  });
});

describe('data handed to the application', () => {
  // Ownership: a Buffer a 'data' event gave the application is the application's. Opening records in
  // memory that is reused (a socket's read buffer, a pool) must never change a chunk the application still
  // holds while more records arrive after it.
  it('stays as it arrived while more records arrive after it, on a server socket and on a client socket', async () => {
    const total = 2 * 1024 * 1024;
    const sent = pattern(total);
    /** Every chunk a socket's 'data' events give, with a copy of its bytes as they were when it arrived. */
    const hold = (socket: Tls13Socket) => {
      const held: Array<{ chunk: Buffer; copy: Buffer }> = [];
      socket.on('data', (chunk: Buffer) => held.push({ chunk, copy: Buffer.from(chunk) }));
      return held;
    };
    let serverHeld: Array<{ chunk: Buffer; copy: Buffer }> | undefined;
    const { port } = await ourServer({}, (socket) => {
      serverHeld = hold(socket);
      // The server sends as much back, so our client receives as many records.
      socket.write(sent);
    });
    const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] } });
    client.on('error', () => {});
    cleanups.push(() => client.destroy());
    const clientHeld = hold(client);
    await once(client, 'secureConnect');
    // Writes of 16 KiB - 1: records and TCP reads do not line up, so a read ends inside a record.
    for (let offset = 0; offset < total; offset += 16 * 1024 - 1) client.write(sent.subarray(offset, offset + 16 * 1024 - 1));
    const received = (held: Array<{ chunk: Buffer }> | undefined) => (held ?? []).reduce((n, h) => n + h.chunk.length, 0);
    await until(() => received(serverHeld) >= total && received(clientHeld) >= total, 20_000);
    for (const held of [serverHeld!, clientHeld]) {
      expect(held.length).toBeGreaterThan(100);
      for (const { chunk, copy } of held) expect(chunk.equals(copy)).toBe(true);
      expect(Buffer.concat(held.map((h) => h.chunk)).equals(sent)).toBe(true);
    }
  });
});

describe('a peer that does not read what we send', () => {
  it('makes write() wait for drain: what we buffer stays bounded while the application follows write() and drain', async () => {
    // A node:tls server that completes the handshake and then stops reading.
    const quiet = tls.createServer({ ...nodeTls13, cert: certPem(identity), key: keyPem(identity) }, (socket) => socket.pause());
    cleanups.push(() => quiet.close());
    const quietPort = await listen(quiet);
    const client = connect({ host: 'localhost', port: quietPort, trust: { kind: 'ca', anchors: [ca.der] } });
    client.on('error', () => {});
    cleanups.push(() => client.destroy());
    await once(client, 'secureConnect');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let written = 0;
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline && written < 64 * chunk.length) {
      written += chunk.length;
      if (!client.write(chunk)) await Promise.race([once(client, 'drain'), sleep(deadline - Date.now())]);
    }
    // The kernel's buffers take a few megabytes; the rest must wait in the application, not in us.
    expect(written).toBeLessThan(64 * chunk.length);
    expect(client.transport.writableLength).toBeLessThanOrEqual(2 * chunk.length + 64 * 1024);
  });
});

describe('a slowloris client', () => {
  it('trickling its ClientHello a byte at a time is closed after the handshake timeout, while another client is served', async () => {
    const { server, port } = await ourServer({ handshakeTimeout: 400 }, (socket) => socket.end('served'));
    const errors: Error[] = [];
    server.on('tlsClientError', (error: Error) => errors.push(error));
    const slow = net.connect({ host: '127.0.0.1', port });
    slow.on('error', () => {});
    cleanups.push(() => slow.destroy());
    await once(slow, 'connect');
    const start = Date.now();
    const closed = once(slow, 'close').then(() => Date.now() - start);
    const hello = Connection.client({ serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, now: Date.now }).takeOutput();
    const trickle = setInterval(() => {
      if (!slow.destroyed && slow.writable) slow.write(hello.subarray(0, 1));
    }, 50);
    cleanups.push(() => clearInterval(trickle));

    expect(await readAll(nodeClient(port))).toBe('served');
    const closedAfter = await Promise.race([closed, sleep(3000).then(() => Infinity)]);
    expect(closedAfter).toBeGreaterThanOrEqual(350);
    expect(closedAfter).toBeLessThan(2000);
    expect(errors.some((e) => /timed out after 400 ms/.test(e.message))).toBe(true);
  });
});

describe('a peer that sends a flood of garbage', () => {
  it('gets our fatal alert and a clean end, not a reset that could destroy the alert: we close gracefully after an alert, reading what is left', async () => {
    const { port } = await ourServer();
    const peer = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => peer.destroy());
    const errors: Error[] = [];
    peer.on('error', (error) => errors.push(error));
    await once(peer, 'connect');
    // A record of an unknown content type, and 16 MiB more that we will never read as records: closing at
    // once with all that unread would answer with a reset (which may overtake and destroy the alert).
    peer.write(Buffer.concat([Buffer.from([0x63, 3, 3, 0, 16]), Buffer.alloc(16 * 1024 * 1024, 0x63)]));
    const reply: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => reply.push(chunk));
    await once(peer, 'close');
    // One plaintext fatal alert: content type 21, record version 0x0303, length 2, fatal (2), unexpected_message (10).
    expect([...Buffer.concat(reply)]).toEqual([21, 3, 3, 0, 2, 2, 10]);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual([]);
  });
});

describe('application data and the handshake', () => {
  it('holds what is written before the handshake completes: the server sees it only after it is connected, as data', async () => {
    const serverEvents: TlsEvent[][] = [];
    const { server, port } = await ourServer({}, (socket) => {
      socket.once('data', (chunk: Buffer) => socket.end(`got ${chunk.toString()}`));
    });
    server.on('tlsSocket', (socket: Tls13Socket) => serverEvents.push(eventsOf(socket)));
    const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] } });
    client.write('early words');
    expect(await readAll(client)).toBe('got early words');
    const events = serverEvents[0]!;
    const connectedAt = events.findIndex((e) => e.type === 'connected');
    const firstData = events.findIndex((e) => e.type === 'data');
    expect(connectedAt).toBeGreaterThanOrEqual(0);
    expect(firstData).toBeGreaterThan(connectedAt);
  });

  it('sends a reply and end() in order, data before close_notify: the peer reads it all and sees a clean end, and nothing written after end() leaves', async () => {
    let late: Promise<Error | null | undefined> | undefined;
    const { port } = await ourServer({}, (socket) => {
      socket.write('one, ');
      socket.end('two');
      late = new Promise((resolve) => socket.write('three', resolve));
    });
    const client = nodeClient(port);
    const closedCleanly = once(client, 'end');
    expect(await readAll(client)).toBe('one, two');
    await closedCleanly;
    expect(await late).toBeInstanceOf(Error);
  });

  it('flushes what was written before a destroy() in the same tick (the batching cork does not swallow it)', async () => {
    const { port } = await ourServer({}, (socket) => {
      socket.write('last words');
      socket.destroy();
    });
    const client = nodeClient(port);
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    await once(client, 'close');
    expect(Buffer.concat(received).toString()).toBe('last words');
  });

  it('fails a write after destroy() and a write left pending by a handshake that failed, instead of dropping them silently', async () => {
    const { port } = await ourServer();
    const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] } });
    client.on('error', () => {});
    await once(client, 'secureConnect');
    client.destroy();
    const afterDestroy = await new Promise<Error | null | undefined>((resolve) => client.write('too late', resolve));
    expect(afterDestroy).toBeInstanceOf(Error);

    // A client that does not trust the server: its early write can never be sent.
    const refused = connect({ host: 'localhost', port, trust: { kind: 'pinned-certificate', certificates: [ca.der] } });
    refused.on('error', () => {});
    const pending = await Promise.race([new Promise<Error | null | undefined>((resolve) => refused.write('never sent', resolve)), sleep(3000).then(() => 'no callback')]);
    expect(pending).toBeInstanceOf(Error);
  });
});

describe('server options', () => {
  it('refuses a noDelay that is not a boolean, naming it', () => {
    expect(() => createServer({ certificate: identity, noDelay: 'yes' as unknown as boolean })).toThrow(/noDelay must be a boolean/);
  });
});
