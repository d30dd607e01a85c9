// Attacker's script: the ML-DSA verifier reached from a default configuration, which accepts no ML-DSA
// signature in certificates (docs/ml-dsa.md). Path building refuses an id-ML-DSA-* signature before any
// arithmetic (signature-schemes.ts), but a policy that did not act on the OCSP staple (a pin, or a CA path that
// failed) still looks for the leaf's issuer among the peer's certificates to report the staple, and checked
// the leaf's signature, and the staple's, with whatever algorithm the peer named.
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/auth/builder.js';
import { evaluateTrust, type TrustPolicy } from '../../src/auth/trust.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { certificateSignatureSchemesOf, DEFAULT_SIGNATURE_SCHEMES } from '../../src/handshake/config.js';
import { buildOcspResponse } from '../../src/testing/ocsp.js';
import { OID } from '../../src/auth/oids.js';
import { SignatureScheme } from '../../src/wire/enums.js';
import { DAY, issue, nodeKey, NOW, provider, random, type Issued, type TestKey } from '../auth/helpers.js';

const mlDsaKey = (): TestKey => {
  const { privateKey, publicKey } = generateKeyPair('ml-dsa-44', random, provider);
  return { privateKey, publicKey } as TestKey;
};

const mlDsaCa = issue({ CN: 'ML-DSA CA' }, mlDsaKey(), undefined, { isCA: true });
const leaf = issue({ CN: 'victim' }, nodeKey('ed25519'), mlDsaCa, { extKeyUsage: ['serverAuth'], keyUsage: ['digitalSignature'], sans: { dns: ['victim.example'] } });
const staple = (signer: Issued) =>
  buildOcspResponse(
    { leaf: leaf.cert, issuer: mlDsaCa.cert, signer: { certificate: signer.cert, privateKey: signer.key.privateKey }, status: 'good', thisUpdate: NOW - DAY / 2, nextUpdate: NOW + DAY },
    provider,
    random,
  );

// A leaf of an Ed25519 CA, whose status a delegated responder with an ML-DSA-44 key signs (RFC 6960 §4.2.2.2).
const edCa = issue({ CN: 'Ed25519 CA' }, nodeKey('ed25519'), undefined, { isCA: true });
const edLeaf = issue({ CN: 'victim' }, nodeKey('ed25519'), edCa, { extKeyUsage: ['serverAuth'], keyUsage: ['digitalSignature'], sans: { dns: ['victim.example'] } });
const mlDsaResponder = issue({ CN: 'ML-DSA responder' }, mlDsaKey(), edCa, { extKeyUsage: [OID.ocspSigning], keyUsage: ['digitalSignature'] });
const delegatedStaple = buildOcspResponse(
  { leaf: edLeaf.cert, issuer: edCa.cert, signer: { certificate: mlDsaResponder.cert, privateKey: mlDsaResponder.key.privateKey }, certs: [mlDsaResponder.der], status: 'good', thisUpdate: NOW - DAY / 2, nextUpdate: NOW + DAY },
  provider,
  random,
);

function judge(policy: TrustPolicy, signatureSchemes: number[], ocspResponse: Uint8Array, chain = [leaf.der, mlDsaCa.der]) {
  const mlDsaVerifications: string[] = [];
  const counting: CryptoProvider = { ...provider, verify: (alg, ...rest) => (alg.kind === 'ml-dsa' && mlDsaVerifications.push(alg.parameterSet), provider.verify(alg, ...rest)) };
  const { verdict } = evaluateTrust(policy, chain, {
    provider: counting,
    now: () => NOW,
    purpose: 'serverAuth',
    hostname: 'victim.example',
    ocspResponse,
    certificateSignatureSchemes: certificateSignatureSchemesOf({ signatureSchemes }),
  });
  return { verdict, mlDsaVerifications };
}

const pinned: TrustPolicy = { kind: 'pinned-certificate', certificates: [leaf.der] };
const withMlDsa = [SignatureScheme.mldsa44, ...DEFAULT_SIGNATURE_SCHEMES];

describe('an OCSP staple whose issuer signs with ML-DSA, where ML-DSA is not accepted in certificates (the default)', () => {
  it('is not judged under a pin: no ML-DSA verification, the staple reported invalid', () => {
    const { verdict, mlDsaVerifications } = judge(pinned, [...DEFAULT_SIGNATURE_SCHEMES], staple(mlDsaCa));
    expect(verdict.trusted).toBe(true);
    expect(verdict.ocsp).toMatchObject({ status: 'invalid', detail: expect.stringMatching(/mldsa44, not among the schemes accepted in certificates/) });
    expect(mlDsaVerifications).toEqual([]);
  });

  it('is not judged after a CA path refused for its ML-DSA signature', () => {
    const { verdict, mlDsaVerifications } = judge({ kind: 'ca', anchors: [mlDsaCa.der] }, [...DEFAULT_SIGNATURE_SCHEMES], staple(mlDsaCa));
    expect(verdict).toMatchObject({ trusted: false, reason: 'UnsupportedCertificate' });
    expect(mlDsaVerifications).toEqual([]);
  });

  it('is judged good when ML-DSA is accepted (the honest run): the leaf and the staple, two verifications', () => {
    const { verdict, mlDsaVerifications } = judge(pinned, withMlDsa, staple(mlDsaCa));
    expect(verdict).toMatchObject({ trusted: true, ocsp: { status: 'good' } });
    expect(mlDsaVerifications).toEqual(['ML-DSA-44', 'ML-DSA-44']);
  });
});

describe('an OCSP staple a delegated responder signs with ML-DSA, where ML-DSA is not accepted in certificates (the default)', () => {
  const policies: [string, TrustPolicy][] = [
    ['under a CA policy', { kind: 'ca', anchors: [edCa.der] }],
    ['under a pin', { kind: 'pinned-certificate', certificates: [edLeaf.der] }],
  ];
  for (const [name, policy] of policies) {
    it(`is bad_certificate_status_response ${name}, with no ML-DSA verification`, () => {
      const { verdict, mlDsaVerifications } = judge(policy, [...DEFAULT_SIGNATURE_SCHEMES], delegatedStaple, [edLeaf.der, edCa.der]);
      expect(verdict.ocsp).toMatchObject({ status: 'invalid', detail: expect.stringMatching(/mldsa44, not among the schemes accepted in certificates/) });
      expect(mlDsaVerifications).toEqual([]);
    });

    it(`is judged good ${name} when ML-DSA is accepted (the honest run)`, () => {
      const { verdict, mlDsaVerifications } = judge(policy, withMlDsa, delegatedStaple, [edLeaf.der, edCa.der]);
      expect(verdict).toMatchObject({ trusted: true, ocsp: { status: 'good' } });
      expect(mlDsaVerifications).toEqual(['ML-DSA-44']);
    });
  }
});
