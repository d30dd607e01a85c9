// Attacker's scripts against the order in which a server takes offered PSKs (RFC 8446 §4.2.11: the client lists its
// identities in preference order; the server selects one and validates that one binder only). Our client offers the
// ticket of a session an external PSK authenticated first and the PSK after it, and our server used to try external
// PSKs before any ticket: between our own client and server such tickets never resumed and their 0-RTT was never
// accepted. The server now walks the identities in the client's order and takes the first it can use, as OpenSSL,
// rustls and GnuTLS do. What that must not open: a ticket of PSK A beside PSK B reported as B (or the reverse), a
// declined ticket whose binder changes the outcome, a failed binder that falls through to the next identity, a ticket
// taken as an external PSK of the same bytes, and 0-RTT for any identity but the first (§4.2.10).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair, type Flight } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { editPlaintextHandshake } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';
import { ExtensionType, NamedGroup } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { ClientHello } from '../../src/wire/types.js';

const now = () => TEST_NOW + 60_000;
const alice: ExternalPsk = { identity: 'alice', key: seededRandom('psk-order alice')(32) };
const aliceRotated: ExternalPsk = { identity: 'alice', key: seededRandom('psk-order alice, new key')(32) };
const bob: ExternalPsk = { identity: 'bob', key: seededRandom('psk-order bob')(32) };
const ticketKey = seededRandom('psk-order ticket key')(32);

/** A server that admits clients by external PSK only (no certificate), issuing tickets that allow 0-RTT. */
function server(keys: ExternalPsk[], extra: Partial<ServerConfig> = {}): ServerConfig {
  return { now, random: seededRandom('psk-order s'), externalPsks: { keys }, tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() }, ...extra };
}

function client(keys: ExternalPsk[], ticket?: SessionTicket, earlyData?: string): ClientConfig {
  const resumption = ticket ? { resumption: { ticket, ...(earlyData ? { earlyData: utf8.encode(earlyData) } : {}) } } : {};
  return { now, random: seededRandom('psk-order c'), externalPsks: { keys }, ...resumption };
}

/** The ticket of a session alice authenticated with her external PSK. */
function aliceTicket(): SessionTicket {
  const first = new InMemoryPair(client([alice]), server([alice, bob])).run();
  expect(first.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'external-psk' } });
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  expect(event.ticket.externalPsk).toBeDefined();
  return event.ticket;
}

/** The ticket as a client from before ticket format 6, or a thief's, holds it: no binding to the PSK (chooseTicket offers it regardless). */
const unbound = ({ externalPsk: _binding, ...ticket }: SessionTicket): SessionTicket => ticket;
/** The ticket with a resumption secret that is not the session's: its binder cannot verify. */
const withWrongSecret = (ticket: SessionTicket): SessionTicket => ({ ...ticket, psk: ticket.psk.map((b) => b ^ 0x55) });

const alertsSent = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
const earlyDataRead = (events: TlsEvent[]) => events.filter((e) => e.type === 'data' && e.early).length;

/** The selected_identity of the server's ServerHello, or undefined when it selected none. */
function selectedIdentity(pair: InMemoryPair): number | undefined {
  for (const e of pair.events('server')) {
    if (e.type !== 'handshake-message' || e.direction !== 'out' || e.message.kind !== 'server_hello') continue;
    const ext = X.findExtension(e.message.extensions, ExtensionType.pre_shared_key);
    return ext ? X.bodyOf(X.preSharedKeyServerHello, ext) : undefined;
  }
  return undefined;
}

/** What each side reports about its peer and the handshake. */
function outcome(pair: InMemoryPair) {
  const side = (c: InMemoryPair['client']) => ({ connected: c.isConnected, resumed: c.info.resumed === true, peer: c.info.peer && `${c.info.peer.kind === 'psk' ? c.info.peer.identity : '?'} (${c.info.peer.verdict.rule})` });
  return { selected: selectedIdentity(pair), server: side(pair.server), client: side(pair.client), alerts: [...alertsSent(pair.events('server')), ...alertsSent(pair.events('client'))] };
}

