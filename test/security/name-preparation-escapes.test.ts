// Red team, session 14 (docs/security.md "Red team, session 14: names"): RFC 5280 §7.1 compares names after RFC 4518
// preparation, and a sub-CA under an excluded directoryName subtree (§4.2.1.10) is the attacker. A spelling that
// RFC 4518 makes the same name as the excluded one (an invisible format character, NEL for a space, a case folding
// that lower case alone does not do) escaped the subtree. Chaining, self-issued and CRL issuers ask the same
// comparison (name-match.ts), so the same spellings are one name there too; the tests below show it for each use.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { readSingle } from '../../src/auth/der.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { comparableName, sameDistinguishedName } from '../../src/auth/path/name-match.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { readName } from '../../src/auth/x509.js';
import { seededRandom } from '../../src/crypto/random.js';
import { NOW, provider, type Issued } from '../auth/helpers.js';
import { accepted, ca, constrainedRoot, leaf, refused, root } from './path-helpers.js';

const random = seededRandom('name-preparation-escapes');
/** A Name of one RDN, O=<value> in a UTF8String, parsed as a certificate's would be. */
const organization = (value: string) =>
  readSingle(der.sequence(der.set(der.sequence(der.oid(OID.organizationName), der.utf8String(value)))), (r) => readName(r, 'name'));

/** Spellings RFC 4518 makes the excluded names, and what each uses. */
const SAME_AS_EXCLUDED: [string, string][] = [
  ['NEL (U+0085) for the space (§2.2 maps it to SPACE)', 'Evil\u0085Corp'],
  ['a bidi isolate around the value (Cf, §2.2 maps it to nothing)', '\u2066Evil Corp\u2069'],
  ['an Arabic letter mark (Cf)', 'Evil\u061c Corp'],
  ['a tag character (U+E0041, listed in §2.2)', 'Evil Corp\u{e0041}'],
  ['a musical format symbol (U+1D173, listed in §2.2)', 'Evil\u{1d173} Corp'],
  ['a variation selector beyond FE0F (U+E0100)', 'Evil\u{e0100} Corp'],
  ['ß for SS (full case folding, RFC 3454 B.2)', 'Straße AG'],
  ['the capital ẞ for SS', 'STRAẞE AG'],
  ['σ for a final ς', 'ΟΔΟσ'],
];

describe('an excluded directoryName subtree catches every spelling RFC 4518 makes the same name (§4.2.1.10, §7.1)', () => {
  const anchor = constrainedRoot(undefined, [{ dn: { O: 'Evil Corp' } }, { dn: { O: 'STRASSE AG' } }, { dn: { O: 'οδος' } }]);
  const below = (o: string) => leaf(anchor, { dns: ['a.example'] }, {}, { O: o, CN: 'server' });
  const excluded = /O=.*" is in an excluded subtree of "CN=Constrained Root"|the subject DN of "CN=server,O=.*" is in an excluded subtree/;

  it('control: another organization passes, the excluded ones in their own spelling do not', () => {
    accepted({ leaf: below('Good Corp'), anchors: [anchor] });
    for (const o of ['Evil Corp', 'evil  CORP', 'strasse ag', 'ΟΔΟΣ']) refused({ leaf: below(o), anchors: [anchor] }, 'BadCertificate', excluded);
  });

  for (const [how, o] of SAME_AS_EXCLUDED) {
    it(`${how}: refused (was inside no excluded subtree)`, () => {
      refused({ leaf: below(o), anchors: [anchor] }, 'BadCertificate', excluded);
    });
  }

  it('the same spellings in a subjectAltName directoryName are refused as well', () => {
    const sanBelow = (o: string) => leaf(anchor, { dns: ['a.example'], dn: [{ O: o }] });
    accepted({ leaf: sanBelow('Good Corp'), anchors: [anchor] });
    for (const [, o] of SAME_AS_EXCLUDED) refused({ leaf: sanBelow(o), anchors: [anchor] }, 'BadCertificate', /DN:O=.* is in an excluded subtree/);
  });

  it('a permitted subtree takes them as the same name too (one comparison, both directions)', () => {
    const permitting = constrainedRoot([{ dn: { O: 'Strasse AG' } }]);
    for (const o of ['Straße AG', 'STRAẞE AG', 'STRASSE\u00ad AG']) accepted({ leaf: leaf(permitting, { dns: ['a.example'] }, {}, { O: o, CN: 'server' }), anchors: [permitting] });
    refused({ leaf: leaf(permitting, { dns: ['a.example'] }, {}, { O: 'Strase AG', CN: 'server' }), anchors: [permitting] }, 'BadCertificate', /outside the permitted subtrees/);
  });
});

