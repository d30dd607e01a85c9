// Attacker: a client that proved alice in the handshake answers a post-handshake CertificateRequest (RFC 8446
// §4.6.2) with bob's certificate, which the server's policy trusts too. Nothing in RFC 8446 forbids it, and the
// connection's identity is then bob (`info.peer`), as OpenSSL's peer certificate after post-handshake auth is.
// But the 'post-handshake-auth' event said only `answer: 'certificate'`: an application that attributed the
// connection to alice at 'connected' (a session, an audit line, a per-user quota) read "the client answered
// with its certificate" and kept alice, while later requests were authorised as bob. The event now names the
// identity it replaced (`replaced`), the trace says so, and `info.peer` and `clientAuth` agree on bob.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { TextNarrator } from '../../src/trace/text.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('pha-other server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('pha-other alice'));
const bob = makeIdentity({ subject: { CN: 'bob' } }, seededRandom('pha-other bob'));

const postHandshakeAuth = (events: TlsEvent[]) => events.filter((e): e is Extract<TlsEvent, { type: 'post-handshake-auth' }> => e.type === 'post-handshake-auth');

/** alice in the handshake, then `second` (or none) answers one post-handshake request. */
function aliceThen(second: typeof alice | undefined) {
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), postHandshakeAuth: true, certificate: 'ask' },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), trust: { kind: 'pinned-certificate', certificates: [alice.der, bob.der] }, clientAuth: 'optional' },
  );
  pair.run();
  pair.client.resolve({ kind: 'client-certificate', certificate: alice });
  pair.run();
  expect(pair.server.info.peer?.subject).toBe('CN=alice');
  pair.server.requestClientCertificate();
  pair.run();
  pair.client.resolve({ kind: 'client-certificate', ...(second ? { certificate: second } : {}) });
  pair.run();
  return pair;
}

describe('a client proves alice in the handshake and bob after it', () => {
  it('the connection is bob, and the event names alice as the identity it replaced', () => {
    const pair = aliceThen(bob);
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', peer: { subject: 'CN=bob' } });
    const [event] = postHandshakeAuth(pair.events('server'));
    expect(event).toMatchObject({ answer: 'certificate', replaced: { subject: 'CN=alice' }, info: { peer: { subject: 'CN=bob' } } });
    expect(new TextNarrator().render('server', event!).join('\n')).toMatch(/client CN=bob \(replacing CN=alice, proven before\)/);
  });

  it('control: alice again, or no certificate, replaces nobody', () => {
    for (const second of [alice, undefined]) {
      const [event] = postHandshakeAuth(aliceThen(second).events('server'));
      expect(event).toBeDefined();
      expect(event!.replaced).toBeUndefined();
      expect(event!.info.peer?.subject).toBe('CN=alice');
    }
  });
});
