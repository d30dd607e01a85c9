// Issue 11, hole 2: clientAuth 'require' bypassed by resumption. Alice's ticket was issued while the server
// trusted her; since then its trust policy changed (her pin removed, her certificate expired, the policy is
// now 'ask'). A ticket is only as good as the identity it carries judged *now*: the PSK must be declined
// (RFC 8446 §4.2.11 lets the server decline any PSK) so that the full handshake asks for a certificate, no
// identity may be reported from the ticket, and no 0-RTT data may reach the application.
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { seededRandom } from '../../src/crypto/random.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { connect, createServer, type Tls13Server } from '../../src/node/adapter.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { flipBit } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('rca-server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('rca-alice'));
/** Alice's short-lived certificate: valid on TEST_NOW, expired two days later. */
const aliceShortLived = makeIdentity({ subject: { CN: 'alice' }, notAfter: TEST_NOW + DAY }, seededRandom('rca-alice-short'));
const mallory = makeIdentity({ subject: { CN: 'mallory' } }, seededRandom('rca-mallory'));
const ticketKey = seededRandom('rca-ticket-key')(32);
const pinned = (...ids: Identity[]): TrustPolicy => ({ kind: 'pinned-certificate', certificates: ids.map((i) => i.der) });

function serverConfig(trust: TrustPolicy, at: number, clientAuth: 'optional' | 'require' = 'require'): ServerConfig {
  return {
    certificate: serverIdentity,
    now: () => at,
    random: seededRandom(`rca-s-${at}`),
    clientAuth,
    trust,
    tickets: { count: 1, key: ticketKey, lifetime: 7 * 24 * 3600, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
  };
}

function clientConfig(certificate: Identity, at: number, extra: Partial<ClientConfig> = {}): ClientConfig {
  return { trust: pinned(serverIdentity), now: () => at, random: seededRandom(`rca-c-${at}`), certificate, ...extra };
}

/** A ticket from a full handshake in which the server trusted `who` and checked its CertificateVerify. */
function ticketFor(who: Identity): SessionTicket {
  const first = new InMemoryPair(clientConfig(who, TEST_NOW), serverConfig(pinned(who), TEST_NOW)).run();
  expect(first.server.info.peer?.subject).toBe('CN=alice');
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

const serverSent = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message.kind] : []));
const sentAlert = (events: TlsEvent[]) => events.find((e) => e.type === 'alert' && e.direction === 'out');
const connected = (events: TlsEvent[]) => events.find((e) => e.type === 'connected');
const delivered = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'data' ? [utf8.decode(e.data)] : []));

/** What must hold whenever the ticket's identity is no longer trusted: declined, re-asked, nothing reported. */
function expectDeclinedAndReasked(pair: InMemoryPair): void {
  expect(serverSent(pair)).toContain('certificate_request');
  expect(pair.server.info.resumed).not.toBe(true);
  expect(connected(pair.events('server'))).toBeUndefined();
  expect(pair.server.info.peer).toBeUndefined();
  expect(delivered(pair.events('server'))).toEqual([]);
}

