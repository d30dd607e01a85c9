// The signatures inside a peer's certificate chain are judged against the schemes we accept in certificates
// (RFC 8446 §4.2.3: signature_algorithms_cert, else signature_algorithms), which we announce in ClientHello and
// CertificateRequest when they differ from signature_algorithms.
import { describe, expect, it } from 'vitest';
import { signatureSchemesOf } from '../../src/auth/path/signature-schemes.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_SIGNATURE_SCHEMES, type ClientConfig, type ServerConfig } from '../../src/handshake/config.js';
import { Connection } from '../../src/handshake/connection.js';
import type { Role } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { judgeServer, translateClientOptions } from '../../src/node/tls-options.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import * as X from '../../src/wire/extensions.js';
import { ExtensionType, SignatureScheme, signatureSchemeName } from '../../src/wire/enums.js';

const random = seededRandom('certificate signature schemes');
const SERVER_NAME = 'server.example';
const { rsa_pkcs1_sha256, rsa_pkcs1_sha384, rsa_pkcs1_sha512, ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384, ecdsa_secp521r1_sha512, ed25519 } = SignatureScheme;
const PKCS1 = [rsa_pkcs1_sha256, rsa_pkcs1_sha384, rsa_pkcs1_sha512];
const without = (list: readonly number[], ...left: number[]) => list.filter((s) => !left.includes(s));

/** A CA of the given key, and an Ed25519 server and client it signed (so CertificateVerify is always ed25519). */
function pki(ca: Identity) {
  const server = makeIdentity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, extKeyUsage: ['serverAuth'], issuer: ca, serial: 2n }, random);
  const alice = makeIdentity({ subject: { CN: 'alice' }, sans: { dns: ['alice'] }, extKeyUsage: ['clientAuth'], issuer: ca, serial: 3n }, random);
  return { trust: { kind: 'ca', anchors: [ca.der] } as TrustPolicy, server, alice };
}
// RSA CA signing with sha256WithRSAEncryption (the builder's default for an rsaEncryption key): rsa_pkcs1_sha256.
const rsaPki = pki(makeIdentity({ subject: { CN: 'RSA CA' }, isCA: true, privateKey: rsaTestKey() }, random));
const p384Pki = pki(makeIdentity({ subject: { CN: 'P-384 CA' }, isCA: true, keyType: 'p384' }, random));

function connect(p: ReturnType<typeof pki>, client: Partial<ClientConfig>, server: Partial<ServerConfig> = {}): InMemoryPair {
  return new InMemoryPair(
    { now: () => TEST_NOW, random: seededRandom('client'), serverName: SERVER_NAME, trust: p.trust, certificate: p.alice, ...client },
    { now: () => TEST_NOW, random: seededRandom('server'), trust: p.trust, certificate: p.server, ...server },
  ).run();
}

const sentAlerts = (pair: InMemoryPair, side: Role) => pair.events(side).filter((e) => e.type === 'alert' && e.direction === 'out');

function expectConnected(pair: InMemoryPair): void {
  expect([...sentAlerts(pair, 'client'), ...sentAlerts(pair, 'server')]).toEqual([]);
  expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
}

function expectRefusedBy(pair: InMemoryPair, side: Role, scheme: string): void {
  const alerts = sentAlerts(pair, side);
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ level: 'fatal', description: 'unsupported_certificate', reason: 'UnsupportedCertificate' });
  expect(alerts[0]!.type === 'alert' && alerts[0]!.detail).toContain(`${scheme}, not among the schemes accepted in certificates`);
  expect(pair.client.isConnected || pair.server.isConnected).toBe(false);
}

/** The schemes of the extension `type` in the handshake message `kind` that `side` sent, undefined without one. */
function sentSchemes(pair: InMemoryPair, side: Role, kind: 'client_hello' | 'certificate_request', type: number): string[] | undefined {
  for (const e of pair.events(side)) {
    if (e.type !== 'handshake-message' || e.direction !== 'out' || e.message.kind !== kind) continue;
    const ext = e.message.extensions.find((x) => x.type === type);
    return ext && X.bodyOf(X.signatureAlgorithmsCert, ext).map((s) => signatureSchemeName(s));
  }
  throw new Error(`${side} sent no ${kind}`);
}

