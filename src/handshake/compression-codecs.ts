// Certificate compression algorithms in pure JavaScript, for any platform (a browser included): zlib
// (RFC 1950) both ways with fflate, and zstd (RFC 8878) for decompression with fzstd. Both decoders write
// into a buffer of the caller's limit and never grow it. Brotli is not here: the pure-JavaScript decoders
// at hand grow their output to whatever each meta-block declares (up to 16 MiB at a time), which a bomb
// would exploit; the node layer offers brotli with node:zlib's maxOutputLength
// (src/node/certificate-compression.ts).
import { unzlibSync, zlibSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import type { CertificateCompressor } from './certificate-compression.js';

export const portableZlib: CertificateCompressor = {
  algorithm: 'zlib',
  // With `out` given, fflate never grows the buffer: output past `limit` is dropped, and the caller sees
  // `limit` bytes where fewer were declared.
  decompress: (data, limit) => unzlibSync(data, { out: new Uint8Array(limit) }),
  compress: (data) => zlibSync(data, { level: 9 }),
};

export const portableZstd: CertificateCompressor = {
  algorithm: 'zstd',
  // With the output buffer given, fzstd neither grows it nor allocates the frame's window.
  decompress: (data, limit) => zstdDecompress(data, new Uint8Array(limit)),
};

/** Both, zlib first (the one we can also compress with). */
export const PORTABLE_CERTIFICATE_COMPRESSION: readonly CertificateCompressor[] = [portableZlib, portableZstd];
