// Profiles: which rules a path must satisfy beyond RFC 5280 §6.1's algorithm itself. `rfc5280` holds
// certificates to the MUSTs RFC 5280 §4 puts on the CAs that issue them (what `openssl verify
// -x509_strict` enforces); `webpki` adds the CA/Browser Forum Baseline Requirements and rustls-webpki's
// rules. Every rule names its section; docs/path-validation.md is the same table for people.
import type { Reason } from '../../wire/errors.js';
import { DerError, DerReader } from '../der.js';
import { equalBytes } from '../../wire/bytes.js';
import { OID } from '../oids.js';
import { escapeUnprintable, isSelfIssued } from '../x509.js';
import { parseNameConstraints } from './names.js';
import type { Certificate, KeyUsageName } from '../x509.js';
import type { Purpose } from '../chain.js';

export type ProfileName = 'rfc5280' | 'webpki';

/** Where a certificate sits in the path: the end entity, a CA the peer sent, or our trust anchor. */
export type Role = 'leaf' | 'intermediate' | 'anchor';

export interface Rule {
  id: string;
  /** RFC 5280 or Baseline Requirements section. */
  section: string;
  roles: readonly Role[];
  reason: Reason;
  /** The problem, or undefined when the certificate satisfies the rule. */
  check(cert: Certificate, purpose: Purpose): string | undefined;
}

export interface Profile {
  name: ProfileName;
  rules: readonly Rule[];
  /** Most certificates in one path, anchor included. */
  maxDepth: number;
  /** Most signatures one validation may check (webpki allows 100; ours is lower for pure-JS P-384). */
  signatureBudget: number;
  /** Most name-to-subtree comparisons one validation may make. */
  nameConstraintBudget: number;
}

const ext = (cert: Certificate, oid: string) => cert.extensions.find((e) => e.oid === oid);
const isCa = (cert: Certificate) => cert.basicConstraints?.cA === true;
const hasKu = (cert: Certificate, bit: KeyUsageName) => cert.keyUsage?.includes(bit) ?? false;
const ALL: readonly Role[] = ['leaf', 'intermediate', 'anchor'];
const CAS: readonly Role[] = ['intermediate', 'anchor'];
/**
 * Certificates the peer sent. An anchor is trusted as configured (RFC 5280 §6.1.1(d)); roots in the
 * Mozilla store break some issuance rules (serial 0: GoDaddy and Starfield G2; non-critical
 * basicConstraints and no keyUsage: Chunghwa ePKI; no SKI: TWCA Global), so those rules judge only what the peer sent.
 */
const PEER: readonly Role[] = ['leaf', 'intermediate'];

/**
 * serialNumber content: two's complement; positive, at most 20 octets (RFC 5280 §4.1.2.2). The 20 octets are
 * the value's: a 20-octet value with its top bit set is encoded in 21, behind a 0x00 sign octet (as
 * rustls-webpki and pyca/cryptography count).
 */
function serialProblem(cert: Certificate): string | undefined {
  const first = parseInt(cert.serialNumber.slice(0, 2), 16);
  if (first >= 0x80) return `serial number is negative`;
  if (/^0+$/.test(cert.serialNumber)) return 'serial number is zero';
  const octets = cert.serialNumber.length / 2 - (first === 0 ? 1 : 0);
  if (octets > 20) return `serial number of ${octets} octets (at most 20)`;
  return undefined;
}

/** A presented dNSName in preferred name syntax (RFC 5280 §4.2.1.6, RFC 1034 §3.5), webpki's way. */
function dnsNameProblem(name: string): string | undefined {
  const shown = `dNSName "${escapeUnprintable(name)}"`;
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  if (labels.some((l) => l === '' || l.length > 63)) return `${shown} has an empty or over-long label`;
  const [first, ...rest] = labels;
  if (first === '*') {
    // BR §4.2.1.6 / §7.1.2.7.12: a wildcard stands for one label of a registered domain. Without the
    // Public Suffix List we refuse `*` over a single label (`*.com`); `*.co.uk` is not caught here.
    if (rest.length < 2) return `wildcard ${shown} covers a top-level domain`;
  } else if (first!.includes('*')) {
    return `${shown} has a partial wildcard`;
  }
  const bad = rest.concat(first === '*' ? [] : [first!]).find((l) => !/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(l));
  if (bad !== undefined) return `${shown} has label "${escapeUnprintable(bad)}" outside letters, digits and inner hyphens${bad.includes('_') ? ' (underscore)' : ''}${bad.includes('*') ? ' (wildcard not left-most)' : ''}`;
  return undefined;
}

