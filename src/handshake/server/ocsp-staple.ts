// OCSP stapling on the server (RFC 8446 §4.4.2.1, RFC 6066 §8): the OCSPResponse for our leaf, given by the
// caller (DER, as `openssl ocsp -respout` writes it), goes in the status_request extension of the leaf's
// CertificateEntry, and only to a client that asked with status_request in its ClientHello. We do not look
// inside: the client judges the response (its signature, its validity window, that it names our leaf).
import { ExtensionType } from '../../wire/enums.js';
import * as X from '../../wire/extensions.js';
import type { CertificateEntry, ClientHello } from '../../wire/types.js';
import type { ServerConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';

/** Our Certificate's entries, leaf first, the leaf with the staple when the client asked for one. */
export function certificateEntries(ctx: HandshakeContext, config: ServerConfig, hello: ClientHello, chain: Uint8Array[], rawPublicKey: boolean): CertificateEntry[] {
  const entries: CertificateEntry[] = chain.map((data) => ({ data, extensions: [] }));
  const asked = X.findExtension(hello.extensions, ExtensionType.status_request) !== undefined;
  if (!asked || !config.ocspResponse || rawPublicKey) return entries;
  entries[0]!.extensions.push(X.ext(ExtensionType.status_request, X.statusRequestCertificate.encode(config.ocspResponse)));
  ctx.decide('certificate_status', `OCSP response stapled (${config.ocspResponse.length} bytes)`, 'the client sent status_request (RFC 8446 §4.4.2.1)');
  return entries;
}
