// The CLI's side of OCSP stapling: `serve --ocsp FILE` loads the response to staple, `connect --status`
// prints what the server's staple said.
import { parseOcspResponse, type OcspResponse } from '../auth/ocsp.js';
import { stapleNamesCertificate, type OcspReport } from '../auth/ocsp-status.js';
import { parseCertificate, type Certificate } from '../auth/x509.js';
import { nobleProvider } from '../crypto/noble.js';
import type { CertifiedKey } from '../handshake/config.js';
import { TlsError } from '../wire/errors.js';
import { readFileFor, UsageError } from './io.js';

/** The DER OCSPResponse in `file`, checked to be one before the server starts; it needs an X.509 --cert. */
export function loadOcspResponse(file: string, certificate: CertifiedKey | undefined): Uint8Array {
  if (!certificate) throw new UsageError('--ocsp: a staple is for an X.509 certificate: give --cert and --key too');
  const der = readFileFor('--ocsp', file);
  let response: OcspResponse;
  try {
    response = parseOcspResponse(der);
  } catch (e) {
    if (e instanceof TlsError) throw new UsageError(`--ocsp ${file}: not a usable DER OCSPResponse (${e.detail})`);
    throw e;
  }
  // A staple about another certificate would only make every client that asked refuse us.
  const leaf = parseCertificate(certificate.chain[0]!);
  const issuer = certificate.chain[1] && parseIfCertificate(certificate.chain[1]);
  if (response.basic && !stapleNamesCertificate(response, leaf, issuer, nobleProvider)) {
    const named = response.basic.responses.map((r) => `serial ${r.certId.serialNumber}`).join(', ') || 'no certificate';
    throw new UsageError(`--ocsp ${file}: the response is not about --cert's certificate (serial ${leaf.serialNumber}); it names ${named}`);
  }
  return der;
}

function parseIfCertificate(der: Uint8Array): Certificate | undefined {
  try {
    return parseCertificate(der);
  } catch (e) {
    if (e instanceof TlsError) return undefined;
    throw e;
  }
}

/** `good, signed by the issuer "CN=CA", thisUpdate ..., nextUpdate ...`, or why there is none. */
export function describeStaple(report: OcspReport | undefined): string {
  if (!report) return 'none (the server stapled no OCSP response)';
  return report.status === 'invalid' ? `not usable: ${report.detail}` : report.detail;
}
