// Host-name matching, cross-checked with node's X509Certificate.checkHost / checkIP (OpenSSL's
// X509_check_host with partial wildcards off and no subject fallback) on the same certificate.
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchHostname, parseIpAddress } from '../../src/auth/hostname.js';
import { issue, nodeKey, type Issued } from './helpers.js';

describe('matchHostname', () => {
  // Built in beforeAll, not while the file is collected: the builder parses the iPAddress SANs with
  // parseIpAddress, and a broken parser must fail tests (a collection-time error is no kill for Stryker).
  let cert: Issued;
  let node: X509Certificate;
  beforeAll(() => {
    cert = issue({ CN: 'cn-only.example' }, nodeKey('p256'), undefined, {
      sans: { dns: ['www.example.com', '*.example.net', 'baz*.example.org', '*.com', 'Mixed.Case.Example', 'xn--bcher-kva.example'], ip: ['192.0.2.1', '2001:db8::42'] },
    });
    node = new X509Certificate(cert.der);
  });
  const nodeSays = (host: string) => {
    const ip = parseIpAddress(host);
    if (ip) return node.checkIP(host.replace(/^\[|\]$/g, '')) !== undefined;
    return node.checkHost(host, { subject: 'never', wildcards: true, partialWildcards: false, multiLabelWildcards: false }) !== undefined;
  };

  const cases: [string, boolean][] = [
    ['www.example.com', true],
    ['WWW.EXAMPLE.COM', true],
    ['foo.example.net', true],
    ['example.net', false], // the wildcard needs a label
    ['bar.foo.example.net', false], // and covers exactly one
    ['baz1.example.org', false], // partial wildcards are not honoured
    ['anything.com', false], // a wildcard needs two labels after it
    ['mixed.case.example', true],
    ['xn--bcher-kva.example', true],
    ['cn-only.example', false], // no Common Name fallback
    ['192.0.2.1', true],
    ['192.0.2.2', false],
    ['2001:db8:0:0:0:0:0:42', true],
    ['2001:db8::43', false],
  ];
  for (const [host, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${host}, as node does`, () => {
      expect(matchHostname(cert.cert, host).ok).toBe(expected);
      expect(nodeSays(host)).toBe(expected);
    });
  }

  it('matches an absolute name with a trailing dot and a bracketed IPv6 literal', () => {
    expect(matchHostname(cert.cert, 'www.example.com.').ok).toBe(true);
    expect(matchHostname(cert.cert, '[2001:db8::42]').ok).toBe(true);
  });

  it('never matches an IP literal against DNS names, even a wildcard that would cover it', () => {
    const c = issue({ CN: 'x' }, nodeKey('p256'), undefined, { sans: { dns: ['*.0.2.1', '192.0.2.1'] } });
    expect(matchHostname(c.cert, '192.0.2.1').ok).toBe(false);
    expect(new X509Certificate(c.der).checkIP('192.0.2.1')).toBeUndefined();
  });

  it('never matches a numeric host name against DNS names: a resolver reads "127.1" or "0x7f.0.0.1" as an IPv4 address', () => {
    const hosts = ['127.1', '0x7f.0.0.1', '2130706433', '0177.0.0.1', '010.0.0.1', '127.0.0.1.', '0x7f', '1.2.3.4.5'];
    const c = issue({ CN: 'x' }, nodeKey('p256'), undefined, { sans: { dns: [...hosts, '127.0.0.1'] } });
    for (const host of hosts) {
      const result = matchHostname(c.cert, host);
      expect(result, host).toMatchObject({ ok: false });
      if (!result.ok) expect(result.detail).toMatch(/dotted quad/);
    }
    // A DNS name with a numeric label that is not the last one is a DNS name (3com.example, 1.example.net).
    const numericLabels = issue({ CN: 'x' }, nodeKey('p256'), undefined, { sans: { dns: ['3com.example', '1.example.net', 'a.0x7f.example'] } });
    for (const host of ['3com.example', '1.example.net', 'a.0x7f.example']) expect(matchHostname(numericLabels.cert, host).ok, host).toBe(true);
  });

  it('a reference identity that is no DNS name matches nothing: a wildcard is a presented form only (RFC 6125 §6.4.3)', () => {
    const c = issue({ CN: 'x' }, nodeKey('p256'), undefined, { sans: { dns: ['*.example.com', 'a_b.example.com'] } });
    for (const host of ['*.example.com', '*.EXAMPLE.com.', 'www.example.com/', 'www..example.com', '-x.example.com']) {
      expect(matchHostname(c.cert, host), host).toMatchObject({ ok: false });
    }
    expect(matchHostname(c.cert, 'www.example.com').ok).toBe(true);
    expect(matchHostname(c.cert, 'a_b.example.com').ok).toBe(true);
  });

  it('explains that there is no subjectAltName and that the CN is not used', () => {
    const c = issue({ CN: 'server.example' }, nodeKey('p256'), undefined, {});
    const result = matchHostname(c.cert, 'server.example');
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.detail).toMatch(/no subjectAltName.*Common Name is not used/);
  });
});

describe('parseIpAddress', () => {
  it('reads IPv4 and IPv6 literals as node:net reads them', async () => {
    const { isIP } = await import('node:net');
    for (const text of ['10.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1:2', '2001:db8::1', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8']) {
      expect(parseIpAddress(text)?.length).toBe(isIP(text) === 4 ? 4 : 16);
    }
    for (const text of ['256.0.0.1', '1.2.3', '01.2.3.4', '1:2:3:4:5:6:7:8:9', '1::2::3', 'example.com', ':::']) {
      expect(isIP(text) === 0 || text === '01.2.3.4').toBe(true);
      expect(parseIpAddress(text)).toBeNull();
    }
    expect(Array.from(parseIpAddress('::ffff:192.0.2.1')!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
  });
});
