// The node adapter and a session of a server that proved an external PSK (RFC 8446 §4.2.11): its ticket names no
// certificate (`peer`) but the PSK (`externalPsk`), and the adapter refused every session without `peer` under node's
// verification, so such a session never resumed through connect({ session }), nor carried 0-RTT. The engine judges
// it instead (offered only while the options hold that PSK with that key, client/psk.ts chooseTicket), and the
// resumed server is reported as that PSK once its Finished verifies: `authorized`, as the first connection was.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { connect, createServer, type ConnectOptions, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { ca, certPem, listen } from './fixtures.js';

const alice: ExternalPsk = { identity: 'alice', key: seededRandom('node external-psk session alice')(32) };
const aliceRotated: ExternalPsk = { identity: 'alice', key: seededRandom('node external-psk session alice, new key')(32) };

const servers: Tls13Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

/** A server that admits clients by alice's PSK only, sending tickets that allow 0-RTT; `early` is what it read as 0-RTT. */
async function pskServer() {
  const early: string[] = [];
  const server = createServer({ externalPsks: { keys: [alice] }, tickets: { count: 1, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() } }, (socket) => {
    socket.on('data', (chunk: Buffer) => socket.write(`echo: ${chunk.toString()}`));
    socket.on('error', () => {});
  });
  server.on('earlyData', (chunk: Buffer) => early.push(chunk.toString()));
  servers.push(server);
  return { port: await listen(server), early };
}

/** Connects, sends 'ping' (unless early data was given), reads the answer; what the socket reports, and its tickets. */
async function visit(options: ConnectOptions) {
  const tickets: SessionTicket[] = [];
  const socket: Tls13Socket = connect(options);
  socket.on('session', (ticket: SessionTicket) => tickets.push(ticket));
  await once(socket, 'secureConnect');
  if (!options.earlyData) socket.write('ping');
  const [answer] = (await once(socket, 'data')) as [Buffer];
  const peer = socket.getPeerIdentity();
  const seen = { answer: answer.toString(), resumed: socket.isSessionReused(), authorized: socket.authorized, peer: peer?.kind === 'psk' ? `${peer.identity} (${peer.verdict.rule})` : peer };
  socket.destroy();
  return { ...seen, tickets };
}

// Node's verification is on (a CA given): the case the adapter refused.
const options = (port: number, keys: ExternalPsk[], extra: Partial<ConnectOptions> = {}): ConnectOptions => ({ host: 'localhost', port, ca: certPem(ca), externalPsks: { keys }, ...extra });

describe("connect({ session }) with a ticket of a server that proved an external PSK", () => {
  it('resumes it, authorized, the server reported as the PSK, and its 0-RTT data accepted', async () => {
    const { port, early } = await pskServer();
    const first = await visit(options(port, [alice]));
    expect(first).toMatchObject({ answer: 'echo: ping', resumed: false, authorized: true, peer: 'alice (external-psk)' });
    const session = first.tickets[0]!;
    expect(session.externalPsk).toBeDefined();
    const second = await visit(options(port, [alice], { session, earlyData: 'pay 10' }));
    expect(second).toMatchObject({ answer: 'echo: pay 10', resumed: true, authorized: true, peer: 'alice (resumed external-psk)' });
    expect(early).toEqual(['pay 10']);
  });

  it('does not offer it once the PSK in the options has a new key: a full PSK handshake, never resumed', async () => {
    const { port } = await pskServer();
    const { tickets } = await visit(options(port, [alice]));
    const socket = connect(options(port, [aliceRotated], { session: tickets[0]! }));
    const ended = await Promise.race([once(socket, 'error').then(([error]) => (error as Error).message), once(socket, 'secureConnect').then(() => 'connected')]);
    // Offered, the ticket would have resumed (the server still holds alice's old key): it went unoffered, and the
    // rotated key's binder failed.
    expect(ended).toBe('TLS alert decrypt_error received from the peer');
    expect(socket.isSessionReused()).toBe(false);
    expect(socket.getPeerIdentity()).toBeUndefined();
  });
});
