// Attacker: a network observer replays alice's resumption ClientHello with its 0-RTT data (s15-psk: a ticket of an
// external-PSK session; the server reports its sender as the PSK, 'resumed external-psk', at the ServerHello once it
// accepts the early data, as for a resumed certificate). The binder proves the PSK only as well as a copy of the
// ClientHello does: the replay is let in once by the single-use register (RFC 8446 §8; here the copy arrives first),
// and then the attacker, who holds no key, cannot send the client Finished. The identity reported for the early data
// must not outlive that: withdrawn when the handshake fails, never a `connected` event. Found defended
// (connection.ts withdrawUnprovenPeer).
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';
import { record } from '../handshake/abort-harness.js';

const now = () => TEST_NOW + 60_000;
const alice: ExternalPsk = { identity: 'alice', key: seededRandom('psk replay alice')(32) };
const ticketKey = seededRandom('psk replay ticket key')(32);
const someServer = makeIdentity({ subject: { CN: 'server' } }, seededRandom('psk replay server'));
const server = (antiReplay: SingleUseTickets): ServerConfig => ({ now, random: seededRandom('psk replay s'), externalPsks: { keys: [alice] }, tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay } });
const client: ClientConfig = { now, random: seededRandom('psk replay c'), externalPsks: { keys: [alice] } };

describe("a replayed 0-RTT ClientHello of alice's external-PSK session", () => {
  it('is reported as alice while its early data is read, and withdrawn when the replayer cannot finish', () => {
    const first = new InMemoryPair(client, server(new SingleUseTickets())).run();
    const ticket = first.events('client').flatMap((e) => (e.type === 'session-ticket' ? [e.ticket] : []))[0]!;
    expect(ticket.externalPsk).toBeDefined();
    // What alice sends, captured on the wire before it reaches the server: a client offering the ticket alone, as
    // one from before format 6 does (beside the PSK, after it, the ticket is taken all the same: psk-order.test.ts).
    const { externalPsk: _binding, ...unbound } = ticket;
    const alices = Connection.client({ now, random: seededRandom('psk replay c'), trust: { kind: 'pinned-certificate', certificates: [someServer.der] }, resumption: { ticket: unbound, earlyData: utf8.encode('pay mallory 10') } });
    const captured = alices.takeOutput();
    const victim = Connection.server(server(new SingleUseTickets()));
    victim.receive(captured);
    expect(victim.info.earlyData).toBe('accepted');
    expect(victim.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'resumed external-psk' } });
    // The replayer has no handshake keys: whatever it sends next is not the client's Finished.
    victim.receive(record(23, new Uint8Array(40).fill(9)));
    const events = victim.takeEvents();
    expect(events.some((e) => e.type === 'connected')).toBe(false);
    expect(events.filter((e) => e.type === 'alert' && e.direction === 'out').map((e) => (e.type === 'alert' ? e.description : ''))).toEqual(['bad_record_mac']);
    expect(victim.info.peer).toBeUndefined();
  });
});
