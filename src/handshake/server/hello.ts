// The server's negotiation (RFC 8446 §4.1.1): what it answers a ClientHello with. Version, cipher suite and
// key share come first, because they decide whether the answer is a HelloRetryRequest; everything else
// (ALPN, certificate types, our signature scheme, EncryptedExtensions) is decided only for the ClientHello
// that a ServerHello answers. Nothing here writes `ctx.info`: the machine publishes the outcome at once.
import { CertificateType, ExtensionType, ProtocolVersion, cipherSuiteName, namedGroupName, signatureSchemeName, type ExtensionTypeName } from '../../wire/enums.js';
import { equalBytes } from '../../wire/bytes.js';
import { DUPLICATE_SCAN_LIMIT } from '../../wire/vectors.js';
import { TlsError } from '../../wire/errors.js';
import { escapePeerText } from '../../wire/show-value.js';
import * as X from '../../wire/extensions.js';
import type { ClientHello, Extension, KeyShareEntry } from '../../wire/types.js';
import { describeCertificateType, rawPublicKeyCertified, selectCertificateType, type CertificateTypeName } from '../certificate-types.js';
import type { CertifiedKey, ServerConfig } from '../config.js';
import type { HandshakeContext } from '../context.js';
import { groupName } from '../negotiation.js';
import { certifiedPublicKey, chooseScheme } from '../signatures.js';
import { SUITES, type SuiteInfo } from '../suites.js';
import { shapeExtensions } from './flight-shape.js';
import { callbackBytes } from '../caller-input.js';
import { earlyDataToSkip, type TicketKey } from './psk.js';

/**
 * What a HelloRetryRequest carries over to the second ClientHello (RFC 8446 §4.1.4): the suite, the group
 * and cookie we asked for, ClientHello1 to hold ClientHello2 to (§4.1.2), and whether ClientHello1 offered
 * 0-RTT (rejected, whatever follows). The transcript's message_hash is the rest. Nothing else survives.
 */
export interface HelloRetry {
  hello1: ClientHello;
  cipherSuite: number;
  group: number;
  cookie?: Uint8Array;
  earlyDataOffered: boolean;
}

/** The RFC 7250 outcome: the key or chain we authenticate with, and the EncryptedExtensions answers. */
export interface NegotiatedCertificateTypes {
  own: CertifiedKey;
  answers: Partial<Record<'server_certificate_type' | 'client_certificate_type', Uint8Array>>;
  serverRawPublicKey: boolean;
  clientRawPublicKey: boolean;
}

export type KeyShareChoice =
  | { kind: 'share'; group: number; share: KeyShareEntry }
  /** Our group has no share in this ClientHello: ask for one (HelloRetryRequest). */
  | { kind: 'retry'; group: number }
  /** No supported_groups or key_share at all: only a psk_ke resumption can go on. */
  | { kind: 'none' };

const find = (hello: ClientHello, type: number) => X.findExtension(hello.extensions, type);

/** Version (RFC 8446 §4.2.1) and compression (§4.1.2): without supported_versions the client speaks TLS 1.2 or older. */
export function checkVersion(ctx: HandshakeContext, hello: ClientHello): void {
  // App. D.5: a ClientHello.legacy_version of 0x0300 (SSL 3.0) "MUST abort the handshake with a
  // "protocol_version" alert", whatever supported_versions lists; §4.1.2 fixes it at 0x0303, and lower
  // values name no version at all. D.2 keeps what lies between (0x0301, 0x0302) legal for older clients.
  if (hello.legacyVersion <= ProtocolVersion.SSLv3) {
    throw new TlsError('ObsoleteLegacyVersion', `ClientHello.legacy_version 0x${hello.legacyVersion.toString(16).padStart(4, '0')} is SSL 3.0 or older`);
  }
  const versionsExt = find(hello, ExtensionType.supported_versions);
  const versions = versionsExt ? X.bodyOf(X.supportedVersionsClientHello, versionsExt) : [];
  if (!versions.includes(ProtocolVersion.TLSv1_3)) {
    throw new TlsError('NoTls13', versionsExt ? 'supported_versions does not list TLS 1.3' : 'no supported_versions: a pre-TLS 1.3 client');
  }
  ctx.decide('version', 'TLS 1.3', 'listed in the client supported_versions');
  if (hello.legacyCompressionMethods.length !== 1 || hello.legacyCompressionMethods[0] !== 0) {
    throw new TlsError('IllegalParameter', 'legacy_compression_methods must be exactly [null] in TLS 1.3');
  }
}

