// Certificate compression in pure JavaScript, for any platform (a browser included): zlib (RFC 1950) both
// ways with fflate, inflated a few bytes of input at a time so that it never works far past the caller's
// limit. zstd is not here: fzstd 0.1.1 stops writing at the end of its output buffer but not copying, so a
// 17-byte frame of long matches costs seconds of CPU (found by our attack review); the node layer offers zstd
// only where node:zlib has it, bounded by maxOutputLength. Brotli is not here either: the pure-JavaScript decoders at hand grow their output to whatever each
// meta-block declares (up to 16 MiB at a time), which a bomb would exploit; the node layer offers brotli
// with node:zlib's maxOutputLength (src/node/certificate-compression.ts).
import { Unzlib, zlibSync } from 'fflate';
import type { CertificateCompressor } from './certificate-compression.js';

export const portableZlib: CertificateCompressor = {
  algorithm: 'zlib',
  decompress: inflateWithin,
  compress: (data) => zlibSync(data, { level: 9 }),
};

/**
 * Input fed to the inflater at a time: deflate expands it at most ~1032 times (RFC 1951), so one step
 * allocates and works through at most ~66 KiB of output before we look at the length again.
 */
const INFLATE_STEP = 64;

/**
 * zlib (RFC 1950) into at most `limit` bytes, read a step at a time and stopped as soon as the output passes
 * `limit`: fflate's one-shot unzlibSync, given a buffer, drops what does not fit but goes on inflating to the
 * end of the input, so a 60 KiB bomb would cost its full 60 MiB of work (bounded memory, unbounded CPU).
 */
function inflateWithin(data: Uint8Array, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  let length = 0;
  const inflater = new Unzlib((chunk) => {
    out.set(chunk.subarray(0, Math.max(0, limit - length)), Math.min(length, limit));
    length += chunk.length;
  });
  for (let at = 0; length < limit; at += INFLATE_STEP) {
    const last = at + INFLATE_STEP >= data.length;
    inflater.push(data.subarray(at, at + INFLATE_STEP), last);
    if (last) break;
  }
  return out.subarray(0, Math.min(length, limit));
}

/** What any platform can offer: zlib. */
export const PORTABLE_CERTIFICATE_COMPRESSION: readonly CertificateCompressor[] = [portableZlib];
