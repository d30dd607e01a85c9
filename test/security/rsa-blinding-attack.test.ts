// Attacker: the red team of session 17, against RSA blinding (crypto/rsa-blinding.ts, rsa.ts rsasp1). Blinding
// must change no output byte for any key shape we accept, must never let a wrong signature out (the check with
// e runs on the unblinded result), must survive an r that is not invertible, and must not put d into an error
// message. References are node:crypto's (OpenSSL's) PKCS#1 v1.5 and zero-salt PSS signatures, both
// deterministic, so "byte-identical" is checked against an independent implementation, not against ourselves.
import { constants, createPrivateKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import * as bigint from '../../src/crypto/bigint.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign } from '../../src/crypto/rsa.js';
import { hex, utf8 } from '../../src/wire/bytes.js';

vi.mock('../../src/crypto/bigint.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/crypto/bigint.js')>();
  return { ...original, modInverse: vi.fn(original.modInverse), modPow: vi.fn(original.modPow) };
});
const { modInverse, modPow } = await vi.importActual<typeof import('../../src/crypto/bigint.js')>('../../src/crypto/bigint.js');

const fromB64 = (text: string) => BigInt(`0x${Buffer.from(text, 'base64url').toString('hex')}`);
const lcm = (a: bigint, b: bigint) => (a * b) / gcd(a, b);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

interface Numbers { n: bigint; e: bigint; d: bigint; p: bigint; q: bigint }
function generated(bits: number, e: number): { numbers: Numbers; keyObject: KeyObject } {
  const keyObject = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: e }).privateKey;
  const jwk = keyObject.export({ format: 'jwk' });
  return { keyObject, numbers: { n: fromB64(jwk.n!), e: fromB64(jwk.e!), d: fromB64(jwk.d!), p: fromB64(jwk.p!), q: fromB64(jwk.q!) } };
}

const message = utf8.encode('CertificateVerify content chosen by the peer');
const SHAPES: Array<[bits: number, e: number]> = [[1024, 3], [1024, 65537], [2048, 3], [2048, 65537], [2048, 2 ** 32 - 5], [3072, 65537], [4096, 65537], [4096, 3]];

describe('blinded signatures are byte-identical to OpenSSL\'s for every key shape', () => {
  it.each(SHAPES)('%i bits, e = %i: CRT and no-CRT, p > q and p < q, d mod λ(n) and d mod φ(n); PKCS#1 v1.5 and zero-salt PSS', (bits, e) => {
    const { numbers, keyObject } = generated(bits, e);
    const { n, p, q } = numbers;
    const dLambda = modInverse(numbers.e, lcm(p - 1n, q - 1n))!;
    const dPhi = modInverse(numbers.e, (p - 1n) * (q - 1n))!;
    const pkcs1 = hex(nodeSign('sha256', message, { key: keyObject, padding: constants.RSA_PKCS1_PADDING }));
    const pss = hex(nodeSign('sha384', message, { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 0 }));
    const shapes = [];
    for (const d of [dLambda, dPhi]) {
      shapes.push({ n, e: numbers.e, d }, { n, e: numbers.e, d, p, q }, { n, e: numbers.e, d, p: q, q: p });
    }
    expect(new Set(shapes.map((key) => key.d)).size).toBe(dLambda === dPhi ? 1 : 2);
    for (const key of shapes) {
      expect(hex(rsaPkcs1Sign(key, 'sha256', message))).toBe(pkcs1);
      expect(hex(rsaPssSign(key, 'sha384', message, 0, seededRandom('no salt')))).toBe(pss);
    }
  }, 120_000);
});

it('e of 33 bits (our bound, above what node:crypto generates): the same key with e = the largest odd e <= 2^33 - 1 coprime to λ(n)', () => {
  const { numbers: { n, p, q } } = generated(2048, 65537);
  const lambda = lcm(p - 1n, q - 1n);
  let e = (1n << 33n) - 1n;
  while (gcd(e, lambda) !== 1n) e -= 2n;
  const d = modInverse(e, lambda)!;
  const b64 = (x: bigint) => Buffer.from(x.toString(16).padStart(2 * Math.ceil(x.toString(16).length / 2), '0'), 'hex').toString('base64url');
  const jwk = { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(modInverse(q, p)!) };
  const keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  const reference = hex(nodeSign('sha256', message, { key: keyObject, padding: constants.RSA_PKCS1_PADDING }));
  for (const key of [{ n, e, d }, { n, e, d, p, q }, { n, e, d, p: q, q: p }]) expect(hex(rsaPkcs1Sign(key, 'sha256', message))).toBe(reference);
});

