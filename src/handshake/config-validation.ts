// A config is the caller's input: checked whole, synchronously, before anything is sent. A misshaped field
// is a TypeError that names it ("trust.kind must be one of ...: got 'pined-key'"), never an alert to the
// peer and never a handshake that waits for its timeout. One table per config type, so that the compiler
// insists every field has its check (`Schema<T>` has a key for each field of T).
import { parseSpki, validateMinimumRsaKeyBits } from '../auth/keys.js';
import { checkKeyPairs } from './key-pairs.js';
import { type Check, type Schema, mismatch, required, bool, fn, bytes, text, anObject, onlyTrue, integer, uint16, oneOf, bytesOfLength, arrayOf, either, object, topLevel } from './config-checks.js';
import { parseConfiguredCertificate } from '../auth/configured-certificates.js';
import type { CryptoProvider, PrivateKey, PublicKey } from '../crypto/provider.js';
import { rsaPublicKeyProblem } from '../crypto/rsa.js';
import { parseOcspResponse } from '../auth/ocsp.js';
import { PROFILES } from '../auth/path/profile.js';
import { checkTrustPolicy, kindNeedingClock, missingClock, parsePin, type TrustPolicy } from '../auth/trust.js';
import { utf8 } from '../wire/bytes.js';
import { ExtensionType } from '../wire/enums.js';
import { checkCertificateCompression, type CertificateCompressor } from './certificate-compression.js';
import { REASONS, TlsError } from '../wire/errors.js';
import { checkDistinctKeys, checkOfferable, isAllZero, resolveExternalPsks, type ExternalPskConfig } from './external-psk.js';
import type { CertifiedKey, ClientConfig, ClientHelloShape, RawPublicKeyIdentity, ResumptionConfig, ServerConfig, TicketConfig } from './config.js';
import { groupName, IMPLEMENTED_GROUPS } from './negotiation.js';
import { MIN_RECORDS_PER_WRITE_KEY } from './key-usage.js';
import { checkServerFlightShape, type ServerFlightShape, type ShapedMessage, type TicketShape } from './server/flight-shape.js';

/** RFC 7301 §3.1: non-empty, at most 255 bytes each. */
const alpnProtocol: Check = (v, path) => {
  text(v, path);
  const length = utf8.encode(v as string).length;
  if (length < 1 || length > 255) mismatch(path, 'a protocol name of 1 to 255 bytes (RFC 7301 §3.1)', v);
};

/** A SHA-256 pin as parsePin reads it. */
const pin: Check = (v, path) => {
  text(v, path);
  try {
    parsePin(v as string);
  } catch (e) {
    throw new TypeError(`${path}: ${(e as Error).message}`);
  }
};

const certificateType = oneOf('x509', 'raw-public-key');
const signerOrKey = (v: unknown, path: string) => {
  const { privateKey, signer } = v as { privateKey?: unknown; signer?: unknown };
  if (privateKey === undefined && signer === undefined) throw new TypeError(`${path} needs a privateKey or a signer`);
};

