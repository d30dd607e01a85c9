// x509-limbo's CRL cases (limbo/testcases/crl/: __init__, structure, temporal, idp, cabf, external; and
// webpki::crl), rebuilt one by one with our builder: root -> leaf (or root -> intermediate -> leaf), the CRLs the
// case supplies, verifyChain for a server with the default unknownRevocationStatus 'allow'. Each `it` is named by
// its limbo id and asserts limbo's expectation, or ours with the reason where we differ on purpose
// (docs/x509-limbo-webpki.md). The partition cases are the attacker's scripts of crl-scope.test.ts too.
import { describe, expect, it } from 'vitest';
import { buildCrl, type CrlSpec } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { contextTag } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DAY, issue, nodeKey, NOW, provider, type Issued } from '../auth/helpers.js';
import { ascii, cdp, fullName, idp, TRUE, uri } from './crl-partition-helpers.js';

const random = seededRandom('limbo-crl');
/** A root with a key of its own (keyUsage keyCertSign and cRLSign unless told otherwise), and a leaf for example.com under it. */
const makeRoot = (cn = 'x509-limbo-root', extra: Parameters<typeof issue>[3] = {}) => issue({ CN: cn }, nodeKey('p256'), undefined, { isCA: true, ...extra });
const leafUnder = (parent: Issued, extra: Parameters<typeof issue>[3] = {}) =>
  issue({ CN: 'example.com' }, nodeKey('p256'), parent, { keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'], sans: { dns: ['example.com'] }, ...extra });
const serialOf = (x: Issued) => BigInt('0x' + x.cert.serialNumber);
/** A CRL of `issuer`, current around NOW unless told otherwise, signed by `issuer`'s key unless told otherwise. */
const crlOf = (issuer: Issued, spec: Partial<CrlSpec> = {}) =>
  parseCrl(buildCrl({ issuer: issuer.cert, signingKey: issuer.key.privateKey, thisUpdate: NOW - DAY, nextUpdate: NOW + 30 * DAY, revoked: [], ...spec }, provider, random));
/** Some certificate's serial, not the leaf's. */
const other = { serial: 0x5ca1ab1en };

function judge(leaf: Issued, anchors: Issued[], crls: ReturnType<typeof crlOf>[], intermediates: Issued[] = []) {
  return verifyChain({ leaf: leaf.cert, intermediates: intermediates.map((x) => x.cert), anchors: anchors.map((x) => x.cert), now: NOW, purpose: 'serverAuth', provider, hostname: 'example.com', crls });
}
const succeeds = (verdict: ReturnType<typeof judge>) => expect(verdict).toMatchObject({ ok: true });
const revoked = (verdict: ReturnType<typeof judge>) => expect(verdict).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
const undetermined = (verdict: ReturnType<typeof judge>, detail: RegExp) => expect(verdict).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(detail) });

const root = makeRoot();
const leaf = leafUnder(root);

