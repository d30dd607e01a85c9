// Annotation spans for the parts of handshake messages the TLS codec leaves opaque: the certificates
// inside a Certificate message are explained field by field (DER structure, extensions, SANs), so a trace
// shows a certificate byte by byte like any other message.
import { parseSpki } from '../auth/keys.js';
import { parseCertificate } from '../auth/x509.js';
import type { Span } from '../wire/bytes.js';
import { decodeHandshakeBody } from '../wire/messages.js';
import type { HandshakeMessage } from '../wire/types.js';

/** The spans of one handshake message body; with certificates, their DER fields too. */
export function messageSpans(message: HandshakeMessage, raw: Uint8Array): Span[] {
  const spans: Span[] = [];
  decodeHandshakeBody(raw[0]!, raw.subarray(4), spans);
  if (message.kind !== 'certificate') return spans;
  const entries = spans.filter((s) => /certificate_list\[\d+\]\.cert_data$/.test(s.path));
  for (const [i, entry] of entries.entries()) {
    const data = message.entries[i]?.data;
    if (!data) continue;
    const inner: Span[] = [];
    try {
      parseCertificate(data, inner);
    } catch {
      // Not X.509: an RFC 7250 raw public key is a bare SubjectPublicKeyInfo; anything else stays opaque.
      inner.length = 0;
      try {
        parseSpki(data, inner);
      } catch {
        inner.length = 0;
      }
    }
    for (const span of inner) spans.push({ ...span, offset: entry.offset + span.offset, path: `${entry.path}.${span.path}` });
  }
  return spans;
}
