// Attacker: an RSA signature that is not exactly as long as the modulus, or not below it. RFC 8017 §8.1.2
// and §8.2.2 step 1: "If the length of the signature S is not k octets, output 'invalid signature'"; §5.2.2:
// s must be in [0, n-1]. OpenSSL checks the length for PKCS#1 v1.5 but, for PSS, takes a signature whose
// leading zero octets were dropped: anyone (no key needed) can then spell one valid PSS signature in two
// ways, a second DER for a CA's certificate or a second CertificateVerify, which one provider accepts and
// the other refuses. Every case runs through both providers.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { concat, fromHex, hex, utf8 } from '../../src/wire/bytes.js';

const key = rsaTestKey(2048);
const publicKey: PublicKey = { kind: 'rsa', n: key.n, e: key.e };
const k = 256;
const toInteger = (bytes: Uint8Array) => BigInt('0x' + (hex(bytes) || '0'));
const toBytes = (x: bigint, length: number) => fromHex(x.toString(16).padStart(2 * length, '0'));

function verdicts(alg: SignatureAlgorithm, message: Uint8Array, signature: Uint8Array) {
  return { noble: nobleProvider.verify(alg, publicKey, message, signature), node: nodeCryptoProvider.verify(alg, publicKey, message, signature) };
}

const both = (verdict: boolean) => ({ noble: verdict, node: verdict });

/** A signature by `key` whose first octet is zero (one in 256), and the message it signs. */
function signatureWithLeadingZero(alg: SignatureAlgorithm, signer: PrivateKey): { message: Uint8Array; signature: Uint8Array } {
  const random = seededRandom(`leading zero ${alg.kind}`);
  for (let i = 0; ; i++) {
    const message = utf8.encode(`CertificateVerify content ${i}`);
    const signature = nodeCryptoProvider.sign(alg, signer, message, random);
    if (signature[0] === 0) return { message, signature };
  }
}

describe.each([
  ['RSASSA-PSS', { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }],
  ['RSASSA-PKCS1-v1_5', { kind: 'rsa-pkcs1', hash: 'sha256' }],
] as const)('%s signatures of the wrong length or out of range', (_name, alg) => {
  const { message, signature } = signatureWithLeadingZero(alg, key);

  it('a valid signature whose first octet is zero verifies as it is, k octets (control)', () => {
    expect(signature.length).toBe(k);
    expect(verdicts(alg, message, signature)).toEqual(both(true));
  });

  it('the same signature with its leading zero octet dropped (k - 1 octets): both refuse', () => {
    expect(verdicts(alg, message, signature.subarray(1))).toEqual(both(false));
  });

  it('the same signature with every leading zero octet dropped, and with one more in front (k + 1): both refuse', () => {
    let first = 0;
    while (signature[first] === 0) first++;
    expect(verdicts(alg, message, signature.subarray(first))).toEqual(both(false));
    expect(verdicts(alg, message, concat(Uint8Array.of(0), signature))).toEqual(both(false));
  });

  it('s + n, which opens to the same message under s^e mod n (RFC 8017 §5.2.2: s must be below n): both refuse', () => {
    expect(verdicts(alg, message, toBytes(toInteger(signature) + key.n, k))).toEqual(both(false));
  });

  it('s = n, n - 1, 0 and 1, and an empty signature: both refuse', () => {
    for (const s of [key.n, key.n - 1n, 0n, 1n]) expect(verdicts(alg, message, toBytes(s, k))).toEqual(both(false));
    expect(verdicts(alg, message, new Uint8Array(0))).toEqual(both(false));
  });
});
