// x509-limbo's rfc5280 cases (limbo/testcases/rfc5280/__init__.py, aki.py, eku.py, pc.py, san.py, serial.py,
// ski.py, validity.py), one test each, rebuilt with our builder in limbo's shapes (limbo-shapes.ts) and
// validated the way its harness asks: server validation for example.com, at the case's time. Where we
// answer otherwise on purpose, the test pins our answer and docs/path-validation.md gives the reason.
import { describe, expect, it } from 'vitest';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { nodeKey } from '../auth/helpers.js';
import { EMPTY_KEY_USAGE, fails, limboIntermediate, limboLeaf, limboRoot, limboServer, limboWithIssuerName, outcome, rawExtension, succeeds } from './limbo-shapes.js';


const UNKNOWN_CRITICAL = rawExtension('1.3.6.1.4.1.55738.666.1', new Uint8Array(0), true);
/** AuthorityInfoAccess with one caIssuers AccessDescription whose location is dNSName example.com (limbo's shape). */
const AIA = der.sequence(der.sequence(der.oid('1.3.6.1.5.5.7.48.2'), der.implicit(2, new TextEncoder().encode('example.com'))));

describe('x509-limbo rfc5280::* (limbo/testcases/rfc5280/__init__.py)', () => {
  it('rfc5280::ee-empty-issuer: FAILURE', () => {
    const root = limboRoot();
    const leaf = limboWithIssuerName({ CN: 'empty-issuer' }, nodeKey('p256'), root.key, {}, { keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'], sans: { dns: ['example.com'] } });
    fails(limboServer({ leaf, anchors: [root] }), /issuer name is empty|no issuer/);
  });

  it('rfc5280::ca-empty-subject: FAILURE', () => {
    const key = nodeKey('p256');
    const root = limboWithIssuerName({}, key, key, { CN: 'x509-limbo-root' }, { isCA: true, keyUsage: ['keyCertSign'], sans: { dns: ['example.com'] }, omit: ['authorityKeyIdentifier'], critical: { subjectAltName: false } });
    const leaf = limboLeaf(root);
    fails(limboServer({ leaf, anchors: [root] }), /CA certificate with an empty subject|issuer name is empty/);
  });

  it('rfc5280::unknown-critical-extension-ee, -root, -intermediate: FAILURE', () => {
    const root = limboRoot();
    fails(limboServer({ leaf: limboLeaf(root, { extraExtensions: [UNKNOWN_CRITICAL] }), anchors: [root] }), /unsupported critical extension 1\.3\.6\.1\.4\.1\.55738\.666\.1/);
    const badRoot = limboRoot({ extraExtensions: [UNKNOWN_CRITICAL] });
    fails(limboServer({ leaf: limboLeaf(badRoot), anchors: [badRoot] }), /unsupported critical extension/);
    const ica = limboIntermediate(root, { pathLen: 0, extraExtensions: [UNKNOWN_CRITICAL] });
    fails(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }), /unsupported critical extension/);
  });

  it('rfc5280::chain-untrusted-root: FAILURE', () => {
    const root = limboRoot();
    const ica = limboIntermediate(root, { pathLen: 0 });
    const unrelated = limboRoot({ name: { CN: 'x509-limbo-unrelated-root' } });
    fails(limboServer({ leaf: limboLeaf(ica), intermediates: [root, ica], anchors: [unrelated] }), /no trusted issuer|unknown|not trusted|issuer/i);
  });

  it('rfc5280::intermediate-ca-without-ca-bit, -missing-basic-constraints: FAILURE', () => {
    const root = limboRoot();
    const notCa = limboIntermediate(root, { isCA: false });
    fails(limboServer({ leaf: limboLeaf(notCa), intermediates: [notCa], anchors: [root] }), /not a CA|cA|keyCertSign without/);
    const noBc = limboIntermediate(root, { isCA: undefined });
    // limbo passes no intermediates here; with the intermediate sent, the missing basicConstraints itself refuses it.
    fails(limboServer({ leaf: limboLeaf(noBc), anchors: [root] }), /issuer|unknown/i);
    fails(limboServer({ leaf: limboLeaf(noBc), intermediates: [noBc], anchors: [root] }), /basicConstraints|not a CA|keyCertSign without/);
  });

  it('rfc5280::root-missing-basic-constraints: FAILURE', () => {
    const root = limboRoot({ isCA: undefined });
    fails(limboServer({ leaf: limboLeaf(root), anchors: [root] }), /not a CA|basicConstraints|keyCertSign without/);
  });

  it('rfc5280::root-non-critical-basic-constraints: FAILURE, ours SUCCESS (decision: Chunghwa ePKI Root, as rustls-webpki and Go)', () => {
    const root = limboRoot({ critical: { basicConstraints: false } });
    expect(outcome(limboServer({ leaf: limboLeaf(root), anchors: [root] }))).toBe('SUCCESS');
  });

  it('rfc5280::root-inconsistent-ca-extensions: FAILURE (cA without keyCertSign)', () => {
    const root = limboRoot({ omit: ['authorityKeyIdentifier', 'keyUsage'], extraExtensions: [rawExtension(OID.keyUsage, EMPTY_KEY_USAGE)] });
    fails(limboServer({ leaf: limboLeaf(root), anchors: [root] }), /keyCertSign|keyUsage/);
  });

  it('rfc5280::ica-ku-keycertsign: FAILURE', () => {
    const root = limboRoot();
    const ica = limboIntermediate(root, { pathLen: 0, omit: ['keyUsage'], extraExtensions: [rawExtension(OID.keyUsage, EMPTY_KEY_USAGE)] });
    fails(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }), /keyCertSign|keyUsage/);
  });

  it('rfc5280::leaf-ku-keycertsign: FAILURE', () => {
    const root = limboRoot();
    const leaf = limboLeaf(root, { isCA: false, keyUsage: ['digitalSignature', 'keyCertSign'] });
    fails(limboServer({ leaf, anchors: [root] }), /keyCertSign without basicConstraints cA/);
  });

  it('rfc5280::ee-aia: SUCCESS; rfc5280::ee-critical-aia-invalid: FAILURE', () => {
    const root = limboRoot();
    succeeds(limboServer({ leaf: limboLeaf(root, { extraExtensions: [rawExtension(OID.authorityInfoAccess, AIA)] }), anchors: [root] }));
    fails(limboServer({ leaf: limboLeaf(root, { extraExtensions: [rawExtension(OID.authorityInfoAccess, AIA, true)] }), anchors: [root] }), /unsupported critical extension authorityInfoAccess/);
  });

  it('rfc5280::duplicate-extensions (and basic::duplicate-extensions): FAILURE, the leaf does not parse', () => {
    const root = limboRoot();
    const san = der.sequence(der.implicit(2, new TextEncoder().encode('example.com')));
    const leaf = () => limboLeaf(root, { sans: {}, extraExtensions: [rawExtension(OID.subjectAltName, san), rawExtension(OID.subjectAltName, san)] });
    expect(leaf).toThrow(/duplicate extension subjectAltName/);
  });

  it('rfc5280::no-keyusage, rfc5280::no-basicconstraints: SUCCESS', () => {
    const root = limboRoot();
    succeeds(limboServer({ leaf: limboLeaf(root, { omit: ['keyUsage'], keyUsage: undefined }), anchors: [root] }));
    succeeds(limboServer({ leaf: limboLeaf(root), anchors: [root] }));
  });

  it('rfc5280::mismatching-signature-algorithm: FAILURE, the certificate does not parse', () => {
    // limbo edits a saved root so its outer signatureAlgorithm differs from tbsCertificate.signature.
    const root = limboRoot();
    const edited = root.der.slice();
    const sha256 = '06082a8648ce3d040302';
    const at = Buffer.from(edited).toString('hex').lastIndexOf(sha256) / 2; // the outer signatureAlgorithm
    edited[at + 9] = 0x03; // ecdsa-with-SHA384 outside, SHA-256 inside
    expect(() => parseCertificate(edited)).toThrow(/signatureAlgorithm differs from tbsCertificate\.signature/);
  });

  it('rfc5280::ca-as-leaf: SUCCESS, ours FAILURE (decision: BR §7.1.2.7.8, as rustls-webpki; limbo marks it conflicting with webpki::ca-as-leaf)', () => {
    const root = limboRoot();
    const icaLeaf = limboIntermediate(root, { sans: { dns: ['ca.example.com'] } });
    fails(limboServer({ leaf: icaLeaf, anchors: [root], hostname: 'ca.example.com' }), /CA certificate as the end entity|is a CA/);
  });

  it('rfc5280::ca-as-leaf-wrong-san: FAILURE', () => {
    const root = limboRoot();
    const icaLeaf = limboIntermediate(root, { sans: { dns: ['ca.example.com'] } });
    expect(outcome(limboServer({ leaf: icaLeaf, anchors: [root], hostname: 'some-other-ca.example.com' }))).toBe('FAILURE');
  });

  it('rfc5280::root-and-intermediate-swapped: SUCCESS (the intermediate is the anchor, the root is sent)', () => {
    const root = limboRoot();
    const ica = limboIntermediate(root);
    succeeds(limboServer({ leaf: limboLeaf(ica), intermediates: [root], anchors: [ica] }));
  });
});

