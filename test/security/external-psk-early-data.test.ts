// Attacker's script: 0-RTT data is written under the first PSK a ClientHello offers (RFC 8446 §4.2.10), and only a
// ticket carries it in our engine (an external PSK has no max_early_data_size of its own). A client offers its
// ticket with 0-RTT data first and an external PSK second; the server takes the first identity it can use
// (server/psk.ts acceptPsk), and a ticket it cannot use (sealed under a ticket key it no longer has) leaves it the
// second. The early data must then be rejected and skipped, never read under the external PSK's keys, never
// delivered, and the client reported as the PSK it proved, after its Finished.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import type { ExternalPsk } from '../../src/handshake/external-psk.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const now = () => TEST_NOW;
const alice: ExternalPsk = { identity: 'alice', key: seededRandom('psk 0-rtt alice')(32) };
const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('psk 0-rtt server'));
const trustServer = { trust: { kind: 'pinned-certificate' as const, certificates: [serverIdentity.der] } };
const tickets = { count: 1, key: seededRandom('psk 0-rtt ticket key')(32), maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() };

function server(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { now, random: seededRandom('psk 0-rtt s'), certificate: serverIdentity, tickets, ...extra };
}

/** A ticket of a certificate session (no external PSK), which allows 0-RTT. */
function certificateTicket(): SessionTicket {
  const first = new InMemoryPair({ now, random: seededRandom('psk 0-rtt c1'), ...trustServer }, server()).run();
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

const early = (events: TlsEvent[]) => events.filter((e) => e.type === 'data' && e.early);

describe('0-RTT data beside an external PSK the server selects instead of the ticket', () => {
  it('is rejected and skipped, never delivered, and the client is reported as the PSK after its Finished', () => {
    const client: ClientConfig = { now, random: seededRandom('psk 0-rtt c2'), ...trustServer, externalPsks: { keys: [alice] }, resumption: { ticket: certificateTicket(), earlyData: utf8.encode('pay 10') } };
    const rotatedTicketKey = { ...tickets, key: seededRandom('psk 0-rtt ticket key, rotated')(32) };
    const pair = new InMemoryPair(client, server({ externalPsks: { keys: [alice] }, tickets: rotatedTicketKey }));
    pair.step('client');
    expect(early(pair.events('server'))).toEqual([]);
    expect(pair.server.info.peer).toBeUndefined();
    pair.run();
    expect(pair.client.info.earlyData).toBe('rejected');
    expect(pair.server.info.earlyData).toBe('rejected');
    expect(early(pair.events('server'))).toEqual([]);
    expect(pair.server.info.peer).toMatchObject({ kind: 'psk', identity: 'alice', verdict: { rule: 'external-psk' } });
    expect(pair.events('server').filter((e) => e.type === 'alert')).toEqual([]);
  });
});
