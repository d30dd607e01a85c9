// x509-limbo's name constraint cases (limbo/testcases/rfc5280/nc.py) and the two name-constraint CVEs of
// cve.py, one test each, rebuilt with our builder in limbo's shapes (limbo-shapes.ts). Server validation is
// for the case's peer name (example.com unless it names another); client validation ("client_validation()"
// in limbo, RFC822 peer names) is our clientAuth purpose, whose default profile is rfc5280.
import { describe, expect, it } from 'vitest';
import { contextTag } from '../../src/auth/der.js';
import { der } from '../../src/auth/der-writer.js';
import type { GeneralNameSpec } from '../../src/auth/builder.js';
import { nodeKey } from '../auth/helpers.js';
import type { Issued } from '../auth/helpers.js';
import type { Case } from './path-helpers.js';
import { fails, limboIntermediate, limboLeaf, limboRoot, limboServer, LIMBO_NOW, outcome, rawExtension, succeeds } from './limbo-shapes.js';
import type { CertOptions, Extra, Sans } from './limbo-shapes.js';
import { OID } from '../../src/auth/oids.js';

const nc = (permitted?: GeneralNameSpec[], excluded?: GeneralNameSpec[]): Extra => ({ nameConstraints: { ...(permitted ? { permitted } : {}), ...(excluded ? { excluded } : {}) } });
const ascii = (text: string) => new TextEncoder().encode(text);
/** An iPAddress GeneralName with these bytes as they are: 4 or 16 (an address, not a subtree), or 8 (a CIDR, not an address). */
const rawIp = (bytes: number[]): GeneralNameSpec => ({ raw: der.implicit(7, Uint8Array.from(bytes)) });
/** limbo's private OtherName 1.3.6.1.4.1.55738.666.3 with a NULL value. */
const OTHER_NAME = der.tlv(contextTag(0, true), der.oid('1.3.6.1.4.1.55738.666.3'), der.explicit(0, der.null()));

/** root (with `rootNc`) -> leaf (with `sans`), for `hostname`. */
function underRoot(rootNc: Extra, sans: Sans, hostname = 'example.com', leafExtra: CertOptions = {}): Case {
  const root = limboRoot(rootNc);
  return limboServer({ leaf: limboLeaf(root, { sans, ...leafExtra }), anchors: [root], hostname });
}

/** root -> ICA (with `icaNc`) -> leaf. */
function underIca(icaNc: Extra, sans: Sans, hostname = 'example.com', leafExtra: CertOptions = {}): Case {
  const root = limboRoot();
  const ica = limboIntermediate(root, { sans: {}, ...icaNc });
  return limboServer({ leaf: limboLeaf(ica, { sans, ...leafExtra }), intermediates: [ica], anchors: [root], hostname });
}

/** limbo's client validation: an EKU clientAuth leaf, no host name to match. */
const client = (c: Case): Case => ({ leaf: c.leaf, intermediates: c.intermediates ?? [], anchors: c.anchors, purpose: 'clientAuth', now: LIMBO_NOW });
const clientLeaf: Extra = { extKeyUsage: ['clientAuth'] };

