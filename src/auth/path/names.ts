// Name constraints (RFC 5280 §4.2.1.10): the nameConstraints of every CA in the path, the trust anchor
// included, restrict the names of every certificate below it (§6.1.3(b)(c), §6.1.4(g)). Each CA's
// subtrees are applied on their own, which is the intersection §6.1.4(g) asks for.
//
// Forms processed: dNSName, iPAddress (v4 and v6 with masks), rfc822Name, uniformResourceIdentifier (its
// host, so a SPIFFE trust domain `spiffe://td/...` is constrained by `td`) and directoryName. Any other
// form in a constraint fails closed when a name of that form is presented below it. Malformed
// constraints fail closed, and the comparisons one validation may make are bounded.
import { contextTag, DerError, DerReader } from '../der.js';
import { endsInNumber } from '../hostname.js';
import { OID } from '../oids.js';
import { escapeUnprintable, formatIp, isSelfIssued, readName } from '../x509.js';
import type { Certificate } from '../x509.js';
import { comparableName } from './name-match.js';
import { describe, fail, type Failure } from './verdict.js';

type Subtree =
  /** dNSName and URI: the base, lowercase. */
  | { form: 'dns' | 'uri'; base: string }
  /** rfc822Name: a mailbox, or a host or `.domain`, lowercase; read once when parsed. */
  | { form: 'email'; base: Mailbox | string }
  | { form: 'ip'; address: Uint8Array; mask: Uint8Array }
  | { form: 'dn'; rdns: readonly string[] }
  /** A GeneralName form we do not process, by its tag. */
  | { form: 'other'; tag: number };

/**
 * A presented name. For dNSName, rfc822Name and URI, `key` is what subtrees compare, read once (lowercase
 * without a trailing dot; a mailbox's parts; a URI's host): undefined when the name cannot be compared.
 */
type Name =
  | { form: 'dns' | 'uri'; value: string; key: string | undefined }
  | { form: 'email'; value: string; key: Mailbox | undefined }
  | { form: 'ip'; bytes: Uint8Array }
  /** The subject (`text` undefined) or a directoryName in the subjectAltName; `rdns` undefined when it cannot be compared (name-match.ts). */
  | { form: 'dn'; rdns: readonly string[] | undefined; text?: string }
  | { form: 'other'; tag: number };

export interface NameConstraints {
  permitted: Subtree[];
  excluded: Subtree[];
}

const TAG = {
  rfc822Name: contextTag(1, false),
  dNSName: contextTag(2, false),
  directoryName: contextTag(4, true),
  uniformResourceIdentifier: contextTag(6, false),
  iPAddress: contextTag(7, false),
};

const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const dropDot = (s: string) => (s.endsWith('.') ? s.slice(0, -1) : s);
/** A domain name as presented names must spell it to be compared: non-empty labels of letters, digits, '-', '_' (lowercase). */
const isDomain = (s: string) => /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(s);

/**
 * The base of a dNSName, URI or rfc822Name host constraint, lowercase: empty (every name of the form), a domain,
 * or `.domain`. Anything else (a trailing dot, a whole URI, a space) would silently match nothing, so an
 * excluded subtree spelt that way would exclude nothing: malformed, fail closed (Go refuses a trailing dot or a space
 * too; §4.2.1.10 asks for a host, so a whole URI or a port is no base either).
 */
function domainConstraint(form: string, base: string): string {
  const name = lower(base);
  if (!/^(\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*)?$/.test(name)) throw new DerError(`${form} constraint "${escapeUnprintable(name)}" is not a domain`);
  return name;
}

/** A contiguous mask (RFC 4632 prefix): ones then zeros. webpki and Go refuse others too. */
function isPrefixMask(mask: Uint8Array): boolean {
  let zeros = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const one = (byte >> bit) & 1;
      if (one && zeros) return false;
      if (!one) zeros = true;
    }
  }
  return true;
}