/** The end entity's extKeyUsage, when present, allows the purpose (anyExtendedKeyUsage counts here). */
export function ekuPurposeProblem(cert: Certificate, purpose: Purpose): string | undefined {
  const eku = cert.extKeyUsage;
  if (!eku || eku.oids.includes(OID[purpose]) || eku.oids.includes(OID.anyExtendedKeyUsage)) return undefined;
  return `extKeyUsage [${eku.names.join(', ')}] does not include ${purpose}`;
}

/** RFC 5280 §4.1.2.5: "CAs conforming to this profile MUST always encode certificate validity dates through the year 2049 as UTCTime". */
function validityEncodingProblem(cert: Certificate): string | undefined {
  const early = (['notBefore', 'notAfter'] as const).find((end) => {
    const year = new Date(cert[end]).getUTCFullYear();
    return cert.validityEncoding[end] === 'GeneralizedTime' && year >= 1950 && year < 2050;
  });
  return early && `${early} ${new Date(cert[early]).toISOString()} is a GeneralizedTime (UTCTime through 2049)`;
}

/** RFC 5280 §4.2.1.11, §4.2.1.14: "Conforming CAs MUST mark this extension as critical" (and critical ones we refuse as unprocessed). */
function policyExtensionProblem(cert: Certificate): string | undefined {
  const found = [OID.policyConstraints, OID.inhibitAnyPolicy].map((oid) => ext(cert, oid)).find((e) => e && !e.critical);
  return found && `${found.name ?? found.oid} is not critical`;
}

/** RFC 5280 §4.2.1.10: a dNSName constraint is a domain; a leading '.' is the URI and rfc822Name forms' syntax only. */
function leadingDotDnsConstraint(cert: Certificate): string | undefined {
  const nc = ext(cert, OID.nameConstraints);
  if (!nc) return undefined;
  let parsed;
  try {
    parsed = parseNameConstraints(nc.value);
  } catch (e) {
    if (e instanceof DerError) return undefined; // reported as malformed when the path's names are checked
    throw e;
  }
  const dotted = [...parsed.permitted, ...parsed.excluded].find((t) => t.form === 'dns' && t.base.startsWith('.'));
  return dotted && dotted.form === 'dns' ? `dNSName constraint "${dotted.base}" has a leading "."` : undefined;
}

/**
 * RFC 9881 §5: an ML-DSA key "cannot be used to establish keys or encrypt data, so the keyUsage extension
 * MUST NOT have any of the following bits set: keyEncipherment, dataEncipherment, keyAgreement,
 * encipherOnly, decipherOnly". (RFC 8410 §5 says the same of Ed25519 and Ed448, not checked here.)
 */
const NOT_FOR_SIGNATURE_KEYS: readonly KeyUsageName[] = ['keyEncipherment', 'dataEncipherment', 'keyAgreement', 'encipherOnly', 'decipherOnly'];

function mlDsaKeyUsageProblem(cert: Certificate): string | undefined {
  if (cert.publicKey?.kind !== 'ml-dsa') return undefined;
  const forbidden = NOT_FOR_SIGNATURE_KEYS.filter((bit) => hasKu(cert, bit));
  return forbidden.length === 0 ? undefined : `keyUsage [${forbidden.join(', ')}] on an ${cert.publicKey.parameterSet} key, which only signs`;
}

