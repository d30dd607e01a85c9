// A small X.509 v3 certificate builder (RFC 5280 §4.1) for in-process test certificates and the CLI:
// self-signed or issued by a given CA, with the usual extensions, signed through the CryptoProvider.
import type { CryptoProvider, PrivateKey, PublicKey, RandomSource, SignatureAlgorithm } from '../crypto/provider.js';
import { contextTag } from './der.js';
import { der } from './der-writer.js';
import { encodeSpki, subjectPublicKeyBits } from './keys.js';
import { OID } from './oids.js';
import { encodePssParams } from './pss-params.js';
import { digestLength } from '../crypto/hashes.js';
import { ML_DSA_SEED_LENGTH } from '../crypto/mldsa.js';
import { mlDsaAlgorithmIdentifier } from './mldsa-keys.js';
import { parseIpAddress } from './hostname.js';
import type { Certificate, KeyUsageName } from './x509.js';
import { KEY_USAGE_BITS } from './x509.js';

export { toPem } from './pem.js';

/** Name attributes, written in the conventional order C, ST, L, O, OU, CN. */
export interface NameSpec {
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string;
  CN?: string;
  /** PKCS #9 emailAddress (legacy; RFC 5280 §4.1.2.6), written last as an IA5String. */
  emailAddress?: string;
}

/** One GeneralName (RFC 5280 §4.2.1.6): `ip` takes a CIDR (`10.0.0.0/8`) inside nameConstraints. */
export type GeneralNameSpec = { dns: string } | { ip: string } | { email: string } | { uri: string } | { dn: NameSpec } | { raw: Uint8Array };

/** Extensions whose criticality a spec may override (for certificates that break the profile on purpose). */
export type BuiltExtension = 'basicConstraints' | 'keyUsage' | 'extKeyUsage' | 'subjectAltName' | 'subjectKeyIdentifier' | 'authorityKeyIdentifier' | 'nameConstraints';

const NAME_ORDER: [keyof NameSpec, string][] = [
  ['C', OID.countryName],
  ['ST', OID.stateOrProvinceName],
  ['L', OID.localityName],
  ['O', OID.organizationName],
  ['OU', OID.organizationalUnitName],
  ['CN', OID.commonName],
  ['emailAddress', OID.emailAddress],
];

export interface CertificateSpec {
  subject: NameSpec;
  /** The issuing CA (its certificate, or its name and public key); omitted for a self-signed certificate. */
  issuer?: Certificate | { name: NameSpec; publicKey: PublicKey };
  publicKey: PublicKey;
  /** The issuer's private key (the subject's own for self-signed). */
  signingKey: PrivateKey;
  /** Any integer: zero, negative and over-long serials are allowed so tests can build bad certificates. */
  serial: bigint;
  notBefore: number;
  notAfter: number;
  sans?: { dns?: string[]; ip?: string[]; uri?: string[]; email?: string[]; dn?: NameSpec[]; raw?: Uint8Array[] };
  /** Adds a critical basicConstraints: cA=TRUE (with pathLen) or an empty one for false; nothing when undefined. */
  isCA?: boolean;
  /** pathLenConstraint; written even when isCA is false, so tests can break RFC 5280 §4.2.1.9. */
  pathLen?: number;
  /** Default for a CA: keyCertSign and cRLSign (RFC 5280 §4.2.1.3 requires keyUsage on CA certificates). */
  keyUsage?: KeyUsageName[];
  /**
   * Purpose names (serverAuth, clientAuth, anyExtendedKeyUsage, ...) or dotted OIDs. Default for a
   * certificate that is not a CA: serverAuth and clientAuth (the Baseline Requirements want an EKU);
   * `[]` writes no extKeyUsage.
   */
  extKeyUsage?: string[];
  /** A nameConstraints extension (RFC 5280 §4.2.1.10), critical unless `critical.nameConstraints` is false. */
  nameConstraints?: { permitted?: GeneralNameSpec[]; excluded?: GeneralNameSpec[] };
  /** Criticality overrides; the defaults are the ones RFC 5280 asks for. */
  critical?: Partial<Record<BuiltExtension, boolean>>;
  /** Default extensions to leave out (RFC 5280 §4.2.1.1, §4.2.1.2, §4.2.1.3 ask for them). */
  omit?: Array<'keyUsage' | 'subjectKeyIdentifier' | 'authorityKeyIdentifier'>;
  extraExtensions?: { oid: string; critical?: boolean; value: Uint8Array }[];
  /** Default by signing key: `defaultSignatureAlgorithm`. */
  signatureAlgorithm?: SignatureAlgorithm;
  /** Writes notBefore and notAfter as GeneralizedTime whatever the year (RFC 5280 §4.1.2.5 wants UTCTime through 2049). */
  validityAsGeneralizedTime?: boolean;
  /** 1 writes a version 1 certificate: no version field, no extensions (RFC 5280 §4.1.2.1). Default 3. */
  version?: 1 | 3;
  /**
   * A SubjectPublicKeyInfo written as given instead of `publicKey`'s (DSA, P-192, explicit curve parameters: keys we
   * do not use), so tests can build the certificates a peer may send; `publicKey` still names the key identifier.
   */
  subjectPublicKeyInfo?: Uint8Array;
}