const bigint: Check = (v, path) => (typeof v === 'bigint' && v > 0n) || mismatch(path, 'a positive bigint', v);
const curveName = oneOf('P-256', 'P-384', 'P-521');
/** The fields of each kind of PrivateKey (crypto/provider.ts); the key itself is the provider's to judge. */
const PRIVATE_KEYS: { [K in PrivateKey['kind']]: Schema<Extract<PrivateKey, { kind: K }>> } = {
  ed25519: { kind: () => {}, seed: required(bytesOfLength(32, 32)) },
  ed448: { kind: () => {}, seed: required(bytesOfLength(57, 57)) },
  ecdsa: { kind: () => {}, curve: required(curveName), d: required(bytesOfLength(1, 66)) },
  rsa: { kind: () => {}, n: required(bigint), e: required(bigint), d: required(bigint), p: bigint, q: bigint },
  'rsa-pss': { kind: () => {}, n: required(bigint), e: required(bigint), d: required(bigint), p: bigint, q: bigint, params: anObject },
  'ml-dsa': { kind: () => {}, parameterSet: required(oneOf('ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87')), seed: required(bytesOfLength(32, 32)) },
};
const PRIVATE_KEY_KINDS = Object.keys(PRIVATE_KEYS) as Array<PrivateKey['kind']>;
const PRIVATE_KEY_FIELDS = Object.fromEntries(PRIVATE_KEY_KINDS.map((k) => [k, object(PRIVATE_KEYS[k], { exact: false })])) as Record<PrivateKey['kind'], Check>;
/** A private key of a kind we sign with, with fields of the right types: not a key that fails at the first CertificateVerify. */
const privateKey: Check = (v, path) => {
  anObject(v, path);
  const key = v as { kind?: unknown };
  oneOf(...PRIVATE_KEY_KINDS)(key.kind, `${path}.kind`);
  PRIVATE_KEY_FIELDS[key.kind as PrivateKey['kind']](v, path);
  // An RSA key we would refuse from a peer cannot sign for us either: the same rules (crypto/rsa.ts).
  const rsa = key as { kind: string; n: bigint; e: bigint };
  const problem = rsa.kind === 'rsa' || rsa.kind === 'rsa-pss' ? rsaPublicKeyProblem(rsa.n, rsa.e) : undefined;
  if (problem) throw new TypeError(`${path}: ${problem}`);
};

/** Every operation the engine calls on a provider (crypto/provider.ts). */
const PROVIDER: Schema<CryptoProvider> = {
  name: text,
  hashLength: required(fn),
  hash: required(fn),
  createHash: required(fn),
  hmac: required(fn),
  hkdfExtract: required(fn),
  hkdfExpand: required(fn),
  aeadKeyLength: required(fn),
  createAead: required(fn),
  keyExchange: required(fn),
  sign: required(fn),
  verify: required(fn),
  publicKeyOf: required(fn),
};

const providerShape = object(PROVIDER, { exact: false });

const CERTIFIED_KEY: Schema<CertifiedKey> = {
  chain: required(arrayOf(bytes, { nonEmpty: true })),
  privateKey,
  signer: fn,
  rawPublicKey: bool,
};
/** Not exact: an object with more fields (a test identity, a loaded credential) is welcome. */
const certifiedKeyFields = object(CERTIFIED_KEY, { exact: false });
const keyName = (key: PublicKey | PrivateKey) => (key.kind === 'ecdsa' ? `an ECDSA ${key.curve} key` : `an ${key.kind} key`);

/**
 * Every entry of our chain parses as what the peer reads it as: the leaf as a certificate (an RFC 7250 raw key's
 * one entry as a SubjectPublicKeyInfo), the entries after it as certificates. One that does not is refused by the
 * peer with bad_certificate (OpenSSL parses every entry), blaming it for our configuration; a client also parses
 * its chain to match certificate_authorities (client-certificate.ts), and verifies its own signatures with the
 * leaf's key (signatures.ts). The parse is the memoised one the handshake uses.
 */
const chainParses: Check = (v, path) => {
  const { chain, rawPublicKey: raw } = v as CertifiedKey;
  if (raw) return spkiParses(chain[0], `${path}.chain[0]`);
  for (let i = 0; i < chain.length; i++) {
    try {
      parseConfiguredCertificate(chain[i]!);
    } catch (e) {
      throw new TypeError(`${path}.chain[${i}] is not a certificate we can parse: ${(e as Error).message}`);
    }
  }
};

const spkiParses: Check = (v, path) => {
  try {
    parseSpki(v as Uint8Array);
  } catch (e) {
    throw new TypeError(`${path} is not a SubjectPublicKeyInfo we can parse: ${(e as Error).message}`);
  }
};

/**
 * The private key must be of the kind of the leaf's key (ECDSA: the same curve; RSA: the same modulus), or
 * the first CertificateVerify fails with internal_error after our first flight is sent (that it is the leaf's
 * key itself is checked with the config's provider: checkKeyPairs). After chainParses: the leaf parses.
 */
