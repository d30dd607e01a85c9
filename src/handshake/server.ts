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
// pass through it in the same step as the server's flight. After a HelloRetryRequest the server is in
// START again, remembering what it asked for; once CONNECTED it still handles KeyUpdate and the answer to
// a post-handshake CertificateRequest (RFC 8446 §4.6).
import { evaluateTrust, trustAnchors, type LeafInfo, type TrustVerdict } from '../auth/trust.js';
import { evaluatePeerCertificate } from './peer-certificate.js';
import { parseCertificate } from '../auth/x509.js';
import { Writer, constantTimeEqual, equalBytes } from '../wire/bytes.js';
import {
  CertificateType,
  ExtensionType,
  ProtocolVersion,
  PskKeyExchangeMode,
  cipherSuiteName,
  extensionTypeName,
  namedGroupName,
  signatureSchemeName,
  type ExtensionTypeName,
} from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import * as X from '../wire/extensions.js';
import { encodeHandshake, truncateClientHelloForBinders } from '../wire/messages.js';
import type { Certificate, ClientHello, Extension, HandshakeMessage, KeyShareEntry } from '../wire/types.js';
import type { CertifiedKey, ServerConfig } from './config.js';
import { describeCertificateType, rawPublicKeyCertified, selectCertificateType, type CertificateTypeName } from './certificate-types.js';
import { HandshakeContext, unexpected } from './context.js';
import { KeySchedule, finishedVerifyData, resumptionPsk } from './keyschedule.js';
import { groupName } from './negotiation.js';
import { certifiedPublicKey, checkCertificateVerify, chooseScheme, signCertificateVerify } from './signatures.js';
import { SUITES, type SuiteInfo } from './suites.js';
import type { Transcript } from './transcript.js';
import { ApplicationTraffic } from './traffic.js';
import { decodeTicketState, encodeTicketState, openTicket, sealTicket, type TicketState } from './tickets.js';

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

/**
 * One CertificateRequest → Certificate → CertificateVerify exchange with the client, in the handshake or
 * after it (RFC 8446 §4.3.2, §4.6.2). After the handshake its transcript is a fork: the handshake through
 * the client Finished, then this exchange only (RFC 8446 §4.4).
 */
interface ClientAuthExchange {
  context: Uint8Array;
  acceptedSchemes: number[];
  rawPublicKey: boolean;
  transcript: Transcript;
  leaf?: LeafInfo;
  verdict?: TrustVerdict;
}

/** A post-handshake CertificateRequest we sent and the message we expect next. */
interface PostHandshakeAuth {
  exchange: ClientAuthExchange;
  expecting: 'certificate' | 'certificate_verify' | 'finished';
}

/** The RFC 7250 outcome: the key or chain we authenticate with, and the EncryptedExtensions answers. */
interface NegotiatedCertificateTypes {
  own: CertifiedKey;
  answers: Partial<Record<'server_certificate_type' | 'client_certificate_type', Uint8Array>>;
  clientRawPublicKey: boolean;
}

/** A ticket we accepted for this handshake. */
interface AcceptedPsk {
  /** Which offered identity (selected_identity in ServerHello). */
  index: number;
  mode: number;
  schedule: KeySchedule;
  earlyData: boolean;
}

/**
 * When we reject 0-RTT without a max_early_data_size of our own, how many bytes of undecryptable early
 * records we skip before treating them as the error they then are (RFC 8446 §4.2.10).
 */
const MAX_SKIPPED_EARLY_DATA = 16_384;

type ServerState =
  | { name: 'START'; retry?: HelloRetry }
  | ({ name: 'WAIT_EOED' } & Keys)
  | ({ name: 'WAIT_CERT'; exchange: ClientAuthExchange } & Keys)
  | ({ name: 'WAIT_CV'; exchange: ClientAuthExchange } & Keys)
  | ({ name: 'WAIT_FINISHED' } & Keys)
  | { name: 'CONNECTED'; suite: SuiteInfo; traffic: ApplicationTraffic; postHandshake?: PostHandshakeAuth };

const DEFAULT_EE_ORDER: ExtensionTypeName[] = [
  'server_name',
  'supported_groups',
  'application_layer_protocol_negotiation',
  'record_size_limit',
  'early_data',
  'server_certificate_type',
  'client_certificate_type',
];

export class ServerHandshake {
  state: ServerState = { name: 'START' };
  /** The client's record_size_limit (RFC 8449), which our records to it must respect. */
  peerRecordSizeLimit?: number;
  /** The limit we answer with when the client offered one (RFC 8449 §4). */
  ownRecordSizeLimit?: number;
  private ticketsSent = 0;

  constructor(
    readonly ctx: HandshakeContext,
    readonly config: ServerConfig,
  ) {}

