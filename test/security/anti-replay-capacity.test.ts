// Attacker's script against the 0-RTT replay register (SingleUseTickets, RFC 8446 §8.1): "The server MUST
// ensure that any instance of it ... would accept 0-RTT for the same 0-RTT handshake at most once." The
// register held at most `capacity` tickets and forgot the oldest to make room, so an attacker who recorded a
// victim's 0-RTT ClientHello ("pay 10") and then spent `capacity` tickets of its own on 0-RTT made the server
// forget the victim's, and replayed it: "pay 10" was accepted twice. A use is now remembered as long as a
// replay of it could pass the ticket age check (twice maxAgeSkewMs); when the register is full of such uses,
// 0-RTT is refused (the handshake goes on in 1-RTT) instead.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'bank' } }, seededRandom('anti-replay bank'));
const ticketKey = seededRandom('anti-replay ticket key')(32);
const SKEW_MS = 10_000;

function connect(antiReplay: SingleUseTickets, at: number, seed: string, resumption?: ClientConfig['resumption']) {
  const serverConfig: ServerConfig = { certificate: server, now: () => at, random: seededRandom(`${seed}/s`), tickets: { count: 3, key: ticketKey, maxEarlyDataSize: 1024, antiReplay, maxAgeSkewMs: SKEW_MS } };
  // The same seed gives the same ClientHello, byte for byte: a recorded one sent again.
  const clientConfig: ClientConfig = { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => at, random: seededRandom(`${seed}/c`), ...(resumption ? { resumption } : {}) };
  return new InMemoryPair(clientConfig, serverConfig).run();
}

const tickets = (pair: InMemoryPair): SessionTicket[] => pair.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
const early = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : []));

describe('the 0-RTT replay register under pressure', () => {
  it("a victim's 0-RTT ClientHello replayed after the attacker filled the register: refused, not forgotten", () => {
    const antiReplay = new SingleUseTickets(2);
    const [victimTicket] = tickets(connect(antiReplay, TEST_NOW, 'victim'));
    const attackerTickets = tickets(connect(antiReplay, TEST_NOW, 'attacker'));
    const payment = { ticket: victimTicket!, earlyData: utf8.encode('pay 10') };
    expect(early(connect(antiReplay, TEST_NOW + 1000, 'victim 0-RTT', payment))).toEqual(['pay 10']);
    for (const [i, ticket] of attackerTickets.slice(0, 2).entries()) connect(antiReplay, TEST_NOW + 2000, `attacker 0-RTT ${i}`, { ticket, earlyData: utf8.encode('noise') });
    const replay = connect(antiReplay, TEST_NOW + 3000, 'victim 0-RTT', payment);
    expect(early(replay)).toEqual([]);
    expect(replay.server.info.earlyData).toBe('rejected');
    expect(replay.client.isConnected && replay.server.isConnected).toBe(true);
  });

  it('a use is forgotten once no replay of it can pass the age check, so the register does not fill up for good', () => {
    const antiReplay = new SingleUseTickets(1);
    const issued = tickets(connect(antiReplay, TEST_NOW, 'filler'));
    const first = connect(antiReplay, TEST_NOW + 1000, 'one', { ticket: issued[0]!, earlyData: utf8.encode('one') });
    expect(early(first)).toEqual(['one']);
    // Within the window: the register is full, so a fresh ticket's 0-RTT is refused (1-RTT goes on).
    expect(early(connect(antiReplay, TEST_NOW + 2000, 'two', { ticket: issued[1]!, earlyData: utf8.encode('two') }))).toEqual([]);
    // Past it, the first use can no longer be replayed and makes room.
    const later = TEST_NOW + 1000 + 2 * SKEW_MS + 1;
    expect(early(connect(antiReplay, later, 'three', { ticket: issued[2]!, earlyData: utf8.encode('three') }))).toEqual(['three']);
  });
});
