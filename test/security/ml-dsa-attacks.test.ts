// Attacker's scripts against ML-DSA authentication (draft-ietf-tls-mldsa, RFC 9881). The attacker holds the
// private key of its own certificate (or of a CA) and sends what no honest ML-DSA signer would, so that only
// the check under test stands between it and a connection. Alerts, as for every scheme (RFC 8446 §4.4.3,
// §6.2; signature-schemes.test.ts):
// - a scheme that does not fit the certificate's key, ML-DSA-44 under mldsa65 included: illegal_parameter;
// - a scheme we did not offer: illegal_parameter;
// - a CertificateVerify that does not verify (another key, a cut or padded signature, a context string,
//   HashML-DSA, the other role's content): decrypt_error;
// - a certificate whose ML-DSA key or signature breaks RFC 9881: bad_certificate, or unsupported_certificate
//   for a key we cannot use.
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type GeneratedKeyType } from '../../src/auth/builder.js';
import { readSingle } from '../../src/auth/der.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { mlDsaExpandedKey } from '../../src/crypto/mldsa.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_SIGNATURE_SCHEMES } from '../../src/handshake/config.js';
import { certificateVerifyContent } from '../../src/handshake/signatures.js';
import { makeIdentity } from '../../src/testing/certs.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import type { HandshakeMessage } from '../../src/wire/types.js';
import { expectRefused, other, SERVER_NAME, signatureAttacks, type PairOptions } from './signature-attacks.js';

const random = seededRandom('ml-dsa attacks');
const { selfSigned, pair, withRewrite, forgedCertificateVerify, signing } = signatureAttacks(random);

const ML_DSA_SCHEMES = [SignatureScheme.mldsa44, SignatureScheme.mldsa65, SignatureScheme.mldsa87];
/** Both sides accept ML-DSA (it is not offered by default: docs/ml-dsa.md). */
const WITH_ML_DSA: PairOptions = {
  client: { signatureSchemes: [...ML_DSA_SCHEMES, ...DEFAULT_SIGNATURE_SCHEMES] },
  server: { signatureSchemes: [...ML_DSA_SCHEMES, ...DEFAULT_SIGNATURE_SCHEMES] },
};

const key = (type: GeneratedKeyType) => generateKeyPair(type, random, nobleProvider).privateKey;
const mlDsa44 = key('ml-dsa-44');
const mlDsa44Other = key('ml-dsa-44');
const mlDsa65 = key('ml-dsa-65');
const ed25519 = key('ed25519');
const seedOf = (k: PrivateKey) => (k.kind === 'ml-dsa' ? k.seed : new Uint8Array(0));
const ML_DSA_44: { kind: 'ml-dsa'; parameterSet: 'ML-DSA-44' } = { kind: 'ml-dsa', parameterSet: 'ML-DSA-44' };

