// X.509 v3 certificates (RFC 5280 §4.1): a strict parse into a plain object, with every field kept
// as raw DER where comparisons need bytes (names, SPKI) and decoded where people read it.
//
//   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../crypto/provider.js';
import { equalBytes, hex, utf8 } from '../wire/bytes.js';
import type { SpanSink } from '../wire/bytes.js';
import { TlsError } from '../wire/errors.js';
import { escapePeerText } from '../wire/show-value.js';
import { contextTag, DerError, DerReader, readSingle, Tag } from './der.js';
import { readAlgorithmIdentifier } from './algorithm-identifier.js';
import { KeyError, readSubjectPublicKeyInfo, sha256Fingerprint } from './keys.js';
import type { Fingerprint } from './keys.js';
import { NAME_ATTRIBUTE_LABELS, OID, oidName } from './oids.js';
import { sameDistinguishedName } from './path/name-match.js';
import { readPssParams } from './pss-params.js';

export interface NameAttribute {
  oid: string;
  /** Short label (CN, O, ...) or the dotted OID when we have none. */
  label: string;
  /** The string type's tag (der.ts `Tag`): RFC 5280 §7.1 prepares some types and compares others binary. */
  tag: number;
  value: string;
}

/** A distinguished name: raw DER for comparison (RFC 5280 §7.1 in its byte-exact form) and text for people. */
export interface DistinguishedName {
  raw: Uint8Array;
  /** RelativeDistinguishedNames in encoding order (most significant first). */
  rdns: NameAttribute[][];
  /** RFC 4514 string: last RDN first, e.g. `CN=server,O=Example`. */
  text: string;
}

export interface CertificateSignatureAlgorithm {
  oid: string;
  name: string;
  /** The algorithm to verify with, or undefined when we do not support it (see `problem`). */
  algorithm?: SignatureAlgorithm;
  problem?: string;
}

export interface Extension {
  oid: string;
  name?: string;
  critical: boolean;
  /** The content of extnValue: the DER of the extension itself. */
  value: Uint8Array;
}

export const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_BITS)[number];

export interface IpAddress {
  /** 4 bytes (IPv4) or 16 bytes (IPv6), RFC 5280 §4.2.1.6. */
  bytes: Uint8Array;
  text: string;
}

export interface SubjectAltName {
  dns: string[];
  ip: IpAddress[];
  email: string[];
  uri: string[];
  /** otherName, x400Address, directoryName, ediPartyName, registeredID: kept as raw DER, not interpreted. */
  other: Uint8Array[];
}

export type TimeType = 'UTCTime' | 'GeneralizedTime';

/** AuthorityKeyIdentifier (RFC 5280 §4.2.1.1): the key identifier, and whether the issuer-and-serial form is there. */
export interface AuthorityKeyIdentifier {
  keyIdentifier?: Uint8Array;
  /** authorityCertIssuer [1] is present. */
  authorityCertIssuer?: true;
  /** authorityCertSerialNumber [2] is present. */
  authorityCertSerialNumber?: true;
}

export interface Certificate {
  der: Uint8Array;
  /** The exact bytes the issuer signed. */
  tbs: Uint8Array;
  version: 1 | 2 | 3;
  /** Serial number as lowercase hex of its DER content (two's complement, as encoded). */
  serialNumber: string;
  signatureAlgorithm: CertificateSignatureAlgorithm;
  signature: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  /** Validity in epoch milliseconds, both ends inclusive (RFC 5280 §4.1.2.5). */
  notBefore: number;
  notAfter: number;
  /** Which ASN.1 time type encodes each end (RFC 5280 §4.1.2.5: UTCTime through 2049). */
  validityEncoding: { notBefore: TimeType; notAfter: TimeType };
  /** SubjectPublicKeyInfo DER (what SPKI pins hash). */
  spki: Uint8Array;
  /** The parsed key, or null when its algorithm is unsupported (see `publicKeyProblem`). */
  publicKey: PublicKey | null;
  publicKeyProblem?: string;
  extensions: Extension[];
  basicConstraints?: { cA: boolean; pathLen?: number };
  keyUsage?: KeyUsageName[];
  extKeyUsage?: { oids: string[]; names: string[] };
  subjectAltName?: SubjectAltName;
  subjectKeyIdentifier?: Uint8Array;
  authorityKeyIdentifier?: AuthorityKeyIdentifier;
}

/** Extensions decoded into the certificate object; any other extnValue is kept as opaque bytes. */
const DECODED_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
]);

