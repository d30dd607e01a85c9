// Finite-field Diffie-Hellman over the RFC 7919 groups, as TLS 1.3 uses it (RFC 8446 §4.2.8.1, §7.4.1).
// The arithmetic is modular exponentiation, which a provider brings (bigint.ts's, or OpenSSL's); the
// encodings, the exponent size and the range check on the peer's value live here, the same for every provider.
import { i2osp, modPow, os2ip } from './bigint.js';
import { FFDHE_PRIMES_HEX } from './ffdhe-primes.js';
import type { DiffieHellmanGroup } from './key-exchange.js';

export type FfdheGroupName = keyof typeof FFDHE_PRIMES_HEX;

/** The two exponentiations FFDHE makes modulo p, always with our own short private exponent x. */
export interface FfdheArithmetic {
  /** g^x mod p, with the RFC 7919 generator g = 2: our public value. */
  generatorPower(prime: bigint, exponent: bigint): bigint;
  /** Y^x mod p, for a peer value Y already checked to lie in 1 < Y < p - 1: the shared secret. */
  power(prime: bigint, base: bigint, exponent: bigint): bigint;
}

/** The arithmetic with bigint.ts's square-and-multiply (not constant-time). */
export const BIGINT_FFDHE_ARITHMETIC: FfdheArithmetic = {
  generatorPower: (prime, exponent) => modPow(2n, exponent, prime),
  power: (prime, base, exponent) => modPow(base, exponent, prime),
};

/**
 * Private exponent sizes in bits: RFC 7919 Appendix A gives, for each group, the shortest secret key a
 * peer "that want[s] to optimize their key exchange with a short exponent (Section 5.2) should choose"
 * (225, 275, 325, 375, 400 bits: about twice the group's estimated strength). We draw whole bytes for one
 * bit more and set the top bit: each exponent has at least that many random bits and is never 0 or 1.
 */
const EXPONENT_BITS: Readonly<Record<FfdheGroupName, number>> = {
  ffdhe2048: 225,
  ffdhe3072: 275,
  ffdhe4096: 325,
  ffdhe6144: 375,
  ffdhe8192: 400,
};

export interface FfdheParameters {
  readonly name: FfdheGroupName;
  readonly prime: bigint;
  /** The size of p in bytes: the length of every public value and of the shared secret. */
  readonly length: number;
  /** Bytes of the private exponent. */
  readonly exponentLength: number;
}

export const FFDHE_PARAMETERS: Readonly<Record<FfdheGroupName, FfdheParameters>> = Object.fromEntries(
  (Object.keys(FFDHE_PRIMES_HEX) as FfdheGroupName[]).map((name) => {
    const hex = FFDHE_PRIMES_HEX[name];
    const parameters: FfdheParameters = { name, prime: BigInt(`0x${hex}`), length: hex.length / 2, exponentLength: Math.ceil((EXPONENT_BITS[name] + 1) / 8) };
    return [name, parameters];
  }),
) as Record<FfdheGroupName, FfdheParameters>;

/**
 * One FFDHE group. Public values and the shared secret are big-endian and "padded to the left with zeros
 * to the size of p in bytes" (RFC 8446 §4.2.8.1, §7.4.1). "Peers MUST validate each other's public key Y
 * by ensuring that 1 < Y < p-1" (§4.2.8.1): a value outside that range, or of another length, gives null
 * (illegal_parameter). With Y in range and p a safe prime, Y^x mod p cannot land in the subgroup {1, p-1}
 * unless Y itself is 1 or p-1, which is what the check excludes.
 */
export function ffdheGroup(params: FfdheParameters, arithmetic: FfdheArithmetic): DiffieHellmanGroup {
  const { name, prime, length, exponentLength } = params;
  return {
    group: name,
    publicLength: length,
    generatePrivateKey(random) {
      // A copy of our own, set apart from the caller's array, which a RandomSource may refill and hand out again.
      const exponent = new Uint8Array(random(exponentLength));
      exponent[0]! |= 0x80;
      return exponent;
    },
    publicKey: (privateKey) => i2osp(arithmetic.generatorPower(prime, os2ip(privateKey)), length),
    sharedSecret(privateKey, peerPublic) {
      if (peerPublic.length !== length) return null;
      const y = os2ip(peerPublic);
      if (y <= 1n || y >= prime - 1n) return null;
      return i2osp(arithmetic.power(prime, y, os2ip(privateKey)), length);
    },
  };
}

/** All five groups on one arithmetic. */
export function ffdheGroups(arithmetic: FfdheArithmetic): Readonly<Record<FfdheGroupName, DiffieHellmanGroup>> {
  const entries = Object.values(FFDHE_PARAMETERS).map((params) => [params.name, ffdheGroup(params, arithmetic)] as const);
  return Object.fromEntries(entries) as Record<FfdheGroupName, DiffieHellmanGroup>;
}