/** What the attacker's certificate holds, the scheme its CertificateVerify claims, how it really signed, the victim's alert. */
const FORGERIES = [
  { what: 'mldsa65 from an ML-DSA-44 key, an ML-DSA-44 signature inside', key: mlDsa44, scheme: SignatureScheme.mldsa65, forge: signing(ML_DSA_44, mlDsa44), alert: 'illegal_parameter' },
  { what: 'mldsa44 from an ML-DSA-65 key, an ML-DSA-65 signature inside', key: mlDsa65, scheme: SignatureScheme.mldsa44, forge: signing({ kind: 'ml-dsa', parameterSet: 'ML-DSA-65' }, mlDsa65), alert: 'illegal_parameter' },
  { what: 'mldsa44 from an Ed25519 key', key: ed25519, scheme: SignatureScheme.mldsa44, forge: signing({ kind: 'ed25519' }, ed25519), alert: 'illegal_parameter' },
  { what: 'ed25519 from an ML-DSA-44 key', key: mlDsa44, scheme: SignatureScheme.ed25519, forge: signing(ML_DSA_44, mlDsa44), alert: 'illegal_parameter' },
  { what: 'an ML-DSA-44 signature by another ML-DSA-44 key', key: mlDsa44, scheme: SignatureScheme.mldsa44, forge: signing(ML_DSA_44, mlDsa44Other), alert: 'decrypt_error' },
  { what: 'an ML-DSA-44 signature cut by one byte (2419 bytes)', key: mlDsa44, scheme: SignatureScheme.mldsa44, forge: (c: Uint8Array) => signing(ML_DSA_44, mlDsa44)(c).subarray(0, -1), alert: 'decrypt_error' },
  { what: 'an ML-DSA-44 signature with a byte appended (2421 bytes)', key: mlDsa44, scheme: SignatureScheme.mldsa44, forge: (c: Uint8Array) => Uint8Array.of(...signing(ML_DSA_44, mlDsa44)(c), 0), alert: 'decrypt_error' },
  { what: 'an empty signature', key: mlDsa44, scheme: SignatureScheme.mldsa44, forge: () => new Uint8Array(0), alert: 'decrypt_error' },
  {
    what: 'an ML-DSA-44 signature with a non-empty FIPS 204 context (draft-ietf-tls-mldsa §3.2: ctx MUST be empty)',
    key: mlDsa44,
    scheme: SignatureScheme.mldsa44,
    forge: (c: Uint8Array) => ml_dsa44.sign(c, mlDsaExpandedKey('ML-DSA-44', seedOf(mlDsa44)), { context: Uint8Array.of(1) }),
    alert: 'decrypt_error',
  },
  {
    what: 'a HashML-DSA-44 signature with SHA-512 (pure ML-DSA only: RFC 9881 §8.3)',
    key: mlDsa44,
    scheme: SignatureScheme.mldsa44,
    forge: (c: Uint8Array) => ml_dsa44.prehash(sha512).sign(c, mlDsaExpandedKey('ML-DSA-44', seedOf(mlDsa44))),
    alert: 'decrypt_error',
  },
];

describe.each(['server', 'client'] as const)('a %s ML-DSA CertificateVerify that its key or scheme does not allow', (attacker) => {
  const victim = other(attacker);
  const cn = attacker === 'server' ? SERVER_NAME : 'alice';

  it.each(FORGERIES)('is refused with $alert: $what', ({ key, scheme, forge, alert }) => {
    expectRefused(forgedCertificateVerify(attacker, selfSigned(key, cn), scheme, forge, WITH_ML_DSA), victim, alert);
  });

  it(`is refused with decrypt_error: an ML-DSA-44 signature over the ${victim}'s context string (RFC 8446 §4.4.3)`, () => {
    const prefix = certificateVerifyContent(attacker, new Uint8Array(0)).length;
    const otherRole = (content: Uint8Array) => nobleProvider.sign(ML_DSA_44, mlDsa44, certificateVerifyContent(victim, content.subarray(prefix)), random);
    expectRefused(forgedCertificateVerify(attacker, selfSigned(mlDsa44, cn), SignatureScheme.mldsa44, otherRole, WITH_ML_DSA), victim, 'decrypt_error');
  });

  it.each(['pinned-certificate', 'pinned-key'] as const)('is refused with illegal_parameter: an ML-DSA-44 certificate and mldsa44 CertificateVerify when the victim did not offer ML-DSA (its defaults), under %s', (kind) => {
    // The attacker's engine, offered no ML-DSA, authenticates with Ed25519; the rewrite puts in its ML-DSA-44
    // certificate (which the victim pins) and an ML-DSA-44 CertificateVerify.
    const mlDsaCertificate = selfSigned(mlDsa44, cn);
    const swap = (m: HandshakeMessage): HandshakeMessage => {
      if (m.kind === 'certificate') return { ...m, entries: [{ data: mlDsaCertificate.der, extensions: [] }] };
      return m.kind === 'certificate_verify' ? { ...m, scheme: SignatureScheme.mldsa44, signature: signing(ML_DSA_44, mlDsa44)(m.signature) } : m;
    };
    const honest = selfSigned(ed25519, attacker === 'client' ? SERVER_NAME : 'alice');
    const [client, server] = attacker === 'client' ? [selfSigned(ed25519, cn), honest] : [honest, selfSigned(ed25519, cn)];
    const trust: TrustPolicy =
      kind === 'pinned-certificate' ? { kind, certificates: [mlDsaCertificate.der] } : { kind, keys: [spki(ML_DSA_44_ID, publicKeyOf(mlDsa44).publicKey)] };
    const pinned = { trust };
    const connection = withRewrite(attacker, client, server, swap, attacker === 'server' ? { client: pinned } : { server: pinned });
    expectRefused(connection, victim, 'illegal_parameter');
    expect(connection.events(victim).find((e) => e.type === 'closed')).toMatchObject({ error: expect.stringMatching(/signed with mldsa44, which (we|our CertificateRequest) did not offer/) });
  });

  it('the honest runs these attacks start from do connect (the forger signing as the scheme asks)', () => {
    for (const [signer, scheme, alg] of [
      [mlDsa44, SignatureScheme.mldsa44, ML_DSA_44],
      [mlDsa65, SignatureScheme.mldsa65, { kind: 'ml-dsa', parameterSet: 'ML-DSA-65' }],
    ] as const) {
      const connection = forgedCertificateVerify(attacker, selfSigned(signer, cn), scheme, signing(alg, signer), WITH_ML_DSA);
      expect(connection.connection(victim).info.peer?.subject).toBe(`CN=${cn}`);
      expect(connection.connection(victim).info.peer?.keyType).toBe(signer.kind === 'ml-dsa' ? signer.parameterSet : '');
    }
  });
});