describe('x509-limbo rfc5280::aki::* (aki.py)', () => {
  it('rfc5280::aki::critical-aki: FAILURE (the root\'s AKI is critical)', () => {
    const root = limboRoot({ omit: [], critical: { authorityKeyIdentifier: true } });
    fails(limboServer({ leaf: limboLeaf(root), anchors: [root] }), /authorityKeyIdentifier is critical/);
  });

  it('rfc5280::aki::leaf-missing-aki, intermediate-missing-aki: FAILURE', () => {
    const root = limboRoot();
    fails(limboServer({ leaf: limboLeaf(root, { omit: ['authorityKeyIdentifier'] }), anchors: [root] }), /no authorityKeyIdentifier keyIdentifier/);
    const ica = limboIntermediate(root, { pathLen: 0, omit: ['authorityKeyIdentifier'] });
    fails(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }), /no authorityKeyIdentifier keyIdentifier/);
  });

  it('rfc5280::aki::self-signed-root-missing-aki: SUCCESS', () => {
    const root = limboRoot();
    expect(root.cert.authorityKeyIdentifier).toBeUndefined();
    succeeds(limboServer({ leaf: limboLeaf(root), anchors: [root] }));
  });

  it('rfc5280::aki::cross-signed-root-missing-aki: FAILURE (pedantic-rfc5280), ours SUCCESS (decision: an anchor is taken as configured)', () => {
    const xsigner = limboRoot();
    const anchor = limboIntermediate(xsigner, { pathLen: 0, omit: ['authorityKeyIdentifier'] });
    expect(outcome(limboServer({ leaf: limboLeaf(anchor), anchors: [anchor] }))).toBe('SUCCESS');
  });
});

