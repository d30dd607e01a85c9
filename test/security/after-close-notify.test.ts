// Attacker's scripts against our promise in close_notify: "This alert notifies the recipient that the sender
// will not send any more messages on this connection" (RFC 8446 §6.1). A peer that keeps talking after our
// close_notify must not make us send again: not a KeyUpdate it asked for (§4.6.3), not a certificate and a
// signature it asked for after the handshake (§4.6.2), not session tickets after a close during the
// handshake. Whatever we would have sent lands after the point where the peer, and every middlebox that
// follows RFC 8446, stops reading TLS; an application protocol that goes on in the clear after the close
// would read it as its own bytes.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { flipBit } from '../../src/testing/tamper.js';
import { utf8 } from '../../src/wire/bytes.js';

const cast = makeCast('after close_notify');

function pair(seed: string, tickets = 0) {
  return new InMemoryPair(
    {
      now: () => TEST_NOW,
      random: seededRandom(`${seed}/client`),
      serverName: SERVER_NAME,
      trust: { kind: 'ca', anchors: [cast.webCa.der] },
      postHandshakeAuth: true,
      certificate: cast.alice,
    },
    { now: () => TEST_NOW, random: seededRandom(`${seed}/server`), certificate: cast.server, trust: { kind: 'pinned-certificate', certificates: [cast.alice.der] }, tickets: { count: tickets } },
  );
}

const alertsSent = (p: InMemoryPair, side: 'client' | 'server') =>
  p.events(side).flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('nothing is sent after our own close_notify (RFC 8446 §6.1)', () => {
  it('the peer asks for a KeyUpdate after our close_notify: we send none (§4.6.3 cannot override §6.1)', () => {
    const p = pair('key update').run();
    p.client.close();
    p.step('client');
    p.server.updateKeys(true);
    p.step('server');
    expect(p.events('client')).toContainEqual(expect.objectContaining({ type: 'handshake-message', direction: 'in', message: expect.objectContaining({ kind: 'key_update' }) }));
    expect(p.client.takeOutput()).toHaveLength(0);
    expect(p.events('client').filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'key_update')).toEqual([]);
  });

  it('the server asks for a client certificate after our close_notify: no Certificate, no signature, no identity at the server', () => {
    const p = pair('post-handshake auth').run();
    p.client.close();
    p.step('client');
    p.server.requestClientCertificate();
    p.step('server');
    expect(p.client.takeOutput()).toHaveLength(0);
    expect(p.events('client').filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind !== 'client_hello' && e.message.kind !== 'finished')).toEqual([]);
    p.run();
    expect(p.events('server').filter((e) => e.type === 'post-handshake-auth')).toEqual([]);
    expect(p.server.info.peer).toBeUndefined();
  });

  it('a forged record after our close_notify ends the connection without an alert from us', () => {
    const p = pair('forged after close').run();
    p.client.close();
    p.step('client');
    p.server.write(utf8.encode('answer'));
    const record = p.server.takeOutput();
    p.client.receive(flipBit(record, record.length - 1));
    const events = p.client.takeEvents();
    expect(p.client.takeOutput()).toHaveLength(0);
    expect(events.filter((e) => e.type === 'alert')).toEqual([]);
    expect(events).toContainEqual({ type: 'closed', by: 'us', error: expect.stringContaining('bad_record_mac') });
    expect(p.client.state).toBe('CLOSED');
  });

  it('a server that closes before the client Finished sends no NewSessionTicket after its close_notify', () => {
    const p = pair('close in handshake', 2);
    p.step('client'); // ClientHello
    p.step('server'); // ServerHello .. Finished
    p.server.close(); // in WAIT_FINISHED
    p.run();
    expect(alertsSent(p, 'server')).toEqual(['close_notify']);
    expect(p.events('server').filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'new_session_ticket')).toEqual([]);
    expect(p.events('client').filter((e) => e.type === 'session-ticket')).toEqual([]);
  });
});
