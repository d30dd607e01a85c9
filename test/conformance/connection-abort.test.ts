// tlsfuzzer's test-tls13-connection-abort ("Check if server behaves correctly when client aborts
// connection. Intended to test memory leaks in servers"), over TCP against the node server `tls13 serve`
// runs: a client that drops the connection at each point of the handshake and after it, without an alert,
// then a sanity handshake. The server must keep serving, and let go of every abandoned connection. The
// script's "After NewSessionTicket" expects a ticket for a ClientHello without psk_key_exchange_modes, to
// which we send none (RFC 8446 §4.2.9, tickets.test.ts): here our client offers psk_dhe_ke, so the point is
// reached; a run of the script needs -x "After NewSessionTicket" (docs/robustness.md).
import { once } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { createServer, type Tls13Server } from '../../src/node/adapter.js';
import { ca, certPem, listen, readAll, serverCertificates } from '../node/fixtures.js';

const STAGES = [
  'Before ClientHello',
  'After ClientHello',
  'After ServerHello',
  'After server Finished',
  'After client Finished',
  'After client ApplicationData',
  'After NewSessionTicket',
  'After server ApplicationData',
  'After Alert',
] as const;
type Stage = (typeof STAGES)[number];

let server: Tls13Server;
let port: number;
const clientErrors: Error[] = [];

beforeAll(async () => {
  server = createServer({ certificate: serverCertificates['ECDSA P-256'] }, (socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.0 200 OK\r\n\r\n'));
  });
  server.on('tlsClientError', (error: Error) => clientErrors.push(error));
  port = await listen(server);
});
afterAll(() => server.close());

const connections = () => new Promise<number>((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Drives our client over a raw socket up to `stage`, then drops the connection (no alert, no FIN first). */
async function abandonAt(stage: Stage): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  const client = Connection.client({ serverName: 'localhost', trust: { kind: 'ca', anchors: [ca.der] }, now: Date.now });
  const seen: TlsEvent[] = [];
  const request = () => {
    client.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
    socket.write(client.takeOutput());
  };
  let requested = false;
  /** After each chunk from the server: true once `stage` is reached (having sent what the stage includes). */
  const atStage = (): boolean => {
    const has = (type: TlsEvent['type']) => seen.some((e) => e.type === type);
    if (stage === 'After ServerHello') return seen.some((e) => e.type === 'handshake-message' && e.message.kind === 'server_hello');
    if (stage === 'After server Finished') return client.isConnected;
    if (!client.isConnected) return false;
    if (!requested) {
      socket.write(client.takeOutput()); // our Finished
      if (stage === 'After client Finished') return true;
      request();
      requested = true;
    }
    if (stage === 'After client ApplicationData') return true;
    if (stage === 'After NewSessionTicket') return has('session-ticket');
    if (!has('data')) return false;
    if (stage === 'After Alert') {
      client.close();
      socket.write(client.takeOutput());
    }
    return true;
  };
  const reached = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      client.receive(chunk);
      seen.push(...client.takeEvents());
      if (atStage()) resolve();
    });
    if (stage === 'Before ClientHello') return resolve();
    socket.write(client.takeOutput());
    if (stage === 'After ClientHello') resolve();
  });
  await reached;
  socket.resetAndDestroy();
}

describe('test-tls13-connection-abort', () => {
  it.each(STAGES)('"%s": the server lets the connection go, then serves the "sanity" client', async (stage) => {
    await abandonAt(stage);
    await eventually(async () => (await connections()) === 0);
    const sanity = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certPem(ca), minVersion: 'TLSv1.3' });
    sanity.on('secureConnect', () => sanity.write('GET / HTTP/1.0\r\n\r\n'));
    expect(await readAll(sanity)).toBe('HTTP/1.0 200 OK\r\n\r\n');
    await eventually(async () => (await connections()) === 0);
  });
});
