// Certificate compression (RFC 8879) in both roles. The receiver of a Certificate lists in compress_certificate
// (ClientHello, CertificateRequest) the algorithms it can decompress (§3); the sender may then send a
// CompressedCertificate instead (§4), which stands in the transcript as sent. The algorithms sit behind
// CertificateCompressor so that the core stays browser-safe (compression-codecs.ts: pure JavaScript) and the
// node layer can fill them with node:zlib (src/node/certificate-compression.ts).
//
// Limits (§4, §5): uncompressed_length is bounded by our largest handshake message before anything is
// decompressed; decompression never produces more than uncompressed_length (+1, to tell "more" apart);
// a stream that fails, or yields another length than declared, is bad_certificate.
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH } from '../record/handshake-buffer.js';
import { CertificateCompressionAlgorithm, certificateCompressionAlgorithmName, ExtensionType, HandshakeType } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import * as X from '../wire/extensions.js';
import type { Span } from '../wire/bytes.js';
import { decodeHandshake, decodeHandshakeBody, encodeHandshake } from '../wire/messages.js';
import type { Certificate, CompressedCertificate, Extension } from '../wire/types.js';
import type { HandshakeContext } from './context.js';
import { showValue } from '../wire/show-value.js';

export type CertificateCompressionAlgorithmName = keyof typeof CertificateCompressionAlgorithm;

export interface CertificateCompressor {
  algorithm: CertificateCompressionAlgorithmName;
  /**
   * Decompresses `data` into at most `limit` bytes. Output beyond `limit` must be cut off or thrown on,
   * never allocated: the caller passes the declared length + 1 and compares.
   */
  decompress(data: Uint8Array, limit: number): Uint8Array;
  /** Compresses; absent for an algorithm we can only decompress (zstd where no encoder is at hand). */
  compress?(data: Uint8Array): Uint8Array;
}

/** The caller's compressors: known algorithms, each once, each able to decompress (a TypeError otherwise). */
export function checkCertificateCompression(compressors: readonly CertificateCompressor[]): readonly CertificateCompressor[] {
  const seen = new Set<string>();
  for (const c of compressors) {
    if (!Object.hasOwn(CertificateCompressionAlgorithm, c.algorithm)) throw new TypeError(`certificateCompression: unknown algorithm ${showValue(c.algorithm)} (zlib, brotli or zstd)`);
    if (seen.has(c.algorithm)) throw new TypeError(`certificateCompression: ${c.algorithm} twice`);
    if (typeof c.decompress !== 'function') throw new TypeError(`certificateCompression: ${c.algorithm} needs decompress()`);
    if (c.compress !== undefined && typeof c.compress !== 'function') throw new TypeError(`certificateCompression: ${c.algorithm}.compress must be a function (or absent): got ${showValue(c.compress)}`);
    seen.add(c.algorithm);
  }
  return compressors;
}

/** The largest Certificate message we decompress: the largest handshake message we would read uncompressed. */
export const MAX_UNCOMPRESSED_CERTIFICATE = DEFAULT_MAX_HANDSHAKE_MESSAGE_LENGTH;

/** compress_certificate for our ClientHello or CertificateRequest: what we can decompress, in our order. */
export function compressCertificateExtension(ctx: HandshakeContext): Extension | undefined {
  const ours = ctx.cfg.certificateCompression;
  if (!ours || ours.length === 0) return undefined;
  return X.ext(ExtensionType.compress_certificate, X.compressCertificate.encode(ours.map((c) => CertificateCompressionAlgorithm[c.algorithm])));
}

/**
 * A CompressedCertificate we received, as the Certificate it stands for (RFC 8879 §4). Only after we offered
 * compress_certificate (else unexpected_message), with an algorithm we offered (else illegal_parameter).
 */
export function decompressCertificate(ctx: HandshakeContext, message: CompressedCertificate): Certificate {
  // Only where we offered compress_certificate: the connection refuses it elsewhere (expected-messages.ts).
  const ours = ctx.cfg.certificateCompression ?? [];
  const name = certificateCompressionAlgorithmName(message.algorithm);
  const compressor = ours.find((c) => CertificateCompressionAlgorithm[c.algorithm] === message.algorithm);
  if (!compressor) throw new TlsError('IllegalParameter', `CompressedCertificate with ${name}, which we did not offer (RFC 8879 §4)`);
  const declared = message.uncompressedLength;
  if (declared > MAX_UNCOMPRESSED_CERTIFICATE) {
    throw new TlsError('BadCertificate', `CompressedCertificate declares ${declared} bytes; we read at most ${MAX_UNCOMPRESSED_CERTIFICATE}`);
  }
  let body: Uint8Array;
  try {
    body = compressor.decompress(message.compressed, declared + 1);
  } catch (e) {
    throw new TlsError('BadCertificate', `CompressedCertificate: ${name} cannot decompress it (${e instanceof Error ? e.message : String(e)})`);
  }
  if (body.length !== declared) {
    throw new TlsError('BadCertificate', `CompressedCertificate: ${name} gives ${body.length > declared ? 'more than' : body.length} bytes, uncompressed_length says ${declared} (RFC 8879 §4)`);
  }
  const certificate = decodeHandshakeBody(HandshakeType.certificate, body) as Certificate;
  if (ctx.cfg.trace && ctx.traceEvents) traceDecompressed(ctx, certificate);
  ctx.decide('certificate_compression', `${name}: ${message.compressed.length} → ${declared} bytes`, 'a CompressedCertificate, decompressed within its declared length (RFC 8879 §4)');
  return certificate;
}

/** With tracing on, the decompressed Certificate as an event of its own, its bytes annotated like any message's. */
function traceDecompressed(ctx: HandshakeContext, certificate: Certificate): void {
  const raw = encodeHandshake(certificate);
  const spans: Span[] = [];
  decodeHandshake(raw, spans);
  ctx.effects.push({ type: 'handshake-message', direction: 'in', message: certificate, raw, spans, decompressed: true });
}

/**
 * The message to send for our Certificate: compressed with the first algorithm in the peer's
 * compress_certificate list (its order of preference) that we can compress with, else as it is.
 */
export function maybeCompress(ctx: HandshakeContext, peerExtensions: Extension[], certificate: Certificate): Certificate | CompressedCertificate {
  const ext = X.findExtension(peerExtensions, ExtensionType.compress_certificate);
  const ours = ctx.cfg.certificateCompression ?? [];
  if (!ext || ours.length === 0 || certificate.entries.length === 0) return certificate;
  const peer = X.bodyOf(X.compressCertificate, ext);
  const code = peer.find((a) => ours.some((c) => c.compress && CertificateCompressionAlgorithm[c.algorithm] === a));
  if (code === undefined) return certificate;
  const compressor = ours.find((c) => CertificateCompressionAlgorithm[c.algorithm] === code)!;
  const body = encodeHandshake(certificate).subarray(4);
  const compressed = compressor.compress!(body);
  ctx.decide('certificate_compression', `${compressor.algorithm}: ${body.length} → ${compressed.length} bytes`, "the first algorithm in the peer's compress_certificate list that we can compress with (RFC 8879 §3)");
  return { kind: 'compressed_certificate', algorithm: code, uncompressedLength: body.length, compressed };
}
