// A socket destroyed during its handshake, from a listener of the handshake itself ('keylog', 'tlsEvent'):
// the application has given up on that peer (a policy of its own refused what it saw). The events the same
// received flight still held were delivered anyway, so 'secureConnect' (or the server's 'secureConnection')
// and 'session' followed on the destroyed socket, and code written for them ran for a connection that was
// refused. node:tls (checked side by side) emits neither after destroy(): the server reports the connection
// to 'tlsClientError' instead, if at all.
import { afterEach, describe, expect, it } from 'vitest';
import * as tls from 'node:tls';
import type { Server } from 'node:net';
import { connect, createServer } from '../../src/node/adapter.js';
import { ca, certPem, keyPem, listen, serverCertificates } from '../node/fixtures.js';

const identity = serverCertificates['ECDSA P-256'];
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(make: 'ours' | 'node', onSecure: (socket: tls.TLSSocket | import('../../src/node/adapter.js').Tls13Socket) => void = (s) => s.end('hi')) {
  const server = make === 'ours' ? createServer({ certificate: identity }, onSecure) : tls.createServer({ cert: certPem(identity), key: keyPem(identity) }, onSecure);
  server.on('tlsClientError', () => {});
  servers.push(server);
  return { server, port: await listen(server) };
}

/** What a client that destroys itself on its first key-log line sees afterwards. */
async function clientDestroyedOnKeylog(make: 'ours' | 'node'): Promise<string[]> {
  const { port } = await serve('ours');
  const options = { port, host: 'localhost', servername: 'localhost', ca: certPem(ca) };
  const client = make === 'ours' ? connect(options) : tls.connect(options);
  const seen: string[] = [];
  client.once('keylog', () => client.destroy());
  for (const event of ['secureConnect', 'session', 'data', 'error'] as const) client.on(event, () => seen.push(event));
  await new Promise((resolve) => client.on('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return seen;
}

/** What a server that destroys a connection on its first key-log line reports of it. */
async function serverDestroyedOnKeylog(make: 'ours' | 'node'): Promise<string[]> {
  const seen: string[] = [];
  const { server, port } = await serve(make, () => seen.push('secureConnection'));
  server.once('keylog', (_line: Buffer, socket: { destroy(): void }) => socket.destroy());
  const client = connect({ port, host: 'localhost', ca: certPem(ca) });
  client.on('error', () => {});
  client.resume();
  await new Promise((resolve) => client.on('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  return seen;
}

describe('destroy() from a handshake listener ends the handshake, as in node:tls', () => {
  it("client: no 'secureConnect' and no 'session' after it", async () => {
    expect(await clientDestroyedOnKeylog('node')).toEqual([]);
    expect(await clientDestroyedOnKeylog('ours')).toEqual([]);
  });

  it("server: no 'secureConnection' for the destroyed socket", async () => {
    expect(await serverDestroyedOnKeylog('node')).toEqual([]);
    expect(await serverDestroyedOnKeylog('ours')).toEqual([]);
  });

  it("a 'tlsEvent' listener that destroys on the server's Certificate: nothing follows either", async () => {
    const { port } = await serve('ours');
    const client = connect({ port, host: 'localhost', ca: certPem(ca) });
    const seen: string[] = [];
    client.on('tlsEvent', (event) => {
      if (event.type === 'handshake-message' && event.message.kind === 'certificate') client.destroy();
      else if (client.destroyed) seen.push(event.type);
    });
    client.on('secureConnect', () => seen.push('secureConnect'));
    await new Promise((resolve) => client.on('close', resolve));
    expect(seen).toEqual([]);
  });

  it("server: a 'tlsEvent' listener that destroys on the client's Finished: no 'secureConnection'", async () => {
    const seen: string[] = [];
    const { server, port } = await serve('ours', () => seen.push('secureConnection'));
    server.on('tlsSocket', (socket: import('../../src/node/adapter.js').Tls13Socket) => {
      socket.on('tlsEvent', (event) => {
        if (event.type === 'handshake-message' && event.message.kind === 'finished' && event.direction === 'in') socket.destroy();
      });
    });
    const client = connect({ port, host: 'localhost', ca: certPem(ca) });
    client.on('error', () => {});
    client.resume();
    await new Promise((resolve) => client.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([]);
  });
});
