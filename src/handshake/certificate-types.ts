// RFC 7250 certificate types as RFC 8446 §4.4.2 uses them: a peer may authenticate with an X.509 chain or
// with a bare SubjectPublicKeyInfo ("raw public key"), negotiated with the client_certificate_type and
// server_certificate_type extensions.
import { parseSpki, encodeSpki } from '../auth/keys.js';
import type { PeerIdentity } from '../auth/trust.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { CertificateType, certificateTypeName } from '../wire/enums.js';
import type { CertifiedKey, RawPublicKeyIdentity } from './config.js';

export type CertificateTypeName = 'x509' | 'raw-public-key';

const CODES: Record<CertificateTypeName, number> = { x509: CertificateType.X509, 'raw-public-key': CertificateType.RawPublicKey };

export function certificateTypeCode(name: CertificateTypeName): number {
  return CODES[name];
}

export function describeCertificateType(code: number): string {
  return code === CertificateType.RawPublicKey ? 'raw public key (RFC 7250)' : code === CertificateType.X509 ? 'X.509' : certificateTypeName(code);
}

/** RFC 7250 §4.2: the first type in the peer's list, in its order of preference, that we support. */
export function selectCertificateType(peerPreference: number[], ours: readonly CertificateTypeName[]): number | undefined {
  const supported = ours.map(certificateTypeCode);
  return peerPreference.find((code) => supported.includes(code));
}

/** The type a proven identity was presented in: a raw public key has no certificate to fingerprint. */
export function certificateTypeOf(identity: Pick<PeerIdentity, 'certificateSha256'>): CertificateTypeName {
  return identity.certificateSha256 === undefined ? 'raw-public-key' : 'x509';
}

/** A raw public key identity as a CertifiedKey whose one "certificate" is the SubjectPublicKeyInfo. */
export function rawPublicKeyCertified(provider: CryptoProvider, identity: RawPublicKeyIdentity): CertifiedKey {
  const spki = identity.spki ?? (identity.privateKey ? encodeSpki(provider.publicKeyOf(identity.privateKey)) : undefined);
  if (!spki) throw new Error('a raw public key needs its spki or its private key');
  parseSpki(spki);
  const certified: CertifiedKey = { chain: [spki], rawPublicKey: true };
  if (identity.privateKey) certified.privateKey = identity.privateKey;
  if (identity.signer) certified.signer = identity.signer;
  return certified;
}
