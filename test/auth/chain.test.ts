// Chain validation. Each verdict that openssl can also judge is cross-checked with `openssl verify`
// (an independent RFC 5280 implementation) when openssl is installed.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { der } from '../../src/auth/der-writer.js';
import { toPem } from '../../src/auth/pem.js';
import { parseCertificate } from '../../src/auth/x509.js';
import type { Reason } from '../../src/wire/errors.js';
import { findBinary, interopRequired } from '../../src/testing/interop.js';
import { DAY, issue, makeChain, nodeKey, NOW } from './helpers.js';
import type { Issued } from './helpers.js';
import { verify, type Case } from '../security/path-helpers.js';

const haveOpenssl = findBinary('openssl') !== undefined;
if (!haveOpenssl) {
  if (interopRequired()) throw new Error('openssl is not installed, and REQUIRE_INTEROP=1 makes that a failure');
  console.warn('\n*** openssl not found: chain verdicts are NOT cross-checked with openssl verify ***\n');
}


/** openssl's verdict on the same inputs: true when `openssl verify` accepts. */
function opensslAccepts(c: Case): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-chain-'));
  try {
    const write = (name: string, certs: Issued[]) => {
      writeFileSync(join(dir, name), certs.map((x) => toPem('CERTIFICATE', x.der)).join(''));
      return join(dir, name);
    };
    const args = ['verify', '-x509_strict', '-attime', String(Math.floor((c.now ?? NOW) / 1000)), '-purpose', c.purpose === 'clientAuth' ? 'sslclient' : 'sslserver'];
    args.push('-CAfile', write('anchors.pem', c.anchors));
    if (c.intermediates?.length) args.push('-untrusted', write('intermediates.pem', c.intermediates));
    if (c.hostname !== undefined) args.push(c.hostname.includes(':') || /^[\d.]+$/.test(c.hostname) ? '-verify_ip' : '-verify_hostname', c.hostname);
    args.push(write('leaf.pem', [c.leaf]));
    execFileSync('openssl', args, { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


function expectAccepted(c: Case, length: number) {
  const verdict = verify(c);
  expect(verdict).toMatchObject({ ok: true });
  if (verdict.ok) expect(verdict.path.length).toBe(length);
  if (haveOpenssl) expect(opensslAccepts(c)).toBe(true);
  return verdict;
}

function expectRejected(c: Case, reason: Reason, detail: RegExp, checkOpenssl = true) {
  const verdict = verify(c);
  expect(verdict).toMatchObject({ ok: false, reason });
  if (!verdict.ok) expect(verdict.detail).toMatch(detail);
  if (haveOpenssl && checkOpenssl) expect(opensslAccepts(c)).toBe(false);
}

describe('verifyChain', () => {
  const chain = makeChain();
  const { root, intermediate, leaf } = chain;

  it('accepts a valid chain of three and returns the path leaf first', () => {
    const verdict = expectAccepted({ leaf, intermediates: [intermediate], anchors: [root], hostname: 'server.example' }, 3);
    if (verdict.ok) expect(verdict.path.map((c) => c.subject.text)).toEqual([leaf.cert.subject.text, intermediate.cert.subject.text, root.cert.subject.text]);
    // node agrees on who issued whom.
    expect(new X509Certificate(leaf.der).checkIssued(new X509Certificate(intermediate.der))).toBe(true);
  });

  it('builds the path from unordered intermediates with decoys of the same name', () => {
    const decoy = issue({ CN: 'Test Intermediate CA', O: 'tls13-lab' }, nodeKey('p256'), root, { isCA: true, keyUsage: ['keyCertSign'] });
    const unrelated = issue({ CN: 'Other CA' }, nodeKey('ed25519'), undefined, { isCA: true });
    const verdict = expectAccepted({ leaf, intermediates: [unrelated, decoy, intermediate], anchors: [unrelated, root] }, 3);
    if (verdict.ok) expect(verdict.path[1]!.der).toEqual(intermediate.der);
  });

  it('builds a path of four from intermediates given in reverse order', () => {
    const int2 = issue({ CN: 'Second Intermediate' }, nodeKey('p384'), intermediate, { isCA: true });
    const deep = issue({ CN: 'deep' }, nodeKey('ed25519'), int2, { extKeyUsage: ['serverAuth'] });
    // intermediate has pathLen 0, so this path is too long; a root with no pathLen makes it valid.
    const root2 = issue({ CN: 'Root 2' }, nodeKey('p256'), undefined, { isCA: true });
    const i1 = issue({ CN: 'I1' }, nodeKey('p256'), root2, { isCA: true });
    const i2 = issue({ CN: 'I2' }, nodeKey('rsa2048'), i1, { isCA: true });
    const l = issue({ CN: 'l' }, nodeKey('p256'), i2, {});
    expectAccepted({ leaf: l, intermediates: [i2, i1], anchors: [root2] }, 4);
    expectRejected({ leaf: deep, intermediates: [int2, intermediate], anchors: [root] }, 'BadCertificate', /pathLenConstraint 0/);
  });

  it('rejects a chain whose root is not an anchor with unknown_ca', () => {
    const otherRoot = issue({ CN: 'Somebody Else' }, nodeKey('p256'), undefined, { isCA: true });
    expectRejected({ leaf, intermediates: [intermediate], anchors: [otherRoot] }, 'UnknownCa', /no trust anchor/);
    expectRejected({ leaf, intermediates: [], anchors: [root] }, 'UnknownCa', /Test Intermediate CA/);
  });

  it('rejects an expired leaf and a not-yet-valid leaf with certificate_expired', () => {
    const expired = issue({ CN: 'expired' }, nodeKey('p256'), intermediate, { notBefore: NOW - 10 * DAY, notAfter: NOW - DAY });
    expectRejected({ leaf: expired, intermediates: [intermediate], anchors: [root] }, 'CertificateExpired', /expired at/);
    const early = issue({ CN: 'early' }, nodeKey('p256'), intermediate, { notBefore: NOW + DAY, notAfter: NOW + 10 * DAY });
    expectRejected({ leaf: early, intermediates: [intermediate], anchors: [root] }, 'CertificateExpired', /not valid before/);
  });

  it('rejects an expired intermediate and an expired anchor', () => {
    const expiredRoot = issue({ CN: 'Old Root' }, nodeKey('p256'), undefined, { isCA: true, notBefore: NOW - 20 * DAY, notAfter: NOW - DAY });
    const int = issue({ CN: 'Int' }, nodeKey('p256'), expiredRoot, { isCA: true, notBefore: NOW - 20 * DAY, notAfter: NOW - DAY });
    const l = issue({ CN: 'l' }, nodeKey('p256'), int, {});
    expectRejected({ leaf: l, intermediates: [int], anchors: [expiredRoot] }, 'CertificateExpired', /"CN=Int" expired/);
    const l2 = issue({ CN: 'l2' }, nodeKey('p256'), expiredRoot, {});
    expectRejected({ leaf: l2, anchors: [expiredRoot] }, 'CertificateExpired', /Old Root/);
  });

  it('rejects a leaf whose extKeyUsage lacks the purpose with unsupported_certificate', () => {
    const clientOnly = issue({ CN: 'client' }, nodeKey('p256'), intermediate, { extKeyUsage: ['clientAuth'] });
    expectRejected({ leaf: clientOnly, intermediates: [intermediate], anchors: [root] }, 'UnsupportedCertificate', /does not include serverAuth/);
    expectAccepted({ leaf: clientOnly, intermediates: [intermediate], anchors: [root], purpose: 'clientAuth' }, 3);
  });

  it('rfc5280 accepts a leaf without extKeyUsage and one with anyExtendedKeyUsage; webpki refuses both', () => {
    const noEku = issue({ CN: 'no eku' }, nodeKey('p256'), intermediate, { extKeyUsage: [] });
    expectAccepted({ leaf: noEku, intermediates: [intermediate], anchors: [root], profile: 'rfc5280' }, 3);
    expectRejected({ leaf: noEku, intermediates: [intermediate], anchors: [root], profile: 'webpki' }, 'UnsupportedCertificate', /no extKeyUsage/, false);
    const anyEku = issue({ CN: 'any eku' }, nodeKey('p256'), intermediate, { extKeyUsage: ['anyExtendedKeyUsage'] });
    // openssl's sslserver purpose does not honour anyExtendedKeyUsage, so only ours is checked here.
    expect(verify({ leaf: anyEku, intermediates: [intermediate], anchors: [root], profile: 'rfc5280' })).toMatchObject({ ok: true });
    expect(verify({ leaf: anyEku, intermediates: [intermediate], anchors: [root] })).toMatchObject({ ok: false, reason: 'UnsupportedCertificate', detail: expect.stringMatching(/anyExtendedKeyUsage/) });
  });

  it('rejects a leaf whose keyUsage does not allow digitalSignature', () => {
    const keyEnc = issue({ CN: 'ke' }, nodeKey('p256'), intermediate, { keyUsage: ['nonRepudiation'] });
    expectRejected({ leaf: keyEnc, intermediates: [intermediate], anchors: [root] }, 'UnsupportedCertificate', /digitalSignature/);
  });

  it('rejects a CA certificate presented as the leaf with bad_certificate', () => {
    const caLeaf = issue({ CN: 'ca leaf' }, nodeKey('p256'), intermediate, { isCA: true, sans: { dns: ['server.example'] } });
    // openssl accepts CA certificates as leaves, so there is no cross-check for this policy.
    expectRejected({ leaf: caLeaf, intermediates: [intermediate], anchors: [root] }, 'BadCertificate', /is a CA certificate/, false);
  });

  it('rejects an issuer that is not a CA, with or without basicConstraints', () => {
    for (const isCA of [false, undefined]) {
      const notCa = issue({ CN: 'Not A CA' }, nodeKey('p256'), root, isCA === undefined ? {} : { isCA });
      const l = issue({ CN: 'l' }, nodeKey('p256'), notCa, {});
      expectRejected({ leaf: l, intermediates: [notCa], anchors: [root] }, 'BadCertificate', /not a CA/);
    }
  });

  it('rejects an issuer whose keyUsage lacks keyCertSign', () => {
    const noSign = issue({ CN: 'No Cert Sign' }, nodeKey('p256'), root, { isCA: true, keyUsage: ['digitalSignature', 'cRLSign'] });
    const l = issue({ CN: 'l' }, nodeKey('p256'), noSign, {});
    expectRejected({ leaf: l, intermediates: [noSign], anchors: [root] }, 'UnsupportedCertificate', /keyCertSign/);
  });

  it('rejects a leaf whose tbsCertificate was tampered with (bad signature)', () => {
    const tampered = Uint8Array.from(leaf.der);
    const at = Buffer.from(tampered).indexOf('server.example');
    tampered[at] = 'S'.charCodeAt(0);
    const bad = { ...leaf, der: tampered, cert: parseCertificate(tampered) };
    expectRejected({ leaf: bad, intermediates: [intermediate], anchors: [root] }, 'BadCertificate', /does not verify/);
  });

  it('rejects an unknown critical extension on the leaf or an intermediate with unsupported_certificate', () => {
    const critical = { oid: '1.3.6.1.4.1.55555.1', critical: true, value: der.null() };
    const l = issue({ CN: 'crit' }, nodeKey('p256'), intermediate, { extraExtensions: [critical] });
    expectRejected({ leaf: l, intermediates: [intermediate], anchors: [root] }, 'UnsupportedCertificate', /critical extension 1\.3\.6\.1\.4\.1\.55555\.1/);
    const int = issue({ CN: 'Crit CA' }, nodeKey('p256'), root, { isCA: true, extraExtensions: [critical] });
    const l2 = issue({ CN: 'l2' }, nodeKey('p256'), int, {});
    expectRejected({ leaf: l2, intermediates: [int], anchors: [root] }, 'UnsupportedCertificate', /Crit CA/);
    // The same extension, not critical, is ignored.
    const ok = issue({ CN: 'ok' }, nodeKey('p256'), intermediate, { extraExtensions: [{ ...critical, critical: false }] });
    expectAccepted({ leaf: ok, intermediates: [intermediate], anchors: [root] }, 3);
  });

  it('terminates on a loop of cross-signed intermediates and reports unknown_ca', () => {
    const keyA = nodeKey('p256');
    const keyB = nodeKey('p256');
    const selfA = issue({ CN: 'A' }, keyA, undefined, { isCA: true });
    const b = issue({ CN: 'B' }, keyB, selfA, { isCA: true });
    const a = issue({ CN: 'A' }, keyA, b, { isCA: true });
    const l = issue({ CN: 'l' }, nodeKey('p256'), a, {});
    const otherRoot = issue({ CN: 'Z' }, nodeKey('p256'), undefined, { isCA: true });
    expectRejected({ leaf: l, intermediates: [a, b, selfA], anchors: [otherRoot] }, 'UnknownCa', /no trust anchor/);
  });

  it('accepts a leaf that is itself an anchor, even a self-signed CA one', () => {
    const pinned = issue({ CN: 'pinned.example' }, nodeKey('ed25519'), undefined, { isCA: true, keyUsage: ['digitalSignature', 'keyCertSign'], sans: { dns: ['pinned.example'] } });
    expectAccepted({ leaf: pinned, anchors: [pinned], hostname: 'pinned.example' }, 1);
    expectRejected({ leaf: pinned, anchors: [pinned], hostname: 'other.example' }, 'BadCertificate', /matches none/);
  });

  it('checks the host name: exact, wildcard, IP, and mismatch', () => {
    const c = { leaf, intermediates: [intermediate], anchors: [root] };
    expectAccepted({ ...c, hostname: 'SERVER.example' }, 3);
    expectAccepted({ ...c, hostname: 'v1.api.example' }, 3);
    expectAccepted({ ...c, hostname: '192.0.2.7' }, 3);
    expectAccepted({ ...c, hostname: '2001:db8:0::1' }, 3);
    expectRejected({ ...c, hostname: 'api.example' }, 'BadCertificate', /matches none of the certificate's DNS names/);
    expectRejected({ ...c, hostname: 'a.b.api.example' }, 'BadCertificate', /matches none/);
    expectRejected({ ...c, hostname: '192.0.2.8' }, 'BadCertificate', /not among the certificate's iPAddress/);
  });
});

describe('name constraints, cross-checked with openssl verify', () => {
  const root = issue({ CN: 'NC Root', O: 'tls13-lab' }, nodeKey('p256'), undefined, { isCA: true });
  const constrained = (nameConstraints: NonNullable<Parameters<typeof issue>[3]>['nameConstraints']) =>
    issue({ CN: 'NC Intermediate', O: 'tls13-lab' }, nodeKey('p256'), root, { isCA: true, nameConstraints });
  const leafFor = (issuer: Issued, sans: { dns?: string[]; ip?: string[]; email?: string[] }) =>
    issue({ CN: 'leaf', O: 'tls13-lab' }, nodeKey('p256'), issuer, { extKeyUsage: ['serverAuth'], keyUsage: ['digitalSignature'], sans });

  it('permitted and excluded dNSName subtrees', () => {
    const int = constrained({ permitted: [{ dns: 'corp.example' }], excluded: [{ dns: 'secret.corp.example' }] });
    expectAccepted({ leaf: leafFor(int, { dns: ['www.corp.example'] }), intermediates: [int], anchors: [root] }, 3);
    expectRejected({ leaf: leafFor(int, { dns: ['www.bank.example'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /permitted/);
    expectRejected({ leaf: leafFor(int, { dns: ['a.secret.corp.example'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /excluded/);
  });

  it('iPAddress subtrees, IPv4 and IPv6', () => {
    const int = constrained({ permitted: [{ ip: '192.0.2.0/24' }, { ip: '2001:db8::/48' }] });
    expectAccepted({ leaf: leafFor(int, { ip: ['192.0.2.9', '2001:db8:0:1::9'] }), intermediates: [int], anchors: [root] }, 3);
    expectRejected({ leaf: leafFor(int, { ip: ['198.51.100.1'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /permitted/);
    expectRejected({ leaf: leafFor(int, { ip: ['2001:db8:1::1'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /permitted/);
  });

  it('rfc822Name and directoryName subtrees', () => {
    const int = constrained({ permitted: [{ email: '.corp.example' }, { dn: { O: 'tls13-lab' } }] });
    expectAccepted({ leaf: leafFor(int, { dns: ['x.example'], email: ['a@mail.corp.example'] }), intermediates: [int], anchors: [root] }, 3);
    expectRejected({ leaf: leafFor(int, { dns: ['x.example'], email: ['a@corp.example'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /permitted/);
    const outsider = issue({ CN: 'leaf', O: 'Elsewhere' }, nodeKey('p256'), int, { extKeyUsage: ['serverAuth'], sans: { dns: ['x.example'] } });
    expectRejected({ leaf: outsider, intermediates: [int], anchors: [root] }, 'BadCertificate', /subject DN/);
  });
});
