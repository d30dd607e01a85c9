// Configuration of a client or server connection. Everything that varies between runs (randomness, the
// clock, key-share private keys for replays) comes from here, so the same config and the same input
// bytes always give the same output bytes.
import type { CryptoProvider, PrivateKey, RandomSource } from '../crypto/provider.js';
import { nobleProvider } from '../crypto/noble.js';
import { ownedDraws, systemRandom } from '../crypto/random.js';
import { DEFAULT_MINIMUM_RSA_KEY_BITS } from '../auth/keys.js';
import type { TrustPolicy, TrustVerdict } from '../auth/trust.js';
import type { PaddingPolicy } from '../record/writer.js';
import type { SessionTicket } from './events.js';
import type { SingleUseTickets } from './tickets.js';
import type { CertificateTypeName } from './certificate-types.js';
import type { ServerFlightShape } from './server/flight-shape.js';
import { NamedGroup, SignatureScheme, type ExtensionTypeName } from '../wire/enums.js';
import type { ClientHello, Extension } from '../wire/types.js';
import { DEFAULT_CIPHER_SUITES } from './suites.js';
import { checkCertificateCompression, type CertificateCompressor } from './certificate-compression.js';
import { externalPskModes, externalPskSet, resolveExternalPsks, type ExternalPskConfig, type ExternalPskSet } from './external-psk.js';

/** Our own certificate chain (leaf first, DER) and the means to sign with the leaf's key. */
export interface CertifiedKey {
  chain: Uint8Array[];
  /** The leaf's private key. */
  privateKey?: PrivateKey;
  /**
   * Or a signer for keys held elsewhere (an HSM, another process): given the scheme and the exact
   * CertificateVerify content (RFC 8446 §4.4.3), it returns the signature. It is verified with the leaf's
   * key before it is sent (a faulty signature can give the key away): one that does not verify is internal_error.
   */
  signer?: (scheme: number, content: Uint8Array) => Uint8Array;
  /** `chain` holds one DER SubjectPublicKeyInfo: an RFC 7250 raw public key (made by rawPublicKeyCertified). */
  rawPublicKey?: boolean;
}

/** Our key pair for RFC 7250 raw public keys: the SubjectPublicKeyInfo goes on the wire instead of a certificate. */
export interface RawPublicKeyIdentity {
  privateKey?: PrivateKey;
  signer?: (scheme: number, content: Uint8Array) => Uint8Array;
  /** DER SubjectPublicKeyInfo; derived from privateKey when absent. */
  spki?: Uint8Array;
}

