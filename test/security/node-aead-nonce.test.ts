// Attacker's test for the node provider's nonce memory (src/node/aead.ts): every seal and open copies the
// caller's nonce into one array of the provider's before node:crypto reads it (node would otherwise move each
// new 12-byte on-heap nonce off the V8 heap, a native allocation per record). If that copy were skipped or
// stale, records would be sealed under an earlier record's nonce (RFC 8446 §5.3: a nonce must never repeat
// under one key; with GCM a repeat gives away the authentication key) and opened under the wrong one. So: each
// record sealed through RecordProtection equals noble's record for the same nonce, interleaved keys and
// directions never see each other's nonce, and a record opens under its own sequence number only.
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import { AEAD_TAG_LENGTHS, type AeadName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider as node } from '../../src/node/crypto.js';
import { RecordProtection } from '../../src/record/protection.js';
import { hex } from '../../src/wire/bytes.js';
import { ContentType } from '../../src/wire/enums.js';
import { TlsError } from '../../src/wire/errors.js';

const AEADS: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM', 'AES-128-CCM-8'];
const random = seededRandom('node aead nonce');

describe.each(AEADS)('node provider %s: the nonce of every call', (aead) => {
  const keyLength = node.aeadKeyLength(aead);

  it('seals each record under its own nonce, two keys interleaved: the same bytes as noble', () => {
    const [keyA, keyB, ivA, ivB] = [random(keyLength), random(keyLength), random(12), random(12)];
    const ours = [new RecordProtection(node, aead, keyA, ivA), new RecordProtection(node, aead, keyB, ivB)];
    const reference = [new RecordProtection(nobleProvider, aead, keyA, ivA), new RecordProtection(nobleProvider, aead, keyB, ivB)];
    for (let i = 0; i < 12; i++) {
      const content = random(1 + ((i * 37) % 300));
      for (const side of [0, 1]) {
        expect(hex(ours[side]!.seal(ContentType.application_data, content)), `record ${i} of key ${side}`).toBe(
          hex(reference[side]!.seal(ContentType.application_data, content)),
        );
      }
    }
  });

  it('opens a record under its own sequence number only, while the other direction seals in between', () => {
    const [key, iv] = [random(keyLength), random(12)];
    const sender = new RecordProtection(nobleProvider, aead, key, iv);
    const records = Array.from({ length: 4 }, (_, i) => sender.seal(ContentType.application_data, random(20 + i)));
    const receiver = new RecordProtection(node, aead, key, iv);
    const otherDirection = new RecordProtection(node, aead, random(keyLength), random(12));
    expect(receiver.open(records[0]!).content.length).toBe(20);
    otherDirection.seal(ContentType.application_data, random(5));
    // records[2] under sequence number 1: the wrong nonce, so the tag cannot verify.
    expect(() => receiver.open(records[2]!)).toThrow(TlsError);
    otherDirection.seal(ContentType.application_data, random(5));
    expect(receiver.open(records[1]!).content.length).toBe(21);
    expect(receiver.open(records[2]!).content.length).toBe(22);
  });

  it('reads the nonce where the caller put it: a view at an odd offset, left unchanged', () => {
    const key = random(keyLength);
    const [aeadKey, reference] = [node.createAead(aead, key), nobleProvider.createAead(aead, key)];
    const memory = random(40);
    const nonce = memory.subarray(7, 19);
    const before = hex(memory);
    const [aad, plaintext] = [random(5), random(33)];
    const sealed = aeadKey.seal(nonce, aad, plaintext);
    expect(sealed.length).toBe(33 + AEAD_TAG_LENGTHS[aead]);
    expect(hex(sealed)).toBe(hex(reference.seal(nonce.slice(), aad, plaintext)));
    expect(hex(memory)).toBe(before);
    expect(hex(aeadKey.open(nonce.slice(), aad, sealed)!)).toBe(hex(plaintext));
    const other = nonce.slice();
    other[11]! ^= 1;
    expect(aeadKey.open(other, aad, sealed)).toBeNull();
  });

  // The nonce memory is 12 bytes shared by every call: a shorter nonce copied in would leave the tail of the
  // previous call's nonce behind, so a record sealed or opened under nonce[0..8] would in fact use the last nonce.
  it('refuses a nonce of any length but 12, even one that is a prefix of the nonce used just before', () => {
    const key = random(keyLength);
    const [aeadKey, reference] = [node.createAead(aead, key), nobleProvider.createAead(aead, key)];
    const [nonce, aad, plaintext] = [random(12), random(5), random(17)];
    const sealed = aeadKey.seal(nonce, aad, plaintext);
    for (const wrong of [nonce.subarray(0, 8), nonce.subarray(0, 11), Uint8Array.of(...nonce, 0), new Uint8Array(0)]) {
      expect(() => aeadKey.seal(wrong, aad, plaintext), `seal, ${wrong.length}-byte nonce`).toThrow(/12-byte nonce/);
      expect(aeadKey.open(nonce, aad, sealed), 'the nonce of the sealed record, just before').not.toBeNull();
      expect(aeadKey.open(wrong, aad, sealed), `open, ${wrong.length}-byte nonce`).toBeNull();
    }
    // Nothing was left behind: the next record is noble's under its own nonce.
    const next = random(12);
    expect(hex(aeadKey.seal(next, aad, plaintext))).toBe(hex(reference.seal(next, aad, plaintext)));
  });
});
