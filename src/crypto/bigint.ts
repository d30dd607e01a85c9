// Arithmetic on non-negative bigints that RSA (rsa.ts) and finite-field Diffie-Hellman (ffdhe.ts) share:
// byte conversions as RFC 8017 §4 defines them and modular exponentiation. Not constant-time: JavaScript
// bigints give no such guarantee (see docs/security.md).
import { fromHex, hex } from '../wire/bytes.js';

/** base^exponent mod modulus, by left-to-right square-and-multiply: one squaring per exponent bit. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  for (let bit = BigInt(bitLength(exponent) - 1); bit >= 0n; bit--) {
    result = (result * result) % modulus;
    if ((exponent >> bit) & 1n) result = (result * base) % modulus;
  }
  return result % modulus;
}

/** a^-1 mod m by the extended Euclidean algorithm, or undefined when a and m are not coprime. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  return oldR === 1n ? mod(oldS, m) : undefined;
}

/** a mod m in [0, m), whatever the sign of a. */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

export function bitLength(x: bigint): number {
  return x > 0n ? x.toString(2).length : 0;
}

/** OS2IP (RFC 8017 §4.2): big-endian bytes to a non-negative integer, through hex (linear in the length). */
export function os2ip(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${hex(bytes)}`);
}

/** I2OSP (RFC 8017 §4.1): a non-negative integer below 256^length to big-endian bytes, left-padded with zeros. */
export function i2osp(x: bigint, length: number): Uint8Array {
  if (x >= 1n << BigInt(8 * length)) throw new Error('integer too large');
  return fromHex(x.toString(16).padStart(2 * length, '0'));
}
