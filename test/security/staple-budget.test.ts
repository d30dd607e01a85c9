// Attacker's script against the signature budget of one Certificate message (SIGNATURE_BUDGET): path
// building, the OCSP staple and the search for the staple's issuer must share it. A chain built to spend the
// whole budget in a CA path that fails was judged again for its staple with a fresh budget (the issuer
// candidates, then the staple's own signature), and an `any-of` policy gave each CA policy a budget of its
// own: a peer's one message cost us 14, or 26, signature verifications where 12 were meant.
import { describe, expect, it } from 'vitest';
import { SIGNATURE_BUDGET } from '../../src/auth/path/profile.js';
import { evaluateTrust, type TrustPolicy } from '../../src/auth/trust.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { buildOcspResponse } from '../../src/testing/ocsp.js';
import { DAY, issue, nodeKey, NOW, provider, random } from '../auth/helpers.js';

const name = { CN: 'Hydra' };
// A ring of nine CAs under one name, with no authorityKeyIdentifier: every CA is a candidate issuer of every
// other, and none reaches the anchor, so path building spends its whole budget and fails.
const ringKeys = Array.from({ length: 9 }, () => nodeKey('ed25519'));
const ringSelfs = ringKeys.map((k) => issue(name, k, undefined, { isCA: true }));
const ring = ringKeys.map((k, i) => issue(name, k, ringSelfs[(i + 1) % 9]!, { isCA: true, omit: ['authorityKeyIdentifier'] }));
const victim = issue({ CN: 'victim' }, nodeKey('ed25519'), ringSelfs[0]!, { extKeyUsage: ['serverAuth'], keyUsage: ['digitalSignature'], sans: { dns: ['victim.example'] } });
const root = issue({ CN: 'Root' }, nodeKey('ed25519'), undefined, { isCA: true });
// A good staple signed by the leaf's issuer key (ring[0] holds it): worth judging once the path has failed.
const staple = buildOcspResponse(
  { leaf: victim.cert, issuer: ring[0]!.cert, signer: { certificate: ring[0]!.cert, privateKey: ringKeys[0]!.privateKey }, status: 'good', thisUpdate: NOW - DAY / 2, nextUpdate: NOW + DAY },
  provider,
  random,
);

function judgeCounting(policy: TrustPolicy) {
  let verifications = 0;
  const counting: CryptoProvider = { ...provider, verify: (...args) => (verifications++, provider.verify(...args)) };
  const { verdict } = evaluateTrust(policy, [victim.der, ...ring.map((c) => c.der)], {
    provider: counting,
    now: () => NOW,
    purpose: 'serverAuth',
    hostname: 'victim.example',
    ocspResponse: staple,
  });
  return { verdict, verifications };
}

describe(`one Certificate message costs at most ${SIGNATURE_BUDGET} signature checks`, () => {
  const ca: TrustPolicy = { kind: 'ca', anchors: [root.der] };

  it('a CA path that spends the budget and fails leaves none for the staple it carries', () => {
    const { verdict, verifications } = judgeCounting(ca);
    expect(verdict).toMatchObject({ trusted: false, rule: 'ca', detail: expect.stringMatching(/more than 12 signature checks/) });
    expect(verifications).toBeLessThanOrEqual(SIGNATURE_BUDGET);
    expect(verdict.ocsp).toMatchObject({ status: 'invalid', detail: expect.stringMatching(/bounded work/) });
  });

  it('an any-of policy shares one budget among its CA policies', () => {
    const { verdict, verifications } = judgeCounting({ kind: 'any-of', policies: [ca, { kind: 'ca', anchors: [root.der], profile: 'rfc5280' }] });
    expect(verdict.trusted).toBe(false);
    expect(verifications).toBeLessThanOrEqual(SIGNATURE_BUDGET);
  });

  it('the staple is still judged when the budget allows it (a pinned leaf spends nothing on a path)', () => {
    const { verdict, verifications } = judgeCounting({ kind: 'pinned-certificate', certificates: [victim.der] });
    expect(verdict).toMatchObject({ trusted: true, ocsp: { status: 'good' } });
    expect(verifications).toBe(2);
  });
});