const keyFitsCertificate: Check = (v, path) => {
  const { chain, privateKey, rawPublicKey: raw } = v as CertifiedKey;
  if (!privateKey || raw) return;
  const leafKey = parseConfiguredCertificate(chain[0]!).publicKey;
  if (!leafKey) return;
  const fits =
    leafKey.kind === privateKey.kind &&
    (leafKey.kind !== 'ecdsa' || leafKey.curve === (privateKey as Extract<PrivateKey, { kind: 'ecdsa' }>).curve) &&
    (!('n' in leafKey) || leafKey.n === (privateKey as Extract<PrivateKey, { kind: 'rsa' }>).n);
  if (!fits) throw new TypeError(`${path}.privateKey is ${keyName(privateKey)} that does not fit the certificate's key (${keyName(leafKey)}${'n' in leafKey ? `, modulus of ${leafKey.n.toString(2).length} bits` : ''})`);
};

/** A certificate and its key, of either type: a `client-certificate` answer may be a raw key when one was negotiated. */
const certifiedKey: Check = (v, path) => {
  certifiedKeyFields(v, path);
  signerOrKey(v, path);
  chainParses(v, path);
  keyFitsCertificate(v, path);
};

/** A config's `certificate` is sent where X.509 is negotiated: a raw key marked so would go out as a certificate. */
const x509CertifiedKey: Check = (v, path) => {
  certifiedKey(v, path);
  if ((v as CertifiedKey).rawPublicKey) throw new TypeError(`${path}.rawPublicKey: ${path} is sent as an X.509 chain; a raw public key is configured in rawPublicKey ({ privateKey | signer, spki })`);
};

const RAW_PUBLIC_KEY: Schema<RawPublicKeyIdentity> = { privateKey, signer: fn, spki: (v, path) => (bytes(v, path), spkiParses(v, path)) };
const rawPublicKeyFields = object(RAW_PUBLIC_KEY, { exact: false });
const rawPublicKey: Check = (v, path) => {
  rawPublicKeyFields(v, path);
  signerOrKey(v, path);
};

type TrustSchemas = { [K in TrustPolicy['kind']]: Schema<Extract<TrustPolicy, { kind: K }>> };
const kind: Check = () => {};
const TRUST: TrustSchemas = {
  ca: {
    kind,
    anchors: required(arrayOf(bytes, { nonEmpty: true })),
    profile: oneOf(...Object.keys(PROFILES)),
    crls: arrayOf(either('DER (a Uint8Array) or PEM text', bytes, text)),
    unknownRevocationStatus: oneOf('allow', 'deny'),
    maxDepth: integer(1, 16),
  },
  'pinned-certificate': { kind, certificates: required(arrayOf(either('DER (a Uint8Array) or a SHA-256 pin', bytes, pin), { nonEmpty: true })) },
  'pinned-key': { kind, spkiSha256: arrayOf(pin), keys: arrayOf(bytes) },
  'any-of': { kind, policies: required(arrayOf((v, path) => trustPolicy(v, path), { nonEmpty: true })) },
  ask: { kind },
};
const TRUST_KINDS = Object.keys(TRUST) as Array<TrustPolicy['kind']>;
const trustKind = oneOf(...TRUST_KINDS);
const TRUST_FIELDS = Object.fromEntries(TRUST_KINDS.map((k) => [k, object(TRUST[k], { exact: true })])) as Record<TrustPolicy['kind'], Check>;

function trustPolicy(v: unknown, path: string): void {
  anObject(v, path);
  const policy = v as { kind?: unknown };
  trustKind(policy.kind, `${path}.kind`);
  TRUST_FIELDS[policy.kind as TrustPolicy['kind']](v, path);
}

/** The shape, then what only parsing tells: anchors that are certificates, CRLs that are CRLs. */
const trust: Check = (v, path) => {
  trustPolicy(v, path);
  checkTrustPolicy(v as TrustPolicy);
};

