// DER pieces for partitioned-CRL cases (RFC 5280 §4.2.1.13 cRLDistributionPoints, §5.2.5 issuingDistributionPoint),
// shared by crl-scope.test.ts and limbo-crl.test.ts.
import { der } from '../../src/auth/der-writer.js';
import { contextTag } from '../../src/auth/der.js';
import { OID } from '../../src/auth/oids.js';

export const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** A uniformResourceIdentifier GeneralName [6]. */
export const uri = (text: string) => der.implicit(6, ascii(text));
/** A DER BOOLEAN TRUE's content. */
export const TRUE = Uint8Array.of(0xff);
/** DistributionPointName [0] { fullName [0] GeneralNames }. */
export const fullName = (...names: Uint8Array[]) => der.explicit(0, der.tlv(contextTag(0, true), ...names));
/** IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1], onlyContainsCACerts [2], onlySomeReasons [3], indirectCRL [4], onlyContainsAttributeCerts [5] }. */
export const idp = (...fields: Uint8Array[]) => ({ oid: OID.issuingDistributionPoint, critical: true, value: der.sequence(...fields) });
/** cRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0] }. */
export const cdp = (...names: Uint8Array[]) => ({ oid: OID.crlDistributionPoints, value: der.sequence(der.sequence(fullName(...names))) });