describe('a server ML-DSA-44 CertificateVerify the client accepts not, though its hello listed it (RFC 8446 §4.4.3)', () => {
  it('is refused with illegal_parameter', () => {
    const accepted = [SignatureScheme.ed25519, SignatureScheme.ecdsa_secp256r1_sha256];
    const connection = pair(selfSigned(ed25519, 'alice'), selfSigned(mlDsa44, SERVER_NAME), {
      client: { signatureSchemes: accepted, clientHello: { advertisedSignatureSchemes: [...accepted, SignatureScheme.mldsa44] } },
      server: WITH_ML_DSA.server!,
    }).run();
    expectRefused(connection, 'client', 'illegal_parameter');
  });
});

/** The elements of a certificate's tbsCertificate: version, serial, signature, issuer, validity, subject, SPKI, extensions. */
const tbsElements = (cert: Uint8Array) =>
  readSingle(cert, (r) => {
    const tbs = r.sequence().sequence();
    const elements: Uint8Array[] = [];
    while (!tbs.atEnd) elements.push(tbs.any().raw);
    return elements;
  });
const TBS_SIGNATURE = 2;
const TBS_SPKI = 6;

/** `cert` with tbsCertificate elements replaced, then signed by `signer` under ML-DSA-44 and `algorithm` (the new signature field, or the old). */
function reissued(cert: Uint8Array, signer: PrivateKey, replace: Record<number, Uint8Array>): Uint8Array {
  const elements = tbsElements(cert).map((element, i) => replace[i] ?? element);
  const tbs = der.sequence(...elements);
  return der.sequence(tbs, elements[TBS_SIGNATURE]!, der.bitString(nobleProvider.sign(ML_DSA_44, signer, tbs, random)));
}

const ML_DSA_44_ID = der.sequence(der.oid(OID.idMlDsa44));
const ML_DSA_44_ID_WITH_NULL = der.sequence(der.oid(OID.idMlDsa44), der.null());
const spki = (algorithm: Uint8Array, publicKey: Uint8Array) => der.sequence(algorithm, der.bitString(publicKey));
const publicKeyOf = (k: PrivateKey) => nobleProvider.publicKeyOf(k) as Extract<PublicKey, { kind: 'ml-dsa' }>;