interface CommonConfig {
  provider?: CryptoProvider;
  /** Source of every random byte: hello randoms, key shares, RSA-PSS salts, ticket values. */
  random?: RandomSource;
  /** Milliseconds since the epoch, for certificate validity and ticket ages. Required to validate certificates. */
  now?: () => number;
  /** In order of preference. */
  cipherSuites?: number[];
  /** Key-exchange groups, in order of preference. Default: DEFAULT_GROUPS (client), DEFAULT_SERVER_GROUPS (server). */
  groups?: number[];
  /** Signature schemes we accept from the peer and can use ourselves, in order of preference. */
  signatureSchemes?: number[];
  /**
   * Signature schemes we accept in the peer's certificate chain (RFC 8446 §4.2.3), checked by a `ca` trust
   * policy; sent as signature_algorithms_cert when it differs from `signatureSchemes`. Default:
   * `signatureSchemes` plus rsa_pkcs1_sha256/384/512 (CAs still sign with PKCS#1 v1.5).
   */
  certificateSignatureSchemes?: number[];
  alpnProtocols?: string[];
  /** How we judge the peer's certificate (server: the client's). */
  trust?: TrustPolicy;
  /**
   * Smallest RSA modulus, in bits, accepted in the peer's keys: the key it signs CertificateVerify with and
   * the CA keys of its chain. Default 2048 (DEFAULT_MINIMUM_RSA_KEY_BITS); lower it only for old test
   * vectors, such as RFC 8448's 1024-bit server key.
   */
  minimumRsaKeyBits?: number;
  /** Record annotation spans for every handshake message (tracing). Off by default: it costs time. */
  trace?: boolean;
  /** Emit a `record` event for every record in and out. */
  traceRecords?: boolean;
  /**
   * Emit a `secret` event for every secret derived (traces, key logs). Default true; false saves each
   * handshake the events and their copies of the secrets (~6 KiB of garbage). A connection can switch them
   * later (`connection.secretEvents`): the node adapter makes them only once a 'keylog' or 'tlsEvent'
   * listener has been attached.
   */
  secretEvents?: boolean;
  /**
   * Emit the events only traces read: `handshake-message`, `state` and `decision`. Default true; false saves
   * each handshake ~4 KiB of garbage. Switchable later (`connection.traceEvents`): the node adapter makes them
   * only once a 'tlsEvent' listener has been attached. The events a caller must act on (`decision-needed`,
   * `connected`, `data`, `alert`, `closed`, ...) are always made.
   */
  traceEvents?: boolean;
  /**
   * How many zero bytes to add to each protected record (RFC 8446 §5.4), to hide lengths. Default none;
   * the record layer keeps every record within the size limit whatever the policy asks.
   */
  recordPadding?: PaddingPolicy;
  /**
   * Records our write key may protect before we send a KeyUpdate and switch to the next one (RFC 8446 §5.5,
   * §4.6.3). Default and ceiling: the suite's AEAD limit (key-usage.ts: 2^24 records for AES-GCM, 2^22 for
   * AES-CCM, none for ChaCha20-Poly1305); lower it to rotate keys sooner or to exercise a peer's KeyUpdate.
   * At least 2: a record of data and the KeyUpdate.
   */
  keyUpdateAfterRecords?: number;
  /**
   * Externally provisioned PSKs (RFC 8446 §4.2.11; external-psk.ts): a client offers them, a server selects
   * one by identity. The peer is then authenticated by the PSK (reported as `{ kind: 'psk', identity }`).
   */
  externalPsks?: ExternalPskConfig;
  /**
   * Certificate compression (RFC 8879): the algorithms we can decompress, offered in that order in
   * compress_certificate, and used to compress our own Certificate when the peer offers one we can
   * compress with. Default none. PORTABLE_CERTIFICATE_COMPRESSION (any platform) or
   * nodeCertificateCompression() (node:zlib).
   */
  certificateCompression?: readonly CertificateCompressor[];
}

/** Everything about the ClientHello that a replay, an interop test or a fuzzer may want to dictate. */
export interface ClientHelloShape {
  legacySessionId?: Uint8Array;
  /**
   * The extensions, in order. A name asks for our own encoding of that extension (omitted when it does not
   * apply, e.g. server_name without a serverName); an Extension object is sent as given. Default: our order.
   */
  extensions?: Array<ExtensionTypeName | Extension>;
  /** Groups listed in supported_groups; may include groups we cannot use (they just won't be chosen). */
  advertisedGroups?: number[];
  /** Schemes listed in signature_algorithms; default: `signatureSchemes`. */
  advertisedSignatureSchemes?: number[];
  /** Cipher suites listed, including ones we cannot use. Default: `cipherSuites`. */
  advertisedCipherSuites?: number[];
  /** Add RFC 8701 GREASE values to suites, groups, extensions, versions and signature algorithms. */
  grease?: boolean;
  /** RFC 8449 record_size_limit value to offer. */
  recordSizeLimit?: number;
}

