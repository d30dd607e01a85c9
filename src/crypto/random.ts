// RandomSources: the operating system's, a seeded stream for reproducible runs, and fixed chunks
// for replaying published traces (RFC 8448 randoms, key-share private keys, PSS salts).
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { concat, utf8 } from '../wire/bytes.js';
import { showValue } from '../wire/show-value.js';
import type { RandomSource } from './provider.js';

/** Requests up to this many bytes come from a pool; larger ones go to the CSPRNG directly. */
const POOL_LENGTH = 4096;
const MAX_POOLED_REQUEST = 256;
let pool: Uint8Array = new Uint8Array(0);
let poolOffset = 0;

/**
 * The platform CSPRNG (globalThis.crypto.getRandomValues, in browsers and Node 20), drawn POOL_LENGTH
 * bytes at a time: a handshake draws five 32-byte values (hello randoms, session id, key shares), and
 * each draw costs about as much as a pool's worth (1.7 µs; measured +3.7% handshakes per CPU second with
 * the node provider). Every byte goes out once, as a copy, and is zeroed in the pool as it goes.
 */
export const systemRandom: RandomSource = (length) => {
  if (length > MAX_POOLED_REQUEST) return randomBytes(length);
  if (poolOffset + length > pool.length) {
    pool = randomBytes(POOL_LENGTH);
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + length);
  pool.fill(0, poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
};

/**
 * Zeroes and drops the pool, so the next draw refills it from the CSPRNG. For a process image that others
 * will start from (a V8 startup snapshot: src/node/snapshot.ts calls this as one is written and as one is
 * started), where pooled bytes would be handed out again, the same, by every process.
 */
export function discardPooledRandom(): void {
  pool.fill(0);
  pool = new Uint8Array(0);
  poolOffset = 0;
}

/**
 * `source` with every draw copied into memory of its own. A caller's RandomSource may refill and hand out one
 * array again; what the engine keeps of a draw (a hello random, a session id, a key share's private key) must
 * not change with the next draw, or the ClientHello would carry the X25519 private key drawn after its random
 * (test/security/reused-random-hello-values). A draw that is not a Uint8Array of the length asked for is a
 * TypeError: `new Uint8Array` would copy anything, a number into that many zeros (all-zero private keys that
 * complete a handshake), a Promise into no bytes, an ArrayBuffer into a view of the caller's memory
 * (test/security/careless-random-source).
 */
export function ownedDraws(source: RandomSource): RandomSource {
  // systemRandom's draws are already arrays of their own of the length asked for, handed out once (its pool is
  // copied from, never lent): a second copy would be five more arrays of garbage per handshake.
  if (source === systemRandom) return source;
  return (length) => {
    const drawn: unknown = source(length);
    if (!(drawn instanceof Uint8Array) || drawn.length !== length) {
      const what = drawn instanceof Promise ? 'a Promise (a RandomSource is synchronous)' : showValue(drawn);
      throw new TypeError(`random(${length}) must return a Uint8Array of ${length} bytes: got ${what}`);
    }
    return new Uint8Array(drawn);
  };
}

const CHACHA20_BLOCK_LENGTH = 64;

/**
 * A deterministic stream: the ChaCha20 keystream (RFC 8439 §2.4) under the key SHA-256(seed), an all-zero
 * nonce and block counter 0 onwards. Reading 10 then 20 bytes gives the same bytes as reading 30.
 */
export function seededRandom(seed: Uint8Array | string): RandomSource {
  const key = sha256(typeof seed === 'string' ? utf8.encode(seed) : seed);
  const nonce = new Uint8Array(12);
  let nextBlock = 0;
  let unread: Uint8Array = new Uint8Array(0);
  return (length) => {
    if (unread.length < length) {
      const blocks = Math.ceil((length - unread.length) / CHACHA20_BLOCK_LENGTH);
      const keystream = chacha20(key, nonce, new Uint8Array(blocks * CHACHA20_BLOCK_LENGTH), undefined, nextBlock);
      nextBlock += blocks;
      unread = concat(unread, keystream);
    }
    const out = unread.slice(0, length);
    unread = unread.subarray(length);
    return out;
  };
}

/** Hands out exactly the given chunks, in order; a request of any other length is an error. */
export function fixedRandom(...chunks: Uint8Array[]): RandomSource {
  let next = 0;
  return (length) => {
    const chunk = chunks[next];
    if (chunk === undefined) throw new Error(`fixedRandom: asked for ${length} bytes, but all ${chunks.length} chunks are used`);
    if (chunk.length !== length) {
      throw new Error(`fixedRandom: asked for ${length} bytes, but chunk ${next} has ${chunk.length} bytes`);
    }
    next++;
    return chunk.slice();
  };
}