const SESSION_TICKET: Check = object(
  {
    // Whatever a NewSessionTicket holds (RFC 8446 §4.6.1); one that does not fit our ClientHello is not offered.
    ticket: required(bytesOfLength(1, 0xffff)),
    psk: required(bytes),
    nonce: required(bytes),
    cipherSuite: required(uint16),
    lifetime: required(integer(0, 604800)),
    ageAdd: required(integer(0, 2 ** 32 - 1)),
    // The stored server identity is re-judged from its chain when resuming (client/psk.ts chooseTicket).
    peer: object({ chain: required(arrayOf(bytes, { nonEmpty: true })) }, { exact: false }),
    // The external PSK the server proved then (client/psk.ts chooseTicket): an identity and a SHA-256.
    externalPsk: object({ identity: required(bytesOfLength(1, 0xffff)), keySha256: required(bytesOfLength(32, 32)) }, { exact: true }),
  },
  { exact: false },
);

const RESUMPTION: Schema<ResumptionConfig> = {
  ticket: required(SESSION_TICKET),
  earlyData: bytes,
  modes: arrayOf(oneOf('psk_dhe_ke', 'psk_ke'), { nonEmpty: true }),
  serverVerdict: object({ trusted: required(bool), rule: required(text), detail: required(text) }, { exact: true }),
};

const EXTENSION_NAMES = Object.keys(ExtensionType);
const CLIENT_HELLO: Schema<ClientHelloShape> = {
  legacySessionId: bytesOfLength(0, 32),
  extensions: arrayOf(either('an extension name or { type, data }', oneOf(...EXTENSION_NAMES), object({ type: required(uint16), data: required(bytes) }, { exact: true }))),
  advertisedGroups: arrayOf(uint16),
  advertisedSignatureSchemes: arrayOf(uint16),
  advertisedCipherSuites: arrayOf(uint16),
  grease: bool,
  recordSizeLimit: integer(64, 2 ** 14 + 1),
};

const antiReplayShape = object({ firstUse: required(fn) }, { exact: false });

const TICKETS: Schema<TicketConfig> = {
  count: integer(0, 255),
  lifetime: integer(0, 604800), // RFC 8446 §4.6.1: at most seven days
  key: (v, path) => {
    bytesOfLength(32, 32)(v, path);
    if (isAllZero(v as Uint8Array)) throw new TypeError(`${path} is all zeros: anyone could seal a ticket naming any client; draw it from a CSPRNG`);
  },
  maxEarlyDataSize: integer(0, 2 ** 32 - 1),
  antiReplay: antiReplayShape,
  allowPskWithoutDhe: bool,
  maxAgeSkewMs: integer(0, 2 ** 31 - 1),
  seal: fn,
  open: fn,
};

const extensionOrder = arrayOf(uint16);
const EXTENSION_ORDERS: Schema<Record<ShapedMessage, number[]>> = {
  serverHello: extensionOrder,
  helloRetryRequest: extensionOrder,
  encryptedExtensions: extensionOrder,
  certificateRequest: extensionOrder,
  newSessionTicket: extensionOrder,
  certificateEntry: extensionOrder,
};

const TICKET_SHAPE: Schema<TicketShape> = {
  nonceLength: integer(1, 255),
  nonces: arrayOf(bytesOfLength(0, 255)),
  ageAdds: arrayOf(integer(0, 2 ** 32 - 1)),
  extensions: arrayOf(object({ type: required(uint16), data: required(bytes) }, { exact: true })),
};

const recordMapping = oneOf('coalesced', 'one-per-record');
const SERVER_FLIGHT: Schema<ServerFlightShape> = {
  extensionOrder: object(EXTENSION_ORDERS, { exact: true }),
  serverNameAck: bool,
  handshakeRecords: recordMapping,
  ticketRecords: recordMapping,
  newSessionTicket: object(TICKET_SHAPE, { exact: true }),
};

type Common = Omit<ClientConfig, keyof ClientOnly>;
type ClientOnly = Omit<ClientConfig, keyof ServerConfig>;

