import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider as crypto } from '../../src/crypto/noble.js';
import type { GroupName } from '../../src/crypto/provider.js';
import { fixedRandom, seededRandom } from '../../src/crypto/random.js';
import { fromHex, hex } from '../../src/wire/bytes.js';

describe('X25519', () => {
  const x25519 = crypto.keyExchange('x25519');
  // RFC 7748 §6.1
  const alicePrivate = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const alicePublic = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
  const bobPrivate = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
  const bobPublic = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
  const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

  it('makes the key pair of RFC 7748 §6.1 from its private key, drawn from the random source', () => {
    const alice = x25519.generate(fixedRandom(alicePrivate));
    expect(hex(alice.privateKey as Uint8Array)).toBe(hex(alicePrivate));
    expect(hex(alice.share)).toBe(alicePublic);
  });

  it('computes the shared secret of RFC 7748 §6.1 on both sides: the server encapsulates, the client decapsulates', () => {
    const answer = x25519.encapsulate(fromHex(alicePublic), fixedRandom(bobPrivate))!;
    expect(hex(answer.share)).toBe(bobPublic);
    expect(hex(answer.sharedSecret)).toBe(shared);
    expect(hex(x25519.decapsulate(alicePrivate, fromHex(bobPublic))!)).toBe(shared);
  });

  it('returns null for low-order peer points, whose shared secret would be all zeros', () => {
    // u = 0 and u = 1 are points of small order (RFC 7748 §7); so is p - 1 (= 0xec ff .. 7f).
    const lowOrder = ['00'.repeat(32), '01' + '00'.repeat(31), 'ec' + 'ff'.repeat(30) + '7f'];
    for (const u of lowOrder) {
      expect(x25519.decapsulate(alicePrivate, fromHex(u))).toBeNull();
      expect(x25519.encapsulate(fromHex(u), fixedRandom(bobPrivate))).toBeNull();
    }
  });

  it('returns null for a peer value of the wrong length', () => {
    expect(x25519.decapsulate(alicePrivate, fromHex(bobPublic).subarray(1))).toBeNull();
    expect(x25519.decapsulate(alicePrivate, new Uint8Array(33))).toBeNull();
    expect(x25519.encapsulate(new Uint8Array(0), fixedRandom(bobPrivate))).toBeNull();
  });
});

describe('X448', () => {
  const x448 = crypto.keyExchange('x448');
  // RFC 7748 §6.2
  const alicePrivate = fromHex('9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b');
  const alicePublic = '9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0';
  const bobPrivate = fromHex('1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d');
  const bobPublic = '3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609';
  const shared = '07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d';

  it('makes the key pairs of RFC 7748 §6.2 and computes its shared secret on both sides', () => {
    expect(x448.shareLengths).toEqual({ client: 56, server: 56 });
    expect(hex(x448.generate(fixedRandom(alicePrivate)).share)).toBe(alicePublic);
    const answer = x448.encapsulate(fromHex(alicePublic), fixedRandom(bobPrivate))!;
    expect(hex(answer.share)).toBe(bobPublic);
    expect(hex(answer.sharedSecret)).toBe(shared);
    expect(hex(x448.decapsulate(alicePrivate, fromHex(bobPublic))!)).toBe(shared);
  });

  it('returns null for low-order points (u = 0, u = 1: an all-zero secret, RFC 7748 §6.2) and wrong lengths', () => {
    for (const u of [new Uint8Array(56), Uint8Array.of(1, ...new Uint8Array(55))]) {
      expect(x448.decapsulate(alicePrivate, u)).toBeNull();
      expect(x448.encapsulate(u, fixedRandom(bobPrivate))).toBeNull();
    }
    expect(x448.decapsulate(alicePrivate, fromHex(bobPublic).subarray(1))).toBeNull();
    expect(x448.encapsulate(new Uint8Array(57), fixedRandom(bobPrivate))).toBeNull();
  });
});

const NIST_GROUPS: [GroupName, string, number][] = [
  ['secp256r1', 'prime256v1', 32],
  ['secp384r1', 'secp384r1', 48],
  ['secp521r1', 'secp521r1', 66],
];

describe('ECDHE over P-256, P-384 and P-521', () => {
  for (const [group, nodeCurve, fieldLength] of NIST_GROUPS) {
    const kex = crypto.keyExchange(group);

    it(`${group}: the public key is the uncompressed point node:crypto derives from the same private key`, () => {
      const { privateKey, share } = kex.generate(seededRandom(`${group} public key`));
      const node = createECDH(nodeCurve);
      node.setPrivateKey(privateKey as Uint8Array);
      expect(share.length).toBe(1 + 2 * fieldLength);
      expect(kex.shareLengths).toEqual({ client: share.length, server: share.length });
      expect(hex(share)).toBe(node.getPublicKey('hex', 'uncompressed'));
    });

    it(`${group}: the shared secret is the x-coordinate node:crypto computes, for random keys`, () => {
      for (let i = 0; i < 5; i++) {
        const ours = kex.generate(seededRandom(`${group} ${i}`));
        const node = createECDH(nodeCurve);
        const nodePublic = node.generateKeys();
        const secret = kex.decapsulate(ours.privateKey, nodePublic);
        expect(secret?.length).toBe(fieldLength);
        expect(hex(secret!)).toBe(node.computeSecret(ours.share).toString('hex'));
        const answer = kex.encapsulate(nodePublic, seededRandom(`${group} server ${i}`))!;
        expect(hex(answer.sharedSecret)).toBe(node.computeSecret(answer.share).toString('hex'));
      }
    });

    it(`${group}: every random input makes a private key node:crypto accepts`, () => {
      for (const fill of [0x00, 0xff]) {
        const { privateKey } = kex.generate((length) => new Uint8Array(length).fill(fill));
        expect(() => createECDH(nodeCurve).setPrivateKey(privateKey as Uint8Array)).not.toThrow();
      }
    });

    it(`${group}: returns null for invalid peer points`, () => {
      const { privateKey } = kex.generate(seededRandom(`${group} invalid`));
      const valid = createECDH(nodeCurve);
      valid.generateKeys();
      const uncompressed = new Uint8Array(valid.getPublicKey());
      const offCurve = uncompressed.slice();
      offCurve[offCurve.length - 1]! ^= 1;
      const beyondField = uncompressed.slice();
      beyondField.fill(0xff, 1, 1 + fieldLength);
      const invalid = [
        offCurve,
        beyondField,
        new Uint8Array(valid.getPublicKey(null, 'compressed')), // TLS 1.3 allows the uncompressed form only
        Uint8Array.of(0x00), // the point at infinity
        new Uint8Array(1 + 2 * fieldLength), // zero prefix
        uncompressed.subarray(0, uncompressed.length - 1),
        new Uint8Array(0),
      ];
      for (const peer of invalid) {
        expect(kex.decapsulate(privateKey, peer)).toBeNull();
        expect(kex.encapsulate(peer, seededRandom(`${group} server`))).toBeNull();
      }
    });
  }
});
