// Choosing a client certificate for a CertificateRequest (RFC 8446 §4.3.2, §4.4.2.3): its key must fit
// one of the server's signature_algorithms; certificate_authorities and oid_filters guide the choice.
import { readSingle } from '../auth/der.js';
import { OID } from '../auth/oids.js';
import { parseConfiguredCertificate } from '../auth/configured-certificates.js';
import type { Certificate } from '../auth/x509.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { concat, equalBytes } from '../wire/bytes.js';
import { ExtensionType, signatureSchemeName } from '../wire/enums.js';
import * as X from '../wire/extensions.js';
import type { CertificateRequest, OidFilter } from '../wire/types.js';
import type { CertifiedKey } from './config.js';
import { certifiedPublicKey, chooseScheme } from './signatures.js';

/** What the server asked for, decoded. */
export interface CertificateRequestInfo {
  signatureSchemes: number[];
  /** DER of the distinguished names in certificate_authorities (empty: any). */
  authorities: Uint8Array[];
  oidFilters: OidFilter[];
}

export function describeCertificateRequest(request: CertificateRequest): CertificateRequestInfo {
  const find = (type: number) => X.findExtension(request.extensions, type);
  const authorities = find(ExtensionType.certificate_authorities);
  const filters = find(ExtensionType.oid_filters);
  return {
    signatureSchemes: X.bodyOf(X.signatureAlgorithms, find(ExtensionType.signature_algorithms)!),
    authorities: authorities ? X.bodyOf(X.certificateAuthorities, authorities) : [],
    oidFilters: filters ? X.bodyOf(X.oidFilters, filters) : [],
  };
}

export type ClientCertificateChoice =
  | { certified: CertifiedKey; scheme: number; reason: string }
  | { certified?: undefined; reason: string };

/** A certificate in the chain was issued by (or is) one of the named CAs. */
function fromNamedAuthority(chain: Certificate[], authorities: Uint8Array[]): boolean {
  return chain.some((c) => authorities.some((name) => equalBytes(name, c.issuer.raw) || equalBytes(name, c.subject.raw)));
}

/**
 * RFC 8446 §4.2.5: for each filter the certificate must carry the extension; for extKeyUsage every listed
 * purpose must be present, for other extensions the value must match when the filter gives one.
 */
function matchesOidFilters(leaf: Certificate, filters: OidFilter[]): boolean {
  return filters.every((filter) => {
    if (filter.oid.length > 127) return false;
    const oid = readSingle(concat(Uint8Array.of(0x06, filter.oid.length), filter.oid), (r) => r.oid());
    const extension = leaf.extensions.find((e) => e.oid === oid);
    if (!extension) return false;
    if (filter.values.length === 0) return true;
    if (oid === OID.extKeyUsage) {
      const wanted = readSingle(filter.values, (r) => {
        const purposes = r.sequence();
        const oids: string[] = [];
        while (!purposes.atEnd) oids.push(purposes.oid());
        return oids;
      });
      return wanted.every((p) => leaf.extKeyUsage?.oids.includes(p));
    }
    return equalBytes(filter.values, extension.value);
  });
}

/** The first candidate that fits, preferring one from a CA the server named. */
export function chooseClientCertificate(
  provider: CryptoProvider,
  ourSchemes: readonly number[],
  candidates: CertifiedKey[],
  request: CertificateRequestInfo,
): ClientCertificateChoice {
  if (candidates.length === 0) return { reason: 'no client certificate configured' };
  let fallback: ClientCertificateChoice | undefined;
  for (const certified of candidates) {
    const scheme = chooseScheme(ourSchemes, request.signatureSchemes, certifiedPublicKey(provider, certified));
    if (scheme === undefined) continue;
    const signing = `signing with ${signatureSchemeName(scheme)}`;
    // A raw public key has no issuer or extensions for certificate_authorities and oid_filters to match.
    if (certified.rawPublicKey) return { certified, scheme, reason: `our raw public key, ${signing}` };
    // Our own certificates: parsed once, not per CertificateRequest (configured-certificates.ts).
    const chain = certified.chain.map(parseConfiguredCertificate);
    if (!matchesOidFilters(chain[0]!, request.oidFilters)) continue;
    if (request.authorities.length === 0 || fromNamedAuthority(chain, request.authorities)) {
      const why = request.authorities.length === 0 ? 'the server named no CAs' : 'issued by a CA the server named';
      return { certified, scheme, reason: `"${chain[0]!.subject.text}": ${why}, ${signing}` };
    }
    fallback ??= { certified, scheme, reason: `"${chain[0]!.subject.text}": from no CA the server named, but the only fit, ${signing}` };
  }
  return fallback ?? { reason: `none of our ${candidates.length} certificate(s) fits the server's signature algorithms or oid_filters` };
}
