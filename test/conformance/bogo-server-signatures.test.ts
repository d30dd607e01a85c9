// BoGo's TLS 1.3 server tests of addSignatureAlgorithmTests (boringssl ssl/test/runner/signature_algorithm_tests.go),
// replayed against our server with the hand-written client (scripted-client.ts, docs/bogo-server.md):
// "Server-Sign" (the runner lists one scheme between two fake ones), "Server-SignDefault" (the same, our server
// not restricted), "Server-Sign-Negotiate" (the runner lists every scheme, our server is restricted to one),
// "Server-Verify", "Server-VerifyDefault" and "Server-InvalidSignature" (the runner's client certificate signs
// its CertificateVerify with one scheme, forced when TLS 1.3 forbids it), and the key-type, curve and key-size
// rules of TLS 1.3 signatures (RFC 8446 §4.2.3, §4.4.3).
import { describe, expect } from 'vitest';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { ServerConfig } from '../../src/handshake/config.js';
import { certificateVerifyContent, signCertificateVerify } from '../../src/handshake/signatures.js';
import { makeIdentity, type Identity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { CipherSuite, SignatureScheme as S } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { pinned, rnd } from '../handshake/abort-harness.js';
import { fails, SUCCEEDS } from './bogo-harness.js';
import { messageOf, replayServer, runnerExtensions, type BogoServerCase, type Played } from './bogo-server-harness.js';
import { certificateMessage } from './client-certificate-flight.js';
import { ScriptedClient } from './scripted-client.js';

const identity = (extra: Parameters<typeof makeIdentity>[0]) => makeIdentity({ subject: { CN: 'bogo signatures' }, sans: { dns: ['example.test'] }, ...extra }, rnd);
const RSA = identity({ privateKey: rsaTestKey() });
const RSA_1024 = identity({ privateKey: rsaTestKey(1024) });
const P256 = identity({ keyType: 'p256' });
const P384 = identity({ keyType: 'p384' });
const P521 = identity({ keyType: 'p521' });
const ED25519 = identity({});

/** BoGo's fakeSigAlg1 and fakeSigAlg2, listed around the one real scheme. */
const FAKE_1 = 0x2a01;
const FAKE_2 = 0xff01;
/** draft-ietf-tls-tls13-pkcs1: RSASSA-PKCS1-v1_5 with SHA-256 for TLS 1.3 client certificates only; not ours. */
const RSA_PKCS1_SHA256_LEGACY = 0x0420;
/** BoringSSL's internal value for the TLS 1.0 MD5+SHA1 RSA signature, which must never reach the wire. */
const RSA_PKCS1_MD5_SHA1 = 0xff01;
const RSA_PKCS1_MD5 = 0x0101;

/**
 * BoGo's testSignatureAlgorithms at TLS 1.3, the key each needs, and what TLS 1.3 makes of it: 'ok', 'removed'
 * (§4.2.3: "not defined for use in signed TLS handshake messages" in TLS 1.3, or SHA-1) or 'legacy' (0x0420).
 * ECDSA_P224_SHA256 (a P-224 key) is not replayed: our tooling makes no P-224 key.
 */
type Status = 'ok' | 'removed' | 'legacy';
const ALGORITHMS: Array<[string, number, Identity, Status]> = [
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
/** BoGo's allAlgorithms: every id of the table (and P-224's, which is ECDSA_P256_SHA256's). */
const ALL_ALGORITHMS = ALGORITHMS.map(([, scheme]) => scheme);

/** The algorithms our signer lacks, as the runner signs with them (it ignores TLS 1.3's rules when told to). */
const OUTSIDE_TLS13: ReadonlyMap<number, SignatureAlgorithm> = new Map<number, SignatureAlgorithm>([
  [S.rsa_pkcs1_sha1, { kind: 'rsa-pkcs1', hash: 'sha1' }],
  [S.rsa_pkcs1_sha256, { kind: 'rsa-pkcs1', hash: 'sha256' }],
  [RSA_PKCS1_SHA256_LEGACY, { kind: 'rsa-pkcs1', hash: 'sha256' }],
  [S.rsa_pkcs1_sha384, { kind: 'rsa-pkcs1', hash: 'sha384' }],
  [S.rsa_pkcs1_sha512, { kind: 'rsa-pkcs1', hash: 'sha512' }],
  [S.ecdsa_sha1, { kind: 'ecdsa', hash: 'sha1' }],
]);

/** A real client CertificateVerify signature of `key` with `scheme` over `transcriptHash` (§4.4.3), any scheme the runner knows. */
function clientSignature(scheme: number, key: Identity, transcriptHash: Uint8Array): Uint8Array {
  const random = seededRandom('bogo runner signature');
  const outside = OUTSIDE_TLS13.get(scheme);
  if (!outside) return signCertificateVerify(nobleProvider, scheme, key, 'client', transcriptHash, random);
  return nobleProvider.sign(outside, key.privateKey!, certificateVerifyContent('client', transcriptHash), random);
}
const flip = (bytes: Uint8Array) => bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 1 : b));

