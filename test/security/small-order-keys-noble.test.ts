// The parse-time EdDSA key rule (src/crypto/eddsa-keys.ts) reads only y; noble decompresses the point and
// multiplies by the cofactor. For every encoding either can judge, they must agree on "small order" and
// "canonical": the torsion points found as [L]P of random points, each with both sign bits, the same with
// y + p (non-canonical), and random real keys.
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { describe, expect, it } from 'vitest';
import { eddsaPublicKeyProblem } from '../../src/crypto/eddsa-keys.js';
import { seededRandom } from '../../src/crypto/random.js';

const CURVES = { ed25519: { curve: ed25519, cofactor: 8, bytes: 32 }, ed448: { curve: ed448, cofactor: 4, bytes: 57 } } as const;

/** noble's verdict on an encoding: 'ok' for a usable key, 'small' or 'invalid'. */
function nobleVerdict(kind: keyof typeof CURVES, encoded: Uint8Array): 'ok' | 'small' | 'invalid' {
  try {
    return CURVES[kind].curve.Point.fromBytes(encoded).isSmallOrder() ? 'small' : 'ok';
  } catch {
    return 'invalid';
  }
}

function ourVerdict(kind: keyof typeof CURVES, encoded: Uint8Array): 'ok' | 'small' | 'invalid' {
  const problem = eddsaPublicKeyProblem(kind, encoded);
  return problem === undefined ? 'ok' : /small order/.test(problem) ? 'small' : 'invalid';
}

describe.each(Object.keys(CURVES) as (keyof typeof CURVES)[])('%s keys: the y-only rule agrees with noble', (kind) => {
  const { curve, cofactor, bytes } = CURVES[kind];
  const random = seededRandom(`eddsa small order ${kind}`);

  /** A random point of the whole curve (not of the prime-order group): a random y that decodes. */
  function randomPoint() {
    for (;;) {
      try {
        return curve.Point.fromBytes(random(bytes).map((b, i) => (i === bytes - 1 ? b & 0x7f : b)));
      } catch {
        // not a point (about half of all y): draw again
      }
    }
  }

  /** Every point of small order: [L]P = [L - 1]P + P over random points P until all of them are found. */
  function torsion(): Uint8Array[] {
    const found = new Map<string, Uint8Array>();
    for (let i = 0; found.size < cofactor && i < 500; i++) {
      const point = randomPoint();
      const encoded = point.multiplyUnsafe(curve.Point.Fn.ORDER - 1n).add(point).toBytes();
      found.set(Buffer.from(encoded).toString('hex'), encoded);
    }
    return [...found.values()];
  }

  it(`finds all ${cofactor} points of small order, and refuses each of them in every encoding noble accepts`, () => {
    const points = torsion();
    expect(points).toHaveLength(cofactor);
    for (const encoded of points) {
      expect(ourVerdict(kind, encoded)).toBe('small');
      const flipped = encoded.slice();
      flipped[bytes - 1]! ^= 0x80;
      expect(ourVerdict(kind, flipped)).toBe(nobleVerdict(kind, flipped) === 'small' ? 'small' : 'invalid');
    }
  });

  it('real keys are accepted, as noble accepts them', () => {
    for (let i = 0; i < 50; i++) {
      const key = curve.getPublicKey(random(bytes));
      expect(nobleVerdict(kind, key)).toBe('ok');
      expect(ourVerdict(kind, key)).toBe('ok');
    }
  });

  it('y at or above p is refused, as noble refuses it', () => {
    const p = curve.Point.Fp.ORDER;
    for (const y of [p, p + 1n, p + 2n]) {
      const encoded = new Uint8Array(bytes);
      let rest = y;
      for (let i = 0; i < bytes; i++, rest >>= 8n) encoded[i] = Number(rest & 0xffn);
      expect(nobleVerdict(kind, encoded)).toBe('invalid');
      expect(ourVerdict(kind, encoded)).toBe('invalid');
    }
  });
});