/** Name DER: one single-valued RDN per attribute; C is a PrintableString, the rest UTF8String (RFC 5280 §4.1.2.4). */
export function encodeName(name: NameSpec): Uint8Array {
  const rdns = NAME_ORDER.filter(([key]) => name[key] !== undefined).map(([key, oid]) =>
    der.set(der.sequence(der.oid(oid), key === 'C' ? der.printableString(name[key]!) : der.utf8String(name[key]!))),
  );
  return der.sequence(...rdns);
}

/** AlgorithmIdentifier for a signature (RFC 4055 §5, RFC 5758 §3.2, RFC 8410 §3, RFC 9881 §3). */
export function encodeSignatureAlgorithm(alg: SignatureAlgorithm): Uint8Array {
  switch (alg.kind) {
    case 'ed25519':
    case 'ed448':
      return der.sequence(der.oid(OID[alg.kind]));
    case 'ecdsa': {
      const oid = { sha256: OID.ecdsaWithSHA256, sha384: OID.ecdsaWithSHA384, sha512: OID.ecdsaWithSHA512, sha1: undefined }[alg.hash];
      if (!oid) throw new Error(`ECDSA with ${alg.hash} is not supported in certificates`);
      return der.sequence(der.oid(oid));
    }
    case 'rsa-pkcs1': {
      const oid = { sha256: OID.sha256WithRSAEncryption, sha384: OID.sha384WithRSAEncryption, sha512: OID.sha512WithRSAEncryption, sha1: undefined }[alg.hash];
      if (!oid) throw new Error(`RSA PKCS#1 v1.5 with ${alg.hash} is not supported in certificates`);
      return der.sequence(der.oid(oid), der.null());
    }
    case 'rsa-pss':
      return der.sequence(der.oid(OID.rsassaPss), encodePssParams(alg));
    case 'ml-dsa':
      return mlDsaAlgorithmIdentifier(alg.parameterSet);
  }
}

const CURVE_HASHES = { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' } as const;

/**
 * The signature a key makes by default: EdDSA; ECDSA with the hash of its curve's size; PKCS#1 v1.5 with
 * SHA-256 for an rsaEncryption key; PSS for an id-RSASSA-PSS key, with its restricted hash (SHA-256 when
 * unrestricted) and a salt of the hash's length or the key's minimum, whichever is longer (RFC 4055 §3.3);
 * ML-DSA in the key's own parameter set.
 */
export function defaultSignatureAlgorithm(key: PrivateKey): SignatureAlgorithm {
  switch (key.kind) {
    case 'ed25519':
    case 'ed448':
      return { kind: key.kind };
    case 'ecdsa':
      return { kind: 'ecdsa', hash: CURVE_HASHES[key.curve] };
    case 'rsa':
      return { kind: 'rsa-pkcs1', hash: 'sha256' };
    case 'rsa-pss': {
      const hash = key.params?.hash ?? 'sha256';
      return { kind: 'rsa-pss', hash, saltLength: Math.max(digestLength(hash), key.params?.minSaltLength ?? 0) };
    }
    case 'ml-dsa':
      return { kind: 'ml-dsa', parameterSet: key.parameterSet };
  }
}

/** Key identifier method 1 of RFC 5280 §4.2.1.2: SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(publicKey: PublicKey, provider: CryptoProvider): Uint8Array {
  return provider.hash('sha1', subjectPublicKeyBits(encodeSpki(publicKey)));
}

/** A named bit list in DER: trailing zero bits dropped (X.690 §11.2.2). */
function encodeKeyUsage(names: KeyUsageName[]): Uint8Array {
  const bits = KEY_USAGE_BITS.map((name) => names.includes(name));
  const last = bits.lastIndexOf(true);
  if (last < 0) throw new Error('keyUsage needs at least one bit');
  const bytes = new Uint8Array((last >> 3) + 1);
  bits.forEach((set, i) => {
    if (set) bytes[i >> 3]! |= 0x80 >> (i & 7);
  });
  return der.bitString(bytes, 7 - (last & 7));
}

const PURPOSE_OIDS: Readonly<Record<string, string>> = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
};

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function ipBytes(text: string): Uint8Array {
  const bytes = parseIpAddress(text);
  if (!bytes) throw new Error(`not an IP address: ${text}`);
  return bytes;
}

