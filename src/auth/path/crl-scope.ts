// Which certificates a CRL speaks for: a CRL with an issuingDistributionPoint (RFC 5280 §5.2.5) covers only
// part of its issuer's certificates, and is used for a certificate only when it covers that one (§6.3.3(b)(2)).
// The forms read are those the Baseline Requirements allow a partitioned CRL (BR §7.2.2.1): a fullName of URIs,
// each byte for byte a URI of the certificate's cRLDistributionPoints (§4.2.1.13), and the user/CA scopes.
// Anything else (nameRelativeToCRLIssuer, onlySomeReasons, indirectCRL, attribute certificates) makes the CRL
// unusable: the status is undetermined, and path validation fails closed (revocation.ts).
import { contextTag, DerError, DerReader } from '../der.js';
import { OID } from '../oids.js';
import { escapeListedName, type Certificate } from '../x509.js';

export interface CrlScope {
  /** The partition's names (distributionPoint fullName), or undefined for a CRL of the whole scope. */
  uris?: string[];
  onlyContainsUserCerts: boolean;
  onlyContainsCACerts: boolean;
}

const URI = contextTag(6, false);

/** The URIs of a DistributionPointName CHOICE ([0] fullName only), or why they cannot be compared. */
function fullNameUris(name: DerReader, what: string): string[] | string {
  if (name.peekTag() !== contextTag(0, true)) return `${what} is a nameRelativeToCRLIssuer (BR §7.2.2.1: fullName only)`;
  const fullName = name.explicit(0, 'fullName');
  const uris: string[] = [];
  while (!fullName.atEnd) {
    const element = fullName.element();
    if (element.tag !== URI) return `${what} names something other than a URI (BR §7.1.2.11.2, §7.2.2.1)`;
    uris.push(fullName.ia5Content(element.content, 'fullName'));
  }
  // GeneralNames ::= SEQUENCE SIZE (1..MAX) (§4.2.1.6).
  if (uris.length === 0) throw new DerError(`${what}: empty fullName`);
  name.end();
  return uris;
}

/** An IMPLICIT BOOLEAN DEFAULT FALSE [n]: present only when TRUE in DER (X.690 §11.5). */
function flag(r: DerReader, n: number, field: string): boolean {
  if (r.peekTag() !== contextTag(n, false)) return false;
  const element = r.element(contextTag(n, false), field);
  if (element.content.length !== 1 || element.content[0] !== 0xff) throw new DerError(`${field}: not a DER TRUE (a FALSE is the default, left out)`);
  return true;
}

/** IssuingDistributionPoint (RFC 5280 §5.2.5): the scope it gives, or why the CRL cannot be used. */
export function readCrlScope(value: Uint8Array): CrlScope | string {
  try {
    const r = new DerReader(value);
    const idp = r.sequence('issuingDistributionPoint');
    const point = idp.optionalExplicit(0, 'distributionPoint');
    const uris = point && fullNameUris(point, 'its issuingDistributionPoint');
    if (typeof uris === 'string') return uris;
    const onlyContainsUserCerts = flag(idp, 1, 'onlyContainsUserCerts');
    const onlyContainsCACerts = flag(idp, 2, 'onlyContainsCACerts');
    if (idp.peekTag() === contextTag(3, false)) return 'its issuingDistributionPoint lists onlySomeReasons (BR §7.2.2.1)';
    if (flag(idp, 4, 'indirectCRL')) return 'it is an indirect CRL (BR §7.2.2.1)';
    if (flag(idp, 5, 'onlyContainsAttributeCerts')) return 'it lists attribute certificates only';
    idp.end();
    r.end();
    // §5.2.5: "at most one of onlyContainsUserCerts, onlyContainsCACerts ... may be set to TRUE", and not only defaults.
    if (onlyContainsUserCerts && onlyContainsCACerts) throw new DerError('onlyContainsUserCerts and onlyContainsCACerts both TRUE');
    if (!uris && !onlyContainsUserCerts && !onlyContainsCACerts) throw new DerError('only default values');
    return { ...(uris ? { uris } : {}), onlyContainsUserCerts, onlyContainsCACerts };
  } catch (e) {
    if (e instanceof DerError) return `its issuingDistributionPoint is malformed: ${e.message}`;
    throw e;
  }
}

/** The fullName URIs of a certificate's cRLDistributionPoints (§4.2.1.13), or why there are none to compare. */
function distributionPointUris(cert: Certificate): string[] | string {
  const cdp = cert.extensions.find((e) => e.oid === OID.crlDistributionPoints);
  if (!cdp) return 'the certificate has no cRLDistributionPoints';
  try {
    const r = new DerReader(cdp.value);
    const points = r.sequence('cRLDistributionPoints');
    const uris: string[] = [];
    while (!points.atEnd) {
      const point = points.sequence('DistributionPoint');
      const name = point.optionalExplicit(0, 'distributionPoint');
      if (!name || !point.atEnd) return 'its cRLDistributionPoints has reasons, a cRLIssuer or no name (BR §7.1.2.11.2)';
      const named = fullNameUris(name, 'its cRLDistributionPoints');
      if (typeof named === 'string') return named;
      uris.push(...named);
    }
    r.end();
    return uris;
  } catch (e) {
    if (e instanceof DerError) return `its cRLDistributionPoints is malformed: ${e.message}`;
    throw e;
  }
}

/** Why a CRL of `scope` does not speak for `cert` (§6.3.3(b)(2)), or undefined when it does. */
export function scopeProblem(scope: CrlScope, cert: Certificate): string | undefined {
  const isCa = cert.basicConstraints?.cA === true;
  if (scope.onlyContainsUserCerts && isCa) return 'it lists end-entity certificates only, and this is a CA certificate';
  if (scope.onlyContainsCACerts && !isCa) return 'it lists CA certificates only, and this is an end-entity certificate';
  if (!scope.uris) return undefined;
  const own = distributionPointUris(cert);
  if (typeof own === 'string') return `it is one partition of its issuer's CRL and ${own}`;
  // BR §7.2.2.1: the partition's URI is byte for byte one the certificate names (no URI normalization).
  return own.some((uri) => scope.uris!.includes(uri)) ? undefined : `its partition [${scope.uris.map(escapeListedName).join(', ')}] is none of the certificate's [${own.map(escapeListedName).join(', ')}]`;
}
