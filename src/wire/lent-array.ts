// One reused array lent to a single synchronous call (a provider's hkdfExpand, sign or verify), so the engine
// does not allocate the call's input every time. Nothing secret goes in it: HkdfLabels with a context and
// CertificateVerify content. The provider reads its inputs during the call only (crypto/provider.ts); it may
// re-enter the engine during that call (test/security/reentrant-provider), so while the array is lent, a
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
