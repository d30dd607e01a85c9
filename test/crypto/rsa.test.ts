import {
  constants,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleProvider as crypto } from '../../src/crypto/noble.js';
import type { HashName, PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { fixedRandom, systemRandom } from '../../src/crypto/random.js';
import { recoverPssSalt, RSA_MAX_MODULUS_BITS, RSA_MAX_PUBLIC_EXPONENT, rsaPkcs1Verify, rsaPssVerify } from '../../src/crypto/rsa.js';
import { findValue, loadRfc8448RsaKey, loadRfc8448Section } from '../../src/testing/rfc8448.js';
import { concat, fromHex, hex, utf8 } from '../../src/wire/bytes.js';

type RsaPrivate = Extract<PrivateKey, { kind: 'rsa' }>;
type RsaPublic = Extract<PublicKey, { kind: 'rsa' }>;

const toBigInt = (bytes: Uint8Array) => BigInt('0x' + (hex(bytes) || '0'));
const fromBase64Url = (text: string) => toBigInt(new Uint8Array(Buffer.from(text, 'base64url')));

interface RsaPair {
  privateKey: RsaPrivate;
  publicKey: RsaPublic;
  nodePrivate: KeyObject;
  nodePublic: KeyObject;
}

function rsaPair(modulusLength: number): RsaPair {
  const { privateKey: nodePrivate, publicKey: nodePublic } = generateKeyPairSync('rsa', { modulusLength });
  const jwk = nodePrivate.export({ format: 'jwk' });
  const n = fromBase64Url(jwk.n!);
  const e = fromBase64Url(jwk.e!);
  return {
    privateKey: { kind: 'rsa', n, e, d: fromBase64Url(jwk.d!), p: fromBase64Url(jwk.p!), q: fromBase64Url(jwk.q!) },
    publicKey: { kind: 'rsa', n, e },
    nodePrivate,
    nodePublic,
  };
}

const HASH_LENGTHS: Record<HashName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
const pss = (hash: HashName, saltLength = HASH_LENGTHS[hash]) => ({ kind: 'rsa-pss', hash, saltLength }) as const;
const nodePss = (key: KeyObject, hash: HashName) => ({
  key,
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: HASH_LENGTHS[hash],
});

const message = utf8.encode('a CertificateVerify content stand-in');
const rsa2048 = rsaPair(2048);

describe('RSASSA-PSS (RFC 8017 §8.1)', () => {
  for (const hash of ['sha256', 'sha384'] as const) {
    it(`accepts node:crypto's PSS ${hash} signature`, () => {
      const signature = nodeSign(hash, message, nodePss(rsa2048.nodePrivate, hash));
      expect(crypto.verify(pss(hash), rsa2048.publicKey, message, signature)).toBe(true);
    });

    it(`makes PSS ${hash} signatures node:crypto accepts`, () => {
      const signature = crypto.sign(pss(hash), rsa2048.privateKey, message, systemRandom);
      expect(signature.length).toBe(256);
      expect(nodeVerify(hash, message, nodePss(rsa2048.nodePublic, hash), signature)).toBe(true);
    });

    it(`reproduces node:crypto's PSS ${hash} signature byte for byte when given its salt`, () => {
      const signature = nodeSign(hash, message, nodePss(rsa2048.nodePrivate, hash));
      const salt = recoverPssSalt(rsa2048.publicKey, hash, signature);
      expect(salt.length).toBe(HASH_LENGTHS[hash]);
      expect(hex(crypto.sign(pss(hash), rsa2048.privateKey, message, fixedRandom(salt)))).toBe(hex(signature));
    });
  }

  it('rejects a PSS signature over another message', () => {
    const signature = nodeSign('sha256', message, nodePss(rsa2048.nodePrivate, 'sha256'));
    expect(crypto.verify(pss('sha256'), rsa2048.publicKey, message.subarray(1), signature)).toBe(false);
  });

  it('rejects a PSS signature made with another key', () => {
    const other = rsaPair(2048);
    const signature = crypto.sign(pss('sha256'), other.privateKey, message, systemRandom);
    expect(crypto.verify(pss('sha256'), rsa2048.publicKey, message, signature)).toBe(false);
  });

  it('rejects a PSS signature whose salt length is not the expected one', () => {
    const signature = crypto.sign(pss('sha256', 20), rsa2048.privateKey, message, systemRandom);
    expect(crypto.verify(pss('sha256', 20), rsa2048.publicKey, message, signature)).toBe(true);
    expect(crypto.verify(pss('sha256'), rsa2048.publicKey, message, signature)).toBe(false);
  });

  it('rejects a PSS signature checked with another hash', () => {
    const signature = crypto.sign(pss('sha256'), rsa2048.privateKey, message, systemRandom);
    expect(crypto.verify(pss('sha384', 32), rsa2048.publicKey, message, signature)).toBe(false);
  });

  it('takes the salt from the random source and recovers it from the signature', () => {
    const salt = fromHex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');
    const signature = crypto.sign(pss('sha256'), rsa2048.privateKey, message, fixedRandom(salt));
    expect(hex(recoverPssSalt(rsa2048.publicKey, 'sha256', signature))).toBe(hex(salt));
    expect(nodeVerify('sha256', message, nodePss(rsa2048.nodePublic, 'sha256'), signature)).toBe(true);
  });

  it('refuses to recover a salt from a signature that is not PSS', () => {
    const pkcs1 = nodeSign('sha256', message, rsa2048.nodePrivate);
    expect(() => recoverPssSalt(rsa2048.publicKey, 'sha256', pkcs1)).toThrow(/RSASSA-PSS/);
  });

  for (const modulusLength of [1025, 1028]) {
    it(`works both ways with a ${modulusLength}-bit modulus, whose encoded message has spare top bits`, () => {
      const pair = rsaPair(modulusLength);
      const ours = crypto.sign(pss('sha256'), pair.privateKey, message, systemRandom);
      expect(nodeVerify('sha256', message, nodePss(pair.nodePublic, 'sha256'), ours)).toBe(true);
      const theirs = nodeSign('sha256', message, nodePss(pair.nodePrivate, 'sha256'));
      expect(crypto.verify(pss('sha256'), pair.publicKey, message, theirs)).toBe(true);
    });
  }
});

describe('RSASSA-PKCS1-v1_5 (RFC 8017 §8.2)', () => {
  for (const hash of ['sha1', 'sha256', 'sha384', 'sha512'] as const) {
    const alg = { kind: 'rsa-pkcs1', hash } as const;

    it(`makes the same deterministic ${hash} signature as node:crypto, with and without the CRT`, () => {
      const expected = nodeSign(hash, message, rsa2048.nodePrivate).toString('hex');
      expect(hex(crypto.sign(alg, rsa2048.privateKey, message, systemRandom))).toBe(expected);
      const { p: _p, q: _q, ...withoutFactors } = rsa2048.privateKey;
      expect(hex(crypto.sign(alg, withoutFactors, message, systemRandom))).toBe(expected);
    });

    it(`accepts node:crypto's ${hash} signature and rejects it over another message`, () => {
      const signature = nodeSign(hash, message, rsa2048.nodePrivate);
      expect(crypto.verify(alg, rsa2048.publicKey, message, signature)).toBe(true);
      expect(crypto.verify(alg, rsa2048.publicKey, utf8.encode('another message'), signature)).toBe(false);
    });
  }

  it('rejects a PKCS#1 v1.5 signature checked as PSS, and a PSS signature checked as PKCS#1 v1.5', () => {
    const pkcs1 = nodeSign('sha256', message, rsa2048.nodePrivate);
    const pssSignature = nodeSign('sha256', message, nodePss(rsa2048.nodePrivate, 'sha256'));
    expect(crypto.verify(pss('sha256'), rsa2048.publicKey, message, pkcs1)).toBe(false);
    expect(crypto.verify({ kind: 'rsa-pkcs1', hash: 'sha256' }, rsa2048.publicKey, message, pssSignature)).toBe(false);
  });
});

describe('RSA range and length checks', () => {
  const k = 256;
  const n = rsa2048.publicKey.n;
  const nBytes = fromHex(n.toString(16).padStart(2 * k, '0'));
  const valid = nodeSign('sha256', message, nodePss(rsa2048.nodePrivate, 'sha256'));

  for (const [name, alg] of [
    ['PSS', pss('sha256')],
    ['PKCS#1 v1.5', { kind: 'rsa-pkcs1', hash: 'sha256' }],
  ] as const) {
    it(`${name}: returns false for a signature equal to or above the modulus`, () => {
      expect(crypto.verify(alg, rsa2048.publicKey, message, nBytes)).toBe(false);
      expect(crypto.verify(alg, rsa2048.publicKey, message, new Uint8Array(k).fill(0xff))).toBe(false);
    });

    it(`${name}: returns false for a valid signature plus the modulus, which still fits in k bytes`, () => {
      // s + n opens to the same encoded message as s; only the range check (RFC 8017 §5.2.2) rejects it.
      for (let i = 0; ; i++) {
        const candidate = utf8.encode(`message ${i}`);
        const s = toBigInt(crypto.sign(alg, rsa2048.privateKey, candidate, systemRandom));
        if (s + n >= 1n << BigInt(8 * k)) continue;
        expect(crypto.verify(alg, rsa2048.publicKey, candidate, fromHex((s + n).toString(16).padStart(2 * k, '0')))).toBe(false);
        return;
      }
    });

    it(`${name}: returns false for a signature that is not exactly k bytes`, () => {
      expect(crypto.verify(alg, rsa2048.publicKey, message, valid.subarray(1))).toBe(false);
      expect(crypto.verify(alg, rsa2048.publicKey, message, concat(Uint8Array.of(0), valid))).toBe(false);
      expect(crypto.verify(alg, rsa2048.publicKey, message, new Uint8Array(0))).toBe(false);
    });

    it(`${name}: returns false for signatures 0 and 1 and for a nonsense key`, () => {
      expect(crypto.verify(alg, rsa2048.publicKey, message, new Uint8Array(k))).toBe(false);
      expect(crypto.verify(alg, rsa2048.publicKey, message, new Uint8Array(k).fill(1, k - 1))).toBe(false);
      expect(crypto.verify(alg, { kind: 'rsa', n: 0n, e: 65537n }, message, valid)).toBe(false);
    });
  }

  it('refuses to sign PSS when the key is too small for the hash and salt', () => {
    const small = rsaPair(512);
    expect(() => crypto.sign(pss('sha512'), small.privateKey, message, systemRandom)).toThrow(/too small/);
  });

  it('refuses to sign with p and q that are not the factors of n', () => {
    const key = { ...rsa2048.privateKey, q: rsa2048.privateKey.q! + 2n };
    expect(() => crypto.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, key, message, systemRandom)).toThrow(/p \* q/);
  });
});

