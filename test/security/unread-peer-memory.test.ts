// Attacker: a peer that never reads what we send, or floods us while the application does not read. Memory
// must stay bounded by the streams' marks and the kernel's socket buffers, both ways, as with node:tls
// (measured side by side: about 4 MB in flight on loopback for either): our writes wait for 'drain' once the
// transport is full, and a readable side over its mark pauses the transport. 48 MB are offered; a bound of
// 12 MB leaves room for any loopback's buffers and still fails when either mechanism is gone.
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, certPem, listen, serverCertificates } from '../node/fixtures.js';

const OFFERED = 48 * 1024 * 1024;
const BOUND = 12 * 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 0x61);

const servers: Tls13Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** Writes up to OFFERED bytes as a well-behaved application does (waiting for 'drain'); how many it got rid of. */
function pump(stream: Writable): () => number {
  let written = 0;
  const more = () => {
    while (written < OFFERED && !stream.destroyed) {
      written += chunk.length;
      if (!stream.write(chunk)) return void stream.once('drain', more);
    }
  };
  more();
  return () => written;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

describe('a peer that does not read cannot make us buffer without bound', () => {
  it('our server writing to a client that never reads: the writes wait, a few MB are in flight', async () => {
    let written!: () => number;
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'] }, (socket) => {
      socket.on('error', () => {});
      written = pump(socket);
    });
    servers.push(server);
    const client = connect({ port: await listen(server), host: 'localhost', ca: certPem(ca) });
    await once(client, 'secureConnect');
    client.pause();
    await settle();
    expect(written()).toBeGreaterThan(chunk.length);
    expect(written()).toBeLessThan(BOUND);
    client.destroy();
  });

  it('a client flooding our server, whose application paused the socket: reading stops, a few MB are in flight', async () => {
    let serverSocket!: Tls13Socket;
    const server = createServer({ certificate: serverCertificates['ECDSA P-256'] }, (socket) => {
      socket.on('error', () => {});
      socket.pause();
      serverSocket = socket;
    });
    servers.push(server);
    const client = connect({ port: await listen(server), host: 'localhost', ca: certPem(ca) });
    client.on('error', () => {});
    await once(client, 'secureConnect');
    const sent = pump(client);
    await settle();
    expect(sent()).toBeLessThan(BOUND);
    expect(serverSocket.readableLength).toBeLessThan(BOUND);
    client.destroy();
  });
});
