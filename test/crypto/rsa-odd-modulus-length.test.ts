// Attacker: RSA moduli whose size is not a multiple of 8 bits. A signature is exactly k octets, k = ⌈bits/8⌉
// (RFC 8017 §8.1.2, §8.2.2 step 1), even where the integer fits in k - 1 (a 2049-bit modulus starts with the
// octet 0x01, so about half of its signatures start with 0x00) and where PSS's encoded message is one octet
// shorter than k (emLen = ⌈(bits - 1)/8⌉, §9.1.1). A k computed one octet short refuses every honest
// signature of a 2049- or 1025-bit key; a verifier that takes k - 1 octets lets anyone spell half of them twice.
import { generatePrimeSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bitLength, modInverse } from '../../src/crypto/bigint.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { rsaSignatureLength } from '../../src/crypto/rsa.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { concat, utf8 } from '../../src/wire/bytes.js';

const E = 65537n;

/** An RSA key whose modulus has exactly `bits` bits (node:crypto rounds a request of 2049 bits down to 2048). */
function rsaKeyOfBits(bits: number): Extract<PrivateKey, { kind: 'rsa' }> {
  for (;;) {
    const p = generatePrimeSync(Math.ceil(bits / 2), { bigint: true });
    const q = generatePrimeSync(Math.floor(bits / 2), { bigint: true });
    const d = modInverse(E, (p - 1n) * (q - 1n));
    if (p !== q && d !== undefined && bitLength(p * q) === bits) return { kind: 'rsa', n: p * q, e: E, d, p, q };
  }
}

const PROVIDERS = { noble: nobleProvider, node: nodeCryptoProvider };

describe.each([1025, 2047, 2049])('a %i-bit modulus', (bits) => {
  const key = rsaKeyOfBits(bits);
  const publicKey: PublicKey = { kind: 'rsa', n: key.n, e: key.e };
  const k = Math.ceil(bits / 8);
  const verdicts = (alg: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array) => ({
    noble: nobleProvider.verify(alg, publicKey, message, signature),
    node: nodeCryptoProvider.verify(alg, publicKey, message, signature),
  });
  const both = (verdict: boolean) => ({ noble: verdict, node: verdict });

  it(`k is ${k} octets`, () => {
    expect(rsaSignatureLength(publicKey)).toBe(k);
  });

  describe.each([
    ['RSASSA-PSS', { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }],
    ['RSASSA-PKCS1-v1_5', { kind: 'rsa-pkcs1', hash: 'sha256' }],
  ] as const)('%s', (_name, alg) => {
    it.each(Object.keys(PROVIDERS) as (keyof typeof PROVIDERS)[])('%s signs k octets, and both providers accept them', (signer) => {
      const message = utf8.encode(`signed by ${signer}`);
      const signature = PROVIDERS[signer].sign(alg, key, message, seededRandom(`${bits} ${alg.kind}`));
      expect(signature.length).toBe(k);
      expect(verdicts(alg, message, signature)).toEqual(both(true));
    });

    it('a signature that starts with 0x00: as it is both accept; without that octet (k - 1) or with one more (k + 1), both refuse', () => {
      const random = seededRandom(`leading zero ${bits} ${alg.kind}`);
      for (let i = 0; ; i++) {
        const message = utf8.encode(`CertificateVerify content ${i}`);
        const signature = nodeCryptoProvider.sign(alg, key, message, random);
        if (signature[0] !== 0) continue;
        expect(verdicts(alg, message, signature)).toEqual(both(true));
        expect(verdicts(alg, message, signature.subarray(1))).toEqual(both(false));
        expect(verdicts(alg, message, concat(Uint8Array.of(0), signature))).toEqual(both(false));
        return;
      }
    });
  });
});