const COMMON: Schema<Common> = {
  provider: providerShape,
  random: fn,
  now: fn,
  cipherSuites: arrayOf(uint16, { nonEmpty: true }),
  groups: arrayOf(uint16, { nonEmpty: true }),
  signatureSchemes: arrayOf(uint16, { nonEmpty: true }),
  certificateSignatureSchemes: arrayOf(uint16, { nonEmpty: true }),
  alpnProtocols: arrayOf(alpnProtocol),
  trust,
  minimumRsaKeyBits: (v, path) => (typeof v === 'number' ? validateMinimumRsaKeyBits(v) : mismatch(path, 'a number of bits', v)),
  trace: bool,
  traceRecords: bool,
  secretEvents: bool,
  traceEvents: bool,
  recordPadding: fn,
  keyUpdateAfterRecords: integer(MIN_RECORDS_PER_WRITE_KEY, Number.MAX_SAFE_INTEGER),
  // Fields both roles have but each shapes in its own way:
  certificate: () => {},
  rawPublicKey: () => {},
  clientCertificateTypes: arrayOf(certificateType, { nonEmpty: true }),
  externalPsks: (v, path) => {
    anObject(v, path);
    checkDistinctKeys(resolveExternalPsks(v as ExternalPskConfig));
  },
  certificateCompression: (v, path) => {
    arrayOf(anObject)(v, path);
    checkCertificateCompression(v as CertificateCompressor[]);
  },
};

const anyClientCertificate = either("a CertifiedKey ({ chain, privateKey | signer }), an array of them, or 'ask'", x509CertifiedKey, arrayOf(x509CertifiedKey), oneOf('ask'));
/** An object is judged as the CertifiedKey (or list) it is, so that the error says what is wrong inside it. */
const clientCertificate: Check = (v, path) =>
  Array.isArray(v) ? arrayOf(x509CertifiedKey)(v, path) : typeof v === 'object' && v !== null ? x509CertifiedKey(v, path) : anyClientCertificate(v, path);

const CLIENT: Schema<ClientConfig> = {
  ...COMMON,
  serverName: text,
  insecureSkipServerNameCheck: onlyTrue,
  // A key share is made at once, so only for a group we implement (offered groups may be any code point).
  keyShareGroups: arrayOf((v, path) => (uint16(v, path), groupName(v as number) !== undefined) || mismatch(path, `a group we implement (${IMPLEMENTED_GROUPS.join(', ')})`, v)),
  // The common shape first: `either` pays for a thrown TypeError per check that does not fit, on every connection.
  certificate: clientCertificate,
  compatibilityMode: bool,
  postHandshakeAuth: bool,
  statusRequest: bool,
  rawPublicKey,
  serverCertificateTypes: arrayOf(certificateType, { nonEmpty: true }),
  clientHello: object(CLIENT_HELLO, { exact: true }),
  resumption: object(RESUMPTION, { exact: true }),
};

const SERVER: Schema<ServerConfig> = {
  ...COMMON,
  certificate: x509CertifiedKey,
  rawPublicKey,
  clientAuth: oneOf('none', 'optional', 'require'),
  sendCertificateAuthorities: bool,
  advertiseGroups: bool,
  recordSizeLimit: integer(64, 2 ** 14 + 1),
  encryptedExtensionsOrder: arrayOf(oneOf(...EXTENSION_NAMES), { distinct: true }),
  helloRetryForPreferredGroup: bool,
  helloRetryCookie: fn,
  tickets: object(TICKETS, { exact: true }),
  serverFlight: object(SERVER_FLIGHT, { exact: true }),
  ocspResponse: (v, path) => {
    bytes(v, path);
    try {
      parseOcspResponse(v as Uint8Array);
    } catch (e) {
      if (e instanceof TlsError) throw new TypeError(`${path} must be a DER OCSPResponse (RFC 6960 §4.2.1): ${e.detail}`);
      throw e;
    }
  },
};

