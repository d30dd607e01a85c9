// Attacker's script against a replay register that answers in another shape than `true` or `false`. RFC 8446
// §8: "The server MUST ensure that any instance of it ... would accept 0-RTT for the same 0-RTT handshake at most
// once". A server run as several instances needs a register they share (`tickets.antiReplay`, any object with
// firstUse), and a store behind a network is asynchronous: `firstUse: async (t) => !(await seen(t))` answers a
// Promise, which is truthy, so the engine took every ClientHello as a first use and the attacker's replay of
// a victim's recorded 0-RTT "pay 10" was accepted again; so were 'false' and 1. Only `true` now lets 0-RTT in;
// any other answer refuses it (the handshake goes on in 1-RTT), with a decision that says what the register
// answered.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import type { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'bank' } }, seededRandom('anti-replay answer bank'));
const ticketKey = seededRandom('anti-replay answer ticket key')(32);

/** A register as a caller may write one: it records every ticket and answers `answer(first)`. */
function register(answer: (first: boolean) => unknown): SingleUseTickets {
  const seen = new Set<string>();
  return {
    firstUse(ticket: Uint8Array) {
      const key = ticket.join();
      const first = !seen.has(key);
      seen.add(key);
      return answer(first);
    },
  } as unknown as SingleUseTickets;
}

function connect(antiReplay: SingleUseTickets, at: number, seed: string, resumption?: ClientConfig['resumption']) {
  const serverConfig: ServerConfig = { certificate: server, now: () => at, random: seededRandom(`${seed}/s`), tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay } };
  // The same seed gives the same ClientHello, byte for byte: a recorded one sent again.
  const clientConfig: ClientConfig = { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => at, random: seededRandom(`${seed}/c`), ...(resumption ? { resumption } : {}) };
  return new InMemoryPair(clientConfig, serverConfig).run();
}

const ticket = (pair: InMemoryPair): SessionTicket => pair.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
const early = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : []));
const earlyDataDecision = (pair: InMemoryPair) =>
  pair.events('server').flatMap((e) => (e.type === 'decision' && e.topic === 'early_data' ? [`${e.value}: ${e.reason}`] : []));

/** The victim's 0-RTT "pay 10", then the attacker's replay of the same ClientHello. */
function paymentAndReplay(antiReplay: SingleUseTickets) {
  const payment = { ticket: ticket(connect(antiReplay, TEST_NOW, 'victim')), earlyData: utf8.encode('pay 10') };
  const original = connect(antiReplay, TEST_NOW + 1000, 'victim 0-RTT', payment);
  const replay = connect(antiReplay, TEST_NOW + 2000, 'victim 0-RTT', payment);
  return { original, replay };
}

describe('a replay register answer other than true refuses 0-RTT (RFC 8446 §8)', () => {
  it('the control: a register that answers true, then false, takes the payment once', () => {
    const { original, replay } = paymentAndReplay(register((first) => first));
    expect(early(original)).toEqual(['pay 10']);
    expect(early(replay)).toEqual([]);
    expect(replay.server.isConnected).toBe(true);
  });

  for (const [shape, answer, shown] of [
    ['a Promise (an async store, not awaited)', (first: boolean) => Promise.resolve(first), 'an object'],
    ["the string 'false'", (first: boolean) => String(first), "'false'"],
    ['1 and 0', (first: boolean) => (first ? 1 : 0), '0'],
  ] as const) {
    it(`${shape}: the replay is refused, the handshakes go on in 1-RTT, and the decision says what it answered`, () => {
      const { original, replay } = paymentAndReplay(register(answer));
      expect(early(replay)).toEqual([]);
      expect(replay.server.info.earlyData).toBe('rejected');
      expect(replay.client.isConnected && replay.server.isConnected).toBe(true);
      expect(earlyDataDecision(replay).join('\n')).toContain(`the replay register answered ${shown}, not true or false`);
      // Fail closed from the first use: the register cannot say which use is the first.
      expect(early(original)).toEqual([]);
    });
  }
});
