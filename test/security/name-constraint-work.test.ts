// Attacker: a constrained sub-CA that spends the relying party's CPU. Its certificate message (64 KiB) carries a
// sub-CA with 1800 iPAddress subtrees and a leaf with 7000 short dNSNames (63 KB). No name meets a subtree of its
// form, so the comparison budget counted nothing, yet each name was filtered against all 1800 subtrees: 12 million
// steps for every path tried (checkNameConstraints alone, 21 interleaved runs at load 14: median 120 ms, range
// 61-479, before; median 24 ms, range 3-281, after). Subtrees are grouped by form once per CA, and a name meets
// only its own form's.
import { describe, expect, it } from 'vitest';
import { der } from '../../src/auth/der-writer.js';
import { checkNameConstraints } from '../../src/auth/path/names.js';
import { PROFILES } from '../../src/auth/path/profile.js';
import { countingCalls, elementsOf } from './counting-calls.js';
import { ca, leaf, root } from './path-helpers.js';

describe('name constraints of one form cost nothing for names of another', () => {
  it("a sub-CA's 1800 iPAddress subtrees are not passed over for each of 7000 dNSNames", () => {
    const excluded = Array.from({ length: 1800 }, (_, i) => ({ raw: der.implicit(7, Uint8Array.of(10, i >> 8, i & 255, 0, 255, 255, 255, 0)) }));
    const sub = ca({ nameConstraints: { excluded } });
    const victim = leaf(sub, { dns: Array.from({ length: 7000 }, (_, i) => `a${i.toString(36)}`) });
    expect(sub.cert.der.length + victim.cert.der.length).toBeLessThan(64 * 1024);
    // Elements Array.prototype.filter passes over.
    const { result: verdict, count: work } = countingCalls(Array.prototype, 'filter', elementsOf, () => checkNameConstraints([victim.cert, sub.cert, root.cert], PROFILES.webpki.nameConstraintBudget));
    expect(verdict).toBeUndefined();
    expect(work).toBeLessThan(10_000);
  });
});
