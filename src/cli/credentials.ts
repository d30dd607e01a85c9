// Certificates, keys and trust policies from the files and pins named on the command line.
import { existsSync } from 'node:fs';
import { parsePin, type TrustPolicy } from '../auth/trust.js';
import { samePublicKey } from '../auth/keys.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CertifiedKey } from '../handshake/config.js';
import { hex } from '../wire/bytes.js';
import { loadCertificates, loadKey, loadSpki, UsageError } from './io.js';

/** Our chain (leaf first, as in the file) and the leaf's key; refuses a key that is not the leaf's. */
export function loadCertifiedKey(certFlag: string, certFile: string, keyFlag: string, keyFile: string): CertifiedKey {
  const chain = loadCertificates(certFlag, certFile);
  const privateKey = loadKey(keyFlag, keyFile);
  const leaf = chain[0]!;
  if (!leaf.publicKey) throw new UsageError(`${certFlag} ${certFile}: the first certificate's key is not usable: ${leaf.publicKeyProblem}`);
  if (!samePublicKey(nobleProvider.publicKeyOf(privateKey), leaf.publicKey)) {
    throw new UsageError(`${keyFlag} ${keyFile}: not the key of the first certificate in ${certFile}`);
  }
  return { chain: chain.map((c) => c.der), privateKey };
}

export interface TrustFlags {
  /** [flag name, files] for CA certificates. */
  ca: [string, string[]];
  /** [flag name, files] for pinned certificates. */
  pinCert: [string, string[]];
  /** [flag name, pins or files] for SubjectPublicKeyInfo pins, in a certificate or raw (RFC 7250). */
  pinSpki: [string, string[]];
}

/** The policy the flags describe (several flags: any of them may accept), or undefined when none is given. */
export function trustFromFlags({ ca, pinCert, pinSpki }: TrustFlags): TrustPolicy | undefined {
  const policies: TrustPolicy[] = [];
  const anchors = ca[1].flatMap((file) => loadCertificates(ca[0], file).map((c) => c.der));
  if (anchors.length > 0) policies.push({ kind: 'ca', anchors });
  const pinned = pinCert[1].map((file) => loadCertificates(pinCert[0], file)[0]!.der);
  if (pinned.length > 0) policies.push({ kind: 'pinned-certificate', certificates: pinned });
  const pins = pinSpki[1].map((value) => spkiPin(pinSpki[0], value));
  if (pins.length > 0) policies.push({ kind: 'pinned-key', spkiSha256: pins });
  if (policies.length <= 1) return policies[0];
  return { kind: 'any-of', policies };
}

/**
 * A pin as given (sha256/BASE64, base64 or hex), or the SHA-256 (hex) of the SubjectPublicKeyInfo in a
 * public key, certificate or private key file.
 */
function spkiPin(flag: string, value: string): string {
  try {
    parsePin(value);
    return value;
  } catch {
    if (!existsSync(value)) {
      throw new UsageError(`${flag} ${value}: not a SHA-256 pin (sha256/BASE64, 44 base64 characters, or 64 hex digits) nor a key or certificate file`);
    }
  }
  return hex(nobleProvider.hash('sha256', loadSpki(flag, value)));
}