describe('RSA-PSS in the RFC 8448 §3 trace', () => {
  const section3 = loadRfc8448Section(3);
  const message = (label: string) => findValue(section3, label === 'ClientHello' ? 'client' : 'server', 'construct', label);
  const rfc = loadRfc8448RsaKey();
  const rfcKey: RsaPrivate = {
    kind: 'rsa',
    n: toBigInt(rfc.modulus),
    e: toBigInt(rfc.publicExponent),
    d: toBigInt(rfc.privateExponent),
    p: toBigInt(rfc.prime1),
    q: toBigInt(rfc.prime2),
  };
  const publicKey: RsaPublic = { kind: 'rsa', n: rfcKey.n, e: rfcKey.e };
  const certificateVerify = message('CertificateVerify');
  // struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } after the 4-byte handshake header.
  const scheme = hex(certificateVerify.subarray(4, 6));
  const signature = certificateVerify.subarray(8);
  // RFC 8446 §4.4.3: 64 spaces || context string || 0x00 || Transcript-Hash(ClientHello .. Certificate).
  const transcriptHash = createHash('sha256')
    .update(concat(message('ClientHello'), message('ServerHello'), message('EncryptedExtensions'), message('Certificate')))
    .digest();
  const signedContent = concat(new Uint8Array(64).fill(0x20), utf8.encode('TLS 1.3, server CertificateVerify'), Uint8Array.of(0), transcriptHash);

  it('finds the server key of §2 inside the §3 Certificate message', () => {
    expect(scheme).toBe('0804'); // rsa_pss_rsae_sha256
    expect(signature.length).toBe(128);
    expect(hex(message('Certificate'))).toContain(hex(rfc.modulus));
  });

  it("accepts the server's CertificateVerify signature, as node:crypto does", () => {
    const nodeKey = createPublicKey({
      key: { kty: 'RSA', n: Buffer.from(rfc.modulus).toString('base64url'), e: Buffer.from(rfc.publicExponent).toString('base64url') },
      format: 'jwk',
    });
    expect(nodeVerify('sha256', signedContent, nodePss(nodeKey, 'sha256'), signature)).toBe(true);
    expect(crypto.verify(pss('sha256'), publicKey, signedContent, signature)).toBe(true);
  });

  it('reproduces the RFC signature byte for byte from its recovered 32-byte salt and the §2 private key', () => {
    const salt = recoverPssSalt(publicKey, 'sha256', signature);
    expect(salt.length).toBe(32);
    expect(hex(crypto.sign(pss('sha256'), rfcKey, signedContent, fixedRandom(salt)))).toBe(hex(signature));
  });
});

