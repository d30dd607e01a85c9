// Attacker's scripts against revocation when two CAs have names that RFC 5280 §7.1 compares equal (the CRL
// issuer is matched by RFC 4518-prepared name since session 10) but keys of their own: "Twin CA" and
// "TWIN CA", both under one root, each with a leaf of the same serial number. A CRL is its issuer's only when
// its issuer's key signed it, whatever it names: B's CRL naming A must neither revoke A's certificate nor
// stand in for A's missing CRL (fail closed: undetermined), and A's revocation must not be hidden by B's CRL.
// The signature verdict is cached per CRL and issuer key (revocation.ts signedBy): a verdict B's key earned
// must never be handed to A's key, and a CRL cached as valid is still judged by the clock of each validation.
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { parseCrl, type Crl } from '../../src/auth/path/revocation.js';
import { seededRandom } from '../../src/crypto/random.js';
import { issue, nodeKey, NOW, provider } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';
import { leaf, root } from './path-helpers.js';

const random = seededRandom('crl-twin-issuer');
const twinA = issue({ CN: 'Twin CA', O: 'tls13-lab' }, nodeKey('p256'), root, { isCA: true });
const twinB = issue({ CN: 'TWIN  CA', O: 'TLS13-LAB' }, nodeKey('p256'), root, { isCA: true });
const SERIAL = 0x5eed5eedn;
const leafOfA = leaf(twinA, { dns: ['a.example'] }, { serial: SERIAL });
const leafOfB = leaf(twinB, { dns: ['a.example'] }, { serial: SERIAL });

const crlOf = (issuer: Issued, revoked: bigint[], nextUpdate = NOW + 10_000): Crl =>
  parseCrl(buildCrl({ issuer: issuer.cert, signingKey: issuer.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate, revoked: revoked.map((serial) => ({ serial })) }, provider, random));
const verify = (subject: Issued, issuer: Issued, crls: Crl[], options: { now?: number; unknownRevocationStatus?: 'allow' | 'deny' } = {}) =>
  verifyChain({ leaf: subject.cert, intermediates: [issuer.cert], anchors: [root.cert], now: options.now ?? NOW, purpose: 'serverAuth', provider, hostname: 'a.example', crls, ...(options.unknownRevocationStatus ? { unknownRevocationStatus: options.unknownRevocationStatus } : {}) });

describe('two CAs whose names compare equal, with keys of their own', () => {
  it('the names are twins under §7.1, the certificates are not', () => {
    expect(twinA.cert.subject.raw).not.toEqual(twinB.cert.subject.raw);
    expect(leafOfA.cert.serialNumber).toBe(leafOfB.cert.serialNumber);
  });

  it("B's CRL revoking the serial does not revoke A's certificate, even after B's key verified it (verdict cache per key)", () => {
    const revokedByB = crlOf(twinB, [SERIAL]);
    const cleanA = crlOf(twinA, []);
    // B's leaf first: B's CRL is verified with B's key, and that verdict is cached on the CRL object.
    expect(verify(leafOfB, twinB, [revokedByB, cleanA])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    expect(verify(leafOfA, twinA, [revokedByB, cleanA])).toMatchObject({ ok: true });
    // And again, now that both keys have verdicts for both CRLs.
    expect(verify(leafOfB, twinB, [revokedByB, cleanA])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    expect(verify(leafOfA, twinA, [revokedByB, cleanA])).toMatchObject({ ok: true });
  });

  it("A's revocation is not hidden by B's clean CRL naming the same issuer", () => {
    const revokedByA = crlOf(twinA, [SERIAL]);
    const cleanB = crlOf(twinB, []);
    expect(verify(leafOfB, twinB, [cleanB, revokedByA])).toMatchObject({ ok: true });
    expect(verify(leafOfA, twinA, [cleanB, revokedByA])).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
  });

  it("B's CRL alone does not stand for A's: undetermined (fail closed) under 'allow' and 'deny'", () => {
    const cleanB = crlOf(twinB, []);
    expect(verify(leafOfB, twinB, [cleanB])).toMatchObject({ ok: true });
    for (const unknownRevocationStatus of ['allow', 'deny'] as const) {
      expect(verify(leafOfA, twinA, [cleanB], { unknownRevocationStatus })).toMatchObject({
        ok: false,
        reason: 'CertificateUnknown',
        detail: expect.stringMatching(/signature does not verify/),
      });
    }
  });
});

describe('a CRL whose signature verdict is cached is still judged by the clock', () => {
  it('current at first, then past its nextUpdate, then before its thisUpdate: undetermined each time', () => {
    const clean = crlOf(twinA, [], NOW + 10_000);
    expect(verify(leafOfA, twinA, [clean])).toMatchObject({ ok: true });
    expect(verify(leafOfA, twinA, [clean], { now: NOW + 20_000 })).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/nextUpdate .* has passed/) });
    expect(verify(leafOfA, twinA, [clean], { now: NOW - 20_000 })).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/not valid before/) });
    expect(verify(leafOfA, twinA, [clean])).toMatchObject({ ok: true });
  });

  it("a stale CRL under 'deny' is undetermined, not skipped", () => {
    const stale = crlOf(twinA, [], NOW - 5_000);
    expect(verify(leafOfA, twinA, [stale], { unknownRevocationStatus: 'deny' })).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/nextUpdate/) });
  });
});

describe("'deny' with CRLs that cannot decide the status: undetermined, never counted as the issuer's CRL", () => {
  const withExtension = (oid: string, value: Uint8Array, critical: boolean) =>
    parseCrl(buildCrl({ issuer: twinA.cert, signingKey: twinA.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [], extraExtensions: [{ oid, value, critical }] }, provider, random));
  const cases: [string, Crl, RegExp][] = [
    ['a delta CRL (deltaCRLIndicator, even non-critical)', withExtension(OID.deltaCRLIndicator, der.integer(1), false), /delta CRL/],
    ['an indirect CRL', withExtension(OID.issuingDistributionPoint, der.sequence(der.implicit(4, Uint8Array.of(0xff))), true), /indirect CRL/],
    ['a partition of CA certificates only, for a leaf', withExtension(OID.issuingDistributionPoint, der.sequence(der.implicit(2, Uint8Array.of(0xff))), true), /CA certificates|onlyContainsCACerts/],
    ['a CRL without nextUpdate', parseCrl(buildCrl({ issuer: twinA.cert, signingKey: twinA.key.privateKey, thisUpdate: NOW - 10_000, revoked: [] }, provider, random)), /nextUpdate/],
  ];
  it.each(cases)('%s', (_, crl, why) => {
    for (const unknownRevocationStatus of ['allow', 'deny'] as const) {
      expect(verify(leafOfA, twinA, [crl], { unknownRevocationStatus })).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(why) });
    }
  });
});