describe('x509-limbo rfc5280::eku::* (eku.py)', () => {
  it('rfc5280::eku::ee-wrong-eku: FAILURE', () => {
    const root = limboRoot();
    fails(limboServer({ leaf: limboLeaf(root, { extKeyUsage: ['clientAuth'] }), anchors: [root] }), /does not include serverAuth/);
  });

  it('rfc5280::eku::ee-without-eku: SUCCESS under rfc5280; webpki refuses (limbo: conflicts with webpki::eku::ee-without-eku)', () => {
    const root = limboRoot();
    const c = limboServer({ leaf: limboLeaf(root, { extKeyUsage: [] }), anchors: [root] });
    succeeds({ ...c, profile: 'rfc5280' });
    fails({ ...c, profile: 'webpki' }, /no extKeyUsage/);
  });

  it('rfc5280::eku::ee-eku-empty (id only; source not read): an EKU that lists no purpose is malformed, FAILURE', () => {
    const root = limboRoot();
    expect(() => limboLeaf(root, { extKeyUsage: [], extraExtensions: [rawExtension(OID.extKeyUsage, der.sequence())] })).toThrow(/extKeyUsage|SIZE/);
  });
});

describe('x509-limbo rfc5280::serial::*, ski::*, pc::*, san::* (serial.py, ski.py, pc.py, san.py)', () => {
  it('rfc5280::serial::too-long (22 octets), zero: FAILURE', () => {
    const root = limboRoot();
    fails(limboServer({ leaf: limboLeaf(root, { serial: (1n << 175n) + 12345n }), anchors: [root] }), /serial number of 22 octets/);
    fails(limboServer({ leaf: limboLeaf(root, { serial: 0n }), anchors: [root] }), /serial number is zero/);
  });

  it('rfc5280::serial::negative: FAILURE, ours SUCCESS when the certificate is pinned (decision); a negative serial from a CA is refused', () => {
    // limbo's asset is a self-signed certificate that is both the anchor and the peer (a pin).
    const key = nodeKey('p256');
    const pinned = limboRoot({ key, serial: -12345n, isCA: false, keyUsage: ['digitalSignature'], extKeyUsage: ['serverAuth'] });
    expect(outcome(limboServer({ leaf: pinned, anchors: [pinned] }))).toBe('SUCCESS');
    const root = limboRoot();
    fails(limboServer({ leaf: limboLeaf(root, { serial: -12345n }), anchors: [root] }), /serial number is negative/);
  });

  it('rfc5280::ski::critical-ski (on the root): FAILURE', () => {
    const root = limboRoot({ critical: { subjectKeyIdentifier: true } });
    fails(limboServer({ leaf: limboLeaf(root), anchors: [root] }), /subjectKeyIdentifier is critical/);
  });

  it('rfc5280::ski::root-missing-ski: FAILURE, ours SUCCESS (decision: TWCA Global Root has none)', () => {
    const root = limboRoot({ omit: ['authorityKeyIdentifier', 'subjectKeyIdentifier'] });
    expect(outcome(limboServer({ leaf: limboLeaf(root), anchors: [root] }))).toBe('SUCCESS');
  });

  it('rfc5280::ski::intermediate-missing-ski: FAILURE', () => {
    const root = limboRoot();
    const ica = limboIntermediate(root, { omit: ['subjectKeyIdentifier'] });
    fails(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }), /without subjectKeyIdentifier/);
  });

  it('rfc5280::pc::ica-noncritical-pc: FAILURE', () => {
    const root = limboRoot();
    const pc = der.sequence(der.implicit(0, Uint8Array.of(3))); // requireExplicitPolicy 3
    const ica = limboIntermediate(root, { extraExtensions: [rawExtension(OID.policyConstraints, pc)] });
    fails(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }), /policyConstraints is not critical/);
  });

  it('rfc5280::san::malformed: FAILURE, the leaf does not parse', () => {
    const root = limboRoot();
    expect(() => limboLeaf(root, { sans: {}, extraExtensions: [rawExtension(OID.subjectAltName, new TextEncoder().encode('example.com'))] })).toThrow();
  });

  it('rfc5280::san::noncritical-with-empty-subject: FAILURE', () => {
    const root = limboRoot();
    fails(limboServer({ leaf: limboLeaf(root, { subject: {}, critical: { subjectAltName: false } }), anchors: [root] }), /empty subject without a critical subjectAltName/);
  });

  it('rfc5280::san::underscore-dns (id only; source not read): a dNSName with "_" is refused by webpki', () => {
    const root = limboRoot();
    const c = limboServer({ leaf: limboLeaf(root, { sans: { dns: ['foo_bar.example.com', 'example.com'] } }), anchors: [root] });
    fails(c, /underscore/);
  });
});

