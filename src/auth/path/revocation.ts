// Revocation from CRLs the user supplies (RFC 5280 §5 format, §6.3 processing, simplified): for each
// certificate in the path whose issuer has a supplied CRL, the CRL must be signed by that issuer's key,
// be current under the injected clock, and not list the certificate's serial number. A listed serial is
// certificate_revoked (RFC 8446 §6.2). When the issuer has CRLs but none is usable (wrong signature,
// stale or without nextUpdate, a critical extension we do not process, no cRLNumber, a partition that is not the certificate's:
// crl-scope.ts), the status is undetermined and we fail closed with
// certificate_unknown. A certificate whose issuer has no supplied CRL is not revocation-checked.
import type { CryptoProvider } from '../../crypto/provider.js';
import { equalBytes, hex } from '../../wire/bytes.js';
import { DerError, Tag, type DerReader, readSingle } from '../der.js';
import { OID, oidName } from '../oids.js';
import { deepFreeze } from '../configured-certificates.js';
import { readName, readSignatureAlgorithm } from '../x509.js';
import type { Certificate, CertificateSignatureAlgorithm, DistinguishedName } from '../x509.js';
import { signatureCost } from './build.js';
import { readCrlScope, scopeProblem, type CrlScope } from './crl-scope.js';
import { sameDistinguishedName } from './name-match.js';
import type { SignatureBudget } from './signature-budget.js';
import { describe, fail, type Failure } from './verdict.js';

export interface Crl {
  der: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: CertificateSignatureAlgorithm;
  signature: Uint8Array;
  issuer: DistinguishedName;
  thisUpdate: number;
  nextUpdate?: number;
  /** Revoked serial numbers, as lowercase hex of their DER content (as Certificate.serialNumber). */
  revoked: ReadonlySet<string>;
  /** Why this CRL cannot be used to decide a status (RFC 5280 §5.2, §5.3: an unprocessed critical extension). */
  unusable?: string;
  /** The part of its issuer's certificates it speaks for (issuingDistributionPoint); all when absent. */
  scope?: CrlScope;
}

/** CRL extensions we understand: the CRL number and AKI carry nothing a status depends on (§5.2.1, §5.2.3); the issuingDistributionPoint is read by crl-scope.ts (§5.2.5). */
const UNDERSTOOD_CRL_EXTENSIONS: ReadonlySet<string> = new Set([OID.authorityKeyIdentifier, OID.cRLNumber, OID.issuingDistributionPoint]);
/** Entry extensions: reasonCode and invalidityDate do not change that the serial is revoked (§5.3.1, §5.3.2). */
const UNDERSTOOD_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([OID.reasonCode, OID.invalidityDate]);

interface CrlExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** Why a list of extensions makes its CRL unusable: its first critical extension outside `understood`, by name. */
function unknownCritical(extensions: CrlExtension[], understood: ReadonlySet<string>): string | undefined {
  const unknown = extensions.find((e) => e.critical && !understood.has(e.oid));
  return unknown && (oidName(unknown.oid) ?? unknown.oid);
}

/** Each extension's OID, criticality and extnValue content; the list is consumed. */
function readExtensions(r: DerReader): CrlExtension[] {
  const found: CrlExtension[] = [];
  const list = r.sequence('extensions');
  while (!list.atEnd) {
    const seq = list.sequence();
    const oid = seq.oid('extnID');
    const critical = seq.peekTag() === Tag.BOOLEAN ? seq.boolean('critical') : false;
    const value = seq.octetString('extnValue');
    seq.end();
    found.push({ oid, critical, value });
  }
  return found;
}

/**
 * An extension listed twice (RFC 5280 §4.2, X.509 §7.3: each at most once): which one binds is nobody's to
 * say, and a second issuingDistributionPoint would narrow a scope read from the first.
 */
