// Ed448, ECDSA P-521, RSASSA-PSS keys (id-RSASSA-PSS, with and without RFC 4055 restrictions) and ML-DSA
// keys (offered when configured: docs/ml-dsa.md) in both roles, under every trust policy: a CA chain (with such keys at every position), a pinned certificate, a
// pinned SPKI and RFC 7250 raw public keys. Runs on both providers (the node-crypto vitest project).
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { encodeSpki } from '../../src/auth/keys.js';
import type { TrustPolicy } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey } from '../../src/crypto/provider.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DEFAULT_SIGNATURE_SCHEMES, type CertifiedKey, type ClientConfig, type ServerConfig } from '../../src/handshake/config.js';
import type { Role } from '../../src/handshake/events.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { asPssKey, rsaTestKey } from '../../src/testing/rsa-keys.js';
import { hex } from '../../src/wire/bytes.js';
import { SignatureScheme, signatureSchemeName } from '../../src/wire/enums.js';

const random = seededRandom('signature schemes');
const SERVER_NAME = 'server.example';

interface KeyCase {
  name: string;
  key: () => PrivateKey;
  /** The scheme its owner signs CertificateVerify with, under our default preferences. */
  scheme: string;
  keyType: RegExp;
  /** Both sides' signatureSchemes, when the defaults do not offer the key's scheme. */
  signatureSchemes?: number[];
}

const WITH_ML_DSA = [SignatureScheme.mldsa65, SignatureScheme.mldsa87, SignatureScheme.mldsa44, ...DEFAULT_SIGNATURE_SCHEMES];
const mlDsa = (type: 'ml-dsa-44' | 'ml-dsa-65' | 'ml-dsa-87', scheme: string, keyType: RegExp): KeyCase => ({
  name: type.toUpperCase(),
  key: () => generateKeyPair(type, random, nobleProvider).privateKey,
  scheme,
  keyType,
  signatureSchemes: WITH_ML_DSA,
});

const KEYS: KeyCase[] = [
  { name: 'Ed448', key: () => generateKeyPair('ed448', random, nobleProvider).privateKey, scheme: 'ed448', keyType: /^Ed448$/ },
  { name: 'ECDSA P-521', key: () => generateKeyPair('p521', random, nobleProvider).privateKey, scheme: 'ecdsa_secp521r1_sha512', keyType: /^ECDSA P-521$/ },
  { name: 'RSASSA-PSS without parameters', key: () => asPssKey(rsaTestKey()), scheme: 'rsa_pss_pss_sha256', keyType: /^RSA-PSS-2048$/ },
  {
    name: 'RSASSA-PSS restricted to SHA-384',
    key: () => asPssKey(rsaTestKey(), { hash: 'sha384', minSaltLength: 48 }),
    scheme: 'rsa_pss_pss_sha384',
    keyType: /^RSA-PSS-2048 \(sha384, salt >= 48\)$/,
  },
  {
    name: 'RSASSA-PSS restricted to SHA-512 with a 32-byte minimum salt',
    key: () => asPssKey(rsaTestKey(), { hash: 'sha512', minSaltLength: 32 }),
    scheme: 'rsa_pss_pss_sha512',
    keyType: /^RSA-PSS-2048 \(sha512, salt >= 32\)$/,
  },
  mlDsa('ml-dsa-44', 'mldsa44', /^ML-DSA-44$/),
  mlDsa('ml-dsa-65', 'mldsa65', /^ML-DSA-65$/),
  mlDsa('ml-dsa-87', 'mldsa87', /^ML-DSA-87$/),
];

/** The scheme of the CertificateVerify `side` received. */
function receivedScheme(pair: InMemoryPair, side: Role): string | undefined {
  for (const e of pair.events(side)) {
    if (e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'certificate_verify') return signatureSchemeName(e.message.scheme);
  }
  return undefined;
}

