// Attacker's scripts: a session authenticated by an external PSK (RFC 8446 §4.2.11) gets session tickets like any
// other, and resuming one proves only the ticket's secret, derived in that session: the external PSK is not used
// again. The tickets carried nothing of it. So on a server that admits clients by external PSK only (no certificate):
// - mallory's PSK was deleted (revoked, docs/mutual-auth-without-certificates.md: "Revoking means deleting the PSK"),
//   and she came back with the ticket of her last session: resumed, connected, for the tickets' lifetime;
// - alice's PSK leaked and was replaced with a new key: the thief's ticket, from a session under the old key,
//   resumed all the same;
// - and alice herself, resuming honestly, was reported as nobody (`info.peer` undefined).
// A ticket now carries the identity of the session's external PSK and the SHA-256 of its key: it resumes only while
// that identity is held with that key, and the client is reported as that PSK ('resumed external-psk'), after its
// Finished, or at the ServerHello when its 0-RTT data is accepted, as a resumed certificate is.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const now = () => TEST_NOW + 60_000;
const alice: ExternalPsk = { identity: 'alice', key: seededRandom('resumed-external-psk alice')(32) };
const aliceRotated: ExternalPsk = { identity: 'alice', key: seededRandom('resumed-external-psk alice, new key')(32) };
const bob: ExternalPsk = { identity: 'bob', key: seededRandom('resumed-external-psk bob')(32) };
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('resumed-external-psk server'));
const ticketKey = seededRandom('resumed-external-psk ticket key')(32);
const antiReplay = new SingleUseTickets();

/** A server that admits clients by external PSK (and no certificate unless `extra` gives one), with tickets. */
function server(keys: ExternalPsk[], extra: Partial<ServerConfig> = {}): ServerConfig {
  return { now, random: seededRandom('resumed-external-psk s'), externalPsks: { keys }, tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay }, ...extra };
}

function client(keys: ExternalPsk[], ticket?: SessionTicket): ClientConfig {
  return { now, random: seededRandom('resumed-external-psk c'), externalPsks: { keys }, ...(ticket ? { resumption: { ticket } } : {}) };
}

/**
 * A client offering the ticket alone, without the ticket's `externalPsk`, which our client would not offer without
 * the PSK (resumed-external-psk-client.test.ts): the thief's client, or one from before it, offers the ticket all
 * the same, and the server alone must refuse it. (Beside the PSK, after it, the ticket resumes too: psk-order.test.ts.)
 */
function ticketOnly({ externalPsk: _binding, ...ticket }: SessionTicket, earlyData?: Uint8Array): ClientConfig {
  return { now, random: seededRandom('ticket only'), trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] }, resumption: { ticket, ...(earlyData ? { earlyData } : {}) } };
}

function ticketOf(pair: InMemoryPair): SessionTicket {
  const event = pair.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

/** The ticket of a session alice authenticated with her external PSK (the server reports her, as it must). */
function aliceTicket(serverKeys: ExternalPsk[] = [alice, bob], extra: Partial<ServerConfig> = {}): SessionTicket {
  const first = new InMemoryPair(client([alice]), server(serverKeys, extra)).run();
  expect(first.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'external-psk' } });
  return ticketOf(first);
}

const alertsSent = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));
const connected = (events: TlsEvent[]) => events.some((e) => e.type === 'connected');

describe('a ticket of a session an external PSK authenticated', () => {
  it('resumes while the PSK is held, and the client is reported as that PSK, resumed', () => {
    const pair = new InMemoryPair(ticketOnly(aliceTicket()), server([alice, bob])).run();
    expect(pair.server.info.resumed).toBe(true);
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { trusted: true, rule: 'resumed external-psk' } });
    expect(pair.events('server').flatMap((e) => (e.type === 'connected' ? [e.info.peer?.verdict.rule] : []))).toEqual(['resumed external-psk']);
  });

  it('is refused once the PSK was deleted: mallory, revoked, does not come back with her last ticket', () => {
    // mallory still offers her PSK beside the ticket: she does not know it was revoked.
    const pair = new InMemoryPair(client([alice], aliceTicket()), server([bob])).run();
    expect(pair.server.info.resumed).toBeUndefined();
    expect({ alerts: alertsSent(pair.events('server')), connected: connected(pair.events('server')), peer: pair.server.info.peer }).toEqual({
      alerts: ['unknown_psk_identity'],
      connected: false,
      peer: undefined,
    });
  });

  it('is refused once the PSK was given a new key: the thief of the old key does not come back with its ticket', () => {
    // The thief offers the ticket alone (its copy of alice's old key would fail its binder, decrypt_error).
    const pair = new InMemoryPair(ticketOnly(aliceTicket()), server([aliceRotated, bob])).run();
    expect(pair.server.info.resumed).toBeUndefined();
    expect(alertsSent(pair.events('server'))).toEqual(['unknown_psk_identity']);
    expect(connected(pair.events('server'))).toBe(false);
  });

  it('a server with a certificate declines it too: a full handshake, the client anonymous, never reported as alice', () => {
    const pair = new InMemoryPair(ticketOnly(aliceTicket()), server([aliceRotated], { certificate: serverIdentity })).run();
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info.resumed).toBeUndefined();
    expect(pair.server.info.peer).toBeUndefined();
  });

  it('the ticket of a resumed session carries the PSK on: deleting it ends the tickets of every later session too', () => {
    const second = new InMemoryPair(ticketOnly(aliceTicket()), server([alice, bob])).run();
    expect(second.server.info.resumed).toBe(true);
    const later = ticketOf(second);
    const held = new InMemoryPair(ticketOnly(later), server([alice, bob])).run();
    expect(held.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'resumed external-psk' } });
    const revoked = new InMemoryPair(ticketOnly(later), server([bob])).run();
    expect(alertsSent(revoked.events('server'))).toEqual(['unknown_psk_identity']);
  });

  it('with 0-RTT accepted, the sender of the early data is reported when it arrives, as the PSK it resumed', () => {
    const pair = new InMemoryPair(ticketOnly(aliceTicket(), utf8.encode('pay 10')), server([alice, bob]));
    pair.step('client');
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(pair.events('server').some((e) => e.type === 'data' && e.early)).toBe(true);
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'resumed external-psk' } });
    pair.run();
    expect(connected(pair.events('server'))).toBe(true);
    // Its tickets carry the PSK too: revoked, the next resumption is refused.
    const revoked = new InMemoryPair(ticketOnly(ticketOf(pair)), server([bob])).run();
    expect(alertsSent(revoked.events('server'))).toEqual(['unknown_psk_identity']);
  });

  it("under clientAuth 'require', the held PSK meets it again, and a deleted one is asked for a certificate", () => {
    const requiring = { certificate: serverIdentity, clientAuth: 'require' as const, trust: { kind: 'pinned-certificate' as const, certificates: [serverIdentity.der] } };
    const ticket = aliceTicket([alice, bob], requiring);
    const withTicketOnly = ticketOnly(ticket);
    const held = new InMemoryPair(withTicketOnly, server([alice, bob], requiring)).run();
    expect(held.server.info).toMatchObject({ resumed: true, clientAuth: 'not-requested', peer: { kind: 'psk', identity: 'alice', verdict: { rule: 'resumed external-psk' } } });
    const deleted = new InMemoryPair(withTicketOnly, server([bob], requiring)).run();
    expect(alertsSent(deleted.events('server'))).toEqual(['certificate_required']);
    expect(deleted.server.info.peer).toBeUndefined();
  });
});