function repeatedExtension(extensions: CrlExtension[]): string | undefined {
  const repeated = extensions.find((e, i) => extensions.findIndex((other) => other.oid === e.oid) !== i);
  return repeated && `it lists the extension ${oidName(repeated.oid) ?? repeated.oid} twice`;
}

/**
 * RFC 5280 §5.2.3: "conforming CRL issuers MUST include this extension in all CRLs", and it "is a non-critical CRL
 * extension". A CRL without it (a version 1 CRL has no extensions at all), or with a critical one, is not one a
 * conforming issuer made, so it decides no status (x509-limbo rfc5280::crl::crlnumber-missing, -critical).
 */
function crlNumberProblem(extensions: CrlExtension[]): string | undefined {
  const number = extensions.find((e) => e.oid === OID.cRLNumber);
  if (!number) return 'it has no cRLNumber extension (RFC 5280 §5.2.3)';
  return number.critical ? 'it has a critical cRLNumber extension (RFC 5280 §5.2.3: non-critical)' : undefined;
}

function readCrl(r: DerReader): Crl {
  const certList = r.sequence('CertificateList', 'RFC 5280 §5.1');
  const tbsStart = certList.offset;
  const tbs = certList.sequence('tbsCertList');
  const version = tbs.peekTag() === Tag.INTEGER ? tbs.smallInteger('version') : 0;
  if (version > 1) throw new DerError(`CRL version ${version + 1}`);
  const inner = readSignatureAlgorithm(tbs, 'signature');
  const issuer = readName(tbs, 'issuer');
  const thisUpdate = tbs.time('thisUpdate');
  const nextUpdate = tbs.peekTag() === Tag.UTCTime || tbs.peekTag() === Tag.GeneralizedTime ? tbs.time('nextUpdate') : undefined;
  const revoked = new Set<string>();
  let unusable: string | undefined;
  if (tbs.peekTag() === Tag.SEQUENCE) {
    const entries = tbs.sequence('revokedCertificates');
    while (!entries.atEnd) {
      const entry = entries.sequence();
      const serial = hex(entry.integerBytes('userCertificate'));
      // One entry per certificate (RFC 5280 §5.1.2.6 lists "the unique serial numbers"): two entries for one
      // serial are an issuer's error whose meaning nobody defines, so the CRL decides nothing (x509-limbo
      // crl::structure::crl-duplicate-revoked-serial; cabforum/servercert#589).
      if (revoked.has(serial)) unusable ??= `it lists serial number ${serial} twice`;
      revoked.add(serial);
      entry.time('revocationDate');
      if (!entry.atEnd) {
        const unknown = unknownCritical(readExtensions(entry), UNDERSTOOD_ENTRY_EXTENSIONS);
        if (unknown) unusable ??= `it has a critical CRL entry extension ${unknown}`;
      }
      entry.end();
    }
  }
  const extensionsField = tbs.optionalExplicit(0, 'crlExtensions');
  if (extensionsField && version !== 1) throw new DerError('crlExtensions in a version 1 CRL');
  const extensions = extensionsField ? readExtensions(extensionsField) : [];
  extensionsField?.end();
  unusable ??= repeatedExtension(extensions);
  const unknown = unknownCritical(extensions, UNDERSTOOD_CRL_EXTENSIONS);
  if (unknown) unusable ??= `it has a critical CRL extension ${unknown}`;
  // §5.2.4: a delta CRL lists only what changed since its base CRL; taken for a complete one, it would call
  // every certificate revoked before the base 'good'. Refused whether or not its issuer marked it critical.
  if (extensions.some((e) => e.oid === OID.deltaCRLIndicator)) unusable ??= 'it is a delta CRL (RFC 5280 §5.2.4), not a complete one';
  unusable ??= crlNumberProblem(extensions);
  // §5.1.2.5: "Conforming CRL issuers MUST include the nextUpdate time in all CRLs." Without it a CRL issued
  // before a revocation would be current forever (rustls-webpki refuses such a CRL too).
  if (nextUpdate === undefined) unusable ??= 'it has no nextUpdate (RFC 5280 §5.1.2.5), so it would never be stale';
  const distributionPoint = extensions.find((e) => e.oid === OID.issuingDistributionPoint);
  const scope = distributionPoint && readCrlScope(distributionPoint.value);
  if (typeof scope === 'string') unusable ??= scope;
  tbs.end();
  const tbsBytes = certList.bytes.subarray(tbsStart, certList.offset);
  const outer = readSignatureAlgorithm(certList, 'signatureAlgorithm');
  if (!equalBytes(outer.raw, inner.raw)) throw new DerError('signatureAlgorithm differs from tbsCertList.signature');
  const signature = certList.bitStringBytes('signatureValue');
  certList.end();
  const crl: Crl = { der: r.bytes, tbs: tbsBytes, signatureAlgorithm: inner.info, signature, issuer, thisUpdate, revoked };
  if (nextUpdate !== undefined) crl.nextUpdate = nextUpdate;
  if (unusable !== undefined) crl.unusable = unusable;
  if (scope && typeof scope !== 'string') crl.scope = scope;
  return crl;
}