describe('the verify primitive refuses keys beyond the cost bounds, whatever made the key', () => {
  it('refuses a good signature under an exponent over 33 bits that would open it (e + phi(n))', () => {
    const { n, e, p, q } = rsa2048.privateKey as { n: bigint; e: bigint; p: bigint; q: bigint };
    const good = crypto.sign({ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 }, rsa2048.privateKey, message, systemRandom);
    expect(rsaPssVerify({ n, e }, 'sha256', message, good, 32)).toBe(true);
    // s^(e + phi(n)) = s^e (mod n): the same signature, but the check would cost a 2048-bit exponent.
    const costly = e + (p - 1n) * (q - 1n);
    expect(costly > RSA_MAX_PUBLIC_EXPONENT).toBe(true);
    expect(rsaPssVerify({ n, e: costly }, 'sha256', message, good, 32)).toBe(false);
  });

  it(`opens no signature under a modulus over ${RSA_MAX_MODULUS_BITS} bits`, () => {
    const bits = RSA_MAX_MODULUS_BITS + 8;
    const n = (1n << BigInt(bits - 1)) | 1n;
    expect(rsaPkcs1Verify({ n, e: 65537n }, 'sha256', message, new Uint8Array(bits / 8).fill(0x01))).toBe(false);
  });
});