export interface ClientConfig extends CommonConfig {
  /**
   * The server we mean to reach: a DNS name or an IP address (IPv4, IPv6, bracketed IPv6). The server
   * certificate must name it (RFC 6125 §6, RFC 9525: dNSName or iPAddress SAN); a DNS name is also sent as
   * SNI, an IP address is not (RFC 6066 §3). Required with a CA trust policy; tickets are bound to it.
   */
  serverName?: string;
  /**
   * With a CA trust policy and no serverName: accept a certificate for *any* name a trusted CA vouches for.
   * Any holder of such a certificate can then impersonate the server (a man in the middle); only for
   * setups that check the identity some other way. Pinned-certificate and pinned-key policies need neither.
   */
  insecureSkipServerNameCheck?: true;
  /**
   * Which groups get a key share in the first ClientHello. Default: the first of `groups`, and when that
   * is post-quantum, also the first classical group after it, as browsers send X25519MLKEM768 with x25519:
   * a server without post-quantum groups then answers at once, with no HelloRetryRequest.
   */
  keyShareGroups?: number[];
  /**
   * Our certificate(s) for client authentication, if the server asks: the first whose key fits the
   * server's signature_algorithms (and, when it names some, its certificate_authorities) is sent.
   * 'ask' pauses with a `client-certificate` decision instead.
   */
  certificate?: CertifiedKey | CertifiedKey[] | 'ask';
  /**
   * Middlebox compatibility mode (RFC 8446 §D.4): a random 32-byte legacy_session_id and a dummy
   * ChangeCipherSpec before our second flight. On by default, as in common stacks.
   */
  compatibilityMode?: boolean;
  /**
   * Ask the server to staple an OCSP response to its certificate (RFC 6066 §8 status_request, RFC 8446
   * §4.4.2.1). The staple is judged with the chain: under a `ca` policy a revoked leaf fails with
   * certificate_revoked and an invalid staple with bad_certificate_status_response; under other policies it
   * is only reported (`verdict.ocsp`). A server that sends no staple is accepted as before.
   */
  statusRequest?: boolean;
  /** Offer post_handshake_auth (RFC 8446 §4.2.6): the server may ask for our certificate after the handshake. */
  postHandshakeAuth?: boolean;
  /** Our raw public key for client authentication (RFC 7250), if the server asks for one. */
  rawPublicKey?: RawPublicKeyIdentity;
  /**
   * Certificate types we accept from the server, in order of preference (RFC 7250 §4.1). Default ['x509'];
   * ['raw-public-key'] alone demands a raw key (unsupported_certificate when the server cannot).
   */
  serverCertificateTypes?: CertificateTypeName[];
  /** Certificate types we can send, in order of preference. Default: from `rawPublicKey` and `certificate`. */
  clientCertificateTypes?: CertificateTypeName[];
  clientHello?: ClientHelloShape;
  /** Resume a session from one of its tickets (RFC 8446 §2.2), optionally sending 0-RTT data (§2.3). */
  resumption?: ResumptionConfig;
}

export interface ResumptionConfig {
  ticket: SessionTicket;
  /**
   * Application data to send in the first flight, before the handshake completes (replayable!). Sent only
   * when the ticket allows 0-RTT and holds all of it (its maxEarlyDataSize); otherwise send it once connected.
   */
  earlyData?: Uint8Array;
  /** psk_key_exchange_modes to offer, in order (default ['psk_dhe_ke']). */
  modes?: Array<'psk_dhe_ke' | 'psk_ke'>;
  /**
   * Only with `trust: { kind: 'ask' }`, where nobody is asked about a resumed session: the caller's own
   * verdict on the ticket's server chain, judged today (as the node adapter does for node:tls's
   * checkServerIdentity). Trusted: a server that resumes is reported with it once its Finished verifies;
   * not trusted: the ticket is not offered. Without it a resumption under `ask` reports no identity.
   */
  serverVerdict?: Pick<TrustVerdict, 'trusted' | 'rule' | 'detail'>;
}

export interface ServerConfig extends CommonConfig {
  /** Our X.509 certificate chain and key (one of `certificate` and `rawPublicKey` is required). */
  certificate?: CertifiedKey;
  /** Our raw public key (RFC 7250), for clients that accept one in server_certificate_type. */
  rawPublicKey?: RawPublicKeyIdentity;
  /** Certificate types we accept from clients, in our order of preference (default ['x509']). */
  clientCertificateTypes?: CertificateTypeName[];
  /**
   * A DER OCSPResponse (RFC 6960) for our certificate, stapled to the leaf's CertificateEntry when the client
   * sends status_request (RFC 8446 §4.4.2.1), never unasked. Sent as given: refresh it before it expires.
   */
  ocspResponse?: Uint8Array;
  /**
   * Whether to ask for and require a client certificate. A resumed session is authenticated only if the
   * ticket's client chain passes the current `trust` policy now (an unanswered 'ask' does not pass);
   * otherwise, under 'optional' or 'require', the ticket is declined and the full handshake asks again.
   * An external PSK of `externalPsks` meets 'require' (it is that client's credential; a PSK handshake has
   * no CertificateRequest, RFC 8446 §4.3.2); a client without one gets the full handshake.
   */
  clientAuth?: 'none' | 'optional' | 'require';
  /**
   * List the subjects of our CA trust anchors in CertificateRequest.certificate_authorities (RFC 8446
   * §4.2.4) so clients can pick the right certificate. Default true; only CA policies have anchors.
   */
  sendCertificateAuthorities?: boolean;
  /** Send our supported_groups in EncryptedExtensions (RFC 8446 §4.2.7 allows it). */
  advertiseGroups?: boolean;
  /** RFC 8449 record_size_limit value to answer with when the client offers one. */
  recordSizeLimit?: number;
  /**
   * Order of our EncryptedExtensions (names of extensions, each once); unlisted ones follow in our default order.
   * `serverFlight.extensionOrder.encryptedExtensions` (code points, as for the other messages) applies after it.
   */
  encryptedExtensionsOrder?: ExtensionTypeName[];
  /**
   * Ask for our most preferred common group with a HelloRetryRequest even when the client already sent a
   * share for another group we support (costs a round trip; default false).
   */
  helloRetryForPreferredGroup?: boolean;
  /** Put a cookie in our HelloRetryRequest (RFC 8446 §4.2.2); ClientHello2 must echo it. */
  helloRetryCookie?: (clientHello1: ClientHello) => Uint8Array;
  /** Session tickets sent after the handshake (RFC 8446 §4.6.1). */
  tickets?: TicketConfig;
  /** Extension orders, the server_name acknowledgement, record boundaries and ticket fields (docs/replay.md). */
  serverFlight?: ServerFlightShape;
}

