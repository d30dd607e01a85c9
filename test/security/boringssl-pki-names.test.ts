// BoringSSL pki's (Chromium's net/cert) name_constraints_unittest, replayed (inventory: docs/x509-boringssl-pki.md).
//
// Each vectors/boringssl-pki/name_constraints_unittest/<file>.pem is a nameConstraints extension value as published.
// What each name must give is written in name_constraints_unittest.cc (IsPermittedDNSName, IsPermittedIP,
// IsPermittedDirectoryName), not in the data: NAMES below is that table, one row per EXPECT, read from the stored
// copy named in vectors/boringssl-pki/README.md. Each name is put in a certificate issued by a CA carrying the
// constraints (a dNSName or iPAddress SAN, or the subject for a directoryName), and our check
// (checkNameConstraints, RFC 5280 §4.2.1.10, §6.1.3(b)(c)) decides. Where we answer otherwise on purpose, DIFFERS
// says why (docs/x509-boringssl-pki.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeName, type GeneralNameSpec, type NameSpec } from '../../src/auth/builder.js';
import { der } from '../../src/auth/der-writer.js';
import { checkNameConstraints } from '../../src/auth/path/names.js';
import { PROFILES } from '../../src/auth/path/profile.js';
import { parsePem } from '../../src/auth/pem.js';
import { issue, nodeKey } from '../auth/helpers.js';

const SUITE = new URL('../../vectors/boringssl-pki/name_constraints_unittest/', import.meta.url);
const NAME_CONSTRAINTS = '2.5.29.30';

/** A name the C++ test asks about: a DNS name, an IP address, or a directory name (as the subject). */
type Presented = { dns: string } | { ip: string } | { dn: NameSpec };

/** The names of net/data/name_constraints_unittest/name-*.pem (C a PrintableString, the rest UTF8String, as ours). */
const DN = {
  us: { C: 'US' },
  usCa: { C: 'US', ST: 'California' },
  usCaMountainView: { C: 'US', ST: 'California', L: 'Mountain View' },
  usAz: { C: 'US', ST: 'Arizona' },
  jp: { C: 'JP' },
  jpTokyo: { C: 'JP', ST: '東京' },
  de: { C: 'DE' },
  ca: { C: 'CA' },
  empty: {},
} satisfies Record<string, NameSpec>;

const text = (p: Presented) => ('dns' in p ? `dNSName "${p.dns}"` : 'ip' in p ? `iPAddress ${p.ip}` : `directoryName ${JSON.stringify(p.dn)}`);

