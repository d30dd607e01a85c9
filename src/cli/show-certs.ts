// `connect --show-certs` / `--insecure`: the server's chain as it was sent, one block per entry, with what a
// user needs to decide whether to trust it and how to pin it (as `openssl s_client -showcerts` would show).
import { keyType } from '../auth/trust.js';
import { parseSpki, sha256Fingerprint } from '../auth/keys.js';
import { escapeListedName, parseCertificate, type Certificate } from '../auth/x509.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { escapeControls } from '../wire/show-value.js';

/** `2026-01-01T00:00:00Z`: a validity bound to the second, in UTC. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** `issuer CN=Demo Root CA, valid 2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z`. */
export function describeIssuerAndValidity(certificate: Certificate): string {
  return `issuer ${certificate.issuer.text || '(empty)'}, valid ${formatInstant(certificate.notBefore)} to ${formatInstant(certificate.notAfter)}`;
}

/**
 * The entries of the server's Certificate message, leaf first: X.509 certificates, or one RFC 7250 raw
 * public key (a SubjectPublicKeyInfo, never a parseable certificate). Every line is indented; an entry that
 * does not parse says so rather than hiding the rest of the chain.
 */
export function describeChain(chain: readonly Uint8Array[], provider: CryptoProvider): string[] {
  return chain.flatMap((der, index) => {
    const certificate = tryParse(() => parseCertificate(der));
    const rawKey = certificate ? undefined : tryParse(() => parseSpki(der));
    const what = certificate ? '' : rawKey ? ': raw public key (RFC 7250)' : '';
    const lines = certificate
      ? describeCertificate(certificate, provider)
      : rawKey
        ? [`key          ${keyType(rawKey)}`, `SPKI pin     ${spkiPin(der, provider)}`]
        : [`cannot parse this entry; sha256 ${colonHex(sha256Fingerprint(der, provider).hex)}`];
    // The peer chose every name here: an IA5String subjectAltName may hold a line feed or ESC (RFC 5280
    // §4.2.1.6 leaves their syntax to the CA), which would forge lines or drive the terminal.
    return [`  ${index} (${index === 0 ? 'leaf' : `issuer ${index}`})${what}`, ...lines.map((line) => `      ${escapeControls(line)}`)];
  });
}

function tryParse<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}

function describeCertificate(certificate: Certificate, provider: CryptoProvider): string[] {
  const san = certificate.subjectAltName;
  // Escaped one by one (a backslash doubled, a space as \20): no name reads as an escape or as two names.
  const names = san ? [...san.dns.map((n) => `DNS:${escapeListedName(n)}`), ...san.ip.map((a) => `IP:${a.text}`), ...san.uri.map((u) => `URI:${escapeListedName(u)}`), ...san.email.map((e) => `email:${escapeListedName(e)}`)] : [];
  return [
    `subject      ${certificate.subject.text || '(empty)'}`,
    `issuer       ${certificate.issuer.text || '(empty)'}`,
    `validity     ${formatInstant(certificate.notBefore)} to ${formatInstant(certificate.notAfter)}`,
    `SANs         ${names.length ? names.join(' ') : '(none)'}`,
    `key          ${certificate.publicKey ? keyType(certificate.publicKey) : `unsupported (${certificate.publicKeyProblem ?? 'unknown algorithm'})`}`,
    `sha256       ${colonHex(sha256Fingerprint(certificate.der, provider).hex)}`,
    `SPKI pin     ${spkiPin(certificate.spki, provider)}`,
  ];
}

/** The pin exactly as `--pin-spki` takes it (RFC 7469 §2.4 spelling): `sha256/BASE64`. */
export function spkiPin(spki: Uint8Array, provider: CryptoProvider): string {
  return `sha256/${sha256Fingerprint(spki, provider).base64}`;
}

/** `AB:CD:...`, as browsers and `openssl x509 -fingerprint` print a certificate fingerprint. */
function colonHex(hexText: string): string {
  return hexText.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