describe('x509-limbo rfc5280::validity::* (validity.py)', () => {
  const at = (iso: string) => Date.parse(iso);
  const chain = (rootSpan: [string, string], icaSpan: [string, string], leafSpan: [string, string]) => {
    const root = limboRoot({ notBefore: at(rootSpan[0]), notAfter: at(rootSpan[1]) });
    const ica = limboIntermediate(root, { notBefore: at(icaSpan[0]), notAfter: at(icaSpan[1]) });
    return { leaf: limboLeaf(ica, { notBefore: at(leafSpan[0]), notAfter: at(leafSpan[1]) }), intermediates: [ica], anchors: [root] };
  };

  it('rfc5280::validity::expired-root, expired-intermediate, expired-leaf: FAILURE', () => {
    const now = at('2022-01-01T00:00:00Z');
    fails(limboServer({ ...chain(['2016-01-01T00:00:00Z', '2020-01-01T00:00:00Z'], ['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2018-01-01T00:00:00Z', '2023-01-01T00:00:00Z']), now }), /expired|not valid/);
    fails(limboServer({ ...chain(['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2016-01-01T00:00:00Z', '2020-01-01T00:00:00Z'], ['2018-01-01T00:00:00Z', '2023-01-01T00:00:00Z']), now }), /expired|not valid/);
    fails(limboServer({ ...chain(['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2018-01-01T00:00:00Z', '2021-01-01T00:00:00Z']), now }), /expired|not valid/);
  });

  it('rfc5280::validity::notbefore-exact, notafter-exact: SUCCESS; notbefore-fractional: FAILURE; notafter-fractional: SUCCESS', () => {
    const span: [string, string] = ['2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'];
    succeeds(limboServer({ ...chain(span, span, span), now: at(span[0]) }));
    succeeds(limboServer({ ...chain(span, span, span), now: at(span[1]) }));
    succeeds(limboServer({ ...chain(span, span, span), now: at(span[1]) + 5 }));
    const late: [string, string] = ['2024-03-01T00:00:01Z', '2024-04-01T00:00:00Z'];
    fails(limboServer({ ...chain(late, late, late), now: at(late[0]) - 1 }), /not yet valid|not valid/);
  });
});