function readSubtree(r: DerReader, field: string): Subtree {
  const seq = r.sequence(field);
  const element = seq.peekTag();
  let subtree: Subtree;
  if (element === TAG.directoryName) {
    const inner = seq.explicit(4, 'directoryName');
    const base = comparableName(readName(inner, 'directoryName'));
    // A base that only its own bytes would equal (name-match.ts) cannot be compared: an excluded one would exclude nothing.
    if (!base) throw new DerError('directoryName constraint with a value that cannot be compared (RFC 5280 §7.1)');
    subtree = { form: 'dn', rdns: base.rdns };
    inner.end();
  } else {
    const base = seq.element(undefined, 'base');
    const text = () => seq.ia5Content(base.content, seq.join('base'));
    if (base.tag === TAG.dNSName) {
      subtree = { form: 'dns', base: domainConstraint('dNSName', text()) };
    } else if (base.tag === TAG.rfc822Name) {
      subtree = { form: 'email', base: emailBase(text()) };
    } else if (base.tag === TAG.uniformResourceIdentifier) {
      subtree = { form: 'uri', base: domainConstraint('uniformResourceIdentifier', text()) };
    } else if (base.tag === TAG.iPAddress) {
      const n = base.content.length;
      if (n !== 8 && n !== 32) throw new DerError(`iPAddress constraint of ${n} bytes (must be 8 or 32: address and mask)`);
      const address = base.content.subarray(0, n / 2);
      const mask = base.content.subarray(n / 2);
      if (!isPrefixMask(mask)) throw new DerError('iPAddress constraint mask is not a prefix');
      subtree = { form: 'ip', address, mask };
    } else {
      subtree = { form: 'other', tag: base.tag };
    }
  }
  // §4.2.1.10: "minimum MUST be zero, and maximum MUST be absent"; DER omits a DEFAULT, so neither appears.
  if (!seq.atEnd) throw new DerError(`${field}: minimum or maximum present`);
  seq.end();
  return subtree;
}

function readSubtrees(r: DerReader | undefined, field: string): Subtree[] {
  if (!r) return [];
  const out: Subtree[] = [];
  for (let i = 0; !r.atEnd; i++) out.push(readSubtree(r, `${field}[${i}]`));
  if (out.length === 0) throw new DerError(`${field}: empty GeneralSubtrees`);
  r.end();
  return out;
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] OPTIONAL, excludedSubtrees [1] OPTIONAL }. */
export function parseNameConstraints(value: Uint8Array): NameConstraints {
  const r = new DerReader(value);
  const seq = r.sequence('nameConstraints');
  const permitted = readSubtrees(seq.optionalExplicit(0, 'permittedSubtrees'), 'permittedSubtrees');
  const excluded = readSubtrees(seq.optionalExplicit(1, 'excludedSubtrees'), 'excludedSubtrees');
  seq.end();
  r.end();
  // §4.2.1.10: "either the permittedSubtrees field or the excludedSubtrees MUST be present".
  if (permitted.length + excluded.length === 0) throw new DerError('nameConstraints with neither permitted nor excluded subtrees');
  return { permitted, excluded };
}

/** A subjectAltName directoryName ([4] EXPLICIT Name), read from its raw GeneralName; DerError when malformed. */
function sanDirectoryName(raw: Uint8Array): Name {
  const r = new DerReader(raw);
  const inner = r.explicit(4, 'directoryName');
  const dn = readName(inner, 'directoryName');
  inner.end();
  r.end();
  return { form: 'dn', rdns: comparableName(dn)?.rdns, text: dn.text };
}

/**
 * The names §6.1.3(b)(c) checks: the subject DN, every subjectAltName (a directoryName as a DN: "Restrictions
 * of the form directoryName MUST be applied to the subject field ... and to any names of type directoryName in
 * the subjectAltName extension", §4.2.1.10), and legacy subject emails. DerError for a malformed directoryName.
 */
function namesOf(cert: Certificate): Name[] {
  const names: Name[] = [];
  if (cert.subject.rdns.length > 0) names.push({ form: 'dn', rdns: comparableName(cert.subject)?.rdns });
  const san = cert.subjectAltName;
  if (san) {
    for (const value of san.dns) names.push(dnsName(value));
    for (const value of san.email) names.push({ form: 'email', value, key: splitMailbox(value) });
    for (const value of san.uri) names.push(uriName(value));
    for (const ip of san.ip) names.push({ form: 'ip', bytes: ip.bytes });
    for (const raw of san.other) names.push(raw[0] === TAG.directoryName ? sanDirectoryName(raw) : { form: 'other', tag: raw[0]! });
  } else {
    // §4.2.1.10: with no subjectAltName, rfc822Name constraints apply to the subject's emailAddress.
    for (const a of cert.subject.rdns.flat()) if (a.oid === OID.emailAddress) names.push({ form: 'email', value: a.value, key: splitMailbox(a.value) });
  }
  return names;
}

/** dNSName: "any DNS name that can be constructed by simply adding zero or more labels to the left-hand side". */
function dnsWithin(name: string, base: string): boolean {
  if (base === '') return true;
  if (base.startsWith('.')) return name.endsWith(base);
  return name === base || name.endsWith('.' + base);
}