/**
 * How many of a client's values an error names: a 64 KiB ClientHello carries 32,000 groups or suites, or 64 KiB of
 * ALPN names escaped to six times that, and the whole list made an alert detail, `closed` error and server log
 * line of ~540 KB per connection (test/security/refusal-text-size).
 */
const NAMED_AT_MOST = 16;

/** The first NAMED_AT_MOST values, named, and how many more there are. */
function listed<T>(values: readonly T[], name: (value: T) => string): string {
  const named = values.slice(0, NAMED_AT_MOST).map(name).join(', ');
  return values.length > NAMED_AT_MOST ? `${named} and ${values.length - NAMED_AT_MOST} more` : named;
}

/**
 * Cipher suite: our preference among the client's (RFC 8446 §4.1.1); after a retry, the one we named.
 * `pskHash`: the hash of an external PSK the client offered, whose suites come first (§4.2.11).
 */
export function selectSuite(ctx: HandshakeContext, hello: ClientHello, retry: HelloRetry | undefined, pskHash?: string): SuiteInfo {
  let suiteCode: number | undefined;
  const ours = ctx.cfg.cipherSuites;
  for (let i = 0; i < ours.length; i++) {
    const s = ours[i]!;
    if (!hello.cipherSuites.includes(s) || !SUITES.has(s)) continue;
    suiteCode ??= s;
    if (SUITES.get(s)!.hash === pskHash) {
      suiteCode = s;
      break;
    }
  }
  if (suiteCode === undefined) throw new TlsError('NoCommonCipherSuite', `client offered ${listed(hello.cipherSuites, cipherSuiteName)}`);
  const suite = SUITES.get(suiteCode)!;
  if (retry && suite.code !== retry.cipherSuite) throw new TlsError('IllegalParameter', 'the second ClientHello no longer allows the cipher suite of our HelloRetryRequest');
  ctx.decide('cipher_suite', suite.name, 'our most preferred suite that the client offered');
  return suite;
}

/** Whether `value` is among `values`, looked up in `set` (the same values) when one was made. */
function includes(values: readonly number[], set: Set<number> | undefined, value: number): boolean {
  return set ? set.has(value) : values.includes(value);
}

/** Where the client's share for `group` is, or -1. */
function shareIndex(shares: readonly KeyShareEntry[], group: number): number {
  for (let i = 0; i < shares.length; i++) if (shares[i]!.group === group) return i;
  return -1;
}

/**
 * Key exchange (RFC 8446 §4.2.7, §4.2.8): our preference among the groups we share with the client.
 * Normally the first one the client already sent a share for (no extra round trip); with
 * helloRetryForPreferredGroup, our favourite, asked for with a HelloRetryRequest when needed.
 */
