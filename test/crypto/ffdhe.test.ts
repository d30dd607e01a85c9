// The RFC 7919 groups in TLS 1.3 (RFC 8446 §4.2.8.1, §7.4.1) on the noble provider (bigint arithmetic),
// checked against OpenSSL: its built-in primes, and node:crypto's Diffie-Hellman on the same exponents.
import { execFileSync } from 'node:child_process';
import { checkPrimeSync, createDiffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { i2osp, os2ip } from '../../src/crypto/bigint.js';
import { FFDHE_PARAMETERS, type FfdheGroupName } from '../../src/crypto/ffdhe.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { fixedRandom, seededRandom } from '../../src/crypto/random.js';
import { requireBinary } from '../../src/testing/interop.js';
import { hex } from '../../src/wire/bytes.js';

const GROUPS = Object.keys(FFDHE_PARAMETERS) as FfdheGroupName[];
// RFC 7919 Appendix A: the shortest secret exponent, in bits, for each group.
const RFC_EXPONENT_BITS = { ffdhe2048: 225, ffdhe3072: 275, ffdhe4096: 325, ffdhe6144: 375, ffdhe8192: 400 };

const bytes = (value: bigint) => Buffer.from(value.toString(16).padStart(2 * Math.ceil(value.toString(16).length / 2), '0'), 'hex');

/** node:crypto (OpenSSL) Diffie-Hellman over the same prime with our exponent. */
function opensslDh(name: FfdheGroupName, exponent: Uint8Array) {
  const dh = createDiffieHellman(bytes(FFDHE_PARAMETERS[name].prime), 2);
  dh.setPrivateKey(Buffer.from(exponent));
  // OpenSSL drops leading zero bytes; TLS pads to the size of p.
  const padded = (value: Buffer) => i2osp(os2ip(value), FFDHE_PARAMETERS[name].length);
  return { publicKey: padded(dh.generateKeys()), secret: (y: Uint8Array) => padded(dh.computeSecret(Buffer.from(y))) };
}

describe('the primes', () => {
  for (const name of GROUPS) {
    it(`${name}: the prime OpenSSL has built in under that name`, (test) => {
      const openssl = requireBinary('openssl', test);
      const pem = execFileSync(openssl, ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${name}`]);
      const parsed = execFileSync(openssl, ['asn1parse'], { input: pem }).toString();
      const [primeLine, generatorLine] = parsed.split('\n').filter((l) => l.includes('INTEGER'));
      expect(BigInt(`0x${primeLine!.split(':').pop()}`)).toBe(FFDHE_PARAMETERS[name].prime);
      expect(generatorLine).toMatch(/:02$/);
    });
  }

  it.each(GROUPS)('%s: b bits, the 64 leading and the 64 trailing bits all ones (the RFC 7919 construction)', (name) => {
    const { prime, length } = FFDHE_PARAMETERS[name];
    const bits = Number(name.slice('ffdhe'.length));
    expect(length).toBe(bits / 8);
    expect(prime.toString(2)).toHaveLength(bits);
    expect(prime >> BigInt(bits - 64)).toBe((1n << 64n) - 1n);
    expect(prime & ((1n << 64n) - 1n)).toBe((1n << 64n) - 1n);
  });

  it('ffdhe2048: p and q = (p - 1) / 2 are prime (a safe prime; the larger ones take OpenSSL minutes)', () => {
    const { prime } = FFDHE_PARAMETERS.ffdhe2048;
    expect(checkPrimeSync(prime, { checks: 1 })).toBe(true);
    expect(checkPrimeSync((prime - 1n) / 2n, { checks: 1 })).toBe(true);
  });
});

describe('key exchange', () => {
  it.each(GROUPS)('%s: the private exponent has at least the bits RFC 7919 §5.2 asks for, its top bit set', (name) => {
    const { privateKey, share } = nobleProvider.keyExchange(name).generate((n) => new Uint8Array(n));
    const exponent = privateKey as Uint8Array;
    expect(8 * exponent.length - 1).toBeGreaterThanOrEqual(RFC_EXPONENT_BITS[name]);
    expect(exponent[0]).toBe(0x80);
    expect(share).toHaveLength(FFDHE_PARAMETERS[name].length);
  });

  it.each(GROUPS)('%s: public values and the shared secret are what OpenSSL computes for the same exponents', (name) => {
    const kx = nobleProvider.keyExchange(name);
    const client = kx.generate(seededRandom(`${name} client`));
    const clientOpenssl = opensslDh(name, client.privateKey as Uint8Array);
    expect(hex(client.share)).toBe(hex(clientOpenssl.publicKey));
    const answer = kx.encapsulate(client.share, seededRandom(`${name} server`))!;
    expect(hex(answer.sharedSecret)).toBe(hex(clientOpenssl.secret(answer.share)));
    expect(hex(kx.decapsulate(client.privateKey, answer.share)!)).toBe(hex(answer.sharedSecret));
  });

  it('ffdhe2048: a public value and a shared secret with leading zero bytes keep the size of p (RFC 8446 §4.2.8.1, §7.4.1)', () => {
    const { prime, length, exponentLength } = FFDHE_PARAMETERS.ffdhe2048;
    const kx = nobleProvider.keyExchange('ffdhe2048');
    // Exponents found with OpenSSL, whose results start with a zero byte.
    const random = seededRandom('leading zeros');
    let exponent: Uint8Array;
    do {
      exponent = random(exponentLength);
      exponent[0]! |= 0x80;
    } while (opensslDh('ffdhe2048', exponent).publicKey[0] !== 0);
    const { share } = kx.generate(fixedRandom(exponent));
    expect(share).toHaveLength(length);
    expect(share[0]).toBe(0);
    expect(os2ip(share) < prime).toBe(true);
    let peer: Uint8Array;
    do {
      peer = i2osp(os2ip(random(length)) % prime, length);
    } while (opensslDh('ffdhe2048', exponent).secret(peer)[0] !== 0 || os2ip(peer) <= 1n);
    const secret = kx.decapsulate(exponent, peer)!;
    expect(secret).toHaveLength(length);
    expect(secret[0]).toBe(0);
    expect(hex(secret)).toBe(hex(opensslDh('ffdhe2048', exponent).secret(peer)));
  });

  it.each(GROUPS)('%s: refuses a peer value Y outside 1 < Y < p - 1, or of another length (RFC 8446 §4.2.8.1)', (name) => {
    const { prime, length } = FFDHE_PARAMETERS[name];
    const kx = nobleProvider.keyExchange(name);
    const client = kx.generate(seededRandom(`${name} range`));
    for (const y of [0n, 1n, prime - 1n, prime, (1n << BigInt(8 * length)) - 1n]) {
      expect(kx.decapsulate(client.privateKey, i2osp(y, length))).toBeNull();
      expect(kx.encapsulate(i2osp(y, length), seededRandom('server'))).toBeNull();
    }
    // The edges just inside are fine.
    for (const y of [2n, prime - 2n]) expect(kx.decapsulate(client.privateKey, i2osp(y, length))).toHaveLength(length);
    // Not padded to the size of p, or one byte too long.
    expect(kx.decapsulate(client.privateKey, client.share.subarray(1))).toBeNull();
    expect(kx.decapsulate(client.privateKey, Uint8Array.of(0, ...client.share))).toBeNull();
  });
});