/** Our server of `key` (and `config`) answers a ClientHello listing `schemes`; the runner finishes when it can. */
function serverSigns(key: Identity, schemes: number[] | undefined, config: Partial<ServerConfig> = {}): Played {
  const client = new ScriptedClient({ certificate: key, ...config }, `bogo server signs ${schemes?.join(',')}`);
  const answers = [client.hello([CipherSuite.TLS_AES_128_GCM_SHA256], runnerExtensions(client, { schemes }))];
  if (answers[0]!.alerts.length === 0) answers.push(client.finish());
  return { client, answers };
}
const signedWith = (scheme: number) => ({ answers }: Played) => expect(messageOf(answers[0]!, 'certificate_verify').scheme).toBe(scheme);

/**
 * Our server asks for a certificate (`clientAuth: 'require'`); the runner answers with `key`'s certificate and a
 * CertificateVerify naming `scheme`, signed by `sign` (default: a real signature with that scheme), then its
 * Finished. `server` is our server's config: `restricted` lists only `scheme` (BoGo's -verify-prefs), and our
 * server then signs with it too (one list serves both, `signatureSchemes`), so its certificate is of `key`'s type.
 */
function clientSigns(key: Identity, scheme: number, options: { restricted?: boolean; signatureScheme?: number; sign?: (real: Uint8Array) => Uint8Array } = {}): Played {
  const { restricted = false, sign = (real) => real } = options;
  const config: Partial<ServerConfig> = { clientAuth: 'require', trust: pinned(key), ...(restricted ? { certificate: key, signatureSchemes: [scheme] } : {}) };
  const client = new ScriptedClient(config, `bogo client signs ${scheme}`);
  const answers = [client.hello([CipherSuite.TLS_AES_128_GCM_SHA256], runnerExtensions(client, restricted ? { schemes: [scheme] } : {}))];
  answers.push(client.sendHandshake(certificateMessage(new Uint8Array(0), key.der)));
  const signature = sign(clientSignature(options.signatureScheme ?? scheme, key, client.transcriptHashNow()));
  answers.push(client.sendHandshake(encodeHandshake({ kind: 'certificate_verify', scheme, signature })));
  if (answers.every((a) => a.alerts.length === 0)) answers.push(client.finish());
  return { client, answers };
}

const NO_COMMON = fails(':NO_COMMON_SIGNATURE_ALGORITHMS:', 'handshake_failure');
const WRONG_TYPE = fails(':WRONG_SIGNATURE_TYPE:', 'illegal_parameter');
/** BoringSSL accepts neither ECDSA_P521_SHA512 nor Ed25519 by default; our DEFAULT_SIGNATURE_SCHEMES list both. */
const NOT_BORINGSSL_DEFAULT = new Set<number>([S.ecdsa_secp521r1_sha512, S.ed25519]);
const VERIFY_DEFAULT_DIVERGENCE = 'BoringSSL default verify preferences; RFC 8446 §9.1 makes ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256 and rsa_pkcs1_sha256 mandatory, and forbids no TLS 1.3 scheme';

describe('addSignatureAlgorithmTests: Server-Sign, Server-SignDefault, Server-Sign-Negotiate (TLS 1.3)', () => {
  replayServer(
    ALGORITHMS.flatMap(([name, scheme, key, status]): BogoServerCase[] => {
      const listed = [FAKE_1, scheme, FAKE_2];
      if (status !== 'ok') {
        // No TLS 1.3 server signs with these (§4.4.3: RSA "MUST use an RSASSA-PSS algorithm"); the runner lists nothing else.
        return ['Sign', 'SignDefault'].map((test) => ({ name: `Server-${test}-${name}-TLS13`, expected: NO_COMMON, ours: 'handshake_failure', run: () => serverSigns(key, listed) }));
      }
      return [
        { name: `Server-Sign-${name}-TLS13`, expected: SUCCEEDS, ours: 'connected', run: () => serverSigns(key, listed, { signatureSchemes: [scheme] }), check: signedWith(scheme) },
        { name: `Server-SignDefault-${name}-TLS13`, expected: SUCCEEDS, ours: 'connected', run: () => serverSigns(key, listed), check: signedWith(scheme) },
        { name: `Server-Sign-Negotiate-${name}-TLS13`, expected: SUCCEEDS, ours: 'connected', run: () => serverSigns(key, ALL_ALGORITHMS, { signatureSchemes: [scheme] }), check: signedWith(scheme) },
      ];
    }),
  );
});

