// BoGo's TLS 1.3 server tests of addSignatureAlgorithmTests (boringssl ssl/test/runner/signature_algorithm_tests.go),
// replayed against our server with the hand-written client (scripted-client.ts, docs/bogo-server.md):
// "Server-Sign" (the runner lists one scheme between two fake ones), "Server-SignDefault" (the same, our server
// not restricted), "Server-Sign-Negotiate" (the runner lists every scheme, our server is restricted to one),
// "Server-Verify", "Server-VerifyDefault" and "Server-InvalidSignature" (the runner's client certificate signs
// its CertificateVerify with one scheme, forced when TLS 1.3 forbids it), and the key-type, curve and key-size
// rules of TLS 1.3 signatures (RFC 8446 §4.2.3, §4.4.3).
import { describe, expect } from 'vitest';
import type { ServerConfig } from '../../src/handshake/config.js';
import { certificateVerifyContent } from '../../src/handshake/signatures.js';
import { makeIdentity, type Identity } from '../../src/testing/certs.js';
import { rsaTestKey } from '../../src/testing/rsa-keys.js';
import { CipherSuite, SignatureScheme as S } from '../../src/wire/enums.js';
import { encodeHandshake } from '../../src/wire/messages.js';
import { pinned, rnd } from '../handshake/abort-harness.js';
import { fails, SUCCEEDS } from './bogo-harness.js';
import { messageOf, replayServer, runnerExtensions, type BogoServerCase, type Played } from './bogo-server-harness.js';
import { certificateMessage } from './client-certificate-flight.js';
import { ScriptedClient } from './scripted-client.js';
import { ALGORITHMS, ALL_ALGORITHMS, FAKE_1, FAKE_2, NO_COMMON, P256, RSA, RSA_PKCS1_MD5, RSA_PKCS1_MD5_SHA1, runnerSignature, WRONG_TYPE } from './bogo-signature-algorithms.js';

const RSA_1024 = makeIdentity({ subject: { CN: 'example.test' }, privateKey: rsaTestKey(1024) }, rnd);

/** A real client CertificateVerify signature of `key` with `scheme` over `transcriptHash` (§4.4.3), any scheme the runner knows. */
const clientSignature = (scheme: number, key: Identity, transcriptHash: Uint8Array) => runnerSignature(scheme, key, certificateVerifyContent('client', transcriptHash));
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