describe('crl::* (limbo/testcases/crl/__init__.py)', () => {
  it('crl::revoked-certificate-with-crl: the leaf listed by its issuer\'s CRL fails', () => {
    revoked(judge(leaf, [root], [crlOf(root, { revoked: [{ serial: serialOf(leaf), date: NOW - DAY }] })]));
  });
  it('crl::certificate-not-on-crl: a CRL listing other serials succeeds', () => {
    succeeds(judge(leaf, [root], [crlOf(root, { revoked: [other, { serial: 0xbeefn }] })]));
  });
  it('crl::certificate-serial-on-crl-different-issuer: the leaf\'s serial on another root\'s CRL does not revoke it', () => {
    const root2 = makeRoot('Root CA 2');
    succeeds(judge(leaf, [root, root2], [crlOf(root), crlOf(root2, { revoked: [{ serial: serialOf(leaf) }] })]));
  });
  it('crl::crlnumber-missing: a CRL without cRLNumber decides nothing, so the status is undetermined', () => {
    undetermined(judge(leaf, [root], [crlOf(root, { revoked: [other], crlNumber: null })]), /no cRLNumber/);
  });
  it('crl::crlnumber-critical: a critical cRLNumber likewise', () => {
    undetermined(judge(leaf, [root], [crlOf(root, { revoked: [other], crlNumber: 12345n, crlNumberCritical: true })]), /critical cRLNumber/);
  });
  it('crl::issuer-missing-crlsign: a CRL from a CA whose keyUsage lacks cRLSign fails', () => {
    const noCrlSign = makeRoot('x509-limbo-root', { keyUsage: ['keyCertSign'] });
    undetermined(judge(leafUnder(noCrlSign), [noCrlSign], [crlOf(noCrlSign, { revoked: [other] })]), /keyUsage lacks cRLSign/);
  });
  it('crl::issuer-no-keyusage-extension: an issuer without keyUsage may sign CRLs (§6.3.3(f) asks only when present)', () => {
    const noKu = makeRoot('x509-limbo-root', { omit: ['keyUsage'] });
    expect(noKu.cert.keyUsage).toBeUndefined();
    succeeds(judge(leafUnder(noKu), [noKu], [crlOf(noKu, { revoked: [other] })]));
  });
  it('crl::issuer-valid-crlsign-and-keycertsign: keyCertSign and cRLSign succeeds', () => {
    expect(root.cert.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    succeeds(judge(leaf, [root], [crlOf(root, { revoked: [other] })]));
  });
});

describe('crl::structure::*', () => {
  it('crl::structure::crl-invalid-signature: a CRL in the root\'s name, signed by another key, fails', () => {
    undetermined(judge(leaf, [root], [crlOf(root, { revoked: [other], signingKey: nodeKey('p256').privateKey })]), /signature does not verify/);
  });
  it('crl::structure::crl-wrong-signing-key: a CRL in root 1\'s name signed by trusted root 2 fails', () => {
    const root2 = makeRoot('Root CA 2');
    undetermined(judge(leaf, [root, root2], [crlOf(root, { revoked: [other], signingKey: root2.key.privateKey })]), /signature does not verify/);
  });
  it('crl::structure::crl-empty: a CRL without entries succeeds', () => {
    succeeds(judge(leaf, [root], [crlOf(root)]));
  });
  it('crl::structure::crl-very-large: 10,000 entries, the leaf not among them, succeeds', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ serial: 0x10000n + BigInt(i), date: NOW - 365 * DAY }));
    succeeds(judge(leaf, [root], [crlOf(root, { revoked: many })]));
  });
  it('crl::structure::crl-unknown-critical-extension: fails (RFC 5280 §5.2: not used)', () => {
    undetermined(judge(leaf, [root], [crlOf(root, { revoked: [other], extraExtensions: [{ oid: '1.3.6.1.4.1.55738.666.1', critical: true, value: new Uint8Array(0) }] })]), /critical CRL extension/);
  });
  it('crl::structure::crl-unknown-noncritical-extension: succeeds (ignored)', () => {
    succeeds(judge(leaf, [root], [crlOf(root, { revoked: [other], extraExtensions: [{ oid: '1.3.6.1.4.1.55738.666.1', value: new Uint8Array(0) }] })]));
  });
  it('crl::structure::crl-duplicate-revoked-serial and webpki::crl::crl-duplicate-revoked-serial: a serial listed twice fails', () => {
    undetermined(judge(leaf, [root], [crlOf(root, { revoked: [other, other] })]), /lists serial number .* twice/);
  });
});

describe('crl::temporal::*', () => {
  it('crl::temporal::this-update-in-future: fails', () => {
    undetermined(judge(leaf, [root], [crlOf(root, { thisUpdate: NOW + DAY, nextUpdate: NOW + 30 * DAY })]), /not valid before/);
  });
  it('crl::temporal::next-update-in-past: fails', () => {
    undetermined(judge(leaf, [root], [crlOf(root, { thisUpdate: NOW - 60 * DAY, nextUpdate: NOW - 30 * DAY })]), /nextUpdate .* has passed/);
  });
  it('crl::temporal::revocation-date-in-future: a listed serial is revoked whatever its revocationDate', () => {
    revoked(judge(leaf, [root], [crlOf(root, { revoked: [{ serial: serialOf(leaf), date: NOW + DAY }] })]));
  });
  it('crl::temporal::revocation-date-before-not-before: likewise a revocationDate before the leaf\'s notBefore', () => {
    const recent = leafUnder(root, { notBefore: NOW - 30 * DAY });
    revoked(judge(recent, [root], [crlOf(root, { revoked: [{ serial: serialOf(recent), date: NOW - 60 * DAY }] })]));
  });
  it('crl::temporal::crl-validity-no-overlap: a CRL whose window closed before the leaf was issued fails', () => {
    const recent = leafUnder(root, { notBefore: NOW - 30 * DAY, notAfter: NOW + 30 * DAY });
    undetermined(judge(recent, [root], [crlOf(root, { thisUpdate: NOW - 365 * DAY, nextUpdate: NOW - 180 * DAY })]), /has passed/);
  });
});

const PARTITION = 'http://example.com/partition.crl';

