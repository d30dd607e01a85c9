// sameDistinguishedName (auth/path/name-match.ts) decides which CA may have issued a certificate (§6.1.3(a)(4)),
// which certificate is self-issued and which CRL is a certificate issuer's (RFC 5280 §6.3.3(b)(1), §7.1). Attacker's scripts against the comparison: a match must be an equivalence (the same answer whichever
// name is asked first), multi-valued RDNs compare as sets of attributes, never as "every attribute of one
// is somewhere in the other", and the RDN order, the attribute type and the visible characters all count.
import { describe, expect, it } from 'vitest';
import { readSingle } from '../../src/auth/der.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { comparableName, sameDistinguishedName } from '../../src/auth/path/name-match.js';
import { readName } from '../../src/auth/x509.js';

type Ava = [oid: string, value: Uint8Array];
const ava = ([oid, value]: Ava) => der.sequence(der.oid(oid), value);
/** A name of these RDNs, each a list of attributes (more than one: a multi-valued RDN). */
const name = (...rdns: Ava[][]) => readSingle(der.sequence(...rdns.map((rdn) => der.set(...rdn.map(ava)))), (r) => readName(r, 'name'));
const cn = (v: string): Ava => [OID.commonName, der.utf8String(v)];
const o = (v: string): Ava => [OID.organizationName, der.utf8String(v)];

/** Asked both ways round, since a CRL's issuer and a certificate's issuer may stand on either side. */
function same(a: ReturnType<typeof name>, b: ReturnType<typeof name>): boolean {
  const forth = sameDistinguishedName(a, b);
  expect(sameDistinguishedName(b, a), 'the comparison is symmetric').toBe(forth);
  return forth;
}

