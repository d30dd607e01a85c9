// tls13-lab's public surface: the sans-I/O engine and what it needs to be configured.
export { Connection, type DecisionAnswer } from './handshake/connection.js';
export { InMemoryPair, type Flight, type PairOptions } from './handshake/pair.js';
export type { CertifiedKey, ClientConfig, ClientHelloShape, ServerConfig, TicketConfig } from './handshake/config.js';
export { DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES } from './handshake/config.js';
export { DEFAULT_CIPHER_SUITES, SUITES } from './handshake/suites.js';
export type { NegotiatedInfo, PendingDecision, Role, SessionTicket, TlsEvent } from './handshake/events.js';
export { SECRETS, type SecretName } from './handshake/keyschedule.js';
export { evaluateTrust, parsePin, type PeerIdentity, type TrustPolicy, type TrustVerdict } from './auth/trust.js';
export { parseCertificate, type Certificate } from './auth/x509.js';
export { buildCertificate, generateKeyPair, type CertificateSpec } from './auth/builder.js';
export { loadPrivateKey, parseSpki, encodeSpki, encodePkcs8, spkiSha256 } from './auth/keys.js';
export { parsePem, readPemOrDer, toPem } from './auth/pem.js';
export type { CryptoProvider, PrivateKey, PublicKey, RandomSource } from './crypto/provider.js';
export { nobleProvider } from './crypto/noble.js';
export { fixedRandom, seededRandom, systemRandom } from './crypto/random.js';
export * from './wire/enums.js';
export { TlsError, REASONS, type Reason } from './wire/errors.js';
export type * from './wire/types.js';
