// Attacker's script: the CA's CRL names its issuer with the same distinguished name as the certificates it
// issued, spelt differently: PrintableString where the certificates have UTF8String, or other letter case
// (a CA whose software changed, RFC 5280 §7.1: names match after RFC 4518 preparation). A byte-for-byte match
// finds no CRL for the victim's issuer, and under unknownRevocationStatus 'allow' the revoked certificate
// would pass unchecked. The CRL is still its issuer's: its signature verifies with the issuer's key.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { NOW, provider } from '../auth/helpers.js';
import { ca, leaf, root, rootKey } from './path-helpers.js';

const random = seededRandom('crl-issuer-name-spelling');
const int = ca(); // subject O=tls13-lab, CN=Attacker CA, both UTF8String
const victim = leaf(int, { dns: ['a.example'] });
const rdn = (oid: string, value: Uint8Array) => der.set(der.sequence(der.oid(oid), value));

/** A CRL of `int` revoking the victim, whose issuer field is `issuerName` (DER) and signed with `signer`. */
function crlNamed(issuerName: Uint8Array, signer = int.key.privateKey) {
  const issuer = { ...int.cert, subject: { ...int.cert.subject, raw: issuerName } };
  return parseCrl(buildCrl({ issuer, signingKey: signer, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [{ serial: BigInt('0x' + victim.cert.serialNumber) }] }, provider, random));
}
const judge = (crl: ReturnType<typeof parseCrl>) => verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] });

describe("a CRL whose issuer is the certificate's issuer spelt another way (RFC 5280 §7.1)", () => {
  it('control: the byte-identical name revokes', () => {
    expect(judge(crlNamed(victim.cert.issuer.raw))).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it('PrintableString for UTF8String, and other letter case, still revoke', () => {
    const printable = der.sequence(rdn(OID.organizationName, der.printableString('tls13-lab')), rdn(OID.commonName, der.printableString('Attacker CA')));
    expect(printable).not.toEqual(victim.cert.issuer.raw);
    expect(judge(crlNamed(printable))).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    const shouted = der.sequence(rdn(OID.organizationName, der.utf8String('TLS13-LAB')), rdn(OID.commonName, der.utf8String('ATTACKER  CA ')));
    expect(judge(crlNamed(shouted))).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it("another name is another issuer's CRL: not used; the same name signed by another key is undetermined", () => {
    const other = der.sequence(rdn(OID.organizationName, der.utf8String('tls13-lab')), rdn(OID.commonName, der.utf8String('Attacker CA 2')));
    expect(judge(crlNamed(other))).toMatchObject({ ok: true });
    const printable = der.sequence(rdn(OID.organizationName, der.printableString('tls13-lab')), rdn(OID.commonName, der.printableString('Attacker CA')));
    expect(judge(crlNamed(printable, rootKey.privateKey))).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/signature does not verify/) });
  });
});