describe('our client and server: a ticket of an external-PSK session, offered before the PSK', () => {
  it('resumes: the server takes the first identity it can use, and both sides report alice, resumed', () => {
    const pair = new InMemoryPair(client([alice], aliceTicket()), server([alice, bob])).run();
    expect(outcome(pair)).toEqual({
      selected: 0,
      server: { connected: true, resumed: true, peer: 'alice (resumed external-psk)' },
      client: { connected: true, resumed: true, peer: 'alice (resumed external-psk)' },
      alerts: [],
    });
  });

  it("accepts its 0-RTT data under the ticket's keys, attributed to alice when it arrives", () => {
    const pair = new InMemoryPair(client([alice], aliceTicket(), 'pay 10'), server([alice, bob]));
    pair.step('client');
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(earlyDataRead(pair.events('server'))).toBe(1);
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'resumed external-psk' } });
    pair.run();
    expect(pair.client.info.earlyData).toBe('accepted');
    expect(outcome(pair).selected).toBe(0);
    expect(pair.client.isConnected).toBe(true);
  });
});

describe('a ticket of PSK A beside PSK B', () => {
  it('reports A when the ticket is taken: its binder and Finished prove the session A authenticated, never B', () => {
    // A client holding bob and a ticket of alice's session (no binding, as a thief's or an old client's is).
    const pair = new InMemoryPair(client([bob], unbound(aliceTicket())), server([alice, bob])).run();
    expect(outcome(pair)).toMatchObject({ selected: 0, server: { connected: true, resumed: true, peer: 'alice (resumed external-psk)' }, alerts: [] });
  });

  it('reports B when A was deleted: the ticket is declined, B selected, its binder and Finished checked', () => {
    const pair = new InMemoryPair(client([bob], unbound(aliceTicket())), server([bob])).run();
    expect(outcome(pair)).toEqual({
      selected: 1,
      server: { connected: true, resumed: false, peer: 'bob (external-psk)' },
      client: { connected: true, resumed: false, peer: 'bob (external-psk)' },
      alerts: [],
    });
  });
});

describe('a declined ticket listed first: the next identity is tried, and its binder never judged (RFC 8446 §4.2.11)', () => {
  it('PSK deleted: the ticket, even with a binder that cannot verify, is passed over for bob', () => {
    // The client still holds alice (nobody told it), so it offers the ticket, alice, then bob; the server holds only bob.
    const pair = new InMemoryPair(client([alice, bob], withWrongSecret(aliceTicket())), server([bob])).run();
    expect(outcome(pair)).toEqual({
      selected: 2,
      server: { connected: true, resumed: false, peer: 'bob (external-psk)' },
      client: { connected: true, resumed: false, peer: 'bob (external-psk)' },
      alerts: [],
    });
  });

  it('PSK re-keyed: the ticket of the old key is passed over, its binder unchecked, for bob', () => {
    const pair = new InMemoryPair(client([bob], withWrongSecret(unbound(aliceTicket()))), server([aliceRotated, bob])).run();
    expect(outcome(pair)).toMatchObject({ selected: 1, server: { connected: true, resumed: false, peer: 'bob (external-psk)' }, alerts: [] });
  });

  it('a selected ticket whose binder fails ends the handshake (decrypt_error): no falling through to alice or bob', () => {
    const pair = new InMemoryPair(client([alice, bob], withWrongSecret(aliceTicket())), server([alice, bob])).run();
    expect(outcome(pair)).toEqual({
      selected: undefined,
      server: { connected: false, resumed: false, peer: undefined },
      client: { connected: false, resumed: false, peer: undefined },
      alerts: ['decrypt_error'],
    });
  });
});