describe('a chain signature outside the schemes we accept in certificates is refused (unsupported_certificate)', () => {
  it('attacker: a server chain signed with rsa_pkcs1_sha256 when certificateSignatureSchemes leaves it out', () => {
    const pair = connect(rsaPki, { certificateSignatureSchemes: without(DEFAULT_SIGNATURE_SCHEMES, ...PKCS1) });
    expectRefusedBy(pair, 'client', 'rsa_pkcs1_sha256');
  });

  it('attacker: a client chain signed with rsa_pkcs1_sha256 when the server leaves it out', () => {
    const pair = connect(rsaPki, {}, { clientAuth: 'require', certificateSignatureSchemes: without(DEFAULT_SIGNATURE_SCHEMES, rsa_pkcs1_sha256) });
    expectRefusedBy(pair, 'server', 'rsa_pkcs1_sha256');
  });

  it('without certificateSignatureSchemes, signatureSchemes decides: a P-384 CA refused when ecdsa_secp384r1_sha384 is left out', () => {
    const pair = connect(p384Pki, { signatureSchemes: without(DEFAULT_SIGNATURE_SCHEMES, ecdsa_secp384r1_sha384) });
    expectRefusedBy(pair, 'client', 'ecdsa_secp384r1_sha384');
  });

  it('certificateSignatureSchemes, not signatureSchemes, decides when given: the same chain accepted', () => {
    const signatureSchemes = without(DEFAULT_SIGNATURE_SCHEMES, ecdsa_secp384r1_sha384);
    expectConnected(connect(p384Pki, { signatureSchemes, certificateSignatureSchemes: [ecdsa_secp384r1_sha384] }));
    // And it refuses what signatureSchemes alone would accept.
    expectRefusedBy(connect(p384Pki, { certificateSignatureSchemes: [ed25519] }), 'client', 'ecdsa_secp384r1_sha384');
  });

  it('by default RSA PKCS#1 CA chains are accepted in both roles, even with signatureSchemes narrowed to what CertificateVerify uses', () => {
    expectConnected(connect(rsaPki, {}, { clientAuth: 'require' }));
    expectConnected(connect(rsaPki, { signatureSchemes: [ed25519] }, { clientAuth: 'require', signatureSchemes: [ed25519] }));
  });
});