/** Whether some name a presented `*.rest` wildcard stands for lies in the subtree (for excluded subtrees). */
function wildcardMayMatch(name: string, base: string): boolean {
  if (dnsWithin(name, base)) return true;
  if (!name.startsWith('*.') || base.startsWith('.')) return false;
  const rest = name.slice(2);
  const dot = base.indexOf('.');
  return dot > 0 && base.slice(dot + 1) === rest;
}

interface Mailbox {
  local: string;
  domain: string;
}

/**
 * RFC 5321 §4.1.2 Mailbox: local-part "@" domain; an '@' inside the local part only in a quoted string. The
 * domain without a trailing dot (`example.com.` is `example.com`, RFC 1034 §3.1); one that is no domain name
 * (an empty label, a NUL or '/', an address literal) is refused.
 */
function splitMailbox(mailbox: string): Mailbox | undefined {
  const at = mailbox.lastIndexOf('@');
  if (at <= 0 || at === mailbox.length - 1) return undefined;
  const local = mailbox.slice(0, at);
  if (local.includes('@') && !/^".*"$/.test(local)) return undefined;
  const domain = dropDot(lower(mailbox.slice(at + 1)));
  return isDomain(domain) ? { local, domain } : undefined;
}

/** rfc822Name and URI host constraints: a host (that host only), `.domain` (any host below it), or empty (any host). */
function hostWithin(host: string, base: string): boolean {
  if (base === '') return true;
  return base.startsWith('.') ? host.endsWith(base) : host === base;
}

/** rfc822Name: a mailbox (exact), a host (exact domain), or `.domain` (any subdomain). */
function emailWithin(mailbox: Mailbox, base: Mailbox | string): boolean {
  if (typeof base !== 'string') return base.local === mailbox.local && base.domain === mailbox.domain;
  return hostWithin(mailbox.domain, base);
}

/** An rfc822Name constraint: a mailbox (one that is none is malformed), or a host or `.domain` (domainConstraint). */
function emailBase(base: string): Mailbox | string {
  if (!base.includes('@')) return domainConstraint('rfc822Name', base);
  const mailbox = splitMailbox(base);
  if (!mailbox) throw new DerError(`rfc822Name constraint "${escapeUnprintable(base)}" is not a mailbox`);
  return mailbox;
}

/** RFC 3986 §3.2 authority: unreserved, pct-encoded, sub-delims, ':', '@', and '[' ']' around an IP literal. */
const AUTHORITY = /^[a-zA-Z0-9\-._~%!$&'()*+,;=:@[\]]*$/;

/**
 * The host of a URI (RFC 3986 §3.2.2), lowercased; undefined when it has none, or when its authority holds a
 * character RFC 3986 does not allow there (a WHATWG parser ends an https authority at a `\`, so it would read
 * another host than the text after the last '@').
 */
export function uriHost(uri: string): string | undefined {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(uri);
  if (!m || !AUTHORITY.test(m[1]!)) return undefined;
  let authority = m[1]!;
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.replace(/:\d*$/, '');
  return host === '' ? undefined : dropDot(lower(host));
}

function ipWithin(bytes: Uint8Array, address: Uint8Array, mask: Uint8Array): boolean {
  if (bytes.length !== address.length) return false;
  return bytes.every((b, i) => (b & mask[i]!) === (address[i]! & mask[i]!));
}

/** The same address in the other family: a.b.c.d and its IPv4-mapped ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), or undefined. */
function otherFamily(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length === 4) return Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...bytes);
  const mapped = bytes.subarray(0, 12).every((b, i) => b === (i < 10 ? 0 : 0xff));
  return mapped ? bytes.subarray(12) : undefined;
}

/** directoryName: the base is a prefix of the name's RDN sequence. */
function dnWithin(rdns: readonly string[], base: readonly string[]): boolean {
  return base.length <= rdns.length && base.every((rdn, i) => rdn === rdns[i]);
}

/** Does `name` lie in `subtree`? `excluded` widens wildcards to every name they may stand for. */
function within(name: Name, subtree: Subtree, excluded: boolean): boolean {
  switch (name.form) {
    case 'dns':
      if (subtree.form !== 'dns') return false;
      return excluded ? wildcardMayMatch(name.key!, subtree.base) : dnsWithin(name.key!, subtree.base);
    case 'email':
      return subtree.form === 'email' && emailWithin(name.key!, subtree.base);
    case 'uri':
      return subtree.form === 'uri' && hostWithin(name.key!, subtree.base);
    case 'ip': {
      if (subtree.form !== 'ip') return false;
      if (ipWithin(name.bytes, subtree.address, subtree.mask)) return true;
      // An excluded subtree also catches the address written in the other family (::ffff:10.1.2.3 is 10.1.2.3).
      const other = excluded ? otherFamily(name.bytes) : undefined;
      return other !== undefined && ipWithin(other, subtree.address, subtree.mask);
    }
    case 'dn':
      return subtree.form === 'dn' && dnWithin(name.rdns!, subtree.rdns);
    case 'other':
      return false;
  }
}

