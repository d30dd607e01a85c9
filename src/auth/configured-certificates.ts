// Certificates the configuration holds (trust anchors, pinned certificates) are parsed once, not once per
// handshake. The memo is a security boundary: an entry answers only for the same Uint8Array still holding the
// same bytes (a caller may refill a buffer between handshakes), the parse is of a private copy that nothing
// else can write, and the parsed certificate is frozen, so no consumer can change what the next handshake
// sees. Only the parse is kept, and the signatures a configured certificate's key was seen to verify (below):
// every verdict (validity at `now`, names, path, profile, revocation) is made afresh.
import type { CryptoProvider } from '../crypto/provider.js';
import { equalBytes, hex } from '../wire/bytes.js';
import { sha256Fingerprint, type Fingerprint } from './keys.js';
import { parseCertificate, type Certificate } from './x509.js';

const parsed = new WeakMap<Uint8Array, { bytes: Uint8Array; certificate: Certificate }>();

/** Object.freeze through plain objects and arrays (typed arrays cannot be frozen; they are the private copy's views). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const field of Object.values(value)) deepFreeze(field);
  return value;
}

/** parseCertificate(der), from the memo when this very array was parsed before and still holds the same bytes. */
export function parseConfiguredCertificate(der: Uint8Array): Certificate {
  const known = parsed.get(der);
  if (known && equalBytes(known.bytes, der)) return known.certificate;
  const bytes = der.slice();
  const certificate = deepFreeze(parseCertificate(bytes));
  parsed.set(der, { bytes, certificate });
  verifiedBy.set(certificate, { size: 0, buckets: new Map() });
  return certificate;
}

/** The hex of a configured certificate's DER, made the first time path building compares certificates by it. */
const derKeys = new WeakMap<Certificate, string>();

/** `cert`'s DER in hex: made once for a configured certificate (frozen, its DER a private copy), otherwise every time. */
export function derKey(cert: Certificate): string {
  const known = derKeys.get(cert);
  if (known !== undefined) return known;
  const key = hex(cert.der);
  // Configured: parseConfiguredCertificate made it (and its memo of verified signatures).
  if (verifiedBy.has(cert)) derKeys.set(cert, key);
  return key;
}

/** A certificate's SHA-256 fingerprints: of its DER and of its SubjectPublicKeyInfo, as an identity reports them. */
export interface CertificateFingerprints {
  certificate: Fingerprint;
  spki: Fingerprint;
}

/** The fingerprints of configured certificates, with the provider that hashed them. */
const fingerprints = new WeakMap<Certificate, CertificateFingerprints & { provider: CryptoProvider }>();

/**
 * `cert`'s fingerprints, hashed once per provider for a configured certificate (frozen, its DER a private copy: a
 * pinned leaf is the pin's parse, so a client meeting its pinned server hashes nothing), every time for any other.
 * A pin refilled in place is parsed anew (parseConfiguredCertificate), into a certificate this memo has not seen
 * (test/security/parse-once). The fingerprints' bytes are only compared, never handed out.
 */
export function certificateFingerprints(cert: Certificate, provider: CryptoProvider): CertificateFingerprints {
  const known = fingerprints.get(cert);
  if (known !== undefined && known.provider === provider) return known;
  const made = { provider, certificate: sha256Fingerprint(cert.der, provider), spki: sha256Fingerprint(cert.spki, provider) };
  if (verifiedBy.has(cert)) fingerprints.set(cert, made);
  return made;
}

/**
 * Certificates whose signature a configured certificate's key verified (a trust anchor's, in practice: the leaf or
 * intermediate directly under it), so that a client meeting the same server again checks the same signature once.
 * A signature's validity is a function of the signed certificate's bytes (TBSCertificate, signatureAlgorithm,
 * signature), the issuer's key and the verifier: an entry holds a private copy of the whole DER and the provider,
 * and answers only for DER equal byte for byte under the same provider, with the issuer's key fixed by the frozen
 * configured certificate the memo belongs to (a changed anchor is parsed anew, with an empty memo). Only
 * successes are kept, so a forgery is checked, and refused, every time. The time, the trust policy, the path's
 * rules and the signature budget are not here: they are judged on every handshake (path/build.ts).
 */
const verifiedBy = new WeakMap<Certificate, { size: number; buckets: Map<number, Array<{ der: Uint8Array; provider: CryptoProvider }>> }>();
/** Distinct certificates remembered per configured certificate; past it the memo starts again, empty. */
export const VERIFIED_LIMIT = 64;

/** A bucket key without reading the certificate: its length and last four octets (the end of its signature). */
const bucketOf = (der: Uint8Array) => der.length * 2 ** 32 + ((der[der.length - 4]! << 24) >>> 0) + (der[der.length - 3]! << 16) + (der[der.length - 2]! << 8) + der[der.length - 1]!;

/** Did `issuer`, a configured certificate, verify the signature on `cert` (the same DER) with `provider` before? */
export function verifiedBefore(issuer: Certificate, cert: Certificate, provider: CryptoProvider): boolean {
  const bucket = verifiedBy.get(issuer)?.buckets.get(bucketOf(cert.der));
  return bucket !== undefined && bucket.some((entry) => entry.provider === provider && equalBytes(entry.der, cert.der));
}

/** Remembers that `issuer`'s key verified `cert`'s signature with `provider`; nothing for a certificate not configured. */
export function rememberVerified(issuer: Certificate, cert: Certificate, provider: CryptoProvider): void {
  const memo = verifiedBy.get(issuer);
  if (memo === undefined) return;
  if (memo.size >= VERIFIED_LIMIT) {
    memo.buckets.clear();
    memo.size = 0;
  }
  const key = bucketOf(cert.der);
  const entry = { der: cert.der.slice(), provider };
  const bucket = memo.buckets.get(key);
  if (bucket) bucket.push(entry);
  else memo.buckets.set(key, [entry]);
  memo.size++;
}
