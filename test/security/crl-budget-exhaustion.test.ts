// Attacker: the holder of a revoked certificate, against a relying party that holds two current CRLs of its
// CA (CAs publish a CRL every few hours, each valid for days: an operator appending the new one to trust.crls
// holds both, the older one not yet listing the serial). Since session 15 CRL signatures are paid from the
// Certificate message's signature budget (CrlSignatureChecks); a CRL the budget cannot pay for was set aside
// like a CRL of another key, and the other CRL decided alone. The peer chooses what the budget has left when the
// CRLs are reached: decoy CA certificates of the CA's name and key identifier, over another key, each cost a failed
// signature check before the real issuer is tried. Nine of them left exactly one check for two CRLs: the old CRL
// was checked, the new one, which revokes the leaf, was not, and the revoked certificate was accepted.
// A CRL the budget cannot pay for leaves the status undetermined (fail closed), whatever the other CRLs say.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { SIGNATURE_BUDGET } from '../../src/auth/path/profile.js';
import { parseCrl, type Crl } from '../../src/auth/path/revocation.js';
import { issue, nodeKey, NOW, provider, random, type Issued } from '../auth/helpers.js';

const root = issue({ CN: 'Budget Root' }, nodeKey('ed25519'), undefined, { isCA: true });
const ca = issue({ CN: 'Budget Issuing CA' }, nodeKey('ed25519'), root, { isCA: true });
const revokedLeaf = issue({ CN: 'revoked' }, nodeKey('ed25519'), ca, { extKeyUsage: ['serverAuth'], keyUsage: ['digitalSignature'], sans: { dns: ['a.example'] } });
/** Self-signed, named like the CA, claiming its key identifier over another key: a candidate issuer that costs a check. */
const decoys = Array.from({ length: SIGNATURE_BUDGET }, () =>
  issue({ CN: 'Budget Issuing CA' }, nodeKey('ed25519'), undefined, {
    isCA: true,
    omit: ['subjectKeyIdentifier'],
    extraExtensions: [{ oid: OID.subjectKeyIdentifier, value: der.octetString(ca.cert.subjectKeyIdentifier!) }],
  }),
);

const crlOf = (issuer: Issued, revoked: bigint[], thisUpdate: number): Crl =>
  parseCrl(buildCrl({ issuer: issuer.cert, signingKey: issuer.key.privateKey, thisUpdate, nextUpdate: NOW + 86_400_000, revoked: revoked.map((serial) => ({ serial })) }, provider, random));
/** Yesterday's CRL, before the revocation, and today's: both current. */
const older = crlOf(ca, [], NOW - 86_400_000);
const newer = crlOf(ca, [BigInt(`0x${revokedLeaf.cert.serialNumber}`)], NOW - 60_000);

const judge = (decoyCount: number, crls: Crl[]) =>
  verifyChain({
    leaf: revokedLeaf.cert,
    intermediates: [...decoys.slice(0, decoyCount), ca].map((c) => c.cert),
    anchors: [root.cert],
    now: NOW,
    purpose: 'serverAuth',
    provider,
    hostname: 'a.example',
    crls,
  });

describe('two current CRLs of one CA, and a peer that spends the signature budget first', () => {
  it('revoked with no decoys, whichever CRL comes first', () => {
    expect(judge(0, [older, newer])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    expect(judge(0, [newer, older])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('never accepted, however many decoys come first: revoked while the budget pays for both CRLs, undetermined after', () => {
    // The leaf's signature with each decoy and the CA, the CA's with the root: decoys + 2; then one check per CRL.
    for (let count = 0; count <= SIGNATURE_BUDGET; count++) {
      const verdict = judge(count, [older, newer]);
      if (count + 4 <= SIGNATURE_BUDGET) expect(verdict, `${count} decoys`).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
      else expect(verdict, `${count} decoys`).toMatchObject({ ok: false, reason: expect.stringMatching(/^(CertificateUnknown|BadCertificate)$/) });
    }
  });

  it('with one check left for two CRLs: undetermined, naming the budget (was: accepted on the older CRL alone)', () => {
    expect(judge(SIGNATURE_BUDGET - 3, [older, newer])).toMatchObject({
      ok: false,
      reason: 'CertificateUnknown',
      detail: expect.stringMatching(/would exceed the 12 signature checks/),
    });
  });
});
