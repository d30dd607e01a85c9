// Attacker: close() on a client before its handshake completed (a client that gives up while the server's
// flight is on its way). close_notify promises "will not send any more messages" (RFC 8446 §6.1), so our
// Finished can never follow: the handshake cannot complete. The engine went on reading the server's flight
// anyway and reported `connected` (state CONNECTED, `isConnected`, the server's identity in `info.peer`) for a
// connection the server never completes. Closing before our Finished now cancels the handshake as §6.1
// says: user_canceled ("SHOULD be followed by a close_notify"), close_notify, and nothing more read or sent.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('close during handshake'));

function endpoints(clientTrust: 'pinned' | 'ask' = 'pinned') {
  const trust = clientTrust === 'ask' ? { kind: 'ask' as const } : { kind: 'pinned-certificate' as const, certificates: [server.der] };
  const client = Connection.client({ serverName: 'server', trust, now: () => TEST_NOW, random: seededRandom('c') });
  const srv = Connection.server({ certificate: server, now: () => TEST_NOW, random: seededRandom('s') });
  srv.receive(client.takeOutput());
  return { client, srv, flight: srv.takeOutput() };
}

const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('close() before our Finished cancels the handshake (RFC 8446 §6.1)', () => {
  it("a client closed while the server's flight is on its way: user_canceled, close_notify, then nothing; never connected", () => {
    const { client, flight } = endpoints();
    client.close();
    expect(client.takeOutput().length).toBeGreaterThan(0);
    client.receive(flight);
    const events = client.takeEvents();
    expect(alertsOut(events)).toEqual(['user_canceled', 'close_notify']);
    expect(client.takeOutput()).toHaveLength(0); // no Certificate, no Finished after close_notify
    expect(events.filter((e) => e.type === 'connected')).toEqual([]);
    expect(events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'finished')).toEqual([]);
    expect(client.isConnected).toBe(false);
    expect(client.state).toBe('CLOSED');
    expect(client.info.peer).toBeUndefined();
  });

  it('a client closed while its caller judges the server: the verdict is no longer asked for, nothing is sent', () => {
    const { client, flight } = endpoints('ask');
    client.receive(flight);
    expect(client.pendingDecision?.kind).toBe('verify-peer');
    client.takeOutput();
    client.close();
    expect(client.pendingDecision).toBeUndefined();
    expect(() => client.resolve({ kind: 'verify-peer', verdict: { trusted: true } })).toThrow(/no verify-peer decision is pending/);
    expect(alertsOut(client.takeEvents())).toEqual(['user_canceled', 'close_notify']);
    expect(client.isConnected).toBe(false);
  });

  it('control: a close after our Finished is an ordinary close_notify, and the server completes the handshake', () => {
    const { client, srv, flight } = endpoints();
    client.receive(flight); // the client's Finished is sent: it completed its side
    const finished = client.takeOutput();
    expect(client.isConnected).toBe(true);
    client.close();
    expect(alertsOut(client.takeEvents())).toEqual(['close_notify']);
    srv.receive(finished);
    srv.receive(client.takeOutput());
    expect(srv.takeEvents()).toContainEqual({ type: 'connected', info: expect.anything() });
  });
});