/** Rules both profiles apply: RFC 5280's requirements on conforming certificates. */
const RFC5280_RULES: readonly Rule[] = [
  {
    id: 'serial-number',
    section: 'RFC 5280 §4.1.2.2',
    roles: PEER,
    reason: 'BadCertificate',
    check: serialProblem,
  },
  {
    id: 'validity-time-type',
    section: 'RFC 5280 §4.1.2.5',
    roles: PEER,
    reason: 'BadCertificate',
    check: validityEncodingProblem,
  },
  {
    id: 'issuer-not-empty',
    section: 'RFC 5280 §4.1.2.4',
    roles: ALL,
    reason: 'BadCertificate',
    check: (c) => (c.issuer.rdns.length === 0 ? 'issuer name is empty' : undefined),
  },
  {
    id: 'ca-subject-not-empty',
    section: 'RFC 5280 §4.1.2.6',
    roles: CAS,
    reason: 'BadCertificate',
    check: (c) => (c.subject.rdns.length === 0 ? 'CA certificate with an empty subject' : undefined),
  },
  {
    id: 'empty-subject-needs-critical-san',
    section: 'RFC 5280 §4.1.2.6, §4.2.1.6',
    roles: ALL,
    reason: 'BadCertificate',
    check: (c) => (c.subject.rdns.length === 0 && !ext(c, OID.subjectAltName)?.critical ? 'empty subject without a critical subjectAltName' : undefined),
  },
  {
    id: 'aki-not-critical',
    section: 'RFC 5280 §4.2.1.1',
    roles: ALL,
    reason: 'BadCertificate',
    check: (c) => (ext(c, OID.authorityKeyIdentifier)?.critical ? 'authorityKeyIdentifier is critical' : undefined),
  },
  {
    id: 'aki-present',
    section: 'RFC 5280 §4.2.1.1',
    roles: ['leaf', 'intermediate'],
    reason: 'BadCertificate',
    check: (c) => (c.version === 3 && !isSelfIssued(c) && !c.authorityKeyIdentifier?.keyIdentifier ? 'no authorityKeyIdentifier keyIdentifier' : undefined),
  },
  {
    id: 'ski-not-critical',
    section: 'RFC 5280 §4.2.1.2',
    roles: ALL,
    reason: 'BadCertificate',
    check: (c) => (ext(c, OID.subjectKeyIdentifier)?.critical ? 'subjectKeyIdentifier is critical' : undefined),
  },
  {
    id: 'ca-ski-present',
    section: 'RFC 5280 §4.2.1.2',
    roles: ['intermediate'],
    reason: 'BadCertificate',
    check: (c) => (c.version === 3 && !c.subjectKeyIdentifier ? 'CA certificate without subjectKeyIdentifier' : undefined),
  },
  {
    id: 'ca-basic-constraints',
    section: 'RFC 5280 §4.2.1.9',
    roles: ['intermediate'],
    reason: 'BadCertificate',
    check: (c) => {
      const bc = ext(c, OID.basicConstraints);
      if (!bc) return 'CA certificate without basicConstraints';
      return bc.critical ? undefined : 'basicConstraints of a CA certificate is not critical';
    },
  },
  {
    id: 'ca-key-usage-present',
    section: 'RFC 5280 §4.2.1.3',
    roles: ['intermediate'],
    reason: 'BadCertificate',
    check: (c) => (c.version === 3 && !c.keyUsage ? 'CA certificate without keyUsage' : undefined),
  },
  {
    id: 'ml-dsa-key-usage',
    section: 'RFC 9881 §5',
    roles: PEER,
    reason: 'BadCertificate',
    check: mlDsaKeyUsageProblem,
  },
  {
    id: 'key-cert-sign-needs-ca',
    section: 'RFC 5280 §4.2.1.3',
    roles: ALL,
    reason: 'BadCertificate',
    check: (c) => (hasKu(c, 'keyCertSign') && !isCa(c) ? 'keyUsage keyCertSign without basicConstraints cA' : undefined),
  },
  {
    id: 'path-len-needs-ca',
    section: 'RFC 5280 §4.2.1.9',
    roles: ALL,
    reason: 'BadCertificate',
    check: (c) => (c.basicConstraints?.pathLen !== undefined && !isCa(c) ? 'pathLenConstraint without cA' : undefined),
  },
  {
    id: 'name-constraints-in-ca-only',
    section: 'RFC 5280 §4.2.1.10',
    roles: ['leaf'],
    reason: 'BadCertificate',
    check: (c) => (ext(c, OID.nameConstraints) && !isCa(c) ? 'nameConstraints in a certificate that is not a CA' : undefined),
  },
  {
    id: 'policy-extensions-critical',
    section: 'RFC 5280 §4.2.1.11, §4.2.1.14',
    roles: PEER,
    reason: 'BadCertificate',
    check: policyExtensionProblem,
  },
  {
    id: 'leaf-eku-purpose',
    section: 'RFC 5280 §4.2.1.12',
    roles: ['leaf'],
    reason: 'UnsupportedCertificate',
    check: ekuPurposeProblem,
  },
  {
    // RFC 5280 leaves EKU in CA certificates unspecified; Go crypto/x509, OpenSSL and rustls-webpki read it as a
    // constraint on what the CA issues (EKU chaining), and so does BR §7.1.2.10.6. Under rfc5280 too: a CA
    // declared for serverAuth must not vouch for client certificates. The root's EKU binds as well (Go checks
    // every certificate of the chain; webpki refuses any EKU on a root by `root-no-eku`): a root of yours that
    // says clientAuth only does not vouch for servers. None of Node's roots has an EKU.
    id: 'ca-eku-purpose',
    section: 'RFC 5280 §4.2.1.12, BR §7.1.2.10.6 (EKU chaining, as Go, OpenSSL, rustls-webpki)',
    roles: CAS,
    reason: 'UnsupportedCertificate',
    check: (c, purpose) => {
      const problem = ekuPurposeProblem(c, purpose);
      return problem && `CA ${problem}`;
    },
  },
];

