// Attacker's scripts: an RFC 7250 raw public key is a bare SubjectPublicKeyInfo, with no CA to have looked at
// it, so its DER is the peer's to spell. Each shape below is pinned byte for byte (so the pin matches and only
// the parse can refuse) and must be bad_certificate: parameters where the algorithm forbids them (Ed25519, Ed448:
// RFC 8410 §3; ML-DSA: RFC 9881 §2), a compressed or a too long EC point, a curve OID that is not the point's,
// bytes after the SPKI or inside its BIT STRING, a non-minimal DER length (another spelling of a pinned key).
// A key that parses must still fit the CertificateVerify scheme: a P-384 key under ecdsa_secp256r1_sha256, an
// id-RSASSA-PSS key restricted to SHA-384 under rsa_pss_pss_sha256 (RFC 4055 §3.3), an rsaEncryption key under
// rsa_pss_pss_* (RFC 8446 §4.2.3). Found defended (session 15): `auth/keys.ts` readSubjectPublicKeyInfo,
// `auth/mldsa-keys.ts` readMlDsaPublicKey, `handshake/signatures.ts` HANDSHAKE_SCHEMES.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { encodeSpki } from '../../src/auth/keys.js';
import { OID } from '../../src/auth/oids.js';
import { evaluateRawPublicKey } from '../../src/auth/trust.js';
import type { PublicKey } from '../../src/crypto/provider.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { checkCertificateVerify } from '../../src/handshake/signatures.js';
import { TEST_NOW } from '../../src/testing/certs.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import { concat, hex } from '../../src/wire/bytes.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { TlsError } from '../../src/wire/errors.js';

const random = seededRandom('raw key spki shapes');
const publicKey = (kind: 'ed25519' | 'ed448' | 'p256' | 'p384' | 'ml-dsa-44') => generateKeyPair(kind, random, nobleProvider).publicKey;
const ed25519 = publicKey('ed25519') as Extract<PublicKey, { kind: 'ed25519' }>;
const ed448 = publicKey('ed448') as Extract<PublicKey, { kind: 'ed448' }>;
const p256 = publicKey('p256') as Extract<PublicKey, { kind: 'ecdsa' }>;
const p384 = publicKey('p384');
const mlDsa = publicKey('ml-dsa-44') as Extract<PublicKey, { kind: 'ml-dsa' }>;

/** The verdict on `spki` when it is pinned as it is: the parse alone can refuse it. */
function judgedPinned(spki: Uint8Array) {
  return evaluateRawPublicKey({ kind: 'pinned-key', keys: [spki] }, spki, { provider: nobleProvider, now: () => TEST_NOW, purpose: 'clientAuth' });
}

function refusal(spki: Uint8Array): string {
  try {
    judgedPinned(spki);
  } catch (e) {
    if (e instanceof TlsError) return `${e.alert}: ${e.detail}`;
    throw e;
  }
  return 'accepted';
}

const spki = (algorithm: Uint8Array, key: Uint8Array) => der.sequence(algorithm, der.bitString(key));
const point = p256.point;
const compressed = Uint8Array.of(0x02 | (point[64]! & 1), ...point.subarray(1, 33));

describe('a raw public key (RFC 7250) spelled by the attacker', () => {
  it('the control: each key as node:crypto spells it is trusted, its pin the SHA-256 of the bytes received', () => {
    for (const key of [ed25519, ed448, p256, p384, mlDsa]) {
      const bytes = encodeSpki(key);
      const { verdict, leaf } = judgedPinned(bytes);
      expect(verdict.trusted).toBe(true);
      expect(leaf.identity.spkiSha256).toBe(hex(nobleProvider.hash('sha256', bytes)));
    }
  });

  const shapes: Record<string, Uint8Array> = {
    'Ed25519 with NULL parameters (RFC 8410 §3: absent)': spki(der.sequence(der.oid(OID.ed25519), der.null()), ed25519.publicKey),
    'Ed448 with a curve OID as parameters': spki(der.sequence(der.oid(OID.ed448), der.oid(OID.prime256v1)), ed448.publicKey),
    'ML-DSA-44 with NULL parameters (RFC 9881 §2: absent)': spki(der.sequence(der.oid(OID.idMlDsa44), der.null()), mlDsa.publicKey),
    "ML-DSA-44's key named as ML-DSA-65": spki(der.sequence(der.oid(OID.idMlDsa65)), mlDsa.publicKey),
    'Ed25519 with a 33rd key byte inside the BIT STRING': spki(der.sequence(der.oid(OID.ed25519)), concat(ed25519.publicKey, Uint8Array.of(0))),
    'Ed25519 with a byte after the SPKI': concat(encodeSpki(ed25519), Uint8Array.of(0)),
    'Ed25519 with a non-minimal length (another spelling of a pinned key)': Uint8Array.of(0x30, 0x81, ...encodeSpki(ed25519).subarray(1)),
    'P-256 with the compressed point (RFC 5480 §2.2: uncompressed only)': spki(der.sequence(der.oid(OID.ecPublicKey), der.oid(OID.prime256v1)), compressed),
    "P-256's point named as P-384": spki(der.sequence(der.oid(OID.ecPublicKey), der.oid(OID.secp384r1)), point),
    'EC without a named curve': spki(der.sequence(der.oid(OID.ecPublicKey)), point),
  };

  for (const [what, bytes] of Object.entries(shapes)) {
    it(`${what}: bad_certificate`, () => {
      expect(refusal(bytes)).toMatch(/^bad_certificate: cannot use the peer's raw public key/);
    });
  }
});

describe("a raw key that parses must fit the CertificateVerify's scheme", () => {
  const fits = (scheme: number, key: PublicKey) => checkCertificateVerify(nobleProvider, scheme, key, 'client', new Uint8Array(32), new Uint8Array(64)) !== 'scheme-does-not-fit-key';

  it('a P-384 key under ecdsa_secp256r1_sha256 does not fit (the handshake answers illegal_parameter)', () => {
    expect(fits(SignatureScheme.ecdsa_secp256r1_sha256, p384)).toBe(false);
    expect(fits(SignatureScheme.ecdsa_secp384r1_sha384, p384)).toBe(true);
  });

  it('an id-RSASSA-PSS key restricted to SHA-384 fits rsa_pss_pss_sha384 only, and an rsaEncryption key no rsa_pss_pss scheme', () => {
    const rsa = rsaTestKey();
    const restricted = nobleProvider.publicKeyOf(asPssKey(rsa, { hash: 'sha384', minSaltLength: 48 }));
    const parsed = judgedPinned(encodeSpki(restricted)).leaf.publicKey;
    expect(parsed).toMatchObject({ kind: 'rsa-pss', params: { hash: 'sha384', minSaltLength: 48 } });
    expect(fits(SignatureScheme.rsa_pss_pss_sha256, parsed)).toBe(false);
    expect(fits(SignatureScheme.rsa_pss_rsae_sha384, parsed)).toBe(false);
    expect(fits(SignatureScheme.rsa_pss_pss_sha384, parsed)).toBe(true);
    const plain = nobleProvider.publicKeyOf(rsa);
    expect(fits(SignatureScheme.rsa_pss_pss_sha256, plain)).toBe(false);
    expect(fits(SignatureScheme.rsa_pss_rsae_sha256, plain)).toBe(true);
  });
});
