// Attacker: ECDSA signatures and keys out of range or spelled otherwise: r or s zero or not below n (X9.62:
// both in [1, n-1]), Ecdsa-Sig-Value (RFC 5480 §2.2, RFC 3279 §2.2.3) in BER rather than DER (non-minimal
// INTEGERs, long-form or indefinite lengths, trailing octets: a second spelling of one signature), raw
// r || s, and public points off the curve. High-S is valid ECDSA and both accept it (the only malleation
// that stays valid: s and n - s). Every case runs through both providers, on each curve TLS 1.3 names.
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CurveName, HashName, PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { concat, fromHex, utf8 } from '../../src/wire/bytes.js';

const CURVES = { 'P-256': [p256, 'sha256'], 'P-384': [p384, 'sha384'], 'P-521': [p521, 'sha512'] } as const;

/** DER of one TLV (lengths below 65536). */
function tlv(tag: number, body: Uint8Array): Uint8Array {
  const length = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return concat(Uint8Array.of(tag, ...length), body);
}

/** Minimal two's complement big-endian content of a non-negative INTEGER. */
function integerContent(x: bigint): Uint8Array {
  const text = x.toString(16);
  const bytes = fromHex(text.length % 2 ? '0' + text : text);
  return bytes[0]! & 0x80 ? concat(Uint8Array.of(0), bytes) : bytes;
}

const integer = (x: bigint) => tlv(0x02, integerContent(x));

/** The INTEGER -x (x > 0) in minimal two's complement: 2^(8L) - x in the L octets x needs. */
function negativeInteger(x: bigint): Uint8Array {
  const length = integerContent(x).length;
  return tlv(0x02, fromHex(((1n << BigInt(8 * length)) - x).toString(16).padStart(2 * length, '0')));
}
const sigValue = (r: bigint, s: bigint) => tlv(0x30, concat(integer(r), integer(s)));

describe.each(Object.keys(CURVES) as CurveName[])('ECDSA over %s', (curve) => {
  const [noble, hash] = CURVES[curve] as readonly [typeof p256, HashName];
  const alg = { kind: 'ecdsa', hash } as const;
  const n = noble.Point.CURVE().n;
  const d = noble.utils.randomSecretKey(seededRandom(`ecdsa malformed ${curve}`)(noble.lengths.seed!));
  const privateKey: PrivateKey = { kind: 'ecdsa', curve, d };
  const publicKey: PublicKey = { kind: 'ecdsa', curve, point: noble.getPublicKey(d, false) };
  const message = utf8.encode('64 spaces, a context string, a zero byte and a transcript hash');
  const signature = nobleProvider.sign(alg, privateKey, message, () => new Uint8Array(0));
  const { r, s } = noble.Signature.fromBytes(signature, 'der');

  const verdicts = (sig: Uint8Array, key = publicKey) => ({
    noble: nobleProvider.verify(alg, key, message, sig),
    // noble with the key's table (crypto/own-key-tables.ts): our own certificate's key
    nobleOwnKey: nobleProvider.verify(alg, key, message, sig, { ownKey: true }),
    node: nodeCryptoProvider.verify(alg, key, message, sig),
  });
  const both = (verdict: boolean) => ({ noble: verdict, nobleOwnKey: verdict, node: verdict });

  it('the signature, re-encoded in DER, and its high-S twin n - s: both accept (control)', () => {
    expect(verdicts(signature)).toEqual(both(true));
    expect(verdicts(sigValue(r, s))).toEqual(both(true));
    expect(verdicts(sigValue(r, n - s))).toEqual(both(true));
  });

  it.each([
    ['r = 0', () => sigValue(0n, s)],
    ['s = 0', () => sigValue(r, 0n)],
    ['r + n', () => sigValue(r + n, s)],
    ['s + n', () => sigValue(r, s + n)],
    ['r = n', () => sigValue(n, s)],
    ['s = n', () => sigValue(r, n)],
    ['a trailing octet after the SEQUENCE', () => concat(signature, Uint8Array.of(0))],
    ['a third element inside the SEQUENCE', () => tlv(0x30, concat(integer(r), integer(s), Uint8Array.of(0x05, 0x00)))],
    ['r with a superfluous leading zero', () => tlv(0x30, concat(tlv(0x02, concat(Uint8Array.of(0), integerContent(r))), integer(s)))],
    ['s with a superfluous leading zero', () => tlv(0x30, concat(integer(r), tlv(0x02, concat(Uint8Array.of(0), integerContent(s)))))],
    ['r as the negative INTEGER -r', () => tlv(0x30, concat(negativeInteger(r), integer(s)))],
    ['s as the negative INTEGER -s', () => tlv(0x30, concat(integer(r), negativeInteger(s)))],
    ['the SEQUENCE length in a longer form than needed', () => {
      const body = concat(integer(r), integer(s));
      return concat(Uint8Array.of(0x30, 0x82, body.length >> 8, body.length & 0xff), body);
    }],
    ['an indefinite length (BER)', () => concat(Uint8Array.of(0x30, 0x80), integer(r), integer(s), Uint8Array.of(0, 0))],
    ['raw r || s (the IEEE P1363 form, not DER)', () => noble.Signature.fromBytes(signature, 'der').toBytes('compact')],
    ['an empty signature', () => new Uint8Array(0)],
  ])('%s: both refuse', (_what, make) => {
    expect(verdicts(make())).toEqual(both(false));
  });

  it('a public point off the curve, and the all-zero point: both refuse', () => {
    if (publicKey.kind !== 'ecdsa') throw new Error('an ECDSA key');
    const off = publicKey.point.slice();
    off[off.length - 1]! ^= 1;
    expect(verdicts(signature, { ...publicKey, point: off })).toEqual(both(false));
    expect(verdicts(signature, { ...publicKey, point: concat(Uint8Array.of(0x04), new Uint8Array(off.length - 1)) })).toEqual(both(false));
  });
});
