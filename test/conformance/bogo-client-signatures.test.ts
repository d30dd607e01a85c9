// BoGo's TLS 1.3 client tests of addSignatureAlgorithmTests and addBadECDSASignatureTests (boringssl
// ssl/test/runner/signature_algorithm_tests.go), replayed against our client with the scripted server of
// anvil-server.ts (docs/bogo.md): "Client-Verify" (the server signs with one scheme), "Client-Sign" (the
// server asks for our certificate with one scheme between two fake ones), the key-type and curve rules of
// TLS 1.3 signatures (RFC 8446 §4.2.3), and ECDSA signatures with out-of-range r and s.
import { describe, expect, it } from 'vitest';
import type { Identity } from '../../src/testing/certs.js';
import { ExtensionType, NamedGroup, SignatureScheme as S, signatureSchemeName } from '../../src/wire/enums.js';
import * as X from '../../src/wire/extensions.js';
import type { Certificate, CertificateVerify } from '../../src/wire/types.js';
import { ext, pinned } from '../handshake/abort-harness.js';
import { fails, replay, SUCCEEDS, type BogoCase, type BogoExpected } from './bogo-harness.js';
import { ScriptedServer } from './anvil-server.js';
import { ALGORITHMS, ALL_ALGORITHMS, ED25519, FAKE_1, FAKE_2, NO_COMMON, P256, P384, P521, RSA, RSA_PKCS1_MD5, RSA_PKCS1_MD5_SHA1, runnerSignature } from './bogo-signature-algorithms.js';

/** A scheme each key makes, for the CertificateVerify an edit then changes. */
const NATIVE_SCHEME = new Map<Identity, number>([
  [RSA, S.rsa_pss_rsae_sha256],
  [P256, S.ecdsa_secp256r1_sha256],
  [P384, S.ecdsa_secp384r1_sha384],
  [P521, S.ecdsa_secp521r1_sha512],
  [ED25519, S.ed25519],
]);
/**
 * A whole handshake with a server of `key` whose CertificateVerify names `scheme`: the runner's real signature
 * with it (any scheme of BoGo's table, bogo-signature-algorithms.ts), else `signature` (default: 64 bytes no
 * verifier accepts, for schemes nobody signs with, such as MD5).
 */
function serverSigns(key: Identity, scheme: number, options: { client?: Record<string, unknown>; signature?: (real: (s: number) => Uint8Array) => Uint8Array } = {}) {
  const server = new ScriptedServer({ trust: pinned(key), ...options.client }, key);
  const hello = server.serverHello();
  const flight = [server.encryptedExtensions(), server.certificate()];
  const cv = server.certificateVerify(NATIVE_SCHEME.get(key)!, (m: CertificateVerify, sign) => ({ ...m, scheme, signature: options.signature ? options.signature(sign) : runnerOrGarbage(scheme, key, server.certificateVerifyContent()) }));
  return server.deliver(hello, server.protect(...flight, cv, server.finished()));
}
function runnerOrGarbage(scheme: number, key: Identity, content: Uint8Array): Uint8Array {
  return ALL_ALGORITHMS.includes(scheme) ? runnerSignature(scheme, key, content) : new Uint8Array(64).fill(0x5a);
}
const flip = (bytes: Uint8Array) => bytes.map((b, i) => (i === bytes.length - 1 ? b ^ 1 : b));

/**
 * A server that asks our client (holding `key`) for a certificate with `schemes`; the server and the result.
 * With `restrictTo`, our client is configured with that one scheme (BoGo's shim certificate WithSignatureAlgorithms),
 * which then also names what it accepts from the server: the server is of `key`'s type and signs with it.
 */
function serverAsks(key: Identity, schemes: number[] | Uint8Array, restrictTo?: number) {
  const server = restrictTo === undefined ? new ScriptedServer({ certificate: key }) : new ScriptedServer({ certificate: key, signatureSchemes: [restrictTo], trust: pinned(key) }, key);
  const hello = server.serverHello();
  const ee = server.encryptedExtensions();
  const body = schemes instanceof Uint8Array ? schemes : X.signatureAlgorithms.encode(schemes);
  const request = server.add({ kind: 'certificate_request', context: new Uint8Array(0), extensions: [ext(ExtensionType.signature_algorithms, body)] });
  const certificate = server.certificate();
  const verify = restrictTo === undefined ? server.certificateVerify() : server.certificateVerify(restrictTo);
  const result = server.deliver(hello, server.protect(ee, request, certificate, verify, server.finished()));
  return { server, result };
}
const ourScheme = (server: ScriptedServer) => server.clientMessages.find((m): m is CertificateVerify => m.kind === 'certificate_verify')?.scheme;
const ourCertificate = (server: ScriptedServer) => server.clientMessages.find((m): m is Certificate => m.kind === 'certificate');