describe('an identity that is a ticket on one server and an external PSK name on another', () => {
  it("is taken as the other server's external PSK, whose binder ('ext binder') the ticket's ('res binder') never matches", () => {
    const ticket = aliceTicket();
    // The strongest such server: its PSK of the ticket's bytes has the ticket's own resumption secret as its key.
    const other = server([alice, { identity: ticket.ticket, key: ticket.psk }], { tickets: { count: 1, key: seededRandom('psk-order other ticket key')(32) } });
    const pair = new InMemoryPair(client([alice], ticket), other).run();
    expect(outcome(pair)).toEqual({
      selected: undefined,
      server: { connected: false, resumed: false, peer: undefined },
      client: { connected: false, resumed: false, peer: undefined },
      alerts: ['decrypt_error'],
    });
    // On the server that issued it, the same ClientHello resumes (the control).
    expect(outcome(new InMemoryPair(client([alice], ticket), server([alice, bob])).run()).server.resumed).toBe(true);
  });
});

/** A tamper hook that rewrites the client's ClientHello(s). */
function editClientHello(edit: (hello: ClientHello, index: number) => ClientHello) {
  let hellos = 0;
  return (flight: Flight) => (flight.from === 'client' ? editPlaintextHandshake(flight.bytes, (ms) => ms.map((m) => (m.kind === 'client_hello' ? edit(m, hellos++) : m))) : flight.bytes);
}

describe('a HelloRetryRequest between (RFC 8446 §4.1.2, §4.2.10)', () => {
  const retrying = (keys: ExternalPsk[]) => server(keys, { groups: [NamedGroup.secp256r1] });

  it('ClientHello2 offers the same identities: the ticket resumes, and the 0-RTT data is rejected, never read', () => {
    const pair = new InMemoryPair(client([alice], aliceTicket(), 'pay 10'), retrying([alice, bob])).run();
    expect(pair.events('server').some((e) => e.type === 'handshake-message' && e.message.kind === 'hello_retry_request')).toBe(true);
    expect(outcome(pair)).toMatchObject({ selected: 0, server: { resumed: true, peer: 'alice (resumed external-psk)' }, client: { resumed: true, peer: 'alice (resumed external-psk)' }, alerts: [] });
    expect({ server: pair.server.info.earlyData, client: pair.client.info.earlyData, read: earlyDataRead(pair.events('server')) }).toEqual({ server: 'rejected', client: 'rejected', read: 0 });
  });

  it('a ClientHello2 that puts the PSK before the ticket is illegal_parameter, whatever its binders', () => {
    const swap = editClientHello((hello, index) => {
      if (index === 0) return hello;
      const psk = X.findExtension(hello.extensions, ExtensionType.pre_shared_key)!;
      const { identities, binders } = X.bodyOf(X.preSharedKeyClientHello, psk);
      const swapped = X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode({ identities: [identities[1]!, identities[0]!], binders: [binders[1]!, binders[0]!] }));
      return { ...hello, extensions: hello.extensions.map((e) => (e === psk ? swapped : e)) };
    });
    const pair = new InMemoryPair(client([alice], aliceTicket()), retrying([alice, bob]), { tamper: swap }).run();
    expect(alertsSent(pair.events('server'))).toEqual(['illegal_parameter']);
    expect(pair.server.info.peer).toBeUndefined();
  });
});

describe('0-RTT beside a ticket the server declines (RFC 8446 §4.2.10: early data goes with the first identity only)', () => {
  it('the PSK deleted, bob selected at #2: the early data is rejected and skipped, never read, and resent after', () => {
    const pair = new InMemoryPair(client([alice, bob], aliceTicket(), 'pay 10'), server([bob]));
    pair.step('client');
    expect(earlyDataRead(pair.events('server'))).toBe(0);
    expect(pair.server.info.peer).toBeUndefined();
    pair.run();
    expect(outcome(pair)).toMatchObject({ selected: 2, server: { connected: true, resumed: false, peer: 'bob (external-psk)' }, alerts: [] });
    expect({ server: pair.server.info.earlyData, client: pair.client.info.earlyData, read: earlyDataRead(pair.events('server')) }).toEqual({ server: 'rejected', client: 'rejected', read: 0 });
  });
});