export function selectKeyShare(ctx: HandshakeContext, config: ServerConfig, hello: ClientHello, retry: HelloRetry | undefined): KeyShareChoice {
  const groupsExt = find(hello, ExtensionType.supported_groups);
  const shareExt = find(hello, ExtensionType.key_share);
  if (!groupsExt || !shareExt) return { kind: 'none' };
  const clientGroupList = X.bodyOf(X.supportedGroups, groupsExt);
  const shares = X.bodyOf(X.keyShareClientHello, shareExt);
  // Up to ~16,000 groups beside ~6,500 shares fit one ClientHello, and a list scanned for each share cost ~100
  // million comparisons: long lists are looked up through sets. Short ones (every real client's) are scanned,
  // which allocates nothing.
  const clientGroups = clientGroupList.length > DUPLICATE_SCAN_LIMIT ? new Set(clientGroupList) : undefined;
  const shareGroups = shares.length > DUPLICATE_SCAN_LIMIT ? new Set<number>() : undefined;
  for (let i = 0; i < shares.length; i++) {
    const group = shares[i]!.group;
    if (shareGroups ? shareGroups.has(group) : shareIndex(shares, group) < i) throw new TlsError('IllegalParameter', `two key shares for ${namedGroupName(group)}`);
    if (!includes(clientGroupList, clientGroups, group)) {
      throw new TlsError('IllegalParameter', `key share for ${namedGroupName(group)}, which is not in supported_groups`);
    }
    shareGroups?.add(group);
  }
  let group: number | undefined;
  let shared = -1;
  const ours = ctx.cfg.groups;
  for (let i = 0; i < ours.length; i++) {
    const g = ours[i]!;
    if (!includes(clientGroupList, clientGroups, g) || !groupName(g)) continue;
    group ??= g;
    if (config.helloRetryForPreferredGroup) break;
    shared = shareIndex(shares, g);
    if (shared !== -1) {
      group = g;
      break;
    }
  }
  if (group === undefined) throw new TlsError('NoCommonGroup', `no common group: the client supports ${listed(clientGroupList, namedGroupName)}`);
  if (shared === -1) shared = shareIndex(shares, group);
  if (shared === -1) {
    if (retry) throw new TlsError('IllegalParameter', `the second ClientHello still has no key share for ${namedGroupName(group)}`);
    return { kind: 'retry', group };
  }
  return { kind: 'share', group, share: shares[shared]! };
}

/** HelloRetryRequest (RFC 8446 §4.1.4) asking for a key share in `group`; returns what the retry carries over. */
export function sendHelloRetryRequest(ctx: HandshakeContext, config: ServerConfig, ticketKey: TicketKey, hello: ClientHello, raw: Uint8Array, suite: SuiteInfo, group: number): HelloRetry {
  ctx.decide('group', namedGroupName(group), 'our preferred common group, but the client sent no key share for it: HelloRetryRequest');
  // The transcript restarts with a message_hash standing for ClientHello1 (RFC 8446 §4.4.1).
  ctx.transcript.selectHash(suite.hash);
  ctx.transcript.add(raw);
  ctx.transcript.replaceWithMessageHash();
  const answer = config.helloRetryCookie?.(hello);
  // Cookie: opaque cookie<1..2^16-1> (RFC 8446 §4.2.2); our own copy is what ClientHello2 must echo.
  const cookie = answer === undefined ? undefined : callbackBytes(answer, 'helloRetryCookie', 1, 0xffff);
  const extensions = [X.ext(ExtensionType.key_share, X.keyShareHelloRetryRequest.encode(group))];
  if (cookie) extensions.push(X.ext(ExtensionType.cookie, X.cookie.encode(cookie)));
  extensions.push(X.ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(ProtocolVersion.TLSv1_3)));
  ctx.send({
    kind: 'hello_retry_request',
    legacyVersion: ProtocolVersion.TLSv1_2,
    legacySessionIdEcho: hello.legacySessionId,
    cipherSuite: suite.code,
    legacyCompressionMethod: 0,
    extensions: shapeExtensions(config.serverFlight, 'helloRetryRequest', extensions),
  });
  if (hello.legacySessionId.length > 0) ctx.effects.push({ kind: 'send-change-cipher-spec' });
  // 0-RTT is never accepted after a HelloRetryRequest: skip the client's early records (RFC 8446 §4.2.10).
  const earlyDataOffered = find(hello, ExtensionType.early_data) !== undefined;
  if (earlyDataOffered) ctx.effects.push({ kind: 'skip-early-data', budget: earlyDataToSkip(config, ticketKey, hello) });
  return { hello1: ownCopy(hello), cipherSuite: suite.code, group, earlyDataOffered, ...(cookie ? { cookie } : {}) };
}

