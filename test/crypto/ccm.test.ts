// AES-CCM (src/crypto/ccm.ts) against the published vectors, and against node:crypto (OpenSSL) for the two
// TLS 1.3 shapes: 12-byte nonce, 16-byte tag (TLS_AES_128_CCM_SHA256) and 8-byte tag (TLS_AES_128_CCM_8_SHA256).
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCcm } from '../../src/crypto/ccm.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { fromHex, hex } from '../../src/wire/bytes.js';

interface Vector {
  source: string;
  key: string;
  nonce: string;
  aad: string;
  plaintext: string;
  /** ciphertext | tag */
  sealed: string;
  tagLength: number;
}

const NIST_KEY = '404142434445464748494a4b4c4d4e4f';

const VECTORS: Vector[] = [
  {
    // RFC 3610 §8, Packet Vector #1: M = 8, L = 2 (13-byte nonce), 8 bytes of AAD, 23 of payload.
    source: 'RFC 3610 Packet Vector #1',
    key: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf',
    nonce: '00000003020100a0a1a2a3a4a5',
    aad: '0001020304050607',
    plaintext: '08090a0b0c0d0e0f101112131415161718191a1b1c1d1e',
    sealed: '588c979a61c663d2f066d0c2c0f989806d5f6b61dac384 17e8d12cfdf926e0',
    tagLength: 8,
  },
  {
    // NIST SP 800-38C Appendix C, Example 1: Tlen = 32, Nlen = 56, Alen = 64, Plen = 32.
    source: 'SP 800-38C Example 1',
    key: NIST_KEY,
    nonce: '10111213141516',
    aad: '0001020304050607',
    plaintext: '20212223',
    sealed: '7162015b 4dac255d',
    tagLength: 4,
  },
  {
    // Example 2: Tlen = 48, Nlen = 64, Alen = 128, Plen = 128.
    source: 'SP 800-38C Example 2',
    key: NIST_KEY,
    nonce: '1011121314151617',
    aad: '000102030405060708090a0b0c0d0e0f',
    plaintext: '202122232425262728292a2b2c2d2e2f',
    sealed: 'd2a1f0e051ea5f62081a7792073d593d 1fc64fbfaccd',
    tagLength: 6,
  },
  {
    // Example 3: Tlen = 64, Nlen = 96 (the TLS nonce length, L = 3), Alen = 160, Plen = 192.
    source: 'SP 800-38C Example 3',
    key: NIST_KEY,
    nonce: '101112131415161718191a1b',
    aad: '000102030405060708090a0b0c0d0e0f10111213',
    plaintext: '202122232425262728292a2b2c2d2e2f3031323334353637',
    sealed: 'e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5 484392fbc1b09951',
    tagLength: 8,
  },
];

describe('AES-CCM against its published vectors', () => {
  it.each(VECTORS)('seals and opens $source', (v) => {
    const ccm = aesCcm(fromHex(v.key), v.tagLength);
    const sealed = ccm.seal(fromHex(v.nonce), fromHex(v.aad), fromHex(v.plaintext));
    expect(hex(sealed)).toBe(hex(fromHex(v.sealed)));
    expect(hex(ccm.open(fromHex(v.nonce), fromHex(v.aad), sealed)!)).toBe(v.plaintext);
  });

  it.each(VECTORS)('refuses $source with any one bit flipped, in ciphertext, tag, nonce or aad', (v) => {
    const ccm = aesCcm(fromHex(v.key), v.tagLength);
    const [nonce, aad, sealed] = [fromHex(v.nonce), fromHex(v.aad), fromHex(v.sealed)];
    const flipped = (bytes: Uint8Array, bit: number) => {
      const copy = bytes.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      return copy;
    };
    for (let bit = 0; bit < sealed.length * 8; bit++) expect(ccm.open(nonce, aad, flipped(sealed, bit))).toBeNull();
    for (let bit = 0; bit < nonce.length * 8; bit += 7) expect(ccm.open(flipped(nonce, bit), aad, sealed)).toBeNull();
    for (let bit = 0; bit < aad.length * 8; bit += 5) expect(ccm.open(nonce, flipped(aad, bit), sealed)).toBeNull();
  });

  it('refuses a truncated tag and a sealed message shorter than the tag', () => {
    const v = VECTORS[3]!;
    const ccm = aesCcm(fromHex(v.key), v.tagLength);
    const sealed = fromHex(v.sealed);
    expect(ccm.open(fromHex(v.nonce), fromHex(v.aad), sealed.subarray(0, sealed.length - 1))).toBeNull();
    expect(ccm.open(fromHex(v.nonce), fromHex(v.aad), sealed.subarray(0, v.tagLength - 1))).toBeNull();
  });

  it('refuses parameters RFC 3610 does not define', () => {
    expect(() => aesCcm(new Uint8Array(16), 5)).toThrow(/tag length 5/);
    expect(() => aesCcm(new Uint8Array(16), 18)).toThrow(/tag length 18/);
    expect(() => aesCcm(new Uint8Array(15), 16)).toThrow(/key/);
    expect(() => aesCcm(new Uint8Array(16), 16).seal(new Uint8Array(14), new Uint8Array(0), new Uint8Array(1))).toThrow(/nonce of 14/);
    // A 13-byte nonce leaves L = 2 bytes of length: 65,536 bytes do not fit.
    expect(() => aesCcm(new Uint8Array(16), 16).seal(new Uint8Array(13), new Uint8Array(0), new Uint8Array(65536))).toThrow(/does not fit 2 length bytes/);
  });
});

describe('AES-128-CCM as TLS 1.3 uses it, against node:crypto', () => {
  function nodeSeal(tagLength: number, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): string {
    const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: tagLength });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]).toString('hex');
  }

  it.each([
    ['AES-128-CCM', 16],
    ['AES-128-CCM-8', 8],
  ] as const)('the noble provider seals %s as node:crypto does (12-byte nonce, %i-byte tag), 1 to 2^14 + 1 bytes', (name, tagLength) => {
    // From 1 byte: a TLSInnerPlaintext is never empty (RFC 8446 §5.2), and node:crypto cannot CCM-seal nothing.
    for (const length of [1, 15, 16, 17, 31, 255, 256, 1000, 2 ** 14 + 1]) {
      const key = randomBytes(16);
      const nonce = randomBytes(12);
      // TLS's additional data is the 5-byte record header (RFC 8446 §5.2); other lengths too, up past 0xff00.
      const aad = randomBytes([5, 0, 1, 16, 0xff00][length % 5]!);
      const plaintext = randomBytes(length);
      const aead = nobleProvider.createAead(name, key);
      const sealed = aead.seal(nonce, aad, plaintext);
      expect(sealed.length).toBe(length + tagLength);
      expect(hex(sealed)).toBe(nodeSeal(tagLength, key, nonce, aad, plaintext));
      expect(hex(aead.open(nonce, aad, sealed)!)).toBe(hex(plaintext));
      expect(aead.open(nonce, aad, flipLast(sealed))).toBeNull();
    }
  });
});

function flipLast(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1]! ^= 0x80;
  return copy;
}
