// Attacker: a server that makes the client keep, or use, a ticket longer than RFC 8446 §4.6.1 allows.
// "Servers MUST NOT use any value greater than 604800 seconds (7 days). The value of zero indicates that
// the ticket should be discarded immediately. Clients MUST NOT cache tickets for longer than 7 days,
// regardless of the ticket_lifetime."
// (a) A NewSessionTicket with ticket_lifetime 2^32 - 1 came out of the engine as it was: the 'session-ticket'
//     event said the ticket lives 136 years, a TicketStore kept it that long, and handing it back for the
//     next connection, as the API asks, threw a TypeError (`resumption.ticket.lifetime must be ... 0 to
//     604800`) out of Connection.client and the adapter's connect(): the server's bytes crashed the next
//     connection of the client. The engine caps the lifetime at 7 days when it reports the ticket.
// (b) The client offered whatever ticket it was given, however old: a ticket past its lifetime or past 7
//     days went into the ClientHello (and its 0-RTT data onto the wire) whenever the server would take it.
//     A client with a clock offers a ticket only within its lifetime.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { TicketStore } from '../../src/node/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { ExtensionType, HandshakeType } from '../../src/wire/enums.js';
import { clientConfig as harnessClient, handshakeMessage } from '../handshake/abort-harness.js';
import { connected, feed } from '../conformance/harness.js';

const SEVEN_DAYS = 604_800;
const HANDSHAKE = 22;

/** NewSessionTicket (§4.6.1): the given lifetime, age_add 0, empty nonce, a 1-byte ticket, no extensions. */
const newSessionTicket = (lifetime: number) =>
  handshakeMessage(HandshakeType.new_session_ticket, Uint8Array.of(lifetime >>> 24, (lifetime >>> 16) & 0xff, (lifetime >>> 8) & 0xff, lifetime & 0xff, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0, 0));

const ticketsIn = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));

describe('a NewSessionTicket that claims more than 7 days (RFC 8446 §4.6.1)', () => {
  it.each([2 ** 32 - 1, SEVEN_DAYS + 1])('ticket_lifetime %i is reported as 7 days, and the ticket resumes without a TypeError', (lifetime) => {
    const { victim, writer } = connected('server', { serverName: 'example.test' });
    const [ticket] = ticketsIn(feed(victim, writer.seal(HANDSHAKE, newSessionTicket(lifetime))).events);
    expect(ticket!.lifetime).toBe(SEVEN_DAYS);
    expect(() => Connection.client(harnessClient({ resumption: { ticket: ticket! } }))).not.toThrow();
    // A session cache that trusts the reported lifetime forgets the ticket after 7 days.
    let now = TEST_NOW;
    const store = new TicketStore({ now: () => now });
    store.add(ticket!);
    now += SEVEN_DAYS * 1000;
    expect(store.take('example.test')).toBeUndefined();
  });

  it('a lifetime within 7 days is reported as the server sent it', () => {
    const { victim, writer } = connected('server');
    expect(ticketsIn(feed(victim, writer.seal(HANDSHAKE, newSessionTicket(7200))).events)[0]!.lifetime).toBe(7200);
  });
});

describe('a ticket past its lifetime is not offered (RFC 8446 §4.6.1)', () => {
  const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ticket-lifetime server'));
  const ticketKey = seededRandom('ticket-lifetime key')(32);
  const serverConfig = (now: number): ServerConfig => ({
    certificate: server,
    now: () => now,
    random: seededRandom(`s${now}`),
    tickets: { count: 1, key: ticketKey, lifetime: SEVEN_DAYS, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
  });
  const clientConfig = (now: number, extra: Partial<ClientConfig> = {}): ClientConfig => ({
    trust: { kind: 'pinned-certificate', certificates: [server.der] },
    now: () => now,
    random: seededRandom(`c${now}`),
    ...extra,
  });
  const issued: SessionTicket = ticketsIn(new InMemoryPair(clientConfig(TEST_NOW), serverConfig(TEST_NOW)).run().events('client'))[0]!;

  /** The first ClientHello of a client at `now` given `ticket` with 0-RTT data, and what the server made of it. */
  function resumeAt(now: number, ticket: SessionTicket, serverNow = now) {
    const pair = new InMemoryPair(clientConfig(now, { resumption: { ticket, earlyData: utf8.encode('pay 10') } }), serverConfig(serverNow)).run();
    const hello = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'out');
    if (hello?.type !== 'handshake-message' || hello.message.kind !== 'client_hello') throw new Error('no ClientHello');
    const offered = hello.message.extensions.some((e) => e.type === ExtensionType.pre_shared_key);
    const earlyData = pair.events('server').filter((e) => e.type === 'data' && e.early).length;
    return { offered, resumed: pair.client.info.resumed === true, earlyData, connected: pair.client.isConnected };
  }

  it('within its lifetime the ticket resumes, with its 0-RTT data (so each refusal below is the lifetime)', () => {
    expect(resumeAt(TEST_NOW + 60_000, issued)).toEqual({ offered: true, resumed: true, earlyData: 1, connected: true });
  });

  it('past the lifetime the server stated, the ticket is not offered, even to a server that would still take it', () => {
    // A server that sets ticket_lifetime 60 but keeps honouring its tickets for 7 days (ours, by its config).
    const short = { ...issued, lifetime: 60 };
    expect(resumeAt(TEST_NOW + 61_000, short)).toEqual({ offered: false, resumed: false, earlyData: 0, connected: true });
  });

  it('a lifetime of 0 means discard at once: never offered', () => {
    expect(resumeAt(TEST_NOW + 1, { ...issued, lifetime: 0 })).toMatchObject({ offered: false, resumed: false });
  });

  it('past 7 days the ticket is not offered, even to a server whose clock says it is younger', () => {
    expect(resumeAt(TEST_NOW + SEVEN_DAYS * 1000 + 1000, issued, TEST_NOW + 60_000)).toEqual({ offered: false, resumed: false, earlyData: 0, connected: true });
  });

  it('a clock that gives no time offers no ticket (NaN would pass an age check written the other way)', () => {
    // Without the server's identity in it, so nothing but the lifetime judges the ticket (a pinned policy
    // under a NaN clock would refuse the stored certificate first).
    const { peer: _peer, ...anonymous } = issued;
    expect(resumeAt(Number.NaN, anonymous, TEST_NOW + 60_000)).toMatchObject({ offered: false, resumed: false });
  });
});
