// Attacker: a client that completes the handshake, then sends a record that fails authentication, or resets
// the TCP connection. The server's socket ends in an 'error'; an application that attached no 'error' listener
// to its sockets (as with node:tls, where that is safe) had the process crash on the uncaught 'error': one
// client could stop the server. node:tls (v20, checked side by side below) keeps a listener of its own on every
// socket it accepts, which reports 'tlsClientError' before 'secureConnection' only: afterwards the error
// closes the socket, reaches the application's listeners if any, and nothing else.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { once } from 'node:events';
import { connect, createServer, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, certPem, keyPem, listen, serverCertificates } from '../node/fixtures.js';

const identity = serverCertificates['ECDSA P-256'];
/** A TLS 1.3 application_data record whose 20 bytes are no AEAD output under any key. */
const forgedRecord = Buffer.from([23, 3, 3, 0, 20, ...Buffer.alloc(20, 7)]);

const servers: net.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

type Attack = 'forged record' | 'TCP reset';

/** One client of `port` that completes the handshake, then attacks over its raw TCP socket. */
async function attack(port: number, how: Attack): Promise<void> {
  const raw = net.connect(port, '127.0.0.1');
  raw.on('error', () => {});
  const socket = connect({ socket: raw, host: 'localhost', ca: certPem(ca) });
  socket.on('error', () => {});
  await once(socket, 'secureConnect');
  if (how === 'TCP reset') raw.resetAndDestroy();
  else raw.write(forgedRecord);
}

/** What the server's side of one attacked connection went through, with `listen` attached or not. */
async function serverSide(make: 'ours' | 'node', how: Attack, withErrorListener: boolean) {
  const uncaught: unknown[] = [];
  const errors: string[] = [];
  const clientErrors: string[] = [];
  let onClose!: () => void;
  // Not events.once: it would reject on the 'error' whose fate is under test.
  const closed = new Promise<void>((resolve) => (onClose = resolve));
  // An uncaught 'error' stops the socket before its 'close': either ends the wait.
  const record = (e: unknown) => (uncaught.push(e), onClose());
  const onSecure = (socket: Tls13Socket | tls.TLSSocket) => {
    if (withErrorListener) socket.on('error', (e: Error) => errors.push(e.message));
    socket.on('close', onClose);
  };
  const server = make === 'ours' ? createServer({ certificate: identity }, onSecure) : tls.createServer({ cert: certPem(identity), key: keyPem(identity) }, onSecure);
  server.on('tlsClientError', (e: Error) => clientErrors.push(e.message));
  servers.push(server);
  const port = await listen(server);
  process.on('uncaughtException', record);
  try {
    await attack(port, how);
    await closed;
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('uncaughtException', record);
  }
  return { uncaught: uncaught.map(String), errors: errors.length, clientErrors };
}

describe("a client's error after 'secureConnection' never crashes the server, as under node:tls", () => {
  for (const how of ['forged record', 'TCP reset'] as const) {
    it(`${how}, no 'error' listener on the socket: closed, nothing uncaught, no 'tlsClientError' (node:tls alike)`, async () => {
      const node = await serverSide('node', how, false);
      const ours = await serverSide('ours', how, false);
      expect(node).toEqual({ uncaught: [], errors: 0, clientErrors: [] });
      expect(ours).toEqual(node);
    });
  }

  it("a forged record, with an 'error' listener: the application hears it once (node:tls alike)", async () => {
    // (A reset may or may not surface as an error, on either stack, depending on whether a write saw it.)
    const node = await serverSide('node', 'forged record', true);
    const ours = await serverSide('ours', 'forged record', true);
    expect(node).toEqual({ uncaught: [], errors: 1, clientErrors: [] });
    expect(ours).toEqual(node);
  });

  it("a client that fails its handshake is still reported by 'tlsClientError', and the server serves the next one", async () => {
    const clientErrors: string[] = [];
    const server = createServer({ certificate: identity }, (socket) => socket.end('hello'));
    server.on('tlsClientError', (e: Error) => clientErrors.push(e.message));
    servers.push(server);
    const port = await listen(server);
    const raw = net.connect(port, '127.0.0.1');
    raw.on('error', () => {});
    raw.end(forgedRecord);
    await once(server, 'tlsClientError');
    expect(clientErrors).toHaveLength(1);
    const client = connect({ port, host: 'localhost', ca: certPem(ca) });
    const [chunk] = await once(client, 'data');
    expect(String(chunk)).toBe('hello');
    client.destroy();
  });
});