/** Extensions whose meaning we implement; a critical extension outside this set is unknown. */
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  ...DECODED_EXTENSIONS,
  // Decoded and enforced by path validation (auth/path/names.ts), not here.
  OID.nameConstraints,
]);

/** Signature algorithms whose parameters must be absent or NULL; SHA-1 is named but not accepted. */
const SIMPLE_SIGNATURES: Readonly<Record<string, { algorithm: SignatureAlgorithm; nullParams: boolean }>> = {
  [OID.sha256WithRSAEncryption]: { algorithm: { kind: 'rsa-pkcs1', hash: 'sha256' }, nullParams: true },
  [OID.sha384WithRSAEncryption]: { algorithm: { kind: 'rsa-pkcs1', hash: 'sha384' }, nullParams: true },
  [OID.sha512WithRSAEncryption]: { algorithm: { kind: 'rsa-pkcs1', hash: 'sha512' }, nullParams: true },
  [OID.ecdsaWithSHA256]: { algorithm: { kind: 'ecdsa', hash: 'sha256' }, nullParams: false },
  [OID.ecdsaWithSHA384]: { algorithm: { kind: 'ecdsa', hash: 'sha384' }, nullParams: false },
  [OID.ecdsaWithSHA512]: { algorithm: { kind: 'ecdsa', hash: 'sha512' }, nullParams: false },
  [OID.ed25519]: { algorithm: { kind: 'ed25519' }, nullParams: false },
  [OID.ed448]: { algorithm: { kind: 'ed448' }, nullParams: false },
  // RFC 9881 §3: "the parameters component of AlgorithmIdentifier MUST be absent".
  [OID.idMlDsa44]: { algorithm: { kind: 'ml-dsa', parameterSet: 'ML-DSA-44' }, nullParams: false },
  [OID.idMlDsa65]: { algorithm: { kind: 'ml-dsa', parameterSet: 'ML-DSA-65' }, nullParams: false },
  [OID.idMlDsa87]: { algorithm: { kind: 'ml-dsa', parameterSet: 'ML-DSA-87' }, nullParams: false },
};

export function readSignatureAlgorithm(r: DerReader, field: string): { info: CertificateSignatureAlgorithm; raw: Uint8Array } {
  const start = r.offset;
  const alg = readAlgorithmIdentifier(r, field);
  const raw = r.bytes.subarray(start, r.offset);
  const name = oidName(alg.oid) ?? alg.oid;
  const simple = SIMPLE_SIGNATURES[alg.oid];
  if (simple) {
    if (alg.params) {
      // RFC 4055 §5: NULL for the RSA PKCS#1 ones; RFC 5758 §3.2, RFC 8410 §3, RFC 9881 §3: absent for
      // ECDSA, EdDSA and ML-DSA.
      if (!simple.nullParams) throw new DerError(`${field}: ${name} must not carry parameters`);
      alg.params.null();
      alg.params.end();
    }
    return { info: { oid: alg.oid, name, algorithm: simple.algorithm }, raw };
  }
  if (alg.oid === OID.rsassaPss) {
    // RFC 4055 §3.1: with a signature value, the parameters MUST be present.
    const pss = alg.params ? readPssParams(alg.params) : 'RSASSA-PSS without parameters';
    alg.params?.end();
    const info = typeof pss === 'string' ? { oid: alg.oid, name, problem: pss } : { oid: alg.oid, name, algorithm: { kind: 'rsa-pss' as const, ...pss } };
    return { info, raw };
  }
  return { info: { oid: alg.oid, name, problem: `unsupported signature algorithm ${name}` }, raw };
}

/** A character as its UTF-8 octets, "\0a": the RFC 4514 §2.4 form. */
const octetEscape = (c: string): string => Array.from(utf8.encode(c), (b) => '\\' + b.toString(16).padStart(2, '0')).join('');

/**
 * A peer's text with each backslash doubled and each unprintable character written as its UTF-8 octets, "\0a"
 * (the RFC 4514 §2.4 form): a name in a certificate must not forge a log line, drive a terminal, or look like
 * another name (a name spelling "\0a" shows as "\\0a", a line feed as "\0a").
 */
export function escapeUnprintable(text: string): string {
  return escapePeerText(text, { escape: octetEscape });
}

/** A name from a certificate shown in a list of names: escapeUnprintable, and a space as "\20", so one name never reads as two. */
export function escapeListedName(text: string): string {
  return escapePeerText(text, { escape: octetEscape, separators: ' ' });
}

