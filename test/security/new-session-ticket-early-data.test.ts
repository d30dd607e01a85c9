// Attacker: a server whose NewSessionTicket's early_data (RFC 8446 §4.6.1) is unusual: max_early_data_size
// 0xFFFFFFFF, the extension twice, or a ticket with early_data on a resumed connection. Found defended: the
// largest budget is taken and honoured (the client sends what it has, the server reads it all); a second
// early_data is illegal_parameter (§4.2: "There MUST NOT be more than one extension of the same type"); the
// tickets of a resumed connection carry 0-RTT again.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig, TicketConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { ExtensionType } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshakeBody, encodeHandshake } from '../../src/wire/messages.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('nst-early-data server'));
const antiReplay = new SingleUseTickets();
const serverConfig = (tickets: TicketConfig, extra: Partial<ServerConfig> = {}): ServerConfig => ({
  certificate: serverIdentity,
  now: () => TEST_NOW,
  random: seededRandom('nst-early-data s'),
  tickets: { count: 1, key: new Uint8Array(32).fill(5), antiReplay, ...tickets },
  ...extra,
});
const clientConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now: () => TEST_NOW,
  random: seededRandom('nst-early-data c'),
  ...extra,
});
const ticketsOf = (pair: InMemoryPair): SessionTicket[] => pair.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));

describe("a NewSessionTicket's early_data", () => {
  it('max_early_data_size 0xFFFFFFFF: taken as it is, and 0-RTT within it accepted and read whole', () => {
    const [ticket] = ticketsOf(new InMemoryPair(clientConfig(), serverConfig({ maxEarlyDataSize: 0xffffffff })).run());
    expect(ticket!.maxEarlyDataSize).toBe(0xffffffff);
    const pair = new InMemoryPair(clientConfig({ resumption: { ticket: ticket!, earlyData: new Uint8Array(40_000) } }), serverConfig({ maxEarlyDataSize: 0xffffffff })).run();
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [e.data.length] : [])).reduce((a, b) => a + b, 0)).toBe(40_000);
  });

  it('early_data twice: illegal_parameter (DuplicateExtension) when the client decodes it', () => {
    // Our server cannot be made to send it (serverFlight refuses early_data); the NewSessionTicket is decoded alone.
    const early = X.ext(ExtensionType.early_data, X.earlyDataNewSessionTicket.encode(16));
    const raw = encodeHandshake({ kind: 'new_session_ticket', lifetime: 60, ageAdd: 1, nonce: Uint8Array.of(0), ticket: Uint8Array.of(1), extensions: [early, early] });
    expect(() => decodeHandshakeBody(raw[0]!, raw.subarray(4))).toThrow(expect.objectContaining({ reason: 'DuplicateExtension', alert: 'illegal_parameter' }));
  });

  it("a resumed connection's ticket carries 0-RTT again", () => {
    const [first] = ticketsOf(new InMemoryPair(clientConfig(), serverConfig({ maxEarlyDataSize: 16 })).run());
    const resumed = new InMemoryPair(clientConfig({ resumption: { ticket: first! } }), serverConfig({ maxEarlyDataSize: 16 })).run();
    expect(resumed.server.info.resumed).toBe(true);
    const [next] = ticketsOf(resumed);
    expect(next!.maxEarlyDataSize).toBe(16);
    const again = new InMemoryPair(clientConfig({ resumption: { ticket: next!, earlyData: new Uint8Array(16) } }), serverConfig({ maxEarlyDataSize: 16 })).run();
    expect(again.server.info.earlyData).toBe('accepted');
  });
});