function connectPair(client: Partial<ClientConfig>, server: Partial<ServerConfig>): InMemoryPair {
  return new InMemoryPair(
    { now: () => TEST_NOW, random: seededRandom('client'), serverName: SERVER_NAME, ...client },
    { now: () => TEST_NOW, random: seededRandom('server'), clientAuth: 'require', ...server },
  ).run();
}

function expectMutualAuthentication(pair: InMemoryPair, scheme: string, keyType: RegExp): void {
  expect(pair.events('client').filter((e) => e.type === 'alert')).toEqual([]);
  expect(pair.events('server').filter((e) => e.type === 'alert')).toEqual([]);
  expect(pair.client.isConnected && pair.server.isConnected).toBe(true);
  expect(pair.client.info.signatureScheme).toBe(scheme);
  expect(receivedScheme(pair, 'client')).toBe(scheme);
  expect(receivedScheme(pair, 'server')).toBe(scheme);
  expect(pair.server.info.clientAuth).toBe('authenticated');
  expect(pair.client.info.peer?.keyType).toMatch(keyType);
  expect(pair.server.info.peer?.keyType).toMatch(keyType);
}

const leafOptions = (cn: string, issuer?: Identity) => ({
  subject: { CN: cn },
  sans: { dns: [cn] },
  ...(issuer ? { issuer, serial: 2n } : {}),
});

describe.each(KEYS)('$name keys in both roles', ({ key, scheme, keyType, signatureSchemes }) => {
  const schemes = signatureSchemes ? { signatureSchemes } : {};
  const connect = (client: Partial<ClientConfig>, server: Partial<ServerConfig>) => connectPair({ ...schemes, ...client }, { ...schemes, ...server });
  const pin = (identity: { privateKey: PrivateKey }) => hex(nobleProvider.hash('sha256', encodeSpki(nobleProvider.publicKeyOf(identity.privateKey))));

  it(`authenticate with ${scheme} under a CA policy, the CA's key of the same kind`, () => {
    const ca = makeIdentity({ subject: { CN: 'CA' }, isCA: true, privateKey: key() }, random);
    const server = makeIdentity({ ...leafOptions(SERVER_NAME, ca), extKeyUsage: ['serverAuth'], privateKey: key() }, random);
    const alice = makeIdentity({ ...leafOptions('alice', ca), extKeyUsage: ['clientAuth'], privateKey: key() }, random);
    const trust: TrustPolicy = { kind: 'ca', anchors: [ca.der] };
    expectMutualAuthentication(connect({ trust, certificate: alice }, { trust, certificate: server }), scheme, keyType);
  });

  it(`authenticate with ${scheme} under pinned self-signed certificates`, () => {
    const server = makeIdentity({ ...leafOptions(SERVER_NAME), privateKey: key() }, random);
    const alice = makeIdentity({ ...leafOptions('alice'), privateKey: key() }, random);
    const pair = connect(
      { trust: { kind: 'pinned-certificate', certificates: [server.der] }, certificate: alice },
      { trust: { kind: 'pinned-certificate', certificates: [alice.der] }, certificate: server },
    );
    expectMutualAuthentication(pair, scheme, keyType);
  });

  it(`authenticate with ${scheme} under pinned SPKI hashes`, () => {
    const server = makeIdentity({ ...leafOptions(SERVER_NAME), privateKey: key() }, random);
    const alice = makeIdentity({ ...leafOptions('alice'), privateKey: key() }, random);
    const pair = connect(
      { trust: { kind: 'pinned-key', spkiSha256: [pin(server)] }, certificate: alice },
      { trust: { kind: 'pinned-key', spkiSha256: [pin(alice)] }, certificate: server },
    );
    expectMutualAuthentication(pair, scheme, keyType);
    expect(pair.client.info.peer?.spkiSha256).toBe(pin(server));
  });

  it(`authenticate with ${scheme} as RFC 7250 raw public keys`, () => {
    const [serverKey, aliceKey] = [key(), key()];
    const pair = connect(
      { trust: { kind: 'pinned-key', spkiSha256: [pin({ privateKey: serverKey })] }, serverCertificateTypes: ['raw-public-key'], rawPublicKey: { privateKey: aliceKey } },
      { trust: { kind: 'pinned-key', spkiSha256: [pin({ privateKey: aliceKey })] }, rawPublicKey: { privateKey: serverKey }, clientCertificateTypes: ['raw-public-key'] },
    );
    expectMutualAuthentication(pair, scheme, keyType);
    expect(pair.client.info.serverCertificateType).toBe('raw-public-key');
    expect(pair.server.info.clientCertificateType).toBe('raw-public-key');
  });
});

