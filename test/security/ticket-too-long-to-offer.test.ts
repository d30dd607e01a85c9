// Attacker: a server that hands the client a ticket it can never offer back. NewSessionTicket allows
// ticket<1..2^16-1> (RFC 8446 §4.6.1), but the ticket goes back inside pre_shared_key, inside the ClientHello's
// extensions<8..2^16-1> (§4.1.2), beside the key shares, supported_versions and the rest: a ticket of more
// than ~65,000 bytes cannot fit. The client reported such a ticket, and handing it back for the next
// connection, as the API asks, threw out of Connection.client: a TypeError for a ticket over 65,476 bytes (the
// config check), and below it "vector of 66846 bytes does not fit a 2-byte length" from encoding the
// ClientHello, even for a ticket our own server sends (it bounds tickets by the pre_shared_key extension
// alone). The server's bytes crashed the client's next connection. A ticket that does not fit beside the
// rest of the ClientHello is not offered; the handshake goes on in full.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { MAX_OFFERED_TICKET_LENGTH } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { concat } from '../../src/wire/bytes.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('ticket-too-long server'));

/** A server whose tickets are its sealed state followed by `padding` bytes (its own format, RFC 8446 §4.6.1). */
const serverConfig = (padding: number): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('ticket-too-long s'),
  tickets: {
    count: 1,
    seal: (state) => concat(new Uint8Array([state.length >> 8, state.length & 0xff]), state, new Uint8Array(padding)),
    open: (ticket) => ticket.subarray(2, 2 + ((ticket[0]! << 8) | ticket[1]!)),
  },
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('ticket-too-long c'),
  ...extra,
});

function ticketOf(padding: number): SessionTicket {
  const event = new InMemoryPair(clientConfig(), serverConfig(padding)).run().events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

function resume(ticket: SessionTicket, padding: number) {
  const pair = new InMemoryPair(clientConfig({ resumption: { ticket } }), serverConfig(padding)).run();
  const decisions = pair.events('client').flatMap((e) => (e.type === 'decision' && e.topic === 'resumption' ? [`${e.value}: ${e.reason}`] : []));
  const alerts = [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert');
  return { pair, decisions, alerts };
}

describe('a ticket too long to offer back beside the rest of the ClientHello', () => {
  it('our own server may send one (the pre_shared_key extension alone would hold it)', () => {
    const ticket = ticketOf(MAX_OFFERED_TICKET_LENGTH - 120);
    expect(ticket.ticket.length).toBeLessThanOrEqual(MAX_OFFERED_TICKET_LENGTH);
    expect(ticket.ticket.length).toBeGreaterThan(MAX_OFFERED_TICKET_LENGTH - 100);
  });

  it('is not offered: a full handshake, the reason given, nothing thrown', () => {
    const padding = MAX_OFFERED_TICKET_LENGTH - 120;
    const { pair, decisions, alerts } = resume(ticketOf(padding), padding);
    expect(alerts).toEqual([]);
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.client.info.resumed).toBeFalsy();
    expect(decisions).toEqual([expect.stringMatching(/^ticket not offered: .*2\^16 - 1.*RFC 8446 §4\.1\.2/)]);
    expect(pair.client.info.peer?.subject).toBe('CN=server');
  });

  it('a ticket of the most bytes a NewSessionTicket holds (2^16 - 1) is no TypeError either: not offered', () => {
    const ticket = { ...ticketOf(0), ticket: new Uint8Array(0xffff) };
    expect(() => Connection.client(clientConfig({ resumption: { ticket } }))).not.toThrow();
    const { pair, decisions } = resume(ticket, 0);
    expect(pair.client.isConnected && !pair.client.info.resumed).toBe(true);
    expect(decisions).toEqual([expect.stringMatching(/^ticket not offered/)]);
  });

  it('a long ticket that still fits is offered and resumes (the control case)', () => {
    const padding = 60_000;
    const { pair, decisions, alerts } = resume(ticketOf(padding), padding);
    expect(alerts).toEqual([]);
    expect(pair.client.info.resumed).toBe(true);
    expect(decisions).toEqual([expect.stringMatching(/^resumed/)]);
  });
});