  handle(message: HandshakeMessage, raw: Uint8Array): void {
    const { ctx } = this;
    const state = this.state;
    switch (state.name) {
      case 'START':
        if (message.kind !== 'client_hello') throw unexpected(state.name, message);
        return this.onClientHello(message, raw, state.retry);
      case 'WAIT_EOED':
        if (message.kind !== 'end_of_early_data') throw unexpected(state.name, message);
        return this.onEndOfEarlyData(state, raw);
      case 'WAIT_CERT': {
        if (message.kind !== 'certificate') throw unexpected(state.name, message);
        const { exchange, name: _name, ...keys } = state;
        const next = this.receiveClientCertificate(exchange, message, raw);
        ctx.enter(next === 'none' ? 'WAIT_FINISHED' : 'WAIT_CV');
        this.state = next === 'none' ? { name: 'WAIT_FINISHED', ...keys } : { name: 'WAIT_CV', exchange, ...keys };
        return;
      }
      case 'WAIT_CV': {
        if (message.kind !== 'certificate_verify') throw unexpected(state.name, message);
        this.receiveClientCertificateVerify(state.exchange, message.scheme, message.signature, raw);
        const { exchange: _exchange, name: _name, ...keys } = state;
        ctx.enter('WAIT_FINISHED');
        this.state = { name: 'WAIT_FINISHED', ...keys };
        return;
      }
      case 'WAIT_FINISHED':
        if (message.kind !== 'finished') throw unexpected(state.name, message);
        return this.onFinished(state, message.verifyData, raw);
      case 'CONNECTED':
        if (message.kind === 'key_update') return state.traffic.onKeyUpdate(message);
        if (state.postHandshake?.expecting === message.kind) return this.onPostHandshakeAuth(state, state.postHandshake, message, raw);
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
    const exchange = state.name === 'WAIT_CV' ? state.exchange : state.name === 'CONNECTED' ? state.postHandshake?.exchange : undefined;
    if (!exchange?.leaf || exchange.verdict) throw new Error('no peer verification is pending');
    this.applyVerdict(exchange, verdict);
  }

  private applyVerdict(exchange: ClientAuthExchange, verdict: TrustVerdict): void {
    exchange.verdict = this.ctx.acceptVerdict(verdict);
  }

  private onClientHello(hello: ClientHello, raw: Uint8Array, retry: HelloRetry | undefined): void {
    const { ctx, config } = this;
    ctx.clientRandom = hello.random;
    ctx.enter('RECVD_CH');
    if (retry) checkSecondClientHello(retry, hello);
    this.clientOfferedPostHandshakeAuth = X.findExtension(hello.extensions, ExtensionType.post_handshake_auth) !== undefined;
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

    const alpn = this.negotiateAlpn(hello);
    const resumption = this.acceptPsk(hello, suite, alpn, retry !== undefined);
    let exchange: { group: number; share: KeyShareEntry } | undefined;
    if (!resumption || resumption.mode === PskKeyExchangeMode.psk_dhe_ke) {
      const selected = this.selectKeyShare(hello, retry);
      if (selected === 'retry') return this.sendHelloRetryRequest(hello, raw, suite, this.retryGroup!);
      exchange = selected;
    }
    const clientAuth = resumption ? 'none' : (config.clientAuth ?? 'none');
    const types = resumption ? undefined : this.negotiateCertificateTypes(hello, clientAuth !== 'none');
    const certificateAuth = types ? this.chooseOwnScheme(hello, types.own) : undefined;

    const sniExt = ext(ExtensionType.server_name);
    const serverName = sniExt ? X.serverName.parse(sniExt.data)[0] : undefined;
    if (serverName) {
      ctx.info.serverName = serverName;
      ctx.decide('server_name', serverName, 'sent by the client (SNI)');
    }
    const limitExt = ext(ExtensionType.record_size_limit);
    if (limitExt) {
      this.peerRecordSizeLimit = X.recordSizeLimit.parse(limitExt.data);
      this.ownRecordSizeLimit = config.recordSizeLimit ?? 2 ** 14 + 1;
    }

    ctx.info.version = 'TLSv1.3';
    ctx.info.cipherSuite = suite.name;
    if (exchange) ctx.info.group = namedGroupName(exchange.group);
    ctx.enter('NEGOTIATED');

    // ServerHello (RFC 8446 §4.1.3).
    const random = ctx.cfg.random(32);
    const serverHelloExtensions: Extension[] = [];
    if (resumption) serverHelloExtensions.push(X.ext(ExtensionType.pre_shared_key, X.preSharedKeyServerHello.encode(resumption.index)));
    let shared: Uint8Array | undefined;
    if (exchange) {
      const kx = ctx.provider.keyExchange(groupName(exchange.group)!);
      const privateKey = kx.generatePrivateKey(ctx.cfg.random);
      shared = kx.sharedSecret(privateKey, exchange.share.keyExchange) ?? undefined;
      if (!shared) throw new TlsError('BadKeyShare', `the client's ${namedGroupName(exchange.group)} key share is not a valid public value`);
      serverHelloExtensions.push(X.ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: exchange.group, keyExchange: kx.publicKey(privateKey) })));
    }
    serverHelloExtensions.push(X.ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(ProtocolVersion.TLSv1_3)));
    ctx.transcript.selectHash(suite.hash);
    ctx.transcript.add(raw);
    const schedule = resumption ? resumption.schedule : new KeySchedule(ctx.provider, suite);
    if (resumption?.earlyData) {
      const early = schedule.earlySecrets(ctx.transcript.current());
      ctx.secret('client_early_traffic_secret', early.clientEarlyTraffic);
      ctx.secret('early_exporter_master_secret', early.earlyExporter);
      ctx.earlyExporter = { secret: early.earlyExporter, suite };
      ctx.effects.push({ kind: 'read-keys', epoch: 'early', suite, secret: early.clientEarlyTraffic });
    }
    ctx.send({
      kind: 'server_hello',
      legacyVersion: ProtocolVersion.TLSv1_2,
      random,
      legacySessionIdEcho: hello.legacySessionId,
      cipherSuite: suite.code,
      legacyCompressionMethod: 0,
      extensions: serverHelloExtensions,
    });
    // Middlebox compatibility mode: answer a non-empty session id with one dummy ChangeCipherSpec right
    // after our first handshake message, ServerHello or HelloRetryRequest (§D.4).
    if (hello.legacySessionId.length > 0 && !retry) ctx.effects.push({ kind: 'send-change-cipher-spec' });

    schedule.enterHandshake(shared);
    const hs = schedule.handshakeTrafficSecrets(ctx.transcript.current());
    ctx.secret('client_handshake_traffic_secret', hs.client);
    ctx.secret('server_handshake_traffic_secret', hs.server);
    ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite, secret: hs.server });
    if (!resumption?.earlyData) ctx.effects.push({ kind: 'read-keys', epoch: 'handshake', suite, secret: hs.client });
    if (ext(ExtensionType.early_data) && !resumption?.earlyData) {
      // Rejected 0-RTT: the client's early records cannot be decrypted and are skipped (RFC 8446 §4.2.10).
      ctx.info.earlyData = 'rejected';
      ctx.effects.push({ kind: 'skip-early-data', budget: config.tickets?.maxEarlyDataSize ?? MAX_SKIPPED_EARLY_DATA });
    }

    ctx.send({ kind: 'encrypted_extensions', extensions: this.encryptedExtensions(serverName, alpn, resumption?.earlyData === true, types?.answers ?? {}) });
    const acceptedSchemes = [...ctx.cfg.signatureSchemes];
    const requestContext = new Uint8Array(0);
    if (clientAuth !== 'none') {
      ctx.decide('client_auth', clientAuth, `configured client-auth policy: ${clientAuth}`);
      ctx.send({ kind: 'certificate_request', context: requestContext, extensions: this.certificateRequestExtensions(acceptedSchemes) });
    } else if (!resumption) {
      ctx.info.clientAuth = 'not-requested';
    }
    if (types && certificateAuth !== undefined) {
      ctx.send({ kind: 'certificate', context: new Uint8Array(0), entries: types.own.chain.map((data) => ({ data, extensions: [] })) });
      const signature = signCertificateVerify(ctx.provider, certificateAuth, types.own, 'server', ctx.transcript.current(), ctx.cfg.random);
      ctx.send({ kind: 'certificate_verify', scheme: certificateAuth, signature });
    }
    ctx.sendFinished(suite, hs.server);

    schedule.enterMaster();
    const app = schedule.applicationSecrets(ctx.transcript.current());
    ctx.secret('client_application_traffic_secret_0', app.client);
    ctx.secret('server_application_traffic_secret_0', app.server);
    ctx.secret('exporter_master_secret', app.exporter);
    ctx.exporterMasterSecret = app.exporter;
    ctx.effects.push({ kind: 'write-keys', epoch: 'application', suite, secret: app.server });

    const keys: Keys = { suite, schedule, clientHandshakeSecret: hs.client, clientApplicationSecret: app.client, serverApplicationSecret: app.server };
    if (resumption?.earlyData) {
      ctx.enter('WAIT_EOED');
      this.state = { name: 'WAIT_EOED', ...keys };
      return;
    }
    ctx.enter('WAIT_FLIGHT2');
    if (clientAuth !== 'none') {
      ctx.enter('WAIT_CERT');
      const exchange: ClientAuthExchange = { context: requestContext, acceptedSchemes, rawPublicKey: types?.clientRawPublicKey === true, transcript: ctx.transcript };
      this.state = { name: 'WAIT_CERT', exchange, ...keys };
    } else {
      ctx.enter('WAIT_FINISHED');
      this.state = { name: 'WAIT_FINISHED', ...keys };
    }
  }

  /** The group we asked for in a HelloRetryRequest, when selectKeyShare answers 'retry'. */
  private retryGroup?: number;

  /**
   * Key exchange (RFC 8446 §4.2.7, §4.2.8): our preference among the groups we share with the client.
   * Normally the first one the client already sent a share for (no extra round trip); with
   * helloRetryForPreferredGroup, our favourite, asked for with a HelloRetryRequest when needed.
   */
  private selectKeyShare(hello: ClientHello, retry: HelloRetry | undefined): { group: number; share: KeyShareEntry } | 'retry' {
    const { ctx, config } = this;
    const groupsExt = X.findExtension(hello.extensions, ExtensionType.supported_groups);
    const shareExt = X.findExtension(hello.extensions, ExtensionType.key_share);
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
    const mutual = ctx.cfg.groups.filter((g) => clientGroups.includes(g) && groupName(g));
    if (mutual.length === 0) throw new TlsError('NoCommonGroup', `no common group: the client supports ${clientGroups.map(namedGroupName).join(', ')}`);
    const group = (config.helloRetryForPreferredGroup ? undefined : mutual.find((g) => seen.has(g))) ?? mutual[0]!;
    if (!seen.has(group)) {
      if (retry) throw new TlsError('IllegalParameter', `the second ClientHello still has no key share for ${namedGroupName(group)}`);
      this.retryGroup = group;
      return 'retry';
    }
    ctx.decide('group', namedGroupName(group), 'our most preferred group the client sent a key share for');
    return { group, share: shares.find((s) => s.group === group)! };
  }

  /**
   * RFC 7250 §4.2: what we authenticate with (the first type in the client's server_certificate_type list
   * that we have) and, when we ask for client authentication, what the client may send (the first in its
   * client_certificate_type list that we accept). No common type is unsupported_certificate.
   */
  private negotiateCertificateTypes(hello: ClientHello, requestClientAuth: boolean): NegotiatedCertificateTypes {
    const { ctx, config } = this;
    const ours: CertificateTypeName[] = [...(config.rawPublicKey ? ['raw-public-key' as const] : []), ...(config.certificate ? ['x509' as const] : [])];
    const serverTypesExt = X.findExtension(hello.extensions, ExtensionType.server_certificate_type);
    const serverType = serverTypesExt ? selectCertificateType(X.serverCertificateTypeClientHello.parse(serverTypesExt.data), ours) : config.certificate ? CertificateType.X509 : undefined;
    if (serverType === undefined) {
      throw new TlsError('UnsupportedCertificateType', `the client accepts no server certificate type we have (${ours.join(', ')})`);
    }
    const answers: NegotiatedCertificateTypes['answers'] = {};
    if (serverTypesExt) answers.server_certificate_type = X.serverCertificateTypeServerSide.encode(serverType);
    const rawPublicKey = serverType === CertificateType.RawPublicKey;
    ctx.info.serverCertificateType = rawPublicKey ? 'raw-public-key' : 'x509';
    if (serverTypesExt) ctx.decide('certificate_type', `server: ${describeCertificateType(serverType)}`, "the first in the client's server_certificate_type list that we have");
    const own = rawPublicKey ? rawPublicKeyCertified(ctx.provider, config.rawPublicKey!) : config.certificate!;
    if (!requestClientAuth) return { own, answers, clientRawPublicKey: false };

    const accepted = config.clientCertificateTypes ?? ['x509'];
    const clientTypesExt = X.findExtension(hello.extensions, ExtensionType.client_certificate_type);
    const clientType = selectCertificateType(clientTypesExt ? X.clientCertificateTypeClientHello.parse(clientTypesExt.data) : [CertificateType.X509], accepted);
    if (clientType === undefined) {
      throw new TlsError('UnsupportedCertificateType', `the client can send no certificate type we accept (${accepted.join(', ')})`);
    }
    if (clientTypesExt) {
      answers.client_certificate_type = X.clientCertificateTypeServerSide.encode(clientType);
      ctx.decide('certificate_type', `client: ${describeCertificateType(clientType)}`, "the first in the client's client_certificate_type list that we accept");
    }
    return { own, answers, clientRawPublicKey: clientType === CertificateType.RawPublicKey };
  }

  /** Signature scheme for our CertificateVerify (RFC 8446 §4.4.2.2, §4.2.3). */
  private chooseOwnScheme(hello: ClientHello, own: CertifiedKey): number {
    const { ctx } = this;
    const sigExt = X.findExtension(hello.extensions, ExtensionType.signature_algorithms);
    if (!sigExt) throw new TlsError('MissingExtension', 'ClientHello without signature_algorithms (needed for certificate authentication)');
    const ourKey = certifiedPublicKey(ctx.provider, own);
    const scheme = chooseScheme(ctx.cfg.signatureSchemes, X.signatureAlgorithms.parse(sigExt.data), ourKey);
    if (scheme === undefined) {
      throw new TlsError('NoCommonSignatureScheme', `none of the client's signature algorithms fits our ${ourKey.kind} key`);
    }
    ctx.decide('signature_scheme', signatureSchemeName(scheme), `our first scheme that fits our ${ourKey.kind} key and the client accepts`);
    ctx.info.signatureScheme = signatureSchemeName(scheme);
    return scheme;
  }

  /** ALPN (RFC 7301 §3.2): our preference among the client's; no overlap is fatal. */
  private negotiateAlpn(hello: ClientHello): string | undefined {
    const { ctx } = this;
    const alpnExt = X.findExtension(hello.extensions, ExtensionType.application_layer_protocol_negotiation);
    if (!alpnExt || ctx.cfg.alpnProtocols.length === 0) return undefined;
    const offered = X.alpn.parse(alpnExt.data);
    const alpn = ctx.cfg.alpnProtocols.find((p) => offered.includes(p));
    if (!alpn) throw new TlsError('NoApplicationProtocol', `client offered ${offered.join(', ')}; we speak ${ctx.cfg.alpnProtocols.join(', ')}`);
    ctx.info.alpn = alpn;
    ctx.decide('alpn', alpn, 'our most preferred protocol that the client offered');
    return alpn;
  }

  /**
   * PSK resumption (RFC 8446 §4.2.11): the first offered ticket that is ours, alive, fits the suite and the
   * client-auth policy; its binder must verify (else decrypt_error). 0-RTT on top when every §4.2.10
   * condition holds and the ticket is used for the first time.
   */
  private acceptPsk(hello: ClientHello, suite: SuiteInfo, alpn: string | undefined, afterRetry: boolean): AcceptedPsk | undefined {
    const { ctx, config } = this;
    const pskExt = X.findExtension(hello.extensions, ExtensionType.pre_shared_key);
    if (!pskExt) return undefined;
    const modesExt = X.findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
    if (!modesExt) throw new TlsError('MissingExtension', 'pre_shared_key without psk_key_exchange_modes (RFC 8446 §4.2.9)');
    const modes = X.pskKeyExchangeModes.parse(modesExt.data);
    const canDhe = modes.includes(PskKeyExchangeMode.psk_dhe_ke) && X.findExtension(hello.extensions, ExtensionType.key_share) !== undefined;
    const mode = canDhe ? PskKeyExchangeMode.psk_dhe_ke : modes.includes(PskKeyExchangeMode.psk_ke) && config.tickets?.allowPskWithoutDhe ? PskKeyExchangeMode.psk_ke : undefined;
    const now = ctx.cfg.now?.();
    if (mode === undefined || now === undefined || !config.tickets) {
      const why = mode === undefined ? 'no PSK key exchange mode we accept' : now === undefined ? 'no clock to check ticket lifetimes' : 'tickets are not configured';
      ctx.decide('resumption', 'full handshake', `a PSK was offered, but ${why}`);
      return undefined;
    }
    const offered = X.preSharedKeyClientHello.parse(pskExt.data);
    for (const [index, identity] of offered.identities.entries()) {
      const state = this.openTicket(identity.identity);
      if (!state) continue;
      const age = now - state.issuedAt;
      if (age < 0 || age > state.lifetime * 1000) continue;
      if (SUITES.get(state.cipherSuite)?.hash !== suite.hash) continue;
      const authenticated = state.clientChain.length > 0;
      if (config.clientAuth === 'require' && !authenticated) continue;
      const schedule = new KeySchedule(ctx.provider, suite, state.psk);
      this.verifyBinder(hello, schedule, suite, offered.binders[index]!);
      if (authenticated) this.reauthenticate(state.clientChain);
      else if ((config.clientAuth ?? 'none') !== 'none') ctx.info.clientAuth = 'requested-none-sent';
      ctx.info.resumed = true;
      ctx.decide('resumption', `PSK #${index} (${mode === PskKeyExchangeMode.psk_dhe_ke ? 'psk_dhe_ke' : 'psk_ke'})`, `a valid ticket, ${Math.round(age / 1000)} s old`);
      const earlyData = this.acceptEarlyData(hello, identity, index, state, suite, alpn, age, afterRetry);
      return { index, mode, schedule, earlyData };
    }
    ctx.decide('resumption', 'full handshake', 'none of the offered tickets is ours, alive and suitable');
    return undefined;
  }

  private openTicket(ticket: Uint8Array): TicketState | undefined {
    const tickets = this.config.tickets!;
    if (!tickets.open) return openTicket(this.ctx.provider, this.ticketKey(), ticket);
    const plaintext = tickets.open(ticket);
    try {
      return plaintext ? decodeTicketState(plaintext) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The binder over the ClientHello truncated before the binders list (RFC 8446 §4.2.11.2), in constant time. */
  private verifyBinder(hello: ClientHello, schedule: KeySchedule, suite: SuiteInfo, binder: Uint8Array): void {
    const transcript = this.ctx.transcript.fork();
    transcript.selectHash(suite.hash);
    transcript.add(truncateClientHelloForBinders(encodeHandshake(hello)));
    const expected = finishedVerifyData(this.ctx.provider, suite, schedule.binderKey(true), transcript.current());
    if (!constantTimeEqual(expected, binder)) throw new TlsError('BadPskBinder', 'the PSK binder does not match the ClientHello');
  }

  /** A resumed session is authenticated only as the original one was, judged under today's trust policy. */
  private reauthenticate(chain: Uint8Array[]): void {
    const { ctx } = this;
    const now = ctx.cfg.now;
    const evaluation = evaluateTrust(ctx.cfg.trust ?? { kind: 'ask' }, chain, { provider: ctx.provider, ...(now ? { now } : {}), purpose: 'clientAuth' });
    if (!evaluation.verdict.trusted) {
      ctx.info.clientAuth = 'requested-none-sent';
      ctx.decide('client_auth', 'none', `the resumed session's client certificate is no longer trusted: ${evaluation.verdict.detail}`);
      return;
    }
    // Possession was proven by the CertificateVerify of the handshake that issued this ticket (sealed by us).
    ctx.authenticate(evaluation.leaf.identity, { ...evaluation.verdict, rule: `resumed ${evaluation.verdict.rule}` }, ctx.possessionProven());
    ctx.info.clientAuth = 'authenticated';
  }

  /** 0-RTT (RFC 8446 §4.2.10, §8): accepted only when every condition holds; each reason is a decision. */
  private acceptEarlyData(
    hello: ClientHello,
    identity: { identity: Uint8Array; obfuscatedTicketAge: number },
    index: number,
    state: TicketState,
    suite: SuiteInfo,
    alpn: string | undefined,
    age: number,
    afterRetry: boolean,
  ): boolean {
    const { ctx, config } = this;
    if (!X.findExtension(hello.extensions, ExtensionType.early_data)) return false;
    const tickets = config.tickets!;
    const clientAge = (identity.obfuscatedTicketAge - state.ageAdd) >>> 0;
    const refusal =
      tickets.maxEarlyDataSize === undefined ? 'we do not accept 0-RTT'
      : !tickets.antiReplay ? 'no single-use ticket register to stop replays'
      : afterRetry ? 'after a HelloRetryRequest'
      : index !== 0 ? 'only the first PSK may carry early data'
      : state.cipherSuite !== suite.code ? 'the cipher suite differs from the original session'
      : (state.alpn ?? '') !== (alpn ?? '') ? 'the ALPN protocol differs from the original session'
      : Math.abs(clientAge - age) > (tickets.maxAgeSkewMs ?? 10_000) ? `ticket age ${clientAge} ms does not match ours (${age} ms)`
      : !tickets.antiReplay.firstUse(identity.identity) ? 'this ticket was already used (replay)'
      : undefined;
    ctx.decide('early_data', refusal ? 'rejected' : 'accepted', refusal ?? `up to ${tickets.maxEarlyDataSize} bytes`);
    ctx.info.earlyData = refusal ? 'rejected' : 'accepted';
    if (!refusal) this.earlyDataBudget = tickets.maxEarlyDataSize!;
    return !refusal;
  }

  /** Bytes of 0-RTT data the client may still send (RFC 8446 §4.2.10: more is unexpected_message). */
  private earlyDataBudget = 0;

  /** Counts accepted 0-RTT data against max_early_data_size. */
  onEarlyData(length: number): void {
    this.earlyDataBudget -= length;
    if (this.earlyDataBudget < 0) throw new TlsError('TooMuchEarlyData', 'the client sent more 0-RTT data than max_early_data_size');
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
    // 0-RTT is never accepted after a HelloRetryRequest: skip the client's early records (RFC 8446 §4.2.10).
    if (X.findExtension(hello.extensions, ExtensionType.early_data)) {
      ctx.info.earlyData = 'rejected';
      ctx.effects.push({ kind: 'skip-early-data', budget: config.tickets?.maxEarlyDataSize ?? MAX_SKIPPED_EARLY_DATA });
    }
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
  private encryptedExtensions(
    serverName: string | undefined,
    alpn: string | undefined,
    earlyDataAccepted: boolean,
    certificateTypes: NegotiatedCertificateTypes['answers'],
  ): Extension[] {
    const { config, ctx } = this;
    const answers: Partial<Record<ExtensionTypeName, Uint8Array | undefined>> = {
      server_name: serverName ? new Uint8Array(0) : undefined,
      supported_groups: config.advertiseGroups ? X.supportedGroups.encode([...ctx.cfg.groups]) : undefined,
      application_layer_protocol_negotiation: alpn ? X.alpn.encode([alpn]) : undefined,
      // RFC 8449 §4: a limit applies only when both sides sent one; we answer every offer.
      record_size_limit: this.ownRecordSizeLimit !== undefined ? X.recordSizeLimit.encode(this.ownRecordSizeLimit) : undefined,
      early_data: earlyDataAccepted ? new Uint8Array(0) : undefined,
      ...certificateTypes,
    };
    const order = [...(config.encryptedExtensionsOrder ?? []), ...DEFAULT_EE_ORDER.filter((n) => !config.encryptedExtensionsOrder?.includes(n))];
    const out: Extension[] = [];
    for (const name of order) {
      const body = answers[name];
      if (body !== undefined) out.push(X.ext(ExtensionType[name], body));
    }
    return out;
  }

  /** EndOfEarlyData (RFC 8446 §4.5): the client's 0-RTT data is over; its handshake keys take over. */
  private onEndOfEarlyData(state: Extract<ServerState, { name: 'WAIT_EOED' }>, raw: Uint8Array): void {
    const { ctx } = this;
    ctx.transcript.add(raw);
    ctx.effects.push({ kind: 'read-keys', epoch: 'handshake', suite: state.suite, secret: state.clientHandshakeSecret });
    ctx.enter('WAIT_FLIGHT2');
    ctx.enter('WAIT_FINISHED');
    const { name: _name, ...keys } = state;
    this.state = { name: 'WAIT_FINISHED', ...keys };
  }

  /** The client's Certificate (RFC 8446 §4.4.2): empty (allowed unless required), or judged by the trust policy. */
  private receiveClientCertificate(exchange: ClientAuthExchange, certificate: Certificate, raw: Uint8Array): 'none' | 'judged' {
    const { ctx } = this;
    if (!equalBytes(certificate.context, exchange.context)) {
      throw new TlsError('IllegalParameter', 'client Certificate context differs from our certificate_request_context');
    }
    exchange.transcript.add(raw);
    if (certificate.entries.length === 0) {
      if (this.config.clientAuth === 'require') {
        throw new TlsError('CertificateRequired', 'the client sent no certificate and our policy requires one');
      }
      ctx.decide('client_auth', 'none', 'the client sent an empty Certificate; our policy makes it optional');
      ctx.info.clientAuth = 'requested-none-sent';
      return 'none';
    }
    for (const entry of certificate.entries) {
      if (entry.extensions.length > 0) {
        throw new TlsError('UnsolicitedExtension', `CertificateEntry carries ${extensionTypeName(entry.extensions[0]!.type)}, which we did not request`);
      }
    }
    const evaluation = evaluatePeerCertificate(ctx, certificate, exchange.rawPublicKey, 'clientAuth');
    ctx.info.clientCertificateType = exchange.rawPublicKey ? 'raw-public-key' : 'x509';
    exchange.leaf = evaluation.leaf;
    if (evaluation.verdict.pending) {
      const decision = { kind: 'verify-peer' as const, chain: evaluation.chain, rawPublicKey: exchange.rawPublicKey, suggestion: evaluation.verdict };
      ctx.effects.push({ kind: 'await-decision', decision });
    } else {
      this.applyVerdict(exchange, evaluation.verdict);
    }
    return 'judged';
  }

  /** The client's CertificateVerify (RFC 8446 §4.4.3): proof that it holds the key; then it is authenticated. */
  private receiveClientCertificateVerify(exchange: ClientAuthExchange, scheme: number, signature: Uint8Array, raw: Uint8Array): void {
    const { ctx } = this;
    const leaf = exchange.leaf!;
    if (!exchange.acceptedSchemes.includes(scheme)) {
      throw new TlsError('CertificateVerifySchemeNotOffered', `client signed with ${signatureSchemeName(scheme)}, which our CertificateRequest did not offer`);
    }
    const outcome = checkCertificateVerify(ctx.provider, scheme, leaf.publicKey, 'client', exchange.transcript.current(), signature);
    if (outcome === 'scheme-does-not-fit-key') {
      throw new TlsError('IllegalParameter', `${signatureSchemeName(scheme)} does not fit the client's ${leaf.publicKey.kind} key`);
    }
    if (outcome === 'bad-signature') {
      throw new TlsError('BadCertificateVerifySignature', 'client CertificateVerify does not verify: the client does not hold the key of its certificate, or signed another transcript');
    }
    ctx.authenticate(leaf.identity, exchange.verdict!, ctx.possessionProven());
    ctx.info.clientAuth = 'authenticated';
    ctx.decide('client_auth', 'authenticated', `the client proved possession of its key with ${signatureSchemeName(scheme)}`);
    exchange.transcript.add(raw);
  }

  /** Sends a post-handshake CertificateRequest (RFC 8446 §4.6.2); the client offered post_handshake_auth. */
  requestClientCertificate(): void {
    const { ctx } = this;
    const state = this.state;
    if (state.name !== 'CONNECTED') throw new Error(`post-handshake authentication needs a connected connection (state ${state.name})`);
    if (!this.clientOfferedPostHandshakeAuth) throw new Error('the client did not offer post_handshake_auth');
    if (state.postHandshake) throw new Error('a post-handshake CertificateRequest is already outstanding');
    if (!ctx.cfg.trust) throw new Error('post-handshake authentication needs a trust policy (config.trust)');
    // A fresh, unpredictable context ties the answer to this request (RFC 8446 §4.3.2).
    const exchange: ClientAuthExchange = {
      context: ctx.cfg.random(16),
      acceptedSchemes: [...ctx.cfg.signatureSchemes],
      rawPublicKey: false,
      transcript: ctx.transcript.fork(),
    };
    ctx.send({ kind: 'certificate_request', context: exchange.context, extensions: this.certificateRequestExtensions(exchange.acceptedSchemes) }, exchange.transcript);
    ctx.decide('client_auth', 'requested after the handshake', 'post-handshake CertificateRequest sent');
    state.postHandshake = { exchange, expecting: 'certificate' };
  }

  private onPostHandshakeAuth(state: Extract<ServerState, { name: 'CONNECTED' }>, pending: PostHandshakeAuth, message: HandshakeMessage, raw: Uint8Array): void {
    const { ctx } = this;
    const { exchange } = pending;
    switch (message.kind) {
      case 'certificate':
        pending.expecting = this.receiveClientCertificate(exchange, message, raw) === 'none' ? 'finished' : 'certificate_verify';
        return;
      case 'certificate_verify':
        this.receiveClientCertificateVerify(exchange, message.scheme, message.signature, raw);
        pending.expecting = 'finished';
        return;
      case 'finished':
        // Base key: the client's current application traffic secret (RFC 8446 §4.4).
        ctx.verifyFinished(state.suite, state.traffic.clientSecret('server'), message.verifyData, exchange.transcript);
        delete state.postHandshake;
        ctx.effects.push({ kind: 'event', event: { type: 'post-handshake-auth', info: { ...ctx.info } } });
        return;
      default:
        throw unexpected(state.name, message);
    }
  }

  /** Whether the ClientHello carried post_handshake_auth (RFC 8446 §4.2.6). */
  private clientOfferedPostHandshakeAuth = false;

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
      clientChain: ctx.info.clientAuth === 'authenticated' ? (ctx.info.peer?.chain ?? []) : [],
      ...(ctx.info.alpn ? { alpn: ctx.info.alpn } : {}),
    };
    const ticket = tickets.seal ? tickets.seal(encodeTicketState(state)) : sealTicket(ctx.provider, this.ticketKey(), state, ctx.cfg.random);
    const extensions =
      tickets.maxEarlyDataSize !== undefined
        ? [X.ext(ExtensionType.early_data, X.earlyDataNewSessionTicket.encode(tickets.maxEarlyDataSize))]
        : [];
    ctx.sendOutsideTranscript({ kind: 'new_session_ticket', lifetime, ageAdd, nonce, ticket, extensions });
  }

  private ticketKeyBytes?: Uint8Array;
  private ticketKey(): Uint8Array {
    this.ticketKeyBytes ??= this.config.tickets?.key ?? this.ctx.cfg.random(32);
    return this.ticketKeyBytes;
  }
}

/**
 * ClientHello2 must be ClientHello1 with only the changes RFC 8446 §4.1.2 allows: one key share for the
 * group we asked for, our cookie echoed, early_data gone, PSK binders updated, padding adjusted. We hold
 * the client to it: anything else that changed is illegal_parameter.
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

/** What ClientHello2 may change (RFC 8446 §4.1.2); every other extension must be repeated byte for byte. */
const MAY_CHANGE_AFTER_RETRY: ReadonlySet<number> = new Set([
  ExtensionType.key_share,
  ExtensionType.cookie,
  ExtensionType.early_data,
  ExtensionType.pre_shared_key,
  ExtensionType.padding,
]);
