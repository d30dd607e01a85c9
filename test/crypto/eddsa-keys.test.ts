// eddsaPublicKeyProblem compares encodings byte by byte (src/crypto/eddsa-keys.ts); its rule is RFC 8032's on
// the integer y. This test states that rule with bigints and holds the byte comparison to it at every boundary
// where one byte decides: y around p, y = ±1 with and without the sign bit of x, each small-order y, the top
// byte's spare bits (Ed448), and keys of the wrong length.
import { describe, expect, it } from 'vitest';
import { i2osp, os2ip } from '../../src/crypto/bigint.js';
import { eddsaPublicKeyProblem } from '../../src/crypto/eddsa-keys.js';
import { seededRandom } from '../../src/crypto/random.js';
import { fromHex } from '../../src/wire/bytes.js';

const P25519 = 2n ** 255n - 19n;
const P448 = 2n ** 448n - 2n ** 224n - 1n;
const C = os2ip(fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05').reverse());
const curves = {
  ed25519: { length: 32, p: P25519, small: [1n, P25519 - 1n, 0n, C, P25519 - C] },
  ed448: { length: 57, p: P448, small: [1n, P448 - 1n, 0n] },
} as const;

/** RFC 8032 §5.1.3 / §5.2.3 on integers: the verdict the byte comparison must give. */
function expected(kind: keyof typeof curves, encoded: Uint8Array): 'ok' | 'non-canonical' | 'small order' {
  const { length, p, small } = curves[kind];
  const value = os2ip(encoded.slice().reverse());
  const signBit = 1n << BigInt(8 * length - 1);
  const y = value & ~signBit;
  if (y >= p || ((value & signBit) !== 0n && (y === 1n || y === p - 1n))) return 'non-canonical';
  return (small as readonly bigint[]).includes(y) ? 'small order' : 'ok';
}

function verdict(kind: keyof typeof curves, encoded: Uint8Array): string {
  const problem = eddsaPublicKeyProblem(kind, encoded);
  return problem === undefined ? 'ok' : /small order/.test(problem) ? 'small order' : /canonical/.test(problem) ? 'non-canonical' : problem;
}

const encode = (value: bigint, length: number) => i2osp(value, length).reverse();

describe.each(Object.keys(curves) as Array<keyof typeof curves>)('%s public keys, byte comparison against the integer rule', (kind) => {
  const { length, p, small } = curves[kind];
  const signBit = 1n << BigInt(8 * length - 1);
  const ys = [...small, p - 2n, p, p + 1n, signBit - 1n, 2n, p >> 1n, 256n, 255n, 2n ** BigInt(8 * length - 8)];
  const random = seededRandom(`eddsa keys ${kind}`);
  for (let i = 0; i < 64; i++) ys.push(os2ip(random(length)) & (signBit - 1n));
  const values = ys.filter((y) => y < signBit).flatMap((y) => [y, y | signBit]);

  it(`agrees with RFC 8032 on ${values.length} encodings`, () => {
    const verdicts = values.map((v) => verdict(kind, encode(v, length)));
    expect(verdicts).toEqual(values.map((v) => expected(kind, encode(v, length))));
    // The boundaries are all there: each verdict occurs.
    expect(new Set(verdicts)).toEqual(new Set(['ok', 'non-canonical', 'small order']));
  });

  it('refuses a key of another length', () => {
    expect(eddsaPublicKeyProblem(kind, new Uint8Array(length - 1).fill(9))).toMatch(/bytes, not/);
    expect(eddsaPublicKeyProblem(kind, new Uint8Array(length + 1).fill(9))).toMatch(/bytes, not/);
  });
});
