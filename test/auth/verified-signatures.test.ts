// A trust anchor remembers the certificates whose signature its key verified (src/auth/configured-certificates.ts),
// so a client meeting the same server again checks that signature once. The attacker's side: the memo must
// answer only for the same DER under the same anchor key and provider, and must leave everything else (time,
// policy, the path's rules, the signature budget) to be judged on every handshake.
import { describe, expect, it } from 'vitest';
import { derKey, parseConfiguredCertificate, VERIFIED_LIMIT } from '../../src/auth/configured-certificates.js';
import { verifyChain } from '../../src/auth/chain.js';
import { evaluateTrust, type TrustContext, type TrustPolicy } from '../../src/auth/trust.js';
import { parseCertificate } from '../../src/auth/x509.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { hex } from '../../src/wire/bytes.js';
import { seededRandom } from '../../src/crypto/random.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';

const random = seededRandom('verified signatures');
const HOST = 'memo.test';

/**
 * Two CAs with the same name and DER length but different keys, neither with a subjectKeyIdentifier: a path
 * builder tries both as the issuer of a leaf of either (RFC 5280 §6.1.3(a)(4): by name).
 */
const ca = () => makeIdentity({ subject: { CN: 'Memo CA' }, isCA: true, keyUsage: ['keyCertSign'], keyType: 'ed25519', omit: ['subjectKeyIdentifier'] }, random);
const caA = ca();
const caB = ca();

/** A server certificate issued by `issuer`. */
function leafOf(issuer: Identity, name = HOST, serial = 7n): Identity {
  return makeIdentity(
    { subject: { CN: name }, sans: { dns: [name] }, extKeyUsage: ['serverAuth'], keyType: 'ed25519', serial, issuer },
    random,
  );
}

/** A provider of its own (the memo is per provider) that counts its verifications. */
function countingProvider(base: CryptoProvider = nodeCryptoProvider): CryptoProvider & { verifications: number } {
  const counting = {
    ...base,
    verifications: 0,
    verify: (...args: Parameters<CryptoProvider['verify']>) => {
      counting.verifications++;
      return base.verify(...args);
    },
  };
  return counting;
}

function judge(policy: TrustPolicy, chain: Uint8Array[], provider: CryptoProvider, now = TEST_NOW) {
  const ctx: TrustContext = { provider, now: () => now, purpose: 'serverAuth', hostname: HOST };
  return evaluateTrust(policy, chain, ctx).verdict;
}

