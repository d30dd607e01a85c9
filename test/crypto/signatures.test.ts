import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider as crypto } from '../../src/crypto/noble.js';
import type { CurveName, HashName, PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { systemRandom } from '../../src/crypto/random.js';
import { concat, fromHex, hex, utf8 } from '../../src/wire/bytes.js';

const noRandom = () => {
  throw new Error('this signature must not draw randomness');
};

describe('Ed25519 (RFC 8032 §7.1)', () => {
  const vectors = [
    {
      name: 'TEST 1',
      secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      message: '',
      signature: `e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155
                  5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b`,
    },
    {
      name: 'TEST 2',
      secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      public: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      message: '72',
      signature: `92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da
                  085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00`,
    },
    {
      name: 'TEST 3',
      secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
      public: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      message: 'af82',
      signature: `6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac
                  18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a`,
    },
  ];

  for (const v of vectors) {
    const privateKey: PrivateKey = { kind: 'ed25519', seed: fromHex(v.secret) };
    const publicKey: PublicKey = { kind: 'ed25519', publicKey: fromHex(v.public) };
    const message = fromHex(v.message);
    const signature = fromHex(v.signature);

    it(`derives the public key of ${v.name}`, () => {
      expect(publicKeyHex(crypto.publicKeyOf(privateKey))).toBe(v.public);
    });

    it(`makes the signature of ${v.name}`, () => {
      expect(hex(crypto.sign({ kind: 'ed25519' }, privateKey, message, noRandom))).toBe(hex(signature));
    });

    it(`accepts the signature of ${v.name} and rejects it over another message`, () => {
      expect(crypto.verify({ kind: 'ed25519' }, publicKey, message, signature)).toBe(true);
      expect(crypto.verify({ kind: 'ed25519' }, publicKey, concat(message, Uint8Array.of(0)), signature)).toBe(false);
    });
  }

  it('rejects a signature of the wrong length without throwing', () => {
    const publicKey: PublicKey = { kind: 'ed25519', publicKey: fromHex(vectors[0]!.public) };
    expect(crypto.verify({ kind: 'ed25519' }, publicKey, new Uint8Array(0), new Uint8Array(63))).toBe(false);
  });
});

function publicKeyHex(key: PublicKey): string {
  if (key.kind === 'ed25519' || key.kind === 'ed448') return hex(key.publicKey);
  if (key.kind === 'ecdsa') return hex(key.point);
  if (key.kind === 'ml-dsa') return hex(key.publicKey);
  return key.n.toString(16);
}

const fromBase64Url = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));

// Group orders from FIPS 186-4 Appendix D.1.2.
const ORDERS: Record<CurveName, bigint> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521': 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};
const NODE_CURVES: Record<CurveName, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

interface EcdsaPair {
  privateKey: PrivateKey;
  publicKey: PublicKey;
  nodePrivate: KeyObject;
  nodePublic: KeyObject;
}

function ecdsaPair(curve: CurveName): EcdsaPair {
  const { privateKey: nodePrivate, publicKey: nodePublic } = generateKeyPairSync('ec', { namedCurve: NODE_CURVES[curve] });
  const jwk = nodePrivate.export({ format: 'jwk' });
  return {
    privateKey: { kind: 'ecdsa', curve, d: fromBase64Url(jwk.d!) },
    publicKey: { kind: 'ecdsa', curve, point: concat(Uint8Array.of(0x04), fromBase64Url(jwk.x!), fromBase64Url(jwk.y!)) },
    nodePrivate,
    nodePublic,
  };
}

/** Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 §2.2 / RFC 3279 §2.2.3), short-form lengths. */
function derToRs(der: Uint8Array): [bigint, bigint] {
  const readInteger = (at: number): [bigint, number] => {
    expect(der[at]).toBe(0x02);
    const length = der[at + 1]!;
    return [BigInt('0x' + hex(der.subarray(at + 2, at + 2 + length))), at + 2 + length];
  };
  expect(der[0]).toBe(0x30);
  const [r, next] = readInteger(2);
  const [s] = readInteger(next);
  return [r, s];
}

function rsToDer(r: bigint, s: bigint): Uint8Array {
  const integer = (x: bigint) => {
    let body = fromHex(x.toString(16).padStart(Math.ceil(x.toString(16).length / 2) * 2, '0'));
    if (body[0]! & 0x80) body = concat(Uint8Array.of(0), body);
    return concat(Uint8Array.of(0x02, body.length), body);
  };
  const content = concat(integer(r), integer(s));
  return concat(Uint8Array.of(0x30, content.length), content);
}

