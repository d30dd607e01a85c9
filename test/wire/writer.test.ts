// The Writer and encode(): what they hand out is the caller's alone, whatever buffer they wrote into.
import { describe, expect, it } from 'vitest';
import { encode, Writer } from '../../src/wire/bytes.js';

describe('Writer', () => {
  it('hands over an exactly full buffer, then starts over empty and still grows', () => {
    const w = new Writer(3);
    const first = w.u8(1).u16(0x0203).finish();
    expect([...first]).toEqual([1, 2, 3]);
    expect(w.length).toBe(0);
    expect([...w.u8(9).finish()]).toEqual([9]);
    expect([...first]).toEqual([1, 2, 3]);
    expect([...new Writer(0).u32(0x01020304).finish()]).toEqual([1, 2, 3, 4]);
  });

  it('copies out of a buffer it was lent, and encode() results do not share its scratch buffer', () => {
    const lent = new Uint8Array(4);
    const w = new Writer(lent);
    const bytes = w.u16(0xabcd).u16(0x0102).finish();
    lent.fill(0);
    expect([...bytes]).toEqual([0xab, 0xcd, 1, 2]);
    const a = encode((x) => x.u8(1).block(1, (inner) => inner.raw(encode((y) => y.u16(0x0505)))));
    const b = encode((x) => x.u8(2));
    expect([...a]).toEqual([1, 2, 5, 5]);
    expect([...b]).toEqual([2]);
  });

  it('patches vector lengths in, nested and after growth, and refuses a vector longer than its prefix allows', () => {
    const w = new Writer(2);
    const outer = w.startVector(3);
    w.vec(1, Uint8Array.of(7, 8)).block(2, (inner) => inner.u8(9));
    w.endVector(outer, 3);
    expect([...w.finish()]).toEqual([0, 0, 6, 2, 7, 8, 0, 1, 9]);
    expect(() => new Writer().vec(1, new Uint8Array(256))).toThrow('vector of 256 bytes does not fit a 1-byte length');
    const long = new Writer();
    const list = long.startVector(1);
    long.raw(new Uint8Array(256));
    expect(() => long.endVector(list, 1)).toThrow('vector of 256 bytes does not fit a 1-byte length');
    expect([...new Writer().vec(2, new Uint8Array(0)).finish()]).toEqual([0, 0]);
  });
});
