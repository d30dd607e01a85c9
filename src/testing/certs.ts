// In-process certificates for tests and demos: a key pair and a certificate made with our builder, so no
// files and no openssl run are needed. Core-safe (no node imports).
import { buildCertificate, generateKeyPair, type CertificateSpec, type GeneratedKeyType } from '../auth/builder.js';
import { parseCertificate, type Certificate } from '../auth/x509.js';
import type { CryptoProvider, PrivateKey, RandomSource } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CertifiedKey } from '../handshake/config.js';
import { handshakeSignatureAlgorithm } from '../handshake/signatures.js';
import { hex } from '../wire/bytes.js';

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

/**
 * `der` with its UTF8String `value` (a multiple of 4 bytes, e.g. a CN) turned into a UniversalString of
 * code point U+110000, which Unicode does not have: what a hostile peer sends to make a name decoder
 * throw. Parsing must fail as any malformed DER does; the signature no longer matches either.
 */
export function withUndecodableName(der: Uint8Array, value: string): Uint8Array {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length % 4 !== 0 || bytes.length > 127) throw new Error(`"${value}" is not a multiple of 4 bytes under 128`);
  const at = der.findIndex((b, i) => b === 0x0c && der[i + 1] === bytes.length && bytes.every((c, j) => der[i + 2 + j] === c));
  if (at < 0) throw new Error(`no UTF8String "${value}" in the certificate`);
  const out = der.slice();
  out[at] = 0x1c; // UniversalString (X.680 §41), 4 bytes a character
  for (let i = 0; i < bytes.length; i += 4) out.set([0x00, 0x11, 0x00, 0x00], at + 2 + i);
  return out;
}

/**
 * A certificate chain that signs with another key than its leaf's: what an attacker holding a stolen certificate
 * (and not its key) configures. Config validation refuses a privateKey that is not the leaf's key
 * (auth/key-pair.ts), so the other key signs through `signer`, as a key held elsewhere would.
 */
export function signingWithAnotherKey(chain: Uint8Array[], privateKey: PrivateKey, random: RandomSource, provider: CryptoProvider = nobleProvider): CertifiedKey {
  return { chain, signer: (scheme, content) => provider.sign(handshakeSignatureAlgorithm(scheme)!, privateKey, content, random) };
}

/**
 * An attacker's endpoint that sends what its signer answers. The engine verifies every signature, a signer's and
 * its own, with the certificate's key before sending it (handshake/signatures.ts verifiedBeforeSending); an
 * attacker runs a copy without that check. Its provider passes exactly the signatures `certified`'s signer made (so they go out) and
 * verifies everything else, the peer's signatures too, as `provider` does.
 */
export function sendingWhatItSigns(certified: CertifiedKey, provider: CryptoProvider = nobleProvider): { certificate: CertifiedKey; provider: CryptoProvider } {
  const made = new Set<string>();
  const signer = certified.signer!;
  const recording = (scheme: number, content: Uint8Array) => {
    const signature = signer(scheme, content);
    made.add(hex(signature));
    return signature;
  };
  return {
    certificate: { ...certified, signer: recording },
    provider: { ...provider, verify: (alg, key, content, signature) => made.has(hex(signature)) || provider.verify(alg, key, content, signature) },
  };
}
