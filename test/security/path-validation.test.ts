// Attacker's scripts against certificate path validation (RFC 5280 §6, docs/path-validation.md). Each case
// is a chain a hostile CA, intermediate or peer could present; each asserts the alert reason and that no
// path was accepted. The certificates come from the project's builder, varied one defect at a time.
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { buildCertificate, buildCrl } from '../../src/auth/builder.js';
import type { CertificateSpec } from '../../src/auth/builder.js';
import { verifyChain } from '../../src/auth/chain.js';
import { der } from '../../src/auth/der-writer.js';
import { loadPrivateKey } from '../../src/auth/keys.js';
import { OID } from '../../src/auth/oids.js';
import { SIGNATURE_BUDGET } from '../../src/auth/path/profile.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { evaluateTrust } from '../../src/auth/trust.js';
import { parseCertificate } from '../../src/auth/x509.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { InMemoryPair } from '../../src/handshake/pair.js';
import { makeCast, outcomeOf, SERVER_NAME } from '../../src/scenarios/mutual-tls.js';
import { makeIdentity, TEST_NOW } from '../../src/testing/certs.js';
import { seededRandom } from '../../src/crypto/random.js';
import type { Reason } from '../../src/wire/errors.js';
import { issue, nodeKey, NOW, provider } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';
import { accepted, ca, caKey, constrainedRoot, leaf, leafKey, refused, root, rootKey, verify } from './path-helpers.js';
import type { Case, Extra } from './path-helpers.js';

