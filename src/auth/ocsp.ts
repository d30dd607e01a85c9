// OCSP responses (RFC 6960 §4.2.1) as a TLS server staples them (RFC 6066 §8 CertificateStatus, RFC 8446
// §4.4.2.1): a strict, bounded parse of OCSPResponse and its BasicOCSPResponse. The judgement of a parsed
// response (does it name the leaf, who signed it, is it current) is ocsp-status.ts.
//
//   OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
//   ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
//   BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm, signature BIT STRING,
//                                    certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//   ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID, producedAt GeneralizedTime,
//                               responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT OPTIONAL }
//   SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate GeneralizedTime,
//                                 nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT OPTIONAL }
//
// Bounded before it is paid: the staple's size, the number of SingleResponses and of certificates.
import type { HashName } from '../crypto/provider.js';
import { hex, type SpanSink } from '../wire/bytes.js';
import { TlsError } from '../wire/errors.js';
import { readAlgorithmIdentifier } from './algorithm-identifier.js';
import { contextTag, DerError, type DerReader, readSingle, Tag } from './der.js';
import { OID, oidName } from './oids.js';
import { parseCertificate, readName, readSignatureAlgorithm, type Certificate, type CertificateSignatureAlgorithm, type DistinguishedName } from './x509.js';

/** What we read of a staple at most; real responses are 0.5 to 4 KB. */
export const OCSP_LIMITS = { maxBytes: 16 * 1024, maxResponses: 16, maxCertificates: 4 } as const;

