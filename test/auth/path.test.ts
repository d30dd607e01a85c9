// Unit tests of the pieces in src/auth/path/: the nameConstraints parser, URI hosts, profiles as data,
// and trust policy configuration errors (TypeError before anything is sent).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCrl } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { parseNameConstraints, uriHost } from '../../src/auth/path/names.js';
import { defaultProfile, PROFILES } from '../../src/auth/path/profile.js';
import { parseCrl } from '../../src/auth/path/revocation.js';
import { toPem } from '../../src/auth/pem.js';
import { checkTrustPolicy, type TrustPolicy } from '../../src/auth/trust.js';
import { Connection } from '../../src/handshake/connection.js';
import { issue, nodeKey, NOW, provider, random } from './helpers.js';

const subtree = (name: Uint8Array, ...rest: Uint8Array[]) => der.sequence(name, ...rest);
const dns = (text: string) => der.implicit(2, Uint8Array.from(text, (c) => c.charCodeAt(0)));
const permitted = (...subtrees: Uint8Array[]) => der.sequence(der.tlv(0xa0, ...subtrees));

describe('parseNameConstraints', () => {
  it('reads permitted and excluded subtrees of every processed form', () => {
    const value = der.sequence(
      der.tlv(0xa0, subtree(dns('.Corp.Example')), subtree(der.implicit(7, Uint8Array.of(10, 0, 0, 0, 255, 0, 0, 0)))),
      der.tlv(0xa1, subtree(der.implicit(1, Uint8Array.of(0x61, 0x40, 0x62)))),
    );
    expect(parseNameConstraints(value)).toEqual({
      permitted: [
        { form: 'dns', base: '.corp.example' },
        { form: 'ip', address: Uint8Array.of(10, 0, 0, 0), mask: Uint8Array.of(255, 0, 0, 0) },
      ],
      excluded: [{ form: 'email', base: { local: 'a', domain: 'b' } }],
    });
  });

  it('refuses what RFC 5280 §4.2.1.10 rules out: minimum, maximum, empty lists, bad domains, bad masks', () => {
    expect(() => parseNameConstraints(permitted(subtree(dns('a.example'), der.implicit(0, Uint8Array.of(1)))))).toThrow(/minimum or maximum/);
    expect(() => parseNameConstraints(permitted(subtree(dns('a.example'), der.implicit(1, Uint8Array.of(1)))))).toThrow(/minimum or maximum/);
    expect(() => parseNameConstraints(der.sequence(der.tlv(0xa0)))).toThrow(/empty GeneralSubtrees/);
    expect(() => parseNameConstraints(der.sequence())).toThrow(/neither permitted nor excluded/);
    expect(() => parseNameConstraints(permitted(subtree(dns('*.example'))))).toThrow(/not a domain/);
    expect(() => parseNameConstraints(permitted(subtree(der.implicit(7, Uint8Array.of(1, 2, 3, 4)))))).toThrow(/4 bytes/);
    expect(() => parseNameConstraints(permitted(subtree(der.implicit(7, Uint8Array.of(1, 2, 3, 4, 255, 0, 255, 0)))))).toThrow(/not a prefix/);
    // An excluded mailbox that is none (two '@') would exclude nothing: malformed, fail closed.
    expect(() => parseNameConstraints(permitted(subtree(der.implicit(1, new TextEncoder().encode('a@b@c.example')))))).toThrow(/not a mailbox/);
  });

  it('keeps forms it does not process by their tag, for fail-closed matching', () => {
    const registeredId = der.implicit(8, Uint8Array.of(0x2a, 0x03));
    expect(parseNameConstraints(permitted(subtree(registeredId))).permitted).toEqual([{ form: 'other', tag: 0x88 }]);
  });
});

describe('uriHost', () => {
  it('takes the host of the authority, without userinfo or port, lowercased', () => {
    expect(uriHost('spiffe://Prod.Example/ns/a')).toBe('prod.example');
    expect(uriHost('https://user:pw@www.example.:8443/x?y#z')).toBe('www.example');
    expect(uriHost('https://[2001:db8::1]:443/')).toBe('[2001:db8::1]');
    expect(uriHost('urn:uuid:1234')).toBeUndefined();
    expect(uriHost('https:///path')).toBeUndefined();
  });
});

