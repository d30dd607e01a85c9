// advance() builds a state by copying added, then from, then name (src/handshake/transition.ts): in that order
// a field of `from` would win over an added one, so the type must refuse an added key that `from` already has.
// The @ts-expect-error lines are the test of that: `npx tsc --noEmit` fails if one of them compiles.
import { describe, expect, it } from 'vitest';
import { advance } from '../../src/handshake/transition.js';

type WaitCertCr = { name: 'WAIT_CERT_CR'; suite: string; offered: Set<number> };
type WaitCert = { name: 'WAIT_CERT'; suite: string; offered: Set<number>; request: { id: number } };

describe('advance', () => {
  it('carries every field of the state it leaves, adds the new ones and takes the new name, leaving the old state as it was', () => {
    const from: WaitCert = { name: 'WAIT_CERT', suite: 'TLS_AES_128_GCM_SHA256', offered: new Set([43]), request: { id: 1 } };
    const leaf = { der: new Uint8Array([1]) };
    const next = advance(from, 'WAIT_CV', { leaf, verdict: undefined });
    expect(next).toEqual({ name: 'WAIT_CV', suite: 'TLS_AES_128_GCM_SHA256', offered: new Set([43]), request: { id: 1 }, leaf, verdict: undefined });
    expect(next.request).toBe(from.request);
    expect(Object.hasOwn(next, 'verdict')).toBe(true);
    expect(from).toEqual({ name: 'WAIT_CERT', suite: 'TLS_AES_128_GCM_SHA256', offered: new Set([43]), request: { id: 1 } });
  });

  it('refuses, in its type, an added field the state it leaves already has (any member of a union of states)', () => {
    const cr: WaitCertCr = { name: 'WAIT_CERT_CR', suite: 'a', offered: new Set() };
    const either = cr as WaitCertCr | WaitCert;
    // @ts-expect-error `suite` is a field of every member: the old value would win over the added one.
    advance(cr, 'WAIT_CV', { suite: 'b' });
    // @ts-expect-error `request` is a field of WAIT_CERT, one member of the union.
    advance(either, 'WAIT_CV', { request: { id: 2 } });
    // A field no member has is fine.
    expect(advance(either, 'WAIT_CV', { leaf: 1 }).leaf).toBe(1);
  });
});