describe('x509-limbo rfc5280::nc::* dNSName and iPAddress (nc.py)', () => {
  it('permitted-dns-mismatch: FAILURE; permitted-dns-match, permitted-dns-match-more: SUCCESS', () => {
    fails(underRoot(nc([{ dns: 'example.com' }]), { dns: ['not-example.com'] }, 'not-example.com'), /not-example\.com.* is outside the permitted subtrees/);
    succeeds(underRoot(nc([{ dns: 'example.com' }]), { dns: ['example.com'] }));
    succeeds(underRoot(nc([{ dns: 'example.com' }]), { dns: ['foo.bar.example.com'] }, 'foo.bar.example.com'));
  });

  it('excluded-dns-match, excluded-dns-match-second, excluded-match-permitted-and-excluded: FAILURE', () => {
    fails(underIca(nc(undefined, [{ dns: 'example.com' }]), { dns: ['example.com'] }), /example\.com.* is in an excluded subtree/);
    fails(underRoot(nc(undefined, [{ dns: 'not-allowed.example.com' }]), { dns: ['example.com', 'not-allowed.example.com'] }), /not-allowed\.example\.com.* is in an excluded subtree/);
    fails(underRoot(nc([{ dns: 'example.com' }], [{ dns: 'example.com' }]), { dns: ['example.com'] }), /is in an excluded subtree/);
  });

  it('permitted-dns-match-noncritical: FAILURE under rfc5280, SUCCESS under webpki (limbo: rfc5280-incompatible-with-webpki)', () => {
    const c = underRoot({ ...nc([{ dns: 'example.com' }]), critical: { nameConstraints: false } }, { dns: ['example.com'] });
    fails({ ...c, profile: 'rfc5280' }, /nameConstraints is not critical/);
    succeeds({ ...c, profile: 'webpki' });
  });

  it('permitted-ip-mismatch, excluded-ipv4-match, excluded-ipv6-match: FAILURE; permitted-ipv4-match, permitted-ipv6-match: SUCCESS', () => {
    fails(underRoot(nc([{ ip: '192.0.2.0/24' }]), { ip: ['192.0.3.1'] }, '192.0.3.1'), /192\.0\.3\.1.* is outside the permitted subtrees/);
    fails(underRoot(nc(undefined, [{ ip: '192.0.2.0/24' }]), { ip: ['192.0.2.1'] }, '192.0.2.1'), /192\.0\.2\.1.* is in an excluded subtree/);
    fails(underRoot(nc(undefined, [{ ip: '::1/128' }]), { ip: ['::1'] }, '::1'), /::1.* is in an excluded subtree/);
    succeeds(underRoot(nc([{ ip: '192.0.2.0/24' }]), { ip: ['192.0.2.1'] }, '192.0.2.1'));
    succeeds(underRoot(nc([{ ip: '::1/128' }]), { ip: ['::1'] }, '::1'));
  });

  it('permitted-different-constraint-type, excluded-different-constraint-type: SUCCESS', () => {
    succeeds(underRoot(nc([{ ip: '192.0.2.0/24' }]), { dns: ['example.com'] }));
    succeeds(underRoot(nc(undefined, [{ ip: '192.0.2.0/24' }]), { dns: ['example.com'] }));
  });

  it('invalid-dnsname-wildcard, invalid-ipv4-address, invalid-ipv6-address (malformed constraints): FAILURE', () => {
    fails(underRoot(nc([{ dns: '*.example.com' }]), { dns: ['foo.example.com'] }, 'foo.example.com'), /\*\.example\.com/);
    fails(underRoot(nc([rawIp([127, 0, 0, 1])]), { ip: ['127.0.0.1'] }, '127.0.0.1'), /iPAddress|malformed/);
    fails(underRoot(nc([rawIp([...new Array(15).fill(0), 1])]), { ip: ['::1'] }, '::1'), /iPAddress|malformed/);
  });

  it('invalid-dnsname-leading-period: FAILURE under rfc5280; webpki reads ".example.com" as the names below (decision, as rustls-webpki, NSS, Go)', () => {
    const c = underRoot(nc([{ dns: '.example.com' }]), { dns: ['foo.example.com'] }, 'foo.example.com');
    fails({ ...c, profile: 'rfc5280' }, /leading "\."/);
    expect(outcome({ ...c, profile: 'webpki' })).toBe('SUCCESS');
  });

  it('not-allowed-in-ee-noncritical, not-allowed-in-ee-critical: FAILURE', () => {
    const ncValue = der.sequence(der.tlv(contextTag(0, true), der.sequence(der.implicit(2, ascii('example.com')))));
    for (const critical of [false, true]) {
      const root = limboRoot();
      const leaf = limboLeaf(root, { extraExtensions: [rawExtension(OID.nameConstraints, ncValue, critical)] });
      fails(limboServer({ leaf, anchors: [root] }), /nameConstraints in a certificate that is not a CA/);
    }
  });

  it('nc-permits-invalid-dns-san (".example.com"), nc-permits-invalid-ip-san (a CIDR as an address): FAILURE', () => {
    fails(underIca(nc([{ dns: 'example.com' }]), { dns: ['.example.com', 'foo.example.com'] }, 'foo.example.com'), /\.example\.com/);
    const root = limboRoot();
    const ica = limboIntermediate(root, { sans: {}, ...nc([{ ip: '192.0.2.0/24' }]) });
    const cidrSan = () => limboLeaf(ica, { sans: { ip: ['192.0.2.1'], raw: [der.implicit(7, Uint8Array.from([192, 0, 2, 0, 255, 255, 255, 0]))] } });
    let c: Case | undefined;
    try {
      c = limboServer({ leaf: cidrSan(), intermediates: [ica], anchors: [root], hostname: '192.0.2.1' });
    } catch (e) {
      expect(String(e)).toMatch(/iPAddress/); // refused when parsed
    }
    if (c) fails(c, /iPAddress|cannot be checked/);
  });
});