describe.each(['server', 'client'] as const)('a %s certificate that breaks RFC 9881', (attacker) => {
  const victim = other(attacker);
  const cn = attacker === 'server' ? SERVER_NAME : 'alice';
  const eku = attacker === 'server' ? 'serverAuth' : 'clientAuth';
  const ca = makeIdentity({ subject: { CN: 'ML-DSA CA' }, isCA: true, privateKey: mlDsa44 }, random);
  const leafKey = key('ml-dsa-44');
  const genuine = makeIdentity({ subject: { CN: cn }, sans: { dns: [cn] }, extKeyUsage: [eku], issuer: ca, serial: 2n, privateKey: leafKey }, random);

  /**
   * The attacker's Certificate carries `leaf` (it holds `leafKey`), put in by rewriting the `sent` one: our own
   * engine would not send a certificate it cannot parse. (A rewrite changes the transcript, so a CertificateVerify
   * checks only when `leaf` is `sent`.) The victim runs a CA policy and holds an honest Ed25519 certificate.
   */
  function run(leaf: Uint8Array, sent = genuine.der) {
    const honest = selfSigned(ed25519, attacker === 'client' ? SERVER_NAME : 'alice');
    const trust: TrustPolicy = { kind: 'ca', anchors: [ca.der] };
    const honestTrust: TrustPolicy = { kind: 'pinned-certificate', certificates: [honest.der] };
    const attackerCertificate = { chain: [sent], privateKey: leafKey };
    const [client, server] = attacker === 'client' ? [attackerCertificate, honest] : [honest, attackerCertificate];
    return withRewrite(attacker, client, server, (m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: leaf, extensions: [] }] } : m), {
      client: { ...WITH_ML_DSA.client, trust: attacker === 'server' ? trust : honestTrust },
      server: { ...WITH_ML_DSA.server, trust: attacker === 'client' ? trust : honestTrust },
    });
  }
  const failure = (connection: ReturnType<typeof run>) => connection.events(victim).find((e) => e.type === 'closed');

  it('is accepted when it keeps to RFC 9881 (the honest run)', () => {
    const connection = run(genuine.der);
    expect(connection.connection(victim).info.peer?.subject).toBe(`CN=${cn}`);
    expect(connection.connection(victim).info.peer?.keyType).toBe('ML-DSA-44');
  });

  it('is refused with bad_certificate: signed by another ML-DSA-44 key under the CA name (x509-limbo ml_dsa_44_bad_signature)', () => {
    const connection = run(reissued(genuine.der, mlDsa44Other, {}));
    expectRefused(connection, victim, 'bad_certificate');
    expect(failure(connection)).toMatchObject({ error: expect.stringMatching(/does not verify with the key of/) });
  });

  it('is refused with bad_certificate: NULL parameters in the signature AlgorithmIdentifier (RFC 9881 §3: MUST be absent)', () => {
    const connection = run(reissued(genuine.der, mlDsa44, { [TBS_SIGNATURE]: ML_DSA_44_ID_WITH_NULL }));
    expectRefused(connection, victim, 'bad_certificate');
    expect(failure(connection)).toMatchObject({ error: expect.stringMatching(/must not carry parameters/) });
  });

  it('is refused with unsupported_certificate: NULL parameters in the SPKI AlgorithmIdentifier (RFC 9881 §2)', () => {
    const connection = run(reissued(genuine.der, mlDsa44, { [TBS_SPKI]: spki(ML_DSA_44_ID_WITH_NULL, publicKeyOf(leafKey).publicKey) }));
    expectRefused(connection, victim, 'unsupported_certificate');
    expect(failure(connection)).toMatchObject({ error: expect.stringMatching(/must not carry parameters \(RFC 9881 §2\)/) });
  });

  it.each([
    { what: 'cut by one byte (1311)', bytes: (k: Uint8Array) => k.subarray(0, -1) },
    { what: 'with a byte appended (1313)', bytes: (k: Uint8Array) => Uint8Array.of(...k, 0) },
    { what: 'an ML-DSA-65 key (1952 bytes) under id-ML-DSA-44', bytes: () => publicKeyOf(mlDsa65).publicKey },
  ])('is refused with unsupported_certificate: an ML-DSA-44 public key $what (RFC 9881 §4)', ({ bytes }) => {
    const connection = run(reissued(genuine.der, mlDsa44, { [TBS_SPKI]: spki(ML_DSA_44_ID, bytes(publicKeyOf(leafKey).publicKey)) }));
    expectRefused(connection, victim, 'unsupported_certificate');
    expect(failure(connection)).toMatchObject({ error: expect.stringMatching(/ML-DSA-44 public key has \d+ bytes, expected 1312/) });
  });

  it("is refused with bad_certificate: the CA's ML-DSA-44 signature labelled id-ML-DSA-65 (one key, one parameter set)", () => {
    const connection = run(reissued(genuine.der, mlDsa44, { [TBS_SIGNATURE]: der.sequence(der.oid(OID.idMlDsa65)) }));
    expectRefused(connection, victim, 'bad_certificate');
    expect(failure(connection)).toMatchObject({ error: expect.stringMatching(/signed with .*which the key of .* does not allow: an ML-DSA-44 key cannot make ML-DSA-65 signatures/) });
  });

  it.each(['keyEncipherment', 'keyAgreement', 'dataEncipherment', 'encipherOnly', 'decipherOnly'] as const)(
    'is refused with bad_certificate: keyUsage digitalSignature and %s on an ML-DSA key (RFC 9881 §5; x509-limbo ml_dsa_44_key_*)',
    (usage) => {
      const leaf = makeIdentity({ subject: { CN: cn }, sans: { dns: [cn] }, extKeyUsage: [eku], keyUsage: ['digitalSignature', usage], issuer: ca, serial: 3n, privateKey: leafKey }, random);
      const connection = run(leaf.der);
      expectRefused(connection, victim, 'bad_certificate');
      expect(failure(connection)).toMatchObject({ error: expect.stringMatching(new RegExp(`keyUsage \\[${usage}\\] on an ML-DSA-44 key.*rule ml-dsa-key-usage`)) });
    },
  );

  it('is accepted with keyUsage digitalSignature and nonRepudiation, which an ML-DSA key may assert', () => {
    const leaf = makeIdentity({ subject: { CN: cn }, sans: { dns: [cn] }, extKeyUsage: [eku], keyUsage: ['digitalSignature', 'nonRepudiation'], issuer: ca, serial: 4n, privateKey: leafKey }, random);
    expect(run(leaf.der, leaf.der).connection(victim).info.peer?.subject).toBe(`CN=${cn}`);
  });
});

