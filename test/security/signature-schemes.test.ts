// Attacker's scripts against the new signature schemes: RSASSA-PSS keys and their RFC 4055 restrictions,
// the rsae/pss split of RFC 8446 §4.2.3, Ed448 and ECDSA P-521. In each, the attacker holds the private key
// of its own certificate (or of the CA) and signs with an algorithm the key or the scheme does not allow,
// so only the check under test stands between it and a connection. Alerts:
// - a scheme that does not fit the certificate's key (RFC 8446 §4.2.3 names the key of each scheme):
//   illegal_parameter, "a field in the handshake was incorrect or inconsistent with other fields" (§6.2);
// - a scheme we did not offer: illegal_parameter (§4.4.3);
// - a CertificateVerify that does not verify: decrypt_error (§4.4.3);
// - a certificate whose signature its issuer's key cannot have made: bad_certificate (§6.2, "contained
//   signatures that did not verify correctly"); a key we cannot use: unsupported_certificate (§6.2).
import { ed448 as nobleEd448 } from '@noble/curves/ed448.js';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { CertifiedKey } from '../../src/handshake/config.js';
import { certificateVerifyContent } from '../../src/handshake/signatures.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { torsionedSignature, type TorsionOptions } from '../../src/testing/eddsa-torsion.js';
import { asPssKey, asRsaEncryptionKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { expectRefused, other, SERVER_NAME, signatureAttacks } from './signature-attacks.js';

const random = seededRandom('signature scheme attacks');

const rsa = rsaTestKey();
const pssSha256 = asPssKey(rsaTestKey(), { hash: 'sha256', minSaltLength: 32 });
const pssUnrestricted = asPssKey(rsaTestKey());
const ed448 = generateKeyPair('ed448', random, nobleProvider).privateKey;
const p521 = generateKeyPair('p521', random, nobleProvider).privateKey;
const p384 = generateKeyPair('p384', random, nobleProvider).privateKey;
const ed25519 = generateKeyPair('ed25519', random, nobleProvider).privateKey;

const { selfSigned, pair, withRewrite, forgedCertificateVerify, signing } = signatureAttacks(random);
const pss = (hash: 'sha256' | 'sha384' | 'sha512', saltLength: number): SignatureAlgorithm => ({ kind: 'rsa-pss', hash, saltLength });

/** Ed448 with a context string: PureEdDSA in TLS has none (RFC 8032 §5.2, RFC 8446 §4.2.3). */
const ed448WithContext = (content: Uint8Array) => nobleEd448.sign(content, ed448.kind === 'ed448' ? ed448.seed : new Uint8Array(57), { context: Uint8Array.of(1) });

/**
 * A signature by the holder of an EdDSA key with a point of small order in R, which the cofactored equation
 * of RFC 8032 §5.1.7 cannot see and the cofactorless one (OpenSSL's) refuses: every provider must refuse it.
 */
const torsionedR = (key: PrivateKey, options: TorsionOptions) => (content: Uint8Array) =>
  torsionedSignature(key.kind === 'ed448' ? 'ed448' : 'ed25519', 'seed' in key ? key.seed : new Uint8Array(0), content, options).signature;

/**
 * A valid RSASSA-PSS signature (OpenSSL draws the salt, so signing again gives another) whose first octet is
 * zero, sent without it: k - 1 octets, which RFC 8017 §8.1.2 step 1 refuses and OpenSSL took for PSS.
 */
const withoutLeadingZero = (alg: SignatureAlgorithm, key: PrivateKey) => (content: Uint8Array) => {
  for (;;) {
    const signature = nodeCryptoProvider.sign(alg, key, content, random);
    if (signature[0] === 0) return signature.subarray(1);
  }
};

/** What the attacker's certificate holds, the scheme its CertificateVerify claims, how it really signed, the victim's alert. */
const FORGERIES = [
  { what: 'a SHA-256-restricted RSASSA-PSS key signing rsa_pss_pss_sha384 (RFC 4055 §3.3)', key: pssSha256, scheme: SignatureScheme.rsa_pss_pss_sha384, forge: signing(pss('sha384', 48), asRsaEncryptionKey(pssSha256)), alert: 'illegal_parameter' },
  { what: 'rsa_pss_rsae_sha256 from an id-RSASSA-PSS key (RFC 8446 §4.2.3)', key: pssUnrestricted, scheme: SignatureScheme.rsa_pss_rsae_sha256, forge: signing(pss('sha256', 32), pssUnrestricted), alert: 'illegal_parameter' },
  { what: 'rsa_pss_pss_sha256 from an rsaEncryption key (RFC 8446 §4.2.3)', key: rsa, scheme: SignatureScheme.rsa_pss_pss_sha256, forge: signing(pss('sha256', 32), rsa), alert: 'illegal_parameter' },
  { what: 'rsa_pss_pss_sha256 with a 20-byte salt under a key that wants at least 32 (RFC 8446 §4.2.3, §4.4.3)', key: pssSha256, scheme: SignatureScheme.rsa_pss_pss_sha256, forge: signing(pss('sha256', 20), asRsaEncryptionKey(pssSha256)), alert: 'decrypt_error' },
  { what: 'rsa_pss_pss_sha256 with a 64-byte salt, not the hash length TLS 1.3 requires (RFC 8446 §4.2.3)', key: pssSha256, scheme: SignatureScheme.rsa_pss_pss_sha256, forge: signing(pss('sha256', 64), pssSha256), alert: 'decrypt_error' },
  { what: 'an Ed448 signature with a non-empty Ed448 context (RFC 8032 §5.2)', key: ed448, scheme: SignatureScheme.ed448, forge: ed448WithContext, alert: 'decrypt_error' },
  { what: 'an Ed25519 signature whose R carries a point of order 8 (RFC 8032 §5.1.7, as OpenSSL checks it)', key: ed25519, scheme: SignatureScheme.ed25519, forge: torsionedR(ed25519, { rTorsion: 1 }), alert: 'decrypt_error' },
  { what: 'an Ed448 signature whose R is the identity (nonce 0; OpenSSL cannot decode it)', key: ed448, scheme: SignatureScheme.ed448, forge: torsionedR(ed448, { r: 0n }), alert: 'decrypt_error' },
  { what: 'ecdsa_secp521r1_sha512 from a P-384 key (RFC 8446 §4.2.3)', key: p384, scheme: SignatureScheme.ecdsa_secp521r1_sha512, forge: signing({ kind: 'ecdsa', hash: 'sha512' }, p384), alert: 'illegal_parameter' },
  { what: 'ecdsa_secp256r1_sha256 from a P-384 key (RFC 8446 §4.2.3 ties curve and hash)', key: p384, scheme: SignatureScheme.ecdsa_secp256r1_sha256, forge: signing({ kind: 'ecdsa', hash: 'sha256' }, p384), alert: 'illegal_parameter' },
  { what: 'ecdsa_secp256r1_sha256 from an Ed25519 key, the Ed25519 signature inside', key: ed25519, scheme: SignatureScheme.ecdsa_secp256r1_sha256, forge: signing({ kind: 'ed25519' }, ed25519), alert: 'illegal_parameter' },
  { what: 'ecdsa_secp384r1_sha384 from a P-521 key (RFC 8446 §4.2.3)', key: p521, scheme: SignatureScheme.ecdsa_secp384r1_sha384, forge: signing({ kind: 'ecdsa', hash: 'sha384' }, p521), alert: 'illegal_parameter' },
  // tlsfuzzer's test-tls13-certificate-verify, with an rsaEncryption key:
  { what: 'rsa_pkcs1_sha256 (never for a TLS 1.3 CertificateVerify, RFC 8446 §4.2.3)', key: rsa, scheme: SignatureScheme.rsa_pkcs1_sha256, forge: signing({ kind: 'rsa-pkcs1', hash: 'sha256' }, rsa), alert: 'illegal_parameter' },
  ...[0, 31, 33].map((saltLength) => ({ what: `rsa_pss_rsae_sha256 with a ${saltLength}-byte salt, not the hash length (RFC 8446 §4.2.3)`, key: rsa, scheme: SignatureScheme.rsa_pss_rsae_sha256, forge: signing(pss('sha256', saltLength), rsa), alert: 'decrypt_error' })),
  { what: 'a valid rsa_pss_rsae_sha256 signature with its leading zero octet dropped (RFC 8017 §8.1.2 step 1)', key: rsa, scheme: SignatureScheme.rsa_pss_rsae_sha256, forge: withoutLeadingZero(pss('sha256', 32), rsa), alert: 'decrypt_error' },
  { what: 'a PKCS#1 v1.5 signature in an rsa_pss_rsae_sha256 envelope', key: rsa, scheme: SignatureScheme.rsa_pss_rsae_sha256, forge: signing({ kind: 'rsa-pkcs1', hash: 'sha256' }, rsa), alert: 'decrypt_error' },
  { what: 'rsa_pss_rsae_sha256 signed with SHA-384 (a mismatched message hash)', key: rsa, scheme: SignatureScheme.rsa_pss_rsae_sha256, forge: signing(pss('sha384', 48), rsa), alert: 'decrypt_error' },
];

describe.each(['server', 'client'] as const)('a %s CertificateVerify that its key or scheme does not allow', (attacker) => {
  const victim = other(attacker);
  const cn = attacker === 'server' ? SERVER_NAME : 'alice';

  it.each(FORGERIES)('is refused with $alert: $what', ({ key, scheme, forge, alert }) => {
    expectRefused(forgedCertificateVerify(attacker, selfSigned(key, cn), scheme, forge), victim, alert);
  });

  it(`is refused with decrypt_error: an Ed448 signature over the ${victim}'s context string (RFC 8446 §4.4.3)`, () => {
    const prefix = certificateVerifyContent(attacker, new Uint8Array(0)).length;
    const otherRole = (content: Uint8Array) => nobleProvider.sign({ kind: 'ed448' }, ed448, certificateVerifyContent(victim, content.subarray(prefix)), random);
    expectRefused(forgedCertificateVerify(attacker, selfSigned(ed448, cn), SignatureScheme.ed448, otherRole), victim, 'decrypt_error');
  });

  it('the honest runs these attacks start from do connect (the forger signing as the scheme asks)', () => {
    for (const [key, scheme, alg] of [
      [pssSha256, SignatureScheme.rsa_pss_pss_sha256, pss('sha256', 32)],
      [ed448, SignatureScheme.ed448, { kind: 'ed448' }],
      [ed25519, SignatureScheme.ed25519, { kind: 'ed25519' }],
      [p521, SignatureScheme.ecdsa_secp521r1_sha512, { kind: 'ecdsa', hash: 'sha512' }],
    ] as const) {
      const connection = forgedCertificateVerify(attacker, selfSigned(key, cn), scheme, signing(alg, key));
      expect(connection.connection(victim).info.peer?.subject).toBe(`CN=${cn}`);
    }
  });
});

describe('a scheme the client did not offer (RFC 8446 §4.4.3)', () => {
  it('is refused with illegal_parameter: ed448 from a server when the client accepts no ed448, though its hello listed it', () => {
    const server = selfSigned(ed448, SERVER_NAME);
    const accepted = [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.ed25519];
    const connection = pair(selfSigned(p384, 'alice'), server, {
      client: { signatureSchemes: accepted, clientHello: { advertisedSignatureSchemes: [...accepted, SignatureScheme.ed448] } },
    }).run();
    expectRefused(connection, 'client', 'illegal_parameter');
  });
});

describe.each(['server', 'client'] as const)("a %s certificate its CA's RSASSA-PSS key cannot have signed", (attacker) => {
  const victim = other(attacker);
  const cn = attacker === 'server' ? SERVER_NAME : 'alice';
  const eku = attacker === 'server' ? 'serverAuth' : 'clientAuth';
  const ca = makeIdentity({ subject: { CN: 'PSS CA' }, isCA: true, privateKey: pssSha256 }, random);

  /** A leaf under `ca`, signed by the CA's numbers with `alg` (what the CA's key, read as rsaEncryption, could make). */
  function leafSignedWith(alg: SignatureAlgorithm): CertifiedKey {
    const key = generateKeyPair('p256', random, nobleProvider).privateKey;
    const leaf = makeIdentity({ subject: { CN: cn }, sans: { dns: [cn] }, extKeyUsage: [eku], issuer: { ...ca, privateKey: asRsaEncryptionKey(pssSha256) }, serial: 2n, signatureAlgorithm: alg, privateKey: key }, random);
    return { chain: [leaf.der], privateKey: key };
  }

  function run(attackerCertificate: CertifiedKey) {
    const honest = selfSigned(generateKeyPair('p256', random, nobleProvider).privateKey, attacker === 'client' ? SERVER_NAME : 'alice');
    const trust: TrustPolicy = { kind: 'ca', anchors: [ca.der] };
    const honestTrust: TrustPolicy = { kind: 'pinned-certificate', certificates: [honest.der] };
    const [client, server] = attacker === 'client' ? [attackerCertificate, honest] : [honest, attackerCertificate];
    return pair(client, server, { client: { trust: attacker === 'server' ? trust : honestTrust }, server: { trust: attacker === 'client' ? trust : honestTrust } }).run();
  }

  it('is refused with bad_certificate: signatureAlgorithm RSASSA-PSS with SHA-384 under a SHA-256-restricted CA key (RFC 4055 §3.3)', () => {
    const connection = run(leafSignedWith(pss('sha384', 48)));
    expectRefused(connection, victim, 'bad_certificate');
    expect(connection.events(victim).find((e) => e.type === 'closed')).toMatchObject({ error: expect.stringMatching(/restricted to sha256, not sha384/) });
  });

  it('is refused with bad_certificate: a 20-byte salt under a CA key that wants at least 32 (RFC 4055 §3.3)', () => {
    const connection = run(leafSignedWith(pss('sha256', 20)));
    expectRefused(connection, victim, 'bad_certificate');
    expect(connection.events(victim).find((e) => e.type === 'closed')).toMatchObject({ error: expect.stringMatching(/salt of at least 32 bytes, not 20/) });
  });

  it('is refused with bad_certificate: a PKCS#1 v1.5 signature by an id-RSASSA-PSS CA key (RFC 4055 §1.2)', () => {
    const connection = run(leafSignedWith({ kind: 'rsa-pkcs1', hash: 'sha256' }));
    expectRefused(connection, victim, 'bad_certificate');
    expect(connection.events(victim).find((e) => e.type === 'closed')).toMatchObject({ error: expect.stringMatching(/cannot make PKCS#1 v1\.5 signatures/) });
  });

  it('is accepted when the CA signed within its restriction (the honest run)', () => {
    const connection = run(leafSignedWith(pss('sha256', 32)));
    expect(connection.connection(victim).info.peer?.subject).toBe(`CN=${cn}`);
  });
});

describe('RSASSA-PSS keys we cannot use', () => {
  it('refuses a pinned certificate whose RSASSA-PSS key is restricted to SHA-1 with unsupported_certificate (RFC 8446 §6.2)', () => {
    // Our server could not sign with such a key: the attacker swaps the certificate in, the client pins it.
    const sha1Certificate = makeIdentity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, privateKey: asPssKey(rsaTestKey(), { hash: 'sha1', minSaltLength: 20 }) }, random);
    const server = selfSigned(p521, SERVER_NAME);
    const connection = withRewrite('server', selfSigned(p384, 'alice'), server, (m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: sha1Certificate.der, extensions: [] }] } : m), {
      client: { trust: { kind: 'pinned-certificate', certificates: [sha1Certificate.der] } },
    });
    expectRefused(connection, 'client', 'unsupported_certificate');
    expect(connection.events('client').find((e) => e.type === 'closed')).toMatchObject({ error: expect.stringMatching(/RSASSA-PSS with sha1 is not supported/) });
  });

  it('refuses a CA chain with a 1024-bit RSASSA-PSS key with unsupported_certificate: the RSA floor applies to PSS keys', () => {
    const weakCa = makeIdentity({ subject: { CN: 'weak PSS CA' }, isCA: true, privateKey: asPssKey(rsaTestKey(1024)) }, random);
    const server = makeIdentity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], issuer: weakCa, serial: 2n, privateKey: p521 }, random);
    const connection = pair(selfSigned(p384, 'alice'), server, { client: { trust: { kind: 'ca', anchors: [weakCa.der] } } }).run();
    expectRefused(connection, 'client', 'unsupported_certificate');
    expect(connection.events('client').find((e) => e.type === 'closed')).toMatchObject({ error: expect.stringMatching(/RSA key of 1024 bits is below our minimum of 2048/) });
  });
});
