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
// START again, holding only what RFC 8446 §4.1.4 carries over (HelloRetry); once CONNECTED it still
// handles KeyUpdate and the answer to a post-handshake CertificateRequest (RFC 8446 §4.6).
//
// Every parameter of a handshake is derived from the ClientHello that its ServerHello answers: the
// key-share decision comes first, and a HelloRetryRequest is sent before any PSK, identity or extension
// is judged. What was decided lives in this handshake's state objects, and `ctx.info` is written only
// for the ClientHello we answer with a ServerHello.
import type { TrustVerdict } from '../../auth/trust.js';
import { ExtensionType, ProtocolVersion, PskKeyExchangeMode, namedGroupName, signatureSchemeName } from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import * as X from '../../wire/extensions.js';
import type { ClientHello, Extension, HandshakeMessage, KeyShareEntry } from '../../wire/types.js';
import type { ServerConfig } from '../config.js';
import { HandshakeContext, authenticateExternalPsk, unexpected, type PeerFinishedVerified, type PskBinderVerified } from '../context.js';
import type { ResolvedExternalPsk } from '../external-psk.js';
import { KeySchedule } from '../keyschedule.js';
import { groupName } from '../negotiation.js';
import { signCertificateVerify } from '../signatures.js';
import type { SuiteInfo } from '../suites.js';
import { ApplicationTraffic } from '../traffic.js';
import { applyVerdict, certificateRequestExtensions, confirmClientAuthentication, receiveClientCertificate, receiveClientCertificateVerify, type ClientAuthExchange } from './client-auth.js';
import {
  checkSecondClientHello,
  checkVersion,
  chooseOwnScheme,
  encryptedExtensions,
  negotiateAlpn,
  negotiateCertificateTypes,
  selectKeyShare,
  selectSuite,
  sendHelloRetryRequest,
  type HelloRetry,
  type KeyShareChoice,
} from './hello.js';
import { certificateTypeOf } from '../certificate-types.js';
import { ownCertificateEntries } from '../ocsp-staple.js';
import { onPostHandshakeAuth, requestClientCertificate, sendTicket, type Connected } from './post-handshake.js';
import { shapeExtensions } from './flight-shape.js';
import { answeredHostName, decideServerName, requestedServerName } from './server-name.js';
import { TicketKey, acceptPsk, earlyDataToSkip, ticketsUsable, type AcceptedPsk } from './psk.js';
import { offeredExternalPskHash, requireAcceptedPsk } from './external-psk.js';
import { decompressCertificate, maybeCompress } from '../certificate-compression.js';
import { MAX_INNER_PLAINTEXT_LENGTH } from '../../record/index.js';

interface Keys {
  suite: SuiteInfo;
  schedule: KeySchedule;
  clientHandshakeSecret: Uint8Array;
  /** Installed for reading only once the client's Finished is verified. */
  clientApplicationSecret: Uint8Array;
  serverApplicationSecret: Uint8Array;
  /** The answered ClientHello carried post_handshake_auth (RFC 8446 §4.2.6). */
  postHandshakeAuthOffered: boolean;
  /** RawPublicKey was negotiated in client_certificate_type: every client Certificate carries an SPKI (RFC 8446 §4.4.2). */
  clientRawPublicKey: boolean;
  /** The answered ClientHello lists a PSK mode we resume with: our tickets are of use to it (psk.ts). */
  ticketsUsable: boolean;
  /**
   * The external PSK we accepted and its verified binder, or the one whose session a resumed ticket continues (and
   * the ticket's binder): the client's identity once its Finished verifies.
   */
  externalPsk?: { psk: ResolvedExternalPsk; binder: PskBinderVerified; resumed: boolean };
  /** The resumed ticket's client, re-judged trusted: reported once its Finished verifies (no 0-RTT accepted). */
  resumedClient?: ResumedClient;
}

type ResumedClient = NonNullable<AcceptedPsk['client']>;

export type ServerState =
  | { name: 'START'; retry?: HelloRetry }
  /** `earlyDataBudget`: bytes of 0-RTT data the client may still send (RFC 8446 §4.2.10: more is unexpected_message). */
  | ({ name: 'WAIT_EOED'; earlyDataBudget: number } & Keys)
  | ({ name: 'WAIT_CERT'; exchange: ClientAuthExchange } & Keys)
  | ({ name: 'WAIT_CV'; exchange: ClientAuthExchange } & Keys)
  /** `exchange`: the client's certificate and proof of possession, confirmed by its Finished. */
  | ({ name: 'WAIT_FINISHED'; exchange?: ClientAuthExchange } & Keys)
  | Connected;

