// Attacker: holds a revoked certificate and wants a CRL that does not list it to say 'good'. Whatever CRLs
// of its issuer reach the relying party (fetched over plain HTTP from any distribution point, or cached),
// the attacker picks which: another partition's, one spelling the partition's URI another way, a stale
// one beside a fresh foreign one, a delta CRL (it lists only what changed since its base), one whose
// issuer put an extension twice, or an old one without nextUpdate (it would never go stale). None of them may decide; the right partition's CRL still does.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { contextTag } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';
import { parseCrl, type Crl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DAY, NOW, provider } from '../auth/helpers.js';
import { ca, leaf, root } from './path-helpers.js';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const uri = (text: string) => der.implicit(6, ascii(text));
const fullName = (...names: Uint8Array[]) => der.explicit(0, der.tlv(contextTag(0, true), ...names));
const idp = (partition: string) => ({ oid: OID.issuingDistributionPoint, critical: true, value: der.sequence(fullName(uri(partition))) });
const cdp = (partition: string) => ({ oid: OID.crlDistributionPoints, value: der.sequence(der.sequence(fullName(uri(partition)))) });

const PARTITION = 'http://crl.example/7.crl';
const random = seededRandom('crl-foreign-partition');
const int = ca();
const victim = leaf(int, { dns: ['a.example'] }, { extraExtensions: [cdp(PARTITION)] });
const victimSerial = BigInt('0x' + victim.cert.serialNumber);

type Extra = { oid: string; critical?: boolean; value: Uint8Array };
/** `nextUpdate: null` leaves the field out. */
function crl(extra: Extra[], options: { revoked?: boolean; thisUpdate?: number; nextUpdate?: number | null } = {}): Crl {
  const { revoked = false, thisUpdate = NOW - 10_000, nextUpdate = NOW + 10_000 } = options;
  return parseCrl(buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate, ...(nextUpdate === null ? {} : { nextUpdate }), revoked: revoked ? [{ serial: victimSerial }] : [], extraExtensions: extra }, provider, random));
}
const judge = (...crls: Crl[]) => verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls });
const undetermined = { ok: false, reason: 'CertificateUnknown' };

describe('a CRL that does not list the revoked certificate never says it is good', () => {
  it('the partition URI spelt another way (case, trailing slash, percent-encoding, dot segment): undetermined', () => {
    for (const spelling of ['HTTP://CRL.EXAMPLE/7.crl', 'http://crl.example/7.crl/', 'http://crl.example/%37.crl', 'http://crl.example/./7.crl', 'http://crl.example:80/7.crl']) {
      expect(judge(crl([idp(spelling)])), spelling).toMatchObject(undetermined);
    }
  });

  it('a foreign partition beside the right one that lists it: revoked; beside a stale right one: undetermined', () => {
    const foreign = crl([idp('http://crl.example/8.crl')]);
    expect(judge(foreign, crl([idp(PARTITION)], { revoked: true }))).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    const stale = crl([idp(PARTITION)], { revoked: true, thisUpdate: NOW - 20_000, nextUpdate: NOW - 10_000 });
    expect(judge(foreign, stale)).toMatchObject(undetermined);
  });

  it('a delta CRL (deltaCRLIndicator, RFC 5280 §5.2.4), even with the indicator marked non-critical: undetermined', () => {
    const baseNumber = der.integer(1n);
    expect(judge(crl([{ oid: OID.deltaCRLIndicator, critical: true, value: baseNumber }]))).toMatchObject(undetermined);
    expect(judge(crl([{ oid: OID.deltaCRLIndicator, critical: false, value: baseNumber }]))).toMatchObject({ ...undetermined, detail: expect.stringMatching(/delta CRL/) });
  });

  it('an issuingDistributionPoint twice (the first of all user certificates, the second a partition): undetermined', () => {
    const everyUser = { oid: OID.issuingDistributionPoint, critical: true, value: der.sequence(der.implicit(1, Uint8Array.of(0xff))) };
    expect(judge(crl([everyUser, idp('http://crl.example/8.crl')]))).toMatchObject({ ...undetermined, detail: expect.stringMatching(/twice/) });
  });

  it('a CRL without nextUpdate (RFC 5280 §5.1.2.5: MUST be present), issued a year before the revocation: never current, undetermined', () => {
    const ageless = crl([], { thisUpdate: NOW - 365 * DAY, nextUpdate: null });
    expect(judge(ageless)).toMatchObject({ ...undetermined, detail: expect.stringMatching(/no nextUpdate/) });
    expect(judge(ageless, crl([], { revoked: true }))).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });
});
