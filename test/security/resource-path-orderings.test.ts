// Attacker: a sub-CA under the relying party's root (a department's CA, constrained or not) that spends the
// relying party's CPU with one Certificate message. It sends copies of its own CA certificate (same name, same
// key, self-issued), which path building may put on a path in any order: hundreds of orderings reach the root
// within the candidate budget, and each path that reaches it is judged by the checks that need a whole path.
// The signature budget (12 per message) held for certificate signatures, but those checks paid again per path:
// - a configured CRL of the sub-CA was checked with the key of whatever certificate the peer put above the
//   leaf, outside the budget; once 16 keys had failed against it (16 handshakes with fresh keys), no verdict
//   was kept any more, so every path verified the CRL again (the peer picks the key: an 8192-bit RSA key
//   with e = 2^33 - 1 is ~10 ms a check in pure JavaScript), and the CRL's own issuer was never remembered;
// - the sub-CA's name constraints parsed its subtrees and the leaf's names anew on every path.
// Both are now judged once per validation; CRL signatures are paid from the message's budget.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { SIGNATURE_BUDGET } from '../../src/auth/path/profile.js';
import { parseCrl, type Crl } from '../../src/auth/path/revocation.js';
import type { Certificate } from '../../src/auth/x509.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { equalBytes } from '../../src/wire/bytes.js';
import { countingCalls } from './counting-calls.js';
import { issue, nodeKey, NOW, provider, random, type Issued } from '../auth/helpers.js';

const root = issue({ CN: 'Victim Root' }, nodeKey('ed25519'), undefined, { isCA: true });
/** The attacker's sub-CA, properly issued by the root: the attacker holds its key. */
const subCa = issue({ CN: 'Department CA' }, nodeKey('ed25519'), root, { isCA: true });
const serverAuthLeaf = { extKeyUsage: ['serverAuth' as const], keyUsage: ['digitalSignature' as const] };

/**
 * What the attacker sends: a leaf and `copies` + 1 CA certificates named like `name`, all with one key of
 * its own; the first is issued by `issuer` (signed with its key), the others are self-issued (signed with the
 * new key). Leaf and copies name that key in their AKI, so only the copies are candidate issuers of them.
 */
function copiesUnder(issuer: Issued, name: string, copies: number, extra: { ca?: Parameters<typeof issue>[3]; leaf?: Parameters<typeof issue>[3] } = {}) {
  const key = nodeKey('ed25519');
  const top = issue({ CN: name }, key, issuer, { isCA: true, ...extra.ca });
  const selfIssued = Array.from({ length: copies }, () => issue({ CN: name }, key, top, { isCA: true }));
  const leaf = issue({ CN: 'leaf' }, nodeKey('ed25519'), top, { ...serverAuthLeaf, sans: { dns: ['a.example'] }, ...extra.leaf });
  return { leaf, intermediates: [...selfIssued, top] };
}

/** A provider that counts signature verifications, and those of `crl` apart. */
function counting(crl?: Crl) {
  const counts = { all: 0, crl: 0 };
  const meter: CryptoProvider = {
    ...provider,
    verify: (...args) => {
      counts.all++;
      if (crl && equalBytes(args[2], crl.tbs)) counts.crl++;
      return provider.verify(...args);
    },
  };
  return { counts, meter };
}

function judge(leaf: Certificate, intermediates: Certificate[], meter: CryptoProvider, crls: Crl[] = []) {
  return verifyChain({ leaf, intermediates, anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider: meter, crls });
}

