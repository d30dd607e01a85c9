// sameDistinguishedName (auth/path/names.ts) decides which CRL is a certificate issuer's (RFC 5280 §6.3.3(b)(1),
// §7.1). Attacker's scripts against the comparison: a match must be an equivalence (the same answer whichever
// name is asked first), multi-valued RDNs compare as sets of attributes, never as "every attribute of one
// is somewhere in the other", and the RDN order, the attribute type and the visible characters all count.
import { describe, expect, it } from 'vitest';
import { readSingle } from '../../src/auth/der.js';
import { der } from '../../src/auth/der-writer.js';
import { OID } from '../../src/auth/oids.js';
import { sameDistinguishedName } from '../../src/auth/path/names.js';
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
});
