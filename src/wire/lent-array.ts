// One reused array lent to a single synchronous call, so the engine does not allocate that call's input every
// time: HkdfLabels with a context and CertificateVerify content for a provider's hkdfExpand, sign or verify
// (nothing secret; the provider reads its inputs during the call only, crypto/provider.ts), and the character
// codes of hex and base64 text (asciiText zeroes them after use: hex() writes key-log secrets). A provider
// may re-enter the engine during its call (test/security/reentrant-provider), so while the array is lent, a
// nested call gets a new array of its own.

export class LentArray {
  private readonly memory: Uint8Array;
  /** Views of the memory's first n bytes, made once per length. */
  private readonly views: Uint8Array[] = [];
  private lent = false;

  constructor(capacity: number) {
    this.memory = new Uint8Array(capacity);
  }

  /** `use` called with `length` bytes that `write` filled: the reused array, or a new one while it is lent or too short. */
  lend<T>(length: number, write: (into: Uint8Array) => void, use: (input: Uint8Array) => T): T {
    if (this.lent || length > this.memory.length) {
      const own = new Uint8Array(length);
      write(own);
      return use(own);
    }
    const view = (this.views[length] ??= this.memory.subarray(0, length));
    write(view);
    this.lent = true;
    try {
      return use(view);
    } finally {
      this.lent = false;
    }
  }
}
