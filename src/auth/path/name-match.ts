// RFC 5280 §7.1: when two distinguished names are one name. Path building (an issuer's subject against the
// certificate's issuer, §6.1.3(a)(4)), "self-issued" (§6.1), a CRL's issuer (§6.3.3(b)(1)) and directoryName
// constraints (§4.2.1.10) all ask this module, so none of them can take a name for another that the rest would not.
//
// Equal DER is one name at once. Otherwise each name is read once into a comparable form (cached with the name
// object: a configured anchor is parsed once and frozen, so its form is made once per process, not per handshake):
// each attribute's type with its value prepared as RFC 4518 asks for the string types §7.1 names, each RDN as the
// sorted list of its attributes (a multiset: X.501 forbids repeats, but {a, a} must not equal {a, b}), the RDNs in
// order. What cannot be prepared has no comparable form and equals only its own bytes, as Chromium's
// verify_name_match refuses what it cannot normalize:
// - a PrintableString with a character outside X.680's set (plus '*', which Chromium accepts), an IA5String beyond ASCII;
// - a BMPString holding surrogates (UCS-2 has none: a "pair" would spell a character BMPString cannot hold), a
//   UniversalString holding a surrogate code point;
// - a control character other than the white space RFC 4518 §2.2 maps to SPACE (it maps the others, NUL among them,
//   to nothing: `CN=Root\0` would be `CN=Root`), and what §2.4 prohibits (unassigned, private use, U+FFFD);
// - more than 30 combining marks in a row (not UAX #15 "stream-safe": NFKC's reordering costs the run's square).
// A TeletexString is compared binary, only with another TeletexString (§7.1 asks preparation of PrintableString
// and UTF8String; T.61 has no one reading, as §8 notes): it is that string type and bytes, as Chromium does.
import { Tag } from '../der.js';
import type { DistinguishedName, NameAttribute } from '../x509.js';
import { equalBytes } from '../../wire/bytes.js';

/** A name as §7.1 compares it: one key per RDN (its attributes, sorted) in order, and the whole name's key. */
export interface ComparableName {
  rdns: readonly string[];
  key: string;
}

/** X.680 §41.4 PrintableString, and '*' (Chromium's verify_name_match takes it, and certificates carry it). */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?*]*$/;
/** C0 and C1 controls other than TAB, LF, VT, FF, CR and NEL (RFC 4518 §2.2 maps those six to SPACE). */
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]/;
/** RFC 4518 §2.4: unassigned code points, private use, lone surrogates, U+FFFD. */
const PROHIBITED = /[\p{Cn}\p{Co}\p{Cs}\ufffd]/u;
/**
 * RFC 4518 §2.2 maps these to nothing: every code point "with a control function (e.g., Cf)" (soft hyphen, zero-width
 * characters, joiners, bidi marks and isolates, the byte order mark, tag characters, musical format symbols), the
 * combining grapheme joiner, Mongolian soft hyphen and variation selectors, the object replacement character; and the
 * variation selectors beyond FE0F (U+E0100-E01EF), invisible as theirs, which RFC 4518's Unicode 3.2 list predates.
 */
const MAPPED_TO_NOTHING = /[\p{Cf}\u034f\u1806\u180b-\u180d\ufe00-\ufe0f\ufffc\u{e0100}-\u{e01ef}]/gu;
/** RFC 4518 §2.2 maps to SPACE the separators (what `\s` holds after NFKC) and TAB, LF, VT, FF, CR, NEL (U+0085, not in `\s`). */
const SPACES = /[\s\u0085]+/g;
/**
 * More than 30 non-starters in a row: not "stream-safe" (UAX #15 §13). NFKC reorders a run of combining marks by their
 * class, a cost that grows with the square of the run (32 000 marks of two classes, one 64 KB value, took ~0.5 s of
 * CPU); no text needs more than 30. The halfwidth voiced marks become non-starters in NFKC.
 */
const LONG_NON_STARTER_RUN = /[\p{M}\uff9e\uff9f]{31}/u;

