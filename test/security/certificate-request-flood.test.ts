// Attacker's script: a server that sends post-handshake CertificateRequests (RFC 8446 §4.6.2) without end,
// a few bytes each. A client that offered post_handshake_auth answers each with a CertificateVerify: one
// signature of ours (milliseconds with RSA, more in pure JavaScript) per 40 bytes of the server's, without
// bound. The RFC lets a server send several in close succession, and sets no number; node:tls bounds the
// TLS 1.2 equivalent, renegotiation (tls.CLIENT_RENEG_LIMIT: 3 per 10 minutes). Our client answers at most
// MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS per connection, then ends it with unexpected_message.
import { describe, expect, it } from 'vitest';
import { MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS } from '../../src/handshake/client/post-handshake.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeCast, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { announcedSecret, editProtectedHandshake, suiteNamed } from '../../src/testing/tamper.js';

const cast = makeCast('certificate request flood');

function connected(seed: string) {
  const signatures = { count: 0 };
  const provider: CryptoProvider = { ...nobleProvider, sign: (...args) => (signatures.count++, nobleProvider.sign(...args)) };
  const pair = new InMemoryPair(
    { now: () => TEST_NOW, random: seededRandom(`${seed}/client`), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [cast.webCa.der] }, postHandshakeAuth: true, certificate: cast.alice, provider },
    // No tickets: the server's first record under its application keys is the CertificateRequest (sequence 0).
    { now: () => TEST_NOW, random: seededRandom(`${seed}/server`), certificate: cast.server, trust: { kind: 'pinned-certificate', certificates: [cast.alice.der] }, tickets: { count: 0 } },
  ).run();
  return { pair, signatures };
}

/** The server's CertificateRequest, copied `copies` times (each with its own context) into one flight. */
function flood(pair: InMemoryPair, copies: number) {
  pair.server.requestClientCertificate();
  const queue = pair.pull('server');
  const [first] = queue.splice(0);
  const keys = { suite: suiteNamed(pair.server.info.cipherSuite), secret: announcedSecret(pair.events('server'), 'server_application_traffic_secret_0') };
  const requests = editProtectedHandshake(first!.bytes, keys, ([request]) =>
    Array.from({ length: copies }, (_, i) => (request!.kind === 'certificate_request' ? { ...request!, context: Uint8Array.of(0x10, i >> 8, i & 0xff) } : request!)),
  );
  queue.push({ ...first!, bytes: requests });
  pair.step('server');
}

describe('post-handshake CertificateRequests without end', () => {
  it(`the client signs at most ${MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS} answers, then ends the connection with unexpected_message`, () => {
    const { pair, signatures } = connected('flood');
    const before = signatures.count;
    flood(pair, 200);
    expect(signatures.count - before).toBe(MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS);
    const alerts = pair.events('client').filter((e) => e.type === 'alert' && e.direction === 'out');
    expect(alerts).toMatchObject([{ description: 'unexpected_message', level: 'fatal' }]);
    expect(pair.client.state).toBe('CLOSED');
  });

  it(`${MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS} requests in close succession are all answered, as §4.6.2 allows`, () => {
    const { pair, signatures } = connected('succession');
    const before = signatures.count;
    flood(pair, MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS);
    expect(signatures.count - before).toBe(MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS);
    expect(pair.events('client').filter((e) => e.type === 'alert')).toEqual([]);
    expect(pair.client.isConnected).toBe(true);
  });
});