describe('x509-limbo rfc5280::nc::* directoryName (nc.py, feature name-constraint-dn)', () => {
  const dnCase = (permitted: boolean, subjectCn: string, sanCn: string) =>
    underRoot(nc(permitted ? [{ dn: { CN: 'foo' } }] : undefined, permitted ? undefined : [{ dn: { CN: 'foo' } }]), { dn: [{ CN: sanCn }] }, 'example.com', { subject: { CN: subjectCn } });
  const noHost = (c: Case): Case => ({ ...c, hostname: undefined as never });

  it('permitted-dn-mismatch, excluded-dn-match, permitted-dn-match-subject-san-mismatch, excluded-dn-match-sub-mismatch: FAILURE', () => {
    fails(noHost(dnCase(true, 'not-foo', 'not-foo')), /outside the permitted subtrees/);
    fails(noHost(dnCase(false, 'foo', 'foo')), /in an excluded subtree/);
    fails(noHost(dnCase(true, 'not-foo', 'foo')), /CN=not-foo.* is outside the permitted subtrees/);
    fails(noHost(dnCase(false, 'foo', 'not-foo')), /CN=foo.* is in an excluded subtree/);
  });

  it('permitted-dn-match: SUCCESS without a peer name; for the harness\'s default peer example.com the leaf has no such dNSName (RFC 9525 §6)', () => {
    succeeds(noHost(dnCase(true, 'foo', 'foo')));
    fails(dnCase(true, 'foo', 'foo'), /example\.com/);
  });
});

