// The CLI's side of OCSP stapling: `serve --ocsp FILE` loads the response to staple, `connect --status`
// prints what the server's staple said.
import { parseOcspResponse } from '../auth/ocsp.js';
import type { OcspReport } from '../auth/ocsp-status.js';
import type { CertifiedKey } from '../handshake/config.js';
import { TlsError } from '../wire/errors.js';
import { readFileFor, UsageError } from './io.js';

/** The DER OCSPResponse in `file`, checked to be one before the server starts; it needs an X.509 --cert. */
export function loadOcspResponse(file: string, certificate: CertifiedKey | undefined): Uint8Array {
  if (!certificate) throw new UsageError('--ocsp: a staple is for an X.509 certificate: give --cert and --key too');
  const der = readFileFor('--ocsp', file);
  try {
    parseOcspResponse(der);
  } catch (e) {
    if (e instanceof TlsError) throw new UsageError(`--ocsp ${file}: not a usable DER OCSPResponse (${e.detail})`);
    throw e;
  }
  return der;
}

/** `good, signed by the issuer "CN=CA", thisUpdate ..., nextUpdate ...`, or why there is none. */
export function describeStaple(report: OcspReport | undefined): string {
  if (!report) return 'none (the server stapled no OCSP response)';
  return report.status === 'invalid' ? `not usable: ${report.detail}` : report.detail;
}
