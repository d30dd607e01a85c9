// Certificate compression (RFC 8879) on node:zlib: zlib and brotli both ways, at native speed, each bounded
// by maxOutputLength; zstd too where this Node's node:zlib has it (22.15+). Not on Node 20: the only
// pure-JavaScript zstd decoder at hand (fzstd) can be made to spend seconds of CPU on a 17-byte frame.
import * as zlib from 'node:zlib';
import type { CertificateCompressor } from '../handshake/certificate-compression.js';

const bytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** zstd in node:zlib, when this Node has it (not in Node 20). */
interface ZstdZlib {
  zstdCompressSync(data: Uint8Array): Buffer;
  zstdDecompressSync(data: Uint8Array, options: { maxOutputLength: number }): Buffer;
}

export function nodeCertificateCompression(): CertificateCompressor[] {
  const native = zlib as unknown as Partial<ZstdZlib>;
  const zstd: CertificateCompressor[] =
    native.zstdDecompressSync && native.zstdCompressSync
      ? [
          {
            algorithm: 'zstd',
            decompress: (data, limit) => bytes(native.zstdDecompressSync!(data, { maxOutputLength: limit })),
            compress: (data) => bytes(native.zstdCompressSync!(data)),
          },
        ]
      : [];
  return [
    {
      algorithm: 'zlib',
      decompress: (data, limit) => bytes(zlib.inflateSync(data, { maxOutputLength: limit })),
      compress: (data) => bytes(zlib.deflateSync(data, { level: 9 })),
    },
    {
      algorithm: 'brotli',
      decompress: (data, limit) => bytes(zlib.brotliDecompressSync(data, { maxOutputLength: limit })),
      compress: (data) => bytes(zlib.brotliCompressSync(data)),
    },
    ...zstd,
  ];
}
