// Attacker: a client that proved alice in the handshake, then refuses the server's post-handshake
// CertificateRequest with an empty Certificate (RFC 8446 §4.6.2 lets it: "the client MUST send a Certificate
// message ... If the client does not have a suitable certificate, it MUST send an empty one", §4.4.2.4).
// The server's info said `clientAuth: 'requested-none-sent'` while `peer` still named alice: an application
// reading one field believed the client unauthenticated, one reading the other believed it alice, and the
// 'post-handshake-auth' event said "client CN=alice" for an exchange in which the client sent nothing. The
// client's own info flipped to 'requested-none-sent' as well. What the connection proved is what the
// handshake proved: `peer` and `clientAuth` keep agreeing (alice, 'authenticated'), and the event says what
// this exchange got (`answer: 'none'`). An empty Certificate is reported only once its Finished verified.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, flipBit, suiteNamed } from '../../src/testing/tamper.js';
import { TextNarrator } from '../../src/trace/text.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('pha-refusal server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('pha-refusal alice'));

/** alice authenticated in the handshake ('ask': the test answers each CertificateRequest itself). */
function aliceConnected(tamper?: ConstructorParameters<typeof InMemoryPair>[2]) {
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), postHandshakeAuth: true, certificate: 'ask' },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), trust: { kind: 'pinned-certificate', certificates: [alice.der] }, clientAuth: 'optional' },
    tamper,
  );
  pair.run();
  pair.client.resolve({ kind: 'client-certificate', certificate: alice });
  pair.run();
  expect(pair.server.info).toMatchObject({ clientAuth: 'authenticated', peer: { subject: 'CN=alice' } });
  return pair;
}

const postHandshakeAuth = (events: TlsEvent[]) => events.filter((e): e is Extract<TlsEvent, { type: 'post-handshake-auth' }> => e.type === 'post-handshake-auth');

describe('a client refuses a post-handshake CertificateRequest after proving alice in the handshake', () => {
  it('the server keeps alice and clientAuth authenticated; the event says the answer was no certificate', () => {
    const pair = aliceConnected();
    pair.server.requestClientCertificate();
    pair.run();
    pair.client.resolve({ kind: 'client-certificate' });
    pair.run();
    expect(pair.server.isConnected).toBe(true);
    expect(pair.server.info.peer?.subject).toBe('CN=alice');
    expect(pair.server.info.clientAuth).toBe('authenticated');
    const [event] = postHandshakeAuth(pair.events('server'));
    expect(event).toMatchObject({ answer: 'none', info: { clientAuth: 'authenticated', peer: { subject: 'CN=alice' } } });
    // The trace no longer reads as if alice had just sent her certificate.
    expect(new TextNarrator().render('server', event!).join('\n')).toMatch(/client sent no certificate \(still CN=alice, proven in the handshake\)/);
    // The client's view agrees: it proved alice, and refused one request afterwards.
    expect(pair.client.info.clientAuth).toBe('authenticated');
  });

  it('a client that answers with its certificate gets answer: certificate', () => {
    const pair = aliceConnected();
    pair.server.requestClientCertificate();
    pair.run();
    pair.client.resolve({ kind: 'client-certificate', certificate: alice });
    pair.run();
    expect(postHandshakeAuth(pair.events('server'))).toMatchObject([{ answer: 'certificate', info: { clientAuth: 'authenticated', peer: { subject: 'CN=alice' } } }]);
  });
});

describe('an empty Certificate is reported only after the Finished that covers it', () => {
  it('a client without a handshake identity: requested-none-sent is not written before its Finished verifies', () => {
    let serverClientSecret: Uint8Array | undefined;
    let flights = 0;
    const pair: InMemoryPair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), postHandshakeAuth: true },
      { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), trust: { kind: 'pinned-certificate', certificates: [alice.der] } },
      {
        // The client's answer to the post-handshake request: its Finished gets one bit flipped.
        tamper: (flight): Uint8Array => {
          if (flight.from !== 'client' || flights++ < 2) return flight.bytes;
          return editProtectedHandshake(flight.bytes, { suite: suiteNamed(pair.client.info.cipherSuite), secret: serverClientSecret! }, (ms) => ms.map((m) => (m.kind === 'finished' ? { ...m, verifyData: flipBit(m.verifyData, 3) } : m)));
        },
      },
    );
    pair.run();
    expect(pair.server.info.clientAuth).toBe('not-requested');
    serverClientSecret = announcedSecret(pair.events('server'), 'client_application_traffic_secret_0');
    pair.server.requestClientCertificate();
    pair.run();
    const alert = pair.events('server').find((e) => e.type === 'alert' && e.direction === 'out');
    expect(alert).toMatchObject({ description: 'decrypt_error' });
    expect(pair.server.info.clientAuth).toBe('not-requested');
    expect(postHandshakeAuth(pair.events('server'))).toEqual([]);
  });
});
