// Attacker's script against the 0-RTT replay register (SingleUseTickets, RFC 8446 §8: "any instance of it ...
// would accept 0-RTT for the same 0-RTT handshake at most once") when one register is shared by two server
// configs with different maxAgeSkewMs (two listeners, or per-name configs of one server, with one ticket key
// and one register, as "shared by every connection of a server" invites). Each use is remembered for the
// window of the config that recorded it (twice its skew); but each firstUse() call forgets, from the front,
// every use older than *its caller's* window. So a 0-RTT handshake on the short-skew config wipes the victim's
// use recorded by the long-skew one, and the victim's recorded ClientHello, replayed to the long-skew config
// while its age check still passes, carries its early data a second time.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'bank' } }, seededRandom('shared register bank'));
const ticketKey = seededRandom('shared register ticket key')(32);
const LONG_SKEW_MS = 60_000;
const SHORT_SKEW_MS = 10_000;

interface Times {
  client: number;
  server: number;
}

function connect(antiReplay: SingleUseTickets, skew: number, at: Times, seed: string, resumption?: ClientConfig['resumption']) {
  const serverConfig: ServerConfig = {
    certificate: server,
    now: () => at.server,
    random: seededRandom(`${seed}/s`),
    tickets: { count: 2, key: ticketKey, maxEarlyDataSize: 1024, antiReplay, maxAgeSkewMs: skew },
  };
  // The same seed and client clock give the same ClientHello, byte for byte: a recorded one sent again.
  const clientConfig: ClientConfig = { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => at.client, random: seededRandom(`${seed}/c`), ...(resumption ? { resumption } : {}) };
  return new InMemoryPair(clientConfig, serverConfig).run();
}

const tickets = (pair: InMemoryPair): SessionTicket[] => pair.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
const early = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : []));
const same = (t: number): Times => ({ client: t, server: t });

describe('one replay register shared by configs with different maxAgeSkewMs', () => {
  it("a 0-RTT handshake on the short-skew config does not make the register forget the victim's use on the long-skew one", () => {
    const antiReplay = new SingleUseTickets();
    const [victimTicket] = tickets(connect(antiReplay, LONG_SKEW_MS, same(TEST_NOW), 'victim'));
    const [attackerTicket] = tickets(connect(antiReplay, SHORT_SKEW_MS, same(TEST_NOW), 'attacker'));
    const payment = { ticket: victimTicket!, earlyData: utf8.encode('pay 10') };
    const sent = TEST_NOW + 1000;
    expect(early(connect(antiReplay, LONG_SKEW_MS, same(sent), 'victim 0-RTT', payment))).toEqual(['pay 10']);

    // 25 s later, any 0-RTT handshake on the short-skew config (its window is 20 s).
    const later = TEST_NOW + 26_000;
    expect(early(connect(antiReplay, SHORT_SKEW_MS, same(later), 'attacker 0-RTT', { ticket: attackerTicket!, earlyData: utf8.encode('noise') }))).toEqual(['noise']);

    // The victim's recorded ClientHello (client clock as it was), replayed to the long-skew config 29 s after
    // the original: the age check (±60 s) passes, so only the register stands between it and a second payment.
    const replay = connect(antiReplay, LONG_SKEW_MS, { client: sent, server: TEST_NOW + 30_000 }, 'victim 0-RTT', payment);
    expect(replay.server.isConnected).toBe(true);
    expect(early(replay)).toEqual([]);
    expect(replay.server.info.earlyData).toBe('rejected');
  });
});
