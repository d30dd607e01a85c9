// Issue 11, hole 1: client impersonation across a HelloRetryRequest. The attacker copies alice's
// resumption ClientHello1 off the wire, replays it, and answers the server's HelloRetryRequest with a
// ClientHello2 of its own without pre_shared_key. Nothing judged on ClientHello1 may survive the retry
// (RFC 8446 §4.1.4): the server must never report alice, nor a resumption, for this handshake.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { NegotiatedInfo, SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { connect, createServer, type Tls13Server, type Tls13Socket } from '../../src/node/adapter.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { NamedGroup } from '../../src/wire/enums.js';
import { HrrReplayAttacker } from './hrr-replay-attacker.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('hrr-imp-server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('hrr-imp-alice'));
/** The attacker's own certificate, one the server trusts: it may connect as mallory, never as alice. */
const mallory = makeIdentity({ subject: { CN: 'mallory' } }, seededRandom('hrr-imp-mallory'));
/** A certificate the server does not trust. */
const eve = makeIdentity({ subject: { CN: 'eve' } }, seededRandom('hrr-imp-eve'));
const ticketKey = seededRandom('hrr-imp-ticket-key')(32);
const now = () => TEST_NOW;

/** A server that prefers secp256r1 while the clients send an x25519 share only: every handshake retries. */
function serverConfig(clientAuth: 'optional' | 'require'): ServerConfig {
  return {
    certificate: serverIdentity,
    now,
    random: seededRandom(`hrr-imp-s-${clientAuth}`),
    clientAuth,
    trust: { kind: 'pinned-certificate', certificates: [alice.der, mallory.der] },
    groups: [NamedGroup.secp256r1, NamedGroup.x25519],
    helloRetryForPreferredGroup: true,
    tickets: { count: 1, key: ticketKey },
  };
}

function aliceConfig(extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
    now,
    random: seededRandom('hrr-imp-alice-client'),
    certificate: alice,
    keyShareGroups: [NamedGroup.x25519],
    ...extra,
  };
}

/** Alice's resumption ClientHello1, as it crossed the wire, for a ticket from a full handshake. */
function aliceResumptionHello(clientAuth: 'optional' | 'require'): Uint8Array {
  const first = new InMemoryPair(aliceConfig(), serverConfig(clientAuth)).run();
  expect(first.server.info.peer?.subject).toBe('CN=alice');
  const ticket = first.events('client').find((e) => e.type === 'session-ticket');
  if (ticket?.type !== 'session-ticket') throw new Error('no ticket');
  return Connection.client(aliceConfig({ resumption: { ticket: ticket.ticket } })).takeOutput();
}

interface Outcome {
  server: Connection;
  events: TlsEvent[];
  attacker: HrrReplayAttacker;
}

/** Drives the attacker against a fresh server until neither side has anything more to say. */
function attack(clientAuth: 'optional' | 'require', certificate?: Identity): Outcome {
  const attacker = new HrrReplayAttacker(aliceResumptionHello(clientAuth), { provider: nobleProvider, random: seededRandom('attacker'), ...(certificate ? { certificate } : {}) });
  const server = Connection.server(serverConfig(clientAuth));
  const events: TlsEvent[] = [];
  server.receive(attacker.start());
  for (let round = 0; round < 10; round++) {
    events.push(...server.takeEvents());
    const out = server.takeOutput();
    if (out.length === 0) break;
    const answer = attacker.receive(out);
    if (answer.length > 0) server.receive(answer);
  }
  if (attacker.connected && server.isConnected) server.receive(attacker.write(utf8.encode('transfer 100 from alice')));
  events.push(...server.takeEvents());
  return { server, events, attacker };
}

const connectedInfo = (events: TlsEvent[]): NegotiatedInfo | undefined => events.flatMap((e) => (e.type === 'connected' ? [e.info] : []))[0];
const sentAlert = (events: TlsEvent[]) => events.find((e) => e.type === 'alert' && e.direction === 'out');
const dataSeen = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));

/** The invariant of every case: alice is never reported, nor a resumption of her session. */
function expectAliceNeverReported({ server, events }: Outcome): void {
  const connected = connectedInfo(events);
  expect(connected?.peer?.subject).not.toBe('CN=alice');
  expect(connected?.resumed).not.toBe(true);
  expect(server.info.peer?.subject).not.toBe('CN=alice');
  expect(server.info.resumed).not.toBe(true);
}