export class ServerHandshake {
  state: ServerState = { name: 'START' };
  private ticketsSent = 0;
  private readonly ticketKey: TicketKey;

  constructor(
    readonly ctx: HandshakeContext,
    readonly config: ServerConfig,
  ) {
    this.ticketKey = new TicketKey(ctx, config);
  }

  handle(received: HandshakeMessage, raw: Uint8Array): void {
    const { ctx, config } = this;
    const state = this.state;
    // RFC 8879 §4: a CompressedCertificate stands for the Certificate where one is expected; raw stays as sent.
    const expectsCertificate = state.name === 'WAIT_CERT' || (state.name === 'CONNECTED' && state.postHandshake?.expecting === 'certificate');
    const message = expectsCertificate && received.kind === 'compressed_certificate' ? decompressCertificate(ctx, received) : received;
    switch (state.name) {
      case 'START':
        if (message.kind !== 'client_hello') throw unexpected(state.name, message);
        return this.onClientHello(message, raw, state.retry);
      case 'WAIT_EOED':
        if (message.kind !== 'end_of_early_data') throw unexpected(state.name, message);
        return this.onEndOfEarlyData(state, raw);
      case 'WAIT_CERT': {
        if (message.kind !== 'certificate') throw unexpected(state.name, message);
        const next = receiveClientCertificate(ctx, config, state.exchange, message, raw);
        ctx.enter(next === 'none' ? 'WAIT_FINISHED' : 'WAIT_CV');
        this.state = { ...state, name: next === 'none' ? 'WAIT_FINISHED' : 'WAIT_CV' };
        return;
      }
      case 'WAIT_CV': {
        if (message.kind !== 'certificate_verify') throw unexpected(state.name, message);
        receiveClientCertificateVerify(ctx, state.exchange, message.scheme, message.signature, raw);
        ctx.enter('WAIT_FINISHED');
        this.state = { ...state, name: 'WAIT_FINISHED' };
        return;
      }
      case 'WAIT_FINISHED':
        if (message.kind !== 'finished') throw unexpected(state.name, message);
        return this.onFinished(state, message.verifyData, raw);
      case 'CONNECTED':
        if (message.kind === 'key_update') return state.traffic.onKeyUpdate(message);
        if (state.postHandshake?.expecting === message.kind) return onPostHandshakeAuth(ctx, config, state, state.postHandshake, message, raw);
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
    applyVerdict(this.ctx, exchange, verdict);
  }

  /** Counts accepted 0-RTT data against max_early_data_size (RFC 8446 §4.2.10). */
  onEarlyData(length: number): void {
    const state = this.state;
    if (state.name !== 'WAIT_EOED') throw new TlsError('UnexpectedMessage', `0-RTT data in state ${state.name}`);
    state.earlyDataBudget -= length;
    if (state.earlyDataBudget < 0) throw new TlsError('TooMuchEarlyData', 'the client sent more 0-RTT data than max_early_data_size');
  }

  /** Sends a post-handshake CertificateRequest (RFC 8446 §4.6.2); the client offered post_handshake_auth. */
  requestClientCertificate(): void {
    const state = this.state;
    if (state.name !== 'CONNECTED') throw new Error(`post-handshake authentication needs a connected connection (state ${state.name})`);
    requestClientCertificate(this.ctx, this.config, state);
  }

  /**
   * RECVD_CH: version, suite and key share first. When the key share asks for a HelloRetryRequest we send
   * it and go back to START with what §4.1.4 carries over, before anything else is judged.
   */
  private onClientHello(hello: ClientHello, raw: Uint8Array, retry: HelloRetry | undefined): void {
    const { ctx, config } = this;
    // Our own copy: the ClientHello is a view of the caller's receive() bytes, and keylog events use it later.
    ctx.clientRandom = new Uint8Array(hello.random);
    ctx.enter('RECVD_CH');
    if (retry) checkSecondClientHello(retry, hello);
    checkVersion(ctx, hello);
    const suite = selectSuite(ctx, hello, retry, offeredExternalPskHash(ctx, hello));
    const keyShare = selectKeyShare(ctx, config, hello, retry);
    if (keyShare.kind === 'retry') {
      ctx.effects.push({ kind: 'peer-flight-ends' });
      const carried = sendHelloRetryRequest(ctx, config, this.ticketKey, hello, raw, suite, keyShare.group);
      ctx.enter('START');
      this.state = { name: 'START', retry: carried };
      return;
    }
    this.answer(hello, raw, suite, keyShare, retry);
  }

  /** NEGOTIATED: everything else, judged for this ClientHello only, then the server's flight. */
  private answer(hello: ClientHello, raw: Uint8Array, suite: SuiteInfo, keyShare: Exclude<KeyShareChoice, { kind: 'retry' }>, retry: HelloRetry | undefined): void {
    const { ctx, config } = this;
    const ext = (type: number) => X.findExtension(hello.extensions, type);
    const requestedName = requestedServerName(hello);
    const serverName = answeredHostName(requestedName);
    const alpn = negotiateAlpn(ctx, hello);
    const psk = acceptPsk(ctx, config, this.ticketKey, hello, raw, suite, { alpn, serverName });
    if (!psk) requireAcceptedPsk(ctx, config, hello);
    let exchange: { group: number; share: KeyShareEntry } | undefined;
    if (psk?.mode !== PskKeyExchangeMode.psk_ke) {
      // §9.2 asks for supported_groups and key_share only of a ClientHello without pre_shared_key: one whose PSK
      // we declined (psk_ke alone, not allowed) is conformant, and simply shares no parameters with us (§4.1.1).
      if (keyShare.kind === 'none' && ext(ExtensionType.pre_shared_key)) throw new TlsError('NoCommonGroup', 'the PSK was declined and the ClientHello offers no (EC)DHE key share');
      if (keyShare.kind === 'none') throw new TlsError('MissingExtension', 'ClientHello needs supported_groups and key_share for (EC)DHE');
      ctx.decide('group', namedGroupName(keyShare.group), 'our most preferred group the client sent a key share for');
      exchange = keyShare;
    }
    const clientAuth = psk ? 'none' : (config.clientAuth ?? 'none');
    const types = psk ? undefined : negotiateCertificateTypes(ctx, config, hello, clientAuth !== 'none');
    const certificateAuth = types ? chooseOwnScheme(ctx, hello, types.own) : undefined;
    if (requestedName) decideServerName(ctx, requestedName);
    // RFC 8449: the limit we answer with when the client offered one; both hold for every protected record.
    const limitExt = ext(ExtensionType.record_size_limit);
    const ownRecordSizeLimit = limitExt ? (config.recordSizeLimit ?? MAX_INNER_PLAINTEXT_LENGTH) : undefined;
    if (limitExt) ctx.effects.push({ kind: 'record-size-limits', peer: X.bodyOf(X.recordSizeLimit, limitExt), own: ownRecordSizeLimit! });
    const earlyDataOffered = ext(ExtensionType.early_data) !== undefined;
    const earlyDataAccepted = psk?.earlyDataBudget !== undefined;

    // Published once, for the ClientHello we answer.
    const { info } = ctx;
    info.version = 'TLSv1.3';
    info.cipherSuite = suite.name;
    if (exchange) info.group = namedGroupName(exchange.group);
    if (alpn) info.alpn = alpn;
    if (serverName) info.serverName = serverName;
    if (types) info.serverCertificateType = types.serverRawPublicKey ? 'raw-public-key' : 'x509';
    if (certificateAuth !== undefined) info.signatureScheme = signatureSchemeName(certificateAuth);
    if (earlyDataAccepted) info.earlyData = 'accepted';
    else if (earlyDataOffered || retry?.earlyDataOffered) info.earlyData = 'rejected';
    let resumedClient: ResumedClient | undefined;
    if (psk && !psk.external) {
      info.resumed = true;
      // Possession was proven by the CertificateVerify of the handshake that issued the ticket (sealed by
      // us); psk.ts re-judged its trust under the current policy just now. The binder proves only that the
      // sender holds the PSK, as a copy of alice's ClientHello does: the client is reported once its Finished
      // verifies, unless accepted 0-RTT data must be attributed now (the single-use register lets it in once).
      if (psk.client && earlyDataAccepted) reportResumedClient(ctx, psk.client, psk.binder);
      else if (psk.client) resumedClient = psk.client;
      // A session an external PSK authenticated, that PSK still ours (psk.ts): its holder again, as then no CertificateRequest.
      else if (psk.resumedExternal) {
        info.clientAuth = 'not-requested';
        if (earlyDataAccepted) authenticateExternalPsk(ctx, psk.resumedExternal, { resumedSession: psk.binder });
      } else if ((config.clientAuth ?? 'none') !== 'none') {
        info.clientAuth = 'requested-none-sent';
      }
    }
    ctx.enter('NEGOTIATED');

    // ServerHello (RFC 8446 §4.1.3).
    const random = ctx.cfg.random(32);
    const serverHelloExtensions: Extension[] = [];
    if (psk) serverHelloExtensions.push(X.ext(ExtensionType.pre_shared_key, X.preSharedKeyServerHello.encode(psk.index)));
    let shared: Uint8Array | undefined;
    if (exchange) {
      const answer = ctx.provider.keyExchange(groupName(exchange.group)!).encapsulate(exchange.share.keyExchange, ctx.cfg.random);
      if (!answer) throw new TlsError('BadKeyShare', `the client's ${namedGroupName(exchange.group)} key share is not a valid public value`);
      shared = answer.sharedSecret;
      serverHelloExtensions.push(X.ext(ExtensionType.key_share, X.keyShareServerHello.encode({ group: exchange.group, keyExchange: answer.share })));
    }
    serverHelloExtensions.push(X.ext(ExtensionType.supported_versions, X.supportedVersionsServerHello.encode(ProtocolVersion.TLSv1_3)));
    ctx.transcript.selectHash(suite.hash);
    ctx.transcript.add(raw);
    const schedule = psk ? psk.schedule : new KeySchedule(ctx.provider, suite);
    if (earlyDataAccepted) {
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
      extensions: shapeExtensions(config.serverFlight, 'serverHello', serverHelloExtensions),
    });
    // Middlebox compatibility mode: answer a non-empty session id with one dummy ChangeCipherSpec right
    // after our first handshake message, ServerHello or HelloRetryRequest (§D.4).
    if (hello.legacySessionId.length > 0 && !retry) ctx.effects.push({ kind: 'send-change-cipher-spec' });

    schedule.enterHandshake(shared);
    shared?.fill(0); // the (EC)DHE or KEM shared secret: extracted into the Handshake Secret, needed no more
    const hs = schedule.handshakeTrafficSecrets(ctx.transcript.current());
    ctx.secret('client_handshake_traffic_secret', hs.client);
    ctx.secret('server_handshake_traffic_secret', hs.server);
    ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite, secret: hs.server });
    if (!earlyDataAccepted) ctx.effects.push({ kind: 'read-keys', epoch: 'handshake', suite, secret: hs.client });
    // Rejected 0-RTT: the client's early records cannot be decrypted and are skipped (RFC 8446 §4.2.10).
    if (earlyDataOffered && !earlyDataAccepted) ctx.effects.push({ kind: 'skip-early-data', budget: earlyDataToSkip(config, this.ticketKey, hello) });

    ctx.send({
      kind: 'encrypted_extensions',
      extensions: encryptedExtensions(ctx, config, { serverName, alpn, ownRecordSizeLimit, earlyDataAccepted, certificateTypes: types?.answers ?? {} }),
    });
    // What our CertificateRequest asks, kept for the client's answer; made only when we ask.
    const request = clientAuth === 'none' ? undefined : { context: new Uint8Array(0), acceptedSchemes: [...ctx.cfg.signatureSchemes] };
    if (request !== undefined) {
      if (ctx.traceEvents) ctx.decide('client_auth', clientAuth, `configured client-auth policy: ${clientAuth}`);
      ctx.send({ kind: 'certificate_request', context: request.context, extensions: certificateRequestExtensions(ctx, config, request.acceptedSchemes) });
    } else if (!psk || psk.external) {
      // A PSK handshake has no CertificateRequest (RFC 8446 §4.3.2): an external PSK is the client's proof.
      info.clientAuth = 'not-requested';
    }
    if (types && certificateAuth !== undefined) {
      const entries = ownCertificateEntries(ctx, types.own.chain, hello, config.ocspResponse, types.serverRawPublicKey).map((entry) => ({
        ...entry,
        extensions: shapeExtensions(config.serverFlight, 'certificateEntry', entry.extensions),
      }));
      ctx.send(maybeCompress(ctx, hello.extensions, { kind: 'certificate', context: new Uint8Array(0), entries }));
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

    const keys: Keys = {
      suite,
      schedule,
      clientHandshakeSecret: hs.client,
      clientApplicationSecret: app.client,
      serverApplicationSecret: app.server,
      postHandshakeAuthOffered: ext(ExtensionType.post_handshake_auth) !== undefined,
      clientRawPublicKey: types?.clientRawPublicKey === true,
      ticketsUsable: ticketsUsable(hello, config),
      externalPsk: provenExternalPsk(psk),
      resumedClient,
    };
    if (psk?.earlyDataBudget !== undefined) {
      ctx.enter('WAIT_EOED');
      this.state = { name: 'WAIT_EOED', earlyDataBudget: psk.earlyDataBudget, ...keys };
      return;
    }
    ctx.enter('WAIT_FLIGHT2');
    if (request !== undefined) {
      ctx.enter('WAIT_CERT');
      const exchange: ClientAuthExchange = { ...request, rawPublicKey: keys.clientRawPublicKey, transcript: ctx.transcript };
      this.state = { name: 'WAIT_CERT', exchange, ...keys };
    } else {
      ctx.enter('WAIT_FINISHED');
      this.state = { name: 'WAIT_FINISHED', ...keys };
    }
  }

  /** EndOfEarlyData (RFC 8446 §4.5): the client's 0-RTT data is over; its handshake keys take over. */
  private onEndOfEarlyData(state: Extract<ServerState, { name: 'WAIT_EOED' }>, raw: Uint8Array): void {
    const { ctx } = this;
    ctx.transcript.add(raw);
    ctx.effects.push({ kind: 'read-keys', epoch: 'handshake', suite: state.suite, secret: state.clientHandshakeSecret });
    ctx.enter('WAIT_FLIGHT2');
    ctx.enter('WAIT_FINISHED');
    const { name: _name, earlyDataBudget: _budget, ...keys } = state;
    this.state = { name: 'WAIT_FINISHED', ...keys };
  }

  private onFinished(state: Extract<ServerState, { name: 'WAIT_FINISHED' }>, verifyData: Uint8Array, raw: Uint8Array): void {
    const { ctx } = this;
    const proof = ctx.verifyFinished(state.suite, state.clientHandshakeSecret, verifyData);
    confirmClientAuthentication(ctx, state.exchange, proof);
    const external = state.externalPsk;
    if (external) authenticateExternalPsk(ctx, external.psk, external.resumed ? { resumedSession: proof } : { binder: external.binder, finished: proof });
    if (state.resumedClient) reportResumedClient(ctx, state.resumedClient, proof);
    ctx.transcript.add(raw);
    ctx.effects.push({ kind: 'read-keys', epoch: 'application', suite: state.suite, secret: state.clientApplicationSecret, proof });
    // The resumption_master_secret (RFC 8446 §7.1) only for what uses it: the tickets sent below (the server keeps
    // no other use for it), or the `secret` event asked for. A server sending no ticket derives none: a transcript
    // digest and an HMAC per handshake fewer. Wiped once the tickets are made (test/security/server-resumption-secret).
    const tickets = state.ticketsUsable ? (this.config.tickets?.count ?? 0) : 0;
    const resumptionMasterSecret = tickets > 0 || ctx.secretEvents ? state.schedule.resumptionMasterSecret(ctx.transcript.current()) : undefined;
    if (resumptionMasterSecret) ctx.secret('resumption_master_secret', resumptionMasterSecret);
    ctx.enter('CONNECTED');
    const traffic = new ApplicationTraffic(ctx, state.suite, state.serverApplicationSecret, state.clientApplicationSecret, proof);
    this.state = { name: 'CONNECTED', suite: state.suite, traffic, postHandshakeAuthOffered: state.postHandshakeAuthOffered, clientRawPublicKey: state.clientRawPublicKey };
    ctx.connected();
    if (resumptionMasterSecret === undefined) return;
    try {
      for (let i = 0; i < tickets; i++) sendTicket(ctx, this.config, this.ticketKey, state.suite, resumptionMasterSecret, this.ticketsSent++, state.externalPsk?.psk);
    } finally {
      resumptionMasterSecret.fill(0);
    }
  }
}

/** The external PSK the client is reported as once its Finished verifies (again, after accepted 0-RTT), and its tickets carry. */
function provenExternalPsk(psk: AcceptedPsk | undefined): Keys['externalPsk'] {
  if (psk?.external) return { psk: psk.external, binder: psk.binder, resumed: false };
  if (psk?.resumedExternal) return { psk: psk.resumedExternal, binder: psk.binder, resumed: true };
  return undefined;
}

/** The resumed ticket's client, re-judged trusted, reported as authenticated (RFC 8446 §4.6.1, §2.2). */
function reportResumedClient(ctx: HandshakeContext, client: ResumedClient, proof: PskBinderVerified | PeerFinishedVerified): void {
  ctx.authenticate(client.identity, client.verdict, { resumedSession: proof });
  ctx.info.clientAuth = 'authenticated';
  // No type is negotiated on resumption: the identity's own (an absent type reads as X.509, events.ts).
  ctx.info.clientCertificateType = certificateTypeOf(client.identity);
}