describe('chaining and CRL issuers agree with the constraints on those spellings', () => {
  /** The CA `issued` as a certificate it issues names it: its subject's DER replaced by `raw`. */
  const spelt = (issued: Issued, raw: Uint8Array): Issued => ({ ...issued, cert: { ...issued.cert, subject: { ...issued.cert.subject, raw } } });
  const int = ca({}, root, 'Straße CA'); // O=tls13-lab, CN=Straße CA
  const respelt = der.sequence(
    der.set(der.sequence(der.oid(OID.organizationName), der.printableString('TLS13-LAB'))),
    der.set(der.sequence(der.oid(OID.commonName), der.utf8String('STRASSE\u2060 CA'))),
  );

  it('a certificate naming its CA "STRASSE<word joiner> CA" chains to "Straße CA", and the CA\'s CRL revokes it', () => {
    const victim = leaf(spelt(int, respelt), { dns: ['a.example'] });
    expect(victim.cert.issuer.raw).not.toEqual(int.cert.subject.raw);
    accepted({ leaf: victim, intermediates: [int], anchors: [root] });
    const crl = parseCrl(buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [{ serial: BigInt('0x' + victim.cert.serialNumber) }] }, provider, random));
    expect(verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] })).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('each spelling is the same name as the excluded one for sameDistinguishedName (chaining, self-issued, CRLs)', () => {
    const target = (o: string) => (/Evil/.test(o) ? 'Evil Corp' : /Stra/i.test(o) ? 'STRASSE AG' : 'ΟΔΟΣ');
    for (const [how, o] of SAME_AS_EXCLUDED) expect(sameDistinguishedName(organization(o), organization(target(o))), how).toBe(true);
    // and the dotless ı, which case folding keeps, is not i
    expect(sameDistinguishedName(organization('Fırma'), organization('Firma'))).toBe(false);
  });
});

describe('bounded work: a value NFKC would reorder at the square of its length has no prepared form', () => {
  // 40 marks of two combining classes, the lower class last: NFKC sorts them (UAX #15 §13, stream-safe text has at
  // most 30 non-starters in a row). The 64 KB form of this, 32 000 marks, cost ~0.5 s of CPU to prepare.
  const marks = (n: number) => '\u0301'.repeat(n / 2) + '\u0316'.repeat(n / 2);

  it('30 combining marks in a row are prepared, 31 or more are not (and halfwidth voiced marks count)', () => {
    expect(comparableName(organization('a' + marks(30)))).toBeDefined();
    expect(comparableName(organization('a' + marks(30) + '\u0301'))).toBeUndefined();
    expect(comparableName(organization('ｶ' + '\uff9e'.repeat(31)))).toBeUndefined();
    expect(comparableName(organization(('a' + marks(30)).repeat(50)))).toBeDefined();
  });

  it('such a name equals only its own bytes, and fails closed under a directoryName constraint', () => {
    const name = organization('Evil Corp' + marks(40));
    expect(sameDistinguishedName(name, organization('Evil Corp' + marks(40)))).toBe(true);
    expect(sameDistinguishedName(name, organization('EVIL CORP' + marks(40)))).toBe(false);
    const anchor = constrainedRoot(undefined, [{ dn: { O: 'Evil Corp' } }]);
    refused({ leaf: leaf(anchor, { dns: ['a.example'] }, {}, { O: 'Evil Corp' + marks(40), CN: 'server' }), anchors: [anchor] }, 'BadCertificate', /cannot be checked against the nameConstraints/);
  });
});
