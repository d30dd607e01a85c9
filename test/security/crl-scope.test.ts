// Attacker's scripts against partitioned CRLs (RFC 5280 §5.2.5 issuingDistributionPoint, §6.3.3(b)(2); BR §7.2.2.1):
// a CRL that speaks for part of its issuer's certificates decides only for those, so a CRL of another partition,
// or of the other kind of certificate, never vouches that a certificate is not revoked. Cases after x509-limbo's
// crl::idp and crl::cabf suites, one defect at a time.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { contextTag } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { NOW, provider } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';
import { ascii, cdp, fullName, idp, TRUE, uri } from './crl-partition-helpers.js';
import { ca, leaf, root } from './path-helpers.js';

const PARTITION = 'http://crl.example/7.crl';
const random = seededRandom('crl-scope');

function judge(int: Issued, victim: Issued, extension: ReturnType<typeof idp>, revoked: bigint[] = []) {
  const crl = parseCrl(buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: revoked.map((serial) => ({ serial })), extraExtensions: [extension] }, provider, random));
  return verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] });
}
const undetermined = (detail: RegExp) => ({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(detail) });

describe('a partitioned CRL decides only for the certificates of its partition (RFC 5280 §6.3.3(b)(2), BR §7.2.2.1)', () => {
  const int = ca();
  const inPartition = leaf(int, { dns: ['a.example'] }, { extraExtensions: [cdp(uri(PARTITION))] });
  const serialOf = (x: Issued) => BigInt('0x' + x.cert.serialNumber);

  it('the partition the certificate names decides: not listed, accepted; listed, revoked', () => {
    expect(judge(int, inPartition, idp(fullName(uri(PARTITION))))).toMatchObject({ ok: true });
    expect(judge(int, inPartition, idp(fullName(uri(PARTITION))), [serialOf(inPartition)])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('another partition, or a certificate that names none, is not vouched for by it', () => {
    expect(judge(int, inPartition, idp(fullName(uri('http://crl.example/8.crl'))))).toMatchObject(undetermined(/partition \[http:\/\/crl\.example\/8\.crl\] is none of the certificate's/));
    // BR §7.2.2.1: byte for byte, so a percent-encoded spelling of the same path is another partition.
    const encoded = leaf(int, { dns: ['a.example'] }, { extraExtensions: [cdp(uri('http://crl.example/%37.crl'))] });
    expect(judge(int, encoded, idp(fullName(uri(PARTITION))))).toMatchObject(undetermined(/is none of the certificate's/));
    const unnamed = leaf(int, { dns: ['a.example'] });
    expect(judge(int, unnamed, idp(fullName(uri(PARTITION))))).toMatchObject(undetermined(/has no cRLDistributionPoints/));
    const dnsToo = leaf(int, { dns: ['a.example'] }, { extraExtensions: [cdp(uri(PARTITION), der.implicit(2, ascii('crl.example')))] });
    expect(judge(int, dnsToo, idp(fullName(uri(PARTITION))))).toMatchObject(undetermined(/other than a URI/));
  });

  it('a CRL of CA certificates only does not vouch for an end entity, nor one of end entities for a CA', () => {
    expect(judge(int, inPartition, idp(der.implicit(2, TRUE)))).toMatchObject(undetermined(/CA certificates only/));
    expect(judge(int, inPartition, idp(der.implicit(1, TRUE)))).toMatchObject({ ok: true });
    // The root's CRL for end entities only, judging the intermediate: out of scope.
    const rootCrl = parseCrl(buildCrl({ issuer: root.cert, signingKey: root.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [], extraExtensions: [idp(der.implicit(1, TRUE))] }, provider, random));
    expect(verifyChain({ leaf: inPartition.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [rootCrl] })).toMatchObject(undetermined(/end-entity certificates only, and this is a CA/));
  });

  it('forms the Baseline Requirements forbid a partition, and malformed ones, make the CRL unusable', () => {
    const cases: [Uint8Array[], RegExp][] = [
      [[der.explicit(0, der.tlv(contextTag(1, true), der.sequence(der.oid(OID.commonName), der.utf8String('p'))))], /nameRelativeToCRLIssuer/],
      [[fullName(uri(PARTITION), der.implicit(2, ascii('crl.example')))], /other than a URI/],
      [[fullName(uri(PARTITION)), der.implicit(3, Uint8Array.of(7, 0x80))], /onlySomeReasons/],
      [[fullName(uri(PARTITION)), der.implicit(4, TRUE)], /indirect CRL/],
      [[der.implicit(5, TRUE)], /attribute certificates/],
      [[], /only default values/],
      [[der.implicit(1, TRUE), der.implicit(2, TRUE)], /both TRUE/],
      [[der.implicit(1, Uint8Array.of(0))], /not a DER TRUE/],
    ];
    for (const [fields, detail] of cases) expect(judge(int, inPartition, idp(...fields)), String(detail)).toMatchObject(undetermined(detail));
  });
});
