// OCSP stapling in TLS 1.3 (RFC 8446 §4.4.2.1, RFC 6066 §8): the client asks with status_request in its
// ClientHello; the server answers with a CertificateStatus in the status_request extension of the leaf's
// CertificateEntry, and only then (§4.2: an extension the client did not offer is unsupported_extension,
// which requireSolicited enforces on every entry). The judgement of the response is auth/ocsp-status.ts.
//
// A staple on another entry: §4.4.2.1 puts "the server's OCSP information ... in the CertificateEntry
// containing the associated certificate", so such a staple speaks of an intermediate. RFC 6066's
// status_request asks only for the server's own certificate (the multi-staple status_request_v2 is
// deprecated, §4.4.2.1), so it is solicited but not what we asked: ignored and traced, as OpenSSL and
// BoringSSL ignore it.
import { parseOcspResponse } from '../auth/ocsp.js';
import type { Span } from '../wire/bytes.js';
import { ExtensionType } from '../wire/enums.js';
import * as X from '../wire/extensions.js';
import type { Certificate, CertificateEntry, ClientHello } from '../wire/types.js';
import type { HandshakeContext } from './context.js';

/** CertificateStatusRequest with status_type ocsp and empty responder_id_list and request_extensions. */
export function statusRequestBody(): Uint8Array {
  return X.statusRequestClientHello.encode({ responderIds: [], requestExtensions: new Uint8Array(0) });
}

/** The staple on the leaf's entry, if any; a staple on any other entry is traced and ignored. */
export function leafStaple(ctx: HandshakeContext, certificate: Certificate): Uint8Array | undefined {
  const [leaf, ...rest] = certificate.entries;
  rest.forEach((entry, i) => {
    if (X.findExtension(entry.extensions, ExtensionType.status_request)) {
      ctx.decide('ocsp', 'ignored', `an OCSP staple on certificate_list[${i + 1}], not the leaf: RFC 6066 status_request asks for the server's own certificate only`);
    }
  });
  const ext = leaf && X.findExtension(leaf.extensions, ExtensionType.status_request);
  return ext && X.bodyOf(X.statusRequestCertificate, ext);
}

/**
 * Our Certificate entries (leaf first): the leaf carries `staple` when the ClientHello we answer asked for
 * one and we send X.509 (a raw public key has no issuer to answer for it).
 */
export function ownCertificateEntries(ctx: HandshakeContext, chain: Uint8Array[], hello: ClientHello, staple: Uint8Array | undefined, rawPublicKey: boolean): CertificateEntry[] {
  const asked = X.findExtension(hello.extensions, ExtensionType.status_request) !== undefined;
  const entries = chain.map((data) => ({ data, extensions: [] as CertificateEntry['extensions'] }));
  if (staple && !rawPublicKey) {
    if (asked) {
      entries[0]!.extensions.push(X.ext(ExtensionType.status_request, X.statusRequestCertificate.encode(staple)));
      ctx.decide('ocsp', 'stapled', `the client sent status_request: ${staple.length}-byte OCSP response in the leaf's CertificateEntry (RFC 8446 §4.4.2.1)`);
    } else {
      ctx.decide('ocsp', 'not stapled', 'the client did not send status_request (RFC 8446 §4.2: no unsolicited extensions)');
    }
  }
  return entries;
}

/** Traces what the peer's staple said (the verdict carries it for the application). */
export function traceStapleVerdict(ctx: HandshakeContext, ocsp: { status: string; detail: string } | undefined): void {
  if (ocsp) ctx.decide('ocsp', ocsp.status, ocsp.detail);
}

const STAPLE = /certificate_list\[(\d+)\]\.extensions\[(\d+)\]\.status_request\.ocsp_response$/;

/** The DER fields of each stapled OCSPResponse in a Certificate message (a malformed one stays opaque). */
export function stapleSpans(certificate: Certificate, spans: readonly Span[]): Span[] {
  return spans.flatMap((staple) => {
    const m = STAPLE.exec(staple.path);
    const ext = m && certificate.entries[Number(m[1])]?.extensions[Number(m[2])];
    if (!ext) return [];
    const inner: Span[] = [];
    try {
      parseOcspResponse(X.bodyOf(X.statusRequestCertificate, ext), inner);
    } catch {
      return [];
    }
    return inner.map((span) => ({ ...span, offset: staple.offset + span.offset, path: `${staple.path}.${span.path}` }));
  });
}
