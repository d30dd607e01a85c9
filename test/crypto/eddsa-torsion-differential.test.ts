// Attacker: a peer holding its own Ed25519 or Ed448 key signs so that the two providers disagree, putting a
// point of small order into R or into its published key. RFC 8032 allows two verification equations
// (§5.1.7, §5.2.7): the cofactored one, which is blind to small-order components, and the cofactorless
// [S]B = R + [k]A'. OpenSSL (the node provider) checks Ed25519 without the cofactor and decodes Ed448's R
// through an isogeny that refuses x = 0 (the identity and the point of order 2); noble checks the cofactored
// equation. The same CertificateVerify must get the same verdict whichever provider the engine runs on.
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PublicKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { verifyEd25519, verifyEd448 } from '../../src/crypto/eddsa-verify.js';
import { challengeKillsKeyTorsion, smallOrderPoint, smallOrderPointCount, torsionedSignature, type EdwardsKind } from '../../src/testing/eddsa-torsion.js';
import { concat, utf8 } from '../../src/wire/bytes.js';

const PROVIDERS = { noble: nobleProvider, node: nodeCryptoProvider };
const VERIFY = { ed25519: verifyEd25519, ed448: verifyEd448 };

/** Each provider's verdict on `signature`. */
function verdicts(kind: EdwardsKind, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  const key = { kind, publicKey } as PublicKey;
  return {
    noble: PROVIDERS.noble.verify({ kind }, key, message, signature),
    // with the key's table, as for our own certificate's key (crypto/own-key-tables.ts)
    nobleOwnKey: PROVIDERS.noble.verify({ kind }, key, message, signature, { ownKey: true }),
    node: PROVIDERS.node.verify({ kind }, key, message, signature) };
}

const both = (verdict: boolean) => ({ noble: verdict, nobleOwnKey: verdict, node: verdict });

const SEED_LENGTH = { ed25519: 32, ed448: 57 } as const;
const message = utf8.encode('64 spaces, a context string, a zero byte and a transcript hash');

describe.each(['ed25519', 'ed448'] as const)('%s: signatures with small-order components', (kind) => {
  const random = seededRandom(`eddsa torsion ${kind}`);
  const seed = random(SEED_LENGTH[kind]);
  const honest = torsionedSignature(kind, seed, message);
  const points = smallOrderPointCount(kind);

  it('the honest signature, as the library signs: both accept (control)', () => {
    const library = kind === 'ed25519' ? ed25519 : ed448;
    expect(verdicts(kind, honest.publicKey, message, library.sign(message, seed))).toEqual(both(true));
    expect(verdicts(kind, honest.publicKey, message, honest.signature)).toEqual(both(true));
  });

  it('S + L (RFC 8032: S must be below L): both refuse, and our verification says so without throwing', () => {
    const L = (kind === 'ed25519' ? ed25519 : ed448).Point.Fn.ORDER;
    const half = honest.signature.length / 2;
    const s = bytesToNumberLE(honest.signature.subarray(half));
    const malleated = concat(honest.signature.subarray(0, half), numberToBytesLE(s + L, half));
    expect(verdicts(kind, honest.publicKey, message, malleated)).toEqual(both(false));
    expect(VERIFY[kind](malleated, message, honest.publicKey)).toBe(false);
  });

  it.each(Array.from({ length: points }, (_, i) => i))('a key that is small-order point %i, with R = the identity and S = 0: both refuse', (t) => {
    // Under the identity as key, [S]B - [k]A = R holds for every message: OpenSSL accepts it when asked.
    const key = smallOrderPoint(kind, t);
    const identityR = smallOrderPoint(kind, 0);
    for (const m of [message, utf8.encode('any other message')]) {
      expect(verdicts(kind, key, m, concat(identityR, new Uint8Array(identityR.length)))).toEqual(both(false));
    }
  });

  // Ed25519: R = [r]B + T never equals [S]B - [k]A, so OpenSSL refuses every one; Ed448: OpenSSL's isogeny
  // sees R modulo the points of order 4, so it accepts R + T, and refuses only an R with x = 0 that it cannot decode.
  it.each(Array.from({ length: points - 1 }, (_, i) => i + 1))('R with small-order point %i added: the providers agree', (t) => {
    const { publicKey, signature } = torsionedSignature(kind, seed, message, { rTorsion: t });
    expect(verdicts(kind, publicKey, message, signature)).toEqual(both(kind === 'ed448'));
  });

  it.each(Array.from({ length: points - 1 }, (_, i) => i + 1))('R is small-order point %i itself (nonce 0): the providers agree', (t) => {
    const { publicKey, signature } = torsionedSignature(kind, seed, message, { r: 0n, rTorsion: t });
    // Ed448's points with x = 0 are the identity and the point of order 2 (index 1).
    expect(verdicts(kind, publicKey, message, signature)).toEqual(both(kind === 'ed448' && t !== 1));
  });

  it('R the identity (nonce 0, S = k·a): the providers agree', () => {
    const { publicKey, signature } = torsionedSignature(kind, seed, message, { r: 0n });
    // [S]B - [k]A is the identity: the cofactorless equation holds; OpenSSL's Ed448 cannot decode R = (0, 1).
    expect(verdicts(kind, publicKey, message, signature)).toEqual(both(kind === 'ed25519'));
  });

  it.each(Array.from({ length: points - 1 }, (_, i) => i + 1))('a published key with small-order point %i added, over 16 messages: the providers agree', (t) => {
    for (let i = 0; i < 16; i++) {
      const m = utf8.encode(`message ${i}`);
      const { publicKey, signature } = torsionedSignature(kind, seed, m, { keyTorsion: t });
      // A cofactorless verifier accepts exactly when [k]T is the identity; Ed448's OpenSSL always (cofactored).
      const accepted = kind === 'ed448' || challengeKillsKeyTorsion(kind, publicKey, signature, m, t);
      expect(verdicts(kind, publicKey, m, signature)).toEqual(both(accepted));
    }
  });

  it('random mixes of torsion in R and in the key, with random nonces: the providers agree on every one', () => {
    const draw = (n: number) => random(1)[0]! % n;
    for (let i = 0; i < 24; i++) {
      const m = random(1 + draw(40));
      const { publicKey, signature } = torsionedSignature(kind, seed, m, { rTorsion: draw(points), keyTorsion: draw(points) });
      const { noble, node } = verdicts(kind, publicKey, m, signature);
      expect(noble).toBe(node);
    }
  });
});
