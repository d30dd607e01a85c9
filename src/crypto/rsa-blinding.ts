// Blinding of our bigint RSASP1 (rsa.ts), as OpenSSL, BoringSSL and ring blind every RSA private-key
// operation: bigint square-and-multiply takes a time that depends on the exponent's bits and on the base, so
// without blinding each signature's time is a function of (m, d) that a peer who picks m could correlate with d
// (Kocher 1996; Brumley and Boneh 2003 did it remotely against OpenSSL's unblinded CRT).
// - Base blinding: the exponentiation runs on m·r^e mod n, uniform and unknown to the peer; its result
//   m^d·r is multiplied by r^-1 after.
// - Exponent blinding: the exponent is d_p + k_p·(p − 1) (d_q + k_q·(q − 1)) with the CRT, else
//   d + k·(e·d − 1) (a multiple of λ(n) when d is the private exponent, RFC 8017 §3.2, and n has no square
//   factor: the same signature); each signature runs a different exponent, so its bits never drive the time
//   one to one.
//
// The blinding values are not drawn from the configuration's random source: replays feed that source
// exactly the bytes the engine draws (docs/randomness.md). They are derived, as RFC 6979 derives its nonces,
// from the private key and the encoded message: HKDF-Extract with d as input keying material, HKDF-Expand
// over EM and a counter. Unpredictable without d, and no output byte changes: the signature is m^d mod n
// whatever r and k are.
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from '../wire/bytes.js';
import { bitLength, i2osp, modInverse, modPow, os2ip } from './bigint.js';
import type { RsaPrivateKey } from './rsa.js';

/**
 * Bytes of each exponent multiplier k, its top bit set: 64 bits. The known attacks on blinded exponents
 * (Schindler and Itoh 2011) get harder the longer k is; mbed TLS uses 28 bits. It lengthens a 1024-bit CRT
 * exponent by 6%.
 */
const MULTIPLIER_BYTES = 8;
/** Bytes drawn beyond the modulus for r, reduced mod n: a bias below 2^-64 (the extra random bits of FIPS 186-5 Appendix A). */
const EXTRA_BYTES = 8;
const LABEL = utf8.encode('tls13-lab RSASP1 blinding v1');

export interface RsaBlinding {
  /** r^e mod n: multiplies the message representative before the private exponentiation. */
  readonly blind: bigint;
  /** r^-1 mod n: multiplies the exponentiation's result after. */
  readonly unblind: bigint;
  /** k_p and k_q (the CRT), or k and an unused second one: the multiples added to the exponents. */
  readonly multipliers: readonly [bigint, bigint];
}

/** The blinding values of one signature by `key` over the encoded message `em`. */
export function rsaBlinding(key: RsaPrivateKey, em: Uint8Array): RsaBlinding {
  const nLength = Math.ceil(bitLength(key.n) / 8);
  const dBytes = i2osp(key.d, Math.ceil(bitLength(key.d) / 8));
  const prk = extract(sha256, dBytes, concat(LABEL, i2osp(key.n, nLength)));
  dBytes.fill(0);
  const counter = new Uint8Array(4);
  // r must be invertible mod n: for a real key every r but a multiple of p or q (odds near 2^-1000) is. Even for
  // a configured n with many small factors (odd, at most 8192 bits), at least about 6% of r are (the product of
  // 1 - 1/l over n's prime factors l), so the loop ends after about 15 tries on average, whatever the key.
  for (let attempt = 0; ; attempt++) {
    new DataView(counter.buffer).setUint32(0, attempt);
    const stream = expand(sha256, prk, concat(em, counter), nLength + EXTRA_BYTES + 2 * MULTIPLIER_BYTES);
    const r = os2ip(stream.subarray(0, nLength + EXTRA_BYTES)) % key.n;
    const unblind = modInverse(r, key.n);
    const multiplier = (at: number) => os2ip(stream.subarray(at, at + MULTIPLIER_BYTES)) | (1n << BigInt(8 * MULTIPLIER_BYTES - 1));
    const multipliers = [multiplier(nLength + EXTRA_BYTES), multiplier(nLength + EXTRA_BYTES + MULTIPLIER_BYTES)] as const;
    stream.fill(0);
    if (unblind !== undefined && r > 1n) {
      prk.fill(0);
      return { blind: modPow(r, key.e, key.n), unblind, multipliers };
    }
  }
}
