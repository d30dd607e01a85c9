// Attacker's test for the wipe at close (wipe.ts, KeySchedule.wipe, RecordProtection.wipe) against the PSKs the
// engine is lent: the external PSK keys and the ticket key of a server config, and a client's resumption ticket.
// A server's connections share one snapshot of its config while it is unchanged (config-snapshot.ts bytesSnapshot):
// a wipe that reached a lent key would zero it for the connections already accepted and not yet at their
// ClientHello, which would then check binders under a key of zeros (anyone's). Here two server connections are
// accepted before the first handshake; the first resumes, closes both ways and is wiped, then the second takes its
// ClientHello: it proves alice with the real key. And the caller's arrays are as they were. Both providers.
// Held by two layers: the wipe zeroes only arrays the engine derived (wipe.ts), and each connection resolves its
// own copy of each key (external-psk.ts resolveExternalPsks, client/psk.ts the ticket's secret).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { hex, utf8 } from '../../src/wire/bytes.js';
import { exchange } from './exchange.js';

const now = () => TEST_NOW + 60_000;

describe.each([
  ['node', nodeCryptoProvider],
  ['noble', nobleProvider],
] as const)("the PSKs the engine is lent, after connections that used them were wiped (%s provider)", (name, provider: CryptoProvider) => {
  it('a server connection accepted before another was closed and wiped still checks binders under the real key', () => {
    const aliceKey = seededRandom(`wipe psk ${name} alice`)(32);
    const ticketKey = seededRandom(`wipe psk ${name} ticket key`)(32);
    const server: ServerConfig = { now, random: seededRandom(`wipe psk ${name} s`), provider, externalPsks: { keys: [{ identity: 'alice', key: aliceKey.slice() }] }, tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() } };
    const client = (round: number, ticket?: SessionTicket): ClientConfig => ({
      now,
      random: seededRandom(`wipe psk ${name} c${round}`),
      provider,
      externalPsks: { keys: [{ identity: 'alice', key: aliceKey }] },
      ...(ticket ? { resumption: { ticket, earlyData: utf8.encode('early') } } : {}),
    });
    const lent = () => [hex(aliceKey), hex(server.externalPsks!.keys[0]!.key), hex(ticketKey)];
    const before = lent();

    const first = new InMemoryPair(client(0), server).run();
    const event = first.events('client').find((e) => e.type === 'session-ticket');
    if (event?.type !== 'session-ticket') throw new Error('no ticket');
    const ticket = event.ticket;
    const ticketSecret = hex(ticket.psk);

    // Accepted, waiting for their ClientHellos: they hold the config's snapshot from now on.
    const waiting = [Connection.server(server), Connection.server(server), Connection.server(server)];
    // One takes alice's ClientHello (external PSK, binder checked), then a record it cannot open: it fails
    // mid-handshake, and its key schedule (the Early Secret of alice's PSK) is wiped.
    const failing = Connection.client(client(1));
    waiting[0]!.receive(failing.takeOutput());
    waiting[0]!.receive(Uint8Array.of(23, 3, 3, 0, 20, ...new Uint8Array(20)));
    expect(waiting[0]!.isConnected || waiting[0]!.isWritable).toBe(false);
    // One resumes with 0-RTT and closes both ways: its secrets are wiped.
    const resumed = Connection.client(client(2, ticket));
    exchange(resumed, waiting[1]!);
    expect(waiting[1]!.info).toMatchObject({ resumed: true, earlyData: 'accepted', peer: { kind: 'psk', identity: 'alice' } });
    resumed.close();
    waiting[1]!.close();
    exchange(resumed, waiting[1]!);
    expect(resumed.isConnected || waiting[1]!.isConnected).toBe(false);
    // The last takes its ClientHello only now: alice's external PSK, its binder under the lent key.
    const fresh = Connection.client(client(3));
    exchange(fresh, waiting[2]!);
    expect(waiting[2]!.info.peer).toMatchObject({ kind: 'psk', identity: 'alice' });
    expect(fresh.info.peer).toMatchObject({ kind: 'psk', identity: 'alice' });

    expect(lent()).toEqual(before);
    expect(hex(ticket.psk)).toBe(ticketSecret);
    // A third connection, after both were wiped: the ticket still resumes (no 0-RTT: the register saw it).
    const third = new InMemoryPair({ ...client(4), resumption: { ticket } }, server).run();
    expect(third.server.info).toMatchObject({ resumed: true, peer: { kind: 'psk', identity: 'alice' } });
  });
});