/** Constraints file -> names Chromium permits and names it refuses, as the C++ test expects. */
const NAMES: Record<string, { permitted: Presented[]; refused: Presented[] }> = {
  'dnsname.pem': {
    permitted: [
      'permitted.example.com', 'permitted.example.com.', 'a.permitted.example.com', 'alsopermitted.example.com',
      '*.foo.permitted.example.com', '*.alsopermitted.example.com',
      '*xcluded.permitted.example.com', 'exclude*.permitted.example.com', 'excl*ded.permitted.example.com',
      'permitted.example3.com', 'permitted.example3.com.', 'a.permitted.example3.com', 'a.permitted.example3.com.',
    ].map((dns) => ({ dns })),
    refused: [
      'apermitted.example.com', 'apermitted.example.com.', 'excluded.permitted.example.com', 'a.excluded.permitted.example.com',
      'stillnotpermitted.excluded.permitted.example.com', 'a.stillnotpermitted.excluded.permitted.example.com',
      'extraneousexclusion.example.com', 'a.extraneousexclusion.example.com', 'other.example.com', 'other.com',
      '*.permitted.example.com', '*.excluded.permitted.example.com', '*.example2.com', '*.', '*.*', '.*', '*',
    ].map((dns) => ({ dns })),
  },
  'dnsname2.pem': {
    permitted: ['com', 'bar.com', 'baz.bar.com', '*.baz.bar.com', '*.com'].map((dns) => ({ dns })),
    refused: ['foo.bar.com', 'baz.foo.bar.com', '*.bar.com', '*.foo.bar.com'].map((dns) => ({ dns })),
  },
  'dnsname-permitted_with_leading_dot.pem': { permitted: [], refused: ['com', 'bar.com', 'foo.bar.com'].map((dns) => ({ dns })) },
  'dnsname-excluded.pem': {
    permitted: ['', 'foo.com', 'permitted.example.com'].map((dns) => ({ dns })),
    refused: ['excluded.permitted.example.com', 'a.excluded.permitted.example.com'].map((dns) => ({ dns })),
  },
  'dnsname-excludeall.pem': { permitted: [], refused: ['', 'foo.com', 'permitted.example.com', 'foo.permitted.example.com'].map((dns) => ({ dns })) },
  'dnsname-exclude_dot.pem': {
    permitted: ['permitted.example.com', 'foo.permitted.example.com'].map((dns) => ({ dns })),
    refused: [{ dns: 'foo.com' }],
  },
  'directoryname.pem': {
    permitted: [DN.us, DN.usAz, DN.jpTokyo].map((dn) => ({ dn })),
    refused: [DN.ca, DN.usCa, DN.usCaMountainView, DN.de, DN.jp].map((dn) => ({ dn })),
  },
  'directoryname-excluded.pem': { permitted: [DN.empty, DN.us].map((dn) => ({ dn })), refused: [DN.usCa, DN.usCaMountainView].map((dn) => ({ dn })) },
  'directoryname-excludeall.pem': { permitted: [], refused: [DN.empty, DN.us, DN.usCa, DN.jp].map((dn) => ({ dn })) },
  'ipaddress.pem': {
    permitted: [
      '192.168.0.1', '192.167.5.32', '192.167.5.63',
      '102:304:506:708:90a:b0c:0:1', '102:304:506:708:90a:b0b:520:0', '102:304:506:708:90a:b0b:53f:ffff',
    ].map((ip) => ({ ip })),
    refused: [
      '192.169.0.1', '192.168.5.1', '192.168.5.33', '192.167.5.31', '192.167.5.64', '192.166.5.32',
      '102:304:506:708:90a:b0d:0:1', '102:304:506:708:90a:b0c:500:1', '102:304:506:708:90a:b0c:521:1',
      '102:304:506:708:90a:b0b:51f:ffff', '102:304:506:708:90a:b0b:540:0', '102:304:506:708:90a:b0a:521:1',
    ].map((ip) => ({ ip })),
  },
  'ipaddress-excluded.pem': { permitted: ['192.168.0.1', '102:304:506:708:90a:b0d:0:1'].map((ip) => ({ ip })), refused: [{ ip: '192.168.5.1' }] },
  'ipaddress-excludeall.pem': {
    permitted: [],
    refused: ['192.168.0.1', '1.1.1.1', '201:101:101:101:101:101:101:101', '102:304:506:708:90a:b0d:0:1'].map((ip) => ({ ip })),
  },
  'ipaddress-permit_singlehost.pem': {
    permitted: [{ ip: '192.168.1.3' }],
    refused: ['0.0.0.0', '192.168.1.1', '192.168.1.2', '192.168.1.4', '255.255.255.255'].map((ip) => ({ ip })),
  },
  'ipaddress-permit_prefix31.pem': {
    permitted: ['192.168.1.2', '192.168.1.3'].map((ip) => ({ ip })),
    refused: ['0.0.0.0', '192.168.1.1', '192.168.1.4', '192.168.1.5', '255.255.255.255'].map((ip) => ({ ip })),
  },
  'ipaddress-permit_prefix1.pem': { permitted: ['128.0.0.0', '255.255.255.255'].map((ip) => ({ ip })), refused: ['0.0.0.0', '127.255.255.255'].map((ip) => ({ ip })) },
  'ipaddress-permit_all.pem': { permitted: ['0.0.0.0', '192.168.1.1', '255.255.255.255'].map((ip) => ({ ip })), refused: [] },
};

/** Constraints Chromium cannot parse (NameConstraints::CreateFromDer fails): every name below them is refused. */
const MALFORMED: Record<string, RegExp> = {
  'ipaddress-invalid_addr.pem': /iPAddress constraint of 10 bytes/,
  'ipaddress-invalid_mask_not_contiguous_1.pem': /mask/,
  'ipaddress-invalid_mask_not_contiguous_2.pem': /mask/,
  'ipaddress-invalid_mask_not_contiguous_3.pem': /mask/,
  'ipaddress-invalid_mask_not_contiguous_4.pem': /mask/,
};

/**
 * dnsname.pem less its one subtree with a trailing dot (`permitted.example3.com.`), rebuilt with our builder: as
 * published, we refuse every name below it (a malformed constraint fails closed), which would hide how the other
 * names compare. The names of that subtree are left out of this variant.
 */
const DNSNAME_LESS_TRAILING_DOT = 'dnsname.pem, less permitted.example3.com.';
const REBUILT: Record<string, GeneralNameSpec[][]> = {
  [DNSNAME_LESS_TRAILING_DOT]: [
    ['permitted.example.com', 'permitted.example2.com', 'alsopermitted.example.com', 'stillnotpermitted.excluded.permitted.example.com'].map((dns) => ({ dns })),
    ['excluded.permitted.example.com', 'extraneousexclusion.example.com'].map((dns) => ({ dns })),
  ],
};
NAMES[DNSNAME_LESS_TRAILING_DOT] = {
  permitted: NAMES['dnsname.pem']!.permitted.filter((n) => !('dns' in n && n.dns.includes('example3'))),
  refused: NAMES['dnsname.pem']!.refused,
};

const TRAILING_DOT = 'a dNSName constraint with a trailing dot is malformed and fails closed (§4.2.1.10 asks for the preferred name syntax; Go refuses it too); Chromium strips the dot';
const EXCLUDE_DOT = 'an excluded dNSName "." would exclude nothing: malformed, fails closed (as Go); Chromium lets it match nothing';
const WILDCARD_IN_LABEL = 'a wildcard that is not the whole left-most label cannot be compared: fail closed (as rustls-webpki); Chromium compares it as a literal label';

