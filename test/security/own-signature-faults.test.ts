// Red team, session 14: a fault in our own process while it signs a CertificateVerify (a bit of the secret scalar
// flipped in memory or in a register: Rowhammer, undervolting, a CPU glitch). One such signature gives the peer
// that bit of the key: it tests both guesses against the signature's R (the first two cases show it, with nothing
// but the public key and what was on the wire). Hedged nonces (RFC 6979 §3.6 extraEntropy, hedged EdDSA) do not
// help here: the nonce is right, the key is not. Verifying the signature with the certificate's key before it
// leaves does: the engine now verifies its own EdDSA, ECDSA and ML-DSA signatures as it verifies a `signer`'s
// (RSA verified itself already, crypto/rsa.ts), and a fault is internal_error, no CertificateVerify on the wire.
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { bytesToNumberBE, bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider, PrivateKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { TlsEvent } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { concat } from '../../src/wire/bytes.js';
import { SignatureScheme } from '../../src/wire/enums.js';

const random = seededRandom('own signature faults');
const FAULTY_BIT = 5;
/** ML-DSA is not in the default lists: offered here beside the others. */
const SCHEMES = [
  SignatureScheme.mldsa44,
  SignatureScheme.ed25519,
  SignatureScheme.ed448,
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
];

/** RFC 8032 §5.1.6 with bit `bit` of the secret scalar flipped while s = r + k·a is computed. */
function ed25519WithScalarFault(seed: Uint8Array, message: Uint8Array, bit: number): Uint8Array {
  const { prefix, scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
  const Fn = ed25519.Point.Fn;
  const r = Fn.create(bytesToNumberLE(sha512(concat(prefix, message))));
  const R = ed25519.Point.BASE.multiply(r).toBytes();
  const k = Fn.create(bytesToNumberLE(sha512(concat(R, pointBytes, message))));
  const s = Fn.create(r + k * (scalar ^ (1n << BigInt(bit))));
  return concat(R, numberToBytesLE(s, 32));
}

/** ECDSA with bit `bit` of d flipped (the nonce is right: RFC 6979, hedged or not). */
function ecdsaKeyWithFault(key: Extract<PrivateKey, { kind: 'ecdsa' }>, bit: number): PrivateKey {
  const d = key.d.slice();
  d[d.length - 1 - (bit >> 3)]! ^= 1 << (bit & 7);
  return { ...key, d };
}

/** A provider whose signing suffers that fault once armed; everything else is `base`'s. */
function faulty(base: CryptoProvider, armed: () => boolean): CryptoProvider {
  return {
    ...base,
    sign: (algorithm, key, message, rnd) => {
      if (!armed()) return base.sign(algorithm, key, message, rnd);
      if (key.kind === 'ed25519') return ed25519WithScalarFault(key.seed, message, FAULTY_BIT);
      if (key.kind === 'ecdsa') return base.sign(algorithm, ecdsaKeyWithFault(key, FAULTY_BIT), message, rnd);
      const signature = base.sign(algorithm, key, message, rnd);
      signature[signature.length >> 1]! ^= 0x10;
      return signature;
    },
  };
}

describe('what one faulty signature gives the peer (why it must never be sent)', () => {
  const message = random(130);

  it('Ed25519: s·B − R − k·A is ±k·2^i·B, so the peer reads bit i of the secret scalar', () => {
    const seed = random(32);
    const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(seed);
    const signature = ed25519WithScalarFault(seed, message, FAULTY_BIT);
    expect(ed25519.verify(signature, message, pointBytes)).toBe(false);
    const Fn = ed25519.Point.Fn;
    const R = ed25519.Point.fromBytes(signature.subarray(0, 32));
    const s = bytesToNumberLE(signature.subarray(32));
    const k = Fn.create(bytesToNumberLE(sha512(concat(signature.subarray(0, 32), pointBytes, message))));
    const A = ed25519.Point.fromBytes(pointBytes);
    const difference = ed25519.Point.BASE.multiply(s).subtract(R).subtract(A.multiply(k));
    const step = ed25519.Point.BASE.multiply(Fn.create(k << BigInt(FAULTY_BIT)));
    const recoveredBit = difference.equals(step) ? 0 : difference.equals(step.negate()) ? 1 : undefined;
    expect(recoveredBit).toBe(Number((scalar >> BigInt(FAULTY_BIT)) & 1n));
  });

  it('ECDSA P-256: x(u1·G + u2·Q ± (r·2^i/s)·G) = r for one sign, so the peer reads bit i of d', () => {
    const key = { kind: 'ecdsa' as const, curve: 'P-256' as const, d: random(32) };
    const digest = sha256(message);
    const der = nobleProvider.sign({ kind: 'ecdsa', hash: 'sha256' }, ecdsaKeyWithFault(key, FAULTY_BIT), message, random);
    const Q = p256.Point.fromBytes(p256.getPublicKey(key.d));
    expect(p256.verify(der, digest, Q.toBytes(), { prehash: false, format: 'der', lowS: false })).toBe(false);
    const { r, s } = p256.Signature.fromBytes(der, 'der');
    const Fn = p256.Point.Fn;
    const h = Fn.create(bytesToNumberBE(digest));
    const P = p256.Point.BASE.multiply(Fn.div(h, s)).add(Q.multiply(Fn.div(r, s)));
    const step = p256.Point.BASE.multiply(Fn.div(Fn.create(r << BigInt(FAULTY_BIT)), s));
    const xIsR = (point: typeof P) => Fn.create(point.toAffine().x) === r;
    const recoveredBit = xIsR(P.add(step)) ? 0 : xIsR(P.subtract(step)) ? 1 : undefined;
    const d = bytesToNumberBE(key.d);
    expect(recoveredBit).toBe(Number((d >> BigInt(FAULTY_BIT)) & 1n));
  });
});

const certificateVerifiesOut = (events: TlsEvent[]) => events.filter((e) => e.type === 'handshake-message' && e.direction === 'out' && e.message.kind === 'certificate_verify').length;
const alertsOut = (events: TlsEvent[]) => events.flatMap((e) => (e.type === 'alert' && e.direction === 'out' ? [e.description] : []));

describe('our own faulty signature never reaches the wire', () => {
  for (const [providerName, base] of [['noble', nobleProvider], ['node:crypto', nodeCryptoProvider]] as const) {
    for (const keyType of ['ed25519', 'ed448', 'p256', 'p384', 'ml-dsa-44'] as const) {
      const id = makeIdentity({ subject: { CN: `own ${keyType}` }, keyType }, random);
      const peer = makeIdentity({ subject: { CN: 'peer' } }, random);
      const run = (fault: boolean, role: 'server' | 'client') => {
        const provider = faulty(base, () => fault);
        const pins = { kind: 'pinned-key' as const, keys: [id.certificate.spki, peer.certificate.spki] };
        const pair = new InMemoryPair(
          { trust: pins, now: () => TEST_NOW, random: seededRandom('c'), signatureSchemes: SCHEMES, ...(role === 'client' ? { certificate: id, provider } : {}) },
          { certificate: role === 'server' ? id : peer, now: () => TEST_NOW, random: seededRandom('s'), signatureSchemes: SCHEMES, ...(role === 'server' ? { provider } : { clientAuth: 'require' as const, trust: pins }) },
        ).run();
        return { connected: pair.client.isConnected && pair.server.isConnected, verifiesSent: certificateVerifiesOut(pair.events(role)), alerts: alertsOut(pair.events(role)) };
      };
      for (const role of ['server', 'client'] as const) {
        it(`${providerName}, ${keyType}, the ${role}: the control (no fault) connects`, () => {
          expect(run(false, role)).toMatchObject({ connected: true, alerts: [] });
        });
        it(`${providerName}, ${keyType}, the ${role}: a faulty signature is internal_error from us, no CertificateVerify sent`, () => {
          expect(run(true, role)).toEqual({ connected: false, verifiesSent: 0, alerts: ['internal_error'] });
        });
      }
    }
  }
});

describe('the check of our own signature lends the provider copies', () => {
  it('a provider that wipes what it verifies (the signature, the key) leaves the signature we send whole, handshake after handshake', () => {
    for (const keyType of ['ed25519', 'p256'] as const) {
      const id = makeIdentity({ subject: { CN: `wiped ${keyType}` }, keyType }, random);
      const wiping: CryptoProvider = {
        ...nobleProvider,
        verify: (algorithm, key, message, signature) => {
          const ok = nobleProvider.verify(algorithm, key, message, signature);
          signature.fill(0);
          if (key.kind === 'ecdsa') key.point.fill(0);
          else if (key.kind !== 'rsa' && key.kind !== 'rsa-pss') key.publicKey.fill(0);
          return ok;
        },
      };
      for (const round of [1, 2]) {
        const pair = new InMemoryPair(
          { trust: { kind: 'pinned-key', keys: [id.certificate.spki] }, now: () => TEST_NOW, random: seededRandom(`w c ${round}`) },
          { certificate: id, now: () => TEST_NOW, random: seededRandom(`w s ${round}`), provider: wiping },
        ).run();
        expect({ keyType, round, alerts: [...alertsOut(pair.events('client')), ...alertsOut(pair.events('server'))], connected: pair.client.isConnected }).toEqual({ keyType, round, alerts: [], connected: true });
      }
    }
  });
});
