// Attacker's script against the node adapter's close after a failed handshake: a client sends a ClientHello
// the server must refuse, then more bytes. The client must read the server's fatal alert (RFC 8446 §6.2) and
// a clean end, and the server reports the failure ('tlsClientError') with the client's address, which
// `tls13 serve` logs. Once the adapter closed the transport at once after the alert, a closed net.Socket no
// longer knew its peer: "undefined:undefined: handshake failed" (test/cli/network.test.ts saw it too).
import { once } from 'node:events';
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { makeIdentity } from '../../src/testing/certs.js';

const identity = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.example'] }, keyType: 'p256' }, seededRandom('failed handshake close'));

describe('a handshake the server refuses', () => {
  it('ends with the alert delivered and a clean end, and the failure names the peer address', async () => {
    const reported: Array<{ address: string | undefined; port: number | undefined }> = [];
    const server = createServer({ certificate: identity }, () => {});
    server.on('tlsClientError', (_error: Error, socket: Tls13Socket) => reported.push({ address: socket.remoteAddress, port: socket.remotePort }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      const client = net.connect(port, '127.0.0.1');
      await once(client, 'connect');
      const clientPort = client.localPort;
      const received: Buffer[] = [];
      client.on('data', (chunk: Buffer) => received.push(chunk));
      const ended = new Promise<string>((resolve) => {
        client.on('end', () => resolve('end'));
        client.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      // A handshake record holding a ClientHello the server refuses, then more bytes it will not read.
      const body = Buffer.concat([Buffer.from([0x03, 0x00]), Buffer.alloc(32, 1), Buffer.from([0, 0, 2, 0x13, 0x01, 1, 0, 0, 0])]);
      const hello = Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]);
      client.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0, hello.length]), hello]));
      client.write(Buffer.alloc(256 * 1024, 0x17));
      expect(await ended).toBe('end');
      const bytes = Buffer.concat(received);
      // One plaintext fatal alert record (its description is the ClientHello's business).
      expect([...bytes.subarray(0, 6)]).toEqual([0x15, 0x03, 0x03, 0x00, 0x02, 0x02]);
      client.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(reported).toEqual([{ address: '127.0.0.1', port: clientPort }]);
    } finally {
      server.close();
    }
  });

  it('on the client side too: a client socket made while TCP was still connecting knows the peer after the close', async () => {
    // A TCP server that answers the ClientHello with garbage and closes: the handshake fails on the client.
    const server = net.createServer((socket) => socket.once('data', () => socket.end(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x01, 0xff]))));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    try {
      const client = connect({ host: '127.0.0.1', port, trust: { kind: 'pinned-certificate', certificates: [identity.chain[0]!] } });
      // Connecting: the peer's address is not known yet when the socket is made.
      expect(client.remoteAddress).toBeUndefined();
      const errors: Error[] = [];
      client.on('error', (error: Error) => errors.push(error));
      await new Promise((resolve) => client.once('close', resolve));
      expect(errors.map((e) => e.message)).toEqual(['the peer closed the connection during the TLS handshake (state WAIT_SH)']);
      expect((client.transport as net.Socket).destroyed).toBe(true);
      expect({ address: client.remoteAddress, port: client.remotePort }).toEqual({ address: '127.0.0.1', port });
    } finally {
      server.close();
    }
  });
});