describe('an r that is not invertible modulo n', () => {
  // A squarefree modulus with ten small prime factors: a third of all r share the factor 3, and only about 31%
  // are coprime to n. Not a key we accept from a config (rsaPublicKeyProblem is about n's size and e), but the
  // primitive's arithmetic is the same: it must draw again, and sign exactly m^d mod n.
  const { numbers } = generated(1024, 65537);
  const small = [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n];
  const n = small.reduce((product, prime) => product * prime, numbers.n);
  const lambda = small.reduce((l, prime) => lcm(l, prime - 1n), lcm(numbers.p - 1n, numbers.q - 1n));
  const key = { n, e: 65537n, d: modInverse(65537n, lambda)! };

  it('draws again (r with a common factor is refused), and every signature is the unique e-th root', () => {
    let retried = 0;
    for (let i = 0; i < 24; i++) {
      vi.mocked(bigint.modInverse).mockClear();
      const text = utf8.encode(`message ${i}`);
      const signature = rsaPkcs1Sign(key, 'sha256', text);
      const refused = vi.mocked(bigint.modInverse).mock.results.filter((result, call) => vi.mocked(bigint.modInverse).mock.calls[call]![1] === n && result.value === undefined);
      if (refused.length > 0) retried++;
      expect(rsaPkcs1Verify(key, 'sha256', text, signature)).toBe(true);
      // The e-th root is unique (gcd(e, λ) = 1): m^d mod n, computed here unblinded.
      expect(bigint.os2ip(signature)).toBe(modPow(modPow(bigint.os2ip(signature), key.e, n), key.d, n));
    }
    // About 69% of r are refused for this n: 24 messages without one redraw would happen once in 10^12.
    expect(retried).toBeGreaterThan(0);
  });
});

describe('blinding values: never the same for two messages', () => {
  it('r (the base of r^e) and the exponent differ for 64 messages under one key, and for one message under two keys', () => {
    const keys = [generated(1024, 65537).numbers, generated(1024, 65537).numbers];
    const blinds = new Set<bigint>();
    const exponents = new Set<bigint>();
    const sign = (key: Numbers, text: Uint8Array) => {
      vi.mocked(bigint.modPow).mockClear();
      rsaPkcs1Sign(key, 'sha256', text);
      const calls = vi.mocked(bigint.modPow).mock.calls;
      // modPow(r, e, n) makes r^e; the private exponentiations are mod p and mod q.
      const rCalls = calls.filter(([, exponent, modulus]) => exponent === key.e && modulus === key.n);
      blinds.add(rCalls[0]![0]);
      for (const [, exponent, modulus] of calls) if (modulus === key.p || modulus === key.q) exponents.add(exponent);
    };
    for (let i = 0; i < 64; i++) sign(keys[0]!, utf8.encode(`message ${i}`));
    sign(keys[1]!, utf8.encode('message 0'));
    expect(blinds.size).toBe(65);
    expect(exponents.size).toBe(130);
  });
});

describe('a malformed private key: a clean one-line "RSA private key" error that names no secret', () => {
  const { numbers } = generated(1024, 65537);
  const { n, e, d, p, q } = numbers;
  const secrets = [d, p, q].flatMap((x) => [x.toString(16), x.toString(10)]).map((text) => text.slice(0, 12));
  const cases: Array<[string, { n: bigint; e: bigint; d: bigint; p?: bigint; q?: bigint }]> = [
    ['d negated, no primes', { n, e, d: -d }],
    ['d negated, with primes', { n, e, d: -d, p, q }],
    ['d = 0', { n, e, d: 0n }],
    ['d + 2', { n, e, d: d + 2n }],
    ['d wrong modulo q - 1 (CRT: would factor n)', { n, e, d: d + (p - 1n), p, q }],
    ['p = 1, q = n', { n, e, d, p: 1n, q: n }],
    ['p = n, q = 1', { n, e, d, p: n, q: 1n }],
    ['p wrong', { n, e, d, p: p + 2n, q }],
  ];
  it.each(cases)('%s', (_name, key) => {
    for (const alg of [{ kind: 'rsa-pkcs1', hash: 'sha256' }, { kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }] as const) {
      let error: unknown;
      try {
        nobleProvider.sign(alg, { kind: 'rsa', ...key }, message, seededRandom('salt'));
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(Error);
      const text = (error as Error).message;
      expect(text).toMatch(/^RSA private key: [^\n]*$/);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});

describe('a configured key whose p or q is 1 (both positive bigints, p · q = n)', () => {
  it('is a one-line TypeError from Connection.server, not a RangeError (division by zero) out of the key-pair check', async () => {
    const { Connection } = await import('../../src/handshake/connection.js');
    const { makeIdentity, TEST_NOW } = await import('../../src/testing/certs.js');
    const { rsaTestKey } = await import('../../src/testing/rsa-keys.js');
    const good = rsaTestKey(1024);
    const identity = makeIdentity({ subject: { CN: 'rsa' }, sans: { dns: ['rsa.example'] }, privateKey: good }, seededRandom('rsa cert'));
    for (const [p, q] of [[1n, good.n], [good.n, 1n]]) {
      const make = () => Connection.server({ certificate: { chain: identity.chain, privateKey: { ...good, p, q } }, now: () => TEST_NOW, random: seededRandom('rsa s') });
      expect(make).toThrow(TypeError);
      expect(make).toThrow(/^certificate\.privateKey is not the key of the certificate chain\[0\]/);
    }
  });
});