/** Key purposes BR §7.1.2.7.10 forbids in a TLS server certificate (anyExtendedKeyUsage: rule `no-any-eku`). */
const NOT_FOR_TLS_SERVERS: ReadonlySet<string> = new Set([
  OID.codeSigning,
  OID.emailProtection,
  OID.timeStamping,
  OID.ocspSigning,
  '1.3.6.1.4.1.11129.2.4.4', // Precertificate Signing Certificate (RFC 6962 §3.1)
]);

function serverEkuProblem(cert: Certificate, purpose: Purpose): string | undefined {
  const eku = cert.extKeyUsage;
  const i = purpose === 'serverAuth' && eku ? eku.oids.findIndex((o) => NOT_FOR_TLS_SERVERS.has(o)) : -1;
  return i < 0 ? undefined : `extKeyUsage ${eku!.names[i]} is not allowed in a TLS server certificate`;
}

/**
 * BR §7.1.2.1.3: a root's authorityKeyIdentifier names the root's own key. Its keyIdentifier, when present, is the
 * subjectKeyIdentifier; authorityCertIssuer and authorityCertSerialNumber come both or neither (RFC 5280 §4.2.1.1,
 * Appendix A.2); an AKI with none of the three names nothing. BR §7.1.2.1.3 also wants the keyIdentifier present and
 * the other two absent, which is not asked: QuoVadis Root CA 2 and 3 and Certigna in Node's store carry all three
 * (x509-limbo webpki::aki::root-with-aki-all-fields), and OpenSSL 3 (`authorityKeyIdentifier=keyid,issuer`) writes
 * a self-signed root's AKI as issuer and serial alone.
 */
function rootAkiProblem(cert: Certificate): string | undefined {
  const aki = cert.authorityKeyIdentifier;
  if (!aki || !isSelfIssued(cert)) return undefined;
  if (!aki.authorityCertIssuer !== !aki.authorityCertSerialNumber) return 'root authorityKeyIdentifier has one of authorityCertIssuer and authorityCertSerialNumber (both or neither)';
  if (!aki.keyIdentifier) return aki.authorityCertIssuer ? undefined : 'root authorityKeyIdentifier without keyIdentifier, authorityCertIssuer or serial number';
  const ski = cert.subjectKeyIdentifier;
  return ski && !equalBytes(aki.keyIdentifier, ski) ? 'root authorityKeyIdentifier keyIdentifier differs from its subjectKeyIdentifier' : undefined;
}

/** AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription { accessMethod OID, accessLocation GeneralName } (RFC 5280 §4.2.2.1). */
function aiaProblem(cert: Certificate): string | undefined {
  const aia = ext(cert, OID.authorityInfoAccess);
  if (!aia) return undefined;
  try {
    const r = new DerReader(aia.value);
    const list = r.sequence('authorityInfoAccess');
    if (list.atEnd) return 'authorityInfoAccess without an AccessDescription';
    while (!list.atEnd) {
      const description = list.sequence('AccessDescription');
      description.oid('accessMethod');
      description.element(undefined, 'accessLocation');
      description.end();
    }
    r.end();
    return undefined;
  } catch (e) {
    if (e instanceof DerError) return `malformed authorityInfoAccess: ${e.message}`;
    throw e;
  }
}

/**
 * Rules of RFC 5280 that the Baseline Requirements relax, so only the rfc5280 profile applies them: BR
 * §7.1.2.5.2 allows a non-critical nameConstraints, and Mozilla-trusted roots carry `.example` dNSName
 * constraints, which rustls-webpki and NSS read as "names below".
 */
const RFC5280_ONLY_RULES: readonly Rule[] = [
  {
    id: 'name-constraints-critical',
    section: 'RFC 5280 §4.2.1.10',
    roles: CAS,
    reason: 'BadCertificate',
    check: (c) => (ext(c, OID.nameConstraints)?.critical === false ? 'nameConstraints is not critical' : undefined),
  },
  {
    id: 'dns-constraint-syntax',
    section: 'RFC 5280 §4.2.1.10',
    roles: CAS,
    reason: 'BadCertificate',
    check: leadingDotDnsConstraint,
  },
];

