// node:tls's option names, with node's meaning, translated into the engine's config: `servername`, `ca`,
// `cert`, `key`, `rejectUnauthorized`, `checkServerIdentity`, `ALPNProtocols`, `minVersion`, `maxVersion`,
// `requestCert`, `allowHalfOpen`. Every other option that is neither ours nor node's is a TypeError that
// names it, thrown before a byte or a TCP connection goes out (docs/node.md lists them all).
import { X509Certificate } from 'node:crypto';
import { rootCertificates, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { loadPrivateKey } from '../auth/keys.js';
import { parsePem } from '../auth/pem.js';
import { parseCertificate } from '../auth/x509.js';
import { evaluateTrust, type TrustPolicy, type TrustVerdict } from '../auth/trust.js';
import { TlsError } from '../wire/errors.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { systemRandom } from '../crypto/random.js';
import { showValue } from '../wire/show-value.js';
import { nodeCryptoProvider } from './crypto.js';
import { CLIENT_CONFIG_FIELDS, SERVER_CONFIG_FIELDS, validateClientConfig } from '../handshake/config-validation.js';
import { snapshotConfig } from '../handshake/config-snapshot.js';
import { certificateSignatureSchemesOf, type CertifiedKey, type ClientConfig, type ServerConfig } from '../handshake/config.js';
import type { SessionTicket } from '../handshake/events.js';

type Pem = string | Uint8Array;
type SecureVersion = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';
const SECURE_VERSIONS: readonly string[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** What node:tls's `checkServerIdentity` returns: an Error to refuse the server, undefined to accept it. */
export type CheckServerIdentity = (hostname: string, cert: PeerCertificate) => Error | undefined;

/** node:tls options both roles take. */
export interface NodeTlsOptions {
  /** PEM (or DER) certificates to trust: CA certificates, or the peer's own self-signed certificate. */
  ca?: Pem | Pem[];
  /** Our certificate chain, PEM, leaf first (with `key`). */
  cert?: Pem | Pem[];
  /** The private key of `cert`'s leaf: PEM or DER, PKCS#8, SEC1 or PKCS#1, not encrypted. */
  key?: Pem | [Pem];
  /** ALPN protocols in order of preference: names, or node's wire format ([len][name]...). */
  ALPNProtocols?: Array<string | Uint8Array> | Uint8Array;
  /** Only TLS 1.3 is spoken: any minVersion is met; maxVersion must be 'TLSv1.3'. */
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** false: when the peer finishes (close_notify, or TCP end), end our side too (node's default). */
  allowHalfOpen?: boolean;
}

export interface NodeTlsClientOptions extends NodeTlsOptions {
  /** The server's name: sent as SNI (unless an IP address) and checked against its certificate. */
  servername?: string;
  /**
   * false: connect even to a server that fails verification; `authorized` is then false and
   * `authorizationError` says why, and `getPeerIdentity()` reports nobody. Default true.
   */
  rejectUnauthorized?: boolean;
  /** Replaces the name check (after the chain was verified), as node:tls's option does. */
  checkServerIdentity?: CheckServerIdentity;
}

export interface NodeTlsServerOptions extends NodeTlsOptions {
  /** Ask clients for a certificate and refuse those that `ca` (or `trust`) does not accept. */
  requestCert?: boolean;
  /** With requestCert: must stay true (an untrusted client certificate is always refused). */
  rejectUnauthorized?: boolean;
}

/** How the adapter itself judges a server when node's verification options ask for it. */
export interface NodeVerification {
  /** The real policy (the engine is given `ask` and the adapter answers with this). */
  trust: TrustPolicy;
  /** The name checked: servername, else host. */
  hostname: string | undefined;
  rejectUnauthorized: boolean;
  checkServerIdentity?: CheckServerIdentity;
  /** What evaluateTrust needs from the config: the same provider, clock, RSA floor and certificate schemes as the engine's. */
  context: { provider: CryptoProvider; now: () => number; minimumRsaKeyBits?: number; certificateSignatureSchemes: readonly number[] };
}

/** Options of tls13-lab/node that are neither engine config nor node:tls's. */
const ADAPTER_CLIENT_OPTIONS = ['host', 'port', 'socket', 'session', 'earlyData', 'handshakeTimeout'];
const ADAPTER_SERVER_OPTIONS = ['handshakeTimeout', 'noDelay'];
const NODE_SHARED = ['ca', 'cert', 'key', 'ALPNProtocols', 'minVersion', 'maxVersion', 'allowHalfOpen'];
const NODE_CLIENT = [...NODE_SHARED, 'servername', 'rejectUnauthorized', 'checkServerIdentity'];
const NODE_SERVER = [...NODE_SHARED, 'requestCert', 'rejectUnauthorized'];

/** node:tls options we do not take, and what to use instead. */
const INSTEAD: Record<string, string> = {
  ciphers: 'cipherSuites (code points, e.g. CipherSuite.TLS_AES_128_GCM_SHA256)',
  ecdhCurve: 'groups (code points, e.g. NamedGroup.x25519)',
  sigalgs: 'signatureSchemes (code points)',
  pfx: 'cert and key (PEM)',
  passphrase: 'an unencrypted key (openssl pkey -in key.pem -out plain.pem)',
  secureContext: 'the options themselves',
  enableTrace: "trace: true and the 'tlsEvent' events",
  sessionTimeout: 'tickets: { lifetime }',
  secureProtocol: 'nothing: only TLS 1.3 is spoken',
};

function refuseUnknown(options: object, known: ReadonlySet<string>, where: string): void {
  const unknown = Object.keys(options).filter((k) => !known.has(k) && (options as Record<string, unknown>)[k] !== undefined);
  if (unknown.length === 0) return;
  const hints = unknown.filter((k) => k in INSTEAD).map((k) => ` (${k}: use ${INSTEAD[k]})`);
  throw new TypeError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}${hints.join('')}`);
}

/** Every option name connect() takes. */
export const CLIENT_KNOWN: ReadonlySet<string> = new Set([...CLIENT_CONFIG_FIELDS, ...ADAPTER_CLIENT_OPTIONS, ...NODE_CLIENT]);
/**
 * The options translateClientOptions reads as properties, so inherited or not enumerable as well (as node:tls
 * reads them); the other engine fields it takes from the options' own enumerable fields only.
 */
export const CLIENT_PROPERTY_READS: readonly string[] = [
  ...NODE_CLIENT,
  ...['serverName', 'insecureSkipServerNameCheck', 'host', 'alpnProtocols', 'certificate', 'trust'],
];
const CLIENT_ENGINE_FIELDS: ReadonlySet<string> = new Set(CLIENT_CONFIG_FIELDS);
const SERVER_ENGINE_FIELDS: ReadonlySet<string> = new Set(SERVER_CONFIG_FIELDS);
const SERVER_KNOWN = new Set([...SERVER_CONFIG_FIELDS, ...ADAPTER_SERVER_OPTIONS, ...NODE_SERVER]);

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function pemOrDerList(name: string, value: unknown): Pem[] {
  const items = list(value);
  for (const [i, item] of items.entries()) {
    if (typeof item !== 'string' && !(item instanceof Uint8Array)) throw new TypeError(`${name}${Array.isArray(value) ? `[${i}]` : ''} must be PEM text or a Buffer`);
  }
  return items as Pem[];
}

/** Certificates as DER, from PEM (any number of blocks) or DER; a TypeError names the option. */
function certificatesOf(name: string, value: unknown): Uint8Array[] {
  return pemOrDerList(name, value).flatMap((item, i) => {
    const text = typeof item === 'string' ? item : looksLikePem(item) ? Buffer.from(item).toString('latin1') : undefined;
    const blocks = text === undefined ? [{ label: 'CERTIFICATE', der: item as Uint8Array }] : text.includes('-----BEGIN') ? parsePem(text) : [];
    const ders = blocks.filter((b) => b.label === 'CERTIFICATE').map((b) => b.der);
    if (ders.length === 0) throw new TypeError(`${name}[${i}]: no "-----BEGIN CERTIFICATE-----" block in it`);
    for (const der of ders) {
      try {
        parseCertificate(der);
      } catch (e) {
        throw new TypeError(`${name}[${i}]: not a certificate: ${(e as Error).message}`);
      }
    }
    return ders;
  });
}

const looksLikePem = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN');

function certifiedKeyOf(cert: unknown, key: unknown): CertifiedKey {
  if (cert === undefined || key === undefined) throw new TypeError(`${cert === undefined ? 'key' : 'cert'} needs ${cert === undefined ? 'cert' : 'key'} too`);
  const keys = pemOrDerList('key', key);
  if (keys.length !== 1) throw new TypeError(`key: one private key, for cert's leaf (got ${keys.length})`);
  try {
    return { chain: certificatesOf('cert', cert), privateKey: loadPrivateKey(keys[0]!) };
  } catch (e) {
    if (e instanceof TypeError) throw e;
    throw new TypeError(`key: ${(e as Error).message}`);
  }
}

/** node's ALPNProtocols: an array of names or buffers, or one buffer in wire format (RFC 7301 §3.1). */
function alpnOf(value: unknown): string[] {
  if (value instanceof Uint8Array && !Array.isArray(value)) {
    const names: string[] = [];
    for (let i = 0; i < value.length; i += 1 + value[i]!) names.push(Buffer.from(value.subarray(i + 1, i + 1 + value[i]!)).toString('utf8'));
    return names;
  }
  if (!Array.isArray(value)) throw new TypeError('ALPNProtocols must be an array of protocol names, or one Buffer in wire format');
  return value.map((name, i) => {
    if (typeof name === 'string') return name;
    if (name instanceof Uint8Array) return Buffer.from(name).toString('utf8');
    throw new TypeError(`ALPNProtocols[${i}] must be a string or a Buffer`);
  });
}

function checkVersions(options: NodeTlsOptions): void {
  for (const name of ['minVersion', 'maxVersion'] as const) {
    const value = options[name];
    if (value !== undefined && !SECURE_VERSIONS.includes(value)) throw new TypeError(`${name} must be one of ${SECURE_VERSIONS.map((v) => `'${v}'`).join(', ')}: got ${JSON.stringify(value)}`);
  }
  if (options.maxVersion !== undefined && options.maxVersion !== 'TLSv1.3') throw new TypeError(`maxVersion '${options.maxVersion}': tls13-lab speaks only TLS 1.3`);
}

/** One option, given in both spellings, must say the same thing. */
function eitherSpelling(ours: string, node: string, options: Record<string, unknown>): void {
  if (options[ours] !== undefined && options[node] !== undefined) throw new TypeError(`${ours} and ${node} are the same option: give one`);
}

function boolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${name} must be true or false: got ${JSON.stringify(value)}`);
}

/** The options both roles share, into `config` (ALPN, cert/key, versions). */
function translateShared(options: NodeTlsOptions & Record<string, unknown>, config: ClientConfig | ServerConfig): void {
  eitherSpelling('alpnProtocols', 'ALPNProtocols', options);
  eitherSpelling('certificate', 'cert', options);
  eitherSpelling('trust', 'ca', options);
  checkVersions(options);
  boolean('allowHalfOpen', options.allowHalfOpen);
  if (options.ALPNProtocols !== undefined) config.alpnProtocols = alpnOf(options.ALPNProtocols);
  if (options.cert !== undefined || options.key !== undefined) config.certificate = certifiedKeyOf(options.cert, options.key);
  if (options.ca !== undefined) config.trust = { kind: 'ca', anchors: certificatesOf('ca', options.ca) };
}

/**
 * The engine's config fields of `options`, without the node and adapter ones; unless given, node:crypto
 * (several times faster than the engine's pure-JavaScript default, docs/performance.md), the real clock and
 * OS randomness.
 */
function engineFields<T extends ClientConfig | ServerConfig>(options: object, fields: ReadonlySet<string>): T {
  // A loop and a Set: a client's options are translated for every connect() (Object.entries, filter and
  // fromEntries with a list search per key cost several µs of it).
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(options)) if (fields.has(key)) config[key] = (options as Record<string, unknown>)[key];
  const engine = config as T;
  engine.provider ??= nodeCryptoProvider;
  engine.now ??= () => Date.now();
  engine.random ??= systemRandom;
  return engine;
}

let roots: TrustPolicy | undefined;
/** Node's bundled Mozilla roots, those our X.509 parser reads (what node:tls trusts without `ca`). */
export function nodeRootCertificates(): TrustPolicy {
  if (!roots) {
    const anchors: Uint8Array[] = [];
    for (const pem of rootCertificates) {
      try {
        const der = parsePem(pem)[0]!.der;
        parseCertificate(der);
        anchors.push(der);
      } catch {
        // A root our parser cannot read could not anchor a chain either.
      }
    }
    roots = { kind: 'ca', anchors };
  }
  return roots;
}

/**
 * A client's options as the engine takes them. `serverName` comes from servername, else from `host`; trust
 * from `trust`, else `ca`, else node's root certificates. With rejectUnauthorized: false or a
 * checkServerIdentity, the engine asks (`verification` says how the adapter answers).
 */
export function translateClientOptions(
  options: NodeTlsClientOptions & ClientConfig & { host?: string },
): { config: ClientConfig; verification?: NodeVerification } {
  const record = options as NodeTlsClientOptions & Record<string, unknown>;
  refuseUnknown(options, CLIENT_KNOWN, 'connect');
  eitherSpelling('serverName', 'servername', record);
  boolean('rejectUnauthorized', options.rejectUnauthorized);
  if (options.servername !== undefined && typeof options.servername !== 'string') throw new TypeError(`servername must be a string: got ${typeof options.servername}`);
  if (options.checkServerIdentity !== undefined && typeof options.checkServerIdentity !== 'function') throw new TypeError('checkServerIdentity must be a function');
  const config = engineFields<ClientConfig>(options, CLIENT_ENGINE_FIELDS);
  translateShared(record, config);
  const named = options.serverName ?? options.servername;
  const hostname = options.insecureSkipServerNameCheck ? undefined : (named ?? options.host ?? 'localhost');
  if (hostname !== undefined) config.serverName = hostname;
  config.trust ??= nodeRootCertificates();
  if (options.rejectUnauthorized !== false && options.checkServerIdentity === undefined) return { config };
  // The engine gets `ask` in place of the real policy, so the real one is checked here, and judged later as
  // checked: a snapshot, as the engine takes of its config (config-snapshot.ts), not the caller's arrays.
  const checked = snapshotConfig(config);
  validateClientConfig(checked);
  if (options.checkServerIdentity !== undefined && options.insecureSkipServerNameCheck) throw new TypeError('checkServerIdentity and insecureSkipServerNameCheck contradict each other: drop one');
  const context = {
    provider: checked.provider!,
    now: checked.now!,
    certificateSignatureSchemes: certificateSignatureSchemesOf(checked),
    ...(checked.minimumRsaKeyBits ? { minimumRsaKeyBits: checked.minimumRsaKeyBits } : {}),
  };
  const verification: NodeVerification = { trust: checked.trust!, hostname, rejectUnauthorized: options.rejectUnauthorized !== false, context };
  if (options.checkServerIdentity) verification.checkServerIdentity = options.checkServerIdentity;
  return { config: { ...checked, trust: { kind: 'ask' } }, verification };
}

/** A server's options as the engine takes them: requestCert with `ca` (or `trust`) requires client certificates. */
export function translateServerOptions(options: NodeTlsServerOptions & ServerConfig): ServerConfig {
  const record = options as NodeTlsServerOptions & Record<string, unknown>;
  refuseUnknown(options, SERVER_KNOWN, 'createServer');
  boolean('requestCert', options.requestCert);
  boolean('rejectUnauthorized', options.rejectUnauthorized);
  if (options.rejectUnauthorized === false) {
    throw new TypeError("rejectUnauthorized: false is not supported on a server: an untrusted client certificate is always refused (clientAuth: 'optional' accepts clients without one)");
  }
  if (options.requestCert !== undefined && options.clientAuth !== undefined) throw new TypeError('requestCert and clientAuth are the same option: give one');
  const config = engineFields<ServerConfig>(options, SERVER_ENGINE_FIELDS);
  translateShared(record, config);
  if (options.requestCert) config.clientAuth = 'require';
  return config;
}

/** node's verification of a ticket's server, before the ticket is offered (judgeSession). */
export interface SessionJudgement {
  /** The engine's resumption.serverVerdict: the ticket's server as judged today (none when it names none). */
  serverVerdict?: Pick<TrustVerdict, 'trusted' | 'rule' | 'detail'>;
  /** Set when rejectUnauthorized: false let a server that fails verification through, as for a full handshake. */
  authorizationError?: string;
}

/**
 * A session under node's verification. The engine asks the adapter about certificates (trust `ask`) and
 * nobody is asked about a resumed session, so the ticket's server is judged here by today's real policy,
 * checkServerIdentity included (RFC 8446 §4.6.1: resume only with a server still valid for the name; node:tls
 * v20 does not call it again, we do, before offering); the engine reports that verdict once the resumed
 * server's Finished verifies, so a resumption is `authorized`, as node:tls keeps a session's result. One the policy refuses ('refused')
 * is not offered: the full handshake judges the certificate again. Without node's verification the engine
 * judges a ticket's server itself: undefined, as for a ticket of a server that proved an external PSK, which the
 * engine offers only while the config holds that PSK with that key, and reports as that PSK once the server's
 * Finished verifies (client/psk.ts chooseTicket). A ticket that names no server (stripped of its identity) cannot be
 * judged: refused where the server must be verified, and under rejectUnauthorized: false resumed unauthorized, as a
 * full handshake's unverified server would be.
 */
export function judgeSession(verification: NodeVerification | undefined, session: SessionTicket): SessionJudgement | 'refused' | undefined {
  if (!session.peer && session.externalPsk) return undefined;
  if (!session.peer) return verification?.rejectUnauthorized === false ? { authorizationError: 'the session names no server identity to verify' } : 'refused';
  if (!verification) return undefined;
  const { verdict, authorizationError } = judgeServer(verification, session.peer.chain);
  if (!verdict.trusted) return 'refused';
  const serverVerdict = { trusted: true, rule: verdict.rule ?? verification.trust.kind, detail: verdict.detail ?? '' };
  return authorizationError === undefined ? { serverVerdict } : { serverVerdict, authorizationError };
}

/** node's view of a certificate (getPeerCertificate()), as checkServerIdentity takes it. */
export function peerCertificate(der: Uint8Array): PeerCertificate {
  return new X509Certificate(der).toLegacyObject();
}

/**
 * getPeerCertificate(true): node's view of the leaf, each certificate's `issuerCertificate` the next one of the
 * path the CA validation used (`path`, leaf first), a self-issued anchor linking to itself, as node:tls. Without
 * a validated path (a pin, a key, the caller's or rejectUnauthorized's word) the leaf links to nothing: a
 * certificate sent after it was proven to be nobody's issuer (docs/node.md).
 */
export function detailedPeerCertificate(leaf: Uint8Array, path: Uint8Array[] | undefined): DetailedPeerCertificate {
  const certificates = (path ?? [leaf]).map((der) => ({ x509: new X509Certificate(der), view: peerCertificate(der) as DetailedPeerCertificate }));
  certificates.forEach(({ view }, i) => {
    const issuer = certificates[i + 1];
    if (issuer) view.issuerCertificate = issuer.view;
  });
  const anchor = certificates[certificates.length - 1]!;
  if (path && anchor.x509.checkIssued(anchor.x509)) anchor.view.issuerCertificate = anchor.view;
  return certificates[0]!.view;
}

/**
 * node:tls's verification, for a client with rejectUnauthorized: false or a checkServerIdentity: the chain
 * under the real policy (the name too, unless checkServerIdentity replaces that check), then the
 * caller's check. `authorizationError` is set when the server failed; the verdict handed to the engine
 * then still rejects it, unless rejectUnauthorized is false, where it says in so many words that nobody
 * verified the server.
 */
export function judgeServer(
  verification: NodeVerification,
  chain: Uint8Array[],
): { verdict: Pick<TrustVerdict, 'trusted'> & Partial<TrustVerdict>; authorizationError?: string } {
  const { hostname, checkServerIdentity, context } = verification;
  let verdict: TrustVerdict;
  try {
    verdict = evaluateTrust(verification.trust, chain, { ...context, purpose: 'serverAuth', ...(hostname && !checkServerIdentity ? { hostname } : {}) }).verdict;
  } catch (e) {
    if (!(e instanceof TlsError)) throw e;
    verdict = { trusted: false, rule: verification.trust.kind, reason: e.reason, detail: e.message };
  }
  if (verdict.trusted && checkServerIdentity) {
    const refusal = callerCheck(checkServerIdentity, hostname ?? '', chain[0]!);
    if (refusal) verdict = { trusted: false, rule: 'checkServerIdentity', reason: 'BadCertificate', detail: refusal.message };
  }
  if (verdict.trusted || verification.rejectUnauthorized) return { verdict };
  return {
    verdict: { trusted: true, rule: 'rejectUnauthorized: false', detail: `NOT verified, accepted anyway: ${verdict.detail}` },
    authorizationError: verdict.detail,
  };
}

/**
 * The caller's checkServerIdentity: what it returns, or what it throws, which refuses the server as well.
 * It runs inside the socket's 'data' handler, where a throw would escape into the event loop and leave the
 * handshake waiting for its timeout. As node:tls, any truthy result refuses, not only an Error (a string, an
 * object: once reported with no reason, so authorized); the refusal always says why, in a non-empty message.
 */
function callerCheck(check: CheckServerIdentity, hostname: string, leaf: Uint8Array): Error | undefined {
  let refusal: unknown;
  try {
    refusal = check(hostname, peerCertificate(leaf));
    if (!refusal) return undefined;
  } catch (e) {
    return e instanceof Error && e.message ? e : new Error(`checkServerIdentity threw ${showValue(e)}`);
  }
  return refusal instanceof Error && refusal.message ? refusal : new Error(`checkServerIdentity refused the server: it returned ${showValue(refusal)}`);
}
