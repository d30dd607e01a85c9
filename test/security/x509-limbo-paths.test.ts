// x509-limbo's path-building cases (limbo/testcases/pathlen.py, ee_pathlen.py, pathological.py,
// invalid.py) and its CRL cases of rfc5280/crl.py, one test each, rebuilt with our builder in limbo's shapes
// (limbo-shapes.ts). CRLs are passed as limbo's harness passes them: the case's list, default
// unknownRevocationStatus ('allow': a certificate whose issuer has no CRL is not checked).
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { verifyChain } from '../../src/auth/chain.js';
import { DerReader } from '../../src/auth/der.js';
import { parseCertificate } from '../../src/auth/x509.js';
import type { Certificate } from '../../src/auth/x509.js';
import { DAY, nodeKey, provider, random } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';
import type { Case } from './path-helpers.js';
import { fails, LIMBO_NOW, limboIntermediate, limboLeaf, limboRoot, limboServer, succeeds } from './limbo-shapes.js';

describe('x509-limbo pathlen::* (pathlen.py) and ee-pathlen::* (ee_pathlen.py)', () => {
  it('pathlen::ee-with-intermediate-pathlen-0, -1, -2: SUCCESS (and ee-pathlen::* under client validation)', () => {
    for (const pathLen of [0, 1, 2]) {
      const root = limboRoot();
      const ica = limboIntermediate(root, { pathLen });
      succeeds(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }));
      const clientLeaf = limboLeaf(ica, { extKeyUsage: ['clientAuth'] });
      succeeds({ leaf: clientLeaf, intermediates: [ica], anchors: [root], purpose: 'clientAuth' });
    }
  });

  it('pathlen::validation-ignores-pathlen-in-leaf: SUCCESS, ours FAILURE (decision: a CA certificate is no leaf, BR §7.1.2.7.8)', () => {
    const root = limboRoot();
    const first = limboIntermediate(root, { pathLen: 0 });
    const second = limboIntermediate(first, { pathLen: 0 });
    fails(limboServer({ leaf: second, intermediates: [first], anchors: [root] }), /is a CA certificate/);
  });

  it('pathlen::intermediate-violates-pathlen-0, intermediate-pathlen-too-long: FAILURE', () => {
    const root = limboRoot();
    const first = limboIntermediate(root, { pathLen: 0 });
    const second = limboIntermediate(first, { pathLen: 0 });
    fails(limboServer({ leaf: limboLeaf(second), intermediates: [first, second], anchors: [root] }), /pathLenConstraint/);
    const a = limboIntermediate(root, { pathLen: 1 });
    const b = limboIntermediate(a, { pathLen: 0 });
    const c = limboIntermediate(b, { pathLen: 0 });
    fails(limboServer({ leaf: limboLeaf(c), intermediates: [a, b, c], anchors: [root] }), /pathLenConstraint/);
  });

  it('pathlen::intermediate-pathlen-may-increase: SUCCESS', () => {
    const root = limboRoot();
    const first = limboIntermediate(root, { pathLen: 1 });
    const second = limboIntermediate(first, { pathLen: 2 });
    succeeds(limboServer({ leaf: limboLeaf(second), intermediates: [first, second], anchors: [root] }));
  });

  it('pathlen::self-issued-certs-pathlen: SUCCESS (a self-issued CA is not counted, RFC 5280 §6.1.4(l))', () => {
    const root = limboRoot();
    const name = { CN: 'x509-limbo-intermediate-pathlen-1', OU: 'ICA prime' };
    const first = limboIntermediate(root, { pathLen: 1, subject: name });
    const second = limboIntermediate(first, { pathLen: 1, subject: name });
    expect(second.cert.subject.raw).toEqual(second.cert.issuer.raw);
    const third = limboIntermediate(second, { pathLen: 0 });
    succeeds(limboServer({ leaf: limboLeaf(third), intermediates: [first, second, third], anchors: [root] }));
  });
});

