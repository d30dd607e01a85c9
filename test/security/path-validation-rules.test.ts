// Attacker's scripts for the RFC 5280 and Baseline Requirements rules that public test suites
// (x509-limbo's case descriptions) hold validators to, beyond path-validation.test.ts. Each case is a
// chain a hostile or careless CA could issue, varied one defect at a time, under the profile the rule
// belongs to; where the other profile takes the chain, that is asserted too.
import { describe, it } from 'vitest';
import type { CertificateSpec } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { contextTag } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';
import type { ProfileName } from '../../src/auth/chain.js';
import type { Reason } from '../../src/wire/errors.js';
import { issue, nodeKey, NOW } from '../auth/helpers.js';
import { accepted, ca, caKey, leaf, leafKey, refused, root, rootKey } from './path-helpers.js';
import type { Case, Extra } from './path-helpers.js';

type Sans = NonNullable<CertificateSpec['sans']>;

const underCa = (caExtra: Extra, sans: Sans, leafExtra: Extra = {}, subject: Parameters<typeof issue>[0] = { CN: 'leaf' }): Case => {
  const int = ca(caExtra);
  return { leaf: leaf(int, sans, leafExtra, subject), intermediates: [int], anchors: [root] };
};
const inProfiles = (profiles: ProfileName[], c: Case, reason: Reason, detail: RegExp) => {
  for (const profile of profiles) refused({ ...c, profile }, reason, detail);
};
const BOTH: ProfileName[] = ['rfc5280', 'webpki'];

