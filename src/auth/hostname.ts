// Server identity check (RFC 6125 §6, as profiled for TLS by RFC 9525): the reference identity is
// matched against subjectAltName only. dNSName for host names, iPAddress for IP literals; the
// subject Common Name is never consulted (RFC 9525 §6.3, RFC 6125 §6.4.4 only allowed it as a fallback).
import { escapePeerText } from '../wire/show-value.js';
import { equalBytes } from '../wire/bytes.js';
import { escapeListedName, formatIp, type Certificate } from './x509.js';

export type HostnameMatch = { ok: true; matched: string } | { ok: false; detail: string };

/** What a dotted quad is written with (at most 15 of them: "255.255.255.255"). */
const IPV4_CHARACTERS = /^[0-9.]+$/;

/** IPv4 dotted quad (four decimal octets, no leading zeros) to 4 bytes, else null. */
function parseIpv4(text: string): Uint8Array | null {
  // Host names, the common case, are turned away before any string is split (every client parses its serverName).
  if (text.length > 15 || !IPV4_CHARACTERS.test(text)) return null;
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null;
    out[i] = Number(p);
  }
  return out;
}

/** IPv6 text (RFC 4291 §2.2, with optional trailing IPv4 and `::`) to 16 bytes, else null. */
function parseIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  // A dotted IPv4 part may only end the address (RFC 4291 §2.2 form 3): `::1.2.3.4`, never `1.2.3.4::`.
  const groupsOf = (part: string, endsAddress: boolean): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (endsAddress && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** The bytes of an IP literal (IPv4, IPv6, or bracketed IPv6: brackets belong to IPv6 only), or null for a host name. */
export function parseIpAddress(text: string): Uint8Array | null {
  if (text.startsWith('[') && text.endsWith(']')) return parseIpv6(text.slice(1, -1));
  return parseIpv4(text) ?? (text.includes(':') ? parseIpv6(text) : null);
}

/**
 * The name a client means to reach (RFC 6125 §6.2 "reference identity"): a DNS name, lowercased and without
 * a trailing dot, or an IP address. Parsed once from the caller's text; `text` is the canonical spelling
 * (IPv6 as RFC 5952 writes it), which `matchHostname` reads back as the same identity.
 */
export type ReferenceIdentity = { kind: 'dns'; text: string } | { kind: 'ip'; address: Uint8Array; text: string };

/** A DNS name as SNI carries one (RFC 6066 §3: ASCII, no trailing dot; RFC 1035 §2.3.4 lengths). */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Whether a name's last label is a number, decimal or 0x hex (WHATWG URL "ends in a number", §3.5): a resolver
 * (inet_aton) reads "127.1", "0x7f.0.0.1", "2130706433" or octal "0177.0.0.1" as an IPv4 address, so such a name
 * is no DNS name to match dNSName SANs against. rustls-webpki refuses an all-digit last label the same way.
 */
export function endsInNumber(name: string): boolean {
  // The last label, one trailing dot dropped first (an absolute name ends in its last label, not in "").
  const absolute = name.endsWith('.') ? name.slice(0, -1) : name;
  const last = absolute.slice(absolute.lastIndexOf('.') + 1);
  return /^\d+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
}

const numericHost = (text: string) =>
  `"${escapePeerText(text)}" ends in a number, so resolvers read it as an IPv4 address: write an IPv4 address as a dotted quad (127.0.0.1)`;

/**
 * The last DNS name parsed, as text and identity: a client names the same server handshake after handshake, and a
 * server hears the same SNI. A string is a value and the identity is frozen, so the memo answers exactly as a
 * parse would, for that text only (test/security/reference-identity-memo). An IP identity holds its address as a
 * Uint8Array, which cannot be frozen: parsed every time.
 */
let lastDnsName: { text: string; identity: ReferenceIdentity } | undefined;

/** Parses a DNS name or an IP literal (IPv4, IPv6, bracketed IPv6); a string saying why not otherwise. */
export function parseReferenceIdentity(text: string): ReferenceIdentity | string {
  if (lastDnsName !== undefined && lastDnsName.text === text) return lastDnsName.identity;
  const identity = parsedReferenceIdentity(text);
  if (typeof identity !== 'string' && identity.kind === 'dns') lastDnsName = { text, identity: Object.freeze(identity) };
  return identity;
}

function parsedReferenceIdentity(text: string): ReferenceIdentity | string {
  const address = parseIpAddress(text);
  if (address) return { kind: 'ip', address, text: formatIp(address) };
  if (/[^\x00-\x7f]/.test(text)) return `"${escapePeerText(text)}" is not ASCII; pass its A-label (xn--) form`;
  if (endsInNumber(text)) return numericHost(text);
  const name = normalizeDns(text);
  if (!DNS_NAME.test(name)) return `"${escapePeerText(text)}" is neither a DNS name nor an IP address`;
  return { kind: 'dns', text: name };
}

/**
 * The HostName of a ClientHello's server_name as a server reads it (RFC 6066 §3: "the fully qualified DNS
 * hostname of the server ... represented as a byte string using ASCII encoding without a trailing dot", and
 * "Literal IPv4 and IPv6 addresses are not permitted in HostName"): a DNS name, lowercased (RFC 4343: the same
 * name in any case), an IP literal (which names no host, and the caller ignores), or why it is neither.
 */
export function parseOfferedHostName(text: string): ReferenceIdentity | string {
  if (text.endsWith('.')) return `"${escapePeerText(text)}" ends in a dot, which a HostName never does (RFC 6066 §3)`;
  return parseReferenceIdentity(text);
}

/** Lowercase ASCII and drop one trailing dot (an absolute name is the same name). */
function normalizeDns(name: string): string {
  // A-Z only, and only when there is one (most names are lower case already); toLowerCase() folds more than ASCII.
  const lower = /[A-Z]/.test(name) ? name.replace(/[A-Z]/g, (c) => c.toLowerCase()) : name;
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * One presented dNSName against the reference host (both normalized). A wildcard is allowed only as
 * the complete left-most label (RFC 6125 §6.4.3, RFC 9525 §6.3): `*.example.com` matches
 * `www.example.com` but not `example.com` or `a.b.example.com`; `w*.example.com` matches nothing.
 */
function dnsMatches(presented: string, host: string): boolean {
  if (presented === '' || host === '') return false;
  const p = presented.split('.');
  const h = host.split('.');
  if (p.some((label) => label === '') || h.some((label) => label === '')) return false;
  if (!presented.includes('*')) return presented === host;
  // Wildcard: exactly "*" as the first label, no other '*', and at least two labels after it.
  if (p[0] !== '*' || p.slice(1).some((label) => label.includes('*')) || p.length < 3) return false;
  return p.length === h.length && p.slice(1).join('.') === h.slice(1).join('.');
}

/** Checks `host` (a DNS name or an IP literal) against the certificate's subjectAltName. */
export function matchHostname(cert: Certificate, host: string): HostnameMatch {
  const san = cert.subjectAltName;
  if (!san) return { ok: false, detail: `certificate for "${cert.subject.text}" has no subjectAltName, and the Common Name is not used (RFC 9525 §6.3)` };
  const ip = parseIpAddress(host);
  if (ip) {
    // An IP literal is matched against iPAddress entries only, never against dNSName wildcards.
    const found = san.ip.find((entry) => equalBytes(entry.bytes, ip));
    if (found) return { ok: true, matched: `IP:${found.text}` };
    return { ok: false, detail: `IP address ${host} is not among the certificate's iPAddress names [${san.ip.map((e) => e.text).join(', ')}]` };
  }
  if (/[^\x21-\x7e]/.test(host)) return { ok: false, detail: `host name "${escapePeerText(host)}" is not ASCII; pass its A-label (xn--) form` };
  if (endsInNumber(host)) return { ok: false, detail: numericHost(host) };
  const reference = normalizeDns(host);
  // Wildcards are a presented form only (RFC 6125 §6.4.3): a reference "*.example.com" names no host.
  if (!DNS_NAME.test(reference)) return { ok: false, detail: `"${escapePeerText(host)}" is neither a DNS name nor an IP address` };
  const found = san.dns.find((name) => dnsMatches(normalizeDns(name), reference));
  if (found) return { ok: true, matched: `DNS:${found}` };
  return { ok: false, detail: `host name ${host} matches none of the certificate's DNS names [${san.dns.map(escapeListedName).join(', ')}]` };
}
