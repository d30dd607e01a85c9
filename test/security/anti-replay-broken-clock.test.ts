// Attacker's script against the 0-RTT replay register (SingleUseTickets) when the server's clock is broken: a
// `now` that returns NaN (a Date built from a bad string, a division by an unset value). The register forgets
// every use older than the replay window, and `NaN - at <= window` is false for every use: each call emptied
// the register, and a recorded 0-RTT ClientHello ("pay 10") replayed was accepted again, as often as sent. (The
// register before the replay window, a plain set, refused the replay whatever the clock said.) Without a
// clock that can tell a replay's age, 0-RTT must be refused.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const server = makeIdentity({ subject: { CN: 'bank' } }, seededRandom('broken clock bank'));
const ticketKey = seededRandom('broken clock ticket key')(32);

function connect(antiReplay: SingleUseTickets, serverNow: () => number, seed: string, resumption?: ClientConfig['resumption']) {
  const serverConfig: ServerConfig = { certificate: server, now: serverNow, random: seededRandom(`${seed}/s`), tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay } };
  // The same seed gives the same ClientHello, byte for byte: a recorded one sent again.
  const clientConfig: ClientConfig = { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom(`${seed}/c`), ...(resumption ? { resumption } : {}) };
  return new InMemoryPair(clientConfig, serverConfig).run();
}

const tickets = (pair: InMemoryPair): SessionTicket[] => pair.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
const early = (pair: InMemoryPair) => pair.events('server').flatMap((e) => (e.type === 'data' && e.early ? [utf8.decode(e.data)] : []));

describe('the 0-RTT replay register with a clock that returns NaN', () => {
  it('accepts no early data, so a recorded ClientHello sent again is not accepted again', () => {
    const antiReplay = new SingleUseTickets();
    const [ticket] = tickets(connect(antiReplay, () => TEST_NOW, 'victim'));
    const payment = { ticket: ticket!, earlyData: utf8.encode('pay 10') };
    const accepted = [0, 1, 2].flatMap(() => early(connect(antiReplay, () => NaN, 'victim 0-RTT', payment)));
    expect(accepted).toEqual([]);
  });

  it('SingleUseTickets itself, called with NaN, forgets no use and allows none', () => {
    const register = new SingleUseTickets();
    const ticket = Uint8Array.of(1, 2, 3);
    expect(register.firstUse(ticket, TEST_NOW, 20_000)).toBe(true);
    expect(register.firstUse(ticket, NaN, 20_000)).toBe(false);
    expect(register.firstUse(Uint8Array.of(4), NaN, 20_000)).toBe(false);
    expect(register.firstUse(ticket, TEST_NOW + 1000, 20_000)).toBe(false);
  });

  it('resumes no ticket: its lifetime cannot be checked (NaN compares false with every bound)', () => {
    const antiReplay = new SingleUseTickets();
    const [ticket] = tickets(connect(antiReplay, () => TEST_NOW, 'lifetime'));
    const pair = connect(antiReplay, () => NaN, 'lifetime resumed', { ticket: ticket! });
    expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
    expect(pair.server.info.resumed ?? false).toBe(false);
  });
});
