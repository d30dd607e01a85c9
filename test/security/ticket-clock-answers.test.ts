// Attacker's test: a careless client clock keeps its expired tickets alive. "Clients MUST NOT cache tickets for
// longer than 7 days, regardless of the ticket_lifetime" and a ticket_lifetime counts from issuance (RFC 8446
// §4.6.1). The client judged a ticket's age by `now` as it answered: a clock that returns nothing
// (`now: () => { Date.now(); }`) read as "no clock", so every stored ticket looked alive, and a ticket received
// under that clock carried no receivedAt, so it looked alive forever after. The expired ticket went out again in
// pre_shared_key (a linkable identifier, §C.4) with its 0-RTT data. The clock's answer is now read as a time
// (a number, or a Date's) or as none (NaN), as certificate validity reads it (clock-answer-shapes.test.ts): a
// clock that gives no time finds every ticket expired.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { DAY, makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { ExtensionType } from '../../src/wire/enums.js';

const random = seededRandom('ticket clock answers');
const server = makeIdentity({ subject: { CN: 'tickets.example' }, sans: { dns: ['tickets.example'] }, extKeyUsage: ['serverAuth'], keyType: 'p256' }, random);
const ticketKey = random(32);
const LIFETIME_S = 60;

const serverConfig = () => ({
  certificate: server,
  now: () => TEST_NOW,
  random: seededRandom('s'),
  tickets: { count: 1, key: ticketKey, lifetime: LIFETIME_S, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
});
const clientConfig = (now: () => unknown, extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-key', keys: [server.certificate.spki] }, // judged without a clock: only the ticket's age is in question
  serverName: 'tickets.example',
  now: now as () => number,
  random: seededRandom('c'),
  ...extra,
});

function ticketUnder(now: () => unknown): SessionTicket {
  const pair = new InMemoryPair(clientConfig(now), serverConfig()).run();
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/** Whether the client's first ClientHello offers the ticket, and whether 0-RTT data went with it. */
function offers(ticket: SessionTicket, now: () => unknown): { psk: boolean; earlyData: boolean } {
  const pair = new InMemoryPair(clientConfig(now, { resumption: { ticket, earlyData: utf8.encode('pay 10') } }), serverConfig());
  pair.run();
  const hello = pair.events('client').find((e): e is Extract<TlsEvent, { type: 'handshake-message' }> => e.type === 'handshake-message' && e.direction === 'out');
  const has = (type: number) => hello?.message.kind === 'client_hello' && hello.message.extensions.some((e) => e.type === type);
  return { psk: has(ExtensionType.pre_shared_key), earlyData: has(ExtensionType.early_data) };
}

const BROKEN_CLOCKS: Array<[string, () => unknown]> = [
  ['nothing (a clock that forgot to return)', () => undefined],
  ['NaN', () => NaN],
  ['an ISO string', () => new Date(TEST_NOW).toISOString()],
  ['a numeric string', () => String(TEST_NOW)],
  ['a Promise (an async time source)', () => Promise.resolve(TEST_NOW)],
];

describe('a client clock that answers no number keeps no ticket alive (RFC 8446 §4.6.1)', () => {
  const fresh = ticketUnder(() => TEST_NOW);
  const expired = { ...fresh, receivedAt: TEST_NOW - 8 * DAY };

  it('the controls: a number and a Date offer the live ticket with its 0-RTT data, and not the expired one', () => {
    for (const clock of [() => TEST_NOW + 1000, () => new Date(TEST_NOW + 1000)]) {
      expect(offers(fresh, clock)).toEqual({ psk: true, earlyData: true });
      expect(offers(expired, clock)).toEqual({ psk: false, earlyData: false });
    }
  });

  for (const [shape, clock] of BROKEN_CLOCKS) {
    it(`${shape}: a stored ticket, even an 8-day-old one, is not offered`, () => {
      expect(offers(expired, clock)).toEqual({ psk: false, earlyData: false });
      expect(offers(fresh, clock)).toEqual({ psk: false, earlyData: false });
    });

    it(`${shape}: a ticket received under it is not offered later, when the clock works again`, () => {
      const received = ticketUnder(clock);
      expect(received.receivedAt).not.toBeUndefined();
      expect(offers(received, () => TEST_NOW + 8 * DAY)).toEqual({ psk: false, earlyData: false });
    });
  }

  it('a Date clock stores its time as a number', () => {
    expect(ticketUnder(() => new Date(TEST_NOW)).receivedAt).toBe(TEST_NOW);
  });
});