export interface TicketConfig {
  /**
   * How many NewSessionTicket messages to send after the client's Finished (default 1; 0 for none), to a
   * client whose psk_key_exchange_modes lists a mode we resume with (RFC 8446 §4.2.9); others get none.
   */
  count?: number;
  /** ticket_lifetime in seconds (at most 604800, RFC 8446 §4.6.1; default 7200); also bounds the tickets issued before (0: none resumes). */
  lifetime?: number;
  /**
   * The 32-byte key that seals tickets (AES-256-GCM). Give every connection of one server the same key,
   * or tickets cannot be used to resume. Default: drawn from `random` for this connection only. All zeros is
   * a TypeError: whoever knows the key seals tickets naming any client (test/security/all-zero-secrets).
   */
  key?: Uint8Array;
  /**
   * Accept 0-RTT data up to this many bytes per connection and advertise it in tickets; absent: no 0-RTT.
   * A ticket issued under a larger value (or none) gets no 0-RTT: its client may send what the ticket said.
   */
  maxEarlyDataSize?: number;
  /** The single-use register that makes 0-RTT replay-safe; 0-RTT is refused without one. */
  antiReplay?: SingleUseTickets;
  /** Also resume without (EC)DHE when the client offers only psk_ke (no forward secrecy). Default false. */
  allowPskWithoutDhe?: boolean;
  /** How far the client's view of a ticket's age may differ from ours for 0-RTT (ms, default 10000). */
  maxAgeSkewMs?: number;
  /**
   * Replace the sealing: turn the encoded session state into the opaque ticket, and back (undefined for a
   * ticket that is not ours). Replays of published traces inject the trace's ticket here.
   */
  seal?: (state: Uint8Array) => Uint8Array;
  open?: (ticket: Uint8Array) => Uint8Array | undefined;
}

/**
 * What a client offers by default, in order: what browsers send in 2026 (Chrome, Firefox), the
 * X25519MLKEM768 hybrid first (draft-ietf-tls-ecdhe-mlkem), then the classical ECDHE groups. The first
 * ClientHello carries key shares for X25519MLKEM768 and x25519 (see `keyShareGroups`).
 */
export const DEFAULT_GROUPS: readonly number[] = Object.freeze([NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1]);

/**
 * What a server accepts by default, in its order of preference: post-quantum hybrids first ("secure if either
 * X25519 or ML-KEM holds"), then classical ECDHE, then ML-KEM alone, then the two smaller finite-field groups
 * (slowest, largest shares). Not ffdhe4096..8192: a client pays nothing for any in-range Y, while our
 * exponentiation in those groups costs tens of milliseconds, so a default server would do that work for anyone
 * who asks. OpenSSL 3.5's default list stops at ffdhe3072 too. Name them in `groups` to accept them.
 */
export const DEFAULT_SERVER_GROUPS: readonly number[] = Object.freeze([
  NamedGroup.X25519MLKEM768,
  NamedGroup.SecP256r1MLKEM768,
  NamedGroup.SecP384r1MLKEM1024,
  NamedGroup.x25519,
  NamedGroup.secp256r1,
  NamedGroup.x448,
  NamedGroup.secp384r1,
  NamedGroup.secp521r1,
  NamedGroup.MLKEM768,
  NamedGroup.MLKEM1024,
  NamedGroup.ffdhe2048,
  NamedGroup.ffdhe3072,
]);