/**
 * ClientHello2 must be ClientHello1 with only the changes RFC 8446 §4.1.2 allows: one key share for the
 * group we asked for, our cookie echoed, early_data gone, PSK binders updated, padding adjusted. We hold
 * the client to it: anything else that changed is illegal_parameter.
 */
export function checkSecondClientHello(retry: HelloRetry, hello: ClientHello): void {
  const first = retry.hello1;
  if (!equalBytes(first.random, hello.random) || !equalBytes(first.legacySessionId, hello.legacySessionId)) {
    throw new TlsError('IllegalParameter', 'the second ClientHello changed its random or legacy_session_id');
  }
  const shareExt = find(hello, ExtensionType.key_share);
  const shares = shareExt ? X.bodyOf(X.keyShareClientHello, shareExt) : [];
  if (shares.length !== 1 || shares[0]!.group !== retry.group) {
    throw new TlsError('IllegalParameter', `the second ClientHello must carry exactly one key share, for ${namedGroupName(retry.group)}`);
  }
  // "Including a "cookie" extension if one was provided in the HelloRetryRequest": ours, and no other.
  const cookieExt = find(hello, ExtensionType.cookie);
  if (retry.cookie ? !cookieExt || !equalBytes(X.bodyOf(X.cookie, cookieExt), retry.cookie) : cookieExt) {
    throw new TlsError('IllegalParameter', retry.cookie ? 'the second ClientHello does not echo our cookie' : 'the second ClientHello carries a cookie our HelloRetryRequest did not');
  }
  checkRetriedPsks(first, hello);
  if (find(hello, ExtensionType.early_data)) {
    throw new TlsError('IllegalParameter', 'early_data in the ClientHello after a HelloRetryRequest');
  }
  if (
    first.legacyVersion !== hello.legacyVersion ||
    first.cipherSuites.join() !== hello.cipherSuites.join() ||
    !equalBytes(first.legacyCompressionMethods, hello.legacyCompressionMethods)
  ) {
    throw new TlsError('IllegalParameter', 'the second ClientHello changed its version, cipher suites or compression methods');
  }
  const unchanged = (list: Extension[]) => list.filter((e) => !MAY_CHANGE_AFTER_RETRY.has(e.type));
  const before = unchanged(first.extensions);
  const after = unchanged(hello.extensions);
  const same = before.length === after.length && before.every((e, i) => e.type === after[i]!.type && equalBytes(e.data, after[i]!.data));
  if (!same) throw new TlsError('IllegalParameter', 'the second ClientHello changed an extension that must stay the same');
}

/**
 * "Updating the "pre_shared_key" extension if present by recomputing the "obfuscated_ticket_age" and binder
 * values and (optionally) removing any PSKs" (RFC 8446 §4.1.2): ClientHello2 offers ClientHello1's PSKs, in
 * their order, or fewer of them; never one ClientHello1 did not name.
 */
function checkRetriedPsks(first: ClientHello, hello: ClientHello): void {
  const after = find(hello, ExtensionType.pre_shared_key);
  if (!after) return;
  const before = find(first, ExtensionType.pre_shared_key);
  const offered = before ? X.bodyOf(X.preSharedKeyClientHello, before).identities : [];
  let next = 0;
  for (const { identity } of X.bodyOf(X.preSharedKeyClientHello, after).identities) {
    next = offered.findIndex((o, at) => at >= next && equalBytes(o.identity, identity)) + 1;
    if (next === 0) throw new TlsError('IllegalParameter', 'the second ClientHello offers a PSK the first did not, or in another order');
  }
}

/**
 * ClientHello1 in arrays of its own: it waits for ClientHello2 across receive() calls, and its views are of
 * the caller's bytes, which the caller may reuse once receive() returns.
 */