/**
 * Parses one DER CRL; a malformed one is a configuration error (TypeError). The CRL reads a private copy of
 * `der` and is frozen, so what it says cannot change after its signature was checked (CrlSignatureChecks remembers that).
 */
export function parseCrl(der: Uint8Array): Crl {
  try {
    return deepFreeze(readSingle(der.slice(), readCrl));
  } catch (e) {
    if (e instanceof DerError) throw new TypeError(`trust.crls: malformed CRL: ${e.message}`);
    throw e;
  }
}

/**
 * The CRL signatures that verified, by provider and by the issuer's SubjectPublicKeyInfo (all its bytes): a CRL
 * of a million entries is megabytes to hash, and its signature would otherwise be checked again in every
 * handshake. Keyed by the Crl object, which owns its bytes (parseCrl), so two CRLs are never one entry.
 * Successes only, at most MAX_KEYS_PER_CRL keys a CRL: a peer's keys that fail could fill the entries and
 * leave its issuer's own key out of them for good (each honest handshake then checked the CRL again).
 */
const verifiedBy = new WeakMap<Crl, WeakMap<CryptoProvider, Set<string>>>();
const MAX_KEYS_PER_CRL = 16;

/**
 * The CRL signature checks of one validation, each (CRL, issuer key) once and paid from the Certificate
 * message's signature budget like a certificate's signature (a remembered success pays too, so no verdict
 * depends on the memo). Path building may reach an anchor by hundreds of orderings of the same certificates,
 * and each checked the CRL again, outside the budget, with a key the peer chose.
 */
export class CrlSignatureChecks {
  private readonly judged = new Map<Crl, Map<string, boolean>>();

  constructor(
    readonly provider: CryptoProvider,
    readonly budget: SignatureBudget,
  ) {}

  /** Does `issuer`'s key verify the signature of `crl`? (§6.3.3(f)) 'exhausted' when the budget cannot pay for the check. */
  signedBy(crl: Crl, issuer: Certificate): boolean | 'exhausted' {
    const alg = crl.signatureAlgorithm.algorithm;
    if (!alg || !issuer.publicKey) return false;
    const key = hex(issuer.spki);
    const judged = this.judged.get(crl) ?? this.judged.set(crl, new Map()).get(crl)!;
    const known = judged.get(key);
    if (known !== undefined) return known;
    if (!this.budget.spend(signatureCost(issuer))) return 'exhausted';
    const byProvider = verifiedBy.get(crl) ?? verifiedBy.set(crl, new WeakMap()).get(crl)!;
    const keys = byProvider.get(this.provider) ?? byProvider.set(this.provider, new Set()).get(this.provider)!;
    const verified = keys.has(key) || this.provider.verify(alg, issuer.publicKey, crl.tbs, crl.signature) === true;
    if (verified && keys.size < MAX_KEYS_PER_CRL) keys.add(key);
    judged.set(key, verified);
    return verified;
  }
}

