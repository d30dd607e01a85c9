// Which extension may appear in which message, and with which body: the RFC 8446 §4.2 table (plus RFC 8449
// record_size_limit). messages.ts checks every extension block against it; the body codecs are in extensions.ts.
import type { Reader } from './bytes.js';
import { extensionTypeName, type ExtensionTypeName } from './enums.js';
import { TlsError } from './errors.js';
import {
  alpn,
  certificateAuthorities,
  clientCertificateTypeClientHello,
  clientCertificateTypeServerSide,
  compressCertificate,
  cookie,
  earlyDataEmpty,
  earlyDataNewSessionTicket,
  emptyBody,
  heartbeat,
  keyShareClientHello,
  keyShareHelloRetryRequest,
  keyShareServerHello,
  maxFragmentLength,
  offeredServerName,
  oidFilters,
  padding,
  postHandshakeAuth,
  preSharedKeyClientHello,
  preSharedKeyServerHello,
  pskKeyExchangeModes,
  recordSizeLimit,
  selectedAlpn,
  serverCertificateTypeClientHello,
  serverCertificateTypeServerSide,
  signatureAlgorithms,
  signatureAlgorithmsCert,
  signedCertificateTimestamps,
  statusRequestCertificate,
  statusRequestClientHello,
  supportedGroups,
  supportedVersionsClientHello,
  supportedVersionsServerHello,
  useSrtp,
} from './extensions.js';

/** The messages of the RFC 8446 §4.2 table: ClientHello, ServerHello, HelloRetryRequest, EncryptedExtensions,
 * Certificate (per entry), CertificateRequest, NewSessionTicket. */
export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

type BodyDecoder = (r: Reader) => unknown;

const EXTENSION_BODIES = {
  server_name: { CH: offeredServerName, EE: emptyBody.decode },
  max_fragment_length: { CH: maxFragmentLength.decode, EE: maxFragmentLength.decode },
  status_request: { CH: statusRequestClientHello.decode, CR: emptyBody.decode, CT: statusRequestCertificate.decode },
  supported_groups: { CH: supportedGroups.decode, EE: supportedGroups.decode },
  signature_algorithms: { CH: signatureAlgorithms.decode, CR: signatureAlgorithms.decode },
  use_srtp: { CH: useSrtp.decode, EE: useSrtp.decode },
  heartbeat: { CH: heartbeat.decode, EE: heartbeat.decode },
  application_layer_protocol_negotiation: { CH: alpn.decode, EE: selectedAlpn },
  signed_certificate_timestamp: { CH: emptyBody.decode, CR: emptyBody.decode, CT: signedCertificateTimestamps.decode },
  client_certificate_type: { CH: clientCertificateTypeClientHello.decode, EE: clientCertificateTypeServerSide.decode },
  server_certificate_type: { CH: serverCertificateTypeClientHello.decode, EE: serverCertificateTypeServerSide.decode },
  padding: { CH: padding.decode },
  pre_shared_key: { CH: preSharedKeyClientHello.decode, SH: preSharedKeyServerHello.decode },
  early_data: { CH: earlyDataEmpty.decode, EE: earlyDataEmpty.decode, NST: earlyDataNewSessionTicket.decode },
  psk_key_exchange_modes: { CH: pskKeyExchangeModes.decode },
  cookie: { CH: cookie.decode, HRR: cookie.decode },
  supported_versions: {
    CH: supportedVersionsClientHello.decode,
    SH: supportedVersionsServerHello.decode,
    HRR: supportedVersionsServerHello.decode,
  },
  certificate_authorities: { CH: certificateAuthorities.decode, CR: certificateAuthorities.decode },
  oid_filters: { CR: oidFilters.decode },
  post_handshake_auth: { CH: postHandshakeAuth.decode },
  signature_algorithms_cert: { CH: signatureAlgorithmsCert.decode, CR: signatureAlgorithmsCert.decode },
  key_share: { CH: keyShareClientHello.decode, SH: keyShareServerHello.decode, HRR: keyShareHelloRetryRequest.decode },
  record_size_limit: { CH: recordSizeLimit.decode, EE: recordSizeLimit.decode },
  // RFC 8879 §3: in ClientHello and CertificateRequest.
  compress_certificate: { CH: compressCertificate.decode, CR: compressCertificate.decode },
} satisfies Partial<Record<ExtensionTypeName, Partial<Record<ExtensionContext, BodyDecoder>>>>;

type KnownExtension = keyof typeof EXTENSION_BODIES;

/** The RFC 8446 §4.2 table: for each extension it governs, the messages it may appear in. */
export const ALLOWED_EXTENSIONS: Readonly<Record<KnownExtension, readonly ExtensionContext[]>> = Object.fromEntries(
  Object.entries(EXTENSION_BODIES).map(([name, bodies]) => [name, Object.keys(bodies)]),
) as Record<KnownExtension, ExtensionContext[]>;

/** The extension's name if the §4.2 table governs it, else undefined (an unknown or pre-1.3 extension). */
export function knownExtensionName(type: number): KnownExtension | undefined {
  const name = extensionTypeName(type);
  return Object.hasOwn(EXTENSION_BODIES, name) ? (name as KnownExtension) : undefined;
}

/**
 * Validates (and, with spans, annotates) one extension body as it appears in `context`. A known extension in a
 * message the §4.2 table does not list is ExtensionNotAllowedHere; an unknown one is left alone: a ClientHello
 * must ignore it, and in server messages the handshake layer decides whether it was solicited.
 */
export function decodeExtensionBody(type: number, context: ExtensionContext, r: Reader): void {
  const name = knownExtensionName(type);
  if (name === undefined) return;
  const bodies: Partial<Record<ExtensionContext, BodyDecoder>> = EXTENSION_BODIES[name];
  const decode = bodies[context];
  if (decode === undefined) {
    r.refuse(new TlsError('ExtensionNotAllowedHere', `${name} is not allowed in ${context}`));
    r.rest();
    return;
  }
  decode(r);
}
