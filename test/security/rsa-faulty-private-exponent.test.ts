// Attacker: the peer that receives our CertificateVerify. An RSA private key whose n and e are the
// certificate's (so the key-pair check, which compares the public halves, passes) but whose d is wrong signed
// whatever its exponent made, and sent it. Worse, when d is right modulo p - 1 and wrong modulo q - 1 (a
// corrupted key, or a fault in the computation), the CRT signature is right modulo p only, and
// gcd(s^e - m, n) = p factors the modulus (Boneh, DeMillo, Lipton 1997): one bad signature gives the peer the
// private key (shown here with PKCS#1 v1.5, which signs certificates and whose encoding is deterministic).
// Now a key with its primes has d checked when the config is made (and by the node provider before OpenSSL
// signs), and every RSA signature we compute is verified with e before it leaves (as OpenSSL does).
import { describe, expect, it } from 'vitest';
import { modPow, os2ip } from '../../src/crypto/bigint.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { seededRandom } from '../../src/crypto/random.js';
import { Connection } from '../../src/handshake/connection.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';

const good = rsaTestKey(2048);
const { p, q } = good as { p: bigint; q: bigint };
/** d right modulo p - 1, wrong modulo q - 1 (unless q - 1 divides p - 1, which a random key never has). */
const faulty = { ...good, d: good.d + (p - 1n) };
const alg = { kind: 'rsa-pkcs1', hash: 'sha256' } as const;
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const message = new TextEncoder().encode('CertificateVerify content');

describe('an RSA private key whose d is not the inverse of e', () => {
  it('the control: the sound key signs, and its signature verifies', () => {
    const s = nobleProvider.sign(alg, good, message, seededRandom('rsa ok'));
    expect(nobleProvider.verify(alg, nobleProvider.publicKeyOf(good), message, s)).toBe(true);
  });

  it('never yields a signature (one would factor n): signing is a one-line error', () => {
    let signature: Uint8Array | undefined;
    let error: unknown;
    try {
      signature = nobleProvider.sign(alg, faulty, message, seededRandom('rsa bad'));
    } catch (e) {
      error = e;
    }
    if (signature) {
      // What the attacker does with it: s^e is the encoded message (the sound signature's s^e) modulo p only.
      const encoded = modPow(os2ip(nobleProvider.sign(alg, good, message, seededRandom('rsa ok'))), good.e, good.n);
      const factor = gcd(modPow(os2ip(signature), good.e, good.n) - encoded, good.n);
      expect.fail(factor === p || factor === q ? 'a signature was returned, and it factors n' : 'a wrong signature was returned');
    }
    expect((error as Error).message).toMatch(/^RSA private key: .*\bverify\b/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('the node:crypto provider (OpenSSL signs with the CRT values computed from d) refuses it before signing', () => {
    expect(nodeCryptoProvider.verify(alg, good, message, nodeCryptoProvider.sign(alg, good, message, seededRandom('rsa ok')))).toBe(true);
    expect(() => nodeCryptoProvider.sign(alg, faulty, message, seededRandom('rsa bad'))).toThrow(/^RSA private key: d is not the private exponent/);
  });

  it('without p and q (RSASP1 form 1): a wrong d is refused the same way', () => {
    const { p: _p, q: _q, ...noPrimes } = faulty;
    expect(() => nobleProvider.sign(alg, { ...noPrimes, d: good.d + 2n }, message, seededRandom('rsa bad 2'))).toThrow(/^RSA private key: /);
  });

  const identity = makeIdentity({ subject: { CN: 'rsa' }, sans: { dns: ['rsa.example'] }, privateKey: good }, seededRandom('rsa cert'));

  it('with its primes, configured beside its certificate: a one-line TypeError before any connection', () => {
    const make = (privateKey: typeof good) => () => Connection.server({ certificate: { chain: identity.chain, privateKey }, now: () => TEST_NOW, random: seededRandom('rsa s') });
    expect(make(good)).not.toThrow();
    expect(make(faulty)).toThrow(TypeError);
    expect(make(faulty)).toThrow(/^certificate\.privateKey is not the key of the certificate chain\[0\]/);
  });

  it('in a handshake (a signer, or a key without its primes, is only judged when it signs): the server sends no CertificateVerify and closes with internal_error; the client has nothing to factor', () => {
    const { p: _p, q: _q, ...withoutPrimes } = faulty;
    const pair = new InMemoryPair(
      { trust: { kind: 'pinned-certificate', certificates: [identity.der] }, serverName: 'rsa.example', now: () => TEST_NOW, random: seededRandom('rsa c') },
      { certificate: { chain: identity.chain, privateKey: withoutPrimes }, now: () => TEST_NOW, random: seededRandom('rsa s') },
    ).run();
    const sent = pair.events('server').flatMap((e) => (e.type === 'handshake-message' && e.direction === 'out' ? [e.message.kind] : []));
    expect(sent).not.toContain('certificate_verify');
    expect(pair.events('server').flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []))).toEqual(['internal_error']);
    expect(pair.client.isConnected).toBe(false);
  });
});