function ownCopy(hello: ClientHello): ClientHello {
  return {
    ...hello,
    random: new Uint8Array(hello.random),
    legacySessionId: new Uint8Array(hello.legacySessionId),
    legacyCompressionMethods: new Uint8Array(hello.legacyCompressionMethods),
    extensions: hello.extensions.map((e) => ({ type: e.type, data: new Uint8Array(e.data) })),
  };
}

/** What ClientHello2 may change (RFC 8446 §4.1.2); every other extension must be repeated byte for byte. */
const MAY_CHANGE_AFTER_RETRY: ReadonlySet<number> = new Set([
  ExtensionType.key_share,
  ExtensionType.cookie,
  ExtensionType.early_data,
  ExtensionType.pre_shared_key,
  ExtensionType.padding,
]);

/** ALPN (RFC 7301 §3.2): our preference among the client's; no overlap is fatal. */
export function negotiateAlpn(ctx: HandshakeContext, hello: ClientHello): string | undefined {
  const alpnExt = find(hello, ExtensionType.application_layer_protocol_negotiation);
  if (!alpnExt || ctx.cfg.alpnProtocols.length === 0) return undefined;
  const offered = X.bodyOf(X.alpn, alpnExt);
  const alpn = ctx.cfg.alpnProtocols.find((p) => offered.includes(p));
  // The client's names are any bytes (RFC 7301 §3.1: opaque): escaped, or they would drive the terminal that shows this.
  if (!alpn) throw new TlsError('NoApplicationProtocol', `client offered ${listed(offered, (name) => escapePeerText(name, { separators: ',' }))}; we speak ${ctx.cfg.alpnProtocols.join(', ')}`);
  ctx.decide('alpn', alpn, 'our most preferred protocol that the client offered');
  return alpn;
}

/** The certificate types we have, in our order of preference; made only where a list is read (most handshakes name none). */
function ownCertificateTypes(config: ServerConfig): CertificateTypeName[] {
  const ours: CertificateTypeName[] = [];
  if (config.rawPublicKey) ours.push('raw-public-key');
  if (config.certificate) ours.push('x509');
  return ours;
}

/**
 * RFC 7250 §4.2: what we authenticate with (the first type in the client's server_certificate_type list
 * that we have) and, when we ask for client authentication, what the client may send (the first in its
 * client_certificate_type list that we accept). No common type is unsupported_certificate.
 */
export function negotiateCertificateTypes(ctx: HandshakeContext, config: ServerConfig, hello: ClientHello, requestClientAuth: boolean): NegotiatedCertificateTypes {
  const serverTypesExt = find(hello, ExtensionType.server_certificate_type);
  const serverType = serverTypesExt ? selectCertificateType(X.bodyOf(X.serverCertificateTypeClientHello, serverTypesExt), ownCertificateTypes(config)) : config.certificate ? CertificateType.X509 : undefined;
  if (serverType === undefined) {
    throw new TlsError('UnsupportedCertificateType', `the client accepts no server certificate type we have (${ownCertificateTypes(config).join(', ')})`);
  }
  const answers: NegotiatedCertificateTypes['answers'] = {};
  if (serverTypesExt) answers.server_certificate_type = X.serverCertificateTypeServerSide.encode(serverType);
  const serverRawPublicKey = serverType === CertificateType.RawPublicKey;
  if (serverTypesExt && ctx.traceEvents) ctx.decide('certificate_type', `server: ${describeCertificateType(serverType)}`, "the first in the client's server_certificate_type list that we have");
  const own = serverRawPublicKey ? rawPublicKeyCertified(ctx.provider, config.rawPublicKey!) : config.certificate!;
  if (!requestClientAuth) return { own, answers, serverRawPublicKey, clientRawPublicKey: false };

  const accepted = config.clientCertificateTypes ?? ['x509'];
  const clientTypesExt = find(hello, ExtensionType.client_certificate_type);
  const clientType = selectCertificateType(clientTypesExt ? X.bodyOf(X.clientCertificateTypeClientHello, clientTypesExt) : [CertificateType.X509], accepted);
  if (clientType === undefined) {
    throw new TlsError('UnsupportedCertificateType', `the client can send no certificate type we accept (${accepted.join(', ')})`);
  }
  if (clientTypesExt) {
    answers.client_certificate_type = X.clientCertificateTypeServerSide.encode(clientType);
    if (ctx.traceEvents) ctx.decide('certificate_type', `client: ${describeCertificateType(clientType)}`, "the first in the client's client_certificate_type list that we accept");
  }
  return { own, answers, serverRawPublicKey, clientRawPublicKey: clientType === CertificateType.RawPublicKey };
}