/** Rules only the webpki profile applies: the Baseline Requirements and webpki's stricter reading. */
const WEBPKI_RULES: readonly Rule[] = [
  {
    id: 'certificate-v3',
    section: 'BR §7.1.1',
    roles: PEER,
    reason: 'BadCertificate',
    check: (c) => (c.version === 3 ? undefined : `version ${c.version} certificate (X.509 v3 only)`),
  },
  {
    id: 'aia-syntax',
    section: 'BR §7.1.2.7.7, RFC 5280 §4.2.2.1',
    roles: PEER,
    reason: 'BadCertificate',
    check: aiaProblem,
  },
  {
    id: 'leaf-eku-required',
    section: 'BR §7.1.2.7.10',
    roles: ['leaf'],
    reason: 'UnsupportedCertificate',
    check: (c) => (c.extKeyUsage ? undefined : 'no extKeyUsage on the end-entity certificate'),
  },
  {
    id: 'no-any-eku',
    section: 'BR §7.1.2.7.10, §7.1.2.10.6',
    roles: ['leaf', 'intermediate'],
    reason: 'UnsupportedCertificate',
    check: (c) => (c.extKeyUsage?.oids.includes(OID.anyExtendedKeyUsage) ? 'extKeyUsage anyExtendedKeyUsage' : undefined),
  },
  {
    id: 'eku-not-critical',
    section: 'BR §7.1.2.7.10, §7.1.2.10.6',
    roles: ALL,
    reason: 'UnsupportedCertificate',
    check: (c) => (ext(c, OID.extKeyUsage)?.critical ? 'extKeyUsage is critical' : undefined),
  },
  {
    id: 'leaf-eku-tls-server-only',
    section: 'BR §7.1.2.7.10',
    roles: ['leaf'],
    reason: 'UnsupportedCertificate',
    check: serverEkuProblem,
  },
  {
    id: 'san-critical-only-if-subject-empty',
    section: 'BR §7.1.2.7.12',
    roles: ['leaf'],
    reason: 'BadCertificate',
    check: (c) => (ext(c, OID.subjectAltName)?.critical && c.subject.rdns.length > 0 ? 'critical subjectAltName with a non-empty subject' : undefined),
  },
  {
    id: 'root-aki-key-identifier',
    section: 'BR §7.1.2.1.3',
    roles: ['anchor'],
    reason: 'BadCertificate',
    check: rootAkiProblem,
  },
  {
    // A root, that is: an anchor that is a subordinate CA must carry an EKU (BR §7.1.2.10.6), and is judged by
    // `ca-eku-purpose` like any CA.
    id: 'root-no-eku',
    section: 'BR §7.1.2.1.2',
    roles: ['anchor'],
    reason: 'UnsupportedCertificate',
    check: (c) => (c.extKeyUsage && isSelfIssued(c) ? 'root certificate with extKeyUsage' : undefined),
  },
  {
    id: 'dns-name-syntax',
    section: 'RFC 5280 §4.2.1.6, BR §7.1.2.7.12',
    roles: ['leaf'],
    reason: 'BadCertificate',
    check: (c) => (c.subjectAltName?.dns ?? []).map(dnsNameProblem).find((p) => p !== undefined),
  },
];

/**
 * Signature checks one validation may make. webpki allows 100; the worst certificate message within our
 * limits (scripts/bench/worst-certificate.ts: ten 8192-bit RSA keys with e = 2^33-1, or P-384 in pure
 * JS) costs 8-12 ms a check with the noble provider, and the budget keeps its rejection under 200 ms of
 * CPU. Real chains need 2-4 checks, a few more with cross-signed roots.
 */
export const SIGNATURE_BUDGET = 12;

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  rfc5280: { name: 'rfc5280', rules: [...RFC5280_RULES, ...RFC5280_ONLY_RULES], maxDepth: 8, signatureBudget: SIGNATURE_BUDGET, nameConstraintBudget: 1024 },
  webpki: { name: 'webpki', rules: [...RFC5280_RULES, ...WEBPKI_RULES], maxDepth: 8, signatureBudget: SIGNATURE_BUDGET, nameConstraintBudget: 1024 },
};

/** The default: webpki for the certificates servers present, rfc5280 for clients of a private CA. */
export function defaultProfile(purpose: Purpose): ProfileName {
  return purpose === 'serverAuth' ? 'webpki' : 'rfc5280';
}

/** The first rule of `profile` that `cert`, in `role`, breaks. */
export function checkProfile(profile: Profile, cert: Certificate, role: Role, purpose: Purpose): { reason: Reason; detail: string } | undefined {
  for (const rule of profile.rules) {
    if (!rule.roles.includes(role)) continue;
    const problem = rule.check(cert, purpose);
    if (problem) return { reason: rule.reason, detail: `${problem} (${rule.section}, rule ${rule.id})` };
  }
  return undefined;
}
