// constantTimeEqual compares Finished, binders, the CCM tag, PSK and key digests: its time must depend on the
// lengths only, never on where the first difference is (an early exit would tell a peer how many leading bytes
// of a forged verify_data or binder are right). Tests never assert timings: these watch which bytes it reads.
import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../../src/wire/bytes.js';

/** `bytes` behind a Proxy that records every index read. */
function watched(bytes: Uint8Array): { view: Uint8Array; reads: Set<number> } {
  const reads = new Set<number>();
  const view = new Proxy(bytes, {
    get(target, property) {
      if (typeof property === 'string' && /^\d+$/.test(property)) reads.add(Number(property));
      return Reflect.get(target, property);
    },
  });
  return { view, reads };
}

const all = (length: number) => new Set(Array.from({ length }, (_, i) => i));

describe('constantTimeEqual', () => {
  for (const differAt of [0, 15, 31]) {
    it(`reads all 32 bytes of both sides when they differ at byte ${differAt}, and says false`, () => {
      const a = watched(new Uint8Array(32).fill(0x5a));
      const other = new Uint8Array(32).fill(0x5a);
      other[differAt] ^= 1;
      const b = watched(other);
      expect(constantTimeEqual(a.view, b.view)).toBe(false);
      expect(a.reads).toEqual(all(32));
      expect(b.reads).toEqual(all(32));
    });
  }

  it('says true for equal bytes, having read them all', () => {
    const a = watched(Uint8Array.from({ length: 48 }, (_, i) => i));
    expect(constantTimeEqual(a.view, Uint8Array.from({ length: 48 }, (_, i) => i))).toBe(true);
    expect(a.reads).toEqual(all(48));
  });

  it('says false for different lengths (public: a Finished or binder length is the hash length)', () => {
    expect(constantTimeEqual(new Uint8Array(32), new Uint8Array(31))).toBe(false);
  });
});
