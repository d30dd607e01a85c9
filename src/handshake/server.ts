// The TLS 1.3 server state machine (RFC 8446 Appendix A.2).
//
//                               START <-----+
//                Recv ClientHello |         | Send HelloRetryRequest
//                                 v         |
//                              RECVD_CH ----+
//                                 | Select parameters
//                                 v
//                              NEGOTIATED
//                                 | Send ServerHello
//                                 | K_send = handshake
//                                 | Send EncryptedExtensions
//                                 | [Send CertificateRequest]
//  Can send                       | [Send Certificate + CertificateVerify]
//  app data                       | Send Finished
//  after   -->                    | K_send = application
//  here                  +--------+--------+
//               No 0-RTT |                 | 0-RTT
//                        |                 |
//    K_recv = handshake  |                 | K_recv = early data
//  [Skip decrypt errors] |    +------> WAIT_EOED -+
//                        |    |       Recv |      | Recv EndOfEarlyData
//                        |    | early data |      | K_recv = handshake
//                        |    +------------+      |
//                        |                        |
//                        +> WAIT_FLIGHT2 <--------+
//                                 |
//                        +--------+--------+
//                No auth |                 | Client auth
//                        |                 |
//                        |                 v
//                        |             WAIT_CERT
//                        |        Recv |       | Recv Certificate
//                        |       empty |       v
//                        | Certificate |    WAIT_CV
//                        |             |       | Recv
//                        |             v       | CertificateVerify
//                        +-> WAIT_FINISHED <---+
//                                 | Recv Finished
//                                 | K_recv = application
//                                 v
//                             CONNECTED
//
// WAIT_FLIGHT2 has no message of its own: it only chooses between WAIT_CERT and WAIT_FINISHED, so we
// pass through it in the same step as the server's flight.
import { evaluateTrust, trustAnchors, type LeafInfo, type TrustVerdict } from '../auth/trust.js';
import { parseCertificate } from '../auth/x509.js';
import { Writer, equalBytes } from '../wire/bytes.js';
import {
  ExtensionType,
  ProtocolVersion,
  cipherSuiteName,
  extensionTypeName,
  namedGroupName,
  signatureSchemeName,
  type ExtensionTypeName,
} from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import * as X from '../wire/extensions.js';
import type { Certificate, ClientHello, Extension, HandshakeMessage } from '../wire/types.js';
import type { ServerConfig } from './config.js';
import { HandshakeContext, unexpected } from './context.js';
import { KeySchedule, resumptionPsk } from './keyschedule.js';
import { groupName } from './negotiation.js';
import { certifiedPublicKey, checkCertificateVerify, chooseScheme, signCertificateVerify } from './signatures.js';
import { SUITES, type SuiteInfo } from './suites.js';
import { ApplicationTraffic } from './traffic.js';
import { encodeTicketState, sealTicket, type TicketState } from './tickets.js';

interface Keys {
  suite: SuiteInfo;
  schedule: KeySchedule;
  clientHandshakeSecret: Uint8Array;
  /** Installed for reading only once the client's Finished is verified. */
  clientApplicationSecret: Uint8Array;
  serverApplicationSecret: Uint8Array;
}

/** What we asked for in a HelloRetryRequest; ClientHello2 must deliver it (RFC 8446 §4.1.2, §4.1.4). */
interface HelloRetry {
  hello1: ClientHello;
  cipherSuite: number;
  group: number;
  cookie?: Uint8Array;
}

type ServerState =
  | { name: 'START'; retry?: HelloRetry }
  | ({ name: 'WAIT_CERT'; requestContext: Uint8Array; acceptedSchemes: number[] } & Keys)
  | ({ name: 'WAIT_CV'; acceptedSchemes: number[]; leaf: LeafInfo; verdict?: TrustVerdict } & Keys)
  | ({ name: 'WAIT_FINISHED' } & Keys)
  | { name: 'CONNECTED'; suite: SuiteInfo; traffic: ApplicationTraffic }
  | { name: 'CLOSED' };