describe('ECDSA over P-256 and P-384, DER signatures', () => {
  const message = utf8.encode('TLS 1.3, server CertificateVerify and some transcript hash');
  const hashes: HashName[] = ['sha256', 'sha384', 'sha512'];

  for (const curve of ['P-256', 'P-384'] as const) {
    const pair = ecdsaPair(curve);

    it(`${curve}: derives the public point node:crypto exports`, () => {
      expect(publicKeyHex(crypto.publicKeyOf(pair.privateKey))).toBe(publicKeyHex(pair.publicKey));
    });

    for (const hash of hashes) {
      const alg = { kind: 'ecdsa', hash } as const;

      it(`${curve} with ${hash}: node:crypto accepts our signature`, () => {
        const signature = crypto.sign(alg, pair.privateKey, message, noRandom);
        expect(nodeVerify(hash, message, { key: pair.nodePublic, dsaEncoding: 'der' }, signature)).toBe(true);
      });

      it(`${curve} with ${hash}: accepts node:crypto's signature and rejects it over another message`, () => {
        const signature = nodeSign(hash, message, { key: pair.nodePrivate, dsaEncoding: 'der' });
        expect(crypto.verify(alg, pair.publicKey, message, signature)).toBe(true);
        expect(crypto.verify(alg, pair.publicKey, message.subarray(1), signature)).toBe(false);
      });
    }

    it(`${curve}: accepts a high-S signature, as OpenSSL does`, () => {
      const n = ORDERS[curve];
      const [r, s] = derToRs(nodeSign('sha256', message, { key: pair.nodePrivate, dsaEncoding: 'der' }));
      const highS = s > n / 2n ? s : n - s;
      const signature = rsToDer(r, highS);
      expect(nodeVerify('sha256', message, { key: pair.nodePublic, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(crypto.verify({ kind: 'ecdsa', hash: 'sha256' }, pair.publicKey, message, signature)).toBe(true);
    });

    it(`${curve}: rejects a signature made with another key`, () => {
      const other = ecdsaPair(curve);
      const signature = crypto.sign({ kind: 'ecdsa', hash: 'sha256' }, other.privateKey, message, noRandom);
      expect(crypto.verify({ kind: 'ecdsa', hash: 'sha256' }, pair.publicKey, message, signature)).toBe(false);
    });

    it(`${curve}: returns false for malformed signatures and points instead of throwing`, () => {
      const alg = { kind: 'ecdsa', hash: 'sha256' } as const;
      const der = crypto.sign(alg, pair.privateKey, message, noRandom);
      const [r, s] = derToRs(der);
      const rawRs = fromHex(r.toString(16).padStart(curve === 'P-256' ? 64 : 96, '0') + s.toString(16).padStart(curve === 'P-256' ? 64 : 96, '0'));
      expect(crypto.verify(alg, pair.publicKey, message, rawRs)).toBe(false);
      expect(crypto.verify(alg, pair.publicKey, message, der.subarray(0, der.length - 1))).toBe(false);
      expect(crypto.verify(alg, pair.publicKey, message, new Uint8Array(0))).toBe(false);
      expect(crypto.verify(alg, pair.publicKey, message, rsToDer(0n, s))).toBe(false);
      expect(crypto.verify(alg, pair.publicKey, message, rsToDer(r, ORDERS[curve] + s))).toBe(false);
      const badPoint = { ...pair.publicKey, point: new Uint8Array(curve === 'P-256' ? 65 : 97).fill(4) } as PublicKey;
      expect(crypto.verify(alg, badPoint, message, der)).toBe(false);
    });
  }
});

describe('keys that do not fit the algorithm', () => {
  const message = utf8.encode('message');
  const ed25519Seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const ed25519Key: PrivateKey = { kind: 'ed25519', seed: ed25519Seed };
  const ecdsa = ecdsaPair('P-256');

  it('verify returns false when the key kind does not match the algorithm', () => {
    const edSignature = crypto.sign({ kind: 'ed25519' }, ed25519Key, message, noRandom);
    expect(crypto.verify({ kind: 'ecdsa', hash: 'sha256' }, crypto.publicKeyOf(ed25519Key), message, edSignature)).toBe(false);
    expect(crypto.verify({ kind: 'ed25519' }, ecdsa.publicKey, message, edSignature)).toBe(false);
    expect(crypto.verify({ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, ecdsa.publicKey, message, edSignature)).toBe(false);
  });

  it('sign throws when the key kind does not match the algorithm', () => {
    expect(() => crypto.sign({ kind: 'ecdsa', hash: 'sha256' }, ed25519Key, message, systemRandom)).toThrow(/ed25519 key/);
    expect(() => crypto.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, ecdsa.privateKey, message, systemRandom)).toThrow(/ecdsa key/);
  });
});
