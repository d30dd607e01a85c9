// end() called before the handshake completed (a client that has nothing to send, or ends at once and
// waits for the answer: `connect(...).end()`). The close_notify went out at once, in plaintext before our
// keys were there, and the handshake then went on: our Finished followed our close_notify (RFC 8446 §6.1: no
// data after it), and the server, whose keys were installed, refused the plaintext alert (unexpected_message):
// the connection failed on both sides. node:tls (v20) fails too, differently: its client sends TCP FIN
// before its Finished, and the server reports a handshake aborted. Now close_notify waits for the handshake:
// the server sees a complete handshake, then our end, and can still answer.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, certPem, listen, serverCertificates } from '../node/fixtures.js';

const servers: Tls13Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server that answers the end of a client's side with 'bye' (half-open). */
async function byeServer() {
  const seen: string[] = [];
  const server = createServer({ certificate: serverCertificates['ECDSA P-256'], allowHalfOpen: true }, (socket) => {
    seen.push('secureConnection');
    socket.on('error', (e) => seen.push(`error ${e.message}`));
    socket.on('end', () => {
      seen.push('end');
      socket.end('bye');
    });
    socket.resume();
  });
  server.on('tlsClientError', (e: Error) => seen.push(`tlsClientError ${e.message}`));
  servers.push(server);
  return { seen, port: await listen(server) };
}

async function clientEvents(client: Tls13Socket): Promise<string[]> {
  const seen: string[] = [];
  client.on('secureConnect', () => seen.push(`secureConnect authorized=${client.authorized}`));
  client.on('data', (chunk: Buffer) => seen.push(`data ${chunk}`));
  client.on('error', (e: Error) => seen.push(`error ${e.message}`));
  await new Promise((resolve) => client.on('close', resolve));
  return seen;
}

describe('end() during the handshake: close_notify once it completed', () => {
  it('client: connect(...).end() completes the handshake, then ends; the server can still answer', async () => {
    const server = await byeServer();
    const client = connect({ port: server.port, host: 'localhost', ca: certPem(ca), allowHalfOpen: true });
    client.end();
    expect(await clientEvents(client)).toEqual(['secureConnect authorized=true', 'data bye']);
    expect(server.seen).toEqual(['secureConnection', 'end']);
  });

  it('client: end(data) before the handshake: the data, then close_notify (the control: it waited already)', async () => {
    const server = await byeServer();
    const client = connect({ port: server.port, host: 'localhost', ca: certPem(ca), allowHalfOpen: true });
    client.end('ping');
    expect(await clientEvents(client)).toEqual(['secureConnect authorized=true', 'data bye']);
    expect(server.seen).toEqual(['secureConnection', 'end']);
  });

  it('a handshake that fails after end(): the failure is reported, nothing hangs', async () => {
    const server = await byeServer();
    const client = connect({ port: server.port, host: 'localhost', servername: 'elsewhere.example', ca: certPem(ca) });
    client.end();
    const seen = await clientEvents(client);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^error TLS alert bad_certificate sent/);
  });
});