const DEFAULT_EE_ORDER: ExtensionTypeName[] = [
  'server_name',
  'supported_groups',
  'application_layer_protocol_negotiation',
  'record_size_limit',
];

export class ServerHandshake {
  state: ServerState = { name: 'START' };
  /** Set when the client offered record_size_limit: the most plaintext we may put in one record to it. */
  peerRecordSizeLimit?: number;
  private ticketsSent = 0;

  constructor(
    readonly ctx: HandshakeContext,
    readonly config: ServerConfig,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): void {
    const state = this.state;
    switch (state.name) {
      case 'START':
        if (message.kind !== 'client_hello') throw unexpected(state.name, message);
        return this.onClientHello(message, raw, state.retry);
      case 'WAIT_CERT':
        if (message.kind !== 'certificate') throw unexpected(state.name, message);
        return this.onCertificate(state, message, raw);
      case 'WAIT_CV':
        if (message.kind !== 'certificate_verify') throw unexpected(state.name, message);
        return this.onCertificateVerify(state, message.scheme, message.signature, raw);
      case 'WAIT_FINISHED':
        if (message.kind !== 'finished') throw unexpected(state.name, message);
        return this.onFinished(state, message.verifyData, raw);
      case 'CONNECTED':
        if (message.kind === 'key_update') return state.traffic.onKeyUpdate(message);
        throw unexpected(state.name, message);
      case 'CLOSED':
        throw unexpected(state.name, message);
      default: {
        const never: never = state;
        throw new Error(`unknown state ${JSON.stringify(never)}`);
      }
    }
  }

  /** The caller's answer to a `verify-peer` decision about the client's certificate. */
  resolveTrust(verdict: TrustVerdict): void {
    const state = this.state;
    if (state.name !== 'WAIT_CV' || state.verdict) throw new Error('no peer verification is pending');
    if (!verdict.trusted) throw new TlsError(verdict.reason ?? 'BadCertificate', verdict.detail);
    this.ctx.decide('trust', 'trusted', `${verdict.rule}: ${verdict.detail}`);
    state.verdict = verdict;
  }