describe("clientAuth 'require' and a ticket whose identity the current policy no longer accepts", () => {
  it('declines the PSK when the pin was removed: full handshake with a CertificateRequest, then bad_certificate', () => {
    const ticket = ticketFor(alice);
    const pair = new InMemoryPair(clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket } }), serverConfig(pinned(mallory), TEST_NOW + 1000)).run();
    expectDeclinedAndReasked(pair);
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'bad_certificate' });
  });

  it('declines the PSK when the stored certificate has expired by the server clock', () => {
    const ticket = ticketFor(aliceShortLived);
    const later = TEST_NOW + 2 * DAY;
    const pair = new InMemoryPair(clientConfig(aliceShortLived, later, { resumption: { ticket } }), serverConfig(pinned(aliceShortLived), later)).run();
    expectDeclinedAndReasked(pair);
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'certificate_expired' });
  });

  it("under the 'ask' policy, pauses for the caller's decision before any identity or resumption is reported", () => {
    const ticket = ticketFor(alice);
    const pair = new InMemoryPair(clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket } }), serverConfig({ kind: 'ask' }, TEST_NOW + 1000)).run();
    const events = pair.events('server');
    const firstOutcome = events.find((e) => e.type === 'decision-needed' || e.type === 'connected');
    expect(firstOutcome?.type).toBe('decision-needed');
    expect(pair.server.info.peer).toBeUndefined();
    expect(connected(events)).toBeUndefined();

    pair.server.resolve({ kind: 'verify-peer', verdict: { trusted: false } });
    pair.run();
    expect(connected(pair.events('server'))).toBeUndefined();
    expect(pair.server.info.peer).toBeUndefined();
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'bad_certificate' });
  });

  it("under 'ask', the caller's yes authenticates alice in this handshake", () => {
    const ticket = ticketFor(alice);
    const pair = new InMemoryPair(clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket } }), serverConfig({ kind: 'ask' }, TEST_NOW + 1000)).run();
    pair.server.resolve({ kind: 'verify-peer', verdict: { trusted: true } });
    pair.run();
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.server.info.peer?.verdict.rule).toBe('caller');
  });

  it("under 'optional', the stale identity is never reported", () => {
    const ticket = ticketFor(alice);
    const pair = new InMemoryPair(clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket } }), serverConfig(pinned(mallory), TEST_NOW + 1000, 'optional')).run();
    expect(pair.server.info.peer?.subject).not.toBe('CN=alice');
    expect(connected(pair.events('server')) ?? { info: {} }).not.toMatchObject({ info: { peer: expect.anything() } });
  });
});

describe("clientAuth 'require' and a ticket from a session that had no client certificate", () => {
  it('never resumes it, nor takes its 0-RTT data: the full handshake requires a certificate', () => {
    const anonymous = new InMemoryPair(clientConfig(alice, TEST_NOW, { certificate: [] }), { ...serverConfig(pinned(alice), TEST_NOW), clientAuth: 'none' }).run();
    const event = anonymous.events('client').find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('no ticket');
    const pair = new InMemoryPair(
      clientConfig(alice, TEST_NOW + 1000, { certificate: [], resumption: { ticket: event.ticket, earlyData: utf8.encode('transfer 100') } }),
      serverConfig(pinned(alice), TEST_NOW + 1000),
    ).run();
    expectDeclinedAndReasked(pair);
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'certificate_required' });
  });
});

describe('0-RTT under clientAuth require', () => {
  it('delivers early data when the ticket identity still passes (the control case)', () => {
    const ticket = ticketFor(alice);
    const pair = new InMemoryPair(
      clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket, earlyData: utf8.encode('transfer 100') } }),
      serverConfig(pinned(alice), TEST_NOW + 1000),
    ).run();
    expect(pair.server.info).toMatchObject({ resumed: true, earlyData: 'accepted' });
    expect(delivered(pair.events('server'))).toEqual(['transfer 100']);
  });

  it('never delivers early data for a ticket whose identity is no longer trusted', () => {
    const ticket = ticketFor(alice);
    const pair = new InMemoryPair(
      clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket, earlyData: utf8.encode('transfer 100') } }),
      serverConfig(pinned(mallory), TEST_NOW + 1000),
    ).run();
    expectDeclinedAndReasked(pair);
    expect(pair.server.info.earlyData).not.toBe('accepted');
  });

  it("never delivers early data under 'ask' before the caller decided", () => {
    const ticket = ticketFor(alice);
    const pair = new InMemoryPair(
      clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket, earlyData: utf8.encode('transfer 100') } }),
      serverConfig({ kind: 'ask' }, TEST_NOW + 1000),
    ).run();
    const events = pair.events('server');
    const beforeDecision = events.slice(0, events.findIndex((e) => e.type === 'decision-needed'));
    expect(delivered(beforeDecision)).toEqual([]);
    expect(pair.server.info.earlyData).not.toBe('accepted');
  });
});

