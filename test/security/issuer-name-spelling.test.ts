// Path building compares a certificate's issuer with its CA's subject as RFC 5280 §7.1 says (§6.1.3(a)(4)), no
// longer byte for byte: a CA whose software spells its own name one way in its subject and another in what it
// issues (PrintableString for UTF8String, letter case, spaces) is the same CA. Attacker's scripts against the
// widening: a name §7.1 keeps apart must not chain even where the CA's own key signed, and the three other users
// of name equality (self-issued, the CRL's issuer, directoryName constraints) must agree with chaining.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { issue, nodeKey, NOW, provider, type Issued } from '../auth/helpers.js';
import { accepted, ca, constrainedRoot, leaf, refused, root } from './path-helpers.js';

const random = seededRandom('issuer-name-spelling');
const rdn = (oid: string, value: Uint8Array) => der.set(der.sequence(der.oid(oid), value));
/** The CA `issued` as a certificate it issues names it: its subject's DER replaced by `raw`. */
const spelt = (issued: Issued, raw: Uint8Array): Issued => ({ ...issued, cert: { ...issued.cert, subject: { ...issued.cert.subject, raw } } });
/** O=tls13-lab, CN=<cn> in the string types and spellings given. */
const nameOf = (o: Uint8Array, cn: Uint8Array) => der.sequence(rdn(OID.organizationName, o), rdn(OID.commonName, cn));
const teletex = (v: string) => der.tlv(0x14, Uint8Array.from(v, (ch) => ch.charCodeAt(0)));

const int = ca(); // O=tls13-lab, CN=Attacker CA, UTF8String
const SAME_NAME = {
  'PrintableString for UTF8String': nameOf(der.printableString('tls13-lab'), der.printableString('Attacker CA')),
  'other letter case and spaces': nameOf(der.utf8String('TLS13-LAB'), der.utf8String('  attacker   CA ')),
};
const OTHER_NAME = {
  'an embedded NUL': nameOf(der.utf8String('tls13-lab'), der.utf8String('Attacker CA\0')),
  'a TeletexString of the same letters': nameOf(der.utf8String('tls13-lab'), teletex('Attacker CA')),
  'the values under swapped attribute types': der.sequence(rdn(OID.organizationName, der.utf8String('Attacker CA')), rdn(OID.commonName, der.utf8String('tls13-lab'))),
  'one multi-valued RDN for two RDNs': der.sequence(der.set(der.sequence(der.oid(OID.organizationName), der.utf8String('tls13-lab')), der.sequence(der.oid(OID.commonName), der.utf8String('Attacker CA')))),
};

describe("a certificate's issuer spelt otherwise than its CA's subject (RFC 5280 §6.1.3(a)(4), §7.1)", () => {
  for (const [how, raw] of Object.entries(SAME_NAME)) {
    it(`${how}: the same CA, the chain validates (was unknown_ca)`, () => {
      expect(raw).not.toEqual(int.cert.subject.raw);
      accepted({ leaf: leaf(spelt(int, raw), { dns: ['a.example'] }), intermediates: [int], anchors: [root] });
      // The anchor's name spelt otherwise in the intermediate it issued.
      const rootSpelt = nameOf(der.printableString('TLS13-LAB'), der.printableString('ROOT'));
      const int2 = ca({}, spelt(root, rootSpelt));
      accepted({ leaf: leaf(int2, { dns: ['a.example'] }), intermediates: [int2], anchors: [root] });
    });
  }

  for (const [how, raw] of Object.entries(OTHER_NAME)) {
    it(`${how}: another name, no candidate issuer, though the CA's own key signed`, () => {
      refused({ leaf: leaf(spelt(int, raw), { dns: ['a.example'] }), intermediates: [int], anchors: [root] }, 'UnknownCa', /no trust anchor issued the chain/);
    });
  }

  it('self-issued is judged by the same comparison: a key rollover spelt otherwise is not counted against pathLen, a NUL makes another name', () => {
    const capped = ca({ pathLen: 0 });
    const key = nodeKey('p256');
    // Subject O=tls13-lab, CN=Attacker CA in UTF8String, issuer the same name in PrintableString: self-issued (§6.1).
    const rollover = issue({ O: 'tls13-lab', CN: 'Attacker CA' }, key, spelt(capped, SAME_NAME['PrintableString for UTF8String']), { isCA: true });
    expect(rollover.cert.issuer.raw).not.toEqual(rollover.cert.subject.raw);
    accepted({ leaf: leaf(rollover, { dns: ['a.example'] }), intermediates: [rollover, capped], anchors: [root] });
    // "Attacker CA\0" is not "Attacker CA" (RFC 4518 §2.2 would map the NUL to nothing): a CA below a pathLen 0 CA.
    const sneaky = issue({ O: 'tls13-lab', CN: 'Attacker CA\0' }, key, capped, { isCA: true });
    refused({ leaf: leaf(sneaky, { dns: ['a.example'] }), intermediates: [sneaky, capped], anchors: [root] }, 'BadCertificate', /pathLenConstraint 0 but 1 CA certificates follow it/);
  });

  it("the CA's CRL speaks for what it issued under another spelling of its name: the revoked certificate is refused", () => {
    const victim = leaf(spelt(int, SAME_NAME['other letter case and spaces']), { dns: ['a.example'] });
    const crl = parseCrl(buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [{ serial: BigInt('0x' + victim.cert.serialNumber) }] }, provider, random));
    expect(crl.issuer.raw).not.toEqual(victim.cert.issuer.raw);
    expect(verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] })).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('a subject that §7.1 cannot prepare fails closed under directoryName constraints (it could not be shown outside an excluded subtree)', () => {
    const anchor = constrainedRoot(undefined, [{ dn: { O: 'Evil' } }]);
    const below = (cn: string) => leaf(anchor, { dns: ['a.example'] }, {}, { O: 'tls13-lab', CN: cn });
    accepted({ leaf: below('server'), anchors: [anchor] });
    refused({ leaf: below('server\0'), anchors: [anchor] }, 'BadCertificate', /the subject DN of "CN=server.*" cannot be checked against the nameConstraints/);
  });
});