  private onClientHello(hello: ClientHello, raw: Uint8Array, retry: HelloRetry | undefined): void {
    const { ctx, config } = this;
    ctx.clientRandom = hello.random;
    ctx.enter('RECVD_CH');
    if (retry) checkSecondClientHello(retry, hello);
    const ext = (type: number) => X.findExtension(hello.extensions, type);

    // Version (RFC 8446 §4.2.1): without supported_versions the client speaks TLS 1.2 or older.
    const versionsExt = ext(ExtensionType.supported_versions);
    const versions = versionsExt ? X.supportedVersionsClientHello.parse(versionsExt.data) : [];
    if (!versions.includes(ProtocolVersion.TLSv1_3)) {
      throw new TlsError('NoTls13', versionsExt ? 'supported_versions does not list TLS 1.3' : 'no supported_versions: a pre-TLS 1.3 client');
    }
    ctx.decide('version', 'TLS 1.3', 'listed in the client supported_versions');
    if (hello.legacyCompressionMethods.length !== 1 || hello.legacyCompressionMethods[0] !== 0) {
      throw new TlsError('IllegalParameter', 'legacy_compression_methods must be exactly [null] in TLS 1.3');
    }

    // Cipher suite: our preference among the client's (RFC 8446 §4.1.1).
    const suiteCode = ctx.cfg.cipherSuites.find((s) => hello.cipherSuites.includes(s) && SUITES.has(s));
    if (suiteCode === undefined) throw new TlsError('NoCommonCipherSuite', `client offered ${hello.cipherSuites.map(cipherSuiteName).join(', ')}`);
    const suite = SUITES.get(suiteCode)!;
    if (retry && suite.code !== retry.cipherSuite) throw new TlsError('IllegalParameter', 'the second ClientHello no longer allows the cipher suite of our HelloRetryRequest');
    ctx.decide('cipher_suite', suite.name, 'our most preferred suite that the client offered');

    // Signature scheme for our CertificateVerify (RFC 8446 §4.4.2.2, §4.2.3).
    const sigExt = ext(ExtensionType.signature_algorithms);
    if (!sigExt) throw new TlsError('MissingExtension', 'ClientHello without signature_algorithms');
    const clientSchemes = X.signatureAlgorithms.parse(sigExt.data);
    const ourKey = certifiedPublicKey(ctx.provider, config.certificate);
    const scheme = chooseScheme(ctx.cfg.signatureSchemes, clientSchemes, ourKey);
    if (scheme === undefined) {
      throw new TlsError('NoCommonSignatureScheme', `none of the client's signature algorithms fits our ${ourKey.kind} key`);
    }
    ctx.decide('signature_scheme', signatureSchemeName(scheme), `our first scheme that fits our ${ourKey.kind} key and the client accepts`);
    ctx.info.signatureScheme = signatureSchemeName(scheme);

    // Key exchange (RFC 8446 §4.2.7, §4.2.8).
    const groupsExt = ext(ExtensionType.supported_groups);
    const shareExt = ext(ExtensionType.key_share);
    if (!groupsExt || !shareExt) throw new TlsError('MissingExtension', 'ClientHello needs supported_groups and key_share for (EC)DHE');
    const clientGroups = X.supportedGroups.parse(groupsExt.data);
    const shares = X.keyShareClientHello.parse(shareExt.data);
    const seen = new Set<number>();
    for (const share of shares) {
      if (seen.has(share.group)) throw new TlsError('IllegalParameter', `two key shares for ${namedGroupName(share.group)}`);
      if (!clientGroups.includes(share.group)) {
        throw new TlsError('IllegalParameter', `key share for ${namedGroupName(share.group)}, which is not in supported_groups`);
      }
      seen.add(share.group);
    }
    // Our preference among the groups we share with the client. Normally the first one the client already
    // sent a share for (no extra round trip); with helloRetryForPreferredGroup, our favourite, asked for
    // with a HelloRetryRequest when needed.
    const mutual = ctx.cfg.groups.filter((g) => clientGroups.includes(g) && groupName(g));
    if (mutual.length === 0) throw new TlsError('NoCommonGroup', `no common group: the client supports ${clientGroups.map(namedGroupName).join(', ')}`);
    const group = (config.helloRetryForPreferredGroup ? undefined : mutual.find((g) => seen.has(g))) ?? mutual[0]!;
    if (!seen.has(group)) {
      if (retry) throw new TlsError('IllegalParameter', `the second ClientHello still has no key share for ${namedGroupName(group)}`);
      return this.sendHelloRetryRequest(hello, raw, suite, group);
    }
    const share = shares.find((s) => s.group === group)!;
    const kx = ctx.provider.keyExchange(groupName(group)!);
    ctx.decide('group', namedGroupName(group), 'our most preferred group the client sent a key share for');

    // Optional extensions.
    const sniExt = ext(ExtensionType.server_name);
    const serverName = sniExt ? X.serverName.parse(sniExt.data)[0] : undefined;
    if (serverName) {
      ctx.info.serverName = serverName;
      ctx.decide('server_name', serverName, 'sent by the client (SNI)');
    }
    const alpnExt = ext(ExtensionType.application_layer_protocol_negotiation);
    let alpn: string | undefined;
    if (alpnExt && ctx.cfg.alpnProtocols.length > 0) {
      const offered = X.alpn.parse(alpnExt.data);
      alpn = ctx.cfg.alpnProtocols.find((p) => offered.includes(p));
      // RFC 7301 §3.2: no overlap is fatal.
      if (!alpn) throw new TlsError('NoApplicationProtocol', `client offered ${offered.join(', ')}; we speak ${ctx.cfg.alpnProtocols.join(', ')}`);
      ctx.info.alpn = alpn;
      ctx.decide('alpn', alpn, 'our most preferred protocol that the client offered');
    }
    const limitExt = ext(ExtensionType.record_size_limit);
    if (limitExt) this.peerRecordSizeLimit = X.recordSizeLimit.parse(limitExt.data);

    ctx.info.version = 'TLSv1.3';
    ctx.info.cipherSuite = suite.name;
    ctx.info.group = namedGroupName(group);
    ctx.enter('NEGOTIATED');

    // ServerHello (RFC 8446 §4.1.3).
    const random = ctx.cfg.random(32);
    const privateKey = kx.generatePrivateKey(ctx.cfg.random);
    const shared = kx.sharedSecret(privateKey, share.keyExchange);
    if (!shared) throw new TlsError('BadKeyShare', `the client's ${namedGroupName(group)} key share is not a valid public value`);
    ctx.transcript.selectHash(suite.hash);
    ctx.transcript.add(raw);
    ctx.send({
      kind: 'server_hello',
      legacyVersion: ProtocolVersion.TLSv1_2,
      random,
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: suite.code,
      legacyCompressionMethod: 0,
      extensions: [
        X.ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group, keyExchange: kx.publicKey(privateKey) })),
        X.ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(ProtocolVersion.TLSv1_3)),
      ],
    });
    // Middlebox compatibility mode: answer a non-empty session id with one dummy ChangeCipherSpec right
    // after our first handshake message, ServerHello or HelloRetryRequest (§D.4).
    if (hello.legacySessionId.length > 0 && !retry) ctx.effects.push({ kind: 'send-change-cipher-spec' });

    const schedule = new KeySchedule(ctx.provider, suite);
    schedule.enterHandshake(shared);
    const hs = schedule.handshakeTrafficSecrets(ctx.transcript.current());
    ctx.secret('client_handshake_traffic_secret', hs.client);
    ctx.secret('server_handshake_traffic_secret', hs.server);
    ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite, secret: hs.server });
    ctx.effects.push({ kind: 'read-keys', epoch: 'handshake', suite, secret: hs.client });

    ctx.send({ kind: 'encrypted_extensions', extensions: this.encryptedExtensions(serverName, alpn) });
    const clientAuth = config.clientAuth ?? 'none';
    const acceptedSchemes = [...ctx.cfg.signatureSchemes];
    const requestContext = new Uint8Array(0);
    if (clientAuth !== 'none') {
      ctx.decide('client_auth', clientAuth, `configured client-auth policy: ${clientAuth}`);
      ctx.send({ kind: 'certificate_request', context: requestContext, extensions: this.certificateRequestExtensions(acceptedSchemes) });
    } else {
      ctx.info.clientAuth = 'not-requested';
    }
    ctx.send({
      kind: 'certificate',
      context: new Uint8Array(0),
      entries: config.certificate.chain.map((data) => ({ data, extensions: [] })),
    });
    const signature = signCertificateVerify(ctx.provider, scheme, config.certificate, 'server', ctx.transcript.current(), ctx.cfg.random);
    ctx.send({ kind: 'certificate_verify', scheme, signature });
    ctx.sendFinished(suite, hs.server);

    schedule.enterMaster();
    const app = schedule.applicationSecrets(ctx.transcript.current());
    ctx.secret('client_application_traffic_secret_0', app.client);
    ctx.secret('server_application_traffic_secret_0', app.server);
    ctx.secret('exporter_master_secret', app.exporter);
    ctx.exporterMasterSecret = app.exporter;
    ctx.effects.push({ kind: 'write-keys', epoch: 'application', suite, secret: app.server });

    ctx.enter('WAIT_FLIGHT2');
    const keys: Keys = { suite, schedule, clientHandshakeSecret: hs.client, clientApplicationSecret: app.client, serverApplicationSecret: app.server };
    if (clientAuth !== 'none') {
      ctx.enter('WAIT_CERT');
      this.state = { name: 'WAIT_CERT', requestContext, acceptedSchemes, ...keys };
    } else {
      ctx.enter('WAIT_FINISHED');
      this.state = { name: 'WAIT_FINISHED', ...keys };
    }
  }

  /** HelloRetryRequest (RFC 8446 §4.1.4) asking for a key share in `group`. */
  private sendHelloRetryRequest(hello: ClientHello, raw: Uint8Array, suite: SuiteInfo, group: number): void {
    const { ctx, config } = this;
    ctx.decide('group', namedGroupName(group), 'our preferred common group, but the client sent no key share for it: HelloRetryRequest');
    // The transcript restarts with a message_hash standing for ClientHello1 (RFC 8446 §4.4.1).
    ctx.transcript.selectHash(suite.hash);
    ctx.transcript.add(raw);
    ctx.transcript.replaceWithMessageHash();
    const cookie = config.helloRetryCookie?.(hello);
    const extensions = [X.ext(ExtensionType.key_share, X.keyShareHelloRetryRequest.encode(group))];
    if (cookie) extensions.push(X.ext(ExtensionType.cookie, X.cookie.encode(cookie)));
    extensions.push(X.ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(ProtocolVersion.TLSv1_3)));
    ctx.send({
      kind: 'hello_retry_request',
      legacyVersion: ProtocolVersion.TLSv1_2,
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: suite.code,
      legacyCompressionMethod: 0,
      extensions,
    });
    if (hello.legacySessionId.length > 0) ctx.effects.push({ kind: 'send-change-cipher-spec' });
    ctx.enter('START');
    const retry: HelloRetry = { hello1: hello, cipherSuite: suite.code, group };
    if (cookie) retry.cookie = cookie;
    this.state = { name: 'START', retry };
  }

  /** CertificateRequest extensions (RFC 8446 §4.3.2): the schemes we verify and, for a CA policy, our CAs. */
  private certificateRequestExtensions(acceptedSchemes: number[]): Extension[] {
    const extensions = [X.ext(ExtensionType.signature_algorithms, X.signatureAlgorithms.encode(acceptedSchemes))];
    const anchors = this.config.sendCertificateAuthorities === false ? [] : trustAnchors(this.ctx.cfg.trust);
    if (anchors.length > 0) {
      const names = anchors.map((der) => parseCertificate(der).subject.raw);
      extensions.push(X.ext(ExtensionType.certificate_authorities, X.certificateAuthorities.encode(names)));
    }
    return extensions;
  }

  /** EncryptedExtensions (RFC 8446 §4.3.1): only answers to what the client asked, plus our supported_groups. */
  private encryptedExtensions(serverName: string | undefined, alpn: string | undefined): Extension[] {
    const { config, ctx } = this;
    const answers: Partial<Record<ExtensionTypeName, Uint8Array | undefined>> = {
      server_name: serverName ? new Uint8Array(0) : undefined,
      supported_groups: config.advertiseGroups ? X.supportedGroups.encode([...ctx.cfg.groups]) : undefined,
      application_layer_protocol_negotiation: alpn ? X.alpn.encode([alpn]) : undefined,
      record_size_limit:
        this.peerRecordSizeLimit !== undefined && config.recordSizeLimit !== undefined
          ? X.recordSizeLimit.encode(config.recordSizeLimit)
          : undefined,
    };
    const order = [...(config.encryptedExtensionsOrder ?? []), ...DEFAULT_EE_ORDER.filter((n) => !config.encryptedExtensionsOrder?.includes(n))];
    const out: Extension[] = [];
    for (const name of order) {
      const body = answers[name];
      if (body) out.push(X.ext(ExtensionType[name], body));
    }
    return out;
  }

  private onCertificate(state: Extract<ServerState, { name: 'WAIT_CERT' }>, certificate: Certificate, raw: Uint8Array): void {
    const { ctx } = this;
    if (certificate.context.length !== state.requestContext.length || certificate.context.some((b, i) => b !== state.requestContext[i])) {
      throw new TlsError('IllegalParameter', 'client Certificate context differs from our certificate_request_context');
    }
    ctx.transcript.add(raw);
    const { suite, schedule, clientHandshakeSecret, clientApplicationSecret, serverApplicationSecret } = state;
    const keys: Keys = { suite, schedule, clientHandshakeSecret, clientApplicationSecret, serverApplicationSecret };
    if (certificate.entries.length === 0) {
      if (this.config.clientAuth === 'require') {
        throw new TlsError('CertificateRequired', 'the client sent no certificate and our policy requires one');
      }
      ctx.decide('client_auth', 'none', 'the client sent an empty Certificate; our policy makes it optional');
      ctx.info.clientAuth = 'requested-none-sent';
      ctx.enter('WAIT_FINISHED');
      this.state = { name: 'WAIT_FINISHED', ...keys };
      return;
    }
    for (const entry of certificate.entries) {
      if (entry.extensions.length > 0) {
        throw new TlsError('UnsolicitedExtension', `CertificateEntry carries ${extensionTypeName(entry.extensions[0]!.type)}, which we did not request`);
      }
    }
    const chain = certificate.entries.map((e) => e.data);
    const now = ctx.cfg.now;
    const evaluation = evaluateTrust(ctx.cfg.trust!, chain, { provider: ctx.provider, ...(now ? { now } : {}), purpose: 'clientAuth' });
    ctx.enter('WAIT_CV');
    this.state = { name: 'WAIT_CV', acceptedSchemes: state.acceptedSchemes, leaf: evaluation.leaf!, ...keys };
    if (evaluation.verdict.pending) {
      ctx.effects.push({ kind: 'await-decision', decision: { kind: 'verify-peer', chain, suggestion: evaluation.verdict } });
      return;
    }
    this.resolveTrust(evaluation.verdict);
  }

  private onCertificateVerify(state: Extract<ServerState, { name: 'WAIT_CV' }>, scheme: number, signature: Uint8Array, raw: Uint8Array) {
    const { ctx } = this;
    if (!state.acceptedSchemes.includes(scheme)) {
      throw new TlsError('CertificateVerifySchemeNotOffered', `client signed with ${signatureSchemeName(scheme)}, which our CertificateRequest did not offer`);
    }
    const outcome = checkCertificateVerify(ctx.provider, scheme, state.leaf.publicKey, 'client', ctx.transcript.current(), signature);
    if (outcome === 'scheme-does-not-fit-key') {
      throw new TlsError('IllegalParameter', `${signatureSchemeName(scheme)} does not fit the client's ${state.leaf.publicKey.kind} key`);
    }
    if (outcome === 'bad-signature') {
      throw new TlsError('BadCertificateVerifySignature', 'client CertificateVerify does not verify: the client does not hold the key of its certificate, or signed another transcript');
    }
    ctx.authenticate(state.leaf.identity, state.verdict!, ctx.possessionProven());
    ctx.info.clientAuth = 'authenticated';
    ctx.decide('client_auth', 'authenticated', `the client proved possession of its key with ${signatureSchemeName(scheme)}`);
    ctx.transcript.add(raw);
    ctx.enter('WAIT_FINISHED');
    const { suite, schedule, clientHandshakeSecret, clientApplicationSecret, serverApplicationSecret } = state;
    this.state = { name: 'WAIT_FINISHED', suite, schedule, clientHandshakeSecret, clientApplicationSecret, serverApplicationSecret };
  }

  private onFinished(state: Extract<ServerState, { name: 'WAIT_FINISHED' }>, verifyData: Uint8Array, raw: Uint8Array): void {
    const { ctx } = this;
    const proof = ctx.verifyFinished(state.suite, state.clientHandshakeSecret, verifyData);
    ctx.transcript.add(raw);
    ctx.effects.push({ kind: 'read-keys', epoch: 'application', suite: state.suite, secret: state.clientApplicationSecret, proof });
    const resumptionMasterSecret = state.schedule.resumptionMasterSecret(ctx.transcript.current());
    ctx.secret('resumption_master_secret', resumptionMasterSecret);
    ctx.enter('CONNECTED');
    const traffic = new ApplicationTraffic(ctx, state.suite, state.serverApplicationSecret, state.clientApplicationSecret, proof);
    this.state = { name: 'CONNECTED', suite: state.suite, traffic };
    ctx.effects.push({ kind: 'event', event: { type: 'connected', info: { ...ctx.info } } });
    for (let i = 0; i < (this.config.tickets?.count ?? 0); i++) this.sendTicket(state.suite, resumptionMasterSecret);
  }

  /** NewSessionTicket (RFC 8446 §4.6.1). */
  private sendTicket(suite: SuiteInfo, resumptionMasterSecret: Uint8Array): void {
    const { ctx, config } = this;
    const tickets = config.tickets!;
    const lifetime = tickets.lifetime ?? 7200;
    const ageAddBytes = ctx.cfg.random(4);
    const ageAdd = ((ageAddBytes[0]! << 24) | (ageAddBytes[1]! << 16) | (ageAddBytes[2]! << 8) | ageAddBytes[3]!) >>> 0;
    const nonce = new Writer(2).u16(this.ticketsSent++).finish();
    const state: TicketState = {
      cipherSuite: suite.code,
      psk: resumptionPsk(ctx.provider, suite, resumptionMasterSecret, nonce),
      ageAdd,
      issuedAt: ctx.cfg.now?.() ?? 0,
      lifetime,
      clientAuthenticated: ctx.info.clientAuth === 'authenticated',
      ...(ctx.info.alpn ? { alpn: ctx.info.alpn } : {}),
    };
    const ticket = tickets.seal ? tickets.seal(encodeTicketState(state)) : sealTicket(ctx.provider, this.ticketKey(), state, ctx.cfg.random);
    const extensions =
      tickets.maxEarlyDataSize !== undefined
        ? [X.ext(ExtensionType.early_data, X.earlyDataNewSessionTicket.encode(tickets.maxEarlyDataSize))]
        : [];
    ctx.send({ kind: 'new_session_ticket', lifetime, ageAdd, nonce, ticket, extensions });
  }

  private ticketKeyBytes?: Uint8Array;
  private ticketKey(): Uint8Array {
    this.ticketKeyBytes ??= this.ctx.cfg.random(32);
    return this.ticketKeyBytes;
  }
}