describe('traces', () => {
  it("annotate a restricted RSASSA-PSS certificate's algorithm and parameters in the Certificate message", () => {
    const server = makeIdentity({ ...leafOptions(SERVER_NAME), privateKey: KEYS[3]!.key() }, random);
    const pair = connectPair({ trust: { kind: 'pinned-certificate', certificates: [server.der] }, trace: true }, { certificate: server, clientAuth: 'none' });
    expect(pair.client.info.signatureScheme).toBe('rsa_pss_pss_sha384');
    const certificate = pair.events('client').find((e) => e.type === 'handshake-message' && e.direction === 'in' && e.message.kind === 'certificate');
    const spans = certificate?.type === 'handshake-message' ? (certificate.spans ?? []) : [];
    const at = (suffix: string) => spans.filter((span) => span.path.endsWith(suffix)).map((span) => `${span.value} ${span.meaning ?? ''}`);
    expect(at('tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm')).toEqual(['1.2.840.113549.1.1.10 rsassaPss']);
    expect(at('tbsCertificate.subjectPublicKeyInfo.algorithm.parameters')).toHaveLength(1);
    expect(at('tbsCertificate.signature.algorithm')).toEqual(['1.2.840.113549.1.1.10 rsassaPss']);
  });
});

describe('CA chains with the new key types at every position', () => {
  const [ed448, p521, pss] = [KEYS[0]!, KEYS[1]!, KEYS[3]!];
  const chains = [
    { name: 'a SHA-384-restricted RSASSA-PSS root, an Ed448 intermediate, a P-521 leaf', keys: [pss, ed448, p521] },
    { name: 'a P-521 root, an unrestricted RSASSA-PSS intermediate, an Ed448 leaf', keys: [p521, KEYS[2]!, ed448] },
    { name: 'an Ed448 root, a P-521 intermediate, a SHA-512-restricted RSASSA-PSS leaf', keys: [ed448, p521, KEYS[4]!] },
  ];
  for (const { name, keys } of chains) {
    it(`validates ${name}, in both roles`, () => {
      const [rootKey, intermediateKey, leafKey] = keys as [KeyCase, KeyCase, KeyCase];
      const root = makeIdentity({ subject: { CN: 'Root' }, isCA: true, privateKey: rootKey.key() }, random);
      const intermediate = makeIdentity({ subject: { CN: 'Intermediate' }, isCA: true, issuer: root, serial: 2n, privateKey: intermediateKey.key() }, random);
      const issued = (cn: string, eku: string): CertifiedKey => {
        const leaf = makeIdentity({ ...leafOptions(cn, intermediate), serial: 3n, extKeyUsage: [eku], privateKey: leafKey.key() }, random);
        return { chain: [leaf.der, intermediate.der], privateKey: leaf.privateKey };
      };
      const trust: TrustPolicy = { kind: 'ca', anchors: [root.der] };
      const pair = connectPair({ trust, certificate: issued('alice', 'clientAuth') }, { trust, certificate: issued(SERVER_NAME, 'serverAuth') });
      expectMutualAuthentication(pair, leafKey.scheme, leafKey.keyType);
    });
  }
});
