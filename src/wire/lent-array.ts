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

  /**
   * `length` bytes to write and hand to one call, then to give back (in a `finally`): the reused array, or a
   * new one while it is lent or too short. No closures, so a lending costs no garbage.
   */
  borrow(length: number): Uint8Array {
    if (this.lent || length > this.memory.length) return new Uint8Array(length);
    this.lent = true;
    return (this.views[length] ??= this.memory.subarray(0, length));
  }

  /** Ends a borrow(): the reused array may be lent again (an array of its own needs nothing). */
  giveBack(array: Uint8Array): void {
    if (this.views[array.length] === array) this.lent = false;
  }
}
