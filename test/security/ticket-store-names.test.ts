// Attacker's test for TicketStore's server names (RFC 4343: a DNS name is the same name in any ASCII case;
// RFC 6066 §3 and the engine's reference identity: lowercased, no trailing dot, IPv6 as RFC 5952 writes it).
// A ticket is filed under the name the engine reports, its canonical spelling, and take() looked the caller's
// spelling up as given: `take('Example.TEST')` or `take('example.test.')` found nothing, so each such connection
// made a full handshake. The other direction matters more: a spelling may find the tickets of its own server
// only. A name that folds to another beyond ASCII (the Kelvin sign K lowercases to 'k'), a name that ends in a
// number (a resolver reads '127.1' as 127.0.0.1), an IPv4-mapped IPv6 address and a DNS name never find an IP
// address's tickets, nor the other way round. The engine re-judges a ticket against the name it connects to
// (client/psk.ts ticketNotFor), but a store that hands out another server's ticket is a hole of its own.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { TicketStore } from '../../src/node/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { clientConfig, serverConfig } from '../handshake/abort-harness.js';

const identity = makeIdentity(
  { subject: { CN: 'kelvin' }, sans: { dns: ['kelvin.example'], ip: ['127.0.0.1', '::1'] } },
  seededRandom('ticket store names'),
);

/** A real ticket of a handshake with a server for `serverName` (as the engine reports it). */
function ticketFor(serverName: string): SessionTicket {
  const pair = new InMemoryPair(
    clientConfig({ serverName, trust: { kind: 'pinned-certificate', certificates: [identity.der] }, random: seededRandom(`ticket for ${serverName}`) }),
    serverConfig({ certificate: identity, tickets: { count: 1 } }),
  ).run();
  const tickets = pair.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []));
  expect(tickets).toHaveLength(1);
  return tickets[0]!;
}

const store = (ticket: SessionTicket) => {
  const kept = new TicketStore({ now: () => TEST_NOW });
  kept.add(ticket);
  return kept;
};

describe('TicketStore: one server in any spelling', () => {
  it('the engine reports the canonical name (the control)', () => {
    expect(ticketFor('Kelvin.EXAMPLE.').serverName).toBe('kelvin.example');
    expect(ticketFor('0:0:0:0:0:0:0:1').serverName).toBe('::1');
  });

  it('a DNS name in another ASCII case, or absolute (trailing dot), finds its ticket', () => {
    const ticket = ticketFor('kelvin.example');
    for (const spelling of ['kelvin.example', 'KELVIN.example', 'Kelvin.Example.', 'kelvin.example.']) {
      const kept = store(ticket);
      expect(kept.count(spelling)).toBe(1);
      expect(kept.take(spelling)).toBe(ticket);
      expect(kept.count('kelvin.example')).toBe(0);
    }
  });

  it('an IPv6 address in any spelling finds its ticket', () => {
    const ticket = ticketFor('::1');
    for (const spelling of ['::1', '[::1]', '0:0:0:0:0:0:0:1', '0000::0001']) expect(store(ticket).take(spelling)).toBe(ticket);
  });

  it('filed under a spelling of the caller, found under the canonical one, and the other way round', () => {
    const ticket = ticketFor('kelvin.example');
    const kept = new TicketStore({ now: () => TEST_NOW });
    kept.add(ticket, 'KELVIN.EXAMPLE.');
    expect(kept.take('kelvin.example')).toBe(ticket);
  });
});

describe('TicketStore: never another server', () => {
  it('a name that folds to the ticket\'s only beyond ASCII (Kelvin sign, dotless i) finds nothing', () => {
    const ticket = ticketFor('kelvin.example');
    expect('\u212Aelvin.example'.toLowerCase()).toBe('kelvin.example'); // what a careless fold would merge
    for (const spelling of ['\u212Aelvin.example', 'kelv\u0131n.example', 'kelvin.example..', ' kelvin.example', 'kelvin.example\0']) {
      expect(store(ticket).take(spelling)).toBeUndefined();
    }
  });

  it("an IPv4 address's ticket: not for a name that ends in a number, an IPv4-mapped address, a DNS name, another address", () => {
    const ticket = ticketFor('127.0.0.1');
    expect(store(ticket).take('127.0.0.1')).toBe(ticket);
    for (const spelling of ['127.1', '2130706433', '0x7f.0.0.1', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]', 'localhost', '127.0.0.2', '']) {
      expect(store(ticket).take(spelling)).toBeUndefined();
    }
  });

  it("a DNS name's ticket is not for an IP address, and an IP address's not for a name", () => {
    const named = ticketFor('kelvin.example');
    for (const spelling of ['127.0.0.1', '::1', '']) expect(store(named).take(spelling)).toBeUndefined();
    const ipv6 = ticketFor('::1');
    for (const spelling of ['localhost', '::2', '127.0.0.1', '::ffff:0:1']) expect(store(ipv6).take(spelling)).toBeUndefined();
  });

  it('a label of the caller that is no server name is kept as given, apart from every server name', () => {
    const ticket = ticketFor('kelvin.example');
    const kept = new TicketStore({ now: () => TEST_NOW });
    kept.add(ticket, 'pool: Kelvin');
    expect(kept.take('pool: kelvin')).toBeUndefined();
    expect(kept.take('kelvin')).toBeUndefined();
    expect(kept.take('pool: Kelvin')).toBe(ticket);
  });
});