describe('HelloRetryRequest impersonation: a replayed resumption ClientHello1, then the attacker\'s own ClientHello2', () => {
  it("under 'optional', an empty Certificate gives an unauthenticated full handshake, never alice", () => {
    const outcome = attack('optional');
    expect(outcome.attacker.received).toContain('hello_retry_request');
    expect(outcome.attacker.received).toContain('certificate_request');
    expectAliceNeverReported(outcome);
    const connected = connectedInfo(outcome.events);
    expect(connected).toBeDefined();
    expect(connected!.peer).toBeUndefined();
    expect(connected!.clientAuth).toBe('requested-none-sent');
    expect(outcome.server.info.peer).toBeUndefined();
    // Its data arrives, as from the anonymous client it is.
    expect(dataSeen(outcome.events)).toEqual(['transfer 100 from alice']);
  });

  it("under 'require', the attacker's own trusted certificate authenticates it as itself, never as alice", () => {
    const outcome = attack('require', mallory);
    expectAliceNeverReported(outcome);
    const connected = connectedInfo(outcome.events);
    expect(connected?.peer?.subject).toBe('CN=mallory');
    expect(connected?.clientAuth).toBe('authenticated');
    expect(outcome.server.info.peer?.subject).toBe('CN=mallory');
  });

  it("under 'require', an untrusted certificate ends with bad_certificate and no identity at all", () => {
    const outcome = attack('require', eve);
    expectAliceNeverReported(outcome);
    expect(connectedInfo(outcome.events)).toBeUndefined();
    expect(sentAlert(outcome.events)).toMatchObject({ description: 'bad_certificate' });
    expect(outcome.server.info.peer).toBeUndefined();
    expect(dataSeen(outcome.events)).toEqual([]);
  });

  it("under 'require', an empty Certificate ends with certificate_required and no identity at all", () => {
    const outcome = attack('require');
    expectAliceNeverReported(outcome);
    expect(connectedInfo(outcome.events)).toBeUndefined();
    expect(sentAlert(outcome.events)).toMatchObject({ description: 'certificate_required' });
    expect(outcome.server.info.peer).toBeUndefined();
  });
});

describe('HelloRetryRequest impersonation end to end, through the node adapter over 127.0.0.1', () => {
  let server: Tls13Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it("reports the attacker's connection with no identity and not resumed", async () => {
    const reports: Array<{ peer: ReturnType<Tls13Socket['getPeerIdentity']>; reused: boolean }> = [];
    const errors: Error[] = [];
    server = createServer({ ...serverConfig('optional'), tickets: { count: 1 } }, (socket) => {
      reports.push({ peer: socket.getPeerIdentity(), reused: socket.isSessionReused() });
      socket.on('data', () => socket.end());
      socket.on('error', () => {});
    });
    server.on('tlsClientError', (error: Error) => errors.push(error));
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const { port } = server.address() as net.AddressInfo;

    // Alice connects with her certificate and keeps the ticket.
    const ticket = await new Promise<SessionTicket>((resolve, reject) => {
      const socket = connect({ ...aliceConfig(), host: '127.0.0.1', port });
      socket.on('session', (t: SessionTicket) => {
        resolve(t);
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(reports).toEqual([expect.objectContaining({ reused: false })]);
    expect(reports[0]!.peer?.subject).toBe('CN=alice');

    // The attacker replays her next ClientHello1 and answers the HelloRetryRequest itself.
    const attacker = new HrrReplayAttacker(Connection.client(aliceConfig({ serverName: '127.0.0.1', resumption: { ticket } })).takeOutput(), { provider: nobleProvider, random: seededRandom('attacker-e2e') });
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(attacker.start()));
      socket.on('data', (bytes: Buffer) => {
        const answer = attacker.receive(new Uint8Array(bytes));
        if (answer.length > 0) socket.write(answer);
        if (attacker.connected) socket.write(attacker.write(utf8.encode('transfer 100 from alice')));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(attacker.received).toContain('hello_retry_request');
    expect(reports).toHaveLength(2);
    expect(reports[1]).toEqual({ peer: undefined, reused: false });
  });
});