/** Can `value`, read as the string type `tag`, be prepared at all? */
function preparable(tag: number, value: string): boolean {
  switch (tag) {
    case Tag.PrintableString:
      return PRINTABLE.test(value);
    case Tag.BMPString:
      return !/[\ud800-\udfff]/.test(value) && unicodePreparable(value);
    case Tag.UTF8String:
    case Tag.IA5String:
    case Tag.UniversalString:
      return unicodePreparable(value);
    default:
      return false;
  }
}

const unicodePreparable = (value: string) => !CONTROL.test(value) && !PROHIBITED.test(value) && !LONG_NON_STARTER_RUN.test(value);

/**
 * RFC 4518 §2.2 case folding (RFC 3454 table B.2, full folding): upper case, then lower case, twice, so that `ß`,
 * `ẞ` and `SS` are one, and `ς` and `σ`. The dotless `ı`, which B.2 keeps, is kept (upper case would make it `i`).
 */
const caseFold = (v: string) => v.replace(/[^\u0131]+/g, (s) => s.toUpperCase().toLowerCase().toUpperCase().toLowerCase());

/**
 * RFC 4518, simplified as §7.1 allows: format characters go, white space is SPACE (§2.2), NFKC, case folding (§2.2)
 * and NFKC again (§2.3), so `SOCIÉTÉ`, a decomposed `é`, a fullwidth `Ｓ` or `STRASSE` for `Straße` is one value;
 * insignificant spaces collapsed (§2.6.1).
 */
const prepare = (v: string) => caseFold(v.replace(MAPPED_TO_NOTHING, '').normalize('NFKC')).normalize('NFKC').replace(SPACES, ' ').trim();

/** One attribute's key, or undefined when it cannot be compared but by its bytes. Types are dotted OIDs (DER: one spelling). */
function attributeKey(a: NameAttribute): string | undefined {
  if (a.tag === Tag.TeletexString) return JSON.stringify([a.oid, a.tag, a.value]);
  return preparable(a.tag, a.value) ? JSON.stringify([a.oid, prepare(a.value)]) : undefined;
}

function comparable(name: DistinguishedName): ComparableName | undefined {
  const rdns: string[] = [];
  for (const rdn of name.rdns) {
    const keys: string[] = [];
    for (const attribute of rdn) {
      const key = attributeKey(attribute);
      if (key === undefined) return undefined;
      keys.push(key);
    }
    rdns.push(JSON.stringify(keys.sort()));
  }
  return { rdns, key: JSON.stringify(rdns) };
}

/** Each name's comparable form, made once (a name object is one certificate's or one CRL's, never changed after parsing). */
const comparableNames = new WeakMap<DistinguishedName, ComparableName | null>();

/** `name` as §7.1 compares it, or undefined when some value cannot be prepared (then only its own bytes equal it). */
export function comparableName(name: DistinguishedName): ComparableName | undefined {
  let known = comparableNames.get(name);
  if (known === undefined) {
    known = comparable(name) ?? null;
    comparableNames.set(name, known);
  }
  return known ?? undefined;
}

/**
 * RFC 5280 §7.1: the same RDNs in the same order, each RDN the same attributes in any order, each value the same
 * after preparation, whatever string type spells it (PrintableString, UTF8String, BMPString, UniversalString, IA5String).
 */
export function sameDistinguishedName(a: DistinguishedName, b: DistinguishedName): boolean {
  return sameNameAs(a)(b);
}

/**
 * The §7.1 test against `name`, its prepared form looked up once: path building asks it of every anchor (150 or so).
 * A name of another shape (RDN count, attributes per RDN, the type of a single-valued RDN) differs without its
 * prepared form being made or looked up.
 */
export function sameNameAs(name: DistinguishedName): (other: DistinguishedName) => boolean {
  const key = comparableName(name)?.key;
  return (other) => equalBytes(name.raw, other.raw) || (key !== undefined && sameShape(name, other) && comparableName(other)?.key === key);
}

function sameShape(a: DistinguishedName, b: DistinguishedName): boolean {
  if (a.rdns.length !== b.rdns.length) return false;
  for (let i = 0; i < a.rdns.length; i++) {
    const x = a.rdns[i]!;
    const y = b.rdns[i]!;
    if (x.length !== y.length || (x.length === 1 && x[0]!.oid !== y[0]!.oid)) return false;
  }
  return true;
}