/** The name form a name or subtree is of: those we process by name, any other GeneralName by its tag. */
const formOf = (x: Name | Subtree) => (x.form === 'other' ? `other:${x.tag}` : x.form);

/**
 * Subtrees grouped by form, once per CA: a name is then compared with its own form's subtrees only, without
 * passing over the others (1800 iPAddress subtrees against 8000 dNSNames cost ~150 ms of filtering, outside
 * the comparison budget, before).
 */
function byForm(subtrees: Subtree[]): Map<string, Subtree[]> {
  const groups = new Map<string, Subtree[]>();
  for (const subtree of subtrees) {
    const form = formOf(subtree);
    const group = groups.get(form);
    if (group) group.push(subtree);
    else groups.set(form, [subtree]);
  }
  return groups;
}

/** The GeneralName forms we do not process (RFC 5280 §4.2.1.6), by tag, for messages. */
const UNPROCESSED_FORMS: Readonly<Record<number, string>> = { 0: 'an otherName', 3: 'an x400Address', 5: 'an ediPartyName', 8: 'a registeredID' };

function nameText(name: Name): string {
  if (name.form === 'ip') return `IP:${name.bytes.length === 4 || name.bytes.length === 16 ? formatIp(name.bytes) : [...name.bytes].join('.')}`;
  if (name.form === 'dn') return name.text === undefined ? 'the subject DN' : `DN:${name.text}`;
  if (name.form === 'other') return `${UNPROCESSED_FORMS[name.tag & 0x1f] ?? 'a GeneralName'} [${name.tag & 0x1f}]`;
  return `${name.form.toUpperCase()}:${escapeUnprintable(name.value)}`;
}

/**
 * A URI host that URI subtrees can be compared with: a domain name. Not an IP address (RFC 5280 §4.2.1.10: the
 * application "MUST reject the certificate"), nor one a URL parser reads as one ("127.1"), nor percent-encoded
 * (a URL parser decodes `a%2eevil.example` to another host than the constraint would compare).
 */
const isDomainHost = (host: string) => isDomain(host) && !endsInNumber(host);

/**
 * A dNSName, compared only when it is a DNS name: letters, digits, '-', '_' in non-empty labels, a wildcard only
 * as the whole left-most label (rustls-webpki refuses to compare any other presented name). `.example.com`
 * with its empty label would pass `example.com`, and `victim.example\0.attacker.example` `attacker.example`.
 */
function dnsName(value: string): Name {
  const key = dropDot(lower(value));
  return { form: 'dns', value, key: isDomain(key.replace(/^\*\./, '')) ? key : undefined };
}

/** A URI, compared by its host only when that is a domain name (isDomainHost). */
function uriName(value: string): Name {
  const host = uriHost(value);
  return { form: 'uri', value, key: host !== undefined && isDomainHost(host) ? host : undefined };
}

/**
 * A name that cannot be compared fails closed: a dNSName that is no DNS name, a mailbox without exactly one
 * unquoted '@' (`a@b@example.com`) or with no domain name, a URI whose host is not a domain name (none, an IP
 * address, percent-encoded), a distinguished name with a value RFC 5280 §7.1 cannot prepare (name-match.ts).
 */
const malformed = (name: Name) =>
  ((name.form === 'dns' || name.form === 'email' || name.form === 'uri') && name.key === undefined) || (name.form === 'dn' && name.rdns === undefined);

/** A CA's subtrees, grouped by form (byForm), or why they cannot be read. */
type ParsedConstraints = { excluded: Map<string, Subtree[]>; permitted: Map<string, Subtree[]> } | Failure;

/** What one CA's subtrees say of one certificate below it: the comparisons counted, up to the first failure (if any). */
interface PairVerdict {
  comparisons: number;
  failure?: Failure;
}

const overBudget = (budget: number) => fail('BadCertificate', `name constraints need more than ${budget} comparisons; refused (bounded work)`);

/**
 * The names of one certificate against one CA's subtrees, stopping at the first failure or once more than
 * `budget` comparisons are counted.
 */