/** `<file> <name>` -> why we answer otherwise, and the detail our answer gives. */
const DIFFERS: Record<string, { why: string; detail: RegExp }> = {
  ...Object.fromEntries(
    NAMES['dnsname.pem']!.permitted.map((n) => [`dnsname.pem ${text(n)}`, { why: TRAILING_DOT, detail: /dNSName constraint "permitted\.example3\.com\." is not a domain/ }]),
  ),
  ...Object.fromEntries(
    ['permitted.example.com', 'foo.permitted.example.com'].map((dns) => [`dnsname-exclude_dot.pem ${text({ dns })}`, { why: EXCLUDE_DOT, detail: /dNSName constraint "\." is not a domain/ }]),
  ),
  ...Object.fromEntries(
    ['*xcluded.permitted.example.com', 'exclude*.permitted.example.com', 'excl*ded.permitted.example.com'].map((dns) => [
      `${DNSNAME_LESS_TRAILING_DOT} ${text({ dns })}`,
      { why: WILDCARD_IN_LABEL, detail: /cannot be checked against the nameConstraints/ },
    ]),
  ),
  'dnsname-excluded.pem dNSName ""': { why: 'an empty dNSName is no DNS name and cannot be compared: fail closed', detail: /cannot be checked against the nameConstraints/ },
  'dnsname-permitted_with_leading_dot.pem dNSName "foo.bar.com"': {
    why: 'a leading-dot dNSName constraint is read as the names below it (rustls-webpki, NSS, Go); the rfc5280 profile refuses such a CA outright (rule dns-constraint-syntax)',
    detail: /(permitted, so no detail)/,
  },
};


const caKey = nodeKey('p256');
const leafKey = nodeKey('p256');
const constraintsOf = (file: string) => parsePem(readFileSync(new URL(file, SUITE), 'utf8'))[0]!.der;
const constrainedCa = (file: string) => {
  const rebuilt = REBUILT[file];
  return issue({ CN: `CA constrained by ${file}` }, caKey, undefined, {
    isCA: true,
    ...(rebuilt
      ? { nameConstraints: { permitted: rebuilt[0], excluded: rebuilt[1] } }
      : { extraExtensions: [{ oid: NAME_CONSTRAINTS, critical: true, value: constraintsOf(file) }] }),
  });
};

/**
 * The certificate that presents `name` under `ca`. An empty directoryName can only be presented in a SAN: an empty
 * subject is no name at all (RFC 5280 §4.1.2.6). A dNSName is written as given (GeneralName [2] IA5String), even one
 * no CA should issue, since the C++ test asks about such names too.
 */
function presenting(name: Presented, ca: ReturnType<typeof constrainedCa>) {
  if ('ip' in name) return issue({ CN: 'leaf' }, leafKey, ca, { sans: { ip: [name.ip] } });
  if ('dn' in name && Object.keys(name.dn).length > 0) return issue(name.dn, leafKey, ca);
  const raw = 'dns' in name ? der.tlv(0x82, new TextEncoder().encode(name.dns)) : der.explicit(4, encodeName({}));
  return issue({}, leafKey, ca, { sans: { raw: [raw] } });
}

/** Our verdict on `name` below a CA constrained by `file`: undefined when permitted, else the failure's detail. */
function ourVerdict(file: string, name: Presented): string | undefined {
  const ca = constrainedCa(file);
  let leaf;
  try {
    leaf = presenting(name, ca);
  } catch (e) {
    return `not parsed: ${(e as Error).message}`;
  }
  return checkNameConstraints([leaf.cert, ca.cert], PROFILES.rfc5280.nameConstraintBudget)?.detail;
}

describe('BoringSSL pki name_constraints_unittest, replayed', () => {
  for (const [file, { permitted, refused }] of Object.entries(NAMES)) {
    for (const [name, chromiumPermits] of [...permitted.map((n) => [n, true] as const), ...refused.map((n) => [n, false] as const)]) {
      const differs = DIFFERS[`${file} ${text(name)}`];
      const oursPermits = differs ? !chromiumPermits : chromiumPermits;
      it(`${file}, ${text(name)}: Chromium ${chromiumPermits ? 'permits' : 'refuses'}, so ${differs ? `do not we (${differs.why})` : 'do we'}`, () => {
        const detail = ourVerdict(file, name);
        expect(detail === undefined, detail).toBe(oursPermits);
        if (differs && detail !== undefined) expect(detail).toMatch(differs.detail);
      });
    }
  }

  for (const [file, detail] of Object.entries(MALFORMED)) {
    it(`${file}: Chromium cannot parse the constraints; every path through that CA fails closed`, () => {
      expect(ourVerdict(file, { ip: '192.168.1.1' })).toMatch(new RegExp(`malformed nameConstraints: .*${detail.source}`));
    });
  }
});