describe('an ML-DSA chain where ML-DSA is not offered (the default)', () => {
  it('is refused with unsupported_certificate when the client does not accept id-ML-DSA-44 certificate signatures (draft-ietf-tls-mldsa §3.1)', () => {
    const ca = makeIdentity({ subject: { CN: 'ML-DSA CA' }, isCA: true, privateKey: mlDsa44 }, random);
    const server = makeIdentity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], issuer: ca, serial: 5n, privateKey: ed25519 }, random);
    const connection = pair(selfSigned(ed25519, 'alice'), server, { client: { trust: { kind: 'ca', anchors: [ca.der] } } }).run();
    expectRefused(connection, 'client', 'unsupported_certificate');
    expect(connection.events('client').find((e) => e.type === 'closed')).toMatchObject({ error: expect.stringMatching(/mldsa44, not among the schemes accepted in certificates/) });
  });

  it('leaves an ML-DSA-only server no scheme for a default client: handshake_failure, before any signature', () => {
    const connection = pair(selfSigned(ed25519, 'alice'), selfSigned(mlDsa44, SERVER_NAME), { server: WITH_ML_DSA.server! }).run();
    expectRefused(connection, 'server', 'handshake_failure');
  });
});

describe('a rewritten Certificate carrying an ML-DSA leaf the client pinned', () => {
  it('is refused with decrypt_error when the server signs with its own key, not the pinned ML-DSA key', () => {
    const pinned = selfSigned(mlDsa44Other, SERVER_NAME);
    const connection = withRewrite('server', selfSigned(ed25519, 'alice'), selfSigned(mlDsa44, SERVER_NAME), (m) => (m.kind === 'certificate' ? { ...m, entries: [{ data: pinned.der, extensions: [] }] } : m), {
      client: { ...WITH_ML_DSA.client, trust: { kind: 'pinned-certificate', certificates: [pinned.der] } },
      server: WITH_ML_DSA.server!,
    });
    expectRefused(connection, 'client', 'decrypt_error');
  });
});