describe('resumption bypass end to end, through the node adapter over 127.0.0.1', () => {
  const servers: Tls13Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((done) => s.close(() => done()))));
  });

  async function listen(trust: TrustPolicy, events: { secure: unknown[]; early: string[]; errors: Error[] }): Promise<number> {
    const { random: _r, ...config } = serverConfig(trust, TEST_NOW);
    const server = createServer({ ...config, tickets: { ...config.tickets, antiReplay: new SingleUseTickets() } }, (socket) => {
      events.secure.push({ peer: socket.getPeerIdentity()?.subject, reused: socket.isSessionReused() });
      socket.on('data', () => socket.end());
      socket.on('error', () => {});
    });
    server.on('earlyData', (chunk: Buffer) => events.early.push(chunk.toString()));
    server.on('tlsClientError', (error: Error) => events.errors.push(error));
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as net.AddressInfo).port;
  }

  it('a server that no longer pins alice declines her ticket and its 0-RTT data and asks for a certificate', async () => {
    const before = { secure: [] as unknown[], early: [] as string[], errors: [] as Error[] };
    const trustingPort = await listen(pinned(alice), before);
    const ticket = await new Promise<SessionTicket>((resolve, reject) => {
      const socket = connect({ ...clientConfig(alice, TEST_NOW), host: '127.0.0.1', port: trustingPort });
      socket.on('session', (t: SessionTicket) => {
        resolve(t);
        socket.end();
      });
      socket.on('error', reject);
    });
    expect(before.secure).toEqual([{ peer: 'CN=alice', reused: false }]);

    // Same ticket key, alice's pin removed.
    const after = { secure: [] as unknown[], early: [] as string[], errors: [] as Error[] };
    const port = await listen(pinned(mallory), after);
    // A TLS 1.3 client is done once it sent its Finished; only the server knows it refused the certificate.
    const clientSaw = await new Promise<{ reused: boolean; earlyData: string | undefined } | Error>((resolve) => {
      const socket = connect({ ...clientConfig(alice, TEST_NOW), host: '127.0.0.1', port, session: ticket, earlyData: 'transfer 100' });
      socket.on('secureConnect', () => {
        resolve({ reused: socket.isSessionReused(), earlyData: socket.info.earlyData });
        socket.end('more');
      });
      socket.on('error', (error) => resolve(error));
    });
    // The server reports its side once its transport is gone.
    await new Promise<void>((done) => {
      if (after.errors.length > 0 || after.secure.length > 0) return done();
      servers[1]!.once('tlsClientError', () => done());
      servers[1]!.once('secureConnection', () => done());
    });
    expect(after.early).toEqual([]);
    expect(after.secure).toEqual([]);
    expect(after.errors.map((e) => (e as { alert?: string }).alert)).toEqual(['bad_certificate']);
    if (!(clientSaw instanceof Error)) expect(clientSaw).toEqual({ reused: false, earlyData: 'rejected' });
  });
});

describe('a resumed handshake that fails before the client Finished checks out', () => {
  it("withdraws the ticket's identity, published at ServerHello, so a closed connection names nobody", () => {
    const ticket = ticketFor(alice);
    let clientFlights = 0;
    const pair = new InMemoryPair(clientConfig(alice, TEST_NOW + 1000, { resumption: { ticket } }), serverConfig(pinned(alice), TEST_NOW + 1000), {
      // The client's second flight carries its Finished: one bit of its last record's tag is flipped.
      tamper: ({ from, bytes }) => (from === 'client' && ++clientFlights === 2 ? flipBit(bytes, bytes.length - 1) : bytes),
    }).run();
    expect(pair.server.info.resumed).toBe(true);
    expect(sentAlert(pair.events('server'))).toMatchObject({ description: 'bad_record_mac' });
    expect(connected(pair.events('server'))).toBeUndefined();
    expect(pair.server.info.peer).toBeUndefined();
  });
});
