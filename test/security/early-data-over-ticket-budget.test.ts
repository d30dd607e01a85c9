// Attacker: a server that advertises a small max_early_data_size in its NewSessionTicket (RFC 8446 §4.6.1:
// "The maximum amount of 0-RTT data that the client is allowed to send when using this ticket"). Our client
// sent its whole 0-RTT data whatever the ticket allowed, so the server had to end the connection with
// unexpected_message (§4.2.10: more than max_early_data_size): a server could make every 0-RTT attempt of a
// client with more to say fail outright, where the client should just have kept the data for 1-RTT. Early data
// over the ticket's budget is not sent as 0-RTT; the handshake goes on, and the caller sends it once connected
// (info.earlyData says it was not accepted).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const BUDGET = 16;
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('early-data-over-ticket-budget server'));
const antiReplay = new SingleUseTickets();
const serverConfig = (): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('early-data-over-ticket-budget s'),
  tickets: { count: 3, key: new Uint8Array(32).fill(7), maxEarlyDataSize: BUDGET, antiReplay },
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('early-data-over-ticket-budget c'),
  ...extra,
});
const tickets: SessionTicket[] = new InMemoryPair(clientConfig(), serverConfig()).run().events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));

function resume(ticket: SessionTicket, earlyData: Uint8Array) {
  const pair = new InMemoryPair(clientConfig({ resumption: { ticket, earlyData } }), serverConfig()).run();
  return {
    pair,
    alerts: [...pair.events('client'), ...pair.events('server')].filter((e) => e.type === 'alert'),
    early: pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [e.data.length] : [])),
    decisions: pair.events('client').flatMap((e) => (e.type === 'decision' && e.topic === 'early_data' ? [`${e.value}: ${e.reason}`] : [])),
  };
}

describe("0-RTT data over the ticket's max_early_data_size (RFC 8446 §4.2.10, §4.6.1)", () => {
  it('the ticket allows 16 bytes', () => expect(tickets[0]!.maxEarlyDataSize).toBe(BUDGET));

  it('exactly the budget is sent and accepted (the control case)', () => {
    const { pair, alerts, early } = resume(tickets[0]!, new Uint8Array(BUDGET));
    expect(alerts).toEqual([]);
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(early).toEqual([BUDGET]);
  });

  it('one byte more is not sent as 0-RTT: the session resumes in 1-RTT, the reason given, nothing refused', () => {
    const { pair, alerts, early, decisions } = resume(tickets[1]!, new Uint8Array(BUDGET + 1));
    expect(alerts).toEqual([]);
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.client.info.resumed).toBe(true);
    expect(pair.client.info.earlyData).not.toBe('accepted');
    expect(early).toEqual([]);
    expect(decisions).toEqual([`not sent: 17 bytes of early data, more than the ${BUDGET} the ticket allows (max_early_data_size, RFC 8446 §4.6.1)`]);
  });
});