describe('addSignatureAlgorithmTests: Client-Verify, Client-VerifyDefault, Client-InvalidSignature (TLS 1.3)', () => {
  replay(
    ALGORITHMS.flatMap(([name, scheme, key, status]): BogoCase[] => {
      if (status !== 'ok') {
        // The runner forces a scheme TLS 1.3 does not define for a server's CertificateVerify (§4.2.3); we list none of them.
        return ['Verify', 'VerifyDefault'].map((test) => ({ name: `Client-${test}-${name}-TLS13`, expected: fails(':WRONG_SIGNATURE_TYPE:', 'illegal_parameter'), ours: 'illegal_parameter', run: () => serverSigns(key, scheme) }));
      }
      return [
        { name: `Client-Verify-${name}-TLS13`, expected: SUCCEEDS, ours: 'continues', run: () => serverSigns(key, scheme, { client: { signatureSchemes: [scheme] } }), check: ({ victim }) => expect(victim.info.signatureScheme).toBe(signatureSchemeName(scheme)) },
        {
          name: `Client-VerifyDefault-${name}-TLS13`,
          // BoringSSL accepts neither ECDSA_P521_SHA512 nor Ed25519 by default; we accept both (our DEFAULT_SIGNATURE_SCHEMES).
          expected: scheme === S.ecdsa_secp521r1_sha512 || scheme === S.ed25519 ? fails(':WRONG_SIGNATURE_TYPE:', 'illegal_parameter') : SUCCEEDS,
          ours: 'continues',
          ...(scheme === S.ecdsa_secp521r1_sha512 || scheme === S.ed25519 ? { divergence: 'BoringSSL default verify preferences; RFC 8446 §9.1 makes ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256 and rsa_pkcs1_sha256 mandatory, and forbids nothing else' } : {}),
          run: () => serverSigns(key, scheme),
        },
        { name: `Client-InvalidSignature-${name}-TLS13`, expected: fails(':BAD_SIGNATURE:'), ours: 'decrypt_error', run: () => serverSigns(key, scheme, { client: { signatureSchemes: [scheme] }, signature: (sign) => flip(sign(scheme)) }) },
      ];
    }),
  );
});

describe('addSignatureAlgorithmTests: Client-Sign, Client-SignDefault, Client-Sign-Negotiate (TLS 1.3, the server asks for our certificate)', () => {
  // §4.4.2: "If the server requests client authentication but no suitable certificate is available, the client
  // MUST send a Certificate message containing no certificates"; the server decides what follows.
  const emptyCertificate = 'RFC 8446 §4.4.2: no suitable certificate means an empty Certificate, not an alert';
  const legacy = 'draft-ietf-tls-tls13-pkcs1 is not implemented (RFC 8446 §4.4.3: "RSA signatures MUST use an RSASSA-PSS algorithm"); §4.4.2: an empty Certificate';
  const listed = (scheme: number) => [FAKE_1, scheme, FAKE_2];

  /**
   * A Client-Sign case: the server lists `schemes`, our client holds `key` (configured with `restrictTo` alone when
   * given). BoGo's runner (RequireAnyClientCert, peerSignatureAlgorithm) wants our certificate signed with `scheme`.
   */
  function signCase(name: string, expected: BogoExpected, key: Identity, schemes: number[], scheme: number, options: { restrictTo?: number; ourScheme?: number; divergence?: string } = {}): BogoCase {
    let server: ScriptedServer;
    return {
      name,
      expected,
      ours: 'continues',
      ...(options.divergence ? { divergence: options.divergence } : {}),
      run: () => {
        const asked = serverAsks(key, schemes, options.restrictTo);
        server = asked.server;
        return asked.result;
      },
      runner: () => expect(ourScheme(server)).toBe(scheme),
      // Ours: the scheme we signed with, or an empty Certificate.
      check: () => (options.ourScheme ? expect(ourScheme(server)).toBe(options.ourScheme) : expect(ourCertificate(server)?.entries).toEqual([])),
    };
  }
  replay(
    ALGORITHMS.flatMap(([name, scheme, key, status]): BogoCase[] => {
      if (status === 'removed') {
        return ['Sign', 'SignDefault'].map((test) => signCase(`Client-${test}-${name}-TLS13`, NO_COMMON, key, listed(scheme), scheme, { divergence: emptyCertificate }));
      }
      if (status === 'legacy') {
        return [
          // BoringSSL, its certificate restricted to 0x0420, signs with it; we cannot, so our Certificate is empty.
          signCase(`Client-Sign-${name}-TLS13`, SUCCEEDS, key, listed(scheme), scheme, { divergence: legacy }),
          signCase(`Client-SignDefault-${name}-TLS13`, NO_COMMON, key, listed(scheme), scheme, { divergence: emptyCertificate }),
          // The runner lists every scheme and expects 0x0420; ours is the first of our preference it lists.
          signCase(`Client-Sign-Negotiate-${name}-TLS13`, SUCCEEDS, key, ALL_ALGORITHMS, scheme, { ourScheme: S.rsa_pss_rsae_sha256, divergence: legacy }),
        ];
      }
      return [
        signCase(`Client-Sign-${name}-TLS13`, SUCCEEDS, key, listed(scheme), scheme, { restrictTo: scheme, ourScheme: scheme }),
        signCase(`Client-SignDefault-${name}-TLS13`, SUCCEEDS, key, listed(scheme), scheme, { ourScheme: scheme }),
        signCase(`Client-Sign-Negotiate-${name}-TLS13`, SUCCEEDS, key, ALL_ALGORITHMS, scheme, { restrictTo: scheme, ourScheme: scheme }),
      ];
    }),
  );
});