describe('x509-limbo rfc5280::nc::* self-issued and path (nc.py)', () => {
  it('permitted-self-issued: SUCCESS (a self-issued intermediate is not checked, RFC 5280 §6.1.3(b))', () => {
    const name = { CN: 'not-example.com' };
    const root = limboRoot({ name, sans: { dns: ['not-example.com'] }, ...nc([{ dns: 'example.com' }]) });
    const ica = limboIntermediate(root, { subject: name, sans: { dns: ['not-example.com'] } });
    expect(ica.cert.issuer.raw).toEqual(ica.cert.subject.raw);
    succeeds(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }));
  });

  it('excluded-self-issued-leaf: FAILURE (a self-issued leaf is checked)', () => {
    const root = limboRoot(nc([{ dns: 'example.com' }]));
    const ica = limboIntermediate(root, { subject: { CN: 'not-example.com' }, sans: { dns: ['not-example.com'] } });
    const leaf = limboLeaf(ica, { subject: { CN: 'not-example.com' }, sans: { dns: ['not-example.com'] } });
    fails(limboServer({ leaf, intermediates: [ica], anchors: [root], hostname: 'not-example.com' }), /not-example\.com.* is outside the permitted subtrees/);
  });

  it('intermediate-with-san-rejected-by-intermediate-nc, -by-root-nc: FAILURE (an intermediate\'s SAN is checked too)', () => {
    const root = limboRoot();
    const ica1 = limboIntermediate(root, { sans: {}, ...nc([{ dns: 'permitted.example.com' }], [{ dns: 'forbidden.example.com' }]) });
    const ica2 = limboIntermediate(ica1, { sans: { dns: ['forbidden.example.com'] } });
    const leaf = limboLeaf(ica2, { sans: { dns: ['permitted.example.com'] } });
    fails(limboServer({ leaf, intermediates: [ica1, ica2], anchors: [root], hostname: 'permitted.example.com' }), /forbidden\.example\.com.* is in an excluded subtree/);
    const ncRoot = limboRoot({ sans: {}, ...nc([{ dns: 'permitted.example.com' }], [{ dns: 'forbidden.example.com' }]) });
    const mid = limboIntermediate(ncRoot, { sans: {} });
    const ica2b = limboIntermediate(mid, { sans: { dns: ['forbidden.example.com'] } });
    fails(limboServer({ leaf: limboLeaf(ica2b, { sans: { dns: ['permitted.example.com'] } }), intermediates: [mid, ica2b], anchors: [ncRoot], hostname: 'permitted.example.com' }), /forbidden\.example\.com.* is in an excluded subtree/);
  });

  it('restrictive-permits-in-intermediates-narrows, -widens: FAILURE (every CA\'s permitted set applies)', () => {
    for (const [outer, inner] of [
      [['foo.example.com', 'bar.example.com'], ['bar.example.com']],
      [['bar.example.com'], ['foo.example.com', 'bar.example.com']],
    ] as const) {
      const root = limboRoot();
      const ica1 = limboIntermediate(root, { sans: {}, ...nc(outer.map((dns) => ({ dns }))) });
      const ica2 = limboIntermediate(ica1, { sans: {}, ...nc(inner.map((dns) => ({ dns }))) });
      fails(limboServer({ leaf: limboLeaf(ica2, { sans: { dns: ['foo.example.com'] } }), intermediates: [ica1, ica2], anchors: [root], hostname: 'foo.example.com' }), /foo\.example\.com.* is outside the permitted subtrees/);
    }
  });

  it('nc-forbids-alternate-chain-ica, nc-forbids-same-chain-ica: SUCCESS (building goes on to the path the constraints allow)', () => {
    const discarded = limboRoot({ sans: {} });
    const trusted = limboRoot({ sans: {} });
    const icaA = limboIntermediate(trusted, { sans: {}, ...nc([{ dns: 'permitted.example.com' }], [{ dns: 'forbidden.example.com' }]) });
    const key = nodeKey('p256');
    const b1 = limboIntermediate(discarded, { key, subject: { CN: 'an-intermediate' }, sans: { dns: ['forbidden.example.com'] } });
    const b2 = limboIntermediate(icaA, { key, subject: { CN: 'an-intermediate' }, sans: {} });
    const leaf = limboLeaf(b1, { subject: { CN: 'permitted.example.com' }, sans: { dns: ['permitted.example.com'] } });
    succeeds(limboServer({ leaf, intermediates: [icaA, b1, b2], anchors: [trusted], hostname: 'permitted.example.com' }));

    const rootA = limboRoot({ sans: {} });
    const rootB = limboRoot({ sans: {} });
    const icaA2 = limboIntermediate(rootA, { sans: {}, ...nc(undefined, [{ dns: 'forbidden.example.com' }]) });
    const keyB = nodeKey('p256');
    const viaA = limboIntermediate(icaA2, { key: keyB, subject: { CN: 'an-intermediate' }, sans: { dns: ['forbidden.example.com'] } });
    const viaB = limboIntermediate(rootB, { key: keyB, subject: { CN: 'an-intermediate' }, sans: { dns: ['unconstrained-ica.example.com'] } });
    const leaf2 = limboLeaf(viaA, { subject: { CN: 'unconstrained.example.com' }, sans: { dns: ['unconstrained.example.com'] } });
    succeeds(limboServer({ leaf: leaf2, intermediates: [icaA2, viaA, viaB], anchors: [rootA, rootB], hostname: 'unconstrained.example.com' }));
  });
});