describe('signatures a trust anchor verified, remembered by content', () => {
  it('checks a repeated leaf signature once per anchor and provider (the CertificateVerify is not the memo’s)', () => {
    const provider = countingProvider();
    const leaf = leafOf(caA);
    const policy: TrustPolicy = { kind: 'ca', anchors: [caA.der] };
    expect(judge(policy, leaf.chain, provider).trusted).toBe(true);
    expect(provider.verifications).toBe(1);
    expect(judge(policy, leaf.chain, provider).trusted).toBe(true);
    expect(judge(policy, [leaf.der.slice()], provider).trusted).toBe(true);
    expect(provider.verifications).toBe(1);
  });

  it('refuses a leaf verified under one anchor when the policy trusts another of the same name', () => {
    const provider = countingProvider();
    const leaf = leafOf(caA, HOST, 8n);
    expect(judge({ kind: 'ca', anchors: [caA.der] }, leaf.chain, provider).trusted).toBe(true);
    const verdict = judge({ kind: 'ca', anchors: [caB.der] }, leaf.chain, provider);
    expect(verdict).toMatchObject({ trusted: false, reason: 'BadCertificate' });
    expect(verdict.detail).toMatch(/does not verify/);
  });

  it('refuses the leaf once the configured anchor array is refilled with another CA (a policy change in place)', () => {
    const provider = countingProvider();
    const leaf = leafOf(caA, HOST, 9n);
    expect(caB.der.length).toBe(caA.der.length);
    const anchor = caA.der.slice();
    const policy: TrustPolicy = { kind: 'ca', anchors: [anchor] };
    expect(judge(policy, leaf.chain, provider).trusted).toBe(true);
    anchor.set(caB.der);
    expect(judge(policy, leaf.chain, provider)).toMatchObject({ trusted: false, reason: 'BadCertificate' });
  });

  it('refuses a forgery that shares the remembered leaf’s length and signature (its own name, the same signature bytes)', () => {
    const provider = countingProvider();
    const genuine = leafOf(caA, 'memo.test', 10n);
    const policy: TrustPolicy = { kind: 'ca', anchors: [caA.der] };
    expect(judge(policy, genuine.chain, provider).trusted).toBe(true);
    // The attacker's name in place of the genuine one, byte for byte the same length; the signature kept.
    const forged = genuine.der.slice();
    const name = new TextEncoder().encode('memo.test');
    for (let at = forged.indexOf(name[0]!); at >= 0; at = forged.indexOf(name[0]!, at + 1)) {
      if (name.every((b, i) => forged[at + i] === b)) forged[at + 3] = 'a'.charCodeAt(0); // memo.test -> mema.test
    }
    expect(parseCertificate(forged).subjectAltName?.dns).toEqual(['mema.test']);
    const ctx: TrustContext = { provider, now: () => TEST_NOW, purpose: 'serverAuth', hostname: 'mema.test' };
    expect(evaluateTrust(policy, [forged], ctx).verdict).toMatchObject({ trusted: false, reason: 'BadCertificate' });
  });

  it('lets another provider verify for itself', () => {
    const leaf = leafOf(caA, HOST, 11n);
    const policy: TrustPolicy = { kind: 'ca', anchors: [caA.der] };
    expect(judge(policy, leaf.chain, countingProvider()).trusted).toBe(true);
    const refusing: CryptoProvider = { ...nodeCryptoProvider, verify: () => false };
    expect(judge(policy, leaf.chain, refusing)).toMatchObject({ trusted: false, reason: 'BadCertificate' });
  });

  it('judges validity at every handshake: a remembered leaf that has expired since is refused', () => {
    const provider = countingProvider();
    const leaf = leafOf(caA, HOST, 12n);
    const policy: TrustPolicy = { kind: 'ca', anchors: [caA.der] };
    expect(judge(policy, leaf.chain, provider).trusted).toBe(true);
    const later = leaf.certificate.notAfter + DAY;
    expect(judge(policy, leaf.chain, provider, later)).toMatchObject({ trusted: false, reason: 'CertificateExpired' });
  });

  it('judges the policy at every handshake: a remembered leaf for another host name is refused', () => {
    const provider = countingProvider();
    const leaf = leafOf(caA, HOST, 13n);
    const policy: TrustPolicy = { kind: 'ca', anchors: [caA.der] };
    expect(judge(policy, leaf.chain, provider).trusted).toBe(true);
    const ctx: TrustContext = { provider, now: () => TEST_NOW, purpose: 'serverAuth', hostname: 'other.test' };
    expect(evaluateTrust(policy, leaf.chain, ctx).verdict).toMatchObject({ trusted: false, reason: 'BadCertificate' });
    const clientPurpose: TrustContext = { provider, now: () => TEST_NOW, purpose: 'clientAuth' };
    expect(evaluateTrust(policy, leaf.chain, clientPurpose).verdict.trusted).toBe(false);
  });

  it('still spends the signature budget on a remembered signature, so a verdict never depends on the memo', () => {
    const provider = countingProvider();
    const leaf = leafOf(caA, HOST, 14n);
    const anchors = [parseConfiguredCertificate(caA.der)];
    const options = { leaf: leaf.certificate, intermediates: [], anchors, now: TEST_NOW, purpose: 'serverAuth' as const, provider, hostname: HOST };
    expect(verifyChain(options)).toMatchObject({ ok: true });
    expect(verifyChain({ ...options, signatureBudget: 0 })).toMatchObject({ ok: false, detail: expect.stringMatching(/signature checks/) });
  });

  it(`keeps at most ${VERIFIED_LIMIT} certificates per anchor, then starts again`, () => {
    const provider = countingProvider();
    const policy: TrustPolicy = { kind: 'ca', anchors: [caA.der] };
    const leaves = Array.from({ length: VERIFIED_LIMIT + 1 }, (_, i) => leafOf(caA, HOST, 100n + BigInt(i)));
    for (const leaf of leaves) expect(judge(policy, leaf.chain, provider).trusted).toBe(true);
    expect(provider.verifications).toBe(VERIFIED_LIMIT + 1);
    // The 65th emptied the memo: the first is verified again, the last is still remembered.
    expect(judge(policy, leaves[0]!.chain, provider).trusted).toBe(true);
    expect(judge(policy, leaves[VERIFIED_LIMIT]!.chain, provider).trusted).toBe(true);
    expect(provider.verifications).toBe(VERIFIED_LIMIT + 2);
  });
});

describe('the DER keys path building compares certificates by', () => {
  it('are made once for a configured certificate, and always from the bytes for any other', () => {
    const anchor = caA.der.slice();
    const configured = parseConfiguredCertificate(anchor);
    expect(derKey(configured)).toBe(hex(caA.der));
    // A certificate parsed by a caller (verifyChain's anchors, a peer's intermediates) may be changed under us.
    const mine = parseCertificate(caA.der.slice());
    expect(derKey(mine)).toBe(hex(caA.der));
    mine.der.set(caB.der);
    expect(derKey(mine)).toBe(hex(caB.der));
    // The configured array refilled: a new certificate, with its own key.
    anchor.set(caB.der);
    expect(derKey(parseConfiguredCertificate(anchor))).toBe(hex(caB.der));
  });
});