describe("a sub-CA's self-issued copies: what each path to the root costs", () => {
  const crl = parseCrl(buildCrl({ issuer: subCa.cert, signingKey: subCa.key.privateKey, thisUpdate: NOW - 60_000, nextUpdate: NOW + 86_400_000, revoked: [] }, provider, random));

  it('a CRL of the sub-CA is checked once per key and validation, within the signature budget', () => {
    const fresh = parseCrl(crl.der);
    // One provider throughout: what a CRL's signature verdicts are kept by.
    const { counts, meter } = counting(fresh);
    // Sixteen handshakes, each with a fresh key above the leaf, fail against the CRL first.
    for (let i = 0; i < 16; i++) {
      const { leaf, intermediates } = copiesUnder(subCa, 'Department CA', 0);
      expect(judge(leaf.cert, [...intermediates, subCa].map((c) => c.cert), meter, [fresh])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    }
    const { leaf, intermediates } = copiesUnder(subCa, 'Department CA', 6);
    const before = { ...counts };
    expect(judge(leaf.cert, [...intermediates, subCa].map((c) => c.cert), meter, [fresh])).toMatchObject({ ok: false });
    // Was: 9 certificate signatures and 371 CRL checks with the attacker's key, one per path that reached the root.
    expect(counts.crl - before.crl).toBe(1);
    expect(counts.all - before.all).toBeLessThanOrEqual(SIGNATURE_BUDGET);
  });

  it("the sub-CA's own key is remembered for its CRL, whatever keys failed against it first", () => {
    const fresh = parseCrl(crl.der);
    // One provider throughout: what a CRL's signature verdicts are kept by.
    const { counts, meter } = counting(fresh);
    for (let i = 0; i < 20; i++) {
      const { leaf, intermediates } = copiesUnder(subCa, 'Department CA', 0);
      judge(leaf.cert, [...intermediates, subCa].map((c) => c.cert), meter, [fresh]);
    }
    expect(counts.crl).toBe(20);
    const honest = issue({ CN: 'leaf' }, nodeKey('ed25519'), subCa, { ...serverAuthLeaf, sans: { dns: ['a.example'] } });
    expect(judge(honest.cert, [subCa.cert], meter, [fresh])).toMatchObject({ ok: true });
    expect(counts.crl).toBe(21);
    expect(judge(honest.cert, [subCa.cert], meter, [fresh])).toMatchObject({ ok: true });
    // Was 22: twenty failing keys had filled the sixteen entries, and the issuer's own verdict was never kept.
    expect(counts.crl).toBe(21);
  });

  it('a CRL check the budget cannot pay for fails closed', () => {
    const { leaf, intermediates } = copiesUnder(subCa, 'Department CA', 0);
    const { counts, meter } = counting(crl);
    // Three certificate signatures (leaf, the attacker's CA, the sub-CA) leave nothing of a budget of 3.
    const verdict = verifyChain({ leaf: leaf.cert, intermediates: [...intermediates, subCa].map((c) => c.cert), anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider: meter, crls: [crl], signatureBudget: 3 });
    expect(verdict).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/would exceed the 3 signature checks of this certificate message/) });
    expect(counts).toEqual({ all: 3, crl: 0 });
  });

  it("the sub-CA's name constraints read the leaf's names once per validation, however many paths reach the root", () => {
    const dns = Array.from({ length: 400 }, (_, i) => `n${i}.example`);
    const { leaf, intermediates } = copiesUnder(root, 'Constrained CA', 9, {
      ca: { nameConstraints: { excluded: [{ dns: 'n399.example' }] } },
      leaf: { sans: { dns } },
    });
    let sanReads = 0;
    const watched = new Proxy(leaf.cert, {
      get(target, property, receiver) {
        if (property === 'subjectAltName') sanReads++;
        return Reflect.get(target, property, receiver);
      },
    });
    const { counts, meter } = counting();
    // String.prototype.endsWith calls: a dNSName compared with a subtree is one.
    const verdict = countingCalls(String.prototype, 'endsWith', () => 1, () => judge(watched, intermediates.map((c) => c.cert), meter));
    expect(verdict.result).toMatchObject({ ok: false, reason: 'BadCertificate' });
    expect(counts.all).toBeLessThanOrEqual(SIGNATURE_BUDGET);
    // Was one read (and 400 names prepared, the subtrees parsed) for each of the ~200 paths that reached the root,
    // and 400 comparisons with the excluded subtree on each: 84,989 suffix tests, now 1,199 (names read once included).
    expect(sanReads).toBeLessThanOrEqual(4);
    expect(verdict.count).toBeLessThanOrEqual(4 * dns.length);
  });
});
