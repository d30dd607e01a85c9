// Certificate compression algorithms in pure JavaScript, for any platform (a browser included): zlib
// (RFC 1950) both ways with fflate, brotli (RFC 7932) and zstd (RFC 8878) for decompression only, with the
// brotli package's decoder and fzstd. The node layer offers faster ones (src/node/certificate-compression.ts).
// Every decoder writes into a buffer of the caller's limit, never a larger one.
import { decompress as brotliDecompress } from 'brotli/decompress.js';
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

export const portableBrotli: CertificateCompressor = {
  algorithm: 'brotli',
  // The decoder throws when the stream would write past the buffer it was given.
  decompress: (data, limit) => brotliDecompress(data, limit),
};

export const portableZstd: CertificateCompressor = {
  algorithm: 'zstd',
  decompress: (data, limit) => zstdDecompress(data, new Uint8Array(limit)),
};

/** All three, zlib first (the one both sides can always compress with). */
export const PORTABLE_CERTIFICATE_COMPRESSION: readonly CertificateCompressor[] = [portableZlib, portableBrotli, portableZstd];
