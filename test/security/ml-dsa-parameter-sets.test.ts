// Attacker: an ML-DSA-44 signature (and key) presented as another parameter set's. One scheme, one OID and one
// key length name each parameter set (draft-ietf-tls-mldsa §3; RFC 9881 §2, §4), and the three must agree.
// In the handshake a scheme that does not fit the certificate's key is illegal_parameter (ml-dsa-attacks.test.ts,
// RFC 8446 §6.2: a field inconsistent with another), a certificate whose key length is not its OID's is
// bad_certificate, and a CA signature whose OID is not the CA key's set is bad_certificate. Below all of them,
// the provider verified with the parameter set of the *key*: with the one check that compares the two
// (signatureKeyProblem) gone, an ML-DSA-44 signature verified as mldsa65. Both providers now verify under the
// set the algorithm names, where a key of another set's length does not decode.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { mlDsaVerify } from '../../src/crypto/mldsa.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { MlDsaParameterSet } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { utf8 } from '../../src/wire/bytes.js';

const random = seededRandom('ml-dsa parameter sets');
const SETS: MlDsaParameterSet[] = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'];
const keyTypes = { 'ML-DSA-44': 'ml-dsa-44', 'ML-DSA-65': 'ml-dsa-65', 'ML-DSA-87': 'ml-dsa-87' } as const;
const message = utf8.encode('TLS 1.3, server CertificateVerify');

describe.each([
  ['noble', nobleProvider],
  ['node:crypto', nodeCryptoProvider],
] as const)('%s verifies an ML-DSA signature under the parameter set its algorithm names', (_name, provider) => {
  for (const own of SETS) {
    const privateKey = generateKeyPair(keyTypes[own], random, nobleProvider).privateKey;
    const publicKey = provider.publicKeyOf(privateKey);
    const signature = provider.sign({ kind: 'ml-dsa', parameterSet: own }, privateKey, message, random);
    it(`${own}: its own signature verifies (the control); as any other set, it does not`, () => {
      expect(provider.verify({ kind: 'ml-dsa', parameterSet: own }, publicKey, message, signature)).toBe(true);
      for (const claimed of SETS.filter((s) => s !== own)) {
        expect(provider.verify({ kind: 'ml-dsa', parameterSet: claimed }, publicKey, message, signature)).toBe(false);
      }
    });
  }
});

describe('ML-DSA.Verify under a parameter set refuses a key of another set', () => {
  it("an ML-DSA-44 key and signature, verified as ML-DSA-65: false (noble's pkDecode reads 1952 bytes, not 1312)", () => {
    const privateKey = generateKeyPair('ml-dsa-44', random, nobleProvider).privateKey;
    const publicKey = nobleProvider.publicKeyOf(privateKey) as { publicKey: Uint8Array };
    const signature = nobleProvider.sign({ kind: 'ml-dsa', parameterSet: 'ML-DSA-44' }, privateKey, message, random);
    expect(mlDsaVerify('ML-DSA-44', publicKey.publicKey, message, signature)).toBe(true);
    expect(mlDsaVerify('ML-DSA-65', publicKey.publicKey, message, signature)).toBe(false);
  });
});