describe('x509-limbo pathlen::max-chain-depth-* (ids only; source not read): limbo counts intermediates, our maxDepth the whole path', () => {
  // limbo's max_chain_depth N (pyca/cryptography's: intermediates between leaf and anchor) is our maxDepth N + 2.
  const depth = (intermediateCount: number, maxDepth: number) => {
    const root = limboRoot();
    const cas: Issued[] = [];
    for (let i = 0; i < intermediateCount; i++) cas.push(limboIntermediate(cas[i - 1] ?? root));
    const leaf = limboLeaf(cas.at(-1) ?? root);
    return verifyChain({ leaf: leaf.cert, intermediates: cas.map((x) => x.cert), anchors: [root.cert], now: LIMBO_NOW, purpose: 'serverAuth', provider, hostname: 'example.com', maxDepth });
  };

  it('max-chain-depth-0: SUCCESS, -0-exhausted: FAILURE; max-chain-depth-1: SUCCESS, -1-exhausted: FAILURE', () => {
    expect(depth(0, 0 + 2)).toMatchObject({ ok: true });
    expect(depth(1, 0 + 2)).toMatchObject({ ok: false, detail: expect.stringMatching(/within 2 certificates/) });
    expect(depth(1, 1 + 2)).toMatchObject({ ok: true });
    expect(depth(2, 1 + 2)).toMatchObject({ ok: false, detail: expect.stringMatching(/within 3 certificates/) });
  });
});

describe('x509-limbo pathological::* (pathological.py) and invalid::* (invalid.py)', () => {
  it('pathological::multiple-chains-expired-intermediate: SUCCESS (the "chain of pain": the expired cross-sign is passed over)', () => {
    const root = limboRoot();
    const root2 = limboRoot({ name: { CN: 'x509-limbo-root-2' } });
    const expired = limboIntermediate(root2, { pathLen: 1, subject: { CN: 'x509-limbo-root' }, key: root.key, notAfter: Date.UTC(1988, 10, 25) });
    succeeds(limboServer({ leaf: limboLeaf(root), intermediates: [expired], anchors: [root, root2] }));
  });

  it('pathological::intermediate-cycle-distinct-cas, -max-depth, intermediate-cycle-same-logical-ca: FAILURE', () => {
    for (const names of [['intermediate-cycle-distinct-ca1', 'intermediate-cycle-distinct-ca2'], ['intermediate-cycle-same-logical-ca', 'intermediate-cycle-same-logical-ca']]) {
      const root = limboRoot();
      const [k1, k2] = [nodeKey('p256'), nodeKey('p256')];
      const stub1 = limboRoot({ key: k1, name: { CN: names[0]! } });
      const stub2 = limboRoot({ key: k2, name: { CN: names[1]! } });
      const ica1 = limboIntermediate(stub2, { key: k1, subject: { CN: names[0]! }, sans: {} });
      const ica2 = limboIntermediate(stub1, { key: k2, subject: { CN: names[1]! }, sans: {} });
      const c: Case = limboServer({ leaf: limboLeaf(ica1), intermediates: [ica1, ica2], anchors: [root] });
      fails(c, /no trust anchor|issuer/);
      // limbo's -max-depth variant asks for a depth of 255: the cycle still ends, within the signature budget.
      fails({ ...c }, /no trust anchor|issuer/);
      const deep = verifyChain({ leaf: c.leaf.cert, intermediates: [ica1.cert, ica2.cert], anchors: [root.cert], now: c.now!, purpose: 'serverAuth', provider, maxDepth: 255 });
      expect(deep.ok).toBe(false);
    }
  });

  it('pathological::nc-dos-1: FAILURE (feature denial-of-service: 1027 subtrees against 514 SANs)', () => {
    const permitted = [...Array.from({ length: 513 }, (_, i) => `t${i}.test`), '.test'];
    const root = limboRoot({ nameConstraints: { permitted: permitted.map((dns) => ({ dns })), excluded: Array.from({ length: 513 }, (_, i) => ({ dns: `x${i}.test` })) } });
    const leaf = limboLeaf(root, { subject: {}, sans: { dns: permitted } });
    const c = limboServer({ leaf, anchors: [root], hostname: 't0.test' });
    // webpki refuses the leaf's ".test" dNSName before any comparison; rfc5280 refuses the ".test" constraint.
    fails(c, /"\.test" has an empty or over-long label/);
    fails({ ...c, profile: 'rfc5280' }, /constraint "\.test" has a leading "\."/);
    // Without those two defects the comparison budget ends the work (docs/path-validation.md, Work limits).
    const clean = limboRoot({ nameConstraints: { permitted: permitted.slice(0, 513).map((dns) => ({ dns })), excluded: Array.from({ length: 513 }, (_, i) => ({ dns: `x${i}.test` })) } });
    fails(limboServer({ leaf: limboLeaf(clean, { subject: {}, sans: { dns: permitted.slice(0, 513) } }), anchors: [clean], hostname: 't0.test' }), /name constraint comparisons|comparisons/);
  });

  it('invalid::invalid-issuer-key (an intermediate whose key is an empty RSA key, under an untrusted root): FAILURE', () => {
    const root1 = limboRoot();
    const root2 = limboRoot();
    const ica = limboIntermediate(root2);
    // limbo's key: an rsaEncryption SubjectPublicKeyInfo with an empty BIT STRING, put in place of the real one.
    const emptyRsa = der.sequence(der.sequence(der.oid('1.2.840.113549.1.1.1'), der.null()), der.bitString(new Uint8Array(0)));
    const broken = withSubjectPublicKeyInfo(ica.der, emptyRsa);
    let parsed: Certificate | undefined;
    try {
      parsed = parseCertificate(broken);
    } catch (e) {
      expect(String(e)).toMatch(/RSA|key|BIT STRING|DER/i);
    }
    const leaf = limboLeaf(ica);
    const verdict = verifyChain({ leaf: leaf.cert, intermediates: parsed ? [parsed] : [], anchors: [root1.cert], now: LIMBO_NOW, purpose: 'serverAuth', provider, hostname: 'example.com' });
    expect(verdict).toMatchObject({ ok: false, reason: 'UnknownCa' });
  });
});

