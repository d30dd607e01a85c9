// Attacker: a client with a ticket issued while the server allowed more 0-RTT data than it does today (or none
// at all). The server accepted 0-RTT on any ticket and counted the data against today's
// tickets.maxEarlyDataSize, while the client, as RFC 8446 §4.6.1 tells it, sent what the ticket allowed: a
// server that lowered its budget made each such honest client's 0-RTT end in unexpected_message (§4.2.10).
// The ticket now carries the max_early_data_size it was issued with (format 5); 0-RTT is accepted only when
// today's budget holds it, and only on a ticket that allowed 0-RTT at all, as OpenSSL (max_early_data of the
// session) and BoringSSL (ticket_max_early_data) do. Otherwise 0-RTT is rejected and the session resumes.
// Rejected 0-RTT (the ticket declined too, or after a HelloRetryRequest) was skipped only up to today's
// budget: bad_record_mac. It is skipped up to the larger of ours and the ticket's (server/psk.ts earlyDataToSkip).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig, TicketConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { NamedGroup } from '../../src/wire/enums.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('early-data-budget-cut server'));
const serverConfig = (tickets: TicketConfig): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('early-data-budget-cut s'),
  tickets: { count: 1, key: new Uint8Array(32).fill(7), antiReplay: new SingleUseTickets(), ...tickets },
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('early-data-budget-cut c'),
  ...extra,
});
const ticketFrom = (tickets: TicketConfig): SessionTicket =>
  new InMemoryPair(clientConfig(), serverConfig(tickets)).run().events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;

function resume(ticket: SessionTicket, earlyData: Uint8Array, tickets: TicketConfig) {
  const pair = new InMemoryPair(clientConfig({ resumption: { ticket, earlyData } }), serverConfig(tickets)).run();
  return {
    pair,
    alerts: [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert'),
    decisions: pair.events('server').flatMap((e) => (e.type === 'decision' && e.topic === 'early_data' ? [`${e.value}: ${e.reason}`] : [])),
  };
}

describe("0-RTT on a ticket issued under another max_early_data_size", () => {
  it('the same budget today: accepted (the control case)', () => {
    const { pair, alerts } = resume(ticketFrom({ maxEarlyDataSize: 1000 }), new Uint8Array(100), { maxEarlyDataSize: 1000 });
    expect(alerts).toEqual([]);
    expect(pair.server.info.earlyData).toBe('accepted');
  });

  it('a budget cut below what the ticket allows: 0-RTT rejected, the session resumes, no alert', () => {
    const { pair, alerts, decisions } = resume(ticketFrom({ maxEarlyDataSize: 1000 }), new Uint8Array(100), { maxEarlyDataSize: 16 });
    expect(alerts).toEqual([]);
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.server.info.resumed).toBe(true);
    expect(pair.server.info.earlyData).toBe('rejected');
    expect(decisions).toEqual(['rejected: the ticket allows 1000 bytes of 0-RTT data, more than the 16 we accept now']);
  });

  it('a ticket issued without 0-RTT, which a client claims allows it: rejected, though 0-RTT is on today', () => {
    const ticket = { ...ticketFrom({}), maxEarlyDataSize: 16 };
    const { pair, alerts, decisions } = resume(ticket, new Uint8Array(16), { maxEarlyDataSize: 1000 });
    expect(alerts).toEqual([]);
    expect(pair.server.info.resumed).toBe(true);
    expect(decisions).toEqual(['rejected: the ticket does not allow 0-RTT']);
  });

  it("a client that sends more than its ticket allows, within today's budget: unexpected_message (RFC 8446 §4.2.10)", () => {
    const ticket = { ...ticketFrom({ maxEarlyDataSize: 16 }), maxEarlyDataSize: 1000 };
    const { alerts } = resume(ticket, new Uint8Array(17), { maxEarlyDataSize: 1000 });
    expect(alerts.find((e) => e.direction === 'out')).toMatchObject({ description: 'unexpected_message', reason: 'TooMuchEarlyData' });
  });

  it('a ticket declined today (its lifetime cut) whose 0-RTT is over today\'s budget: skipped, a full handshake, no alert', () => {
    const ticket = ticketFrom({ maxEarlyDataSize: 1000, lifetime: 7 * 24 * 3600 });
    const later = TEST_NOW + 2 * 3600 * 1000;
    const pair = new InMemoryPair(
      clientConfig({ now: () => later, resumption: { ticket, earlyData: new Uint8Array(100) } }),
      { ...serverConfig({ maxEarlyDataSize: 16, lifetime: 3600 }), now: () => later },
    ).run();
    expect([...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.server.info.resumed).toBeUndefined();
    expect(pair.client.info.earlyData).toBe('rejected');
  });

  it("after a HelloRetryRequest (0-RTT never accepted there): skipped up to the ticket's budget, no alert", () => {
    const ticket = ticketFrom({ maxEarlyDataSize: 1000 });
    const retrying = { ...serverConfig({ maxEarlyDataSize: 16 }), groups: [NamedGroup.secp256r1, NamedGroup.x25519], helloRetryForPreferredGroup: true };
    const pair = new InMemoryPair(clientConfig({ keyShareGroups: [NamedGroup.x25519], resumption: { ticket, earlyData: new Uint8Array(100) } }), retrying).run();
    expect([...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.events('client').some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request')).toBe(true);
    expect(pair.server.info.resumed).toBe(true);
    expect(pair.client.info.earlyData).toBe('rejected');
  });

  it('a larger budget today: accepted, the ticket still bounds what the client sends', () => {
    const { pair, alerts } = resume(ticketFrom({ maxEarlyDataSize: 16 }), new Uint8Array(16), { maxEarlyDataSize: 1000 });
    expect(alerts).toEqual([]);
    expect(pair.server.info.earlyData).toBe('accepted');
  });
});