describe('sameDistinguishedName', () => {
  it('a multi-valued RDN repeating one attribute is not an RDN holding that attribute and another', () => {
    expect(same(name([cn('Twin CA'), cn('Twin CA')]), name([cn('Twin CA'), o('Other')]))).toBe(false);
    expect(same(name([o('x')], [cn('A'), cn('A')]), name([o('x')], [cn('A'), o('B')]))).toBe(false);
  });

  it('a multi-valued RDN is a set: its attributes in any order, and not split into RDNs of one', () => {
    expect(same(name([cn('A'), o('B')]), name([o('b'), cn('a')]))).toBe(true);
    expect(same(name([cn('A'), o('B')]), name([cn('A')], [o('B')]))).toBe(false);
  });

  it('RDN order, attribute type and a missing RDN count', () => {
    expect(same(name([o('A')], [cn('B')]), name([cn('B')], [o('A')]))).toBe(false);
    expect(same(name([cn('Same')]), name([o('Same')]))).toBe(false);
    expect(same(name([o('A')], [cn('B')]), name([o('A')]))).toBe(false);
  });

  it('RFC 4518 preparation: case, string type, spaces, composed and decomposed, invisible characters', () => {
    expect(same(name([cn('Société  Générale ')]), name([[OID.commonName, der.printableString('SOCIETE GENERALE')]]))).toBe(false);
    expect(same(name([cn('Société  Générale ')]), name([cn('SOCIE\u0301TE\u0301 GE\u0301NE\u0301RALE')]))).toBe(true);
    expect(same(name([[OID.commonName, der.printableString('Twin CA')]]), name([cn('t\u00adwin ca')]))).toBe(true);
    // A combining mark is a character of its own where it does not compose: another name.
    expect(same(name([cn('Twin CA')]), name([cn('Twin CA\u0301')]))).toBe(false);
  });

  // Widening what matches must not make two names one: each of these pairs is two names, and the second of each is a
  // spelling an attacker could choose for a CA of their own (or for a certificate's issuer field) to pass for the first.
  const bytes = (tag: number, ...b: number[]) => der.tlv(tag, Uint8Array.from(b));
  const ucs2 = (s: string) => Uint8Array.from([...s].flatMap((ch) => [ch.charCodeAt(0) >> 8, ch.charCodeAt(0) & 0xff]));
  const teletex = (v: string) => der.tlv(0x14, Uint8Array.from(v, (ch) => ch.charCodeAt(0)));
  const ATTACKS: [string, Ava, Ava][] = [
    ['an embedded NUL (RFC 4518 would map it to nothing)', cn('Root CA'), cn('Root CA\0')],
    ['an embedded NUL, letter case aside', cn('Root CA\0'), cn('ROOT CA\0')],
    ['another control character', cn('Root\u0007CA'), cn('ROOT\u0007CA')],
    ['a TeletexString of the same letters (binary comparison, §7.1)', cn('Root CA'), [OID.commonName, teletex('Root CA')]],
    ['a TeletexString in other letter case', [OID.commonName, teletex('Root CA')], [OID.commonName, teletex('ROOT CA')]],
    ['a PrintableString with a character X.680 does not allow', [OID.commonName, der.printableString('AT&T CA')], cn('at&t ca')],
    ['a BMPString holding a surrogate pair (U+1D400, which NFKC makes "A")', cn('A'), [OID.commonName, bytes(0x1e, 0xd8, 0x35, 0xdc, 0x00)]],
    ['a BMPString holding a surrogate pair, against its UTF8String', cn('\u{1d400}'), [OID.commonName, bytes(0x1e, 0xd8, 0x35, 0xdc, 0x00)]],
    ['a UniversalString holding a lone surrogate', [OID.commonName, bytes(0x1c, 0, 0, 0xd8, 0, 0, 0, 0, 0x41)], [OID.commonName, bytes(0x1c, 0, 0, 0xd8, 0, 0, 0, 0, 0x61)]],
    ['a private-use character (RFC 4518 §2.4 prohibits it)', cn('Root\ue000'), cn('ROOT\ue000')],
    ['a U+FFFD REPLACEMENT CHARACTER (prohibited)', cn('Root\ufffd'), cn('ROOT\ufffd')],
    ['another attribute type with the same value', cn('Root CA'), o('Root CA')],
    ['a BMPString of other letters', [OID.commonName, der.tlv(0x1e, ucs2('Root CA'))], [OID.commonName, der.tlv(0x1e, ucs2('Rout CA'))]],
  ];
  for (const [what, a, b] of ATTACKS) {
    it(`two names: ${what}`, () => {
      expect(same(name([a]), name([b]))).toBe(false);
    });
  }

  it('a value that cannot be prepared leaves its name only its own bytes', () => {
    expect(comparableName(name([cn('Root CA\0')]))).toBeUndefined();
    expect(same(name([cn('Root CA\0')]), name([cn('Root CA\0')]))).toBe(true);
    expect(comparableName(name([[OID.commonName, der.printableString('AT&T CA')]]))).toBeUndefined();
  });

  it('a multi-valued RDN is a multiset: {a, a, b} is not {a, b, b}', () => {
    expect(same(name([cn('A'), cn('A'), o('B')]), name([cn('A'), o('B'), o('B')]))).toBe(false);
  });

  it('the same name in PrintableString, UTF8String, BMPString, UniversalString, with other case and spaces, is one name', () => {
    const ucs4 = (s: string) => Uint8Array.from([...s].flatMap((ch) => [0, 0, ch.charCodeAt(0) >> 8, ch.charCodeAt(0) & 0xff]));
    const spellings: Ava[] = [
      [OID.commonName, der.printableString('Example Root CA')],
      cn('  EXAMPLE root   ca '),
      [OID.commonName, der.tlv(0x1e, ucs2('example Root CA'))],
      [OID.commonName, der.tlv(0x1c, ucs4('Example ROOT CA'))],
    ];
    for (const a of spellings) for (const b of spellings) expect(same(name([o('x')], [a]), name([o('X')], [b]))).toBe(true);
  });
});
