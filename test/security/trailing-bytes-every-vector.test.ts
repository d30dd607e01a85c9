// Attacker's script against the Reader that narrows itself to one vector at a time (s6-decode): a byte added
// at the end of a length-prefixed vector, with that vector's length and the length of every vector around
// it raised to match, so that only the one vector holds a byte its structure has no room for. RFC 8446 §6.2:
// "decode_error: A message could not be decoded because some field was out of the specified range or the
// length of the message was incorrect". Done for every structured vector (one with fields or elements of
// its own, at every nesting level) of every message both sides send in every fuzz scenario: extension
// blocks of ClientHello, ServerHello, HelloRetryRequest, EncryptedExtensions, Certificate entries,
// CertificateRequest and NewSessionTicket, and inside the extension bodies (key_share, supported_versions,
// pre_shared_key identities and binders, ALPN, server_name, signature_algorithms, status_request, ...).
// A vector left open, or a limit not restored when a vector closes, would accept the byte or blame the
// wrong field. Vectors of one-byte elements are left out: a zero byte there is one more element.
import { describe, expect, it } from 'vitest';
import { seedCorpus } from '../../src/testing/fuzz/codec.js';
import type { Span } from '../../src/wire/bytes.js';
import { ExtensionType, HandshakeType, handshakeTypeName } from '../../src/wire/enums.js';
import { TlsError } from '../../src/wire/errors.js';
import * as X from '../../src/wire/extensions.js';
import { decodeHandshakeBody, encodeHandshake } from '../../src/wire/messages.js';
import type { Extension, HandshakeMessage } from '../../src/wire/types.js';

const DN = Uint8Array.of(0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x00);

/** A corpus message with more extensions (first, so pre_shared_key stays last), for bodies no scenario sends. */
function withExtensions(msgType: number, add: (message: HandshakeMessage) => void): [number, Uint8Array] {
  const message = decodeHandshakeBody(msgType, seedCorpus().get(msgType)![0]!);
  add(message);
  return [msgType, encodeHandshake(message).subarray(4)];
}

const prepend = (extensions: Extension[], ...more: Extension[]) => extensions.unshift(...more);

/** Every message of the fuzz scenarios, and hellos, requests and certificates with the extensions they lack. */
function messages(): Array<[number, Uint8Array]> {
  const all = [...seedCorpus()].flatMap(([msgType, bodies]) => bodies.map((b): [number, Uint8Array] => [msgType, b]));
  all.push(
    withExtensions(HandshakeType.client_hello, (m) => {
      if (m.kind !== 'client_hello') throw new Error(m.kind);
      prepend(
        m.extensions,
        X.ext(ExtensionType.application_layer_protocol_negotiation, X.alpn.encode(['h2', 'http/1.1'])),
        X.ext(ExtensionType.status_request, X.statusRequestClientHello.encode({ responderIds: [Uint8Array.of(1, 2)], requestExtensions: Uint8Array.of(9) })),
        X.ext(ExtensionType.certificate_authorities, X.certificateAuthorities.encode([DN, DN])),
        X.ext(ExtensionType.compress_certificate, X.compressCertificate.encode([1, 2])),
        X.ext(ExtensionType.signature_algorithms_cert, X.signatureAlgorithmsCert.encode([0x0804, 0x0403])),
        X.ext(ExtensionType.use_srtp, X.useSrtp.encode({ profiles: [1, 2], mki: Uint8Array.of(7) })),
      );
    }),
    withExtensions(HandshakeType.encrypted_extensions, (m) => {
      if (m.kind !== 'encrypted_extensions') throw new Error(m.kind);
      prepend(m.extensions, X.ext(ExtensionType.application_layer_protocol_negotiation, X.alpn.encode(['h2'])), X.ext(ExtensionType.use_srtp, X.useSrtp.encode({ profiles: [1], mki: new Uint8Array(0) })));
    }),
    withExtensions(HandshakeType.certificate_request, (m) => {
      if (m.kind !== 'certificate_request') throw new Error(m.kind);
      prepend(
        m.extensions,
        X.ext(ExtensionType.certificate_authorities, X.certificateAuthorities.encode([DN])),
        X.ext(ExtensionType.oid_filters, X.oidFilters.encode([{ oid: Uint8Array.of(0x55, 0x1d, 0x25), values: Uint8Array.of(0x30, 0x00) }])),
        X.ext(ExtensionType.compress_certificate, X.compressCertificate.encode([1])),
        X.ext(ExtensionType.signature_algorithms_cert, X.signatureAlgorithmsCert.encode([0x0804])),
      );
    }),
    withExtensions(HandshakeType.certificate, (m) => {
      if (m.kind !== 'certificate') throw new Error(m.kind);
      prepend(
        m.entries[0]!.extensions,
        X.ext(ExtensionType.status_request, X.statusRequestCertificate.encode(Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00))),
        X.ext(ExtensionType.signed_certificate_timestamp, X.signedCertificateTimestamps.encode([Uint8Array.of(1, 2, 3), Uint8Array.of(4)])),
      );
    }),
  );
  return all;
}

