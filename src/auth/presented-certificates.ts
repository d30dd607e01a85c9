// Certificates a peer presents, parsed once per distinct encoding: a client that connects to the same server
// again, or a server that meets the same client again, receives the same bytes, and parsing them afresh took
// 0.3-0.4 ms of a noble CA-validated handshake's CPU (docs/performance.md, fifth round).
// The memo is a security boundary, as the configured-certificates one is:
// - an entry is found by the exact bytes (all of them, one character per byte), not by a hash, so two
//   encodings that differ anywhere can never share an entry (at most 8 KiB: one String.fromCharCode.apply);
// - the parse is of a private copy, and the parsed certificate is frozen, so neither the peer's buffer nor a
//   consumer can change what the next handshake sees;
// - it holds at most MEMO_ENTRIES certificates of at most MEMO_MAX_DER_BYTES each (least recently used out
//   first): a peer sending ever new certificates only churns it; a larger one is parsed every time;
// - only the parse is kept (certificates are public): every verdict (validity at `now`, names, path,
//   signatures, revocation) is made afresh, and an encoding that fails to parse is not remembered.
import { bytesToText } from '../wire/vectors.js';
import { deepFreeze } from './configured-certificates.js';
import { parseCertificate, type Certificate } from './x509.js';

export const MEMO_ENTRIES = 64;
export const MEMO_MAX_DER_BYTES = 8192;

const parsed = new Map<string, Certificate>();

/** parseCertificate(der), from the memo when a certificate with exactly these bytes was parsed lately. */
export function parsePresentedCertificate(der: Uint8Array): Certificate {
  if (der.length > MEMO_MAX_DER_BYTES) return parseCertificate(der);
  const key = bytesToText(der);
  const known = parsed.get(key);
  if (known) {
    // Most recently used goes last: a Map keeps insertion order.
    parsed.delete(key);
    parsed.set(key, known);
    return known;
  }
  const certificate = deepFreeze(parseCertificate(der.slice()));
  if (parsed.size >= MEMO_ENTRIES) parsed.delete(parsed.keys().next().value!);
  parsed.set(key, certificate);
  return certificate;
}