/** OCSPResponseStatus (RFC 6960 §4.2.1). Only `successful` carries responseBytes. */
const RESPONSE_STATUS: Readonly<Record<number, string>> = {
  0: 'successful',
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

/** CRLReason (RFC 5280 §5.3.1), for the revocationReason of a revoked certificate. */
const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** CertID hash algorithms we compute: SHA-1 (what OpenSSL and most responders use) and SHA-256. */
const CERT_ID_HASHES: Readonly<Record<string, HashName>> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256' };

const ENUMERATED = 0x0a;

export interface CertId {
  /** The hash the responder used, or undefined when we do not compute it (see `hashName`). */
  hash?: HashName;
  hashName: string;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  /** As Certificate.serialNumber: lowercase hex of the INTEGER content. */
  serialNumber: string;
}

export type CertStatus =
  | { status: 'good' }
  | { status: 'revoked'; revocationTime: number; revocationReason?: string }
  | { status: 'unknown' };

export interface SingleResponse {
  certId: CertId;
  certStatus: CertStatus;
  thisUpdate: number;
  nextUpdate?: number;
  /** The first critical singleExtension (none is defined that we process), by name. */
  unknownCritical?: string;
}

export type ResponderId = { byName: DistinguishedName } | { byKey: Uint8Array };

export interface BasicOcspResponse {
  /** The DER of tbsResponseData: what the responder signed. */
  tbs: Uint8Array;
  responderId: ResponderId;
  producedAt: number;
  responses: SingleResponse[];
  signatureAlgorithm: CertificateSignatureAlgorithm;
  signature: Uint8Array;
  /** Certificates the responder sent to help verify its signature (a delegated responder's). */
  certs: Certificate[];
  /** The first critical responseExtension we do not process, by name. */
  unknownCritical?: string;
}

export interface OcspResponse {
  der: Uint8Array;
  responseStatus: string;
  /** Present exactly when responseStatus is successful. */
  basic?: BasicOcspResponse;
}

/** Extensions a response may carry that we understand: the nonce changes nothing a status depends on. */
const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([OID.ocspNonce]);

/** Extensions ::= SEQUENCE OF Extension; the first critical one outside UNDERSTOOD_EXTENSIONS, by name. */
function readExtensions(r: DerReader, field: string): string | undefined {
  let unknown: string | undefined;
  const list = r.sequence(field);
  for (let i = 0; !list.atEnd; i++) {
    const ext = list.sequence(`[${i}]`);
    const oid = ext.oid('extnID', oidName);
    const critical = ext.peekTag() === Tag.BOOLEAN ? ext.boolean('critical') : false;
    ext.octetString('extnValue');
    ext.end();
    if (critical && !UNDERSTOOD_EXTENSIONS.has(oid)) unknown ??= oidName(oid) ?? oid;
  }
  return unknown;
}

/** RFC 6960 §4.2.1: every time in a response is a GeneralizedTime. */
function generalizedTime(r: DerReader, field: string): number {
  if (r.peekTag() !== Tag.GeneralizedTime) throw new DerError(`${r.join(field)}: expected GeneralizedTime`);
  return r.time(field, 'RFC 6960 §4.2.1');
}

function readCertId(r: DerReader): CertId {
  const seq = r.sequence('certID', 'RFC 6960 §4.1.1');
  const alg = readAlgorithmIdentifier(seq, 'hashAlgorithm');
  // RFC 5754 §2: the parameters of a SHA-2 AlgorithmIdentifier are absent or NULL (OpenSSL writes NULL).
  if (alg.params) {
    alg.params.null();
    alg.params.end();
  }
  const issuerNameHash = seq.octetString('issuerNameHash', 'hash of the issuer DN');
  const issuerKeyHash = seq.octetString('issuerKeyHash', "hash of the issuer's subjectPublicKey");
  const serialNumber = hex(seq.integerBytes('serialNumber'));
  seq.end();
  const certId: CertId = { hashName: oidName(alg.oid) ?? alg.oid, issuerNameHash, issuerKeyHash, serialNumber };
  const hash = CERT_ID_HASHES[alg.oid];
  if (hash) certId.hash = hash;
  return certId;
}

/** CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL }. */
function readCertStatus(r: DerReader): CertStatus {
  const tag = r.peekTag();
  if (tag === contextTag(0, false) || tag === contextTag(2, false)) {
    const element = r.element(tag, 'certStatus');
    if (element.content.length !== 0) throw new DerError(`${r.join('certStatus')}: NULL with content`);
    const status = tag === contextTag(0, false) ? 'good' : 'unknown';
    r.annotate(element, 'certStatus', status, 'RFC 6960 §4.2.1');
    return { status };
  }
  const revoked = r.constructed(contextTag(1, true), 'certStatus', 'revoked (RFC 6960 §4.2.1)').reader;
  const revocationTime = generalizedTime(revoked, 'revocationTime');
  let revocationReason: string | undefined;
  const reason = revoked.optionalExplicit(0, 'revocationReason');
  if (reason) {
    const element = reason.element(ENUMERATED, 'CRLReason');
    const code = element.content.length === 1 ? element.content[0]! : -1;
    revocationReason = CRL_REASONS[code] ?? `reason ${code}`;
    reason.annotate(element, 'CRLReason', code, revocationReason);
    reason.end();
  }
  revoked.end();
  return revocationReason === undefined ? { status: 'revoked', revocationTime } : { status: 'revoked', revocationTime, revocationReason };
}

function readSingleResponse(r: DerReader, field: string): SingleResponse {
  const seq = r.sequence(field, 'SingleResponse (RFC 6960 §4.2.1)');
  const certId = readCertId(seq);
  const certStatus = readCertStatus(seq);
  const single: SingleResponse = { certId, certStatus, thisUpdate: generalizedTime(seq, 'thisUpdate') };
  const next = seq.optionalExplicit(0, 'nextUpdate');
  if (next) {
    single.nextUpdate = generalizedTime(next, 'nextUpdate');
    next.end();
  }
  const extensions = seq.optionalExplicit(1, 'singleExtensions');
  if (extensions) {
    const unknown = readExtensions(extensions, 'singleExtensions');
    if (unknown) single.unknownCritical = unknown;
    extensions.end();
  }
  seq.end();
  return single;
}

function readResponderId(r: DerReader): ResponderId {
  const byName = r.optionalExplicit(1, 'responderID.byName');
  if (byName) {
    const name = readName(byName, 'name');
    byName.end();
    return { byName: name };
  }
  const byKey = r.explicit(2, 'responderID.byKey');
  const keyHash = byKey.octetString('keyHash', "SHA-1 of the responder's subjectPublicKey");
  byKey.end();
  return { byKey: keyHash };
}

function readBasicResponse(r: DerReader): BasicOcspResponse {
  const basic = r.sequence('BasicOCSPResponse', 'RFC 6960 §4.2.1');
  const tbsStart = basic.offset;
  const data = basic.sequence('tbsResponseData');
  const version = data.optionalExplicit(0, 'version');
  if (version) {
    const v = version.smallInteger('version', (n) => `v${n + 1}`);
    if (v !== 0) throw new DerError(`unknown ResponseData version ${v + 1}`);
    version.end();
  }
  const responderId = readResponderId(data);
  const producedAt = generalizedTime(data, 'producedAt');
  const list = data.sequence('responses');
  const responses: SingleResponse[] = [];
  for (let i = 0; !list.atEnd; i++) {
    if (i === OCSP_LIMITS.maxResponses) throw new DerError(`more than ${OCSP_LIMITS.maxResponses} SingleResponses (our limit)`);
    responses.push(readSingleResponse(list, `[${i}]`));
  }
  const extensions = data.optionalExplicit(1, 'responseExtensions');
  const unknownCritical = extensions && readExtensions(extensions, 'responseExtensions');
  extensions?.end();
  data.end();
  const tbs = basic.bytes.subarray(tbsStart, basic.offset);
  const signatureAlgorithm = readSignatureAlgorithm(basic, 'signatureAlgorithm').info;
  const signature = basic.bitStringBytes('signature');
  const certs: Certificate[] = [];
  const certList = basic.optionalExplicit(0, 'certs')?.sequence('certs');
  for (let i = 0; certList && !certList.atEnd; i++) {
    if (i === OCSP_LIMITS.maxCertificates) throw new DerError(`more than ${OCSP_LIMITS.maxCertificates} certificates (our limit)`);
    const element = certList.any(`[${i}]`, 'Certificate (RFC 5280 §4.1)');
    certs.push(parseCertificate(element.raw));
  }
  basic.end();
  const response: BasicOcspResponse = { tbs, responderId, producedAt, responses, signatureAlgorithm, signature, certs };
  if (unknownCritical) response.unknownCritical = unknownCritical;
  return response;
}

function readOcspResponse(r: DerReader): OcspResponse {
  const seq = r.sequence('OCSPResponse', 'RFC 6960 §4.2.1');
  const element = seq.element(ENUMERATED, 'responseStatus');
  const code = element.content.length === 1 ? element.content[0]! : -1;
  const responseStatus = RESPONSE_STATUS[code] ?? `status ${code}`;
  seq.annotate(element, 'responseStatus', code, responseStatus, 'RFC 6960 §4.2.1');
  const response: OcspResponse = { der: r.bytes, responseStatus };
  const bytes = seq.optionalExplicit(0, 'responseBytes');
  if ((bytes !== undefined) !== (code === 0)) throw new DerError(`responseBytes ${bytes ? 'present' : 'absent'} with responseStatus ${responseStatus}`);
  if (bytes) {
    const inner = bytes.sequence('ResponseBytes');
    const type = inner.oid('responseType', oidName);
    if (type !== OID.ocspBasic) throw new DerError(`responseType ${oidName(type) ?? type} is not id-pkix-ocsp-basic`);
    const body = inner.octetStringReader('response', 'DER of BasicOCSPResponse');
    response.basic = readBasicResponse(body);
    body.end();
    inner.end();
    bytes.end();
  }
  seq.end();
  return response;
}

/**
 * Parses a stapled OCSPResponse (DER). A malformed, oversized or non-DER one is BadCertificateStatusResponse
 * (RFC 8446 §6.2: "an invalid or unacceptable OCSP response"); with `spans`, every field is annotated.
 */
export function parseOcspResponse(der: Uint8Array, spans?: SpanSink): OcspResponse {
  if (der.length > OCSP_LIMITS.maxBytes) throw new TlsError('BadCertificateStatusResponse', `OCSP response of ${der.length} bytes; at most ${OCSP_LIMITS.maxBytes} are read`);
  try {
    return readSingle(der, readOcspResponse, spans);
  } catch (e) {
    if (e instanceof DerError) throw new TlsError('BadCertificateStatusResponse', `malformed OCSP response: ${e.message}`);
    if (e instanceof TlsError) throw new TlsError('BadCertificateStatusResponse', `OCSP response: ${e.detail}`);
    throw e;
  }
}