describe('name constraints (RFC 5280 §4.2.1.10, §6.1.3(b)(c), §6.1.4(g))', () => {
  it('an intermediate that excludes victim.example cannot issue for it, nor for a wildcard that covers it', () => {
    const int = ca({ nameConstraints: { excluded: [{ dns: 'victim.example' }] } });
    refused({ leaf: leaf(int, { dns: ['victim.example'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /excluded subtree/);
    refused({ leaf: leaf(int, { dns: ['www.VICTIM.example.'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /excluded subtree/);
    const shop = ca({ nameConstraints: { excluded: [{ dns: 'pay.shop.example' }] } });
    refused({ leaf: leaf(shop, { dns: ['*.shop.example'] }), intermediates: [shop], anchors: [root] }, 'BadCertificate', /DNS:\*\.shop\.example .*excluded subtree/);
    accepted({ leaf: leaf(int, { dns: ['notvictim.example'] }), intermediates: [int], anchors: [root] });
  });

  it('a trust anchor that permits only corp.example binds every certificate below it', () => {
    const anchor = constrainedRoot([{ dns: 'corp.example' }]);
    const int = ca({}, anchor);
    refused({ leaf: leaf(int, { dns: ['bank.example'] }), intermediates: [int], anchors: [anchor] }, 'BadCertificate', /outside the permitted subtrees of "CN=Constrained Root"/);
    // One bad name among good ones is enough.
    refused({ leaf: leaf(int, { dns: ['a.corp.example', 'bank.example'] }), intermediates: [int], anchors: [anchor] }, 'BadCertificate', /DNS:bank.example/);
    accepted({ leaf: leaf(int, { dns: ['a.corp.example', 'corp.example'] }), intermediates: [int], anchors: [anchor] });
  });

  it('a leading-dot dNSName constraint permits subdomains only', () => {
    const int = ca({ nameConstraints: { permitted: [{ dns: '.corp.example' }] } });
    refused({ leaf: leaf(int, { dns: ['corp.example'] }), intermediates: [int], anchors: [root] }, 'BadCertificate', /permitted/);
    accepted({ leaf: leaf(int, { dns: ['x.corp.example'] }), intermediates: [int], anchors: [root] });
  });

  it('iPAddress subtrees with masks, IPv4 and IPv6', () => {
    const int = ca({ nameConstraints: { permitted: [{ ip: '10.0.0.0/8' }, { ip: '2001:db8::/32' }], excluded: [{ ip: '10.9.0.0/16' }] } });
    const c = (ip: string) => ({ leaf: leaf(int, { ip: [ip] }), intermediates: [int], anchors: [root] });
    accepted(c('10.1.2.3'));
    accepted(c('2001:db8:ffff::1'));
    refused(c('192.0.2.1'), 'BadCertificate', /outside the permitted/);
    refused(c('10.9.8.7'), 'BadCertificate', /excluded/);
    refused(c('2001:db9::1'), 'BadCertificate', /outside the permitted/);
  });

  it('an excluded IPv4 subtree is not escaped by the IPv4-mapped IPv6 form of an address, nor the other way round', () => {
    // ::ffff:10.1.2.3 (RFC 4291 §2.5.5.2) is 10.1.2.3 on the wire: a client dialing "::ffff:10.1.2.3" reaches it.
    const v4 = ca({ nameConstraints: { excluded: [{ ip: '10.0.0.0/8' }] } });
    refused({ leaf: leaf(v4, { ip: ['::ffff:10.1.2.3'] }), intermediates: [v4], anchors: [root], hostname: '::ffff:10.1.2.3' }, 'BadCertificate', /excluded/);
    const v6 = ca({ nameConstraints: { excluded: [{ ip: '::ffff:10.0.0.0/104' }] } });
    refused({ leaf: leaf(v6, { ip: ['10.1.2.3'] }), intermediates: [v6], anchors: [root], hostname: '10.1.2.3' }, 'BadCertificate', /excluded/);
    accepted({ leaf: leaf(v4, { ip: ['::ffff:192.0.2.1', '2001:db8::a01:203'] }), intermediates: [v4], anchors: [root], hostname: '::ffff:192.0.2.1' });
    // Permitted subtrees stay exact: a name of the other family is outside them (fails closed).
    const permitted = ca({ nameConstraints: { permitted: [{ ip: '10.0.0.0/8' }] } });
    refused({ leaf: leaf(permitted, { ip: ['::ffff:10.1.2.3'] }), intermediates: [permitted], anchors: [root] }, 'BadCertificate', /outside the permitted/);
  });

  it('rfc822Name subtrees apply to email SANs, and to a subject emailAddress when there is no SAN', () => {
    const int = ca({ nameConstraints: { excluded: [{ email: 'example.com' }, { email: '.example.com' }] } });
    const client = (sans: NonNullable<CertificateSpec['sans']>, subject: Parameters<typeof issue>[0] = { CN: 'c' }) =>
      issue(subject, leafKey, int, { extKeyUsage: ['clientAuth'], sans });
    refused({ leaf: client({ email: ['ceo@example.com'] }), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /EMAIL:ceo@example.com/);
    refused({ leaf: client({ email: ['ceo@mail.EXAMPLE.com'] }), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /excluded/);
    refused({ leaf: client({}, { CN: 'c', emailAddress: 'ceo@example.com' }), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /excluded/);
    accepted({ leaf: client({ email: ['ceo@example.org'] }), intermediates: [int], anchors: [root], purpose: 'clientAuth' });
  });

  it('an excluded rfc822Name subtree is not escaped by an absolute domain ("ceo@example.com.") or an empty label', () => {
    // A trailing dot names the same domain (RFC 1034 §3.1), as dNSName and URI hosts are already read.
    const int = ca({ nameConstraints: { excluded: [{ email: 'example.com' }, { email: '.example.com' }, { email: 'boss@example.org' }] } });
    const client = (email: string) => issue({ CN: 'c' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans: { email: [email] } });
    for (const email of ['ceo@example.com.', 'ceo@mail.EXAMPLE.com.', 'boss@example.org.']) {
      refused({ leaf: client(email), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /excluded/);
    }
    refused({ leaf: client('ceo@example.com..'), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /cannot be checked/);
    accepted({ leaf: client('ceo@example.net.'), intermediates: [int], anchors: [root], purpose: 'clientAuth' });
  });

  it('uniformResourceIdentifier subtrees constrain a SPIFFE ID to its trust domain', () => {
    const int = ca({ nameConstraints: { permitted: [{ uri: 'prod.example' }] } });
    const workload = (uri: string) => issue({ CN: 'w' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans: { uri: [uri] } });
    accepted({ leaf: workload('spiffe://prod.example/ns/a'), intermediates: [int], anchors: [root], purpose: 'clientAuth' });
    refused({ leaf: workload('spiffe://staging.example/ns/a'), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /URI:spiffe:\/\/staging/);
    // A host constraint without a leading dot is that host only (§4.2.1.10), not its subdomains.
    refused({ leaf: workload('spiffe://evil.prod.example/ns/a'), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /permitted/);
    refused({ leaf: workload('urn:uuid:1234'), intermediates: [int], anchors: [root], purpose: 'clientAuth' }, 'BadCertificate', /cannot be checked/);
  });

  it('a URI whose host is not a domain name cannot be checked against URI subtrees: refused, even when only excluded', () => {
    // RFC 5280 §4.2.1.10: a URI "in which the host name is specified as an IP address ... the application MUST
    // reject the certificate" (Go: "URI with IP cannot be matched against constraints").
    const int = ca({ nameConstraints: { excluded: [{ uri: '.evil.example' }] } });
    const workload = (uri: string) => issue({ CN: 'w' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans: { uri: [uri] } });
    const check = (uri: string) => ({ leaf: workload(uri), intermediates: [int], anchors: [root], purpose: 'clientAuth' as const });
    for (const uri of ['spiffe://10.0.0.1/ns/a', 'https://[::1]/x', 'https://[::ffff:10.0.0.1]:8443/', 'https://127.1/x']) {
      refused(check(uri), 'BadCertificate', /cannot be checked/);
    }
    // Hosts that a URL parser (WHATWG, node's URL) reads as another host than the authority's text: a backslash
    // ends the authority of an https URL there, and a percent-encoded host is decoded.
    for (const uri of ['https://a.evil.example\\@good.example/', 'https://a.evil.example%2e/', 'https://a%2eevil.example/']) {
      expect(new URL(uri).hostname).toMatch(/evil\.example\.?$/);
      refused(check(uri), 'BadCertificate', /cannot be checked/);
    }
    accepted(check('https://user@good.example:8443/path?q#f'));
  });

  it('directoryName subtrees apply to the subject DN, compared case-insensitively', () => {
    const int = ca({ nameConstraints: { permitted: [{ dn: { O: 'tls13-lab' } }] } });
    accepted({ leaf: leaf(int, { dns: ['a.example'] }, {}, { O: 'TLS13-Lab', CN: 'x' }), intermediates: [int], anchors: [root] });
    refused({ leaf: leaf(int, { dns: ['a.example'] }, {}, { O: 'Evil', CN: 'x' }), intermediates: [int], anchors: [root] }, 'BadCertificate', /subject DN/);
  });

  it('an excluded directoryName is not escaped by characters RFC 4518 maps to nothing (zero-width, soft hyphen, BOM)', () => {
    // RFC 5280 §7.1: DN attributes compare by LDAP StringPrep (RFC 4518 §2.2), which maps these to nothing.
    const int = ca({ nameConstraints: { excluded: [{ dn: { O: 'Victim Bank' } }] } });
    for (const disguised of ['Victim\u200b Bank', 'Vic\u00adtim Bank', '\ufeffVictim Bank', 'Victim\u2060 Bank', 'Victim\u00a0Bank']) {
      refused({ leaf: leaf(int, { dns: ['a.example'] }, {}, { O: disguised, CN: 'x' }), intermediates: [int], anchors: [root] }, 'BadCertificate', /subject DN .*excluded/);
    }
    accepted({ leaf: leaf(int, { dns: ['a.example'] }, {}, { O: 'Victim Banks', CN: 'x' }), intermediates: [int], anchors: [root] });
  });

  it('an excluded directoryName is not escaped by non-ASCII case or another Unicode normalization form', () => {
    // RFC 5280 §7.1 compares by RFC 4518: case folding (§2.2) and NFKC (§2.3), not only ASCII case.
    const int = ca({ nameConstraints: { excluded: [{ dn: { O: 'Société Générale' } }] } });
    const decomposed = 'Socie\u0301te\u0301 Ge\u0301ne\u0301rale';
    const fullwidth = '\uff33ociété Générale';
    for (const disguised of ['SOCIÉTÉ GÉNÉRALE', decomposed, fullwidth]) {
      refused({ leaf: leaf(int, { dns: ['a.example'] }, {}, { O: disguised, CN: 'x' }), intermediates: [int], anchors: [root] }, 'BadCertificate', /subject DN .*excluded/);
    }
    accepted({ leaf: leaf(int, { dns: ['a.example'] }, {}, { O: 'Societe Generale', CN: 'x' }), intermediates: [int], anchors: [root] });
  });

  it('a self-issued intermediate is not itself checked, but the leaf below it is (§6.1.3(b))', () => {
    const anchor = issue({ O: 'Lab', CN: 'Root' }, rootKey, undefined, { isCA: true, nameConstraints: { excluded: [{ dn: { O: 'Lab' } }] } });
    // Key rollover: the root's name, a new key, signed by the old key. Its subject is in the excluded subtree.
    const rollover = issue({ O: 'Lab', CN: 'Root' }, caKey, anchor, { isCA: true });
    accepted({ leaf: leaf(rollover, { dns: ['a.example'] }, {}, { O: 'Other', CN: 'leaf' }), intermediates: [rollover], anchors: [anchor] });
    refused({ leaf: leaf(rollover, { dns: ['a.example'] }, {}, { O: 'Lab', CN: 'leaf' }), intermediates: [rollover], anchors: [anchor] }, 'BadCertificate', /subject DN .*excluded/);
  });

  it('fails closed on malformed constraints and on name forms it does not process', () => {
    const badIp = ca({ nameConstraints: { permitted: [{ raw: der.implicit(7, Uint8Array.of(10, 0, 0, 0, 255)) }] } });
    refused({ leaf: leaf(badIp, { dns: ['a.example'] }), intermediates: [badIp], anchors: [root] }, 'BadCertificate', /malformed nameConstraints/);
    const mask = Uint8Array.of(10, 0, 0, 0, 255, 0, 255, 0);
    const nonPrefix = ca({ nameConstraints: { excluded: [{ raw: der.implicit(7, mask) }] } });
    refused({ leaf: leaf(nonPrefix, { dns: ['a.example'] }), intermediates: [nonPrefix], anchors: [root] }, 'BadCertificate', /not a prefix/);
    const empty = ca({ nameConstraints: {} });
    refused({ leaf: leaf(empty, { dns: ['a.example'] }), intermediates: [empty], anchors: [root] }, 'BadCertificate', /neither permitted nor excluded/);
    const otherName = der.tlv(0xa0, der.oid('1.3.6.1.4.1.311.20.2.3'), der.explicit(0, der.utf8String('admin@corp')));
    const upn = ca({ nameConstraints: { excluded: [{ raw: otherName }] } });
    refused({ leaf: leaf(upn, { dns: ['a.example'], raw: [otherName] }), intermediates: [upn], anchors: [root] }, 'UnsupportedCertificate', /do not process/);
    // A constraint on one form leaves the other forms free (§4.2.1.10).
    const ipOnly = ca({ nameConstraints: { permitted: [{ ip: '10.0.0.0/8' }] } });
    accepted({ leaf: leaf(ipOnly, { dns: ['a.example'] }), intermediates: [ipOnly], anchors: [root] });
  });

  it('bounds the work: a names × constraints product over the budget is refused', () => {
    const excluded = Array.from({ length: 64 }, (_, i) => ({ dns: `x${i}.example` }));
    const int = ca({ nameConstraints: { excluded } });
    const dns = Array.from({ length: 64 }, (_, i) => `n${i}.example`);
    refused({ leaf: leaf(int, { dns }), intermediates: [int], anchors: [root] }, 'BadCertificate', /more than 1024 comparisons/);
  });

  it('bounds the work per comparison: each directoryName value is normalized once, not once per subtree', () => {
    // A constrained sub-CA (the party name constraints distrust) lists 1000 directoryName subtrees and issues a
    // leaf whose O is 40 000 characters: normalizing that value for every comparison took 30 s of CPU.
    const int = ca({ nameConstraints: { excluded: Array.from({ length: 1000 }, (_, i) => ({ dn: { O: `x${i}` } })) } });
    const big = 'A'.repeat(40_000);
    const victim = leaf(int, { dns: ['a.example'] }, {}, { O: big, CN: 'x' });
    const normalize = String.prototype.normalize;
    let bigNormalized = 0;
    String.prototype.normalize = function (this: string, form?: string) {
      if (this.length >= big.length) bigNormalized++;
      return normalize.call(this, form);
    };
    try {
      accepted({ leaf: victim, intermediates: [int], anchors: [root] });
    } finally {
      String.prototype.normalize = normalize;
    }
    expect(bigNormalized).toBeGreaterThan(0);
    expect(bigNormalized).toBeLessThanOrEqual(2);
  });

  it('bounds the work per comparison: a dNSName, a mailbox or a URI is read once, not once per subtree', () => {
    // Lowercasing and splitting a 40 000-character name for each of a sub-CA's 1000 subtrees took 25 s of CPU.
    const big = 'A'.repeat(40_000);
    const forms = [
      [{ dns: big + '.example' }, (i: number) => ({ dns: `x${i}.example` })],
      [{ email: `a@${big}.example` }, (i: number) => ({ email: `x${i}.example` })],
      [{ uri: `https://${big}.example/` }, (i: number) => ({ uri: `x${i}.example` })],
    ] as const;
    for (const [san, subtree] of forms) {
      const int = ca({ nameConstraints: { excluded: Array.from({ length: 1000 }, (_, i) => subtree(i)) } });
      const sans = Object.fromEntries(Object.entries(san).map(([form, value]) => [form, [value]]));
      const client = issue({ CN: 'c' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans });
      const bigReads = replacesOfStringsAsLongAs(big, () =>
        accepted({ leaf: client, intermediates: [int], anchors: [root], purpose: 'clientAuth', profile: 'rfc5280' }),
      );
      expect(bigReads, JSON.stringify(Object.keys(san))).toBeLessThanOrEqual(4);
    }
  });

  it('bounds the work per comparison: a long rfc822Name or URI subtree is read once, not once per name', () => {
    const big = 'A'.repeat(40_000);
    const forms = [
      [{ email: `${big}.example` }, (i: number) => ({ email: [`u@x${i}.example`] })],
      [{ uri: `${big}.example` }, (i: number) => ({ uri: [`https://x${i}.example/`] })],
    ] as const;
    for (const [subtree, sans] of forms) {
      const int = ca({ nameConstraints: { excluded: [subtree] } });
      const names = Array.from({ length: 1000 }, (_, i) => sans(i));
      const all = Object.fromEntries(Object.keys(names[0]!).map((form) => [form, names.flatMap((n) => Object.values(n)[0]!)]));
      const client = issue({ CN: 'c' }, leafKey, int, { extKeyUsage: ['clientAuth'], sans: all });
      const bigReads = replacesOfStringsAsLongAs(big, () =>
        accepted({ leaf: client, intermediates: [int], anchors: [root], purpose: 'clientAuth', profile: 'rfc5280' }),
      );
      expect(bigReads, JSON.stringify(Object.keys(subtree))).toBeLessThanOrEqual(4);
    }
  });
});

describe('candidates not on the chosen path do not matter; building is bounded', () => {
  const int = ca();
  const good = leaf(int, { dns: ['server.example'] });
  const chain = [good.der, int.der];

  it('an unused anchor or intermediate with an unknown critical or unparsable extension does not break validation', () => {
    const opaque = { oid: '1.3.6.1.4.1.55555.9', critical: true, value: Uint8Array.of(0xff, 0x00, 0x13) };
    const weird = issue({ CN: 'Weird Root' }, nodeKey('p256'), undefined, { isCA: true, extraExtensions: [opaque] });
    const brokenKey = nodeKey('p256');
    const broken = {
      der: buildCertificate(
        { subject: { CN: 'Broken Root' }, publicKey: brokenKey.publicKey, signingKey: brokenKey.privateKey, serial: 9n, notBefore: NOW - 1e9, notAfter: NOW + 1e9, isCA: true, extraExtensions: [{ oid: OID.subjectAltName, value: Uint8Array.of(1, 2, 3) }] },
        provider,
        seededRandom('broken'),
      ),
    };
    expect(() => parseCertificate(broken.der)).toThrow(/malformed/);
    const policy = { kind: 'ca' as const, anchors: [weird.der, broken.der, root.der] };
    const ctx = { provider, now: () => NOW, purpose: 'serverAuth' as const, hostname: 'server.example' };
    expect(evaluateTrust(policy, chain, ctx).verdict).toMatchObject({ trusted: true });
    // The same junk as peer-sent intermediates.
    expect(evaluateTrust({ kind: 'ca', anchors: [root.der] }, [...chain, broken.der, weird.der], ctx).verdict).toMatchObject({ trusted: true });
  });

  it(`a peer cannot make path building check more than ${SIGNATURE_BUDGET} signatures, nor one signature twice`, () => {
    const name = { CN: 'Hydra' };
    const run = (intermediates: Issued[], victim: Issued, signatureBudget?: number) => {
      const seen = new Set<string>();
      let repeated = 0;
      const counting: CryptoProvider = {
        ...provider,
        verify: (alg, key, data, signature) => {
          const pair = Buffer.from(data).toString('hex') + JSON.stringify(key, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
          if (seen.has(pair)) repeated++;
          seen.add(pair);
          return provider.verify(alg, key, data, signature);
        },
      };
      const verdict = verify({ leaf: victim, intermediates, anchors: [root], provider: counting, ...(signatureBudget ? { signatureBudget } : {}) });
      expect(verdict.ok).toBe(false);
      expect(repeated).toBe(0);
      return { verdict, verifications: seen.size };
    };
    // Nine cross-signed CAs under one name (three keys, each certified by each): naive building explodes.
    // With key identifiers, only the certificates of the signing key are tried at each step.
    const keys = [nodeKey('ed25519'), nodeKey('ed25519'), nodeKey('ed25519')];
    const selfs = keys.map((k) => issue(name, k, undefined, { isCA: true }));
    const mesh = keys.flatMap((k) => selfs.map((s) => issue(name, k, s, { isCA: true })));
    expect(run(mesh, leaf(selfs[0]!, { dns: ['server.example'] })).verifications).toBeLessThanOrEqual(SIGNATURE_BUDGET);
    // A ring of nine keys whose self-issued CAs carry no authorityKeyIdentifier (allowed for self-issued):
    // every CA is a candidate for every other; each signature is still checked once per key, and a
    // smaller budget ends the search.
    const ringKeys = Array.from({ length: 9 }, () => nodeKey('ed25519'));
    const ringSelfs = ringKeys.map((k) => issue(name, k, undefined, { isCA: true }));
    const ring = ringKeys.map((k, i) => issue(name, k, ringSelfs[(i + 1) % 9]!, { isCA: true, omit: ['authorityKeyIdentifier'] }));
    const victim = leaf(ringSelfs[0]!, { dns: ['server.example'] });
    expect(run(ring, victim).verifications).toBe(SIGNATURE_BUDGET);
    const capped = run(ring, victim, 10);
    expect(capped.verifications).toBe(10);
    expect(capped.verdict).toMatchObject({ ok: false, detail: expect.stringMatching(/more than 10 signature checks/) });
    // P-521 verifications cost about twice the others in pure JS: each counts twice, so half as many are made.
    const p521Keys = Array.from({ length: 9 }, () => nodeKey('p521'));
    const p521Selfs = p521Keys.map((k) => issue(name, k, undefined, { isCA: true }));
    const p521Ring = p521Keys.map((k, i) => issue(name, k, p521Selfs[(i + 1) % 9]!, { isCA: true, omit: ['authorityKeyIdentifier'] }));
    const p521Run = run(p521Ring, leaf(p521Selfs[0]!, { dns: ['server.example'] }));
    expect(p521Run.verifications).toBe(SIGNATURE_BUDGET / 2);
    expect(p521Run.verdict).toMatchObject({ ok: false, detail: expect.stringMatching(/more than 12 signature checks \(a P-521 one counts twice\)/) });
  });

  it('refuses a path longer than the maximum depth', () => {
    let top = root;
    const ints: Issued[] = [];
    for (let i = 0; i < 8; i++) ints.push((top = issue({ CN: `I${i}` }, nodeKey('ed25519'), top, { isCA: true })));
    refused({ leaf: leaf(top, { dns: ['a.example'] }), intermediates: ints, anchors: [root] }, 'BadCertificate', /within 8 certificates/);
  });
});

describe('profile checks (RFC 5280 §4.2, CA/B Forum Baseline Requirements)', () => {
  const under = (extra: Extra) => {
    const int = ca(extra);
    return { leaf: leaf(int, { dns: ['a.example'] }), intermediates: [int], anchors: [root] };
  };
  const leafWith = (extra: Extra, sans: NonNullable<CertificateSpec['sans']> = { dns: ['a.example'] }, subject: Parameters<typeof issue>[0] = { CN: 'leaf' }) => {
    const int = ca();
    return { leaf: leaf(int, sans, extra, subject), intermediates: [int], anchors: [root] };
  };
  const both = (c: Omit<Case, 'profile'>, reason: Reason, detail: RegExp) => {
    refused({ ...c, profile: 'rfc5280' }, reason, detail);
    refused({ ...c, profile: 'webpki' }, reason, detail);
  };

  it('key identifiers: critical AKI or SKI, missing AKI on a leaf, missing SKI on a CA', () => {
    both(leafWith({ critical: { authorityKeyIdentifier: true } }), 'BadCertificate', /authorityKeyIdentifier is critical/);
    both(under({ critical: { subjectKeyIdentifier: true } }), 'BadCertificate', /subjectKeyIdentifier is critical/);
    both(leafWith({ omit: ['authorityKeyIdentifier'] }), 'BadCertificate', /no authorityKeyIdentifier/);
    both(under({ omit: ['subjectKeyIdentifier'] }), 'BadCertificate', /without subjectKeyIdentifier/);
  });

  it('basicConstraints and keyUsage of CAs; keyCertSign and pathLen on a leaf', () => {
    both(under({ critical: { basicConstraints: false } }), 'BadCertificate', /basicConstraints of a CA certificate is not critical/);
    const noBc = issue({ CN: 'No BC' }, caKey, root, { keyUsage: ['keyCertSign'], extKeyUsage: [] });
    both({ leaf: leaf(noBc, { dns: ['a.example'] }), intermediates: [noBc], anchors: [root] }, 'BadCertificate', /not a CA/);
    both(under({ omit: ['keyUsage'] }), 'BadCertificate', /CA certificate without keyUsage/);
    both(leafWith({ keyUsage: ['digitalSignature', 'keyCertSign'] }), 'BadCertificate', /keyCertSign without basicConstraints cA/);
    both(leafWith({ isCA: false, pathLen: 0 }), 'BadCertificate', /pathLenConstraint without cA/);
  });

  it('names: a CA with an empty subject; an empty subject without a critical SAN', () => {
    const nameless = issue({}, caKey, root, { isCA: true });
    both({ leaf: leaf(nameless, { dns: ['a.example'] }), intermediates: [nameless], anchors: [root] }, 'BadCertificate', /empty/);
    both(leafWith({ critical: { subjectAltName: false } }, { dns: ['a.example'] }, {}), 'BadCertificate', /empty subject without a critical subjectAltName/);
    accepted({ ...leafWith({}, { dns: ['a.example'] }, {}), profile: 'webpki' });
  });

  it('serial numbers: zero, negative, longer than 20 octets', () => {
    for (const serial of [0n, -5n, 1n << 160n]) both(leafWith({ serial }), 'BadCertificate', /serial number/);
    accepted({ ...leafWith({ serial: (1n << 151n) + 1n }), profile: 'webpki' });
    // 20 octets with the top bit set: 21 on the wire, behind the 0x00 sign octet (rustls-webpki, pyca/cryptography).
    accepted({ ...leafWith({ serial: (1n << 160n) - 1n }), profile: 'webpki' });
    both(leafWith({ serial: 1n << 160n }), 'BadCertificate', /serial number of 21 octets/);
  });

  it('webpki EKU rules: leaf without EKU, anyExtendedKeyUsage, critical EKU, EKU on the root, CA EKU without the purpose', () => {
    refused({ ...leafWith({ extKeyUsage: [] }), profile: 'webpki' }, 'UnsupportedCertificate', /no extKeyUsage/);
    refused({ ...leafWith({ extKeyUsage: ['serverAuth', 'anyExtendedKeyUsage'] }), profile: 'webpki' }, 'UnsupportedCertificate', /anyExtendedKeyUsage/);
    refused({ ...leafWith({ critical: { extKeyUsage: true } }), profile: 'webpki' }, 'UnsupportedCertificate', /extKeyUsage is critical/);
    refused({ ...under({ extKeyUsage: ['clientAuth'] }), profile: 'webpki' }, 'UnsupportedCertificate', /CA extKeyUsage \[clientAuth\] does not include serverAuth/);
    const ekuRoot = issue({ CN: 'EKU Root' }, rootKey, undefined, { isCA: true, extKeyUsage: ['serverAuth'] });
    const c = { leaf: leaf(ekuRoot, { dns: ['a.example'] }), anchors: [ekuRoot] };
    refused({ ...c, profile: 'webpki' }, 'UnsupportedCertificate', /root certificate with extKeyUsage/);
    accepted({ ...c, profile: 'rfc5280' });
  });

  it('webpki DNS name rules: bare or TLD wildcards, wildcards not left-most, underscores', () => {
    for (const name of ['*', '*.com', 'a.*.example', 'f*o.example', 'under_score.example', '*.a_b.example']) {
      refused({ ...leafWith({}, { dns: [name, 'a.example'] }), profile: 'webpki', hostname: 'a.example' }, 'BadCertificate', /dNSName/);
      accepted({ ...leafWith({}, { dns: [name, 'a.example'] }), profile: 'rfc5280', hostname: 'a.example' });
    }
    accepted({ ...leafWith({}, { dns: ['*.a.example'] }), profile: 'webpki', hostname: 'x.a.example' });
  });

  it('webpki refuses RSA keys under 2048 bits', () => {
    const node = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const privateKey = loadPrivateKey(new Uint8Array(node.privateKey.export({ format: 'der', type: 'pkcs8' })));
    const int = ca();
    const weak = issue({ CN: 'weak' }, { node, privateKey, publicKey: provider.publicKeyOf(privateKey) }, int, { sans: { dns: ['a.example'] } });
    // keys.ts may already refuse the key at parse time (unsupported public key); either way it is unsupported.
    refused({ leaf: weak, intermediates: [int], anchors: [root], profile: 'webpki' }, 'UnsupportedCertificate', /RSA/);
  });

  it('refuses critical policy extensions it does not implement', () => {
    for (const oid of [OID.policyConstraints, OID.inhibitAnyPolicy, OID.certificatePolicies]) {
      const value = oid === OID.inhibitAnyPolicy ? der.integer(0) : der.sequence(der.implicit(0, Uint8Array.of(0)));
      both(under({ extraExtensions: [{ oid, critical: true, value }] }), 'UnsupportedCertificate', /unsupported critical extension/);
    }
  });
});

describe('the RSA key floor holds for every key in the path, in every profile (NIST SP 800-131A, BR §6.1.5)', () => {
  const rsaKey = (bits: number): Parameters<typeof issue>[1] => {
    const node = generateKeyPairSync('rsa', { modulusLength: bits });
    const privateKey = loadPrivateKey(new Uint8Array(node.privateKey.export({ format: 'der', type: 'pkcs8' })));
    return { node, privateKey, publicKey: provider.publicKeyOf(privateKey) };
  };
  const weakRoot = issue({ CN: 'Weak Root' }, rsaKey(1024), undefined, { isCA: true });
  const weakIntermediate = issue({ CN: 'Weak Intermediate' }, rsaKey(1024), root, { isCA: true });

  for (const profile of ['rfc5280', 'webpki'] as const) {
    it(`${profile}: a 1024-bit RSA root cannot vouch for a leaf with a strong key`, () => {
      refused({ leaf: leaf(weakRoot, { dns: ['server.example'] }), anchors: [weakRoot], hostname: 'server.example', profile }, 'UnsupportedCertificate', /RSA key of 1024 bits/);
    });
    it(`${profile}: a 1024-bit RSA intermediate breaks the path`, () => {
      refused(
        { leaf: leaf(weakIntermediate, { dns: ['server.example'] }), intermediates: [weakIntermediate], anchors: [root], hostname: 'server.example', profile },
        'UnsupportedCertificate',
        /RSA key of 1024 bits/,
      );
    });
  }
});

describe('revocation from CRLs the user supplies (RFC 5280 §6.3)', () => {
  it('a private-CA server refuses the revoked client certificate with certificate_revoked and accepts the other', () => {
    const cast = makeCast('crl');
    const random = seededRandom('crl/clients');
    const client = (cn: string, serial: bigint) =>
      makeIdentity({ subject: { O: 'Example Org', CN: cn }, serial, issuer: cast.privateCa, keyUsage: ['digitalSignature'], extKeyUsage: ['clientAuth'] }, random);
    const erin = client('erin', 200n);
    const frank = client('frank', 201n);
    const crl = buildCrl({ issuer: cast.privateCa.certificate, signingKey: cast.privateCa.privateKey, thisUpdate: TEST_NOW - 86_400_000, nextUpdate: TEST_NOW + 86_400_000, revoked: [{ serial: 201n }] }, provider, random);
    const run = (who: typeof erin) =>
      outcomeOf(
        new InMemoryPair(
          { now: () => TEST_NOW, random: seededRandom('crl/c'), serverName: SERVER_NAME, trust: { kind: 'ca', anchors: [cast.webCa.der] }, certificate: who },
          { now: () => TEST_NOW, random: seededRandom('crl/s'), certificate: cast.server, clientAuth: 'require', trust: { kind: 'ca', anchors: [cast.privateCa.der], crls: [crl] } },
        ).run(),
      );
    expect(run(erin)).toMatchObject({ kind: 'connected', client: { subject: 'CN=erin,O=Example Org' } });
    const revoked = run(frank);
    expect(revoked).toMatchObject({ kind: 'alert', alert: 'certificate_revoked', sentBy: 'server' });
    expect(revoked.kind === 'alert' && revoked.detail).toMatch(/CN=frank.*revoked/);
  });

  it('fails closed on a stale CRL, a CRL not signed by the issuer, and a CRL with an unknown critical extension', () => {
    const int = ca();
    const victim = leaf(int, { dns: ['a.example'] });
    const random = seededRandom('crl/stale');
    const crlOf = (spec: Partial<Parameters<typeof buildCrl>[0]>) =>
      parseCrl(buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [], ...spec }, provider, random));
    const run = (crl: ReturnType<typeof parseCrl>) =>
      verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] });
    expect(run(crlOf({}))).toMatchObject({ ok: true });
    expect(run(crlOf({ revoked: [{ serial: BigInt('0x' + victim.cert.serialNumber) }] }))).toMatchObject({ ok: false, reason: 'CertificateRevoked' });
    expect(run(crlOf({ nextUpdate: NOW - 1 }))).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/nextUpdate/) });
    expect(run(crlOf({ signingKey: rootKey.privateKey }))).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/signature/) });
    expect(run(crlOf({ extraExtensions: [{ oid: OID.deltaCRLIndicator, critical: true, value: der.integer(1) }] }))).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/critical CRL extension/) });
    expect(() => parseCrl(Uint8Array.of(0x30, 0x03, 1, 2, 3))).toThrow(TypeError);
  });

  it('fails closed on a CRL without cRLNumber, with a critical one (RFC 5280 §5.2.3), or listing a serial twice (x509-limbo rfc5280::crl::crlnumber-*, crl-duplicate-revoked-serial)', () => {
    const int = ca();
    const victim = leaf(int, { dns: ['a.example'] });
    const random = seededRandom('crl/number');
    const crlOf = (spec: Partial<Parameters<typeof buildCrl>[0]>) =>
      parseCrl(buildCrl({ issuer: int.cert, signingKey: int.key.privateKey, thisUpdate: NOW - 10_000, nextUpdate: NOW + 10_000, revoked: [], ...spec }, provider, random));
    const run = (crl: ReturnType<typeof parseCrl>) =>
      verifyChain({ leaf: victim.cert, intermediates: [int.cert], anchors: [root.cert], now: NOW, purpose: 'serverAuth', provider, crls: [crl] });
    expect(run(crlOf({ crlNumber: null }))).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/no cRLNumber/) });
    expect(run(crlOf({ crlNumberCritical: true }))).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/critical cRLNumber/) });
    expect(run(crlOf({ revoked: [{ serial: 77n }, { serial: 77n }] }))).toMatchObject({ ok: false, reason: 'CertificateUnknown', detail: expect.stringMatching(/lists serial number 4d twice/) });
    // Control: the same CRL with its cRLNumber as RFC 5280 asks for, and each serial once, decides the status.
    expect(run(crlOf({ crlNumber: 7n, revoked: [{ serial: 77n }, { serial: 78n }] }))).toMatchObject({ ok: true });
  });
});

/** How many times `run` calls String.prototype.replace on a string at least as long as `big`. */
function replacesOfStringsAsLongAs(big: string, run: () => void): number {
  const replace = String.prototype.replace;
  let count = 0;
  String.prototype.replace = function (this: string, ...args: Parameters<typeof replace>) {
    if (this.length >= big.length) count++;
    return replace.apply(this, args);
  } as typeof replace;
  try {
    run();
  } finally {
    String.prototype.replace = replace;
  }
  return count;
}
