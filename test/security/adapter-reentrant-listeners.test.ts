// The application as attacker, through the node adapter's listeners (re-entrancy). A 'tlsEvent' listener runs
// before the adapter acts on that event; one that drives the connection from there (updateKeys(),
// requestClientCertificate(), resolve(), write()) made the driver deliver the events that followed at once,
// inside the listener: found open, a client's application data that came with its Finished was readable
// before the server's 'secure' event, while `authorized` still said false and nothing had judged the
// handshake's end. The driver now delivers events one after another only: what a listener's call produces
// is delivered after the event being delivered, by the same loop.
import { duplexPair } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { connect, Tls13Socket } from '../../src/node/adapter.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('adapter re-entrant listeners: server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('adapter re-entrant listeners: alice'));

describe("a server 'tlsEvent' listener that updates keys on `connected`", () => {
  it("sees the client's data only after 'secure', with the client authorized", async () => {
    const [ours, theirs] = duplexPair();
    const socket = new Tls13Socket(
      ours,
      Connection.server({ certificate: server, now: () => TEST_NOW, random: seededRandom('arl s'), clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } }),
      { handshakeTimeout: 0 },
    );
    const seen: string[] = [];
    socket.on('tlsEvent', (event: TlsEvent) => {
      if (event.type === 'connected') socket.updateKeys();
    });
    socket.on('secure', () => seen.push(`secure authorized=${socket.authorized}`));
    socket.on('data', (chunk: Buffer) => seen.push(`data ${chunk.toString()} authorized=${socket.authorized}`));
    socket.on('error', (e) => seen.push(`error ${e.message}`));

    const client = Connection.client({ trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('arl c'), certificate: alice });
    theirs.on('data', (chunk: Uint8Array) => client.receive(chunk));
    theirs.write(client.takeOutput());
    for (let i = 0; i < 100 && !client.isConnected; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // The client's Finished and its first data in one chunk, as a client that writes at once sends them.
    client.write(new TextEncoder().encode('hello'));
    theirs.write(client.takeOutput());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['secure authorized=true', 'data hello authorized=true']);
    socket.destroy();
    theirs.destroy();
  });
});

// The same time of check, time of use, in the adapter's own verification: with checkServerIdentity (or
// rejectUnauthorized: false) the engine asks and the adapter judges the server with the policy it checked at
// connect(). Found open: that policy was the caller's object itself, read again when the server's Certificate
// came: a pin list that gained mallory's server after connect() returned let mallory's server through.
describe('connect() with checkServerIdentity: the trust policy it checked is the one it judges with', () => {
  it("a pin list that gains mallory's server after connect() returned: mallory's server is refused", async () => {
    const mallorysServer = makeIdentity({ subject: { CN: 'server' } }, seededRandom('adapter re-entrant listeners: mallory'));
    const [ours, theirs] = duplexPair();
    new Tls13Socket(theirs, Connection.server({ certificate: mallorysServer, now: () => TEST_NOW, random: seededRandom('arl ms') }), { handshakeTimeout: 0 }).on('error', () => {});
    const certificates = [server.der];
    const socket = connect({ socket: ours, serverName: 'server', trust: { kind: 'pinned-certificate', certificates }, now: () => TEST_NOW, checkServerIdentity: () => undefined, handshakeTimeout: 0 });
    certificates.push(mallorysServer.der);
    const outcome = await new Promise<string>((resolve) => {
      socket.on('secureConnect', () => resolve(`connected authorized=${socket.authorized}`));
      socket.on('error', (e) => resolve(`error ${e.message}`));
    });
    expect(outcome).toMatch(/^error TLS alert bad_certificate sent/);
    socket.destroy();
  });
});