/** RFC 4514 §2.4 escaping of an attribute value: the backslash and the unprintable first, then the other specials. */
function escapeRfc4514(value: string): string {
  let out = escapeUnprintable(value).replace(/[,+"<>;]/g, (c) => '\\' + c);
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out;
  if (out.endsWith(' ')) out = out.slice(0, -1) + '\\ ';
  return out;
}

/** Name ::= SEQUENCE OF SET OF AttributeTypeAndValue (RFC 5280 §4.1.2.4). */
export function readName(r: DerReader, field: string): DistinguishedName {
  const start = r.offset;
  const seq = r.sequence(field, 'RFC 5280 §4.1.2.4');
  const rdns: NameAttribute[][] = [];
  for (let i = 0; !seq.atEnd; i++) {
    const set = seq.set(`[${i}]`);
    const rdn: NameAttribute[] = [];
    for (let j = 0; !set.atEnd; j++) {
      const atv = set.sequence(`[${j}]`);
      const oid = atv.oid('type', (o) => NAME_ATTRIBUTE_LABELS[o] ?? oidName(o));
      const tag = atv.peekTag()!;
      const value = atv.string('value');
      atv.end();
      rdn.push({ oid, label: NAME_ATTRIBUTE_LABELS[oid] ?? oid, tag, value });
    }
    if (rdn.length === 0) throw new DerError(`${seq.join(`[${i}]`)}: empty RelativeDistinguishedName`);
    rdns.push(rdn);
  }
  const text = [...rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.label}=${escapeRfc4514(a.value)}`).join('+'))
    .join(',');
  return { raw: r.bytes.subarray(start, r.offset), rdns, text };
}

/** Text form of an iPAddress: dotted quad, or RFC 5952 IPv6 (longest zero run as ::). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened.
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}

/** GeneralNames for subjectAltName (RFC 5280 §4.2.1.6). */
function readSubjectAltName(r: DerReader): SubjectAltName {
  const seq = r.sequence('subjectAltName');
  const san: SubjectAltName = { dns: [], ip: [], email: [], uri: [], other: [] };
  for (let i = 0; !seq.atEnd; i++) {
    const field = `[${i}]`;
    const element = seq.element(undefined, field);
    switch (element.tag) {
      case contextTag(1, false): {
        const v = seq.ia5Content(element.content, seq.join(field));
        seq.annotate(element, field, v, 'rfc822Name');
        san.email.push(v);
        break;
      }
      case contextTag(2, false): {
        const v = seq.ia5Content(element.content, seq.join(field));
        seq.annotate(element, field, v, 'dNSName');
        san.dns.push(v);
        break;
      }
      case contextTag(6, false): {
        const v = seq.ia5Content(element.content, seq.join(field));
        seq.annotate(element, field, v, 'uniformResourceIdentifier');
        san.uri.push(v);
        break;
      }
      case contextTag(7, false): {
        if (element.content.length !== 4 && element.content.length !== 16) {
          throw new DerError(`${seq.join(field)}: iPAddress of ${element.content.length} bytes (must be 4 or 16)`);
        }
        const text = formatIp(element.content);
        seq.annotate(element, field, text, 'iPAddress');
        san.ip.push({ bytes: element.content, text });
        break;
      }
      default:
        seq.annotate(element, field, hex(element.content), `GeneralName [${element.tag & 0x1f}] (not interpreted)`);
        san.other.push(element.raw);
    }
  }
  // RFC 5280 §4.2.1.6: GeneralNames ::= SEQUENCE SIZE (1..MAX).
  if (san.dns.length + san.ip.length + san.email.length + san.uri.length + san.other.length === 0) throw new DerError('subjectAltName: empty GeneralNames');
  return san;
}

function readBasicConstraints(r: DerReader): { cA: boolean; pathLen?: number } {
  const seq = r.sequence('basicConstraints');
  // cA BOOLEAN DEFAULT FALSE: an explicit FALSE is tolerated, as most verifiers do.
  const cA = seq.peekTag() === Tag.BOOLEAN ? seq.boolean('cA') : false;
  const pathLen = seq.atEnd ? undefined : seq.smallInteger('pathLenConstraint');
  seq.end();
  return pathLen === undefined ? { cA } : { cA, pathLen };
}

function readKeyUsage(r: DerReader): KeyUsageName[] {
  const { bytes } = r.bitString('keyUsage');
  const names: KeyUsageName[] = [];
  KEY_USAGE_BITS.forEach((name, bit) => {
    if (((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) names.push(name);
  });
  return names;
}

const EKU_NAMES: Readonly<Record<string, string>> = {
  [OID.serverAuth]: 'serverAuth',
  [OID.clientAuth]: 'clientAuth',
  [OID.anyExtendedKeyUsage]: 'anyExtendedKeyUsage',
  [OID.codeSigning]: 'codeSigning',
  [OID.emailProtection]: 'emailProtection',
  [OID.timeStamping]: 'timeStamping',
  [OID.ocspSigning]: 'OCSPSigning',
};

function readExtKeyUsage(r: DerReader): { oids: string[]; names: string[] } {
  const seq = r.sequence('extKeyUsage');
  const oids: string[] = [];
  for (let i = 0; !seq.atEnd; i++) oids.push(seq.oid(`[${i}]`, (o) => EKU_NAMES[o]));
  if (oids.length === 0) throw new DerError('extKeyUsage: empty KeyPurposeId list');
  return { oids, names: oids.map((o) => EKU_NAMES[o] ?? o) };
}

function readAuthorityKeyIdentifier(r: DerReader): AuthorityKeyIdentifier {
  const seq = r.sequence('authorityKeyIdentifier');
  const keyIdentifier = seq.optionalImplicit(0, 'keyIdentifier');
  // authorityCertIssuer [1] and authorityCertSerialNumber [2] are not used for path building, only noted.
  const aki: AuthorityKeyIdentifier = keyIdentifier ? { keyIdentifier } : {};
  if (seq.peekTag() === contextTag(1, true)) {
    seq.any('authorityCertIssuer');
    aki.authorityCertIssuer = true;
  }
  if (seq.peekTag() === contextTag(2, false)) {
    seq.any('authorityCertSerialNumber');
    aki.authorityCertSerialNumber = true;
  }
  seq.end();
  return aki;
}

/** Decodes one known extension into the certificate. */
function applyExtension(cert: Certificate, ext: Extension, r: DerReader): void {
  switch (ext.oid) {
    case OID.basicConstraints:
      cert.basicConstraints = readBasicConstraints(r);
      break;
    case OID.keyUsage:
      cert.keyUsage = readKeyUsage(r);
      break;
    case OID.extKeyUsage:
      cert.extKeyUsage = readExtKeyUsage(r);
      break;
    case OID.subjectAltName:
      cert.subjectAltName = readSubjectAltName(r);
      break;
    case OID.subjectKeyIdentifier:
      cert.subjectKeyIdentifier = r.octetString('subjectKeyIdentifier');
      break;
    case OID.authorityKeyIdentifier:
      cert.authorityKeyIdentifier = readAuthorityKeyIdentifier(r);
      break;
  }
  r.end();
}

function readCertificate(r: DerReader): Certificate {
  const certificate = r.sequence('certificate', 'RFC 5280 §4.1');
  const tbsStart = certificate.offset;
  const tbs = certificate.sequence('tbsCertificate', 'RFC 5280 §4.1.2');
  const versionField = tbs.optionalExplicit(0, 'version');
  const versionNumber = versionField ? versionField.smallInteger('version', (v) => `v${v + 1}`) : 0;
  versionField?.end();
  if (versionNumber > 2) throw new DerError(`unknown certificate version ${versionNumber + 1}`);
  const version = (versionNumber + 1) as 1 | 2 | 3;
  const serial = tbs.integerBytes('serialNumber', 'RFC 5280 §4.1.2.2');
  const innerSignature = readSignatureAlgorithm(tbs, 'signature');
  const issuer = readName(tbs, 'issuer');
  const validity = tbs.sequence('validity', 'RFC 5280 §4.1.2.5');
  const timeType = (): TimeType => (validity.peekTag() === Tag.GeneralizedTime ? 'GeneralizedTime' : 'UTCTime');
  const validityEncoding = { notBefore: timeType(), notAfter: 'UTCTime' as TimeType };
  const notBefore = validity.time('notBefore');
  validityEncoding.notAfter = timeType();
  const notAfter = validity.time('notAfter');
  validity.end();
  const subject = readName(tbs, 'subject');
  const spkiStart = tbs.offset;
  let publicKey: PublicKey | null = null;
  let publicKeyProblem: string | undefined;
  try {
    publicKey = readSubjectPublicKeyInfo(tbs);
  } catch (e) {
    if (!(e instanceof KeyError)) throw e;
    publicKeyProblem = e.message;
  }
  const spki = tbs.bytes.subarray(spkiStart, tbs.offset);
  // issuerUniqueID [1] and subjectUniqueID [2]: v2 or v3 only (RFC 5280 §4.1.2.8), each a BIT STRING. Read
  // as one, so a certificate OpenSSL cannot decode (node's X509Certificate, getPeerCertificate()) is not one we take.
  for (const [n, field] of [[1, 'issuerUniqueID'], [2, 'subjectUniqueID']] as const) {
    if (tbs.peekTag() === contextTag(n, false)) {
      if (version < 2) throw new DerError(`${field} in a version 1 certificate`);
      tbs.bitString(field, 'UniqueIdentifier', contextTag(n, false));
    }
  }
  const cert: Certificate = {
    der: r.bytes,
    tbs: new Uint8Array(),
    version,
    serialNumber: hex(serial),
    signatureAlgorithm: innerSignature.info,
    signature: new Uint8Array(),
    issuer,
    subject,
    notBefore,
    notAfter,
    validityEncoding,
    spki,
    publicKey,
    extensions: [],
  };
  if (publicKeyProblem !== undefined) cert.publicKeyProblem = publicKeyProblem;
  const extensionsField = tbs.optionalExplicit(3, 'extensions');
  if (extensionsField) {
    // RFC 5280 §4.1.2.9: extensions appear only in version 3 certificates.
    if (version !== 3) throw new DerError(`extensions in a version ${version} certificate`);
    const list = extensionsField.sequence('extensions', 'RFC 5280 §4.2');
    for (let i = 0; !list.atEnd; i++) {
      const seq = list.sequence(`[${i}]`);
      const oid = seq.oid('extnID', oidName);
      const critical = seq.peekTag() === Tag.BOOLEAN ? seq.boolean('critical') : false;
      const valueReader = seq.octetStringReader(oidName(oid) ?? 'extnValue');
      const value = valueReader.bytes.subarray(valueReader.offset, seq.offset);
      seq.end();
      // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
      if (cert.extensions.some((e) => e.oid === oid)) throw new DerError(`duplicate extension ${oidName(oid) ?? oid}`);
      const ext: Extension = { oid, critical, value };
      const name = oidName(oid);
      if (name) ext.name = name;
      cert.extensions.push(ext);
      // An extension we do not decode is opaque: its value need not even be DER we can read (RFC 5280 §4.2).
      if (DECODED_EXTENSIONS.has(oid)) applyExtension(cert, ext, valueReader);
    }
    if (cert.extensions.length === 0) throw new DerError('empty extensions list (SIZE (1..MAX))');
    extensionsField.end();
  }
  tbs.end();
  cert.tbs = certificate.bytes.subarray(tbsStart, certificate.offset);
  const outerSignature = readSignatureAlgorithm(certificate, 'signatureAlgorithm');
  // RFC 5280 §4.1.1.2: the outer algorithm MUST equal the signature field inside tbsCertificate.
  if (!equalBytes(outerSignature.raw, innerSignature.raw)) throw new DerError('signatureAlgorithm differs from tbsCertificate.signature');
  cert.signature = certificate.bitStringBytes('signatureValue', 'RFC 5280 §4.1.1.3');
  certificate.end();
  return cert;
}

/**
 * Parses one DER certificate. A malformed or non-conforming one (bad DER, trailing data, duplicate
 * extensions, extensions outside v3, ...) throws TlsError BadCertificate: RFC 8446 §6.2 "a certificate
 * was corrupt". With `spans`, every field is annotated (paths like `certificate.tbsCertificate.validity.notAfter`).
 */
export function parseCertificate(der: Uint8Array, spans?: SpanSink): Certificate {
  try {
    return readSingle(der, readCertificate, spans);
  } catch (e) {
    if (e instanceof DerError) throw new TlsError('BadCertificate', `malformed certificate: ${e.message}`);
    throw e;
  }
}

/** SHA-256 of the certificate DER: the fingerprint people compare and pin. */
export function certificateSha256(der: Uint8Array, provider: CryptoProvider): Fingerprint {
  return sha256Fingerprint(der, provider);
}

/** True when the certificate names itself as issuer: self-issued, its two names compared as §7.1 says (RFC 5280 §6.1). */
export function isSelfIssued(cert: Certificate): boolean {
  return sameDistinguishedName(cert.issuer, cert.subject);
}