describe('profiles', () => {
  it('webpki is rfc5280 plus Baseline Requirements rules, less the two the BR relax, each rule citing its section', () => {
    const ids = (name: 'rfc5280' | 'webpki') => PROFILES[name].rules.map((r) => r.id);
    const relaxed = ['name-constraints-critical', 'dns-constraint-syntax'];
    expect(ids('rfc5280')).toEqual(expect.arrayContaining(relaxed));
    expect(ids('webpki').filter((id) => relaxed.includes(id))).toEqual([]);
    const shared = ids('rfc5280').filter((id) => !relaxed.includes(id));
    expect(ids('webpki').slice(0, shared.length)).toEqual(shared);
    expect(ids('webpki')).toContain('leaf-eku-required');
    expect(ids('rfc5280')).not.toContain('leaf-eku-required');
    for (const rule of PROFILES.webpki.rules) expect(rule.section).toMatch(/^(RFC 5280|RFC 9881|BR) §/);
    expect([defaultProfile('serverAuth'), defaultProfile('clientAuth')]).toEqual(['webpki', 'rfc5280']);
  });
});

describe('docs/path-validation.md', () => {
  it('lists every profile rule with the profiles, roles and alert it has, and no rule that does not exist', () => {
    const page = readFileSync(new URL('../../docs/path-validation.md', import.meta.url), 'utf8');
    const rows = [...page.matchAll(/^\| `([a-z0-9-]+)` \|[^|]*\|[^|]*\| (both|rfc5280|webpki) \| ([a-z, ]+) \| ([a-z_]+) \|$/gm)];
    const documented = new Map(rows.map((m) => [m[1]!, `${m[2]}; ${m[3]}; ${m[4]}`]));
    const rules = new Map([...PROFILES.rfc5280.rules, ...PROFILES.webpki.rules].map((r) => [r.id, r]));
    expect([...documented.keys()].sort()).toEqual([...rules.keys()].sort());
    const inProfile = (name: 'rfc5280' | 'webpki', id: string) => PROFILES[name].rules.some((r) => r.id === id);
    const roleText = (roles: readonly string[]) => (roles.length === 3 ? 'all' : roles.map((r) => (r === 'intermediate' ? 'intermediates' : r)).join(', '));
    const alert = (reason: string) => reason.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase());
    for (const [id, rule] of rules) {
      const where = inProfile('rfc5280', id) && inProfile('webpki', id) ? 'both' : inProfile('rfc5280', id) ? 'rfc5280' : 'webpki';
      expect(`${id}: ${documented.get(id)}`).toBe(`${id}: ${where}; ${roleText(rule.roles)}; ${alert(rule.reason)}`);
    }
  });
});

describe('trust policy configuration', () => {
  const root = issue({ CN: 'Config Root' }, nodeKey('p256'), undefined, { isCA: true });
  const crl = buildCrl({ issuer: root.cert, signingKey: root.key.privateKey, thisUpdate: NOW, revoked: [{ serial: 7n }] }, provider, random);

  it('accepts CRLs as DER or PEM and parses their revoked serials', () => {
    expect(() => checkTrustPolicy({ kind: 'ca', anchors: [root.der], crls: [crl, toPem('X509 CRL', crl)], profile: 'rfc5280' })).not.toThrow();
    expect([...parseCrl(crl).revoked]).toEqual(['07']);
  });

  it('throws a one-line TypeError for a bad profile, depth, anchor list or CRL, before a connection sends anything', () => {
    const client = (trust: TrustPolicy) => () => Connection.client({ serverName: 'a.example', now: () => NOW, trust });
    expect(client({ kind: 'ca', anchors: [root.der], profile: 'strict' as 'webpki' })).toThrow(TypeError);
    expect(client({ kind: 'ca', anchors: [root.der], maxDepth: 0 })).toThrow(/maxDepth/);
    expect(() => checkTrustPolicy({ kind: 'ca', anchors: [Uint8Array.of(0x30, 0x00)] })).toThrow(/no parsable CA certificate/);
    expect(() => checkTrustPolicy({ kind: 'any-of', policies: [{ kind: 'ca', anchors: [root.der], crls: [Uint8Array.of(0x30, 0x01, 0x05)] }] })).toThrow(/malformed CRL/);
    expect(() => checkTrustPolicy({ kind: 'ca', anchors: [root.der], crls: ['not a CRL at all'] })).toThrow(/trust.crls\[0\]: no PEM block/);
    expect(() => Connection.client({ serverName: 'a.example', now: () => NOW, trust: { kind: 'ca', anchors: [root.der], crls: [Uint8Array.of(0x30, 0x01, 0x05)] } })).toThrow(TypeError);
  });
});
