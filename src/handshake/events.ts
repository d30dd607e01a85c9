// What a connection tells its caller: typed events, taken with `takeEvents()` / `nextEvent()`.
import type { Span } from '../wire/bytes.js';
import type { AlertName } from '../wire/enums.js';
import type { HandshakeMessage } from '../wire/types.js';
import type { PeerIdentity, TrustVerdict } from '../auth/trust.js';
import type { SecretName } from './keyschedule.js';
import type { CertificateRequestInfo } from './client-certificate.js';
import type { ExternalPskBinding, PskPeerIdentity } from './external-psk.js';

export type Role = 'client' | 'server';
export type Direction = 'in' | 'out';

/** What was agreed, available from `connection.info` once known and complete at `connected`. */
export interface NegotiatedInfo {
  version?: 'TLSv1.3';
  cipherSuite?: string;
  group?: string;
  signatureScheme?: string;
  alpn?: string;
  serverName?: string;
  /**
   * Who the peer proved to be: set only with a trust verdict and a verified CertificateVerify (or a resumed
   * session re-judged now), or, kind 'psk', with an external PSK whose binder and Finished verified.
   */
  peer?: PeerIdentity | PskPeerIdentity;
  /** RFC 7250: what each side authenticated with, when not X.509 by default. */
  serverCertificateType?: 'x509' | 'raw-public-key';
  clientCertificateType?: 'x509' | 'raw-public-key';
  /** The handshake resumed a session with a PSK (RFC 8446 §2.2) instead of authenticating by certificate. */
  resumed?: boolean;
  /** 0-RTT data: offered by the client, and accepted or rejected by the server. */
  earlyData?: 'accepted' | 'rejected';
  /**
   * Whether the client proved a certificate (server side: 'authenticated' exactly when `peer` names it) / was
   * asked for one and sent it (client side). A refused post-handshake request (RFC 8446 §4.6.2) leaves an
   * identity the handshake proved in place.
   */
  clientAuth?: 'not-requested' | 'requested-none-sent' | 'authenticated';
}

export type DecisionTopic =
  | 'version'
  | 'cipher_suite'
  | 'group'
  | 'signature_scheme'
  | 'alpn'
  | 'server_name'
  | 'client_certificate'
  | 'trust'
  | 'client_auth'
  | 'key_update'
  | 'resumption'
  | 'early_data'
  | 'external_psk'
  | 'certificate_compression'
  | 'certificate_type'
  | 'ocsp';

/** A question the engine cannot answer alone; the connection waits until `resolve()` is called. */
export type PendingDecision =
  | {
      kind: 'verify-peer';
      /** The peer's certificate entries as received (DER X.509, leaf first; or one SubjectPublicKeyInfo). */
      chain: Uint8Array[];
      /** The peer sent an RFC 7250 raw public key, not a certificate. */
      rawPublicKey: boolean;
      /** What the configured policy would say, for a caller that wants to log or override it. */
      suggestion?: TrustVerdict;
    }
  | {
      kind: 'client-certificate';
      /** What the server's CertificateRequest asks for. */
      request: CertificateRequestInfo;
    };

export interface SessionTicket {
  /** The ticket as the server sent it. */
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  maxEarlyDataSize?: number;
  /** The PSK this ticket stands for (RFC 8446 §4.6.1). Secret: keep it like a key. */
  psk: Uint8Array;
  cipherSuite: number;
  /** When we received it, by our clock (for the obfuscated ticket age, RFC 8446 §4.2.11.1). */
  receivedAt?: number;
  serverName?: string;
  alpn?: string;
  /** Who the server proved to be in the handshake that issued the ticket: a copy of the connection's `info.peer`, the caller's own. */
  peer?: PeerIdentity;
  /**
   * The external PSK the server proved in that session (its identity and the SHA-256 of its key): the ticket is
   * offered only while our config holds that PSK with that key (external-psk.ts stillProvisioned).
   */
  externalPsk?: ExternalPskBinding;
}

export type TlsEvent =
  | { type: 'state'; role: Role; from: string; to: string }
  | { type: 'record'; direction: Direction; contentType: number; protected: boolean; raw: Uint8Array }
  /**
   * `decompressed`: not on the wire; the Certificate a CompressedCertificate carried (RFC 8879), traced with its spans.
   * What the engine keeps of a message it sends or receives is its own copy (test/security/handshake-message-copies),
   * except a received Certificate's entries: they are `info.peer.chain` and a `verify-peer` decision's `chain`. Read only.
   */
  | { type: 'handshake-message'; direction: Direction; message: HandshakeMessage; raw: Uint8Array; spans?: Span[]; decompressed?: true }
  | {
      type: 'secret';
      name: SecretName;
      /** The HKDF label of RFC 8446 §7.1. */
      label: string;
      /** The NSS key-log label, when the secret has one. */
      keylog?: string;
      clientRandom: Uint8Array;
      secret: Uint8Array;
    }
  | { type: 'decision'; topic: DecisionTopic; value: string; reason: string }
  | { type: 'decision-needed'; decision: PendingDecision }
  /**
   * `info`: frozen, its byte arrays the caller's own (handed-out.ts InfoCopies), as the `info` getter gave it when the
   * event was made; its copies are made when it is first read (an enumerable accessor: spread and JSON read it).
   */
  | { type: 'connected'; info: Readonly<NegotiatedInfo> }
  /**
   * The client answered a post-handshake CertificateRequest (RFC 8446 §4.6.2) and its Finished verified.
   * `answer`: what this exchange got; `info.peer` and `info.clientAuth` stay the connection's identity, so a
   * client that proved one in the handshake and answers 'none' keeps it. `replaced`: the identity proved before,
   * when this answer proved another (the connection is now `info.peer`'s, not `replaced`'s).
   */
  | { type: 'post-handshake-auth'; answer: 'certificate' | 'none'; replaced?: NonNullable<NegotiatedInfo['peer']>; info: Readonly<NegotiatedInfo> }
  | { type: 'session-ticket'; ticket: SessionTicket }
  /** Application data; `early` for 0-RTT data the server accepted before the handshake completed. */
  | { type: 'data'; data: Uint8Array; early?: boolean }
  | {
      type: 'alert';
      direction: Direction;
      level: 'warning' | 'fatal';
      description: AlertName | `unknown(${string})`;
      /** For alerts we send: the reason (a key of REASONS) and what exactly was wrong. */
      reason?: string;
      detail?: string;
    }
  | { type: 'closed'; by: 'us' | 'peer'; error?: string };