/** An iPAddress constraint: address then mask (RFC 5280 §4.2.1.10), from CIDR text. */
function ipSubtree(cidr: string): Uint8Array {
  const [address, prefix] = cidr.split('/');
  const bytes = ipBytes(address!);
  const bits = prefix === undefined ? bytes.length * 8 : Number(prefix);
  const mask = bytes.map((_, i) => (0xff << (8 - Math.max(0, Math.min(8, bits - 8 * i)))) & 0xff);
  return Uint8Array.from([...bytes, ...mask]);
}

function encodeGeneralName(name: GeneralNameSpec, inSubtree: boolean): Uint8Array {
  if ('email' in name) return der.implicit(1, ascii(name.email));
  if ('dns' in name) return der.implicit(2, ascii(name.dns));
  if ('dn' in name) return der.explicit(4, encodeName(name.dn));
  if ('uri' in name) return der.implicit(6, ascii(name.uri));
  if ('ip' in name) return der.implicit(7, inSubtree ? ipSubtree(name.ip) : ipBytes(name.ip));
  return name.raw;
}

function encodeSans(sans: NonNullable<CertificateSpec['sans']>): Uint8Array {
  const names: GeneralNameSpec[] = [
    ...(sans.email ?? []).map((email) => ({ email })),
    ...(sans.dns ?? []).map((dns) => ({ dns })),
    ...(sans.dn ?? []).map((dn) => ({ dn })),
    ...(sans.uri ?? []).map((uri) => ({ uri })),
    ...(sans.ip ?? []).map((ip) => ({ ip })),
    ...(sans.raw ?? []).map((raw) => ({ raw })),
  ];
  return der.sequence(...names.map((n) => encodeGeneralName(n, false)));
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0], excludedSubtrees [1] } of GeneralSubtree { base }. */
function encodeNameConstraints(nc: NonNullable<CertificateSpec['nameConstraints']>): Uint8Array {
  const subtrees = (n: number, list: GeneralNameSpec[] | undefined) =>
    list ? [der.tlv(contextTag(n, true), ...list.map((name) => der.sequence(encodeGeneralName(name, true))))] : [];
  return der.sequence(...subtrees(0, nc.permitted), ...subtrees(1, nc.excluded));
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return der.sequence(der.oid(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

/** Builds and signs a certificate; returns its DER. */
export function buildCertificate(spec: CertificateSpec, provider: CryptoProvider, random: RandomSource): Uint8Array {
  const subject = encodeName(spec.subject);
  const issuer = spec.issuer;
  const issuerName = !issuer ? subject : 'der' in issuer ? issuer.subject.raw : encodeName(issuer.name);
  const authorityKeyId = !issuer
    ? keyIdentifier(spec.publicKey, provider)
    : 'der' in issuer
      ? (issuer.subjectKeyIdentifier ?? (issuer.publicKey ? keyIdentifier(issuer.publicKey, provider) : undefined))
      : keyIdentifier(issuer.publicKey, provider);
  const algorithm = spec.signatureAlgorithm ?? defaultSignatureAlgorithm(spec.signingKey);
  const algorithmId = encodeSignatureAlgorithm(algorithm);

  const extensions: Uint8Array[] = [];
  const add = (name: BuiltExtension, critical: boolean, value: Uint8Array) => extensions.push(extension(OID[name], spec.critical?.[name] ?? critical, value));
  if (spec.isCA !== undefined) {
    const body = [...(spec.isCA ? [der.boolean(true)] : []), ...(spec.pathLen !== undefined ? [der.integer(spec.pathLen)] : [])];
    add('basicConstraints', true, der.sequence(...body));
  }
  const keyUsage = spec.keyUsage ?? (spec.isCA ? (['keyCertSign', 'cRLSign'] as KeyUsageName[]) : undefined);
  if (keyUsage && !spec.omit?.includes('keyUsage')) add('keyUsage', true, encodeKeyUsage(keyUsage));
  const extKeyUsage = spec.extKeyUsage ?? (spec.isCA ? [] : ['serverAuth', 'clientAuth']);
  if (extKeyUsage.length > 0) add('extKeyUsage', false, der.sequence(...extKeyUsage.map((p) => der.oid(PURPOSE_OIDS[p] ?? p))));
  const sans = spec.sans;
  if (sans && Object.values(sans).some((list) => list.length > 0)) {
    // RFC 5280 §4.2.1.6: critical when the subject name is empty.
    add('subjectAltName', Object.keys(spec.subject).length === 0, encodeSans(sans));
  }
  if (spec.nameConstraints) add('nameConstraints', true, encodeNameConstraints(spec.nameConstraints));
  if (!spec.omit?.includes('subjectKeyIdentifier')) add('subjectKeyIdentifier', false, der.octetString(keyIdentifier(spec.publicKey, provider)));
  if (authorityKeyId && !spec.omit?.includes('authorityKeyIdentifier')) add('authorityKeyIdentifier', false, der.sequence(der.implicit(0, authorityKeyId)));
  for (const extra of spec.extraExtensions ?? []) extensions.push(extension(extra.oid, extra.critical ?? false, extra.value));

  const v1 = spec.version === 1;
  if (v1 && extensions.length > 0) throw new Error('a version 1 certificate has no extensions');
  const tbs = der.sequence(
    ...(v1 ? [] : [der.explicit(0, der.integer(2))]),
    der.integer(spec.serial),
    algorithmId,
    issuerName,
    der.sequence(...[spec.notBefore, spec.notAfter].map(spec.validityAsGeneralizedTime ? der.generalizedTime : der.time)),
    subject,
    spec.subjectPublicKeyInfo ?? encodeSpki(spec.publicKey),
    ...(v1 ? [] : [der.explicit(3, der.sequence(...extensions))]),
  );
  const signature = provider.sign(algorithm, spec.signingKey, tbs, random);
  return der.sequence(tbs, algorithmId, der.bitString(signature));
}

export interface CrlSpec {
  /** The CA whose CRL this is: its subject becomes the CRL issuer, its SKI the CRL's AKI. */
  issuer: Certificate;
  signingKey: PrivateKey;
  thisUpdate: number;
  nextUpdate?: number;
  /** Entries; `extensions` are crlEntryExtensions (RFC 5280 §5.3), written as given. */
  revoked: { serial: bigint; date?: number; extensions?: { oid: string; critical?: boolean; value: Uint8Array }[] }[];
  /** The cRLNumber (RFC 5280 §5.2.3, default 1); null leaves it out, so tests can build a CRL no conforming issuer would. */
  crlNumber?: bigint | null;
  /** Marks the cRLNumber critical (§5.2.3 says non-critical). */
  crlNumberCritical?: boolean;
  extraExtensions?: { oid: string; critical?: boolean; value: Uint8Array }[];
  /** Writes thisUpdate and nextUpdate as GeneralizedTime whatever the year (RFC 5280 §5.1.2.4 wants UTCTime through 2049). */
  timesAsGeneralizedTime?: boolean;
}

/** Builds and signs a version 2 CRL (RFC 5280 §5.1); returns its DER. */
export function buildCrl(spec: CrlSpec, provider: CryptoProvider, random: RandomSource): Uint8Array {
  const algorithm = defaultSignatureAlgorithm(spec.signingKey);
  const algorithmId = encodeSignatureAlgorithm(algorithm);
  const time = spec.timesAsGeneralizedTime ? der.generalizedTime : der.time;
  const entries = spec.revoked.map((r) =>
    der.sequence(der.integer(r.serial), der.time(r.date ?? spec.thisUpdate), ...(r.extensions ? [der.sequence(...r.extensions.map((e) => extension(e.oid, e.critical ?? false, e.value)))] : [])),
  );
  const extensions = [
    ...(spec.issuer.subjectKeyIdentifier ? [extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicit(0, spec.issuer.subjectKeyIdentifier)))] : []),
    ...(spec.crlNumber === null ? [] : [extension(OID.cRLNumber, spec.crlNumberCritical ?? false, der.integer(spec.crlNumber ?? 1n))]),
    ...(spec.extraExtensions ?? []).map((e) => extension(e.oid, e.critical ?? false, e.value)),
  ];
  const tbs = der.sequence(
    der.integer(1),
    algorithmId,
    spec.issuer.subject.raw,
    time(spec.thisUpdate),
    ...(spec.nextUpdate !== undefined ? [time(spec.nextUpdate)] : []),
    ...(entries.length > 0 ? [der.sequence(...entries)] : []),
    der.explicit(0, der.sequence(...extensions)),
  );
  return der.sequence(tbs, algorithmId, der.bitString(provider.sign(algorithm, spec.signingKey, tbs, random)));
}

/** Group orders of the NIST curves (FIPS 186-4 §D.1.2): a private scalar must lie in [1, n-1]. */
const CURVE_ORDERS = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521': 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
} as const;

