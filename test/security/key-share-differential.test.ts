// Differential attack on the two providers' key-share checks: a peer value one library refuses and the other
// takes would give the two providers different answers (illegal_parameter on one, a handshake on the other).
// Each share below is the encoding an attacker reaches for first: a non-canonical coordinate (x + p, which
// reduces to a valid point), the low-order X25519/X448 points (RFC 7748 §6: an all-zero secret) also in
// their non-canonical spellings, FFDHE values at and beyond the range 1 < Y < p - 1 (RFC 8446 §4.2.8.1), and
// an ML-KEM coefficient of exactly q (FIPS 203 §7.2). Both providers must refuse each one, as server
// (encapsulate) and as client (decapsulate); a valid neighbour of each proves the table can tell.
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { i2osp } from '../../src/crypto/bigint.js';
import { FFDHE_PARAMETERS } from '../../src/crypto/ffdhe.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { GroupName } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';

const PROVIDERS = [nobleProvider, nodeCryptoProvider];
const littleEndian = (x: bigint, length: number) => i2osp(x, length).reverse();

const P25519 = 2n ** 255n - 19n;
const P448 = 2n ** 448n - 2n ** 224n - 1n;
/** The X25519 points of order 8 (RFC 7748 §7 lists the low-order u-coordinates that give an all-zero secret). */
const ORDER_8_25519 = [
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
];

/** The lowest point (x, y) of a NIST curve: x as small as possible, so x + p still fits the encoding. */
function lowPoint(curve: typeof p256 | typeof p521): { x: bigint; y: bigint; p: bigint } {
  const Fp = curve.Point.Fp;
  const { a, b } = curve.Point.CURVE();
  for (let x = 0n; ; x++) {
    const rhs = Fp.add(Fp.add(Fp.mul(Fp.mul(x, x), x), Fp.mul(a, x)), b);
    const y = (() => {
      try {
        return Fp.sqrt(rhs);
      } catch {
        return undefined;
      }
    })();
    if (y !== undefined && Fp.eql(Fp.sqr(y), rhs)) return { x, y, p: Fp.ORDER };
  }
}

const point = (x: bigint, y: bigint, length: number) => Uint8Array.of(4, ...i2osp(x, length), ...i2osp(y, length));

const NIST = [
  ['secp256r1', p256, 32],
  ['secp384r1', p384, 48],
  ['secp521r1', p521, 66],
] as const;

/** [group, what, share]: every share here is invalid. */
const INVALID: Array<[GroupName, string, Uint8Array]> = [
  ...NIST.map(([group, curve, length]): [GroupName, string, Uint8Array] => {
    const { x, y, p } = lowPoint(curve);
    return [group, 'x + p (a valid point, non-canonical)', point(x + p, y, length)];
  }),
  ...[0n, 1n, ...ORDER_8_25519, P25519 - 1n, P25519, P25519 + 1n].flatMap((u): Array<[GroupName, string, Uint8Array]> => [
    ['x25519', `low-order u = ${u.toString(16).slice(0, 8)}...`, littleEndian(u, 32)],
    // RFC 7748 §5: the top bit is masked, so this is the same low-order point.
    ['x25519', `low-order u = ${u.toString(16).slice(0, 8)}... with the top bit set`, littleEndian(u | (1n << 255n), 32)],
  ]),
  ...[0n, 1n, P448 - 1n, P448, P448 + 1n].map((u): [GroupName, string, Uint8Array] => ['x448', `low-order u = ${u.toString(16).slice(0, 8)}...`, littleEndian(u, 56)]),
  ...(['ffdhe2048', 'ffdhe8192'] as const).flatMap((group) => {
    const { prime, length } = FFDHE_PARAMETERS[group];
    const values: Array<[string, bigint]> = [['0', 0n], ['p', prime], ['p + 1', prime + 1n], ['2^(8 len) - 1', 2n ** BigInt(8 * length) - 1n]];
    return values.map(([what, y]): [GroupName, string, Uint8Array] => [group, `Y = ${what}`, i2osp(y, length)]);
  }),
];

/** Valid neighbours: the same shapes just inside the rules. */
const VALID: Array<[GroupName, string, Uint8Array]> = [
  ...NIST.map(([group, curve, length]): [GroupName, string, Uint8Array] => {
    const { x, y } = lowPoint(curve);
    return [group, 'the same point, canonical', point(x, y, length)];
  }),
  ['x448', 'u = 2^448 - 1 (non-canonical, reduces to 2^224: not low order)', littleEndian(2n ** 448n - 1n, 56)],
  ...(['ffdhe2048', 'ffdhe8192'] as const).flatMap((group) => {
    const { prime, length } = FFDHE_PARAMETERS[group];
    return [[group, 'Y = 2', i2osp(2n, length)], [group, 'Y = p - 2', i2osp(prime - 2n, length)]] as Array<[GroupName, string, Uint8Array]>;
  }),
];

/** What each provider makes of `share`, as the server and as the client: 'secret' or 'null' (never a throw). */
function outcomes(group: GroupName, share: Uint8Array): string[] {
  return PROVIDERS.flatMap((provider) => {
    const kx = provider.keyExchange(group);
    const own = kx.generate(seededRandom(`${group} client`));
    const server = kx.encapsulate(share, seededRandom(`${group} server`)) ? 'secret' : 'null';
    const client = kx.decapsulate(own.privateKey, share) ? 'secret' : 'null';
    return [`${provider.name} server ${server}`, `${provider.name} client ${client}`];
  });
}

describe('noble and node:crypto refuse the same key shares (differential)', () => {
  it.each(INVALID)('%s: %s is refused by both, in both roles', (group, _, share) => {
    expect(outcomes(group, share)).toEqual(['noble server null', 'noble client null', 'node:crypto server null', 'node:crypto client null']);
  });

  it.each(VALID)('%s: %s is taken by both, in both roles', (group, _, share) => {
    expect(outcomes(group, share)).toEqual(['noble server secret', 'noble client secret', 'node:crypto server secret', 'node:crypto client secret']);
  });

  it('MLKEM768: a coefficient of exactly q is refused by both servers, q - 1 taken (FIPS 203 §7.2)', () => {
    const key = nobleProvider.keyExchange('MLKEM768').generate(seededRandom('ek')).share;
    const withFirstCoefficient = (c: number) => {
      const out = key.slice();
      out[0] = c & 0xff;
      out[1] = (out[1]! & 0xf0) | (c >> 8);
      return out;
    };
    const server = (share: Uint8Array) => PROVIDERS.map((p) => (p.keyExchange('MLKEM768').encapsulate(share, seededRandom('m')) ? 'secret' : 'null'));
    expect(server(withFirstCoefficient(3329))).toEqual(['null', 'null']);
    expect(server(withFirstCoefficient(3328))).toEqual(['secret', 'secret']);
  });
});
