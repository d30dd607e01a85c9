// The Writer every encoder is built on: a growable buffer that back-patches the length prefixes of RFC 8446
// §3.4 vectors, and `encode`/`encodeValue`, which run an encoder over a reused scratch buffer.

/** A growable buffer with back-patched length prefixes. */
export class Writer {
  private buf: Uint8Array;
  private pos = 0;
  /** Whether `buf` is the caller's (see the constructor): then `finish` always copies. */
  private readonly lent: boolean;

  /**
   * `initialCapacity` bytes to start with, or a buffer to write into (its old contents are overwritten; the
   * writer never hands it out, `finish` copies from it).
   */
  constructor(initialCapacity: number | Uint8Array = 256) {
    this.buf = typeof initialCapacity === 'number' ? new Uint8Array(initialCapacity) : initialCapacity;
    this.lent = typeof initialCapacity !== 'number';
  }

  /** The buffer written into, possibly grown past the one the writer was given. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number) {
    if (this.pos + n <= this.buf.length) return;
    // At least 64 bytes, so that an empty buffer (a finished writer's, or capacity 0) grows too.
    let size = Math.max(this.buf.length * 2, 64);
    while (size < this.pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Begins a vector with an n-byte length prefix (RFC 8446 §3.4): reserves the prefix; `endVector` fills it in. */
  startVector(prefixBytes: 1 | 2 | 3): number {
    this.ensure(prefixBytes);
    const at = this.pos;
    this.pos += prefixBytes;
    return at;
  }

  /** Patches in the length of the vector begun at `at`: the bytes written since its prefix. */
  endVector(at: number, prefixBytes: 1 | 2 | 3): this {
    this.patchLength(at, prefixBytes, this.pos - at - prefixBytes);
    return this;
  }

  /** Writes a length-prefixed vector: reserves the prefix, runs `body`, then patches the length in. */
  block(prefixBytes: 1 | 2 | 3, body: (w: this) => void): this {
    const at = this.startVector(prefixBytes);
    body(this);
    return this.endVector(at, prefixBytes);
  }

  /** A length-prefixed byte string. */
  vec(prefixBytes: 1 | 2 | 3, bytes: Uint8Array): this {
    const at = this.startVector(prefixBytes);
    this.patchLength(at, prefixBytes, bytes.length);
    return this.raw(bytes);
  }

  private patchLength(at: number, prefixBytes: 1 | 2 | 3, length: number): void {
    const max = prefixBytes === 1 ? 0xff : prefixBytes === 2 ? 0xffff : 0xffffff;
    if (length > max) throw new Error(`vector of ${length} bytes does not fit a ${prefixBytes}-byte length`);
    for (let i = prefixBytes - 1, v = length; i >= 0; i--, v >>>= 8) this.buf[at + i] = v & 0xff;
  }

  /**
   * The written bytes. A buffer of the writer's own that is exactly full is handed over as it is (callers
   * that know the size ask for it) and the writer starts over, empty; otherwise the bytes are copied out.
   */
  finish(): Uint8Array {
    if (this.lent || this.pos !== this.buf.length) return this.buf.slice(0, this.pos);
    const written = this.buf;
    this.buf = new Uint8Array(0);
    this.pos = 0;
    return written;
  }
}

/**
 * Scratch buffers for `encode`, one per nesting level (a body may encode a part on its own): each call writes
 * into the buffer of its level and copies out only the bytes written, so building a message allocates its
 * size once instead of a fresh 256-byte buffer, its growth and then the copy. Buffers that grew past
 * SCRATCH_KEPT_BYTES (a large Certificate message) are not kept. What stays in them is wire bytes, sent or
 * to be sent; secrets are never encoded through here.
 */
const scratch: Uint8Array[] = [];
let encodeDepth = 0;
const SCRATCH_KEPT_BYTES = 16 * 1024;

/** Builds bytes with a Writer in one expression. */
export function encode(body: (w: Writer) => void, capacity = 256): Uint8Array {
  return encodeValue(runBody, body, capacity);
}

function runBody(w: Writer, body: (w: Writer) => void): void {
  body(w);
}

/**
 * `encode` of `write(w, value)`: for a codec's write function, without a closure made per call to bind it to
 * the value (extension bodies are encoded many times per handshake).
 */
export function encodeValue<T>(write: (w: Writer, value: T) => void, value: T, capacity = 256): Uint8Array {
  const level = encodeDepth++;
  try {
    const w = new Writer(scratch[level] ?? new Uint8Array(capacity));
    write(w, value);
    if (w.buffer.length <= SCRATCH_KEPT_BYTES) scratch[level] = w.buffer;
    return w.finish();
  } finally {
    encodeDepth--;
  }
}
