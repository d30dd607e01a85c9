// In-process certificates for tests and demos: a key pair and a certificate made with our builder, so no
// files and no openssl run are needed. Core-safe (no node imports).
import { buildCertificate, generateKeyPair, type CertificateSpec, type GeneratedKeyType } from '../auth/builder.js';
import { parseCertificate, type Certificate } from '../auth/x509.js';
import type { CryptoProvider, PrivateKey, RandomSource } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CertifiedKey } from '../handshake/config.js';

export interface Identity extends CertifiedKey {
  privateKey: PrivateKey;
  certificate: Certificate;
  der: Uint8Array;
}

export const DAY = 24 * 60 * 60 * 1000;
/** The fixed clock test certificates are valid around: 2026-01-01T00:00:00Z. */
export const TEST_NOW = Date.UTC(2026, 0, 1);

export interface IdentityOptions extends Partial<Omit<CertificateSpec, 'publicKey' | 'signingKey' | 'issuer'>> {
  keyType?: GeneratedKeyType;
  /** A pre-made private key (e.g. RSA from node:crypto in tests, src/testing/rsa-keys.ts). */
  privateKey?: PrivateKey;
  issuer?: Identity;
  /** Certificates of intermediate CAs to send after the leaf. */
  chainExtra?: Uint8Array[];
}

export function makeIdentity(options: IdentityOptions, random: RandomSource, provider: CryptoProvider = nobleProvider): Identity {
  const privateKey = options.privateKey ?? generateKeyPair(options.keyType ?? 'ed25519', random, provider).privateKey;
  const publicKey = provider.publicKeyOf(privateKey);
  const { keyType: _k, privateKey: _p, issuer, chainExtra, ...spec } = options;
  const der = buildCertificate(
    {
      subject: spec.subject ?? { CN: 'test' },
      serial: spec.serial ?? 1n,
      notBefore: spec.notBefore ?? TEST_NOW - 30 * DAY,
      notAfter: spec.notAfter ?? TEST_NOW + 365 * DAY,
      ...spec,
      publicKey,
      signingKey: issuer ? issuer.privateKey : privateKey,
      ...(issuer ? { issuer: issuer.certificate } : {}),
    },
    provider,
    random,
  );
  return { der, certificate: parseCertificate(der), privateKey, chain: [der, ...(chainExtra ?? [])] };
}
