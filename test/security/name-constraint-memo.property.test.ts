// Attacker's scripts against the name constraints memo of one validation (names.ts nameConstraintsChecker): what
// a CA's subtrees say of a certificate below it is worked out once and reused on every path that has both. The
// memo must answer only for the same two certificates (objects, so bytes: not a CA of the same name and key with
// other extensions, nor a certificate of the same names), and every path must still count the comparisons of its
// pairs against the 1,024 budget. Oracle: the same paths judged each by a checker of its own (no memo across
// paths), on random paths through twins (same subject, same key, other nameConstraints or SANs), self-issued
// copies, and budgets small enough to be exhausted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNameConstraints, nameConstraintsChecker } from '../../src/auth/path/names.js';
import type { Certificate } from '../../src/auth/x509.js';
import { issue, nodeKey, type Issued } from '../auth/helpers.js';

const root = issue({ CN: 'NC Root' }, nodeKey('ed25519'), undefined, { isCA: true });
const caKey = nodeKey('ed25519');
type Constraints = Parameters<typeof issue>[3] extends infer E ? (E extends { nameConstraints?: infer N } ? N : never) : never;
/** CAs of one name and one key that differ only in their nameConstraints: twins a memo by name or key would confuse. */
const twinConstraints: (Constraints | undefined)[] = [
  undefined,
  { excluded: [{ dns: 'bad.example' }] },
  { permitted: [{ dns: 'example' }] },
  { permitted: [{ dns: 'good.example' }], excluded: [{ dns: 'x.good.example' }] },
  { permitted: [{ email: 'good.example' }, { dns: 'example' }] },
  { excluded: [{ ip: '10.0.0.0/8' }, { dns: 'a.bad.example' }] },
];
const twins = twinConstraints.map((nameConstraints) => issue({ CN: 'NC Twin CA' }, caKey, root, { isCA: true, ...(nameConstraints ? { nameConstraints } : {}) }));
/** Self-issued copies of the twin name (skipped as intermediates, §6.1.3(b)), with constraints of their own. */
const selfIssued = [twinConstraints[1], twinConstraints[2]].map((nameConstraints) => issue({ CN: 'NC Twin CA' }, caKey, twins[0], { isCA: true, nameConstraints }));
/** Another CA name, constrained. */
const other = issue({ CN: 'NC Other CA' }, nodeKey('ed25519'), root, { isCA: true, nameConstraints: { permitted: [{ dns: 'example' }, { ip: '10.0.0.0/8' }] } });
const cas: Issued[] = [...twins, ...selfIssued, other, root];

const sanLists = [
  { dns: ['good.example'] },
  { dns: ['x.good.example'] },
  { dns: ['bad.example', 'good.example'] },
  { dns: ['a.bad.example'], ip: ['10.1.2.3'] },
  { dns: ['elsewhere.test'] },
  { email: ['me@good.example'], dns: ['good.example'] },
  { dns: Array.from({ length: 40 }, (_, i) => `n${i}.good.example`) },
];
/** Leaves of one subject and key: twins per SAN list, and two leaves of the same SAN list (different serials). */
const leafKey = nodeKey('ed25519');
const leaves = [...sanLists, sanLists[0]!].map((sans, i) => issue({ CN: 'NC leaf' }, leafKey, twins[i % twins.length], { sans }));
const certificates: Certificate[] = [...leaves, ...cas].map((c) => c.cert);

/** A path: a leaf, then 1-5 distinct CAs in any order (the checker judges names only, not who signed what). */
const pathArb = fc
  .tuple(
    fc.integer({ min: 0, max: leaves.length - 1 }),
    fc.uniqueArray(fc.integer({ min: leaves.length, max: certificates.length - 1 }), { minLength: 1, maxLength: 5 }),
  )
  .map(([leaf, above]) => [certificates[leaf]!, ...above.map((i) => certificates[i]!)]);

describe('the name constraints memo of one validation', () => {
  it('judges every path as a checker of its own would, whatever paths came before (memo by certificate, budget per path)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(pathArb, { minLength: 1, maxLength: 12 }), fc.constantFrom(1, 2, 3, 5, 8, 40, 41, 80, 1024), (paths, budget) => {
        const shared = nameConstraintsChecker(budget);
        for (const path of paths) {
          const alone = checkNameConstraints(path, budget);
          expect(shared(path)).toEqual(alone);
          seen.add(alone === undefined ? 'passes' : /comparisons/.test(alone.detail) ? 'over budget' : alone.reason);
        }
      }),
      { numRuns: 400, seed: 0x5eed15 },
    );
    // The paths drawn reach every verdict: passing, refused on the budget, and refused on a constraint.
    expect([...seen].sort()).toEqual(['BadCertificate', 'over budget', 'passes']);
  });

  it('a twin without constraints first does not answer for a twin with them (same name, same key, other extensions)', () => {
    const leaf = leaves[2]!.cert; // bad.example and good.example
    const check = nameConstraintsChecker(1024);
    expect(check([leaf, twins[0]!.cert, root.cert])).toBeUndefined();
    expect(check([leaf, twins[1]!.cert, root.cert])).toMatchObject({ reason: 'BadCertificate', detail: expect.stringMatching(/bad\.example .* excluded subtree/) });
    expect(check([leaves[0]!.cert, twins[1]!.cert, root.cert])).toBeUndefined();
  });

  it('a pair within the budget on its own still counts on a path that holds more pairs (memo hits are paid)', () => {
    const many = leaves[6]!.cert; // 40 dNSNames
    const check = nameConstraintsChecker(41);
    // 40 names, one subtree of their form each: 40 comparisons under one CA, 80 under two.
    expect(check([many, twins[2]!.cert, root.cert])).toBeUndefined();
    expect(check([many, twins[1]!.cert, root.cert])).toBeUndefined();
    expect(check([many, twins[1]!.cert, twins[2]!.cert, root.cert])).toMatchObject({ detail: expect.stringMatching(/more than 41 comparisons/) });
  });
});
