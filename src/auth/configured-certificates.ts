// Certificates the configuration holds (trust anchors, pinned certificates) are parsed once, not once per
// handshake. The memo is a security boundary: an entry answers only for the same Uint8Array still holding the
// same bytes (a caller may refill a buffer between handshakes), the parse is of a private copy that nothing
// else can write, and the parsed certificate is frozen, so no consumer can change what the next handshake
// sees. Only the parse is kept: every verdict (validity at `now`, names, path, revocation) is made afresh.
import { equalBytes } from '../wire/bytes.js';
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
  return certificate;
}
