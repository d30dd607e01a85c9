// What the BoGo signature replays share (bogo-client-signatures.test.ts, bogo-server-signatures.test.ts):
// BoGo's testSignatureAlgorithms (boringssl ssl/test/runner/signature_algorithm_tests.go) with a key for each,
// its fake and internal code points, and the runner's signatures with schemes TLS 1.3 has no place for.
import { nobleProvider } from '../../src/crypto/noble.js';
import type { SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { handshakeSignatureAlgorithm } from '../../src/handshake/signatures.js';
import { makeIdentity, type Identity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { SignatureScheme as S } from '../../src/wire/enums.js';
import { rnd } from '../handshake/abort-harness.js';
import { fails } from './bogo-harness.js';

const identity = (extra: Parameters<typeof makeIdentity>[0]) => makeIdentity({ subject: { CN: 'example.test' }, sans: { dns: ['example.test'] }, ...extra }, rnd);
export const RSA = identity({ privateKey: rsaTestKey() });
export const P256 = identity({ keyType: 'p256' });
export const P384 = identity({ keyType: 'p384' });
export const P521 = identity({ keyType: 'p521' });
export const ED25519 = identity({});

/** BoGo's fakeSigAlg1 and fakeSigAlg2, listed around the one real scheme. */
export const FAKE_1 = 0x2a01;
export const FAKE_2 = 0xff01;
/** draft-ietf-tls-tls13-pkcs1: RSASSA-PKCS1-v1_5 with SHA-256 for TLS 1.3 client certificates; not ours. */
export const RSA_PKCS1_SHA256_LEGACY = 0x0420;
/** BoringSSL's internal value for the TLS 1.0 MD5+SHA1 RSA signature, which must never reach the wire. */
export const RSA_PKCS1_MD5_SHA1 = 0xff01;
/** rsa_pkcs1_md5 (RFC 5246 §7.4.1.4.1), which no TLS 1.3 peer may use. */
export const RSA_PKCS1_MD5 = 0x0101;

export const NO_COMMON = fails(':NO_COMMON_SIGNATURE_ALGORITHMS:', 'handshake_failure');
export const WRONG_TYPE = fails(':WRONG_SIGNATURE_TYPE:', 'illegal_parameter');

/**
 * What TLS 1.3 makes of a scheme: 'ok'; 'removed' (RFC 8446 §4.2.3: RSASSA-PKCS1-v1_5 and SHA-1 are not for
 * signed TLS 1.3 handshake messages); 'legacy' (draft-ietf-tls-tls13-pkcs1's code point, which we do not implement).
 */
export type Status = 'ok' | 'removed' | 'legacy';

/**
 * BoGo's testSignatureAlgorithms at TLS 1.3, with the key each needs. ECDSA_P224_SHA256 (a P-224 key) is not
 * replayed: our tooling makes no P-224 key.
 */
export const ALGORITHMS: Array<[string, number, Identity, Status]> = [
  ['RSA_PKCS1_SHA1', S.rsa_pkcs1_sha1, RSA, 'removed'],
  ['RSA_PKCS1_SHA256', S.rsa_pkcs1_sha256, RSA, 'removed'],
  ['RSA_PKCS1_SHA256_LEGACY', RSA_PKCS1_SHA256_LEGACY, RSA, 'legacy'],
  ['RSA_PKCS1_SHA384', S.rsa_pkcs1_sha384, RSA, 'removed'],
  ['RSA_PKCS1_SHA512', S.rsa_pkcs1_sha512, RSA, 'removed'],
  ['ECDSA_SHA1', S.ecdsa_sha1, P256, 'removed'],
  ['ECDSA_P256_SHA256', S.ecdsa_secp256r1_sha256, P256, 'ok'],
  ['ECDSA_P384_SHA384', S.ecdsa_secp384r1_sha384, P384, 'ok'],
  ['ECDSA_P521_SHA512', S.ecdsa_secp521r1_sha512, P521, 'ok'],
  ['RSA_PSS_SHA256', S.rsa_pss_rsae_sha256, RSA, 'ok'],
  ['RSA_PSS_SHA384', S.rsa_pss_rsae_sha384, RSA, 'ok'],
  ['RSA_PSS_SHA512', S.rsa_pss_rsae_sha512, RSA, 'ok'],
  ['Ed25519', S.ed25519, ED25519, 'ok'],
];
/** BoGo's allAlgorithms: every id of the table (P-224's is ECDSA_P256_SHA256's). */
export const ALL_ALGORITHMS = ALGORITHMS.map(([, scheme]) => scheme);

/** The algorithms of the table that TLS 1.3 gives no place in CertificateVerify, as the runner signs with them. */
const OUTSIDE_TLS13: ReadonlyMap<number, SignatureAlgorithm> = new Map<number, SignatureAlgorithm>([
  [S.rsa_pkcs1_sha1, { kind: 'rsa-pkcs1', hash: 'sha1' }],
  [S.rsa_pkcs1_sha256, { kind: 'rsa-pkcs1', hash: 'sha256' }],
  [RSA_PKCS1_SHA256_LEGACY, { kind: 'rsa-pkcs1', hash: 'sha256' }],
  [S.rsa_pkcs1_sha384, { kind: 'rsa-pkcs1', hash: 'sha384' }],
  [S.rsa_pkcs1_sha512, { kind: 'rsa-pkcs1', hash: 'sha512' }],
  [S.ecdsa_sha1, { kind: 'ecdsa', hash: 'sha1' }],
]);

/** The runner's real signature of `content` (a CertificateVerify's, §4.4.3) by `key` with any scheme of the table. */
export function runnerSignature(scheme: number, key: Identity, content: Uint8Array): Uint8Array {
  const algorithm = OUTSIDE_TLS13.get(scheme) ?? handshakeSignatureAlgorithm(scheme);
  if (!algorithm) throw new Error(`the runner cannot sign with 0x${scheme.toString(16)}`);
  return nobleProvider.sign(algorithm, key.privateKey, content, seededRandom('bogo runner signature'));
}