const clientShape = topLevel(CLIENT);
const serverShape = topLevel(SERVER);

/** Certificate validity (a CA's path or a pinned certificate) needs a time: the engine reads no clock of its own. */
function clockForValidity(config: ClientConfig | ServerConfig): void {
  const kind = kindNeedingClock(config.trust);
  if (kind && !config.now) throw missingClock(kind);
}

/**
 * The objects a snapshot holds as the caller gave them (config-snapshot.ts: code, and the client's ticket), judged
 * again on each use of a snapshot checked before: the caller can change them in place, which leaves the snapshot
 * the same (test/security/config-memo-attacks).
 */
export function validateGivenObjects(config: ClientConfig | ServerConfig): void {
  if (config.provider !== undefined) providerShape(config.provider, 'provider');
  const { tickets } = config as ServerConfig;
  if (tickets?.antiReplay !== undefined) antiReplayShape(tickets.antiReplay, 'tickets.antiReplay');
  if (config.certificateCompression !== undefined) checkCertificateCompression(config.certificateCompression);
  const { resumption } = config as ClientConfig;
  if (resumption?.ticket !== undefined) SESSION_TICKET(resumption.ticket, 'resumption.ticket');
}

/** Every field of a client config, and what the fields need of each other. Throws a TypeError. */
export function validateClientConfig(config: ClientConfig): void {
  clientShape(config);
  checkKeyPairs(config);
  if (!config.trust && !config.externalPsks) throw new TypeError('trust is required: how the client judges the server certificate (docs/node.md lists the policies), unless externalPsks authenticate the server');
  clockForValidity(config);
  if (config.externalPsks) checkOfferable(resolveExternalPsks(config.externalPsks));
  // Any other policy judges the ticket's server itself (client/psk.ts chooseTicket): a second verdict would be ignored.
  if (config.resumption?.serverVerdict && config.trust?.kind !== 'ask') throw new TypeError("resumption.serverVerdict is for trust: { kind: 'ask' } only: the trust policy judges the ticket's server itself");
}

/** Every field of a server config, and what the fields need of each other. Throws a TypeError. */
export function validateServerConfig(config: ServerConfig): void {
  serverShape(config);
  checkKeyPairs(config);
  if (!config.certificate && !config.rawPublicKey && !config.externalPsks) throw new TypeError('a server needs certificate, rawPublicKey or externalPsks');
  if (config.serverFlight) checkServerFlightShape(config.serverFlight, config.tickets);
  if ((config.clientAuth ?? 'none') !== 'none' && !config.trust) throw new TypeError(`clientAuth '${config.clientAuth}' needs trust: how the server judges client certificates`);
  clockForValidity(config);
}

/**
 * The caller's answer to a `verify-peer` decision. `trusted` is exactly true or false: a Promise (an async
 * check that was not awaited), the string 'false' or 1 are truthy and would accept the peer.
 */
const trustAnswer = object(
  { trusted: required((v, path) => typeof v === 'boolean' || mismatch(path, v instanceof Promise ? 'true or false (await the check before answering)' : 'true or false', v)), reason: oneOf(...Object.keys(REASONS)), rule: text, detail: text },
  { exact: false },
);
export const validateTrustAnswer = (verdict: unknown): void => trustAnswer(verdict, 'verdict');
/**
 * The caller's answer to a `client-certificate` decision, checked as the same value in the config's
 * `certificate` is: its shape, a key of the leaf's kind, the leaf's own key (RSA: d the inverse of e), judged
 * by the provider that will sign (test/security/client-certificate-answer).
 */
export function validateCertificateAnswer(certificate: unknown, provider: CryptoProvider): void {
  certifiedKey(certificate, 'certificate');
  checkKeyPairs({ provider, certificate: certificate as CertifiedKey });
}

/** The option names each config accepts (the node adapter refuses all others). */
export const CLIENT_CONFIG_FIELDS: readonly string[] = Object.keys(CLIENT);
export const SERVER_CONFIG_FIELDS: readonly string[] = Object.keys(SERVER);
