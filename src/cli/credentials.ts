// Certificates, keys and trust policies from the files and pins named on the command line.
import { parsePin, type TrustPolicy } from '../auth/trust.js';
import { encodeSpki } from '../auth/keys.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CertifiedKey } from '../handshake/config.js';
import { equalBytes } from '../wire/bytes.js';
import { loadCertificates, loadKey, UsageError } from './io.js';

/** Our chain (leaf first, as in the file) and the leaf's key; refuses a key that is not the leaf's. */
export function loadCertifiedKey(certFlag: string, certFile: string, keyFlag: string, keyFile: string): CertifiedKey {
  const chain = loadCertificates(certFlag, certFile);
  const privateKey = loadKey(keyFlag, keyFile);
  if (!equalBytes(encodeSpki(nobleProvider.publicKeyOf(privateKey)), chain[0]!.spki)) {
    throw new UsageError(`${keyFlag} ${keyFile}: not the key of the first certificate in ${certFile}`);
  }
  return { chain: chain.map((c) => c.der), privateKey };
}

export interface TrustFlags {
  /** [flag name, files] for CA certificates. */
  ca: [string, string[]];
  /** [flag name, files] for pinned certificates. */
  pinCert: [string, string[]];
  /** [flag name, pins] for SPKI SHA-256 pins. */
  pinSpki: [string, string[]];
}

/** The policy the flags describe (several flags: any of them may accept), or undefined when none is given. */
export function trustFromFlags({ ca, pinCert, pinSpki }: TrustFlags): TrustPolicy | undefined {
  const policies: TrustPolicy[] = [];
  const anchors = ca[1].flatMap((file) => loadCertificates(ca[0], file).map((c) => c.der));
  if (anchors.length > 0) policies.push({ kind: 'ca', anchors });
  const pinned = pinCert[1].map((file) => loadCertificates(pinCert[0], file)[0]!.der);
  if (pinned.length > 0) policies.push({ kind: 'pinned-certificate', certificates: pinned });
  for (const pin of pinSpki[1]) {
    try {
      parsePin(pin);
    } catch {
      throw new UsageError(`${pinSpki[0]} ${pin}: not a SHA-256 pin (sha256/BASE64, 44 base64 characters, or 64 hex digits)`);
    }
  }
  if (pinSpki[1].length > 0) policies.push({ kind: 'pinned-key', spkiSha256: pinSpki[1] });
  if (policies.length <= 1) return policies[0];
  return { kind: 'any-of', policies };
}
