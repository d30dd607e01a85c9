import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider as crypto } from '../../src/crypto/noble.js';
import type { HashName } from '../../src/crypto/provider.js';
import { fromHex, hex, utf8 } from '../../src/wire/bytes.js';

// RFC 5869 Appendix A, test cases 1-3 (SHA-256).
const RFC5869_CASES = [
  {
    name: 'test case 1 (basic)',
    ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
    salt: '000102030405060708090a0b0c',
    info: 'f0f1f2f3f4f5f6f7f8f9',
    length: 42,
    prk: '077709362c2e32df0ddc3f0dc47bba63 90b6c73bb50f9c3122ec844ad7c2b3e5',
    okm: '3cb25f25faacd57a90434f64d0362f2a 2d2d0a90cf1a5a4c5db02d56ecc4c5bf 34007208d5b887185865',
  },
  {
    name: 'test case 2 (longer inputs and outputs)',
    ikm: `000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f 202122232425262728292a2b2c2d2e2f
          303132333435363738393a3b3c3d3e3f 404142434445464748494a4b4c4d4e4f`,
    salt: `606162636465666768696a6b6c6d6e6f 707172737475767778797a7b7c7d7e7f 808182838485868788898a8b8c8d8e8f
           909192939495969798999a9b9c9d9e9f a0a1a2a3a4a5a6a7a8a9aaabacadaeaf`,
    info: `b0b1b2b3b4b5b6b7b8b9babbbcbdbebf c0c1c2c3c4c5c6c7c8c9cacbcccdcecf d0d1d2d3d4d5d6d7d8d9dadbdcdddedf
           e0e1e2e3e4e5e6e7e8e9eaebecedeeef f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff`,
    length: 82,
    prk: '06a6b88c5853361a06104c9ceb35b45c ef760014904671014a193f40c15fc244',
    okm: `b11e398dc80327a1c8e7f78c596a4934 4f012eda2d4efad8a050cc4c19afa97c 59045a99cac7827271cb41c65e590e09
          da3275600c2f09b8367793a9aca3db71 cc30c58179ec3e87c14c01d5c1f3434f 1d87`,
  },
  {
    name: 'test case 3 (zero-length salt and info)',
    ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
    salt: '',
    info: '',
    length: 42,
    prk: '19ef24a32c717b167f33a91d6f648bdf 96596776afdb6377ac434c1c293ccb04',
    okm: '8da4e775a563c18f715f802a063c5a31 b8a11f5c5ee1879ec3454e5f3c738d2d 9d201395faa4b61a96c8',
  },
];

const HASHES: HashName[] = ['sha1', 'sha256', 'sha384', 'sha512'];

describe('HKDF (RFC 5869)', () => {
  for (const c of RFC5869_CASES) {
    it(`reproduces the PRK and OKM of RFC 5869 ${c.name}`, () => {
      const prk = crypto.hkdfExtract('sha256', fromHex(c.salt), fromHex(c.ikm));
      expect(hex(prk)).toBe(hex(fromHex(c.prk)));
      expect(hex(crypto.hkdfExpand('sha256', prk, fromHex(c.info), c.length))).toBe(hex(fromHex(c.okm)));
    });
  }
});

describe('hashes and HMAC', () => {
  const data = utf8.encode('TLS 1.3 transcript bytes, fed in pieces');

  for (const name of HASHES) {
    it(`computes ${name} and HMAC-${name} as node:crypto does`, () => {
      const key = utf8.encode('a key');
      expect(hex(crypto.hash(name, data))).toBe(createHash(name).update(data).digest('hex'));
      expect(hex(crypto.hmac(name, key, data))).toBe(createHmac(name, key).update(data).digest('hex'));
      expect(crypto.hashLength(name)).toBe(createHash(name).digest().length);
    });
  }

  it('reads a running hash many times without finalizing it', () => {
    const running = crypto.createHash('sha384');
    const reference = createHash('sha384');
    for (const piece of [data.subarray(0, 5), data.subarray(5, 20), data.subarray(20)]) {
      running.update(piece);
      reference.update(piece);
      expect(hex(running.digest())).toBe(reference.copy().digest('hex'));
      expect(hex(running.digest())).toBe(reference.copy().digest('hex'));
    }
  });

  it('clones a running hash into an independent copy', () => {
    const original = crypto.createHash('sha256').update(data.subarray(0, 10));
    const copy = original.clone().update(data.subarray(10));
    expect(hex(original.digest())).toBe(createHash('sha256').update(data.subarray(0, 10)).digest('hex'));
    expect(hex(copy.digest())).toBe(createHash('sha256').update(data).digest('hex'));
  });
});