function judgePair(ca: Certificate, subtrees: Exclude<ParsedConstraints, Failure>, cert: Certificate, names: Name[], budget: number): PairVerdict {
  let comparisons = 0;
  for (const name of names) {
    const excluded = subtrees.excluded.get(formOf(name)) ?? [];
    const permitted = subtrees.permitted.get(formOf(name)) ?? [];
    comparisons += excluded.length + permitted.length;
    if (comparisons > budget) return { comparisons };
    if (excluded.length + permitted.length === 0) continue;
    const where = `${nameText(name)} of ${describe(cert)}`;
    if (name.form === 'other') return { comparisons, failure: fail('UnsupportedCertificate', `${describe(ca)} constrains the name form of ${where}, which we do not process (RFC 5280 §4.2.1.10)`) };
    if (malformed(name)) return { comparisons, failure: fail('BadCertificate', `${where} cannot be checked against the nameConstraints of ${describe(ca)}`) };
    if (excluded.some((s) => within(name, s, true))) return { comparisons, failure: fail('BadCertificate', `${where} is in an excluded subtree of ${describe(ca)} (RFC 5280 §4.2.1.10)`) };
    if (permitted.length > 0 && !permitted.some((s) => within(name, s, false))) {
      return { comparisons, failure: fail('BadCertificate', `${where} is outside the permitted subtrees of ${describe(ca)} (RFC 5280 §4.2.1.10)`) };
    }
  }
  return { comparisons };
}

/**
 * The name constraints check of one validation: checks the names of every certificate in a path (leaf first,
 * anchor last) against the nameConstraints of every CA above it. Self-issued intermediates are not checked
 * (§6.1.3(b)); the leaf always is. At most `budget` name-to-subtree comparisons a path. Path building may reach
 * an anchor by hundreds of orderings of the same certificates (a sub-CA's self-issued copies), so each CA's
 * subtrees are read once, each certificate's names once, and what a CA says of a certificate below it is
 * worked out once; a path still counts each pair's comparisons, as when every path was worked out anew.
 */
export function nameConstraintsChecker(budget: number): (path: Certificate[]) => Failure | undefined {
  const subtreesOf = new Map<Certificate, ParsedConstraints | undefined>();
  const namesOfCert = new Map<Certificate, Name[] | Failure>();
  const pairs = new Map<Certificate, Map<Certificate, PairVerdict>>();
  const readSubtreesOf = (ca: Certificate): ParsedConstraints | undefined => {
    const ext = ca.extensions.find((e) => e.oid === OID.nameConstraints);
    if (!ext) return undefined;
    try {
      const constraints = parseNameConstraints(ext.value);
      return { excluded: byForm(constraints.excluded), permitted: byForm(constraints.permitted) };
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
      return fail('BadCertificate', `${describe(ca)} has malformed nameConstraints: ${e.message}`);
    }
  };
  const readNamesOf = (cert: Certificate): Name[] | Failure => {
    try {
      return namesOf(cert);
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
      return fail('BadCertificate', `${describe(cert)} has a malformed directoryName in its subjectAltName: ${e.message}`);
    }
  };
  const pairVerdict = (ca: Certificate, subtrees: Exclude<ParsedConstraints, Failure>, cert: Certificate): PairVerdict => {
    const below = pairs.get(ca) ?? pairs.set(ca, new Map()).get(ca)!;
    const known = below.get(cert);
    if (known) return known;
    const names = namesOfCert.get(cert) ?? namesOfCert.set(cert, readNamesOf(cert)).get(cert)!;
    const verdict = Array.isArray(names) ? judgePair(ca, subtrees, cert, names, budget) : { comparisons: 0, failure: names };
    below.set(cert, verdict);
    return verdict;
  };
  return (path) => {
    let comparisons = 0;
    for (let i = path.length - 1; i >= 1; i--) {
      const ca = path[i]!;
      const subtrees = subtreesOf.has(ca) ? subtreesOf.get(ca) : subtreesOf.set(ca, readSubtreesOf(ca)).get(ca);
      if (!subtrees) continue;
      if ('reason' in subtrees) return subtrees;
      for (let j = i - 1; j >= 0; j--) {
        const cert = path[j]!;
        if (j > 0 && isSelfIssued(cert)) continue;
        const verdict = pairVerdict(ca, subtrees, cert);
        comparisons += verdict.comparisons;
        if (comparisons > budget) return overBudget(budget);
        if (verdict.failure) return verdict.failure;
      }
    }
    return undefined;
  };
}

/** The name constraints of one path, judged on its own (nameConstraintsChecker for the paths of one validation). */
export function checkNameConstraints(path: Certificate[], budget: number): Failure | undefined {
  return nameConstraintsChecker(budget)(path);
}
