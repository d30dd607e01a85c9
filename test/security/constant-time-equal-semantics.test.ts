// Attacker: the red team of session 17, against the switch of four call sites (key-pair memo, ML-DSA
// expandedKey, config byte snapshots, node key objects) from equalBytes to constantTimeEqual. The switch must
// change no answer: different lengths are false (never a throw, never a prefix match), empty equals empty,
// and views are compared by their own bytes whatever their offset in the underlying buffer.
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, equalBytes } from '../../src/wire/bytes.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('constantTimeEqual answers as equalBytes did', () => {
  const backing = bytes(9, 1, 2, 3, 9, 1, 2, 3, 4);
  const cases: Array<[string, Uint8Array, Uint8Array, boolean]> = [
    ['empty and empty', new Uint8Array(0), new Uint8Array(0), true],
    ['empty and one zero byte (no prefix match)', new Uint8Array(0), bytes(0), false],
    ['one zero byte and empty', bytes(0), new Uint8Array(0), false],
    ['a prefix of zeros against a longer run of zeros', new Uint8Array(31), new Uint8Array(32), false],
    ['a longer run against its prefix', new Uint8Array(32), new Uint8Array(31), false],
    ['equal views at offsets 1 and 5 of one buffer', backing.subarray(1, 4), backing.subarray(5, 8), true],
    ['a view at offset 1 and a fresh copy of its bytes', backing.subarray(1, 4), bytes(1, 2, 3), true],
    ['views at offsets 1 and 5 of different lengths', backing.subarray(1, 4), backing.subarray(5, 9), false],
    ['a view whose buffer has the other bytes just past its end', backing.subarray(5, 8), bytes(1, 2, 3, 4), false],
    ['a Buffer and a Uint8Array of the same bytes', Buffer.from([1, 2, 3]), bytes(1, 2, 3), true],
    ['differing in the last bit of the last byte', bytes(1, 2, 3), bytes(1, 2, 2), false],
    ['differing in the top bit of the first byte', bytes(0x81, 2, 3), bytes(1, 2, 3), false],
  ];
  it.each(cases)('%s', (_name, a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected);
    expect(constantTimeEqual(b, a)).toBe(expected);
    expect(equalBytes(a, b)).toBe(expected);
  });

  it('a length-tracking view of a resizable buffer, shrunk and grown: compared at its length now, never throwing', () => {
    // ES2024 resizable buffers (Node 20 has them; our TypeScript lib predates them).
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };
    const buffer = new Resizable(4, { maxByteLength: 8 });
    const view = new Uint8Array(buffer);
    view.set([1, 2, 3, 4]);
    const held = new Uint8Array(view);
    expect(constantTimeEqual(held, view)).toBe(true);
    buffer.resize(2);
    expect(() => constantTimeEqual(held, view)).not.toThrow();
    expect(constantTimeEqual(held, view)).toBe(false);
    buffer.resize(4);
    expect(constantTimeEqual(held, view)).toBe(false);
    expect(constantTimeEqual(held.subarray(0, 2), view.subarray(0, 2))).toBe(true);
  });
});