export const DEFAULT_SIGNATURE_SCHEMES: readonly number[] = Object.freeze([
  SignatureScheme.ed25519,
  SignatureScheme.ed448,
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.ecdsa_secp521r1_sha512,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.rsa_pss_pss_sha256,
  SignatureScheme.rsa_pss_pss_sha384,
  SignatureScheme.rsa_pss_pss_sha512,
  // Only for certificate signatures (RFC 8446 §4.2.3): never used in CertificateVerify.
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
  SignatureScheme.rsa_pkcs1_sha512,
]);

/** What CAs sign with and TLS 1.3 never uses in CertificateVerify (RFC 8446 §4.2.3): accepted in certificates by default. */
const CERTIFICATE_ONLY_SCHEMES: readonly number[] = [SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pkcs1_sha512];

/**
 * The schemes a config accepts in certificates: `certificateSignatureSchemes`, else `signatureSchemes` plus
 * CERTIFICATE_ONLY_SCHEMES (the same array when it holds them all, as the default list does).
 */
export function certificateSignatureSchemesOf(config: Pick<CommonConfig, 'signatureSchemes' | 'certificateSignatureSchemes'>): readonly number[] {
  if (config.certificateSignatureSchemes) return config.certificateSignatureSchemes;
  const signatureSchemes = config.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES;
  const missing = CERTIFICATE_ONLY_SCHEMES.filter((s) => !signatureSchemes.includes(s));
  return missing.length === 0 ? signatureSchemes : [...signatureSchemes, ...missing];
}

/**
 * The body of our signature_algorithms_cert (RFC 8446 §4.2.3): sent only when the schemes we accept in
 * certificates differ from signature_algorithms, which otherwise "also applies to signatures appearing in
 * certificates".
 */
export function signatureAlgorithmsCert(cfg: Resolved): readonly number[] | undefined {
  const { signatureSchemes, certificateSignatureSchemes: cert } = cfg;
  const same = cert === signatureSchemes || (cert.length === signatureSchemes.length && cert.every((s, i) => s === signatureSchemes[i]));
  return same ? undefined : cert;
}

/** The parts of a config every connection uses, with defaults filled in. */
export interface Resolved {
  provider: CryptoProvider;
  random: RandomSource;
  now?: () => number;
  cipherSuites: readonly number[];
  groups: readonly number[];
  signatureSchemes: readonly number[];
  certificateSignatureSchemes: readonly number[];
  alpnProtocols: readonly string[];
  trust?: TrustPolicy;
  minimumRsaKeyBits: number;
  trace: boolean;
  traceRecords: boolean;
  secretEvents: boolean;
  traceEvents: boolean;
  keyUpdateAfterRecords?: number;
  externalPsks?: ExternalPskSet;
  certificateCompression?: readonly CertificateCompressor[];
}

export function resolveCommon(config: CommonConfig, role: 'client' | 'server'): Resolved {
  const resolved: Resolved = {
    provider: config.provider ?? nobleProvider,
    random: ownedDraws(config.random ?? systemRandom),
    cipherSuites: config.cipherSuites ?? DEFAULT_CIPHER_SUITES,
    groups: config.groups ?? (role === 'client' ? DEFAULT_GROUPS : DEFAULT_SERVER_GROUPS),
    signatureSchemes: config.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES,
    certificateSignatureSchemes: certificateSignatureSchemesOf(config),
    alpnProtocols: config.alpnProtocols ?? [],
    minimumRsaKeyBits: config.minimumRsaKeyBits ?? DEFAULT_MINIMUM_RSA_KEY_BITS,
    trace: config.trace ?? false,
    traceRecords: config.traceRecords ?? false,
    secretEvents: config.secretEvents ?? true,
    traceEvents: config.traceEvents ?? true,
  };
  if (config.now) resolved.now = config.now;
  if (config.externalPsks) resolved.externalPsks = externalPskSet(resolveExternalPsks(config.externalPsks), externalPskModes(config.externalPsks));
  if (config.certificateCompression) resolved.certificateCompression = checkCertificateCompression(config.certificateCompression);
  if (config.trust) resolved.trust = config.trust;
  if (config.keyUpdateAfterRecords !== undefined) resolved.keyUpdateAfterRecords = config.keyUpdateAfterRecords;
  return resolved;
}
