// Attacker's scripts against revocation of a cross-signed CA (RFC 5280 §6.3): root A revokes its
// certificate for the CA "Shared CA", whose key root B also certified. A CRL revokes a certificate, not a
// key, and the peer chooses which copy to send: it sends B's copy, whose issuer has no CRL among trust.crls,
// and omits A's, so nothing on its path says "revoked". Under the default (unknownRevocationStatus 'allow',
// rustls-webpki's UnknownStatusPolicy::Allow) that path is taken, as documented in docs/path-validation.md;
// 'deny' (rustls's default once CRLs are configured) wants every certificate below the anchor covered by a
// supplied CRL of its issuer, so the copy from B without B's CRL is refused.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { checkTrustPolicy, evaluateTrust } from '../../src/auth/trust.js';
import { verifyChain } from '../../src/auth/chain.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { issue, nodeKey, NOW, provider } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';
import { leaf } from './path-helpers.js';

const random = seededRandom('crl-cross-signed-copy');
const rootA = issue({ CN: 'Root A' }, nodeKey('p256'), undefined, { isCA: true });
const rootB = issue({ CN: 'Root B' }, nodeKey('p256'), undefined, { isCA: true });
const sharedKey = nodeKey('p256');
const viaA = issue({ CN: 'Shared CA' }, sharedKey, rootA, { isCA: true });
const viaB = issue({ CN: 'Shared CA' }, sharedKey, rootB, { isCA: true });
const victim = leaf(viaA, { dns: ['a.example'] });

const crlOf = (issuer: Issued, revoked: Issued[] = []) =>
  buildCrl({ issuer: issuer.cert, signingKey: issuer.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: revoked.map((x) => ({ serial: BigInt('0x' + x.cert.serialNumber) })) }, provider, random);
const revokedByA = crlOf(rootA, [viaA]);
const sharedCrl = crlOf(viaA);

const verify = (intermediates: Issued[], crls: Uint8Array[], unknownRevocationStatus?: 'allow' | 'deny') =>
  verifyChain({
    leaf: victim.cert,
    intermediates: intermediates.map((x) => x.cert),
    anchors: [rootA.cert, rootB.cert],
    now: NOW,
    purpose: 'serverAuth',
    provider,
    hostname: 'a.example',
    crls: crls.map(parseCrl),
    ...(unknownRevocationStatus ? { unknownRevocationStatus } : {}),
  });

describe('a CA revoked by one root, still certified by another (cross-signed copy)', () => {
  it("A's copy is revoked; the peer that sends only B's copy gets past an 'allow' policy (documented), not a 'deny' one", () => {
    expect(verify([viaA], [revokedByA, sharedCrl])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    expect(verify([viaB], [revokedByA, sharedCrl])).toMatchObject({ ok: true });
    expect(verify([viaB], [revokedByA, sharedCrl], 'deny')).toMatchObject({
      ok: false,
      reason: 'CertificateUnknown',
      detail: expect.stringMatching(/"CN=Shared CA" is undetermined: no CRL of "CN=Root B"/),
    });
    // Both copies sent: each path is refused, and the report names the revocation first met.
    expect(verify([viaA, viaB], [revokedByA, sharedCrl], 'deny')).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it("'deny' holds the leaf to its issuer's CRL too, and accepts a path every certificate of which a CRL covers", () => {
    expect(verify([viaA], [crlOf(rootA)], 'deny')).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/"CN=leaf" is undetermined: no CRL of "CN=Shared CA"/) });
    expect(verify([viaA], [], 'deny')).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/no CRL of/) });
    expect(verify([viaA], [crlOf(rootA), sharedCrl], 'deny')).toMatchObject({ ok: true });
    expect(verify([viaB], [crlOf(rootB), sharedCrl], 'deny')).toMatchObject({ ok: true });
    // The anchor itself is not revocation-checked (RFC 5280 §6.3 judges the certificates of the path).
    const direct = leaf(rootA, { dns: ['a.example'] });
    expect(verifyChain({ leaf: direct.cert, intermediates: [], anchors: [rootA.cert], now: NOW, purpose: 'serverAuth', provider, hostname: 'a.example', crls: [parseCrl(crlOf(rootA))], unknownRevocationStatus: 'deny' })).toMatchObject({ ok: true });
  });

  it("a 'ca' trust policy takes unknownRevocationStatus, and refuses 'deny' without a CRL (it would refuse every chain)", () => {
    const judge = (policy: Parameters<typeof evaluateTrust>[0]) => evaluateTrust(policy, [victim.der, viaB.der], { provider, now: () => NOW, purpose: 'serverAuth', hostname: 'a.example' }).verdict;
    expect(judge({ kind: 'ca', anchors: [rootA.der, rootB.der], crls: [revokedByA, sharedCrl] })).toMatchObject({ trusted: true });
    expect(judge({ kind: 'ca', anchors: [rootA.der, rootB.der], crls: [revokedByA, sharedCrl], unknownRevocationStatus: 'deny' })).toMatchObject({ trusted: false, reason: 'CertificateUnknown' });
    expect(() => checkTrustPolicy({ kind: 'ca', anchors: [rootA.der], unknownRevocationStatus: 'deny' })).toThrow(/unknownRevocationStatus 'deny' without crls refuses every chain/);
    expect(() => checkTrustPolicy({ kind: 'ca', anchors: [rootA.der], crls: [sharedCrl], unknownRevocationStatus: 'deny' })).not.toThrow();
  });
});