/** Is `crl` one `issuer` signed, and may it decide statuses now? The problem when not. */
function crlProblem(crl: Crl, signed: boolean, cert: Certificate, issuer: Certificate, now: number): string | undefined {
  if (!signed) return `its signature does not verify with the key of ${describe(issuer)}`;
  // §6.3.3(f): the CRL issuer's key must be allowed to sign CRLs.
  if (issuer.keyUsage && !issuer.keyUsage.includes('cRLSign')) return `${describe(issuer)} keyUsage lacks cRLSign`;
  if (crl.unusable) return crl.unusable;
  // §6.3.3(b)(2): a CRL for part of its issuer's certificates decides only for those.
  const outOfScope = crl.scope && scopeProblem(crl.scope, cert);
  if (outOfScope) return outOfScope;
  if (now < crl.thisUpdate) return `it is not valid before ${new Date(crl.thisUpdate).toISOString()}`;
  if (crl.nextUpdate !== undefined && now > crl.nextUpdate) return `its nextUpdate ${new Date(crl.nextUpdate).toISOString()} has passed`;
  return undefined;
}

/**
 * What a certificate whose issuer has no CRL among the supplied ones is (rustls-webpki's UnknownStatusPolicy):
 * `allow`, not revocation-checked; `deny`, undetermined, so refused. A CRL revokes a certificate, not a key:
 * a CA revoked by one root and cross-signed by another is reachable through the other copy (the peer picks
 * which to send) unless that root's CRL is supplied too, and `deny` insists that it is.
 */
export type UnknownRevocationStatus = 'allow' | 'deny';

/** RFC 5280 §6.3 over the path (leaf first, anchor last): the anchor itself is not revocation-checked. */
export function checkRevocation(path: Certificate[], crls: readonly Crl[], now: number, signatures: CrlSignatureChecks, unknown: UnknownRevocationStatus = 'allow'): Failure | undefined {
  if (crls.length === 0 && unknown === 'allow') return undefined;
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    // §6.3.3(b)(1), §7.1: the CRL's issuer is the certificate's, however the CA spelt the name this time.
    const named = crls.filter((crl) => sameDistinguishedName(crl.issuer, cert.issuer));
    if (named.length === 0) {
      if (unknown === 'allow') continue;
      return fail('CertificateUnknown', `revocation status of ${describe(cert)} is undetermined: no CRL of "${cert.issuer.text}" was supplied (unknownRevocationStatus 'deny')`);
    }
    const signed = named.map((crl) => signatures.signedBy(crl, issuer));
    // A CRL the budget cannot pay for may be the one that revokes (the peer chooses what the budget has left when
    // the CRLs are reached): undetermined, whatever the CRLs that were paid for say.
    if (signed.includes('exhausted')) {
      return fail('CertificateUnknown', `revocation status of ${describe(cert)} is undetermined: checking the signature of a CRL of "${cert.issuer.text}" would exceed the ${signatures.budget.limit} signature checks of this certificate message (bounded work)`);
    }
    const problems = named.map((crl, k) => crlProblem(crl, signed[k] === true, cert, issuer, now));
    const usable = named.filter((_, k) => problems[k] === undefined);
    if (usable.length === 0) {
      return fail('CertificateUnknown', `revocation status of ${describe(cert)} is undetermined: the CRL of "${cert.issuer.text}" cannot be used (${problems[0]})`);
    }
    if (usable.some((crl) => crl.revoked.has(cert.serialNumber))) {
      return fail('CertificateRevoked', `${describe(cert)} (serial ${cert.serialNumber}) is revoked by the CRL of "${cert.issuer.text}" (RFC 5280 §6.3)`);
    }
  }
  return undefined;
}
