// Attacker: a peer who times our RSA signatures (the noble provider's bigint RSASP1, square-and-multiply,
// whose time follows the exponent's bits and the base). It picks the signed content (its ClientHello, its
// certificate_request_context) and hopes each signature's time is a function of m and d (Kocher 1996, Brumley
// and Boneh 2003). Now every private exponentiation runs on m·r^e with d plus a multiple of the group order
// (rsa-blinding.ts). Tests never assert timings: these watch what the exponentiation is given (a spy on
// bigint.ts's modPow) and check that the signature is still m^d mod n, and draws nothing from `random`.
import { describe, expect, it, vi } from 'vitest';
import * as bigint from '../../src/crypto/bigint.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { fixedRandom } from '../../src/crypto/random.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { fromHex, hex, utf8 } from '../../src/wire/bytes.js';

vi.mock('../../src/crypto/bigint.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/crypto/bigint.js')>();
  return { ...original, modPow: vi.fn(original.modPow) };
});

const modPowCalls = () => vi.mocked(bigint.modPow).mock.calls.map(([base, exponent, modulus]) => ({ base, exponent, modulus }));
/** Unspied, for the test's own arithmetic. */
const { modPow } = await vi.importActual<typeof import('../../src/crypto/bigint.js')>('../../src/crypto/bigint.js');

const key = rsaTestKey(2048);
const { n, e, d } = key;
const p = key.p!;
const q = key.q!;
const { p: _p, q: _q, ...withoutPrimes } = key;
const pkcs1 = { kind: 'rsa-pkcs1', hash: 'sha256' } as const;
const pss = { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 } as const;
const messages = [utf8.encode('CertificateVerify content, chosen by the peer'), utf8.encode('another one')];

/** Signs, and returns the signature's representative s, the message representative m = s^e, and what modPow was given. */
function signWatched(privateKey: typeof key | typeof withoutPrimes, message: Uint8Array, alg: typeof pkcs1 | typeof pss = pkcs1) {
  vi.mocked(bigint.modPow).mockClear();
  const signature = nobleProvider.sign(alg, privateKey, message, fixedRandom(new Uint8Array(32).fill(7)));
  const calls = modPowCalls();
  const s = bigint.os2ip(signature);
  return { s, m: modPow(s, e, n), calls, signature };
}

/** The one exponentiation modulo `modulus` with a private exponent (not the verification with e). */
function privateCall(calls: ReturnType<typeof modPowCalls>, modulus: bigint) {
  const found = calls.filter((call) => call.modulus === modulus && call.exponent !== e);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('RSASP1 with the CRT: blinded base and exponents', () => {
  for (const [prime, name] of [[p, 'p'], [q, 'q']] as const) {
    it(`modulo ${name}: the exponent is d mod (${name} - 1) plus a 64-bit multiple of ${name} - 1, never d mod (${name} - 1) itself`, () => {
      const { exponent } = privateCall(signWatched(key, messages[0]!).calls, prime);
      const dPrime = d % (prime - 1n);
      expect(exponent).not.toBe(dPrime);
      expect((exponent - dPrime) % (prime - 1n)).toBe(0n);
      const multiplier = (exponent - dPrime) / (prime - 1n);
      expect(multiplier >= 1n << 63n && multiplier < 1n << 64n).toBe(true);
    });

    it(`modulo ${name}: the base is not m mod ${name} (it is m·r^e, r unknown to the peer)`, () => {
      const { m, calls } = signWatched(key, messages[0]!);
      expect(privateCall(calls, prime).base).not.toBe(m % prime);
    });
  }

  it('each message gets its own multipliers and r, the same message the same ones (derived, not drawn)', () => {
    const first = signWatched(key, messages[0]!);
    const again = signWatched(key, messages[0]!);
    const other = signWatched(key, messages[1]!);
    expect(privateCall(again.calls, p)).toEqual(privateCall(first.calls, p));
    expect(privateCall(other.calls, p).exponent).not.toBe(privateCall(first.calls, p).exponent);
    expect(privateCall(other.calls, q).exponent).not.toBe(privateCall(first.calls, q).exponent);
    expect(hex(again.signature)).toBe(hex(first.signature));
  });

  it('the signature is still m^d mod n, and PSS takes exactly its salt from `random`', () => {
    for (const alg of [pkcs1, pss]) {
      const { s, m } = signWatched(key, messages[0]!, alg);
      expect(s).toBe(modPow(m, d, n));
    }
    // fixedRandom throws on any draw beyond the salt.
    const salt = fromHex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');
    expect(() => nobleProvider.sign(pss, key, messages[0]!, fixedRandom(salt))).not.toThrow();
  });
});

describe('RSASP1 without the primes (form 1): blinded base and exponent', () => {
  it('the exponent is d plus a 64-bit multiple of e·d - 1 (a multiple of λ(n)), never d itself', () => {
    const { exponent } = privateCall(signWatched(withoutPrimes, messages[0]!).calls, n);
    expect(exponent).not.toBe(d);
    expect((exponent - d) % (e * d - 1n)).toBe(0n);
    const multiplier = (exponent - d) / (e * d - 1n);
    expect(multiplier >= 1n << 63n && multiplier < 1n << 64n).toBe(true);
  });

  it('the base is not m, and the signature is still m^d mod n', () => {
    const { s, m, calls } = signWatched(withoutPrimes, messages[0]!);
    expect(privateCall(calls, n).base).not.toBe(m);
    expect(s).toBe(modPow(m, d, n));
  });
});
