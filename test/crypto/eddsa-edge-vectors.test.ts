// Attacker: published EdDSA edge vectors, run through both providers, which must give every one the same
// verdict, and the right one. noble's Ed25519 is now checked with the cofactorless equation as OpenSSL's
// (src/crypto/eddsa-verify.ts): it must still refuse all it refused before (S >= L, R or A not canonical, keys
// of small order) and still accept every honest signature (RFC 8032 §7.1, §7.4; Wycheproof's valid cases).
//
// novifinancial/ed25519-speccheck's 12 cases (Chalkias, Garillot, Nikolaenko, "Taming the many EdDSAs"),
// the verdicts (V accepts, X refuses):
//
//   case                                         | raw OpenSSL 3 | noble provider | node provider
//   0  S = 0, A small, R small                   |       V       |   X (key)      |   X (key)
//   1  A small, R mixed                          |       V       |   X (key)      |   X (key)
//   2  A mixed, R small                          |       V       |   V            |   V
//   3  A mixed, R mixed, both equations hold     |       V       |   V            |   V
//   4  A mixed, R mixed, cofactored only         |       X       |   X            |   X
//   5  as 4, the challenge k not reduced mod L   |       X       |   X            |   X
//   6  S > L                                     |       X       |   X            |   X
//   7  S >> L                                    |       X       |   X            |   X
//   8  R not canonical (order 2, x-sign set)     |       X       |   X            |   X
//   9  as 8, passes with R decoded and reduced   |       X       |   X            |   X
//   10 A not canonical (order 2, x-sign set)     |       X       |   X (key)      |   X (key)
//   11 as 10, passes with A's bytes hashed       |       V       |   X (key)      |   X (key)
//
// "(key)": refused before any arithmetic by signatureKeyProblem (src/crypto/eddsa-keys.ts), which raw OpenSSL
// lacks. Keys with a torsion component but not of small order ("mixed", cases 2 and 3) are usable keys to
// RFC 8032 and to OpenSSL, and are accepted exactly when [S]B = R + [k]A holds.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PublicKey } from '../../src/crypto/provider.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { concat, fromHex, hex, utf8 } from '../../src/wire/bytes.js';

type Kind = 'ed25519' | 'ed448';

function verdicts(kind: Kind, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  const key = { kind, publicKey } as PublicKey;
  return {
    noble: nobleProvider.verify({ kind }, key, message, signature),
    // with the key's table, as for our own certificate's key (crypto/own-key-tables.ts)
    nobleOwnKey: nobleProvider.verify({ kind }, key, message, signature, { ownKey: true }),
    node: nodeCryptoProvider.verify({ kind }, key, message, signature) };
}

const both = (verdict: boolean) => ({ noble: verdict, nobleOwnKey: verdict, node: verdict });

const SPECCHECK: readonly { message: string; key: string; signature: string; valid: boolean }[] = [
  {
    message: '8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6',
    key: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    signature: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a0000000000000000000000000000000000000000000000000000000000000000',
    valid: false,
  },
  {
    message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79',
    key: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    signature: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    valid: false,
  },
  {
    message: 'aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab',
    key: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    signature: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e',
    valid: true,
  },
  {
    message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79',
    key: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    signature: '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009',
    valid: true,
  },
  {
    message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c',
    key: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    signature: '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09',
    valid: false,
  },
  {
    message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c',
    key: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    signature: '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405',
    valid: false,
  },
  {
    message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40',
    key: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623',
    signature: 'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514',
    valid: false,
  },
  {
    message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40',
    key: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623',
    signature: '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22',
    valid: false,
  },
  {
    message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41',
    key: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    signature: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f',
    valid: false,
  },
  {
    message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41',
    key: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    signature: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908',
    valid: false,
  },
  {
    message: 'e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b',
    key: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    valid: false,
  },
  {
    message: '39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f',
    key: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature: 'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    valid: false,
  },
];

describe('ed25519-speccheck: the 12 cases, both providers', () => {
  it.each(SPECCHECK.map((c, i) => [i, c] as const))('case %i', (_i, { message, key, signature, valid }) => {
    expect(verdicts('ed25519', fromHex(key), fromHex(message), fromHex(signature))).toEqual(both(valid));
  });
});

