// Behaviour of the server identity check that the mutation runs on src/auth/hostname.ts (docs/mutation.md)
// found untested: IP literal parsing byte by byte (node:net's isIP as the oracle for what is an address),
// the empty-label guards, the wildcard rule's corners, the non-ASCII host check, and what a result says.
import { isIP } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchHostname, parseIpAddress, parseReferenceIdentity } from '../../src/auth/hostname.js';
import { issue, nodeKey, type Issued } from './helpers.js';

const bytes = (text: string) => {
  const ip = parseIpAddress(text);
  return ip && Array.from(ip);
};
const v6 = (...groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);

describe('parseIpAddress reads each IP literal to its exact bytes', () => {
  it('reads IPv4 octets in order, 0 and 255 included', () => {
    expect(bytes('1.2.3.4')).toEqual([1, 2, 3, 4]);
    expect(bytes('0.10.200.255')).toEqual([0, 10, 200, 255]);
  });

  it('refuses IPv4 text with a missing, extra, empty, signed or non-decimal octet, as node:net does', () => {
    for (const text of ['1.2.3', '1.2.3.4.5', '1.2.3.', '.1.2.3', '1..2.3', '1.2.3.256', '1.2.3.-1', '1.2.3.0x1', '1.2.3.4a', ' 1.2.3.4', '1.2.3.1000']) {
      expect(isIP(text)).toBe(0);
      expect(parseIpAddress(text)).toBeNull();
    }
  });

  it('places the groups around "::" where they belong', () => {
    expect(bytes('::1')).toEqual(v6(0, 0, 0, 0, 0, 0, 0, 1));
    expect(bytes('1::')).toEqual(v6(1, 0, 0, 0, 0, 0, 0, 0));
    expect(bytes('1:2::7:8')).toEqual(v6(1, 2, 0, 0, 0, 0, 7, 8));
    expect(bytes('::1:2:3:4:5:6:7')).toEqual(v6(0, 1, 2, 3, 4, 5, 6, 7));
    expect(bytes('1:2:3:4:5:6:7::')).toEqual(v6(1, 2, 3, 4, 5, 6, 7, 0));
    expect(bytes('::')).toEqual(v6(0, 0, 0, 0, 0, 0, 0, 0));
  });

  it('reads every hex group with both of its bytes, in upper or lower case', () => {
    expect(bytes('1234:5678:9abc:DEF0:ffff:0:a:FfFf')).toEqual(v6(0x1234, 0x5678, 0x9abc, 0xdef0, 0xffff, 0, 0xa, 0xffff));
  });

  it('reads a trailing IPv4 part as the last two groups, with or without "::"', () => {
    expect(bytes('1:2:3:4:5:6:192.0.2.1')).toEqual(v6(1, 2, 3, 4, 5, 6, 0xc000, 0x0201));
    expect(bytes('::ffff:10.1.2.3')).toEqual(v6(0, 0, 0, 0, 0, 0xffff, 0x0a01, 0x0203));
  });

  it('reads a bracketed IPv6 literal as the address inside the brackets', () => {
    expect(bytes('[::1]')).toEqual(v6(0, 0, 0, 0, 0, 0, 0, 1));
    expect(bytes('[2001:db8::42]')).toEqual(v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x42));
  });

  it('refuses IPv6 text that node:net refuses: too many groups, "::" with no room, long groups, a stray port or bracket', () => {
    for (const text of ['1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7', '12345::', '1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', '1:2:3:4:5:6:1.2.3', '1.2.3.4:1:2:3:4:5:6', '1:2:3:4:5:6:7:8::::', '::g', ':1::', '1::2:', '1:::2']) {
      expect(isIP(text)).toBe(0);
      expect(parseIpAddress(text)).toBeNull();
    }
    // Brackets are taken off only as a pair: one bracket and a stray character is no address.
    for (const text of ['[::1', '::1]', '[]', '[1.2.3.45', 'x::1]', '[::1x']) expect(parseIpAddress(text)).toBeNull();
  });

  it('refuses a dotted IPv4 part that does not end the address, and brackets around IPv4 (RFC 4291 §2.2, RFC 3986 §3.2.2)', () => {
    for (const text of ['1.2.3.4::', '1.2.3.4::1', '1.2.3.4::1.2.3.4']) {
      expect(isIP(text)).toBe(0);
      expect(parseIpAddress(text)).toBeNull();
    }
    expect(parseIpAddress('[1.2.3.4]')).toBeNull();
    expect(parseIpAddress('[::1.2.3.4]')).toEqual(parseIpAddress('::1.2.3.4'));
  });

  it('takes a host name for a host name, not an address', () => {
    for (const text of ['example.com', 'a:b.example', '[example.com]']) expect(parseIpAddress(text)).toBeNull();
  });
});