describe('signature_algorithms_cert on the wire (RFC 8446 §4.2.3)', () => {
  it('is not sent when it would repeat signature_algorithms (the default)', () => {
    const pair = connect(rsaPki, {}, { clientAuth: 'require' });
    expectConnected(pair);
    expect(sentSchemes(pair, 'client', 'client_hello', ExtensionType.signature_algorithms_cert)).toBeUndefined();
    expect(sentSchemes(pair, 'server', 'certificate_request', ExtensionType.signature_algorithms_cert)).toBeUndefined();
  });

  it('is sent in ClientHello and CertificateRequest when the lists differ, with the certificate list', () => {
    const certificateSignatureSchemes = [ed25519, ecdsa_secp384r1_sha384, rsa_pkcs1_sha256];
    const pair = connect(rsaPki, { certificateSignatureSchemes }, { clientAuth: 'require', certificateSignatureSchemes });
    expectConnected(pair);
    const names = ['ed25519', 'ecdsa_secp384r1_sha384', 'rsa_pkcs1_sha256'];
    expect(sentSchemes(pair, 'client', 'client_hello', ExtensionType.signature_algorithms_cert)).toEqual(names);
    expect(sentSchemes(pair, 'server', 'certificate_request', ExtensionType.signature_algorithms_cert)).toEqual(names);
  });

  it('is sent with the PKCS#1 schemes added when signatureSchemes leaves them out (what we accept in certificates)', () => {
    const pair = connect(rsaPki, { signatureSchemes: [ed25519] });
    expect(sentSchemes(pair, 'client', 'client_hello', ExtensionType.signature_algorithms)).toEqual(['ed25519']);
    expect(sentSchemes(pair, 'client', 'client_hello', ExtensionType.signature_algorithms_cert)).toEqual(['ed25519', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512']);
  });
});

describe('signatureSchemesOf: a certificate signature as TLS SignatureSchemes', () => {
  const p256 = makeIdentity({ keyType: 'p256' }, random).certificate.publicKey!;
  const p384 = makeIdentity({ keyType: 'p384' }, random).certificate.publicKey!;
  const rsa = makeIdentity({ privateKey: rsaTestKey() }, random).certificate.publicKey!;
  const pss = makeIdentity({ privateKey: asPssKey(rsaTestKey()) }, random).certificate.publicKey!;

  it('names ECDSA by curve and hash: both must be accepted when a certificate pairs them otherwise', () => {
    expect(signatureSchemesOf({ kind: 'ecdsa', hash: 'sha256' }, p256)).toEqual([ecdsa_secp256r1_sha256]);
    expect(signatureSchemesOf({ kind: 'ecdsa', hash: 'sha256' }, p384)).toEqual([ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384]);
    expect(signatureSchemesOf({ kind: 'ecdsa', hash: 'sha512' }, p384)).toEqual([ecdsa_secp521r1_sha512, ecdsa_secp384r1_sha384]);
  });

  it('names RSASSA-PSS by the issuer key: rsa_pss_rsae_* under rsaEncryption, rsa_pss_pss_* under id-RSASSA-PSS', () => {
    expect(signatureSchemesOf({ kind: 'rsa-pss', hash: 'sha384', saltLength: 48 }, rsa)).toEqual([SignatureScheme.rsa_pss_rsae_sha384]);
    expect(signatureSchemesOf({ kind: 'rsa-pss', hash: 'sha384', saltLength: 48 }, pss)).toEqual([SignatureScheme.rsa_pss_pss_sha384]);
    expect(signatureSchemesOf({ kind: 'rsa-pkcs1', hash: 'sha512' }, rsa)).toEqual([rsa_pkcs1_sha512]);
    expect(signatureSchemesOf({ kind: 'rsa-pkcs1', hash: 'sha1' }, rsa)).toBeUndefined();
  });

  it('a P-384 CA signing with ecdsa-with-SHA256 is refused when either scheme is left out', () => {
    const ca = makeIdentity({ subject: { CN: 'mixed CA' }, isCA: true, keyType: 'p384' }, random);
    const server = makeIdentity({ subject: { CN: SERVER_NAME }, sans: { dns: [SERVER_NAME] }, issuer: ca, serial: 9n, signatureAlgorithm: { kind: 'ecdsa', hash: 'sha256' } }, random);
    const p = { trust: { kind: 'ca', anchors: [ca.der] } as TrustPolicy, server, alice: server };
    expectConnected(connect(p, { certificate: undefined }));
    expectRefusedBy(connect(p, { certificateSignatureSchemes: [ed25519, ecdsa_secp256r1_sha256] }), 'client', 'ecdsa_secp384r1_sha384');
    expectRefusedBy(connect(p, { certificateSignatureSchemes: [ed25519, ecdsa_secp384r1_sha384] }), 'client', 'ecdsa_secp256r1_sha256');
  });
});

describe('certificateSignatureSchemes is validated before anything is sent', () => {
  it.each([[[]], [['rsa_pkcs1_sha256']], [[0x10000]], ['0x0401']])('%j: a TypeError naming the field', (value) => {
    const trust: TrustPolicy = { kind: 'pinned-key', spkiSha256: ['0'.repeat(64)] };
    expect(() => Connection.client({ serverName: 'a.example', trust, random, certificateSignatureSchemes: value as number[] })).toThrow(TypeError);
    expect(() => Connection.client({ serverName: 'a.example', trust, random, certificateSignatureSchemes: value as number[] })).toThrow(/certificateSignatureSchemes/);
    expect(() => Connection.server({ certificate: rsaPki.server, random, certificateSignatureSchemes: value as number[] })).toThrow(/certificateSignatureSchemes/);
  });
});

describe('the node adapter judges with the same schemes when it verifies the server itself (checkServerIdentity)', () => {
  const judged = (certificateSignatureSchemes?: number[]) => {
    const options = { trust: rsaPki.trust, now: () => TEST_NOW, serverName: SERVER_NAME, checkServerIdentity: () => undefined, ...(certificateSignatureSchemes ? { certificateSignatureSchemes } : {}) };
    const { verification } = translateClientOptions(options);
    return judgeServer(verification!, rsaPki.server.chain).verdict;
  };

  it('attacker: a chain signed with rsa_pkcs1_sha256 is refused when certificateSignatureSchemes leaves it out; accepted by default', () => {
    expect(judged(without(DEFAULT_SIGNATURE_SCHEMES, ...PKCS1))).toMatchObject({ trusted: false, reason: 'UnsupportedCertificate' });
    expect(judged()).toMatchObject({ trusted: true, rule: 'ca' });
  });
});
