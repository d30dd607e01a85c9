// Attacker's script: an iPAddress subjectAltName that is neither 4 nor 16 octets (RFC 5280 §4.2.1.6). A reader
// that took the first 4 octets, or the last, would let "192.0.2.7 + junk" stand for 192.0.2.7, and a 5-octet
// name escape an iPAddress constraint that compares 4. The certificate is malformed: bad_certificate, and as
// an intermediate it is never a candidate (Go crypto/x509 and rustls-webpki refuse it too).
import { describe, expect, it } from 'vitest';
import { buildCertificate } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { evaluateTrust } from '../../src/auth/trust.js';
import { parseCertificate } from '../../src/auth/x509.js';
import { DAY, NOW, provider, random } from '../auth/helpers.js';
import { caKey, leaf, leafKey, root } from './path-helpers.js';

const ipName = (octets: number[]) => der.implicit(7, Uint8Array.from(octets));
/** A certificate issued by the root whose only SAN is `name`: DER, unparsed (the parse is what is under test). */
const withSan = (name: Uint8Array, isCA: boolean) =>
  buildCertificate(
    { subject: { CN: isCA ? 'Odd CA' : 'odd' }, issuer: root.cert, publicKey: (isCA ? caKey : leafKey).publicKey, signingKey: root.key.privateKey, serial: 4242n, notBefore: NOW - DAY, notAfter: NOW + DAY, isCA, extKeyUsage: isCA ? [] : ['serverAuth'], sans: { raw: [name] } },
    provider,
    random,
  );

describe('an iPAddress SAN of the wrong length', () => {
  it('control: 4 octets match the reference address', () => {
    const good = parseCertificate(withSan(ipName([192, 0, 2, 7]), false));
    expect(verifyChain({ leaf: good, intermediates: [], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, hostname: '192.0.2.7' })).toMatchObject({ ok: true });
  });

  for (const octets of [[], [192, 0, 2], [192, 0, 2, 7, 0], [0, 0, 0, 0, 192, 0, 2, 7], [192, 0, 2, 7, ...new Array<number>(13).fill(0)]]) {
    it(`${octets.length} octets: the leaf is malformed, bad_certificate`, () => {
      expect(() => parseCertificate(withSan(ipName(octets), false))).toThrow(expect.objectContaining({ reason: 'BadCertificate', message: expect.stringMatching(/iPAddress of \d+ bytes \(must be 4 or 16\)/) }));
      // As the peer's leaf: refused before any verdict, with the alert RFC 8446 §6.2 names.
      expect(() => evaluateTrust({ kind: 'ca', anchors: [root.der] }, [withSan(ipName(octets), false)], { provider, now: () => NOW, purpose: 'serverAuth', hostname: '192.0.2.7' })).toThrow(
        expect.objectContaining({ reason: 'BadCertificate' }),
      );
    });
  }

  it('an intermediate with one is never a candidate issuer: the path finds no CA', () => {
    const oddCa = withSan(ipName([10, 0, 0, 1, 9]), true);
    // The leaf is signed by the odd CA's key, so the path would hold if the odd CA were read at all.
    const sameNameCa = withSan(ipName([10, 0, 0, 1]), true);
    const underOdd = leaf({ key: caKey, der: sameNameCa, cert: parseCertificate(sameNameCa) }, { dns: ['a.example'] });
    expect(evaluateTrust({ kind: 'ca', anchors: [root.der] }, [underOdd.der, sameNameCa], { provider, now: () => NOW, purpose: 'serverAuth', hostname: 'a.example' }).verdict).toMatchObject({ trusted: true });
    const verdict = evaluateTrust({ kind: 'ca', anchors: [root.der] }, [underOdd.der, oddCa], { provider, now: () => NOW, purpose: 'serverAuth', hostname: 'a.example' }).verdict;
    expect(verdict).toMatchObject({ trusted: false, reason: 'UnknownCa' });
  });
});