/**
 * ClientHello2 must be ClientHello1 with only the changes RFC 8446 §4.1.2 allows: one key share for the
 * group we asked for, our cookie echoed, early_data gone, PSK binders updated, padding adjusted.
 */
function checkSecondClientHello(retry: HelloRetry, hello: ClientHello): void {
  const first = retry.hello1;
  if (!equalBytes(first.random, hello.random) || !equalBytes(first.legacySessionId, hello.legacySessionId)) {
    throw new TlsError('IllegalParameter', 'the second ClientHello changed its random or legacy_session_id');
  }
  const shareExt = X.findExtension(hello.extensions, ExtensionType.key_share);
  const shares = shareExt ? X.keyShareClientHello.parse(shareExt.data) : [];
  if (shares.length !== 1 || shares[0]!.group !== retry.group) {
    throw new TlsError('IllegalParameter', `the second ClientHello must carry exactly one key share, for ${namedGroupName(retry.group)}`);
  }
  const cookieExt = X.findExtension(hello.extensions, ExtensionType.cookie);
  if (retry.cookie && (!cookieExt || !equalBytes(X.cookie.parse(cookieExt.data), retry.cookie))) {
    throw new TlsError('IllegalParameter', 'the second ClientHello does not echo our cookie');
  }
  if (X.findExtension(hello.extensions, ExtensionType.early_data)) {
    throw new TlsError('IllegalParameter', 'early_data in the ClientHello after a HelloRetryRequest');
  }
}
