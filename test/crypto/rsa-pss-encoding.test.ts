// Attacker: RSASSA-PSS encodings that are almost right (RFC 8017 §9.1.2): another salt length than the one
// asked for (TLS 1.3: the hash length, RFC 8446 §4.2.3), a trailer other than 0xbc, the bits above emBits
// set, another hash, a PKCS#1 v1.5 signature presented as PSS and the reverse. Raised to d here, standing for
// an attacker who found the signature; every case runs through both providers.
import { describe, expect, it } from 'vitest';
import { modPow } from '../../src/crypto/bigint.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { fromHex, hex, utf8 } from '../../src/wire/bytes.js';

/** A key whose modulus begins with an octet of at least 0xa0: room below n for an encoded message with its top bit set. */
function keyWithHighModulus() {
  for (;;) {
    const candidate = rsaTestKey(2048);
    if (candidate.n >> 2040n >= 0xa0n) return candidate;
  }
}

const key = keyWithHighModulus();
const publicKey: PublicKey = { kind: 'rsa', n: key.n, e: key.e };
const k = 256;
const random = seededRandom('pss encodings');
const message = utf8.encode('64 spaces, a context string, a zero byte and a transcript hash');
const pss = (saltLength: number, hash: 'sha256' | 'sha384' = 'sha256'): SignatureAlgorithm => ({ kind: 'rsa-pss', hash, saltLength });
const TLS_PSS_SHA256 = pss(32);

const toInteger = (bytes: Uint8Array) => BigInt('0x' + (hex(bytes) || '0'));
const toBytes = (x: bigint) => fromHex(x.toString(16).padStart(2 * k, '0'));


/** The encoded message a signature opens to, and the signature that opens to an edited one. */
const opened = (signature: Uint8Array) => toBytes(modPow(toInteger(signature), key.e, key.n));
const signatureOpeningTo = (em: Uint8Array) => toBytes(modPow(toInteger(em), key.d, key.n));

function verdicts(alg: SignatureAlgorithm, signature: Uint8Array) {
  return { noble: nobleProvider.verify(alg, publicKey, message, signature), node: nodeCryptoProvider.verify(alg, publicKey, message, signature) };
}

const both = (verdict: boolean) => ({ noble: verdict, node: verdict });

describe('RSASSA-PSS encodings checked as rsa_pss_rsae_sha256 (salt of 32 octets)', () => {
  const signature = nobleProvider.sign(TLS_PSS_SHA256, key, message, random);

  it('the signature, and its encoded message raised to d again: both accept (control)', () => {
    expect(verdicts(TLS_PSS_SHA256, signature)).toEqual(both(true));
    expect(verdicts(TLS_PSS_SHA256, signatureOpeningTo(opened(signature)))).toEqual(both(true));
  });

  it.each([0, 20, 31, 33, 64, k - 32 - 2])('a salt of %i octets: both refuse, and both accept it when that length is asked for', (saltLength) => {
    const other = nobleProvider.sign(pss(saltLength), key, message, random);
    expect(verdicts(TLS_PSS_SHA256, other)).toEqual(both(false));
    expect(verdicts(pss(saltLength), other)).toEqual(both(true));
  });

  it('a trailer octet other than 0xbc: both refuse', () => {
    const em = opened(signature);
    em[k - 1] = 0xcc;
    expect(verdicts(TLS_PSS_SHA256, signatureOpeningTo(em))).toEqual(both(false));
  });

  it('the top bit set (above emBits = 8k - 1), the encoded message still below n: both refuse', () => {
    // Below n, or the signature would open to something else and prove nothing about this check.
    const nTop = Number(key.n >> BigInt(8 * k - 8));
    for (;;) {
      const em = opened(nobleProvider.sign(TLS_PSS_SHA256, key, message, random));
      if ((em[0]! | 0x80) >= nTop) continue;
      em[0]! |= 0x80;
      expect(verdicts(TLS_PSS_SHA256, signatureOpeningTo(em))).toEqual(both(false));
      return;
    }
  });

  it('a signature over SHA-384 checked as SHA-256, PKCS#1 v1.5 as PSS and PSS as PKCS#1 v1.5: both refuse', () => {
    expect(verdicts(TLS_PSS_SHA256, nobleProvider.sign(pss(32, 'sha384'), key, message, random))).toEqual(both(false));
    expect(verdicts(TLS_PSS_SHA256, nobleProvider.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, key, message, random))).toEqual(both(false));
    expect(verdicts({ kind: 'rsa-pkcs1', hash: 'sha256' }, signature)).toEqual(both(false));
  });
});
