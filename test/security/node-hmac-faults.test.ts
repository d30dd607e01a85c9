// Attacker's test for the node provider's HMAC over one reused buffer (src/node/hmac.ts): the word-wise pads
// need the buffer all zeros between calls (K is padded with whatever follows it). Attacks beyond the
// differential of node-hmac-differential.test.ts: a call that throws half-way (after K ^ ipad is in the
// buffer), calls whose result is written over their own key or message, and a long random interleaving of
// hashes with blocks of 64 and 128 bytes, key and message lengths not multiples of 4, across the buffer's grow.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HashName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { OneShotHmac } from '../../src/node/hmac.js';
import { hex } from '../../src/wire/bytes.js';

const random = seededRandom('node hmac faults');
const HASHES: HashName[] = ['sha1', 'sha256', 'sha384', 'sha512'];
const reference = (hash: HashName, key: Uint8Array, ...parts: Uint8Array[]) => parts.reduce((mac, part) => mac.update(part), createHmac(hash, key)).digest('hex');
const allZero = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);

/** An array-like message whose third byte cannot be read: the copy into the buffer throws after the key's pad is in. */
function throwingMessage(length: number): Uint8Array {
  const bytes: Record<number, number> & { length: number } = { length };
  for (let i = 0; i < length; i++) if (i !== 2) bytes[i] = i;
  Object.defineProperty(bytes, 2, { get: () => { throw new Error('unreadable byte'); } });
  return bytes as unknown as Uint8Array;
}

describe('the reused HMAC buffer under faults and aliasing', () => {
  it.each(HASHES)('%s: a call that throws after K ^ ipad is in the buffer leaves it all zeros, and the next MAC is right', (hash) => {
    const hmac = new OneShotHmac();
    for (const keyLength of [5, 64, 127, 200]) {
      const key = random(keyLength).map((b) => b | 0x80);
      for (const second of [false, true]) {
        const call = () => (second ? hmac.compute(hash, key, random(7), throwingMessage(9), 1) : hmac.compute(hash, key, throwingMessage(9)));
        expect(call).toThrow('unreadable byte');
        expect(allZero(hmac.scratch), `key ${keyLength}`).toBe(true);
        const [otherKey, data] = [random(3), random(41)];
        expect(hex(hmac.compute(hash, otherKey, data))).toBe(reference(hash, otherKey, data));
      }
    }
  });

  it.each(HASHES)('%s: the result written over its own key or message (output aliasing the inputs) is still the MAC', (hash) => {
    const hmac = new OneShotHmac();
    const length = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 }[hash];
    const key = random(length);
    const expectedOverKey = reference(hash, key, Uint8Array.of(1, 2, 3));
    expect(hex(hmac.compute(hash, key, Uint8Array.of(1, 2, 3), undefined, undefined, undefined, key))).toBe(expectedOverKey);
    const data = random(length);
    const expectedOverData = reference(hash, Uint8Array.of(9), data);
    expect(hex(hmac.compute(hash, Uint8Array.of(9), data, undefined, undefined, undefined, data))).toBe(expectedOverData);
    expect(allZero(hmac.scratch)).toBe(true);
  });

  it('3000 random calls, hashes interleaved, odd key and message lengths, across the grow: each equals createHmac', () => {
    const hmac = new OneShotHmac();
    const pick = (n: number) => random(2).reduce((a, b) => a * 256 + b, 0) % n;
    for (let i = 0; i < 3000; i++) {
      const hash = HASHES[pick(4)]!;
      const key = random(pick(i % 50 === 0 ? 400 : 140));
      const first = random(pick(i % 97 === 0 ? 2000 : 300));
      const second = pick(3) === 0 ? random(pick(90)) : undefined;
      const counter = second !== undefined || pick(2) === 0 ? pick(256) : undefined;
      const parts = [first, ...(second ? [second] : []), ...(counter === undefined ? [] : [Uint8Array.of(counter)])];
      expect(hex(hmac.compute(hash, key, first, second, counter)), `call ${i}: ${hash}, key ${key.length}, data ${first.length}+${second?.length}`).toBe(reference(hash, key, ...parts));
    }
    expect(allZero(hmac.scratch)).toBe(true);
  });
});