describe('addSignatureAlgorithmTests: key types, curves and preferences (TLS 1.3 client cases)', () => {
  replay([
    {
      name: 'ClientAuth-SignatureType-TLS13',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => {
        const { server, result } = serverAsks(RSA, [S.ecdsa_secp521r1_sha512, S.rsa_pkcs1_sha384, S.rsa_pss_rsae_sha384, S.ecdsa_sha1]);
        expect(ourScheme(server)).toBe(S.rsa_pss_rsae_sha384);
        return result;
      },
    },
    // NoSignatureAlgorithms: signature_algorithms with an empty list, which supported_signature_algorithms<2..2^16-2> forbids.
    { name: 'ClientAuth-NoFallback-TLS13', expected: fails(':DECODE_ERROR:', 'decode_error'), ours: 'decode_error', run: () => serverAsks(RSA, Uint8Array.of(0, 0)).result },
    // The runner's RSA key signs with PSS and labels the signature ECDSA P-256 (SendSignatureAlgorithm).
    { name: 'Verify-ServerAuth-SignatureType-TLS13', expected: fails(':WRONG_SIGNATURE_TYPE:'), ours: 'illegal_parameter', run: () => serverSigns(RSA, S.ecdsa_secp256r1_sha256, { signature: (sign) => sign(S.rsa_pss_rsae_sha256) }) },
    { name: 'ServerAuth-Enforced-TLS13', expected: fails(':WRONG_SIGNATURE_TYPE:'), ours: 'illegal_parameter', run: () => serverSigns(RSA, RSA_PKCS1_MD5) },
    { name: 'CheckLeafCurve-TLS13', expected: SUCCEEDS, ours: 'continues', run: () => serverSigns(P256, S.ecdsa_secp256r1_sha256, { client: { groups: [NamedGroup.secp384r1] } }) },
    // A P-256 key with the P-384 scheme: in TLS 1.3 the scheme names the curve (§4.2.3).
    { name: 'ECDSACurveMismatch-Verify-TLS13', expected: fails(':WRONG_SIGNATURE_TYPE:'), ours: 'illegal_parameter', run: () => serverSigns(P256, S.ecdsa_secp384r1_sha384, { signature: (sign) => sign(S.ecdsa_secp256r1_sha256) }) },
    {
      name: 'VerifyPreferences-Advertised',
      expected: SUCCEEDS,
      ours: 'continues',
      run: () => serverSigns(RSA, S.rsa_pss_rsae_sha384, { client: { signatureSchemes: [S.rsa_pss_rsae_sha384] } }),
      check: ({ victim }) => expect(victim.info.signatureScheme).toBe('rsa_pss_rsae_sha384'),
    },
    { name: 'VerifyPreferences-Enforced', expected: fails(':WRONG_SIGNATURE_TYPE:', 'illegal_parameter'), ours: 'illegal_parameter', run: () => serverSigns(RSA, S.rsa_pss_rsae_sha256, { client: { signatureSchemes: [S.rsa_pss_rsae_sha384] } }) },
    { name: 'VerifyPreferences-Ed25519', expected: SUCCEEDS, ours: 'continues', run: () => serverSigns(ED25519, S.ed25519, { client: { signatureSchemes: [S.ed25519] } }) },
    // The server ignores our preferences and signs with Ed25519, which BoringSSL does not accept by default.
    { name: 'Ed25519DefaultDisable-NoAccept', expected: fails(':WRONG_SIGNATURE_TYPE:', 'illegal_parameter'), ours: 'continues', divergence: 'BoringSSL default; RFC 8446 §4.2.3 lists ed25519 for TLS 1.3 (our DEFAULT_SIGNATURE_SCHEMES accept it)', run: () => serverSigns(ED25519, S.ed25519) },
    { name: 'Client-TLS13-NoVerify-RSA_PKCS1_MD5_SHA1', expected: fails(':WRONG_SIGNATURE_TYPE:'), ours: 'illegal_parameter', run: () => serverSigns(RSA, RSA_PKCS1_MD5_SHA1) },
    ...(
      [
        // The server asks with BoringSSL's internal MD5+SHA1 value alone.
        ['Client-TLS13-NoSign-RSA_PKCS1_MD5_SHA1', [RSA_PKCS1_MD5_SHA1], undefined],
        // The server asks for PSS with SHA-512 or SHA-384; our client is configured for PSS with SHA-256 alone.
        ['NoCommonAlgorithms-TLS13', [S.rsa_pss_rsae_sha512, S.rsa_pss_rsae_sha384], S.rsa_pss_rsae_sha256],
      ] as const
    ).map(([name, schemes, restrictTo]): BogoCase => ({
      name,
      expected: fails(':NO_COMMON_SIGNATURE_ALGORITHMS:'),
      ours: 'continues',
      divergence: 'RFC 8446 §4.4.2: no suitable certificate means an empty Certificate, not an alert',
      run: () => {
        const { server, result } = serverAsks(RSA, [...schemes], restrictTo);
        expect(ourCertificate(server)?.entries).toEqual([]);
        return result;
      },
    })),
  ]);

  it('VerifyPreferences-NoCommonAlgorithms → the runner finds nothing to sign with; ours: signature_algorithms holds exactly the configured scheme', () => {
    const server = new ScriptedServer({ signatureSchemes: [S.rsa_pss_rsae_sha384] });
    expect(X.bodyOf(X.signatureAlgorithms, X.findExtension(server.clientHello.extensions, ExtensionType.signature_algorithms)!)).toEqual([S.rsa_pss_rsae_sha384]);
  });
  it('Ed25519DefaultDisable-NoAdvertise → Ed25519 not offered by default; ours: offered (divergence: BoringSSL default, RFC 8446 §4.2.3 lists ed25519 for TLS 1.3)', () => {
    const server = new ScriptedServer();
    expect(X.bodyOf(X.signatureAlgorithms, X.findExtension(server.clientHello.extensions, ExtensionType.signature_algorithms)!)).toContain(S.ed25519);
  });
});