describe('addSignatureAlgorithmTests: Server-Verify, Server-VerifyDefault, Server-InvalidSignature (TLS 1.3, -require-any-client-certificate)', () => {
  replayServer(
    ALGORITHMS.flatMap(([name, scheme, key, status]): BogoServerCase[] => {
      if (status === 'removed') {
        // The runner signs anyway (IgnoreSignatureVersionChecks); a scheme we never accept, whatever we are told (§4.4.3).
        return ['Verify', 'VerifyDefault'].map((test) => ({ name: `Server-${test}-${name}-TLS13`, expected: WRONG_TYPE, ours: 'illegal_parameter', run: () => clientSigns(key, scheme) }));
      }
      if (status === 'legacy') {
        const legacy = 'draft-ietf-tls-tls13-pkcs1 is not implemented: RFC 8446 §4.4.3, "RSA signatures MUST use an RSASSA-PSS algorithm"';
        return [
          // BoringSSL, told to (-verify-prefs 0x0420), accepts the draft's PKCS#1 client signature; we know no such scheme.
          { name: `Server-Verify-${name}-TLS13`, expected: SUCCEEDS, ours: 'illegal_parameter', divergence: legacy, run: () => clientSigns(key, scheme) },
          { name: `Server-VerifyDefault-${name}-TLS13`, expected: WRONG_TYPE, ours: 'illegal_parameter', run: () => clientSigns(key, scheme) },
          { name: `Server-InvalidSignature-${name}-TLS13`, expected: fails(':BAD_SIGNATURE:'), ours: 'illegal_parameter', run: () => clientSigns(key, scheme, { sign: flip }) },
        ];
      }
      const notDefault = NOT_BORINGSSL_DEFAULT.has(scheme);
      return [
        { name: `Server-Verify-${name}-TLS13`, expected: SUCCEEDS, ours: 'connected', run: () => clientSigns(key, scheme, { restricted: true }) },
        {
          name: `Server-VerifyDefault-${name}-TLS13`,
          expected: notDefault ? WRONG_TYPE : SUCCEEDS,
          ours: 'connected',
          ...(notDefault ? { divergence: VERIFY_DEFAULT_DIVERGENCE } : {}),
          run: () => clientSigns(key, scheme),
        },
        { name: `Server-InvalidSignature-${name}-TLS13`, expected: fails(':BAD_SIGNATURE:'), ours: 'decrypt_error', run: () => clientSigns(key, scheme, { restricted: true, sign: flip }) },
      ];
    }),
  );
});

describe('addSignatureAlgorithmTests: key types, curves, sizes and unknown schemes (TLS 1.3 server cases)', () => {
  replayServer([
    {
      name: 'ServerAuth-SignatureType-TLS13',
      expected: SUCCEEDS,
      ours: 'connected',
      run: () => serverSigns(RSA, [S.ecdsa_secp521r1_sha512, S.rsa_pkcs1_sha384, S.rsa_pss_rsae_sha384, S.ecdsa_sha1]),
      check: signedWith(S.rsa_pss_rsae_sha384),
    },
    // An RSA certificate, its PSS signature labelled as ECDSA P-256.
    { name: 'Verify-ClientAuth-SignatureType-TLS13', expected: fails(':WRONG_SIGNATURE_TYPE:'), ours: 'illegal_parameter', run: () => clientSigns(RSA, S.ecdsa_secp256r1_sha256, { signatureScheme: S.rsa_pss_rsae_sha256 }) },
    // No signature_algorithms: TLS 1.3 has no SHA-1 fallback; §9.2 names the alert for a missing mandatory extension.
    { name: 'ServerAuth-NoFallback-TLS13', expected: fails(':NO_COMMON_SIGNATURE_ALGORITHMS:'), ours: 'missing_extension', run: () => serverSigns(RSA, undefined) },
    // rsa_pkcs1_md5, which the runner cannot sign either: the scheme alone must be refused.
    { name: 'ClientAuth-Enforced-TLS13', expected: fails(':WRONG_SIGNATURE_TYPE:'), ours: 'illegal_parameter', run: () => clientSigns(RSA, RSA_PKCS1_MD5, { signatureScheme: S.rsa_pss_rsae_sha256 }) },
    { name: 'ECDSACurveMismatch-Sign-TLS13', expected: SUCCEEDS, ours: 'connected', run: () => serverSigns(P256, [S.ecdsa_secp384r1_sha384, S.ecdsa_secp256r1_sha256]), check: signedWith(S.ecdsa_secp256r1_sha256) },
    // RFC 8017 §9.1.1: a 1024-bit modulus holds no PSS encoding with SHA-512 and a 64-byte salt.
    { name: 'RSA-PSS-Large', expected: fails(':NO_COMMON_SIGNATURE_ALGORITHMS:'), ours: 'handshake_failure', run: () => serverSigns(RSA_1024, [S.rsa_pss_rsae_sha512]) },
    { name: 'Server-TLS13-NoSign-RSA_PKCS1_MD5_SHA1', expected: fails(':NO_COMMON_SIGNATURE_ALGORITHMS:'), ours: 'handshake_failure', run: () => serverSigns(RSA, [RSA_PKCS1_MD5_SHA1]) },
    { name: 'Server-TLS13-NoVerify-RSA_PKCS1_MD5_SHA1', expected: fails(':WRONG_SIGNATURE_TYPE:'), ours: 'illegal_parameter', run: () => clientSigns(RSA, RSA_PKCS1_MD5_SHA1, { signatureScheme: S.rsa_pkcs1_sha256 }) },
  ]);
});
