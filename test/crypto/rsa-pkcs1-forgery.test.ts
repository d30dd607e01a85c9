// Attacker: Bleichenbacher's 2006 forgery of PKCS#1 v1.5 signatures under e = 3, and the lax DigestInfo
// parsing it and its successors (BERserk, 2014) exploit. A verifier that parses EM = 0x00 0x01 PS 0x00 T
// instead of rebuilding it (RFC 8017 §8.2.2 step 3 recommends rebuilding) takes garbage after T, in PS, or
// in the DER of T. The real forgery needs no private key: a cube root. The other encodings are raised to d
// here, standing for an attacker who found one; a verifier that refuses them refuses every spelling of
// them. Every case runs through both providers; the certificates of a chain are checked with these.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { modPow } from '../../src/crypto/bigint.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PublicKey } from '../../src/crypto/provider.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { concat, fromHex, hex, utf8 } from '../../src/wire/bytes.js';

const toInteger = (bytes: Uint8Array) => BigInt('0x' + (hex(bytes) || '0'));
const toBytes = (x: bigint, length: number) => fromHex(x.toString(16).padStart(2 * length, '0'));
const fromBase64Url = (text: string) => toInteger(new Uint8Array(Buffer.from(text, 'base64url')));

const jwk = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey.export({ format: 'jwk' });
const [n, e, d] = [fromBase64Url(jwk.n!), fromBase64Url(jwk.e!), fromBase64Url(jwk.d!)];
const publicKey: PublicKey = { kind: 'rsa', n, e };
const k = 256;
const alg = { kind: 'rsa-pkcs1', hash: 'sha256' } as const;
const message = utf8.encode('tbsCertificate of a certificate the attacker wants signed');
const sha256 = nobleProvider.hash('sha256', message);


/** The signature that opens to `em`, made with d (the stand-in for an attacker's luck). */
const signatureOpeningTo = (em: Uint8Array) => toBytes(modPow(toInteger(em), d, n), k);

function verdicts(signature: Uint8Array) {
  return { noble: nobleProvider.verify(alg, publicKey, message, signature), node: nodeCryptoProvider.verify(alg, publicKey, message, signature) };
}

const refusedByBoth = { noble: false, node: false };

/** DigestInfo of SHA-256 (RFC 8017 §9.2 note 1), by its parts so that each can be spelled otherwise. */
const ALGORITHM = fromHex('300d06096086480165030402010500');
const digestInfo = (algorithm = ALGORITHM, digest = concat(Uint8Array.of(0x04, 0x20), sha256)) =>
  concat(Uint8Array.of(0x30, algorithm.length + digest.length), algorithm, digest);

/** 0x00 0x01 PS 0x00 T ... padded to k octets with `garbage` after T, PS as long as the rest leaves. */
function encoded(t: Uint8Array, { garbage = 0, psByte = 0xff, blockType = 0x01 } = {}): Uint8Array {
  const ps = new Uint8Array(k - 3 - t.length - garbage).fill(psByte);
  return concat(Uint8Array.of(0x00, blockType), ps, Uint8Array.of(0x00), t, new Uint8Array(garbage).fill(0x42));
}

/** The integer cube root, rounded up. */
function cubeRootCeiling(x: bigint): bigint {
  let r = 1n << BigInt(Math.ceil(x.toString(2).length / 3));
  for (;;) {
    const next = (2n * r + x / (r * r)) / 3n;
    if (next >= r) break;
    r = next;
  }
  while (r * r * r < x) r++;
  return r;
}

describe('RSASSA-PKCS1-v1_5 under e = 3: forged and lax encodings', () => {
  it('the encoding RFC 8017 §9.2 makes verifies (control)', () => {
    expect(verdicts(signatureOpeningTo(encoded(digestInfo())))).toEqual({ noble: true, node: true });
  });

  it("Bleichenbacher's forgery, made without the private key (a cube root; garbage after T, 8 octets of PS): both refuse", () => {
    const prefix = concat(Uint8Array.of(0x00, 0x01), new Uint8Array(8).fill(0xff), Uint8Array.of(0x00), digestInfo());
    const garbageBits = BigInt(8 * (k - prefix.length));
    const forged = cubeRootCeiling(toInteger(prefix) << garbageBits);
    // The forgery is what a lax parser wants: s^3 is below n (no reduction) and begins with the prefix.
    const cube = forged ** 3n;
    expect(cube < n).toBe(true);
    expect(hex(toBytes(cube >> garbageBits, prefix.length))).toBe(hex(prefix));
    expect(verdicts(toBytes(forged, k))).toEqual(refusedByBoth);
  });

  it.each([
    ['garbage after the DigestInfo (a shorter PS)', encoded(digestInfo(), { garbage: 40 })],
    ['garbage in the padding (a PS octet other than 0xff)', (() => { const em = encoded(digestInfo()); em[20] = 0x42; return em; })()],
    ['a padding of zeros (block type 0x01 with PS = 0x00...)', encoded(digestInfo(), { psByte: 0x00 })],
    ['block type 0x02 (the encryption padding)', encoded(digestInfo(), { blockType: 0x02 })],
    ['block type 0x00', encoded(digestInfo(), { blockType: 0x00 })],
    ['a PS of 7 octets (RFC 8017 §9.2: at least 8), zeros in front', concat(new Uint8Array(k - 61), Uint8Array.of(0x00, 0x01), new Uint8Array(7).fill(0xff), Uint8Array.of(0x00), digestInfo())],
    ['the NULL parameters of the hash missing', encoded(digestInfo(fromHex('300b0609608648016503040201')))],
    ['parameters other than NULL (an empty OCTET STRING)', encoded(digestInfo(fromHex('300d06096086480165030402010400')))],
    ['BERserk: the outer SEQUENCE length in long form (0x81 0x31)', encoded(concat(Uint8Array.of(0x30, 0x81, 0x31), ALGORITHM, Uint8Array.of(0x04, 0x20), sha256))],
    ['BERserk: the digest OCTET STRING length in long form (0x81 0x20)', encoded(digestInfo(ALGORITHM, concat(Uint8Array.of(0x04, 0x81, 0x20), sha256)))],
    ['BERserk: the AlgorithmIdentifier length in long form', encoded(digestInfo(concat(Uint8Array.of(0x30, 0x81, 0x0d), ALGORITHM.subarray(2))))],
    ['the OID of SHA-384 around a SHA-256 digest', encoded(digestInfo(fromHex('300d06096086480165030402020500')))],
    ['the SHA-256 digest without any DigestInfo', encoded(sha256)],
  ])('%s: both refuse', (_what, em) => {
    expect(em.length).toBe(k);
    expect(verdicts(signatureOpeningTo(em))).toEqual(refusedByBoth);
  });
});
