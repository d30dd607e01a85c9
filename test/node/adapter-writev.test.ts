// Tls13Socket._writev: writes buffered together reach the engine together, in order, before the handshake
// ends (kept until it has) as after it (while an earlier write waits for 'drain').
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer } from '../../src/node/adapter.js';
import { ca, listen, readBytes, serverCertificates } from './fixtures.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function echoServer(): Promise<number> {
  const server = createServer({ certificate: serverCertificates.Ed25519, tickets: { count: 0 } }, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  cleanups.push(() => server.close());
  return listen(server);
}

describe('Tls13Socket writes buffered together', () => {
  it('corked before the handshake ends: all of them arrive once it has, in order', async () => {
    const client = connect({ host: '127.0.0.1', port: await echoServer(), serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] } });
    client.cork();
    for (const word of ['one ', 'two ', 'three']) client.write(word);
    client.uncork();
    client.end();
    expect((await readBytes(client)).toString()).toBe('one two three');
  });

  it('many writes while earlier ones wait for drain: every byte arrives, in order', async () => {
    const client = connect({ host: '127.0.0.1', port: await echoServer(), serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] } });
    const chunks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(5000 + i, i & 0xff));
    for (const chunk of chunks) client.write(chunk);
    client.end();
    expect((await readBytes(client)).equals(Buffer.concat(chunks))).toBe(true);
  });
});
