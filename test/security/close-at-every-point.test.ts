// Attacker: close() at each point of both roles' handshakes (RFC 8446 §6.1). Before our Finished it cancels
// (user_canceled, close_notify, closed: never connected, no identity, no exporter, no write); after it, it is
// an ordinary close_notify that closes our write side only. Checked here: a server that closes between its
// Finished and the client's (the client's Finished still proves the client, but no NewSessionTicket follows
// our close_notify), a client that closes during 0-RTT, a server that closes after its HelloRetryRequest, and
// a client that closes while its caller picks a certificate for a post-handshake request (the Finished it would
// send again never goes out, and the server learns of no new identity).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { exchange } from './exchange.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('close at every point/server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('close at every point/alice'));
const tickets = { count: 2, key: new Uint8Array(32).fill(5), maxEarlyDataSize: 1024 };

function clientConfig(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { serverName: 'server', trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('caep/c'), ...extra };
}
function serverConfig(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { certificate: server, now: () => TEST_NOW, random: seededRandom('caep/s'), tickets, ...extra };
}
const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
const sentMessages = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message.kind] : []));
const kinds = (events: TlsEvent[]) => events.map((e) => e.type);

describe('close() by a server between its Finished and the client Finished', () => {
  it("is a close_notify only; the client's Finished still proves the client, but no ticket follows our close_notify", () => {
    const client = Connection.client(clientConfig({ certificate: alice }));
    const srv = Connection.server(serverConfig({ clientAuth: 'require', trust: { kind: 'pinned-certificate', certificates: [alice.der] } }));
    srv.receive(client.takeOutput());
    client.receive(srv.takeOutput()); // the server's flight through its Finished; the client answers
    srv.takeEvents();
    srv.close();
    const closeNotify = srv.takeOutput();
    srv.receive(client.takeOutput()); // Certificate, CertificateVerify, Finished
    const events = srv.takeEvents();
    expect(alertsOut(events)).toEqual(['close_notify']);
    expect(kinds(events)).toContain('connected');
    expect(sentMessages(events)).toEqual([]); // no NewSessionTicket after close_notify
    expect(srv.takeOutput()).toHaveLength(0);
    expect(srv.info.peer).toMatchObject({ subject: 'CN=alice' });
    expect(() => srv.write(new Uint8Array(1))).toThrow(/closed/);
    // The exporter is the connection's, as after any clean close (RFC 8446 §7.5); the client derives the same.
    expect(srv.exportKeyingMaterial('EXPERIMENTAL x', new Uint8Array(0), 16)).toEqual(client.exportKeyingMaterial('EXPERIMENTAL x', new Uint8Array(0), 16));
    client.receive(closeNotify);
    expect(client.takeEvents().filter((e) => e.type === 'session-ticket')).toEqual([]);
  });
});

describe('close() by a client during 0-RTT', () => {
  it('cancels: never connected, no identity, no exporter of either kind, no write, nothing after close_notify', () => {
    const first = Connection.client(clientConfig());
    const srvConfig = serverConfig();
    const firstServer = Connection.server(srvConfig);
    exchange(first, firstServer);
    const ticket = first.takeEvents().flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    const client = Connection.client(clientConfig({ resumption: { ticket, earlyData: new Uint8Array([1, 2, 3]) } }));
    expect(client.exportEarlyKeyingMaterial('EXPERIMENTAL e', new Uint8Array(0), 8)).toHaveLength(8);
    const srv = Connection.server(srvConfig);
    srv.receive(client.takeOutput());
    const serverFlight = srv.takeOutput();
    client.takeEvents();
    client.close();
    const canceled = client.takeOutput();
    client.receive(serverFlight);
    const events = client.takeEvents();
    expect(alertsOut(events)).toEqual(['user_canceled', 'close_notify']);
    expect(kinds(events)).not.toContain('connected');
    expect(sentMessages(events)).toEqual([]); // no EndOfEarlyData, no Finished
    expect(client.takeOutput()).toHaveLength(0);
    expect(client.state).toBe('CLOSED');
    expect(client.info.peer).toBeUndefined();
    expect(() => client.exportEarlyKeyingMaterial('EXPERIMENTAL e', new Uint8Array(0), 8)).toThrow();
    expect(() => client.exportKeyingMaterial('EXPERIMENTAL x', new Uint8Array(0), 8)).toThrow();
    expect(() => client.write(new Uint8Array(1))).toThrow(/closed/);
    // The server, which accepted the 0-RTT data, reads the cancel under the early keys and never connects.
    srv.takeEvents();
    srv.receive(canceled);
    expect(kinds(srv.takeEvents())).not.toContain('connected');
    expect(srv.isConnected).toBe(false);
  });
});

describe('close() by a server after its HelloRetryRequest', () => {
  it('cancels: the second ClientHello is not read, nothing is sent after close_notify', () => {
    const client = Connection.client(clientConfig({ groups: [NamedGroup.x25519, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.x25519] }));
    const srv = Connection.server(serverConfig({ groups: [NamedGroup.secp256r1] }));
    srv.receive(client.takeOutput());
    expect(sentMessages(srv.takeEvents())).toEqual(['hello_retry_request']);
    client.receive(srv.takeOutput());
    srv.close();
    srv.receive(client.takeOutput()); // ClientHello2
    const events = srv.takeEvents();
    expect(alertsOut(events)).toEqual(['user_canceled', 'close_notify']);
    expect(sentMessages(events)).toEqual([]);
    expect(srv.state).toBe('CLOSED');
  });
});

describe('close() by a client while its caller picks a certificate for a post-handshake request', () => {
  it('a close_notify only; the answer given afterwards sends nothing, and the server reports no new identity', () => {
    const client = Connection.client(clientConfig({ postHandshakeAuth: true, certificate: 'ask' }));
    const srv = Connection.server(serverConfig({ trust: { kind: 'pinned-certificate', certificates: [alice.der] } }));
    exchange(client, srv);
    expect(client.isConnected && srv.isConnected).toBe(true);
    srv.requestClientCertificate();
    client.receive(srv.takeOutput());
    expect(client.pendingDecision?.kind).toBe('client-certificate');
    client.takeEvents();
    client.close();
    client.resolve({ kind: 'client-certificate', certificate: alice });
    const events = client.takeEvents();
    expect(alertsOut(events)).toEqual(['close_notify']);
    expect(sentMessages(events)).toEqual([]); // no Certificate, CertificateVerify or Finished after close_notify
    srv.takeEvents();
    srv.receive(client.takeOutput());
    const serverEvents = srv.takeEvents();
    expect(kinds(serverEvents)).not.toContain('post-handshake-auth');
    expect(srv.info.peer).toBeUndefined();
  });
});
