// Attacker's test for the per-record nonce built without slice() (src/record/protection.ts, RFC 8446 §5.3:
// the 64-bit sequence number, left-padded to 12 bytes, XORed with the static IV): equal to a BigInt reference
// on both sides of every power of two up to 2^53 (a carry into the next byte, the 32-bit split), and a new
// array for every record, so a provider that keeps the nonce it was given never sees it change (a nonce
// rewritten in place after sealing is one reused on the next record).
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { AeadKey, CryptoProvider } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { RecordProtection } from '../../src/record/protection.js';
import { hex } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';

const random = seededRandom('nonce every boundary');
const [key, iv] = [random(16), random(12)];

function referenceNonce(sequence: bigint): string {
  const nonce = iv.slice();
  for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((sequence >> BigInt(8 * i)) & 0xffn);
  return hex(nonce);
}

describe('record nonces (RFC 8446 §5.3)', () => {
  it('equal the reference on both sides of every power of two up to 2^53', () => {
    const protection = new RecordProtection(nobleProvider, 'AES-128-GCM', key, iv);
    const nonceFor = (sequence: number): Uint8Array => protection['nonceFor'](sequence);
    for (let bit = 0; bit <= 53; bit++) {
      for (const sequence of [2 ** bit - 1, 2 ** bit, 2 ** bit + 1]) {
        if (sequence >= Number.MAX_SAFE_INTEGER) continue; // the cap (DEFAULT_MAX_RECORDS) refuses it
        expect(hex(nonceFor(sequence)), `sequence 2^${bit} ${sequence - 2 ** bit}`).toBe(referenceNonce(BigInt(sequence)));
      }
    }
  });

  it('are new arrays: a provider keeping every nonce it was given sees each unchanged and all different', () => {
    const kept: Array<{ nonce: Uint8Array; asGiven: string }> = [];
    const keeping: Pick<CryptoProvider, 'createAead' | 'aeadKeyLength'> = {
      aeadKeyLength: nobleProvider.aeadKeyLength,
      createAead(aead, aeadKey): AeadKey {
        const inner = nobleProvider.createAead(aead, aeadKey);
        return {
          seal(nonce, aad, plaintext) {
            kept.push({ nonce, asGiven: hex(nonce) });
            return inner.seal(nonce, aad, plaintext);
          },
          open: (nonce, aad, ciphertext) => inner.open(nonce, aad, ciphertext),
        };
      },
    };
    const sender = new RecordProtection(keeping, 'AES-128-GCM', key, iv);
    for (let i = 0; i < 300; i++) sender.seal(ContentType.application_data, random(i % 7));
    expect(kept.map((k) => hex(k.nonce))).toEqual(kept.map((k) => k.asGiven));
    expect(kept.map((k) => k.asGiven)).toEqual(kept.map((_, i) => referenceNonce(BigInt(i))));
    expect(new Set(kept.map((k) => k.asGiven)).size).toBe(300);
  });
});
