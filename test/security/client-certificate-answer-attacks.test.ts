// Attacker's view of a careless caller: the certificate a client gives in its `client-certificate` answer (trust
// `certificate: 'ask'`, in the handshake or for a post-handshake CertificateRequest, RFC 8446 §4.3.2, §4.6.2)
// was used unchecked, though the same CertifiedKey in `config.certificate` is a TypeError before anything is
// sent. A key of another pair (last year's key beside this year's certificate) signed the CertificateVerify:
// the client sent a Certificate naming alice and a signature the server refused with decrypt_error
// (RFC 8446 §4.4.3), the connection lost; a misshaped answer (no chain) threw "Cannot read properties of
// undefined" inside the step, and the client sent internal_error. The answer is now checked as a config's
// certificate is (shape, key kind, key pair, with the connection's provider): a TypeError from resolve(),
// nothing sent, the decision still pending, so the caller can answer again.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';

const server = makeIdentity({ subject: { CN: 'server' } }, seededRandom('certificate-answer server'));
const alice = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('certificate-answer alice'));
const lastYear = makeIdentity({ subject: { CN: 'alice' } }, seededRandom('certificate-answer alice, last year'));

/** A client that answers CertificateRequests itself; the server pins alice, optional in the handshake. */
function askingClient() {
  const pair = new InMemoryPair(
    { trust: { kind: 'pinned-certificate', certificates: [server.der] }, now: () => TEST_NOW, random: seededRandom('c'), postHandshakeAuth: true, certificate: 'ask' },
    { certificate: server, now: () => TEST_NOW, random: seededRandom('s'), trust: { kind: 'pinned-certificate', certificates: [alice.der] }, clientAuth: 'optional' },
  );
  pair.run();
  expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
  return pair;
}

/** resolve() with `certificate`: the TypeError it throws, with nothing sent and the decision still pending. */
function refusedAnswer(pair: InMemoryPair, certificate: CertifiedKey): TypeError {
  let thrown: unknown;
  try {
    pair.client.resolve({ kind: 'client-certificate', certificate });
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as Error).message).not.toContain('\n');
  expect(pair.client.takeOutput()).toHaveLength(0);
  expect(pair.client.isClosed).toBe(false);
  expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
  return thrown as TypeError;
}

/** The caller answers again with alice's own pair, and the server reports alice. */
function answerAgainWithAlice(pair: InMemoryPair): void {
  pair.client.resolve({ kind: 'client-certificate', certificate: alice });
  pair.run();
  expect(pair.server.info.peer?.subject).toBe('CN=alice');
}

describe("a client's `client-certificate` answer is checked as config.certificate is", () => {
  it('a private key of another pair (same kind): TypeError naming certificate.privateKey, nothing sent', () => {
    const pair = askingClient();
    const error = refusedAnswer(pair, { chain: [alice.der], privateKey: lastYear.privateKey });
    expect(error.message).toMatch(/^certificate\.privateKey is not the key of the certificate chain\[0\]/);
    answerAgainWithAlice(pair);
    expect(pair.server.isConnected).toBe(true);
  });

  it('an answer without a chain: TypeError naming certificate.chain, not internal_error on the wire', () => {
    const pair = askingClient();
    const error = refusedAnswer(pair, { privateKey: alice.privateKey } as unknown as CertifiedKey);
    expect(error.message).toMatch(/^certificate\.chain/);
    answerAgainWithAlice(pair);
  });

  it('neither privateKey nor signer: TypeError, not a client that dies signing', () => {
    const pair = askingClient();
    const error = refusedAnswer(pair, { chain: [alice.der] });
    expect(error.message).toMatch(/^certificate/);
    answerAgainWithAlice(pair);
  });

  it('the same for a post-handshake CertificateRequest (RFC 8446 §4.6.2)', () => {
    const pair = askingClient();
    pair.client.resolve({ kind: 'client-certificate' });
    pair.run();
    expect(pair.server.isConnected).toBe(true);
    pair.server.requestClientCertificate();
    pair.run();
    expect(pair.client.pendingDecision?.kind).toBe('client-certificate');
    const error = refusedAnswer(pair, { chain: [alice.der], privateKey: lastYear.privateKey });
    expect(error.message).toMatch(/^certificate\.privateKey is not the key of the certificate chain\[0\]/);
    answerAgainWithAlice(pair);
    expect(pair.server.isConnected).toBe(true);
  });
});