describe('x509-limbo rfc5280::nc::* rfc822Name and otherName (nc.py, client validation)', () => {
  const emailCase = (constraint: GeneralNameSpec, emails: string[], excluded = false): Case => {
    const root = limboRoot();
    const ica = limboIntermediate(root, { sans: {}, ...(excluded ? nc(undefined, [constraint]) : nc([constraint])) });
    return client(limboServer({ leaf: limboLeaf(ica, { ...clientLeaf, sans: { email: emails } }), intermediates: [ica], anchors: [root] }));
  };

  it('invalid-email-address (constraint "invalid@invalid@example.com"): FAILURE', () => {
    const root = limboRoot(nc([{ email: 'invalid@invalid@example.com' }]));
    fails(client(limboServer({ leaf: limboLeaf(root, { ...clientLeaf, sans: { email: ['example@example.com'] } }), anchors: [root] })), /invalid@invalid@example\.com/);
  });

  it('nc-permits-invalid-email-san: FAILURE; nc-permits-email-exact, nc-permits-email-domain: SUCCESS', () => {
    fails(emailCase({ email: 'example.com' }, ['good@example.com', 'alsogood@example.com', 'invalid@address@example.com']), /invalid@address@example\.com/);
    succeeds(emailCase({ email: 'foo@example.com' }, ['foo@example.com']));
    succeeds(emailCase({ email: 'example.com' }, ['foo@example.com']));
  });

  it('nc-permits-email-literal-* (ids only; source not read): a mailbox constraint with "*" is a literal mailbox, compared exactly', () => {
    succeeds(emailCase({ email: '*@example.com' }, ['*@example.com']));
    succeeds(emailCase({ email: '**@example.com' }, ['**@example.com']));
    succeeds(emailCase({ email: 'f*o@example.com' }, ['f*o@example.com']));
    fails(emailCase({ email: '**@example.com' }, ['*@example.com']), /outside the permitted subtrees/);
    fails(emailCase({ email: '*@example.com' }, ['foo@example.com']), /outside the permitted subtrees/);
  });

  it('nc-forbids-othername: FAILURE; nc-forbids-othername-noop: SUCCESS', () => {
    const root = limboRoot();
    const ica = limboIntermediate(root, { sans: {}, ...nc([{ dns: 'example.com' }], [{ raw: OTHER_NAME }]) });
    fails(limboServer({ leaf: limboLeaf(ica, { sans: { dns: ['example.com'], raw: [OTHER_NAME] } }), intermediates: [ica], anchors: [root] }), /constrains the name form of an otherName \[0\] .* which we do not process/);
    succeeds(limboServer({ leaf: limboLeaf(ica), intermediates: [ica], anchors: [root] }));
  });
});

describe('x509-limbo cve::* (cve.py)', () => {
  it('cve-2024-0567: SUCCESS (A1 -> A, with A, B, C cross-signing each other and A trusted)', () => {
    const key = { A: nodeKey('p256'), B: nodeKey('p256'), C: nodeKey('p256') };
    const rootA = limboRoot({ key: key.A, name: { CN: 'Root A' }, sans: {} });
    const signedBy = (subject: 'A' | 'B' | 'C', issuer: 'A' | 'B' | 'C') =>
      limboIntermediateSignedBy(`Root ${subject}`, key[subject], `Root ${issuer}`, key[issuer]);
    const a1 = limboIntermediate(rootA, { key: nodeKey('p256'), subject: { CN: 'Intermediate A1' }, sans: {} });
    const crossed = [signedBy('A', 'B'), signedBy('A', 'C'), signedBy('B', 'A'), signedBy('B', 'C'), signedBy('C', 'A'), signedBy('C', 'B')];
    const leaf = limboLeaf(a1, { subject: {}, sans: { dns: ['cve-2024-0567.example.com'] } });
    succeeds(limboServer({ leaf, intermediates: [a1, ...crossed], anchors: [rootA], hostname: 'cve-2024-0567.example.com' }));
  });

  it('cve-2025-61727: FAILURE (a wildcard SAN that could stand for an excluded name); the permits variant: FAILURE', () => {
    fails(underIca(nc([{ dns: 'example.com' }], [{ dns: 'bar.example.com' }]), { dns: ['*.example.com'] }, 'bar.example.com'), /\*\.example\.com/);
    fails(underIca(nc([{ dns: 'foo.example.com' }]), { dns: ['*.example.com'] }, 'foo.example.com'), /\*\.example\.com.* is outside the permitted subtrees/);
  });
});

/** A CA certificate "CN=<subject>" for `subjectKey`, issued in the name "CN=<issuer>" by `issuerKey` (cve.py's cross-signs). */
function limboIntermediateSignedBy(subject: string, subjectKey: ReturnType<typeof nodeKey>, issuer: string, issuerKey: ReturnType<typeof nodeKey>): Issued {
  const issuerStub = limboRoot({ key: issuerKey, name: { CN: issuer }, sans: {} });
  return limboIntermediate(issuerStub, { key: subjectKey, subject: { CN: subject }, sans: {} });
}
