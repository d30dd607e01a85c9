// Test fixtures for the auth tests: keys made by node:crypto (an independent implementation) and
// loaded through our PKCS#8 reader, and a small certificate factory over our builder.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { buildCertificate } from '../../src/auth/builder.js';
import type { CertificateSpec, NameSpec } from '../../src/auth/builder.js';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { parseCertificate } from '../../src/auth/x509.js';
import type { Certificate } from '../../src/auth/x509.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { PrivateKey, PublicKey, RandomSource } from '../../src/crypto/provider.js';

export const provider = nobleProvider;
export const random: RandomSource = (n) => new Uint8Array(randomBytes(n));

export type KeyKind = 'ed25519' | 'ed448' | 'p256' | 'p384' | 'p521' | 'rsa2048' | 'rsa-pss' | 'rsa-pss-sha384';
export const KEY_KINDS: readonly KeyKind[] = ['ed25519', 'ed448', 'p256', 'p384', 'p521', 'rsa2048', 'rsa-pss', 'rsa-pss-sha384'];

const NAMED_CURVES = { p256: 'prime256v1', p384: 'secp384r1', p521: 'secp521r1' } as const;

function nodeKeyPair(kind: KeyKind): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (kind) {
    case 'ed25519':
    case 'ed448':
      return generateKeyPairSync(kind as 'ed25519');
    case 'rsa2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'rsa-pss':
      return generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    case 'rsa-pss-sha384':
      // An id-RSASSA-PSS key restricted by RFC 4055 parameters: SHA-384, MGF1-SHA-384, salt >= 48.
      return generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384' });
    default:
      return generateKeyPairSync('ec', { namedCurve: NAMED_CURVES[kind] });
  }
}

export interface TestKey {
  node: { privateKey: KeyObject; publicKey: KeyObject };
  privateKey: PrivateKey;
  publicKey: PublicKey;
}

export function nodeKey(kind: KeyKind): TestKey {
  const node = nodeKeyPair(kind);
  const privateKey = loadPrivateKey(new Uint8Array(node.privateKey.export({ format: 'der', type: 'pkcs8' })));
  return { node, privateKey, publicKey: provider.publicKeyOf(privateKey) };
}

export const DAY = 86_400_000;
export const NOW = Date.UTC(2030, 0, 15, 12, 0, 0);

let serial = 1000n;

export interface Issued {
  key: TestKey;
  cert: Certificate;
  der: Uint8Array;
}

/** A certificate for `key`, issued by `issuer` (self-signed when absent), valid around NOW by default. */
export function issue(
  subject: NameSpec,
  key: TestKey,
  issuer: Issued | undefined,
  extra: Partial<Omit<CertificateSpec, 'subject' | 'publicKey' | 'signingKey' | 'issuer'>> = {},
): Issued {
  const spec: CertificateSpec = {
    subject,
    publicKey: key.publicKey,
    signingKey: issuer ? issuer.key.privateKey : key.privateKey,
    serial: serial++,
    notBefore: NOW - 30 * DAY,
    notAfter: NOW + 30 * DAY,
    // RFC 5280 §4.2.1.3: CA certificates carry keyUsage with keyCertSign (openssl -x509_strict insists).
    ...(extra.isCA ? { keyUsage: ['keyCertSign', 'cRLSign'] } : {}),
    ...extra,
  };
  if (issuer) spec.issuer = issuer.cert;
  const der = buildCertificate(spec, provider, random);
  return { key, der, cert: parseCertificate(der) };
}

/** Root -> intermediate -> leaf, all ECDSA P-256 unless told otherwise, leaf for serverAuth with SAN. */
export function makeChain(leafExtra: Parameters<typeof issue>[3] = {}, kinds: [KeyKind, KeyKind, KeyKind] = ['p256', 'p256', 'p256']) {
  const root = issue({ CN: 'Test Root CA', O: 'tls13-lab' }, nodeKey(kinds[0]), undefined, { isCA: true, keyUsage: ['keyCertSign', 'cRLSign'] });
  const intermediate = issue({ CN: 'Test Intermediate CA', O: 'tls13-lab' }, nodeKey(kinds[1]), root, { isCA: true, pathLen: 0, keyUsage: ['keyCertSign', 'cRLSign'] });
  const leaf = issue({ CN: 'server.example' }, nodeKey(kinds[2]), intermediate, {
    isCA: false,
    keyUsage: ['digitalSignature'],
    extKeyUsage: ['serverAuth'],
    sans: { dns: ['server.example', '*.api.example'], ip: ['192.0.2.7', '2001:db8::1'] },
    ...leafExtra,
  });
  return { root, intermediate, leaf };
}
