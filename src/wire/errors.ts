// One error type for protocol failures. Each carries a specific reason; the reason maps to the alert
// we send in exactly one table, with the RFC text that says so.
import type { AlertName } from './enums.js';

interface ReasonInfo {
  alert: AlertName;
  /** Where the RFC says which alert this fault gets. */
  rfc: string;
}

export const REASONS = {
  // Framing and decoding.
  DecodeError: { alert: 'decode_error', rfc: 'RFC 8446 §6.2 (decode_error)' },
  RecordOverflow: { alert: 'record_overflow', rfc: 'RFC 8446 §5.1, §5.2' },
  BadRecordMac: { alert: 'bad_record_mac', rfc: 'RFC 8446 §5.2' },
  UnexpectedMessage: { alert: 'unexpected_message', rfc: 'RFC 8446 §6.2 (unexpected_message)' },
  HandshakeSpansKeyChange: { alert: 'unexpected_message', rfc: 'RFC 8446 §5.1' },
  UnexpectedChangeCipherSpec: { alert: 'unexpected_message', rfc: 'RFC 8446 §5' },
  EmptyRecord: { alert: 'unexpected_message', rfc: 'RFC 8446 §5.1, §5.4' },
  IllegalParameter: { alert: 'illegal_parameter', rfc: 'RFC 8446 §6.2 (illegal_parameter)' },
  DuplicateExtension: { alert: 'illegal_parameter', rfc: 'RFC 8446 §4.2' },
  ExtensionNotAllowedHere: { alert: 'illegal_parameter', rfc: 'RFC 8446 §4.2' },
  UnsolicitedExtension: { alert: 'unsupported_extension', rfc: 'RFC 8446 §4.2' },
  MissingExtension: { alert: 'missing_extension', rfc: 'RFC 8446 §9.2' },
  // Negotiation.
  NoTls13: { alert: 'protocol_version', rfc: 'RFC 8446 §4.2.1' },
  Downgrade: { alert: 'illegal_parameter', rfc: 'RFC 8446 §4.1.3' },
  NoCommonCipherSuite: { alert: 'handshake_failure', rfc: 'RFC 8446 §4.1.1' },
  NoCommonGroup: { alert: 'handshake_failure', rfc: 'RFC 8446 §4.1.1' },
  NoCommonSignatureScheme: { alert: 'handshake_failure', rfc: 'RFC 8446 §4.4.2.2' },
  NoApplicationProtocol: { alert: 'no_application_protocol', rfc: 'RFC 7301 §3.2' },
  UnrecognizedName: { alert: 'unrecognized_name', rfc: 'RFC 6066 §3' },
  SelectedUnofferedParameter: { alert: 'illegal_parameter', rfc: 'RFC 8446 §4.1.3, §4.2' },
  BadKeyShare: { alert: 'illegal_parameter', rfc: 'RFC 8446 §4.2.8.1, §4.2.8.2' },
  UnsupportedCertificateType: { alert: 'unsupported_certificate', rfc: 'RFC 7250 §4.2' },
  // Authentication.
  BadFinished: { alert: 'decrypt_error', rfc: 'RFC 8446 §4.4.4' },
  BadCertificateVerifySignature: { alert: 'decrypt_error', rfc: 'RFC 8446 §4.4.3' },
  CertificateVerifySchemeNotOffered: { alert: 'illegal_parameter', rfc: 'RFC 8446 §4.4.3' },
  EmptyServerCertificate: { alert: 'decode_error', rfc: 'RFC 8446 §4.4.2.4' },
  CertificateRequired: { alert: 'certificate_required', rfc: 'RFC 8446 §4.4.2.4' },
  BadCertificate: { alert: 'bad_certificate', rfc: 'RFC 8446 §6.2 (bad_certificate)' },
  UnsupportedCertificate: { alert: 'unsupported_certificate', rfc: 'RFC 8446 §6.2 (unsupported_certificate)' },
  CertificateExpired: { alert: 'certificate_expired', rfc: 'RFC 8446 §6.2 (certificate_expired)' },
  UnknownCa: { alert: 'unknown_ca', rfc: 'RFC 8446 §6.2 (unknown_ca)' },
  CertificateUnknown: { alert: 'certificate_unknown', rfc: 'RFC 8446 §6.2 (certificate_unknown)' },
  CertificateRevoked: { alert: 'certificate_revoked', rfc: 'RFC 8446 §6.2 (certificate_revoked)' },
  BadCertificateStatusResponse: { alert: 'bad_certificate_status_response', rfc: 'RFC 8446 §6.2 (bad_certificate_status_response), RFC 6066 §8' },
  AccessDenied: { alert: 'access_denied', rfc: 'RFC 8446 §6.2 (access_denied)' },
  // PSK and tickets.
  BadPskBinder: { alert: 'decrypt_error', rfc: 'RFC 8446 §4.2.11' },
  UnknownPskIdentity: { alert: 'unknown_psk_identity', rfc: 'RFC 8446 §4.2.11, §6.2 (unknown_psk_identity)' },
  // A PSK-only endpoint (no certificate) with no usable PSK: no acceptable set of parameters.
  PskRequired: { alert: 'handshake_failure', rfc: 'RFC 8446 §6.2 (handshake_failure)' },
  // Limits.
  TooManyKeyUpdates: { alert: 'unexpected_message', rfc: 'RFC 8446 §4.6.3 (our limit)' },
  TooMuchEarlyData: { alert: 'unexpected_message', rfc: 'RFC 8446 §4.2.10' },
  ResourceLimit: { alert: 'internal_error', rfc: 'RFC 8446 §6.2 (our limit)' },
  // The peer's length field asks for more than we buffer: a field we refuse, not a failure of ours (as OpenSSL
  // and BoringSSL answer it; rustls sends decode_error).
  HandshakeMessageTooLong: { alert: 'illegal_parameter', rfc: 'RFC 8446 §6.2 (illegal_parameter; our limit)' },
  // Appendix D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version or
  // ServerHello.legacy_version set to 0x0300 MUST abort the handshake with a "protocol_version" alert."
  ObsoleteLegacyVersion: { alert: 'protocol_version', rfc: 'RFC 8446 App. D.5' },
  // Peer said so.
  InternalError: { alert: 'internal_error', rfc: 'RFC 8446 §6.2 (internal_error)' },
} as const satisfies Record<string, ReasonInfo>;

export type Reason = keyof typeof REASONS;

/**
 * A fatal protocol failure. The engine turns it into the alert of its reason, sends it, and closes.
 * `new TlsError('decode_error', ...)` is accepted as shorthand for the generic reason of that alert.
 */
export class TlsError extends Error {
  readonly reason: Reason;
  readonly alert: AlertName;
  readonly rfc: string;
  /** What exactly was wrong, without the reason and alert prefix of `message`. */
  readonly detail: string;

  constructor(reason: Reason | 'decode_error' | 'illegal_parameter' | 'unexpected_message' | 'internal_error', detail: string) {
    const key: Reason =
      reason === 'decode_error' ? 'DecodeError'
      : reason === 'illegal_parameter' ? 'IllegalParameter'
      : reason === 'unexpected_message' ? 'UnexpectedMessage'
      : reason === 'internal_error' ? 'InternalError'
      : reason;
    const info = REASONS[key];
    super(`${key} (${info.alert}): ${detail}`);
    this.name = 'TlsError';
    this.reason = key;
    this.alert = info.alert;
    this.rfc = info.rfc;
    this.detail = detail;
  }
}

