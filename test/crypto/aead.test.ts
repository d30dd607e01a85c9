import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider as crypto } from '../../src/crypto/noble.js';
import { AEAD_TAG_LENGTHS, type AeadName } from '../../src/crypto/provider.js';
import { concat, fromHex, hex, utf8 } from '../../src/wire/bytes.js';
import { describeSealInto } from './aead-seal-into.js';

describe('ChaCha20-Poly1305', () => {
  // RFC 8439 §2.8.2: nonce = 32-bit fixed-common part || IV.
  const key = fromHex('808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f');
  const nonce = fromHex('07000000 4041424344454647');
  const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
  const plaintext = utf8.encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const ciphertext = fromHex(`
    d31a8d34648e60db7b86afbc53ef7ec2 a4aded51296e08fea9e2b5a736ee62d6 3dbea45e8ca9671282fafb69da92728b
    1a71de0a9e060b2905d6a5b67ecd3b36 92ddbd7f2d778b8c9803aee328091b58 fab324e4fad675945585808b4831d7bc
    3ff4def08e4b7a9de576d26586cec64b 6116`);
  const tag = fromHex('1ae10b594f09e26a7e902ecbd0600691');

  it('seals the RFC 8439 §2.8.2 vector to its ciphertext and tag', () => {
    expect(hex(crypto.createAead('ChaCha20-Poly1305', key).seal(nonce, aad, plaintext))).toBe(hex(concat(ciphertext, tag)));
  });

  it('opens the RFC 8439 §2.8.2 vector', () => {
    const opened = crypto.createAead('ChaCha20-Poly1305', key).open(nonce, aad, concat(ciphertext, tag));
    expect(opened && hex(opened)).toBe(hex(plaintext));
  });
});

const GCM_SUITES: [AeadName, 'aes-128-gcm' | 'aes-256-gcm'][] = [
  ['AES-128-GCM', 'aes-128-gcm'],
  ['AES-256-GCM', 'aes-256-gcm'],
];

function nodeGcmSeal(cipher: string, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): string {
  const c = createCipheriv(cipher as 'aes-128-gcm', key, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]).toString('hex');
}

describe('AES-GCM', () => {
  for (const [name, nodeName] of GCM_SUITES) {
    it(`${name} seals what node:crypto seals and opens it again, for random keys, nonces and aad`, () => {
      for (const length of [0, 1, 16, 17, 100]) {
        const key = randomBytes(crypto.aeadKeyLength(name));
        const nonce = randomBytes(12);
        const aad = randomBytes(length % 13);
        const plaintext = randomBytes(length);
        const aead = crypto.createAead(name, key);
        const sealed = aead.seal(nonce, aad, plaintext);
        expect(hex(sealed)).toBe(nodeGcmSeal(nodeName, key, nonce, aad, plaintext));
        expect(hex(aead.open(nonce, aad, sealed)!)).toBe(hex(plaintext));
      }
    });
  }
});

describe('AEAD authentication failures', () => {
  const names: AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'ChaCha20-Poly1305', 'AES-128-CCM', 'AES-128-CCM-8'];
  for (const name of names) {
    const aead = crypto.createAead(name, randomBytes(crypto.aeadKeyLength(name)));
    const nonce = randomBytes(12);
    const aad = utf8.encode('record header');
    const sealed = aead.seal(nonce, aad, utf8.encode('hello, world'));
    const flipped = (bytes: Uint8Array, index: number) => bytes.map((b, i) => (i === index ? b ^ 1 : b));

    it(`${name} returns null for a tampered ciphertext byte`, () => {
      expect(aead.open(nonce, aad, flipped(sealed, 0))).toBeNull();
    });
    it(`${name} returns null for a tampered tag byte`, () => {
      expect(aead.open(nonce, aad, flipped(sealed, sealed.length - 1))).toBeNull();
    });
    it(`${name} returns null for different additional data`, () => {
      expect(aead.open(nonce, flipped(aad, 3), sealed)).toBeNull();
    });
    it(`${name} returns null for another nonce`, () => {
      expect(aead.open(flipped(nonce, 11), aad, sealed)).toBeNull();
    });
    it(`${name} returns null for input shorter than a tag`, () => {
      expect(aead.open(nonce, aad, sealed.subarray(0, AEAD_TAG_LENGTHS[name] - 1))).toBeNull();
    });
  }

  it('refuses a key of the wrong length', () => {
    expect(() => crypto.createAead('AES-128-GCM', new Uint8Array(32))).toThrow(/16-byte key/);
  });
});

describeSealInto(crypto);
