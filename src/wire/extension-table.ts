// Which extension may appear in which message, and with which body: the RFC 8446 §4.2 table (plus RFC 8449
// record_size_limit). messages.ts checks every extension block against it; the body codecs are in extensions.ts.
import type { Reader } from './bytes.js';
import { extensionTypeName, type ExtensionTypeName } from './enums.js';
import { TlsError } from './errors.js';
import type { Extension } from './types.js';
import {
  alpn,
  type BodyCodec,
  DecodedExtension,
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

type AnyCodec = BodyCodec<unknown>;

const EXTENSION_BODIES = {
  server_name: { CH: offeredServerName, EE: emptyBody },
  max_fragment_length: { CH: maxFragmentLength, EE: maxFragmentLength },
  status_request: { CH: statusRequestClientHello, CR: emptyBody, CT: statusRequestCertificate },
  supported_groups: { CH: supportedGroups, EE: supportedGroups },
  signature_algorithms: { CH: signatureAlgorithms, CR: signatureAlgorithms },
  use_srtp: { CH: useSrtp, EE: useSrtp },
  heartbeat: { CH: heartbeat, EE: heartbeat },
  application_layer_protocol_negotiation: { CH: alpn, EE: selectedAlpn },
  signed_certificate_timestamp: { CH: emptyBody, CR: emptyBody, CT: signedCertificateTimestamps },
  client_certificate_type: { CH: clientCertificateTypeClientHello, EE: clientCertificateTypeServerSide },
  server_certificate_type: { CH: serverCertificateTypeClientHello, EE: serverCertificateTypeServerSide },
  padding: { CH: padding },
  pre_shared_key: { CH: preSharedKeyClientHello, SH: preSharedKeyServerHello },
  early_data: { CH: earlyDataEmpty, EE: earlyDataEmpty, NST: earlyDataNewSessionTicket },
  psk_key_exchange_modes: { CH: pskKeyExchangeModes },
  cookie: { CH: cookie, HRR: cookie },
  supported_versions: {
    CH: supportedVersionsClientHello,
    SH: supportedVersionsServerHello,
    HRR: supportedVersionsServerHello,
  },
  certificate_authorities: { CH: certificateAuthorities, CR: certificateAuthorities },
  oid_filters: { CR: oidFilters },
  post_handshake_auth: { CH: postHandshakeAuth },
  signature_algorithms_cert: { CH: signatureAlgorithmsCert, CR: signatureAlgorithmsCert },
  key_share: { CH: keyShareClientHello, SH: keyShareServerHello, HRR: keyShareHelloRetryRequest },
  record_size_limit: { CH: recordSizeLimit, EE: recordSizeLimit },
  // RFC 8879 §3: in ClientHello and CertificateRequest.
  compress_certificate: { CH: compressCertificate, CR: compressCertificate },
} satisfies Partial<Record<ExtensionTypeName, Partial<Record<ExtensionContext, AnyCodec>>>>;

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
 * Decodes (and, with spans, annotates) one extension body, the rest of `r`, as it appears in `context`, and
 * returns the extension with its decoded value (see DecodedExtension). A known extension in a message the §4.2
 * table does not list is ExtensionNotAllowedHere; an unknown one is left alone, unread: a ClientHello must
 * ignore it, and in server messages the handshake layer decides whether it was solicited.
 */
export function decodeExtensionBody(type: number, context: ExtensionContext, r: Reader): Extension {
  const start = r.offset;
  const end = start + r.remaining;
  const name = knownExtensionName(type);
  if (name === undefined) return { type, data: r.bytes.subarray(start, end) };
  const bodies: Partial<Record<ExtensionContext, AnyCodec>> = EXTENSION_BODIES[name];
  const codec = bodies[context];
  if (codec === undefined) {
    r.refuse(new TlsError('ExtensionNotAllowedHere', `${name} is not allowed in ${context}`));
    r.rest();
    return { type, data: r.bytes.subarray(start, end) };
  }
  return new DecodedExtension(type, r.bytes, start, end, codec, codec.decode(r));
}
