// Which key may make which signature (src/crypto/signature-keys.ts), as every provider applies it: an
// id-RSASSA-PSS key makes PSS signatures only, within its RFC 4055 restriction; an rsaEncryption key makes
// both RSA kinds. And Ed448 (RFC 8032 §7.4 test vectors) and P-521 on both providers.
import { ed448 as nobleEd448 } from '@noble/curves/ed448.js';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { signatureKeyProblem } from '../../src/crypto/signature-keys.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { asPssKey, asRsaEncryptionKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import { fromHex, hex, utf8 } from '../../src/wire/bytes.js';

const random = seededRandom('signature keys');
const message = utf8.encode('TLS 1.3, server CertificateVerify');
const rsa = rsaTestKey();
const restricted = asPssKey(rsaTestKey(), { hash: 'sha256', minSaltLength: 32 });
const unrestricted = asPssKey(rsa);
const pss = (hash: 'sha256' | 'sha384' | 'sha512', saltLength: number): SignatureAlgorithm => ({ kind: 'rsa-pss', hash, saltLength });

describe('signatureKeyProblem', () => {
  const cases: Array<[string, SignatureAlgorithm, PrivateKey, RegExp | undefined]> = [
    ['rsaEncryption key, PSS', pss('sha384', 48), rsa, undefined],
    ['rsaEncryption key, PKCS#1 v1.5', { kind: 'rsa-pkcs1', hash: 'sha256' }, rsa, undefined],
    ['unrestricted PSS key, any hash and salt', pss('sha512', 0), unrestricted, undefined],
    ['unrestricted PSS key, PKCS#1 v1.5', { kind: 'rsa-pkcs1', hash: 'sha256' }, unrestricted, /cannot make PKCS#1 v1\.5 signatures/],
    ['restricted PSS key, its hash and salt', pss('sha256', 32), restricted, undefined],
    ['restricted PSS key, its hash and a longer salt', pss('sha256', 64), restricted, undefined],
    ['restricted PSS key, another hash', pss('sha384', 48), restricted, /restricted to sha256, not sha384/],
    ['restricted PSS key, a shorter salt', pss('sha256', 31), restricted, /at least 32 bytes, not 31/],
    ['Ed448 algorithm, Ed25519 key', { kind: 'ed448' }, { kind: 'ed25519', seed: new Uint8Array(32) }, /ed25519 key cannot make ed448/],
  ];
  it.each(cases)('%s', (_name, alg, key, problem) => {
    const found = signatureKeyProblem(alg, key);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });
});

describe.each([nobleProvider, nodeCryptoProvider] as CryptoProvider[])('the $name provider', (provider) => {
  it('refuses to sign outside an RSASSA-PSS key\'s restriction, and signs within it', () => {
    expect(() => provider.sign(pss('sha384', 48), restricted, message, random)).toThrow(/restricted to sha256/);
    expect(() => provider.sign(pss('sha256', 20), restricted, message, random)).toThrow(/at least 32 bytes/);
    expect(() => provider.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, unrestricted, message, random)).toThrow(/PKCS#1 v1\.5/);
    const signature = provider.sign(pss('sha256', 32), restricted, message, random);
    expect(provider.verify(pss('sha256', 32), provider.publicKeyOf(restricted), message, signature)).toBe(true);
  });

  it('refuses signatures an RSASSA-PSS public key does not allow, though the arithmetic holds', () => {
    const numbers = asRsaEncryptionKey(restricted);
    const publicKey = provider.publicKeyOf(restricted);
    for (const alg of [pss('sha384', 48), pss('sha256', 20), { kind: 'rsa-pkcs1', hash: 'sha256' } as const]) {
      const signature = provider.sign(alg, numbers, message, random);
      expect(provider.verify(alg, provider.publicKeyOf(numbers), message, signature)).toBe(true);
      expect(provider.verify(alg, publicKey, message, signature)).toBe(false);
    }
  });

  // RFC 8032 §7.4, "1 octet" (an empty context: PureEdDSA, as TLS and X.509 use Ed448).
  const ed448Vector = {
    secret: 'c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e',
    public: '43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480',
    message: '03',
    signature:
      '26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cb' +
      'cee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00',
  };

  it('makes and checks the Ed448 signature of RFC 8032 §7.4, and derives its public key', () => {
    const key: PrivateKey = { kind: 'ed448', seed: fromHex(ed448Vector.secret) };
    const publicKey = provider.publicKeyOf(key);
    expect(publicKey.kind === 'ed448' && hex(publicKey.publicKey)).toBe(ed448Vector.public);
    expect(hex(provider.sign({ kind: 'ed448' }, key, fromHex(ed448Vector.message), random))).toBe(ed448Vector.signature);
    expect(provider.verify({ kind: 'ed448' }, publicKey, fromHex(ed448Vector.message), fromHex(ed448Vector.signature))).toBe(true);
    expect(provider.verify({ kind: 'ed448' }, publicKey, fromHex('04'), fromHex(ed448Vector.signature))).toBe(false);
    expect(provider.verify({ kind: 'ed448' }, publicKey, fromHex(ed448Vector.message), fromHex(ed448Vector.signature).subarray(1))).toBe(false);
  });

  it('refuses an Ed448 signature whose S was replaced by S + L (RFC 8032 §5.2.7: S must be below L)', () => {
    const key: PrivateKey = { kind: 'ed448', seed: fromHex(ed448Vector.secret) };
    const signature = fromHex(ed448Vector.signature);
    const order = 2n ** 446n - 13818066809895115352007386748515426880336692474882178609894547503885n;
    expect(order).toBe(nobleEd448.Point.Fn.ORDER);
    let s = 0n;
    for (let i = 113; i >= 57; i--) s = (s << 8n) | BigInt(signature[i]!);
    const malleable = signature.slice();
    for (let i = 57, v = s + order; i < 114; i++, v >>= 8n) malleable[i] = Number(v & 0xffn);
    expect(provider.verify({ kind: 'ed448' }, provider.publicKeyOf(key), fromHex(ed448Vector.message), malleable)).toBe(false);
  });

  it('checks P-521 signatures made by the other provider, and refuses them under a P-384 key', () => {
    const other = provider === nobleProvider ? nodeCryptoProvider : nobleProvider;
    const key = generateKeyPair('p521', random, nobleProvider).privateKey;
    const alg = { kind: 'ecdsa', hash: 'sha512' } as const;
    const signature = other.sign(alg, key, message, random);
    expect(provider.verify(alg, provider.publicKeyOf(key), message, signature)).toBe(true);
    const p384 = provider.publicKeyOf(generateKeyPair('p384', random, nobleProvider).privateKey);
    expect(provider.verify(alg, p384, message, signature)).toBe(false);
  });
});
