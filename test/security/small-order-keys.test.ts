// Attacker: authenticate with an EdDSA public key of small order, a key anyone can sign with. For the
// Ed25519 identity point (y = 1), the signature R = identity, S = 0 passes the verification equation
// [S]B = R + [k]A for every message: OpenSSL (the node:crypto provider) accepts it, so a certificate or raw
// public key carrying it proves no possession (RFC 8446 §4.4.3) with that provider, while noble refuses it.
// One rule for both providers: such a key, and a non-canonical encoding (RFC 8032 §5.1.3: y below p), is
// refused where it is parsed, as libsodium refuses small-order keys.
import { describe, expect, it } from 'vitest';
import { encodeSpki, KeyError, parseSpki } from '../../src/auth/keys.js';
import { evaluateRawPublicKey, evaluateTrust } from '../../src/auth/trust.js';
import { fromHex } from '../../src/wire/bytes.js';
import { TlsError } from '../../src/wire/errors.js';
import { issue, NOW, nodeKey, provider } from '../auth/helpers.js';
import { root } from './path-helpers.js';

/** The eight Ed25519 points of small order, as libsodium's blocklist writes them (orders 1, 2, 4, 4, 8, 8, 8, 8). */
const SMALL_ORDER_ED25519 = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
].map(fromHex);
const ED448_IDENTITY = Uint8Array.from({ length: 57 }, (_, i) => (i === 0 ? 1 : 0));
/** y = p + 1: the identity again, in an encoding RFC 8032 §5.1.3 refuses (y must be below p). */
const NON_CANONICAL_IDENTITY = fromHex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f');

const spkiOf = (kind: 'ed25519' | 'ed448', publicKey: Uint8Array) => encodeSpki({ kind, publicKey });

describe('EdDSA public keys of small order are refused where they are parsed', () => {
  it('each of the eight small-order Ed25519 points, and the Ed448 identity: KeyError', () => {
    for (const point of SMALL_ORDER_ED25519) expect(() => parseSpki(spkiOf('ed25519', point))).toThrow(/small order/);
    expect(() => parseSpki(spkiOf('ed448', ED448_IDENTITY))).toThrow(/small order/);
  });

  it('a non-canonical encoding of a point: KeyError', () => {
    expect(() => parseSpki(spkiOf('ed25519', NON_CANONICAL_IDENTITY))).toThrow(KeyError);
  });

  it('a CA-signed certificate for the identity key: unsupported_certificate before any signature is looked at', () => {
    const forgeable = issue({ CN: 'anyone' }, { ...nodeKey('ed25519'), publicKey: { kind: 'ed25519', publicKey: SMALL_ORDER_ED25519[0]! } }, root, {
      extKeyUsage: ['clientAuth'],
    });
    expect(forgeable.cert.publicKey).toBeNull();
    expect(forgeable.cert.publicKeyProblem).toMatch(/small order/);
    let thrown: unknown;
    try {
      evaluateTrust({ kind: 'ca', anchors: [root.der] }, [forgeable.der], { provider, now: () => NOW, purpose: 'clientAuth' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TlsError);
    expect(thrown).toMatchObject({ reason: 'UnsupportedCertificate' });
  });

  it('a pinned raw public key of small order (RFC 7250): bad_certificate', () => {
    const spki = spkiOf('ed25519', SMALL_ORDER_ED25519[0]!);
    expect(() => evaluateRawPublicKey({ kind: 'pinned-key', keys: [spki] }, spki, { provider, now: () => NOW, purpose: 'serverAuth' })).toThrow(/small order/);
  });

  it('real keys parse (control)', () => {
    for (const kind of ['ed25519', 'ed448'] as const) {
      const key = nodeKey(kind).publicKey;
      expect(parseSpki(encodeSpki(key))).toEqual(key);
    }
  });
});
