// Certificate compression in pure JavaScript, for any platform (a browser included): zlib (RFC 1950),
// compressed with fflate and decompressed by inflate.ts, which stops at the caller's limit and pays per block the
// size of its alphabets (fflate's inflater paid 2^(longest code) per block: 64 KiB of tiny blocks cost hundreds
// of milliseconds). zstd is not here: fzstd 0.1.1 stops writing at the end of its output buffer but not copying, so a
// 17-byte frame of long matches costs seconds of CPU (found by our attack review); the node layer offers zstd
// only where node:zlib has it, bounded by maxOutputLength. Brotli is not here either: the pure-JavaScript decoders at hand grow their output to whatever each
// meta-block declares (up to 16 MiB at a time), which a bomb would exploit; the node layer offers brotli
// with node:zlib's maxOutputLength (src/node/certificate-compression.ts).
import { zlibSync } from 'fflate';
import type { CertificateCompressor } from './certificate-compression.js';
import { inflateZlib } from './inflate.js';

export const portableZlib: CertificateCompressor = {
  algorithm: 'zlib',
  decompress: inflateZlib,
  compress: (data) => zlibSync(data, { level: 9 }),
};

/** What any platform can offer: zlib. */
export const PORTABLE_CERTIFICATE_COMPRESSION: readonly CertificateCompressor[] = [portableZlib];
