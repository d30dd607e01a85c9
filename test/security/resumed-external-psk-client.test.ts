// Attacker's scripts, the client's side of resumed-external-psk.test.ts: a server that proved alice's external PSK
// (RFC 8446 §4.2.11) sends session tickets, and the client's `session-ticket` carried nothing of the PSK (no `peer`:
// a PSK is not a certificate). alice's PSK leaked and the client's operator deleted it, or replaced its key; the
// thief, who had played the server with the leaked PSK and handed out a ticket, kept the client: the client offered
// that ticket (a ticket without `peer` was offered whatever the config said), resumed, connected, and reported no
// server at all. A ticket now carries the identity of the session's external PSK and the SHA-256 of its key
// (`externalPsk`); the client offers it only while it still holds that PSK with that key, and reports the server as
// that PSK ('resumed external-psk') after its Finished, as the server reports the client.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { TEST_NOW } from '../../src/testing/certs.js';

const now = () => TEST_NOW + 60_000;
const alice: ExternalPsk = { identity: 'alice', key: seededRandom('client resumed-external-psk alice')(32) };
const aliceRotated: ExternalPsk = { identity: 'alice', key: seededRandom('client resumed-external-psk alice, new key')(32) };
const bob: ExternalPsk = { identity: 'bob', key: seededRandom('client resumed-external-psk bob')(32) };
const ticketKey = seededRandom('client resumed-external-psk ticket key')(32);

/** The server, or the thief playing it with alice's leaked PSK: it seals and opens its tickets. */
const server = (keys: ExternalPsk[]): ServerConfig => ({
  now,
  random: seededRandom('thief'),
  externalPsks: { keys },
  tickets: { count: 1, key: ticketKey, antiReplay: new SingleUseTickets() },
});
const client = (keys: ExternalPsk[], ticket?: SessionTicket): ClientConfig => ({ now, random: seededRandom('victim'), externalPsks: { keys }, ...(ticket ? { resumption: { ticket } } : {}) });
const offeredTicket = (events: TlsEvent[]) => events.some((e) => e.type === 'decision' && e.topic === 'resumption' && e.value === 'ticket not offered');

/** The ticket of a session in which the server proved alice's PSK. */
function aliceSessionTicket(): SessionTicket {
  const first = new InMemoryPair(client([alice]), server([alice, bob])).run();
  expect(first.client.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'external-psk' } });
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

describe("a client's ticket of a session a server authenticated with an external PSK", () => {
  it('the control: still holding alice, the client resumes and reports the server as alice, resumed', () => {
    // The ticket goes first, and the server takes the first identity it can use (server/psk.ts acceptPsk).
    const pair = new InMemoryPair(client([alice], aliceSessionTicket()), server([alice, bob])).run();
    expect(pair.client.info.resumed).toBe(true);
    expect(pair.client.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { trusted: true, rule: 'resumed external-psk' } });
  });

  it('is not offered once alice is deleted from the config: the server has to prove a PSK we hold (bob) afresh', () => {
    const pair = new InMemoryPair(client([bob], aliceSessionTicket()), server([alice, bob])).run();
    expect(offeredTicket(pair.events('client'))).toBe(true);
    expect(pair.client.info.resumed).toBeUndefined();
    expect(pair.client.info.peer).toMatchObject({ kind: 'psk', identity: 'bob', verdict: { rule: 'external-psk' } });
  });

  it("is not offered once alice's key is replaced (rotated after a leak): the thief with the old key gets nothing", () => {
    const pair = new InMemoryPair(client([aliceRotated], aliceSessionTicket()), server([alice])).run();
    expect(offeredTicket(pair.events('client'))).toBe(true);
    expect(pair.client.info.resumed).toBeUndefined();
    expect(pair.client.isConnected).toBe(false);
    expect(pair.client.info.peer).toBeUndefined();
  });

  it('a binding that is not one (a key digest of 31 bytes) is a TypeError naming it before anything is sent', () => {
    const ticket = aliceSessionTicket();
    const bad = { ...ticket, externalPsk: { identity: ticket.externalPsk!.identity, keySha256: new Uint8Array(31) } };
    expect(() => Connection.client(client([alice], bad))).toThrow(/resumption\.ticket\.externalPsk\.keySha256/);
  });
});
