// AeadKey.sealInto, the record layer's path, checked against the same key's seal() for any provider:
// into a separate array, in place over the plaintext's own bytes, and refusing an output of the wrong size.
import { describe, expect, it } from 'vitest';
import { AEAD_TAG_LENGTHS, type AeadName, type CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { hex } from '../../src/wire/bytes.js';

const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM', 'AES-128-CCM-8'];

export function describeSealInto(provider: CryptoProvider): void {
  describe(`${provider.name} AeadKey.sealInto`, () => {
    const random = seededRandom(`sealInto ${provider.name}`);
    it.each(AEADS)('%s writes what seal() returns, into a separate array and in place, for 1 to 2^14 + 1 bytes', (aead) => {
      const key = provider.createAead(aead, random(provider.aeadKeyLength(aead)));
      const tagLength = AEAD_TAG_LENGTHS[aead];
      for (const length of [1, 15, 16, 17, 2 ** 14 + 1]) {
        const [nonce, aad, plaintext] = [random(12), random(5), random(length)];
        const expected = hex(key.seal(nonce, aad, plaintext));
        const output = new Uint8Array(length + tagLength);
        key.sealInto(nonce, aad, plaintext, output);
        expect(hex(output)).toBe(expected);
        // In place, as the record layer seals: the plaintext at an odd offset of a larger array.
        const record = new Uint8Array(5 + length + tagLength);
        record.set(plaintext, 5);
        key.sealInto(nonce, aad, record.subarray(5, 5 + length), record.subarray(5));
        expect(hex(record.subarray(5))).toBe(expected);
        expect(hex(key.open(nonce, aad, record.subarray(5))!)).toBe(hex(plaintext));
      }
    });

    it.each(AEADS)('%s refuses an output that is not plaintext + tag bytes long, before writing to it', (aead) => {
      const key = provider.createAead(aead, random(provider.aeadKeyLength(aead)));
      for (const extra of [-1, 1]) {
        const output = new Uint8Array(10 + AEAD_TAG_LENGTHS[aead] + extra);
        expect(() => key.sealInto(random(12), random(5), random(10), output)).toThrow(/output must be/);
        expect(output.every((b) => b === 0)).toBe(true);
      }
    });
  });
}
