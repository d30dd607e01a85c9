// Found by the stateful fuzzer (stateful:pha:client, a duplicated Finished): a handshake that fails while
// taking the peer's Finished must not leave the peer's identity in `info.peer`. The Finished is accepted,
// the state is CONNECTED, then switching to the application read keys finds handshake bytes buffered
// across the key change (RFC 8446 §5.1: unexpected_message). The connection closed without a `connected`
// event, yet `info.peer` named the peer, as if it were authenticated: an application that checks
// `info.peer` after a failure would see an identity on a connection that never completed.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { Role, TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';
import type { SecretName } from '../../src/handshake/keyschedule.js';

const server = makeIdentity({ subject: { CN: 'server' }, sans: { dns: ['server.test'] } }, seededRandom('identity server'));
const client = makeIdentity({ subject: { CN: 'client' } }, seededRandom('identity client'));

function pair() {
  const c = Connection.client({
    now: () => TEST_NOW,
    random: seededRandom('identity c'),
    serverName: 'server.test',
    certificate: client,
    trust: { kind: 'pinned-certificate', certificates: [server.der] },
  });
  const s = Connection.server({
    now: () => TEST_NOW,
    random: seededRandom('identity s'),
    certificate: server,
    clientAuth: 'require',
    trust: { kind: 'pinned-certificate', certificates: [client.der] },
  });
  return { client: c, server: s };
}

/** The flight with its Finished sent twice in the same protected record, sealed under the sender's own keys. */
function withFinishedTwice(flight: Uint8Array, senderEvents: TlsEvent[], suite: string | undefined, secret: SecretName): Uint8Array {
  return editProtectedHandshake(flight, { suite: suiteNamed(suite), secret: announcedSecret(senderEvents, secret) }, (messages) => {
    const finished = messages.find((m) => m.kind === 'finished')!;
    return [...messages, finished];
  });
}

function expectFailedWithoutIdentity(conn: Connection, events: TlsEvent[], peer: Role) {
  expect(events.find((e) => e.type === 'alert' && e.direction === 'out')).toMatchObject({ description: 'unexpected_message', reason: 'HandshakeSpansKeyChange' });
  expect(events.some((e) => e.type === 'connected')).toBe(false);
  expect(conn.state).toBe('CLOSED');
  expect(conn.info.peer, `the ${peer}'s identity after a failed handshake`).toBeUndefined();
}

describe('a handshake that fails at the Finished reports no identity', () => {
  it('client: the server Finished twice in one record', () => {
    const { client: c, server: s } = pair();
    s.receive(c.takeOutput());
    const serverEvents = s.takeEvents();
    c.receive(withFinishedTwice(s.takeOutput(), serverEvents, s.info.cipherSuite, 'server_handshake_traffic_secret'));
    expectFailedWithoutIdentity(c, c.takeEvents(), 'server');
  });

  it('server: the client Finished twice in one record', () => {
    const { client: c, server: s } = pair();
    s.receive(c.takeOutput());
    c.receive(s.takeOutput());
    const clientEvents = c.takeEvents();
    expect(c.isConnected).toBe(true);
    s.takeEvents();
    s.receive(withFinishedTwice(c.takeOutput(), clientEvents, c.info.cipherSuite, 'client_handshake_traffic_secret'));
    expectFailedWithoutIdentity(s, s.takeEvents(), 'client');
  });
});