describe('crl::idp::* and crl::cabf::* (RFC 5280 §5.2.5, §6.3.3(b)(2), BR §7.2.2.1)', () => {
  const inPartition = leafUnder(root, { extraExtensions: [cdp(uri(PARTITION))] });
  it('crl::idp::idp-cdp-scope-match: the partition the leaf names decides: succeeds', () => {
    succeeds(judge(inPartition, [root], [crlOf(root, { extraExtensions: [idp(fullName(uri(PARTITION)))] })]));
  });
  const partitionCases: [string, Issued, Uint8Array[], RegExp][] = [
    ['crl::idp::idp-cdp-scope-mismatch', leafUnder(root, { extraExtensions: [cdp(uri('http://example.com/cdp.crl'))] }), [fullName(uri('http://example.com/other.crl'))], /is none of the certificate's/],
    ['crl::idp::idp-only-contains-ca-certs-ee-target', leaf, [der.implicit(2, TRUE)], /CA certificates only/],
    ['crl::idp::idp-present-certificate-missing-cdp', leaf, [fullName(uri(PARTITION))], /has no cRLDistributionPoints/],
    ['crl::idp::idp-present-certificate-cdp-non-uri-generalname', leafUnder(root, { extraExtensions: [cdp(uri(PARTITION), der.implicit(2, ascii('example.com')))] }), [fullName(uri(PARTITION))], /other than a URI/],
    ['crl::idp::idp-only-contains-attribute-certs', leaf, [der.implicit(5, TRUE)], /attribute certificates/],
    ['crl::cabf::idp-name-relative-to-crl-issuer', leaf, [der.explicit(0, der.tlv(contextTag(1, true), der.sequence(der.oid(OID.commonName), der.utf8String('partition'))))], /nameRelativeToCRLIssuer/],
    ['crl::cabf::idp-fullname-non-uri-generalname', inPartition, [fullName(uri(PARTITION), der.implicit(2, ascii('example.com')))], /other than a URI/],
    ['crl::cabf::idp-indirect-crl', inPartition, [fullName(uri(PARTITION)), der.implicit(4, TRUE)], /indirect CRL/],
    ['crl::cabf::idp-only-some-reasons-no-complete-crl', inPartition, [fullName(uri(PARTITION)), der.implicit(3, Uint8Array.of(7, 0x40))], /onlySomeReasons/],
    ['crl::cabf::idp-uri-not-byte-identical', leafUnder(root, { extraExtensions: [cdp(uri('http://example.com/crls/%73hard.crl'))] }), [fullName(uri('http://example.com/crls/shard.crl'))], /is none of the certificate's/],
  ];
  for (const [id, victim, fields, detail] of partitionCases) {
    it(`${id}: a CRL that does not speak for the certificate leaves its status undetermined: fails`, () => {
      undetermined(judge(victim, [root], [crlOf(root, { revoked: [other], extraExtensions: [idp(...fields)] })]), detail);
    });
  }
  it('crl::idp::idp-only-contains-user-certs-ca-target: the root\'s CRL of end entities does not vouch for the intermediate: fails', () => {
    const ica = issue({ CN: 'x509-limbo-intermediate' }, nodeKey('p256'), root, { isCA: true });
    const leafOfIca = leafUnder(ica);
    const verdict = judge(leafOfIca, [root], [crlOf(root, { extraExtensions: [idp(der.implicit(1, TRUE))] }), crlOf(ica)], [ica]);
    undetermined(verdict, /end-entity certificates only, and this is a CA certificate/);
  });
});

describe('crl::external::* (malformed CRLs that revoke the leaf; limbo: the CRL is ignored and the leaf accepted)', () => {
  const revokingLeaf = (spec: Partial<CrlSpec>) => buildCrl({ issuer: root.cert, signingKey: root.key.privateKey, thisUpdate: NOW - DAY, nextUpdate: NOW + 30 * DAY, revoked: [{ serial: serialOf(leaf) }], ...spec }, provider, random);

  it('crl::external::crl-invalid-version: a CRL with a version other than v1/v2 is a configuration error (TypeError), so no validation runs with it (we differ: a harness that drops it gets success)', () => {
    const good = revokingLeaf({});
    // tbsCertList's version INTEGER 1 (v2) is the first element after the two SEQUENCE headers.
    const at = good.findIndex((b, i) => b === 0x02 && good[i + 1] === 0x01 && good[i + 2] === 0x01);
    const bad = good.slice();
    bad[at + 2] = 0x05;
    expect(() => parseCrl(bad)).toThrow(/trust\.crls: malformed CRL: CRL version 6/);
  });
  it('crl::external::crl-update-generalizedtime-2025: a CRL whose 2025 times are GeneralizedTime still revokes (we differ, failing closed: the revocation is honoured)', () => {
    const crl = parseCrl(revokingLeaf({ timesAsGeneralizedTime: true }));
    revoked(judge(leaf, [root], [crl]));
  });
  it('crl::external::crl-missing-next-update: a CRL without nextUpdate decides nothing, so the status is undetermined (we differ, failing closed)', () => {
    undetermined(judge(leaf, [root], [parseCrl(revokingLeaf({ nextUpdate: undefined }))]), /no nextUpdate/);
  });
});
