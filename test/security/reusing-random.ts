// A RandomSource misused the way the reused-random-* attacks need: it refills and hands out one array per length.
import { randomFillSync } from 'node:crypto';
import type { RandomSource } from '../../src/crypto/provider.js';

/** One array per length (a Buffer, whose slice() is a view, when asked), refilled from the OS on every draw and handed out again. */
export function reusingRandom(asBuffer = false): RandomSource {
  const buffers = new Map<number, Uint8Array>();
  return (length) => {
    const buffer = buffers.get(length) ?? (asBuffer ? Buffer.alloc(length) : new Uint8Array(length));
    buffers.set(length, buffer);
    return randomFillSync(buffer);
  };
}