describe('matchHostname: the rules that keep one name from passing for another', () => {
  let cert: Issued;
  beforeAll(() => {
    cert = issue({ CN: 'x' }, nodeKey('p256'), undefined, {
      sans: { dns: ['www.example.com', '*.example.net', '.empty.example', 'a..double.example', '*.a*.star.example', '*..wild.example'], ip: ['192.0.2.1', '2001:db8::42'] },
    });
  });
  const ok = (host: string) => matchHostname(cert.cert, host).ok;

  it('never matches an empty host, or a host of only a dot', () => {
    expect(ok('')).toBe(false);
    expect(ok('.')).toBe(false);
  });

  it('never matches a name with an empty label, even one spelled exactly as in the certificate or covered by a wildcard', () => {
    for (const host of ['.example.net', '.empty.example', 'a..double.example', 'www..example.com', '.www.example.com', 'x..wild.example']) expect(ok(host)).toBe(false);
  });

  it('never lets a wildcard SAN with a "*" in a later label match, even a host spelling that label literally', () => {
    expect(ok('x.a*.star.example')).toBe(false);
    expect(ok('x.ab.star.example')).toBe(false);
  });

  it('matches a wildcard against exactly one extra left-most label, and then against its full suffix', () => {
    expect(ok('foo.example.net')).toBe(true);
    expect(ok('foo.other.net')).toBe(false);
    expect(ok('foo.example.com')).toBe(false);
  });

  it('refuses a non-ASCII (U-label) host name with a message asking for its A-label', () => {
    const result = matchHostname(cert.cert, 'bücher.example');
    expect(result).toEqual({ ok: false, detail: 'host name "bücher.example" is not ASCII; pass its A-label (xn--) form' });
    expect(matchHostname(cert.cert, 'www.example.com\u0000')).toMatchObject({ ok: false, detail: expect.stringMatching(/not ASCII/) });
    expect(matchHostname(cert.cert, 'www example.com')).toMatchObject({ ok: false, detail: expect.stringMatching(/not ASCII/) });
  });

  it('says which SAN matched', () => {
    expect(matchHostname(cert.cert, 'WWW.example.com.')).toEqual({ ok: true, matched: 'DNS:www.example.com' });
    expect(matchHostname(cert.cert, 'a.example.net')).toEqual({ ok: true, matched: 'DNS:*.example.net' });
    expect(matchHostname(cert.cert, '192.0.2.1')).toEqual({ ok: true, matched: 'IP:192.0.2.1' });
    expect(matchHostname(cert.cert, '[2001:db8:0::42]')).toEqual({ ok: true, matched: 'IP:2001:db8::42' });
  });

  it('lists the names it tried when nothing matches', () => {
    expect(matchHostname(cert.cert, '192.0.2.2')).toEqual({ ok: false, detail: "IP address 192.0.2.2 is not among the certificate's iPAddress names [192.0.2.1, 2001:db8::42]" });
    const dns = matchHostname(cert.cert, 'evil.example');
    expect(dns).toEqual({
      ok: false,
      detail: "host name evil.example matches none of the certificate's DNS names [www.example.com, *.example.net, .empty.example, a..double.example, *.a*.star.example, *..wild.example]",
    });
  });
});

describe('parseReferenceIdentity', () => {
  it('reads an IP literal into its canonical text and a DNS name into lowercase without the trailing dot', () => {
    expect(parseReferenceIdentity('[2001:DB8:0:0::1]')).toEqual({ kind: 'ip', address: new Uint8Array(v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)), text: '2001:db8::1' });
    expect(parseReferenceIdentity('WWW.Example.COM.')).toEqual({ kind: 'dns', text: 'www.example.com' });
  });

  it('says why a non-ASCII name or a non-name is refused', () => {
    expect(parseReferenceIdentity('bücher.example')).toBe('"bücher.example" is not ASCII; pass its A-label (xn--) form');
    for (const text of ['', 'a..b', '-a.example', 'a-.example', `${'a'.repeat(64)}.example`, 'a b.example', '*.example.com']) {
      expect(parseReferenceIdentity(text)).toBe(`"${text}" is neither a DNS name nor an IP address`);
    }
  });

  it('takes names at the length limits: a 63-character label, a 253-character name, underscores and digits', () => {
    const label = 'a'.repeat(63);
    expect(parseReferenceIdentity(`${label}.example`)).toEqual({ kind: 'dns', text: `${label}.example` });
    const long = [label, label, label, 'a'.repeat(61)].join('.');
    expect(long).toHaveLength(253);
    expect(parseReferenceIdentity(long)).toEqual({ kind: 'dns', text: long });
    expect(parseReferenceIdentity(`${long}a`)).toBe(`"${long}a" is neither a DNS name nor an IP address`);
    expect(parseReferenceIdentity('_srv.1a-b.example')).toEqual({ kind: 'dns', text: '_srv.1a-b.example' });
    expect(parseReferenceIdentity('a.b.c')).toEqual({ kind: 'dns', text: 'a.b.c' });
  });
});