/** Signature scheme for our CertificateVerify (RFC 8446 §4.4.2.2, §4.2.3). */
export function chooseOwnScheme(ctx: HandshakeContext, hello: ClientHello, own: CertifiedKey): number {
  const sigExt = find(hello, ExtensionType.signature_algorithms);
  if (!sigExt) throw new TlsError('MissingExtension', 'ClientHello without signature_algorithms (needed for certificate authentication)');
  const ourKey = certifiedPublicKey(ctx.provider, own);
  const scheme = chooseScheme(ctx.cfg.signatureSchemes, X.bodyOf(X.signatureAlgorithms, sigExt), ourKey);
  if (scheme === undefined) {
    throw new TlsError('NoCommonSignatureScheme', `none of the client's signature algorithms fits our ${ourKey.kind} key`);
  }
  if (ctx.traceEvents) ctx.decide('signature_scheme', signatureSchemeName(scheme), `our first scheme that fits our ${ourKey.kind} key and the client accepts`);
  return scheme;
}

const DEFAULT_EE_ORDER: ExtensionTypeName[] = [
  'server_name',
  'supported_groups',
  'application_layer_protocol_negotiation',
  'record_size_limit',
  'early_data',
  'server_certificate_type',
  'client_certificate_type',
];

export interface EncryptedExtensionsAnswers {
  serverName: string | undefined;
  alpn: string | undefined;
  ownRecordSizeLimit: number | undefined;
  earlyDataAccepted: boolean;
  certificateTypes: NegotiatedCertificateTypes['answers'];
}

/** EncryptedExtensions (RFC 8446 §4.3.1): only answers to what the client asked, plus our supported_groups. */
export function encryptedExtensions(ctx: HandshakeContext, config: ServerConfig, answered: EncryptedExtensionsAnswers): Extension[] {
  const answers: Partial<Record<ExtensionTypeName, Uint8Array | undefined>> = {
    // RFC 6066 §3: the acknowledgement of a server_name we used is optional.
    server_name: answered.serverName && config.serverFlight?.serverNameAck !== false ? new Uint8Array(0) : undefined,
    supported_groups: config.advertiseGroups ? X.supportedGroups.encode([...ctx.cfg.groups]) : undefined,
    application_layer_protocol_negotiation: answered.alpn ? X.alpn.encode([answered.alpn]) : undefined,
    // RFC 8449 §4: a limit applies only when both sides sent one; we answer every offer.
    record_size_limit: answered.ownRecordSizeLimit !== undefined ? X.recordSizeLimit.encode(answered.ownRecordSizeLimit) : undefined,
    early_data: answered.earlyDataAccepted ? new Uint8Array(0) : undefined,
    ...answered.certificateTypes,
  };
  const first = config.encryptedExtensionsOrder;
  const order = first ? [...first, ...DEFAULT_EE_ORDER.filter((n) => !first.includes(n))] : DEFAULT_EE_ORDER;
  const out: Extension[] = [];
  for (const name of order) {
    const body = answers[name];
    if (body !== undefined) out.push(X.ext(ExtensionType[name], body));
  }
  return shapeExtensions(config.serverFlight, 'encryptedExtensions', out);
}