describe('name constraints: every name below is checked, and malformed names fail closed (RFC 5280 §4.2.1.10)', () => {
  it('a directoryName in the subjectAltName is checked against directoryName subtrees, not only the subject', () => {
    const excluded = underCa({ nameConstraints: { excluded: [{ dn: { O: 'Victim Bank' } }] } }, { dns: ['a.example'], dn: [{ O: 'Victim Bank', CN: 'teller' }] }, {}, { O: 'Other', CN: 'x' });
    inProfiles(BOTH, excluded, 'BadCertificate', /DN:CN=teller,O=Victim Bank of .* is in an excluded subtree/);
    const permitted = underCa({ nameConstraints: { permitted: [{ dn: { O: 'tls13-lab' } }] } }, { dns: ['a.example'], dn: [{ O: 'Evil', CN: 'x' }] }, {}, { O: 'tls13-lab', CN: 'x' });
    inProfiles(BOTH, permitted, 'BadCertificate', /DN:CN=x,O=Evil.* is outside the permitted subtrees/);
    accepted(underCa({ nameConstraints: { permitted: [{ dn: { O: 'tls13-lab' } }] } }, { dns: ['a.example'], dn: [{ O: 'tls13-lab', CN: 'y' }] }, {}, { O: 'tls13-lab', CN: 'x' }));
  });

  it('a dNSName with an empty label (".example.com") cannot pass a dNSName subtree, in either profile', () => {
    const c = underCa({ nameConstraints: { permitted: [{ dns: 'example.com' }] } }, { dns: ['.example.com', 'foo.example.com'] });
    inProfiles(BOTH, { ...c, hostname: 'foo.example.com' }, 'BadCertificate', /\.example\.com/);
  });

  it('a dNSName that is no DNS name (a NUL, a slash, a space, a partial wildcard) cannot pass a dNSName subtree, in either profile', () => {
    // rfc5280 (the client-certificate default) has no dns-name-syntax rule: the constraint itself must not take
    // "victim.example\0.attacker.example", which a C consumer of identity.dnsNames reads as victim.example.
    for (const name of ['victim.example\u0000.attacker.example', 'victim.example/.attacker.example', 'victim example.attacker.example', 'f*o.attacker.example']) {
      const c = underCa({ nameConstraints: { permitted: [{ dns: 'attacker.example' }] } }, { dns: [name, 'www.attacker.example'] });
      inProfiles(BOTH, { ...c, hostname: 'www.attacker.example' }, 'BadCertificate', /cannot be checked|dNSName/);
      refused({ ...c, hostname: 'www.attacker.example', profile: 'rfc5280' }, 'BadCertificate', /cannot be checked/);
    }
    accepted({ ...underCa({ nameConstraints: { permitted: [{ dns: 'attacker.example' }] } }, { dns: ['*.attacker.example', 'a_b.attacker.example.'] }), hostname: 'x.attacker.example', profile: 'rfc5280' });
  });

  it('a mailbox with two "@" cannot pass an rfc822Name subtree', () => {
    const int = ca({ nameConstraints: { permitted: [{ email: 'example.com' }] } });
    const client = issue({ CN: 'c' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans: { email: ['good@example.com', 'invalid@address@example.com'] } });
    inProfiles(BOTH, { leaf: client, intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /invalid@address@example\.com/);
  });

  it('a mailbox whose domain is no DNS name (a NUL, a slash, an address literal) cannot pass an rfc822Name subtree', () => {
    const int = ca({ nameConstraints: { permitted: [{ email: '.attacker.example' }] } });
    for (const email of ['ceo@victim.example\u0000.attacker.example', 'ceo@victim.example/.attacker.example', 'ceo@[10.0.0.1]']) {
      const client = issue({ CN: 'c' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans: { email: [email] } });
      inProfiles(BOTH, { leaf: client, intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /cannot be checked/);
    }
    const good = issue({ CN: 'c' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans: { email: ['ceo@mail.attacker.example'] } });
    accepted({ leaf: good, intermediates: [int], anchors: [root], purpose: 'clientAuth' });
  });

  it('nameConstraints only in CA certificates: a leaf carrying them is refused, critical or not', () => {
    for (const critical of [true, false]) {
      const c = underCa({}, { dns: ['a.example'] }, { nameConstraints: { permitted: [{ dns: 'a.example' }] }, critical: { nameConstraints: critical } });
      inProfiles(BOTH, c, 'BadCertificate', /nameConstraints in a certificate that is not a CA/);
    }
  });

  it('rfc5280: nameConstraints must be critical; webpki takes a non-critical one (BR §7.1.2.5.2)', () => {
    const anchor = issue({ CN: 'Constrained Root' }, rootKey, undefined, { isCA: true, nameConstraints: { permitted: [{ dns: 'example.com' }] }, critical: { nameConstraints: false } });
    const c: Case = { leaf: leaf(anchor, { dns: ['example.com'] }), anchors: [anchor], hostname: 'example.com' };
    refused({ ...c, profile: 'rfc5280' }, 'BadCertificate', /nameConstraints is not critical/);
    accepted({ ...c, profile: 'webpki' });
    // The non-critical constraint still binds under webpki.
    refused({ ...c, leaf: leaf(anchor, { dns: ['evil.test'] }), hostname: 'evil.test', profile: 'webpki' }, 'BadCertificate', /outside the permitted/);
  });

  it('rfc5280: a dNSName constraint with a leading "." is malformed; webpki reads it as "names below" (as rustls-webpki, NSS)', () => {
    const c = underCa({ nameConstraints: { permitted: [{ dns: '.corp.example' }] } }, { dns: ['x.corp.example'] });
    refused({ ...c, profile: 'rfc5280' }, 'BadCertificate', /dNSName constraint "\.corp\.example" has a leading "\."/);
    accepted({ ...c, profile: 'webpki' });
  });
});

describe('a CA certificate in the leaf position (RFC 5280 §4.2.1.9, §6.1; BR §7.1.2.7.8)', () => {
  it('is refused in both profiles (BR, rustls-webpki, pyca/cryptography), though RFC 5280 alone would let a CA end a path', () => {
    // On purpose: a peer whose own identity is a CA certificate is a misissuance signal, and the
    // mutual-TLS scenario 'ca-leaf' promises bad_certificate for a client under the default rfc5280 profile.
    const int = ca({ pathLen: 0 });
    const caLeaf = issue({ CN: 'ca.example' }, leafKey, int, { isCA: true, pathLen: 0, keyUsage: ['digitalSignature', 'keyCertSign'], extKeyUsage: ['serverAuth'], sans: { dns: ['ca.example'] } });
    inProfiles(BOTH, { leaf: caLeaf, intermediates: [int], anchors: [root], hostname: 'ca.example' }, 'BadCertificate', /is a CA certificate/);
  });
});

describe('pathLenConstraint (RFC 5280 §4.2.1.9, §6.1.4(l)(m))', () => {
  const chain = (...pathLens: (number | undefined)[]) => {
    let issuer = root;
    const cas = pathLens.map((pathLen, i) => (issuer = issue({ CN: `CA ${i}` }, caKey, issuer, { isCA: true, ...(pathLen === undefined ? {} : { pathLen }) })));
    return { leaf: leaf(issuer, { dns: ['a.example'] }), intermediates: cas, anchors: [root] };
  };
  it('counts the CAs below each CA, a later CA may raise its own limit, and the limit is enforced at every level', () => {
    for (const profile of BOTH) {
      accepted({ ...chain(0), profile });
      accepted({ ...chain(1, 2), profile });
      refused({ ...chain(0, 0), profile }, 'BadCertificate', /"CN=CA 0" has pathLenConstraint 0 but 1 CA certificates follow it/);
      refused({ ...chain(1, 0, 0), profile }, 'BadCertificate', /"CN=CA 1" has pathLenConstraint 0/);
    }
  });

  it('a self-issued CA (key rollover) is not counted', () => {
    const first = issue({ CN: 'Rollover CA' }, caKey, root, { isCA: true, pathLen: 1 });
    const rolled = issue({ CN: 'Rollover CA' }, nodeKey('p256'), first, { isCA: true, pathLen: 1 });
    const last = issue({ CN: 'Issuing CA' }, nodeKey('p256'), rolled, { isCA: true, pathLen: 0 });
    for (const profile of BOTH) accepted({ leaf: leaf(last, { dns: ['a.example'] }), intermediates: [first, rolled, last], anchors: [root], profile });
  });
});

describe('name constraints against wildcards (CVE-2025-61727)', () => {
  it('a wildcard that could stand for a name outside a permitted subtree, or inside an excluded one, is refused', () => {
    const permitsFoo = underCa({ nameConstraints: { permitted: [{ dns: 'foo.example.com' }] } }, { dns: ['*.example.com'] });
    inProfiles(BOTH, { ...permitsFoo, hostname: 'foo.example.com' }, 'BadCertificate', /DNS:\*\.example\.com .*outside the permitted/);
    const excludesBar = underCa({ nameConstraints: { permitted: [{ dns: 'example.com' }], excluded: [{ dns: 'bar.example.com' }] } }, { dns: ['*.example.com'] });
    inProfiles(BOTH, { ...excludesBar, hostname: 'bar.example.com' }, 'BadCertificate', /DNS:\*\.example\.com .*excluded/);
  });
});

describe('path building through cycles (x509-limbo pathological cases, CVE-2024-0567)', () => {
  const caNamed = (cn: string, key: ReturnType<typeof nodeKey>, issuer?: Parameters<typeof issue>[2]) => issue({ CN: cn }, key, issuer, { isCA: true });
  it('two CAs that sign for each other, reaching no anchor: unknown_ca, not a loop', () => {
    const [k1, k2] = [nodeKey('p256'), nodeKey('p256')];
    const ica1 = caNamed('Cycle 1', k1, caNamed('Cycle 2', k2));
    const ica2 = caNamed('Cycle 2', k2, ica1);
    inProfiles(BOTH, { leaf: leaf(ica1, { dns: ['a.example'] }), intermediates: [ica1, ica2], anchors: [root] }, 'UnknownCa', /no trust anchor/);
  });

  it('three roots cross-signed in a ring, with Root A trusted: the short path is found', () => {
    const [ka, kb, kc] = [nodeKey('p256'), nodeKey('p256'), nodeKey('p256')];
    const selfSigned = { A: caNamed('Root A', ka), B: caNamed('Root B', kb), C: caNamed('Root C', kc) };
    const keys = { A: ka, B: kb, C: kc };
    const cross = (['A', 'B', 'C'] as const).flatMap((x) => (['A', 'B', 'C'] as const).filter((y) => y !== x).map((y) => caNamed(`Root ${x}`, keys[x], selfSigned[y])));
    const a1 = caNamed('Intermediate A1', nodeKey('p256'), selfSigned.A);
    const subordinates = [caNamed('Intermediate B1', nodeKey('p256'), selfSigned.B), caNamed('Intermediate C1', nodeKey('p256'), selfSigned.C)];
    for (const profile of BOTH) accepted({ leaf: leaf(a1, { dns: ['a.example'] }), intermediates: [...cross, ...subordinates, a1], anchors: [selfSigned.A], profile });
  });
});

describe('path building goes on past a path that name constraints refuse (x509-limbo rfc5280::nc::nc-forbids-*-ica)', () => {
  // One logical intermediate (one key, one name) certified twice; the leaf names only its key and name.
  const sameCa = (issuer: Case['leaf'], sans?: Sans) => issue({ CN: 'an-intermediate' }, caKey, issuer, { isCA: true, ...(sans ? { sans } : {}) });
  const forbidding = (issuer: Case['leaf']) => issue({ CN: 'Forbidding CA' }, nodeKey('p256'), issuer, { isCA: true, nameConstraints: { excluded: [{ dns: 'forbidden.example' }] } });

  it('the copy under an untrusted root leads nowhere, the copy under a constraining CA it passes is taken', () => {
    const stray = issue({ CN: 'Stray Root' }, nodeKey('p256'), undefined, { isCA: true });
    const icaA = forbidding(root);
    const viaStray = sameCa(stray, { dns: ['forbidden.example'] });
    const viaA = sameCa(icaA);
    const ee = leaf(viaStray, { dns: ['permitted.example'] });
    for (const profile of BOTH) accepted({ leaf: ee, intermediates: [icaA, viaStray, viaA], anchors: [root], hostname: 'permitted.example', profile });
    // Control: without the clean copy, the constrained path is the only one, and refused.
    refused({ leaf: ee, intermediates: [icaA, sameCa(icaA, { dns: ['forbidden.example'] })], anchors: [root], hostname: 'permitted.example' }, 'BadCertificate', /excluded subtree/);
  });

  it('the copy a constraining CA refuses is passed over for the copy under another trusted root', () => {
    const rootB = issue({ CN: 'Root B' }, nodeKey('p256'), undefined, { isCA: true });
    const icaA = forbidding(root);
    const refusedCopy = sameCa(icaA, { dns: ['forbidden.example'] });
    const cleanCopy = sameCa(rootB, { dns: ['unconstrained-ica.example'] });
    const ee = leaf(refusedCopy, { dns: ['unconstrained.example'] });
    for (const profile of BOTH) accepted({ leaf: ee, intermediates: [icaA, refusedCopy, cleanCopy], anchors: [root, rootB], hostname: 'unconstrained.example', profile });
  });
});

describe('extKeyUsage in a CA certificate constrains what it issues, in both profiles (Go, OpenSSL, rustls-webpki)', () => {
  it('an intermediate for serverAuth only cannot issue a client certificate, even under rfc5280 (the client-certificate default)', () => {
    const webOnly = ca({ extKeyUsage: ['serverAuth'] });
    const client = issue({ CN: 'client' }, leafKey, webOnly, { extKeyUsage: ['clientAuth'] });
    inProfiles(BOTH, { leaf: client, intermediates: [webOnly], anchors: [root], purpose: 'clientAuth' }, 'UnsupportedCertificate', /CA extKeyUsage \[serverAuth\] does not include clientAuth/);
    // Controls: an intermediate without EKU, with the purpose, or (rfc5280) with anyExtendedKeyUsage issues it.
    for (const extKeyUsage of [[], ['clientAuth'], ['anyExtendedKeyUsage']]) {
      const int = ca({ extKeyUsage });
      accepted({ leaf: issue({ CN: 'client' }, leafKey, int, { extKeyUsage: ['clientAuth'] }), intermediates: [int], anchors: [root], purpose: 'clientAuth', profile: 'rfc5280' });
    }
  });
});

describe('trust anchors: the rules a root of yours is held to when it issues (x509-limbo rfc5280::*-root cases)', () => {
  const underRoot = (anchor: Case['leaf'], profile: ProfileName): Case => ({ leaf: leaf(anchor, { dns: ['a.example'] }), anchors: [anchor], hostname: 'a.example', profile });

  it('a root with an unknown critical extension is refused as issuer (RFC 5280 §4.2, as rustls-webpki, pyca/cryptography)', () => {
    const unknown = { oid: '1.3.6.1.4.1.55738.666.1', critical: true, value: der.null() };
    const marked = issue({ CN: 'Marked Root' }, rootKey, undefined, { isCA: true, extraExtensions: [unknown] });
    for (const profile of BOTH) refused(underRoot(marked, profile), 'UnsupportedCertificate', /"CN=Marked Root" has an unsupported critical extension 1\.3\.6\.1\.4\.1\.55738\.666\.1/);
    // Control: the same extension, not critical, is ignored.
    const plain = issue({ CN: 'Plain Root' }, rootKey, undefined, { isCA: true, extraExtensions: [{ ...unknown, critical: false }] });
    for (const profile of BOTH) accepted(underRoot(plain, profile));
  });

  it('a v3 root without basicConstraints cA may not sign certificates (§4.2.1.9 "MUST NOT be used to verify certificate signatures")', () => {
    // No keyUsage either, so no other rule (key-cert-sign-needs-ca) speaks first.
    const silent = issue({ CN: 'Silent Root' }, rootKey, undefined, { omit: ['keyUsage'] });
    for (const profile of BOTH) refused(underRoot(silent, profile), 'BadCertificate', /issuer "CN=Silent Root" is not a CA/);
    // Control: a version 1 root has no extensions to say it is a CA, and is taken as configured.
    const v1 = issue({ CN: 'V1 Root' }, rootKey, undefined, { version: 1, extKeyUsage: [], omit: ['subjectKeyIdentifier', 'authorityKeyIdentifier'] });
    for (const profile of BOTH) accepted(underRoot(v1, profile));
  });

  it("a root's extKeyUsage binds what it vouches for, under rfc5280 too (EKU chaining, as Go crypto/x509)", () => {
    const clientRoot = issue({ CN: 'Client Root' }, rootKey, undefined, { isCA: true, extKeyUsage: ['clientAuth'] });
    refused(underRoot(clientRoot, 'rfc5280'), 'UnsupportedCertificate', /"CN=Client Root": CA extKeyUsage \[clientAuth\] does not include serverAuth/);
    // Control: the purpose it names, and anyExtendedKeyUsage, are vouched for under rfc5280.
    const client = issue({ CN: 'client' }, leafKey, clientRoot, { extKeyUsage: ['clientAuth'] });
    accepted({ leaf: client, anchors: [clientRoot], purpose: 'clientAuth', profile: 'rfc5280' });
    const anyRoot = issue({ CN: 'Any Root' }, rootKey, undefined, { isCA: true, extKeyUsage: ['anyExtendedKeyUsage'] });
    accepted(underRoot(anyRoot, 'rfc5280'));
  });

  it('a subordinate CA you trust as anchor may carry the EKU the Baseline Requirements ask of it (BR §7.1.2.10.6); a root may not (§7.1.2.1.2)', () => {
    const tlsCa = ca({ extKeyUsage: ['serverAuth'] }, root, 'TLS Sub CA');
    for (const profile of BOTH) accepted(underRoot(tlsCa, profile));
    // What it says still binds: it does not vouch for a client.
    const client = issue({ CN: 'client' }, leafKey, tlsCa, { extKeyUsage: ['clientAuth'] });
    for (const profile of BOTH) refused({ leaf: client, anchors: [tlsCa], purpose: 'clientAuth', profile }, 'UnsupportedCertificate', /CA extKeyUsage \[serverAuth\] does not include clientAuth/);
    const ekuRoot = issue({ CN: 'EKU Root' }, rootKey, undefined, { isCA: true, extKeyUsage: ['serverAuth'] });
    refused(underRoot(ekuRoot, 'webpki'), 'UnsupportedCertificate', /root certificate with extKeyUsage/);
  });
});

describe('policy extensions: RFC 5280 asks CAs to mark them critical, and we do not process them', () => {
  it('a non-critical policyConstraints or inhibitAnyPolicy is refused as well as a critical one (§4.2.1.11, §4.2.1.14)', () => {
    for (const oid of [OID.policyConstraints, OID.inhibitAnyPolicy]) {
      const value = oid === OID.inhibitAnyPolicy ? der.integer(0) : der.sequence(der.implicit(0, Uint8Array.of(3)));
      inProfiles(BOTH, underCa({ extraExtensions: [{ oid, critical: false, value }] }, { dns: ['a.example'] }), 'BadCertificate', /is not critical/);
    }
  });
});

describe('validity at the granularity of its encoding: whole seconds (RFC 5280 §4.1.2.5)', () => {
  const second = Date.UTC(2030, 0, 15, 0, 0, 0);
  it('notAfter is inclusive for the whole second it names; notBefore is not reached a millisecond early', () => {
    const int = ca();
    const endsAt = leaf(int, { dns: ['a.example'] }, { notBefore: second - 86_400_000, notAfter: second });
    accepted({ leaf: endsAt, intermediates: [int], anchors: [root], now: second + 5 });
    accepted({ leaf: endsAt, intermediates: [int], anchors: [root], now: second + 999 });
    refused({ leaf: endsAt, intermediates: [int], anchors: [root], now: second + 1000 }, 'CertificateExpired', /expired/);
    const startsAt = leaf(int, { dns: ['a.example'] }, { notBefore: second + 1000, notAfter: NOW + 86_400_000 });
    refused({ leaf: startsAt, intermediates: [int], anchors: [root], now: second + 999 }, 'CertificateExpired', /not valid before/);
    accepted({ leaf: startsAt, intermediates: [int], anchors: [root], now: second + 1000 });
  });
});

describe('validity encoding: UTCTime through 2049 (RFC 5280 §4.1.2.5, as pyca/cryptography)', () => {
  it('a peer certificate with a GeneralizedTime before 2050 is refused; one from 2050 on is fine', () => {
    inProfiles(BOTH, underCa({}, { dns: ['a.example'] }, { validityAsGeneralizedTime: true }), 'BadCertificate', /notBefore .* is a GeneralizedTime/);
    const int = ca({ validityAsGeneralizedTime: true });
    inProfiles(BOTH, { leaf: leaf(int, { dns: ['a.example'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /GeneralizedTime/);
    // The builder writes a notAfter from 2050 on as GeneralizedTime, as RFC 5280 asks.
    const longInt = ca();
    const long = leaf(longInt, { dns: ['a.example'] }, { notAfter: Date.UTC(2051, 0, 1) });
    for (const profile of BOTH) accepted({ leaf: long, intermediates: [longInt], anchors: [root], profile });
  });
});

describe('webpki: the Baseline Requirements for subscriber certificates', () => {
  it('subjectAltName is critical only when the subject is empty (BR §7.1.2.7.12)', () => {
    const c = underCa({}, { dns: ['a.example'] }, { critical: { subjectAltName: true } });
    refused({ ...c, profile: 'webpki' }, 'BadCertificate', /critical subjectAltName with a non-empty subject/);
    accepted({ ...c, profile: 'rfc5280' });
  });

  it('a server certificate has no extKeyUsage a TLS server must not have (BR §7.1.2.7.10)', () => {
    for (const other of ['codeSigning', 'emailProtection', OID.timeStamping, OID.ocspSigning, '1.3.6.1.4.1.11129.2.4.4']) {
      const c = underCa({}, { dns: ['a.example'] }, { extKeyUsage: ['serverAuth', other] });
      refused({ ...c, profile: 'webpki' }, 'UnsupportedCertificate', /extKeyUsage .* not allowed in a TLS server certificate/);
      accepted({ ...c, profile: 'rfc5280' });
    }
    accepted({ ...underCa({}, { dns: ['a.example'] }, { extKeyUsage: ['serverAuth', 'clientAuth'] }), profile: 'webpki' });
    // The rule is about server certificates: a client certificate may also protect email.
    const int = ca();
    const client = issue({ CN: 'c' }, leafKey, int, { extKeyUsage: ['clientAuth', 'emailProtection'], sans: { email: ['c@example.com'] } });
    accepted({ leaf: client, intermediates: [int], anchors: [root], purpose: 'clientAuth', profile: 'webpki' });
  });

  it('peer certificates are X.509 v3 (BR §7.1.1)', () => {
    const int = ca();
    const v1 = issue({ CN: 'a.example' }, leafKey, int, { extKeyUsage: [], omit: ['subjectKeyIdentifier', 'authorityKeyIdentifier'], version: 1 });
    refused({ leaf: v1, intermediates: [int], anchors: [root], profile: 'webpki' }, 'BadCertificate', /version 1 certificate/);
  });

  it('an authorityInfoAccess must be well-formed, with at least one AccessDescription (BR §7.1.2.7.7)', () => {
    const caIssuers = der.sequence(der.oid('1.3.6.1.5.5.7.48.2'), der.implicit(6, Uint8Array.from('http://ca.example/i.der', (ch) => ch.charCodeAt(0))));
    for (const value of [Uint8Array.from('malformed', (ch) => ch.charCodeAt(0)), der.sequence()]) {
      const c = underCa({}, { dns: ['a.example'] }, { extraExtensions: [{ oid: OID.authorityInfoAccess, value }] });
      refused({ ...c, profile: 'webpki' }, 'BadCertificate', /authorityInfoAccess/);
      accepted({ ...c, profile: 'rfc5280' });
    }
    accepted({ ...underCa({}, { dns: ['a.example'] }, { extraExtensions: [{ oid: OID.authorityInfoAccess, value: der.sequence(caIssuers) }] }), profile: 'webpki' });
  });

  it('a root whose authorityKeyIdentifier names a key other than its own is refused (BR §7.1.2.1.3)', () => {
    const rootWith = (aki: Uint8Array) => issue({ CN: 'AKI Root' }, rootKey, undefined, { isCA: true, omit: ['authorityKeyIdentifier'], extraExtensions: [{ oid: OID.authorityKeyIdentifier, value: aki }] });
    const stranger = rootWith(der.sequence(der.implicit(0, Uint8Array.of(1, 2, 3, 4))));
    const c: Case = { leaf: leaf(stranger, { dns: ['a.example'] }), anchors: [stranger] };
    refused({ ...c, profile: 'webpki' }, 'BadCertificate', /root authorityKeyIdentifier keyIdentifier differs from its subjectKeyIdentifier/);
    accepted({ ...c, profile: 'rfc5280' });
    // An AKI of issuer and serial alone, as OpenSSL 3 writes for a self-signed root under `keyid,issuer`, is taken;
    // one naming nothing is not (x509-limbo webpki::aki::root-with-aki-missing-keyidentifier).
    const issuerAndSerial = rootWith(der.sequence(der.tlv(contextTag(1, true), der.explicit(4, der.sequence())), der.implicit(2, Uint8Array.of(5))));
    accepted({ leaf: leaf(issuerAndSerial, { dns: ['a.example'] }), anchors: [issuerAndSerial], profile: 'webpki' });
    const bare = rootWith(der.sequence());
    refused({ leaf: leaf(bare, { dns: ['a.example'] }), anchors: [bare], profile: 'webpki' }, 'BadCertificate', /without keyIdentifier, authorityCertIssuer or serial number/);
  });
});
