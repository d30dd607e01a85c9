// Red team, session 14 (docs/security.md "Red team, session 14: names"): OCSP compared names byte for byte where path
// validation compares them as RFC 5280 §7.1 says. A CA that spells its own name in PrintableString in its
// responderID (RFC 6960 §4.2.1 byName), or in the issuer field of its delegated responder's certificate
// (§4.2.2.2), while its subject is a UTF8String, had its good staple judged "invalid", which under a `ca` policy
// refuses the server (bad_certificate_status_response) though the chain to the same CA validates; a policy that
// only reports the staple did not find the issuer. The names now go through the comparison chaining uses; the
// signatures still decide who signed.
import { describe, expect, it } from 'vitest';
import { der } from '../../src/auth/der-writer.js';
import { parseOcspResponse } from '../../src/auth/ocsp.js';
import { judgeStaple } from '../../src/auth/ocsp-status.js';
import { OID } from '../../src/auth/oids.js';
import { evaluateTrust } from '../../src/auth/trust.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { sha256Fingerprint } from '../../src/auth/keys.js';
import { DAY, makeIdentity, TEST_NOW, type Identity } from '../../src/testing/certs.js';
import { buildOcspResponse, type OcspResponseSpec } from '../../src/testing/ocsp.js';

const random = seededRandom('ocsp-name-spelling');
const ca = makeIdentity({ subject: { O: 'tls13-lab', CN: 'Unit CA' }, keyType: 'p256', isCA: true }, random);
const leaf = makeIdentity({ subject: { CN: 'unit.example' }, issuer: ca, serial: 0x42n, sans: { dns: ['unit.example'] }, keyType: 'p256' }, random);
/** O=TLS13-LAB, CN=UNIT CA in PrintableString: the CA's name (UTF8String in its subject) as RFC 5280 §7.1 compares it. */
const respelt = der.sequence(
  der.set(der.sequence(der.oid(OID.organizationName), der.printableString('TLS13-LAB'))),
  der.set(der.sequence(der.oid(OID.commonName), der.printableString('UNIT  CA'))),
);
const otherName = der.sequence(der.set(der.sequence(der.oid(OID.commonName), der.printableString('Other CA'))));
/** `id` as it names itself with `raw` for its subject's DER (the bytes a responderID byName carries). */
const named = (id: Identity, raw: Uint8Array): Identity => ({ ...id, certificate: { ...id.certificate, subject: { ...id.certificate.subject, raw } } });

const judge = (spec: Partial<OcspResponseSpec>) =>
  judgeStaple(
    parseOcspResponse(buildOcspResponse({ leaf: leaf.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: TEST_NOW - DAY / 2, nextUpdate: TEST_NOW + DAY, ...spec }, nobleProvider, random)),
    leaf.certificate,
    ca.certificate,
    { now: TEST_NOW, provider: nobleProvider, signatureBudget: 12 },
  );

describe("an OCSP staple names the CA as RFC 5280 §7.1 compares names, as the CA's chain does", () => {
  it('responderID byName: the CA in PrintableString, other case and spaces, is the CA (was "names neither")', () => {
    expect(respelt).not.toEqual(ca.certificate.subject.raw);
    expect(judge({ signer: named(ca, respelt) })).toMatchObject({ ok: true, report: { status: 'good' } });
  });

  it('responderID byName of another name is still no one we know', () => {
    expect(judge({ signer: named(ca, otherName) })).toMatchObject({ ok: false, detail: expect.stringMatching(/responderID names neither/) });
  });

  it('a delegated responder whose issuer field spells the CA otherwise was issued by the CA (was "not issued by")', () => {
    const responder = makeIdentity({ subject: { CN: 'Unit responder' }, issuer: named(ca, respelt), serial: 7n, extKeyUsage: [OID.ocspSigning], keyType: 'p256' }, random);
    expect(responder.certificate.issuer.raw).toEqual(respelt);
    expect(judge({ signer: responder, certs: [responder.der] })).toMatchObject({ ok: true, report: { status: 'good' } });
  });

  it("the signatures still decide: a responder naming the CA but signed by another key is refused", () => {
    const impostorCa = makeIdentity({ subject: { O: 'tls13-lab', CN: 'Unit CA' }, keyType: 'p256', isCA: true }, random);
    const responder = makeIdentity({ subject: { CN: 'Unit responder' }, issuer: named(impostorCa, respelt), serial: 8n, extKeyUsage: [OID.ocspSigning], keyType: 'p256' }, random);
    expect(judge({ signer: responder, certs: [responder.der] })).toMatchObject({ ok: false, detail: expect.stringMatching(/is not signed by the key of/) });
  });

  it("a policy that does not act on the staple still reports it when the leaf names its CA otherwise (was \"the peer did not send the issuer\")", () => {
    const respeltLeaf = makeIdentity({ subject: { CN: 'unit.example' }, issuer: named(ca, respelt), serial: 0x43n, sans: { dns: ['unit.example'] }, keyType: 'p256' }, random);
    const staple = buildOcspResponse({ leaf: respeltLeaf.certificate, issuer: ca.certificate, signer: ca, status: 'good', thisUpdate: TEST_NOW - DAY / 2, nextUpdate: TEST_NOW + DAY }, nobleProvider, random);
    const pin = sha256Fingerprint(respeltLeaf.certificate.spki, nobleProvider).hex;
    const { verdict } = evaluateTrust({ kind: 'pinned-key', spkiSha256: [pin] }, [respeltLeaf.der, ca.der], { provider: nobleProvider, now: () => TEST_NOW, purpose: 'serverAuth', ocspResponse: staple });
    expect(verdict).toMatchObject({ trusted: true, ocsp: { status: 'good' } });
  });
});