/** `certificate` with its subjectPublicKeyInfo replaced (the signature no longer matters: nothing trusts its issuer). */
function withSubjectPublicKeyInfo(certificate: Uint8Array, spki: Uint8Array): Uint8Array {
  const outer = new DerReader(certificate).sequence();
  const tbs = outer.sequence();
  const fields: Uint8Array[] = [];
  while (!tbs.atEnd) fields.push(tbs.element().raw);
  fields[6] = spki; // version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
  return der.sequence(der.sequence(...fields), outer.element().raw, outer.element().raw);
}

describe('x509-limbo rfc5280::crl::* (rfc5280/crl.py)', () => {
  const NOW = Date.UTC(2024, 0, 1);
  const crl = (signer: Issued, spec: Partial<Parameters<typeof buildCrl>[0]> = {}) =>
    parseCrl(buildCrl({ issuer: signer.cert, signingKey: signer.key.privateKey, thisUpdate: NOW - DAY, nextUpdate: NOW + 7 * DAY, revoked: [], ...spec }, provider, random));
  const check = (c: Case, crls: ReturnType<typeof parseCrl>[]) =>
    verifyChain({ leaf: c.leaf.cert, intermediates: [], anchors: c.anchors.map((a) => a.cert), now: NOW, purpose: 'serverAuth', provider, hostname: c.hostname!, crls });
  const crlRoot = () => limboRoot({ keyUsage: ['keyCertSign', 'cRLSign'] });
  const simple = (root: Issued, leafSans = ['example.com']) => limboServer({ leaf: limboLeaf(root, { sans: { dns: leafSans } }), anchors: [root], hostname: leafSans[0]! });

  it('revoked-certificate-with-crl: FAILURE; certificate-not-on-crl, crl-empty, crl-very-large (10 000 entries): SUCCESS', () => {
    const root = crlRoot();
    const c = simple(root, ['revoked.example.com']);
    expect(check(c, [crl(root, { revoked: [{ serial: BigInt('0x' + c.leaf.cert.serialNumber) }] })])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    expect(check(c, [crl(root, { revoked: [{ serial: 7n }, { serial: 8n }] })])).toMatchObject({ ok: true });
    expect(check(c, [crl(root)])).toMatchObject({ ok: true });
    const many = Array.from({ length: 10_000 }, (_, i) => ({ serial: BigInt(i + 1) << 64n }));
    expect(check(c, [crl(root, { revoked: many })])).toMatchObject({ ok: true });
  });

  it('certificate-serial-on-crl-different-issuer: SUCCESS (another root\'s CRL listing the serial says nothing of this leaf)', () => {
    const root1 = limboRoot({ name: { CN: 'Root CA 1' }, keyUsage: ['keyCertSign', 'cRLSign'] });
    const root2 = limboRoot({ name: { CN: 'Root CA 2' }, keyUsage: ['keyCertSign', 'cRLSign'] });
    const c = simple(root1);
    const serial = BigInt('0x' + c.leaf.cert.serialNumber);
    expect(check({ ...c, anchors: [root1, root2] }, [crl(root1), crl(root2, { revoked: [{ serial }] })])).toMatchObject({ ok: true });
  });

  it('crlnumber-missing, crlnumber-critical: FAILURE', () => {
    const root = crlRoot();
    const c = simple(root);
    expect(check(c, [crl(root, { crlNumber: null, revoked: [{ serial: 99n }] })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    expect(check(c, [crl(root, { crlNumber: 12345n, crlNumberCritical: true, revoked: [{ serial: 99n }] })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
  });

  it('issuer-missing-crlsign: FAILURE; issuer-no-keyusage-extension, issuer-valid-crlsign-and-keycertsign: SUCCESS', () => {
    const noCrlSign = limboRoot();
    expect(check(simple(noCrlSign), [crl(noCrlSign, { revoked: [{ serial: 99n }] })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    const noKu = limboRoot({ omit: ['authorityKeyIdentifier', 'keyUsage'] });
    expect(check(simple(noKu), [crl(noKu, { revoked: [{ serial: 99n }] })])).toMatchObject({ ok: true });
    const both = crlRoot();
    expect(check(simple(both), [crl(both, { revoked: [{ serial: 99n }] })])).toMatchObject({ ok: true });
  });

  it('crl-invalid-signature, crl-wrong-signing-key: FAILURE (no CRL of the issuer verifies)', () => {
    const root = crlRoot();
    const c = simple(root);
    const impostor = { ...root, key: nodeKey('p256') };
    expect(check(c, [crl(impostor, { revoked: [{ serial: 99n }] })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    const root1 = limboRoot({ name: { CN: 'Root CA 1' }, keyUsage: ['keyCertSign', 'cRLSign'] });
    const root2 = limboRoot({ name: { CN: 'Root CA 2' }, keyUsage: ['keyCertSign', 'cRLSign'] });
    const signedByRoot2 = crl({ ...root1, key: root2.key });
    expect(check({ ...simple(root1), anchors: [root1, root2] }, [signedByRoot2])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
  });

  it('crl-unknown-critical-extension: FAILURE; crl-unknown-noncritical-extension: SUCCESS', () => {
    const root = crlRoot();
    const c = simple(root);
    const unknown = (critical: boolean) => [{ oid: '1.3.6.1.4.1.55738.666.1', critical, value: new Uint8Array(0) }];
    expect(check(c, [crl(root, { extraExtensions: unknown(true) })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    expect(check(c, [crl(root, { extraExtensions: unknown(false) })])).toMatchObject({ ok: true });
  });

  it('entry-unknown-critical-extension: FAILURE (the CRL is not used); entry-unknown-noncritical-extension: FAILURE (the entry revokes)', () => {
    const root = crlRoot();
    const c = simple(root);
    const serial = BigInt('0x' + c.leaf.cert.serialNumber);
    const entry = (critical: boolean) => [{ serial, date: NOW - DAY, extensions: [{ oid: '1.3.6.1.4.1.55738.666.1', critical, value: new Uint8Array(0) }] }];
    expect(check(c, [crl(root, { revoked: entry(true) })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    expect(check(c, [crl(root, { revoked: entry(false) })])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('this-update-in-future, next-update-in-past, crl-validity-no-overlap: FAILURE', () => {
    const root = crlRoot();
    const c = simple(root);
    expect(check(c, [crl(root, { thisUpdate: NOW + DAY, nextUpdate: NOW + 30 * DAY })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    expect(check(c, [crl(root, { thisUpdate: NOW - 60 * DAY, nextUpdate: NOW - 30 * DAY })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
    const recentLeaf = limboServer({ leaf: limboLeaf(root, { notBefore: NOW - 30 * DAY, notAfter: NOW + 30 * DAY }), anchors: [root] });
    expect(check(recentLeaf, [crl(root, { thisUpdate: NOW - 365 * DAY, nextUpdate: NOW - 180 * DAY })])).toMatchObject({ ok: false, reason: 'CertificateUnknown' });
  });

  it('revocation-date-in-future, revocation-date-before-not-before: FAILURE (listed is revoked, whatever the date)', () => {
    const root = crlRoot();
    const c = limboServer({ leaf: limboLeaf(root, { notBefore: NOW - 30 * DAY }), anchors: [root] });
    const serial = BigInt('0x' + c.leaf.cert.serialNumber);
    expect(check(c, [crl(root, { revoked: [{ serial, date: NOW + DAY }] })])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    expect(check(c, [crl(root, { revoked: [{ serial, date: NOW - 60 * DAY }] })])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });
});
