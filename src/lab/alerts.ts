// What each alert means, in the words of RFC 8446 §6.2 (and RFC 8446 §6.1 for close_notify), for the
// lab's "what did the receiver do" panel. The reason a particular alert was sent comes from the engine.
import type { AlertName } from '../wire/enums.js';
import { REASONS, type Reason } from '../wire/errors.js';

const MEANINGS: Partial<Record<AlertName, string>> = {
  close_notify: 'the sender will not send any more messages on this connection (RFC 8446 §6.1)',
  unexpected_message: 'an inappropriate message (e.g., the wrong handshake message, premature application data) was received',
  bad_record_mac: 'a record was received which cannot be deprotected: the AEAD tag did not verify',
  record_overflow: 'a record was received that is longer than allowed',
  handshake_failure: 'the sender was unable to negotiate an acceptable set of security parameters',
  bad_certificate: 'a certificate was corrupt, contained signatures that did not verify correctly, etc.',
  unsupported_certificate: 'a certificate was of an unsupported type',
  certificate_revoked: 'a certificate was revoked by its signer',
  certificate_expired: 'a certificate has expired or is not currently valid',
  certificate_unknown: 'some other (unspecified) issue arose in processing the certificate, rendering it unacceptable',
  illegal_parameter: 'a field in the handshake was incorrect or inconsistent with other fields',
  unknown_ca: 'a valid certificate chain was received, but it could not be matched with a known, trusted CA',
  access_denied: 'a valid certificate or PSK was received, but access control was applied and the sender decided not to proceed',
  decode_error: 'a message could not be decoded because some field was out of the specified range or the length was incorrect',
  decrypt_error: 'a handshake cryptographic operation failed: a signature could not be verified, or a Finished or PSK binder did not match',
  protocol_version: 'the protocol version the peer has attempted to negotiate is recognized but not supported',
  insufficient_security: 'the server requires parameters more secure than those supported by the client',
  internal_error: 'an internal error unrelated to the peer or the correctness of the protocol makes it impossible to continue',
  missing_extension: 'a handshake message does not contain an extension that is mandatory to send',
  unsupported_extension: 'a message contains an extension that is prohibited for it, or that was not first offered',
  unrecognized_name: 'no server exists identified by the name the client gave in server_name',
  unknown_psk_identity: 'PSK key establishment is desired but no acceptable PSK identity was provided',
  certificate_required: 'a client certificate is desired but none was provided by the client',
  no_application_protocol: 'the client\'s ALPN protocols are all unsupported by the server',
};

/** The RFC's one-line meaning of an alert description. */
export function alertMeaning(description: string): string {
  return MEANINGS[description as AlertName] ?? 'an alert this page has no description for';
}

/** The check behind an alert the engine sent: its reason and the RFC section that names the alert. */
export function checkBehind(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  const info = REASONS[reason as Reason] as { rfc: string } | undefined;
  return info ? `${reason} (${info.rfc})` : reason;
}
