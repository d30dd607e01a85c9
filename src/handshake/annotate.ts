// Annotation spans for the parts of handshake messages the TLS codec leaves opaque: the certificates
// inside a Certificate message are explained field by field (DER structure, extensions, SANs), so a trace
// shows a certificate byte by byte like any other message; a hybrid or ML-KEM key share is split into its
// parts (the ML-KEM encapsulation key or ciphertext, the ECDH public value).
import { parseSpki } from '../auth/keys.js';
import { parseCertificate } from '../auth/x509.js';
import type { Span } from '../wire/bytes.js';
import { SHARE_LAYOUTS } from '../wire/key-share-layout.js';
import { stapleSpans } from './ocsp-staple.js';
import { decodeHandshakeBody } from '../wire/messages.js';
import type { HandshakeMessage } from '../wire/types.js';

/** The spans of one handshake message body; with certificates, their DER fields too. */
export function messageSpans(message: HandshakeMessage, raw: Uint8Array): Span[] {
  const spans: Span[] = [];
  decodeHandshakeBody(raw[0]!, raw.subarray(4), spans);
  if (message.kind === 'client_hello' || message.kind === 'server_hello') spans.push(...keySharePartSpans(spans, message.kind === 'client_hello' ? 'client' : 'server'));
  if (message.kind !== 'certificate') return spans;
  spans.push(...stapleSpans(message, spans));
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

const KEY_EXCHANGE = /\.key_share(?:\.client_shares\[\d+\])?\.key_exchange$/;

/** The parts of each key_exchange whose group has a layout (a share of the wrong length stays whole). */
function keySharePartSpans(spans: readonly Span[], side: 'client' | 'server'): Span[] {
  const parts: Span[] = [];
  for (const share of spans.filter((s) => KEY_EXCHANGE.test(s.path))) {
    const groupPath = share.path.replace(/key_exchange$/, 'group');
    const group = spans.find((s) => s.path === groupPath)?.value;
    const layout = typeof group === 'number' ? SHARE_LAYOUTS.get(group)?.[side] : undefined;
    if (!layout || layout.reduce((sum, part) => sum + part.length, 0) !== share.length) continue;
    let offset = share.offset;
    for (const part of layout) {
      parts.push({ offset, length: part.length, path: `${share.path}.${part.field}`, meaning: part.meaning, rfc: part.rfc });
      offset += part.length;
    }
  }
  return parts;
}
