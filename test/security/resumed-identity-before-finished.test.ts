// Attacker: anyone on the path who saw alice resume once. A resumption ClientHello carries its binder, which
// proves the sender holds the PSK only the first time it is seen: a copy replays as well as the original.
// The server published the ticket's client at once, at its ServerHello: a replayed ClientHello made it report
// `info.peer` CN=alice and `clientAuth: 'authenticated'` for a connection whose other end holds no key, for
// as long as the attacker kept it open (it never has to send a Finished). An identity is reported only after
// the peer's Finished (RFC 8446 §4.4.4, docs/security.md), as it already was for an external PSK: the
// binder alone is not a proof of this connection. The one exception is accepted 0-RTT data, which the
// application must attribute before the Finished: the single-use register lets that ClientHello through
// once (RFC 8446 §8), and the data is alice's own, under her PSK.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { ClientConfig, ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { SessionTicket, TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { SingleUseTickets } from '../../src/handshake/tickets.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { utf8 } from '../../src/wire/bytes.js';

const serverIdentity = makeIdentity({ subject: { CN: 'server' } }, seededRandom('resumed-identity server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('resumed-identity alice'));
const ticketKey = seededRandom('resumed-identity ticket key')(32);
const now = () => TEST_NOW + 1000;

const serverConfig = (clientAuth: 'optional' | 'require'): ServerConfig => ({
  certificate: serverIdentity,
  now,
  random: seededRandom(`resumed-identity s ${clientAuth}`),
  clientAuth,
  trust: { kind: 'pinned-certificate', certificates: [alice.der] },
  tickets: { count: 1, key: ticketKey, maxEarlyDataSize: 1024, antiReplay: new SingleUseTickets() },
});
const aliceConfig = (extra: Partial<ClientConfig> = {}): ClientConfig => ({
  trust: { kind: 'pinned-certificate', certificates: [serverIdentity.der] },
  now,
  random: seededRandom('resumed-identity c'),
  certificate: alice,
  ...extra,
});

function aliceTicket(clientAuth: 'optional' | 'require'): SessionTicket {
  const first = new InMemoryPair(aliceConfig(), serverConfig(clientAuth)).run();
  expect(first.server.info.peer?.subject).toBe('CN=alice');
  const event = first.events('client').find((e) => e.type === 'session-ticket');
  if (event?.type !== 'session-ticket') throw new Error('no ticket');
  return event.ticket;
}

const connectedPeer = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'connected' ? [e.info.peer?.subject ?? 'nobody'] : []));

describe.each(['optional', 'require'] as const)("clientAuth '%s': a resumed client is reported once its Finished verifies", (clientAuth) => {
  const ticket = aliceTicket(clientAuth);

  it("a replay of alice's resumption ClientHello (no 0-RTT) is not reported as alice", () => {
    // Alice's ClientHello as it crossed the wire; the attacker sends it again and stops there.
    const replayed = Connection.client(aliceConfig({ resumption: { ticket } })).takeOutput();
    const server = Connection.server(serverConfig(clientAuth));
    server.receive(replayed);
    expect(server.state).toBe('WAIT_FINISHED');
    expect(server.info.resumed).toBe(true);
    expect(server.info.peer).toBeUndefined();
    expect(server.info.clientAuth).not.toBe('authenticated');
  });

  it('alice herself is reported after her Finished, in the connected event and in info', () => {
    const pair = new InMemoryPair(aliceConfig({ resumption: { ticket } }), serverConfig(clientAuth));
    pair.step('client'); // ClientHello
    pair.step('server'); // ServerHello ... Finished
    expect(pair.server.info.peer).toBeUndefined();
    pair.run();
    expect(pair.server.info).toMatchObject({ resumed: true, clientAuth: 'authenticated' });
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.server.info.peer?.verdict.rule).toBe('resumed pinned-certificate');
    expect(connectedPeer(pair.events('server'))).toEqual(['CN=alice']);
  });

  it('with 0-RTT accepted, alice is reported when her early data arrives (the documented exception)', () => {
    const pair = new InMemoryPair(aliceConfig({ resumption: { ticket, earlyData: utf8.encode('pay 10') } }), serverConfig(clientAuth));
    pair.step('client');
    expect(pair.server.info.earlyData).toBe('accepted');
    expect(pair.events('server').some((e) => e.type === 'data' && e.early)).toBe(true);
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    pair.run();
    expect(connectedPeer(pair.events('server'))).toEqual(['CN=alice']);
  });
});
