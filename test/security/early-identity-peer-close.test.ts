// Attacker: a client whose resumed identity the server reports as soon as it accepts 0-RTT (RFC 8446 §2.3: the
// ticket's client, published with the early data), and which then cancels the handshake before its Finished
// (user_canceled, close_notify). A handshake that ends before its Finished proved nobody: the identity must
// not outlive it, as after a fatal alert (connection.ts fail). It did: the server, closed both ways, went on
// reporting CN=alice in info.peer for a handshake the client never completed.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { exchange } from './exchange.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('early identity/server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('early identity/alice'));
const serverConfig: ServerConfig = {
  certificate: server,
  clientAuth: 'optional',
  trust: { kind: 'pinned-certificate', certificates: [alice.der] },
  now: () => TEST_NOW,
  random: seededRandom('eipc/s'),
  tickets: { count: 1, key: new Uint8Array(32).fill(4), maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
};
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  serverName: 'server',
  trust: { kind: 'pinned-certificate', certificates: [server.der] },
  certificate: alice,
  now: () => TEST_NOW,
  random: seededRandom('eipc/c'),
  ...extra,
});

describe("a 0-RTT client's published identity and the client's close before its Finished", () => {
  it('the server withdraws it: the handshake ended without the proof', () => {
    const first = Connection.client(clientConfig());
    exchange(first, Connection.server(serverConfig));
    const ticket = first.takeEvents().flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    const client = Connection.client(clientConfig({ resumption: { ticket, earlyData: new Uint8Array([1, 2, 3]) } }));
    const srv = Connection.server(serverConfig);
    srv.receive(client.takeOutput());
    expect(srv.takeEvents()).toContainEqual(expect.objectContaining({ type: 'data', early: true }));
    expect(srv.info.peer).toMatchObject({ subject: 'CN=alice' }); // published with the 0-RTT data (RFC 8446 §2.3)
    client.close();
    srv.receive(client.takeOutput()); // user_canceled, close_notify under the early keys
    expect(srv.takeEvents().filter((e) => e.type === 'connected')).toEqual([]);
    expect(srv.info.peer).toBeUndefined();
    srv.close();
    expect(srv.state).toBe('CLOSED');
    expect(srv.info.peer).toBeUndefined();
  });
});