// RFC 8032 §7.1 TEST 1, 2, 3 and SHA(abc); §7.4 "Blank" and "1 octet" (PureEdDSA, no context).
const RFC8032 = [
  {
    kind: 'ed25519',
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    kind: 'ed25519',
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    key: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    kind: 'ed25519',
    seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    key: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    kind: 'ed25519',
    seed: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    key: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature: 'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
  {
    kind: 'ed448',
    seed: '6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b',
    key: '5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180',
    message: '',
    signature:
      '533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a' +
      '9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600',
  },
  {
    kind: 'ed448',
    seed: 'c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e',
    key: '43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480',
    message: '03',
    signature:
      '26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cb' +
      'cee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00',
  },
] as const;

describe('RFC 8032 §7.1 and §7.4: both providers sign the RFC bytes and accept them', () => {
  it.each(RFC8032.map((v) => [`${v.kind} ${v.key.slice(0, 8)}`, v] as const))('%s', (_name, v) => {
    const message = fromHex(v.message);
    const seed = { kind: v.kind, seed: fromHex(v.seed) } as const;
    for (const provider of [nobleProvider, nodeCryptoProvider]) {
      expect(hex(provider.sign({ kind: v.kind }, seed, message, () => new Uint8Array(0)))).toBe(v.signature);
    }
    expect(verdicts(v.kind, fromHex(v.key), message, fromHex(v.signature))).toEqual(both(true));
    expect(verdicts(v.kind, fromHex(v.key), concat(message, Uint8Array.of(0)), fromHex(v.signature))).toEqual(both(false));
  });
});

// C2SP/wycheproof testvectors_v1/ed25519_test.json, one key (tcId 1-70) and tcId 84: a pick of each kind.
const WYCHEPROOF_KEY = '7d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa';
const WYCHEPROOF: readonly { tcId: number; message: string; signature: string; valid: boolean; key?: string }[] = [
  { tcId: 1, message: '', signature: 'd4fbdb52bfa726b44d1786a8c0d171c3e62ca83c9e5bbe63de0bb2483f8fd6cc1429ab72cafc41ab56af02ff8fcc43b99bfe4c7ae940f60f38ebaa9d311c4007', valid: true },
  { tcId: 3, message: '54657374', signature: '7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab07a9155711ecfaf7f99f277bad0c6ae7e39d4eef676573336a5c51eb6f946b30d', valid: true },
  // special values of R and S: 0, 1, L - 1... (R = 0, S = 0 first)
  { tcId: 10, message: '3f', signature: '00'.repeat(64), valid: false },
  { tcId: 13, message: '3f', signature: '00'.repeat(32) + 'edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', valid: false },
  { tcId: 16, message: '3f', signature: '01' + '00'.repeat(31) + '01' + '00'.repeat(31), valid: false },
  { tcId: 29, message: '3f', signature: 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7fedffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', valid: false },
  // a bit of R flipped, S recomputed so that the recovered R is the original one
  { tcId: 42, message: '313233343030', signature: '647c1492402ab5ce03e2c3a7f0384d051b9cf3570f1207fc78c1bcc98c281c2b1d125e5538f38afbcc1c84e489521083041d24bc6240767029da063271a1ff0c', valid: false },
  { tcId: 58, message: '313233343030', signature: '657c1492402ab5ce03e2c3a7f0384d051b9cf3570f1207fc78c1bcc98c281c6b8da07efd07a6dafb015ed6a32fe136319a972ffbc341f3a0beae97ccf8136505', valid: false },
  { tcId: 59, message: '313233343030', signature: '657c1492402ab5ce03e2c3a7f0384d051b9cf3570f1207fc78c1bcc98c281cab227aedf259f910f0f3a759a335062665217925d019173b88917eae294f75d40f', valid: false },
  { tcId: 60, message: '313233343030', signature: '00'.repeat(32) + 'e0b8e7770d51c7a36375d006c5bffd6af43ff54aaf47e4330dc118c71d61ec02', valid: false },
  { tcId: 61, message: '313233343030', signature: 'ff'.repeat(32) + '463a1908382e7eb7693acef9884f7cf931a215e0791876be22c631a59881fd0e', valid: false },
  // S + L, S + 8L, S + 2^255, S + p
  { tcId: 63, message: '54657374', signature: '7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab067654bce3832c2d76f8f6f5dafc08d9339d4eef676573336a5c51eb6f946b31d', valid: false },
  { tcId: 66, message: '54657374', signature: '7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab0e2300459f1e742404cd934d2c595a6253ad4eef676573336a5c51eb6f946b38d', valid: false },
  { tcId: 69, message: '54657374', signature: '7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab07a9155711ecfaf7f99f277bad0c6ae7e39d4eef676573336a5c51eb6f946b38d', valid: false },
  { tcId: 70, message: '54657374', signature: '7c38e026f29e14aabd059a0f2db8b0cd783040609a8be684db12f82a27774ab0679155711ecfaf7f99f277bad0c6ae7e39d4eef676573336a5c51eb6f946b38d', valid: false },
  // S just below L: valid
  {
    tcId: 84,
    key: '100fdf47fb94f1536a4f7c3fda27383fa03375a8f527c537e6f1703c47f94f86',
    message: '124e583f8b8eca58bb29c271b41d36986bbc45541f8e51f9cb0133eca447601e',
    signature: 'dac119d6ca87fc59ae611c157048f4d4fc932a149dbe20ec6effd1436abf83ea05c7df0fef06147241259113909bc71bd3c53ba4464ffcad3c0968f2ffffff0f',
    valid: true,
  },
];

describe('Wycheproof Ed25519: both providers', () => {
  it.each(WYCHEPROOF.map((c) => [c.tcId, c] as const))('tcId %i', (_id, { key, message, signature, valid }) => {
    expect(verdicts('ed25519', fromHex(key ?? WYCHEPROOF_KEY), fromHex(message), fromHex(signature))).toEqual(both(valid));
  });
});

/**
 * A signature by `seed` whose R is spelled `rBytes` (the signer's nonce r behind it): the challenge is taken
 * over those very bytes, as a signer that chose them would. Only the spelling of R is at stake.
 */
function signWithR(kind: Kind, seed: Uint8Array, message: Uint8Array, r: bigint, rBytes: Uint8Array): { publicKey: Uint8Array; signature: Uint8Array } {
  const curve = kind === 'ed25519' ? ed25519 : ed448;
  const L = curve.Point.Fn.ORDER;
  const { scalar, pointBytes } = curve.utils.getExtendedPublicKey(seed);
  const data = concat(rBytes, pointBytes, message);
  const challenge = kind === 'ed25519' ? sha512(data) : shake256(concat(utf8.encode('SigEd448'), Uint8Array.of(0, 0), data), { dkLen: 114 });
  const k = bytesToNumberLE(challenge) % L;
  return { publicKey: pointBytes, signature: concat(rBytes, numberToBytesLE((r + k * scalar) % L, rBytes.length)) };
}

/** `y` in `length` little-endian bytes with the sign bit of x on top. */
function encodePoint(y: bigint, xIsOdd: boolean, length: number): Uint8Array {
  const bytes = numberToBytesLE(y, length);
  if (xIsOdd) bytes[length - 1]! |= 0x80;
  return bytes;
}

describe('R spelled non-canonically by the signer (RFC 8032 §5.1.3, §5.2.3): both providers refuse', () => {
  const message = utf8.encode('a CertificateVerify');
  const seed25519 = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const seed448 = fromHex('6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b');

  it('Ed25519, R the identity (nonce 0): canonical it verifies; y = p + 1, or x = 0 with its sign bit, it does not', () => {
    const p = ed25519.Point.Fp.ORDER;
    const canonical = signWithR('ed25519', seed25519, message, 0n, encodePoint(1n, false, 32));
    expect(verdicts('ed25519', canonical.publicKey, message, canonical.signature)).toEqual(both(true));
    for (const rBytes of [encodePoint(p + 1n, false, 32), encodePoint(1n, true, 32), encodePoint(p + 1n, true, 32)]) {
      const { publicKey, signature } = signWithR('ed25519', seed25519, message, 0n, rBytes);
      expect(verdicts('ed25519', publicKey, message, signature)).toEqual(both(false));
    }
  });

  it('Ed448, R = [r]B with y + p, y + 2p (every y has such spellings in 57 bytes), or bits 448-454 set', () => {
    const { Point } = ed448;
    const p = Point.Fp.ORDER;
    const r = 0x1234567890abcdefn;
    const point = Point.BASE.multiply(r).toAffine();
    const xIsOdd = (point.x & 1n) === 1n;
    const canonical = signWithR('ed448', seed448, message, r, encodePoint(point.y, xIsOdd, 57));
    expect(verdicts('ed448', canonical.publicKey, message, canonical.signature)).toEqual(both(true));
    for (const y of [point.y + p, point.y + 2n * p, point.y + (1n << 448n)]) {
      const { publicKey, signature } = signWithR('ed448', seed448, message, r, encodePoint(y, xIsOdd, 57));
      expect(verdicts('ed448', publicKey, message, signature)).toEqual(both(false));
    }
  });
});

describe('keys and signatures one octet short or long: both providers answer false, never throw', () => {
  it.each([
    ['ed25519', 32],
    ['ed448', 57],
  ] as const)('%s', (kind, length) => {
    const curve = kind === 'ed25519' ? ed25519 : ed448;
    const seed = new Uint8Array(length).fill(3);
    const message = utf8.encode('a CertificateVerify');
    const key = curve.getPublicKey(seed);
    const signature = curve.sign(message, seed);
    expect(verdicts(kind, key, message, signature)).toEqual(both(true));
    const keys = [key.subarray(1), concat(key, Uint8Array.of(0)), concat(key, Uint8Array.of(1)), new Uint8Array(0)];
    const signatures = [signature.subarray(1), concat(signature, Uint8Array.of(0)), new Uint8Array(0)];
    for (const s of signatures) expect(verdicts(kind, key, message, s)).toEqual(both(false));
    for (const k of keys) for (const s of [signature, ...signatures]) expect(verdicts(kind, k, message, s)).toEqual(both(false));
  });
});
