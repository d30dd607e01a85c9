// Which handshake messages each state of RFC 8446 Appendix A takes. The connection consults this table on a
// message's 4-byte header, before its body is buffered or decoded: a message the state does not take is
// unexpected_message whatever its body ("A peer which receives a handshake message in an unexpected order
// MUST abort the handshake with an "unexpected_message" alert", §4), and only a message the state takes can
// be decode_error. OpenSSL checks the transition on the header the same way (read_state_machine), BoringSSL,
// NSS and GnuTLS check the type before parsing the body (docs/robustness.md).
//
// A type that is in no list is never taken: HelloRequest (0) and the other TLS 1.2 types, message_hash (254,
// only ever in a transcript, §4.4.1), and every unassigned code point.
import { ExtensionType, HandshakeType, handshakeTypeName, type ExtensionTypeName, type HandshakeTypeName } from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import { compressCertificateExtension } from './certificate-compression.js';
import { ClientHandshake, type ClientState } from './client/machine.js';
import type { ServerHandshake, ServerState } from './server/machine.js';

/** What a condition may look at: the state itself, and what we offered. */
interface Situation<State> {
  state: State;
  /**
   * Whether we sent this extension: a client in its last ClientHello (which clientHello.extensions may shape
   * apart from the config), a server in its CertificateRequest (always, when configured).
   */
  offered(extension: 'compress_certificate' | 'post_handshake_auth'): boolean;
}

/** A message type a state takes: always, or only when `when` holds. */
type Entry<State> = HandshakeTypeName | { type: HandshakeTypeName; when(s: Situation<State>): boolean };

type Table<States extends { name: string }> = { readonly [S in States as S['name']]: readonly Entry<S>[] };

/** RFC 8879 §3: a CompressedCertificate only where a Certificate goes, and only if we offered compress_certificate. */
const compressedCertificate = { type: 'compressed_certificate', when: (s) => s.offered('compress_certificate') } as const satisfies Entry<unknown>;

/** RFC 8446 Appendix A.1. */
export const CLIENT_TAKES: Table<ClientState> = {
  // Nothing comes before our ClientHello.
  START: [],
  // A HelloRetryRequest is a ServerHello by type (§4.1.4); a second one is the machine's to refuse.
  WAIT_SH: ['server_hello'],
  WAIT_EE: ['encrypted_extensions'],
  WAIT_CERT_CR: ['certificate_request', 'certificate', compressedCertificate],
  WAIT_CERT: ['certificate', compressedCertificate],
  WAIT_CV: ['certificate_verify'],
  WAIT_FINISHED: ['finished'],
  // §4.6: tickets and KeyUpdate; a CertificateRequest only "if the client has sent the "post_handshake_auth" extension" (§4.6.2).
  CONNECTED: ['new_session_ticket', 'key_update', { type: 'certificate_request', when: (s) => s.offered('post_handshake_auth') }],
};

/**
 * RFC 8446 Appendix A.2. RECVD_CH, NEGOTIATED and WAIT_FLIGHT2 are passed through within one step and
 * never wait for a message. EndOfEarlyData only while we read accepted 0-RTT data (WAIT_EOED, §4.5); a
 * client's Certificate, CertificateVerify and Finished after the handshake only as the answer to our own
 * CertificateRequest, each in its turn (§4.6.2); a server never receives NewSessionTicket (§4.6.1).
 */
export const SERVER_TAKES: Table<ServerState> = {
  START: ['client_hello'],
  WAIT_EOED: ['end_of_early_data'],
  WAIT_CERT: ['certificate', compressedCertificate],
  WAIT_CV: ['certificate_verify'],
  WAIT_FINISHED: ['finished'],
  CONNECTED: [
    'key_update',
    { type: 'certificate', when: ({ state }) => state.postHandshake?.expecting === 'certificate' },
    { ...compressedCertificate, when: (s) => s.state.postHandshake?.expecting === 'certificate' && compressedCertificate.when(s) },
    { type: 'certificate_verify', when: ({ state }) => state.postHandshake?.expecting === 'certificate_verify' },
    { type: 'finished', when: ({ state }) => state.postHandshake?.expecting === 'finished' },
  ],
};

/** What a state's conditions see of `machine`: made only when an entry of the matching type has a condition. */
function situationOf(machine: ClientHandshake | ServerHandshake): Situation<ClientState | ServerState> {
  if (machine instanceof ClientHandshake) {
    return { state: machine.state, offered: (extension: ExtensionTypeName) => machine.offeredExtensions.has(ExtensionType[extension]) };
  }
  return { state: machine.state, offered: (extension: ExtensionTypeName) => extension === 'compress_certificate' && compressCertificateExtension(machine.ctx) !== undefined };
}

/**
 * Whether the machine's current state takes a handshake message of type `msgType` (any byte off the wire).
 * A plain loop, and the situation built only for a conditional entry of this type: this runs on every message
 * header, and closures made per call were ~1.4 KiB of garbage per handshake (docs/performance-history.md, eighth round).
 */
function takesHandshakeType(machine: ClientHandshake | ServerHandshake, msgType: number): boolean {
  const entries: readonly Entry<ClientState | ServerState>[] =
    machine instanceof ClientHandshake ? CLIENT_TAKES[machine.state.name] : SERVER_TAKES[machine.state.name];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (typeof entry === 'string') {
      if (HandshakeType[entry] === msgType) return true;
    } else if (HandshakeType[entry.type] === msgType && entry.when(situationOf(machine))) {
      return true;
    }
  }
  return false;
}

/** A message type the state does not take is unexpected_message from its header, body unread (RFC 8446 §4). */
export function admitHandshakeType(machine: ClientHandshake | ServerHandshake, msgType: number): void {
  if (!takesHandshakeType(machine, msgType)) throw new TlsError('UnexpectedMessage', `${handshakeTypeName(msgType)} in state ${machine.state.name}`);
}
