// --compress-cert LIST on `tls13 serve` and `tls13 connect` (RFC 8879): the algorithms we offer to
// decompress, in order, and use to compress our own Certificate when the peer offers one; node:zlib
// underneath (zlib and brotli both ways; zstd only where node:zlib has it, Node 22.15+).
import type { CertificateCompressor } from '../handshake/certificate-compression.js';
import { nodeCertificateCompression } from '../node/certificate-compression.js';
import { str, type OptionTable, type Parsed } from './args.js';
import { UsageError } from './io.js';

export const COMPRESSION_OPTIONS: OptionTable = {
  'compress-cert': {
    type: 'string',
    value: 'LIST',
    help: `certificate compression (RFC 8879): zlib, brotli, zstd, comma-separated, in order of preference; we decompress these and compress our certificate with the first of the peer's list we can (zstd only where node:zlib has it, Node 22.15+: not on Node 20)`,
  },
};

export function certificateCompressionFromFlags(args: Parsed): CertificateCompressor[] | undefined {
  const text = str(args, 'compress-cert');
  if (text === undefined) return undefined;
  const available = nodeCertificateCompression();
  return text.split(',').map((name) => {
    const compressor = available.find((c) => c.algorithm === name.trim());
    if (!compressor && name.trim() === 'zstd') throw new UsageError(`--compress-cert ${text}: zstd needs node:zlib's zstd (Node 22.15+), which this Node ${process.version} lacks`);
    if (!compressor) throw new UsageError(`--compress-cert ${text}: expected zlib, brotli and/or zstd, comma-separated`);
    return compressor;
  });
}