interface Vector {
  span: Span;
  prefix: Span;
}

/** Every length-prefixed vector the decoder read: a span with its `.length` span right before it. */
function vectorsOf(spans: Span[]): Vector[] {
  const prefixes = new Map(spans.filter((s) => s.path.endsWith('.length')).map((s) => [`${s.path.slice(0, -'.length'.length)}@${s.offset + s.length}`, s]));
  return spans.flatMap((span) => {
    const prefix = prefixes.get(`${span.path}@${span.offset}`);
    return prefix && span.path !== prefix.path ? [{ span, prefix }] : [];
  });
}

const inside = (outer: Span, inner: Span) => inner.offset >= outer.offset && inner.offset + inner.length <= outer.offset + outer.length;

/** Fields or elements of its own, other than single bytes. */
function isStructured(vector: Vector, spans: Span[]): boolean {
  const children = spans.filter((s) => s !== vector.span && (s.path.startsWith(`${vector.span.path}.`) || s.path.startsWith(`${vector.span.path}[`)) && inside(vector.span, s));
  if (children.length === 0) return false;
  const elements = children.filter((s) => /^\[\d+\]$/.test(s.path.slice(vector.span.path.length)));
  return !(elements.length > 0 && elements.every((s) => s.length === 1));
}

/** `body` with one zero byte at the end of `target`, and the lengths of `target` and of every vector around it one larger. */
function withTrailingByte(body: Uint8Array, target: Vector, vectors: Vector[]): Uint8Array | undefined {
  const at = target.span.offset + target.span.length;
  const out = new Uint8Array(body.length + 1);
  out.set(body.subarray(0, at));
  out.set(body.subarray(at), at + 1);
  for (const v of vectors) {
    if (!inside(v.span, target.span)) continue;
    const width = v.prefix.length;
    const length = v.span.length + 1;
    if (length >= 2 ** (8 * width)) return undefined;
    for (let i = 0; i < width; i++) out[v.prefix.offset + i] = (length >> (8 * (width - 1 - i))) & 0xff;
  }
  return out;
}

describe('a byte past the structure of any vector', () => {
  it('is a decode_error, at every nesting level of every message', () => {
    const tried = new Set<string>();
    const failures: string[] = [];
    for (const [msgType, body] of messages()) {
      {
        const spans: Span[] = [];
        decodeHandshakeBody(msgType, body, spans);
        const vectors = vectorsOf(spans);
        for (const target of vectors) {
          if (!isStructured(target, spans)) continue;
          const edited = withTrailingByte(body, target, vectors);
          if (!edited) continue;
          const where = `${handshakeTypeName(msgType)} ${target.span.path.replace(/\[\d+\]/g, '[]')}`;
          tried.add(where);
          try {
            decodeHandshakeBody(msgType, edited);
            failures.push(`${where}: accepted`);
          } catch (e) {
            // Blamed on the vector itself (or a field in it): the byte was found where it is, not later on.
            const blamed = e instanceof TlsError && e.message.includes(`): ${target.span.path.replace(/\[\d+\]/g, '')}`);
            if (!(e instanceof TlsError) || e.alert !== 'decode_error' || !blamed) failures.push(`${where}: ${e instanceof TlsError ? `${e.alert} ${e.message}` : String(e)}`);
          }
        }
      }
    }
    expect([...new Set(failures)]).toEqual([]);
    // The places the brief names, so that a corpus that lost them does not pass by trying nothing.
    for (const place of [
      'client_hello client_hello.extensions',
      'client_hello client_hello.extensions[].key_share.client_shares',
      'client_hello client_hello.extensions[].supported_versions.versions',
      'client_hello client_hello.extensions[].pre_shared_key.identities',
      'client_hello client_hello.extensions[].pre_shared_key.binders',
      'client_hello client_hello.extensions[].server_name.server_name_list',
      'client_hello client_hello.extensions[].signature_algorithms.supported_signature_algorithms',
      'client_hello client_hello.extensions[].application_layer_protocol_negotiation.protocol_name_list',
      'client_hello client_hello.extensions[].status_request.responder_id_list',
      'client_hello client_hello.extensions[].certificate_authorities.authorities',
      'server_hello server_hello.extensions[].key_share',
      'server_hello hello_retry_request.extensions[].cookie',
      'encrypted_extensions encrypted_extensions.extensions[].application_layer_protocol_negotiation.protocol_name_list',
      'certificate certificate.certificate_list',
      'certificate certificate.certificate_list[].extensions',
      'certificate certificate.certificate_list[].extensions[].status_request',
      'certificate_request certificate_request.extensions[].certificate_authorities.authorities',
      'certificate_request certificate_request.extensions[].oid_filters.filters',
      'new_session_ticket new_session_ticket.extensions[].early_data',
    ]) {
      expect(tried, place).toContain(place);
    }
  });
});