/** Curves by the key-type names tests and the CLI use, with the byte length of a scalar. */
const EC_KEY_TYPES = { p256: { curve: 'P-256', size: 32 }, p384: { curve: 'P-384', size: 48 }, p521: { curve: 'P-521', size: 66 } } as const;
const EDDSA_SEED_LENGTHS = { ed25519: 32, ed448: 57 } as const;
/** ML-DSA parameter sets by the key-type names tests and the CLI use. */
export const ML_DSA_KEY_TYPES = { 'ml-dsa-44': 'ML-DSA-44', 'ml-dsa-65': 'ML-DSA-65', 'ml-dsa-87': 'ML-DSA-87' } as const;

export type GeneratedKeyType = keyof typeof EC_KEY_TYPES | keyof typeof EDDSA_SEED_LENGTHS | keyof typeof ML_DSA_KEY_TYPES;

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * A fresh key pair from the caller's randomness (rejection sampling for the EC scalar; P-521's scalar has
 * 521 bits, so the top 7 bits of its 66 bytes are cleared before sampling). RSA keys come from elsewhere
 * (node:crypto in the CLI, fixtures in tests): generating primes is no job for this builder.
 */
export function generateKeyPair(kind: GeneratedKeyType, random: RandomSource, provider: CryptoProvider): { privateKey: PrivateKey; publicKey: PublicKey } {
  let privateKey: PrivateKey;
  if (kind === 'ed25519' || kind === 'ed448') {
    privateKey = { kind, seed: random(EDDSA_SEED_LENGTHS[kind]) };
  } else if (kind === 'ml-dsa-44' || kind === 'ml-dsa-65' || kind === 'ml-dsa-87') {
    // ξ of ML-DSA.KeyGen (FIPS 204 Algorithm 1), kept as the key (RFC 9881 §6's seed form). A copy: a
    // RandomSource may refill its array and hand it out again.
    privateKey = { kind: 'ml-dsa', parameterSet: ML_DSA_KEY_TYPES[kind], seed: new Uint8Array(random(ML_DSA_SEED_LENGTH)) };
  } else {
    const { curve, size } = EC_KEY_TYPES[kind];
    const draw = () => {
      const d = random(size);
      if (curve === 'P-521') d[0]! &= 0x01;
      return d;
    };
    let d = draw();
    while (toBigInt(d) === 0n || toBigInt(d) >= CURVE_ORDERS[curve]) d = draw();
    privateKey = { kind: 'ecdsa', curve, d };
  }
  return { privateKey, publicKey: provider.publicKeyOf(privateKey) };
}
