// Attacker's test for the node provider's HMAC rebuilt from two one-shot hashes over one reused buffer
// (src/node/hmac.ts, RFC 2104 §2): against node's createHmac and noble's HMAC for every hash, keys on both
// sides of the block length, messages of every length around the block and around the buffer's first size
// (512, so the grow and the views made per length are crossed in both directions), and HKDF-Expand (RFC 5869
// §2.3) over several blocks. And a hash name the table does not know: one-line TypeError, nothing of the key
// left in the buffer (the buffer's zeroing used to be skipped, and the MAC silently wrong).
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { HashName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { OneShotHmac } from '../../src/node/hmac.js';
import { hex } from '../../src/wire/bytes.js';

const HASHES: Array<[HashName, number]> = [
  ['sha1', 64],
  ['sha256', 64],
  ['sha384', 128],
  ['sha512', 128],
];
const random = seededRandom('node hmac differential');
const reference = (hash: HashName, key: Uint8Array, ...parts: Uint8Array[]) => {
  const mac = createHmac(hash, key);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};

describe.each(HASHES)('HMAC-%s from one-shot hashes (block %i)', (hash, block) => {
  it('equals createHmac and noble for keys around the block length and every message length around the block and the buffer', () => {
    const hmac = new OneShotHmac();
    const keyLengths = [0, 1, 20, block / 2, block - 1, block, block + 1, 2 * block + 3, 1000];
    const messageLengths = [
      ...Array.from({ length: 2 * block + 2 }, (_, i) => i),
      ...[384, 447, 448, 449, 511, 512, 513, 700, 5000].flatMap((n) => [n - block, n]),
      // After the buffer grew: short again, then long again (views made before the grow must not be reused).
      3,
      block + 1,
      9000,
      0,
    ];
    for (const keyLength of keyLengths) {
      const key = random(keyLength);
      for (const length of messageLengths) {
        const data = random(length);
        const expected = reference(hash, key, data);
        expect(hex(hmac.compute(hash, key, data)), `key ${keyLength}, message ${length}`).toBe(expected);
        expect(hex(nodeCryptoProvider.hmac(hash, key, data)), `key ${keyLength}, message ${length}`).toBe(expected);
      }
      expect(hmac.scratch.every((byte) => byte === 0)).toBe(true);
    }
    // noble, an independent implementation, on a sample (it is slower).
    for (const keyLength of keyLengths) {
      const [key, data] = [random(keyLength), random((keyLength * 7) % (2 * block + 1))];
      expect(hex(nodeCryptoProvider.hmac(hash, key, data))).toBe(hex(nobleProvider.hmac(hash, key, data)));
    }
  });

  it('HKDF-Expand over one and several blocks equals T(i) = HMAC(PRK, T(i-1) | info | i) built from createHmac', () => {
    const hashLength = nodeCryptoProvider.hashLength(hash);
    for (const infoLength of [0, 1, block, 300]) {
      const [prk, info] = [random(hashLength), random(infoLength)];
      let okm = '';
      let previous = new Uint8Array(0);
      for (let i = 1; okm.length < 2 * 255 * hashLength; i++) {
        previous = new Uint8Array(createHmac(hash, prk).update(previous).update(info).update(Uint8Array.of(i)).digest());
        okm += hex(previous);
      }
      for (const length of [1, hashLength - 1, hashLength, hashLength + 1, 3 * hashLength + 5, 255 * hashLength]) {
        expect(hex(nodeCryptoProvider.hkdfExpand(hash, prk, info, length)), `info ${infoLength}, length ${length}`).toBe(okm.slice(0, 2 * length));
      }
    }
  });
});

describe('a hash name the node provider does not know', () => {
  it.each(['sha3-256', 'md5', 'SHA256', 'constructor', 'nope'])('HMAC with %s: a one-line TypeError, and the reused buffer keeps nothing of the key', (name) => {
    const hmac = new OneShotHmac();
    const key = random(20).map((byte) => byte | 1);
    expect(() => hmac.compute(name as HashName, key, random(3))).toThrow(TypeError);
    expect(() => hmac.compute(name as HashName, key, random(3))).toThrow(/^HMAC: unknown hash/);
    expect(hmac.scratch.every((byte) => byte === 0)).toBe(true);
    expect(() => nodeCryptoProvider.hmac(name as HashName, key, random(3))).toThrow(TypeError);
    expect(() => nodeCryptoProvider.hkdfExtract(name as HashName, key, random(3))).toThrow(TypeError);
    expect(() => nodeCryptoProvider.hkdfExpand(name as HashName, key, random(3), 16)).toThrow(TypeError);
  });
});