describe('addBadECDSASignatureTests: BadECDSA-r-s-TLS13 (a P-256 server, r and s out of range)', () => {
  const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  /** BoGo's BadValue: Negative, Zero, Limit (the group order n), Large (above n). */
  const BAD: Array<[number, bigint]> = [
    [1, -1n],
    [2, 0n],
    [3, ORDER],
    [4, 2n ** 256n - 1n],
  ];
  const derInteger = (value: bigint): number[] => {
    if (value < 0n) return [2, 1, 0xff];
    let hex = value.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const bytes = hex.match(/../g)!.map((h) => parseInt(h, 16));
    if (bytes[0]! & 0x80) bytes.unshift(0);
    return [2, bytes.length, ...bytes];
  };
  const signature = (r: bigint, s: bigint) => {
    const body = [...derInteger(r), ...derInteger(s)];
    return Uint8Array.of(0x30, body.length, ...body);
  };
  replay(
    BAD.flatMap(([badR, r]) =>
      BAD.map(([badS, s]): BogoCase => ({
        name: `BadECDSA-${badR}-${badS}-TLS13`,
        expected: fails(':BAD_SIGNATURE:'),
        ours: 'decrypt_error',
        run: () => serverSigns(P256, S.ecdsa_secp256r1_sha256, { signature: () => signature(r, s) }),
      })),
    ),
  );
});
