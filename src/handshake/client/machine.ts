// The TLS 1.3 client state machine (RFC 8446 Appendix A.1): its states and the transitions between them.
// What each step does lives beside it: hello.ts (ClientHello, ServerHello, HelloRetryRequest,
// EncryptedExtensions), psk.ts (tickets, binders, 0-RTT), server-auth.ts (the server's Certificate and
// CertificateVerify, its reference identity), client-auth.ts (our certificate for a CertificateRequest),
// post-handshake.ts (NewSessionTicket, KeyUpdate, post-handshake CertificateRequest).
//
//                               START <----+
//                Send ClientHello |        | Recv HelloRetryRequest
//           [K_send = early data] |        |
//                                 v        |
//            /                 WAIT_SH ----+
//            |                    | Recv ServerHello
//            |                    | K_recv = handshake
//        Can |                    V
//       send |                 WAIT_EE
//      early |                    | Recv EncryptedExtensions
//       data |           +--------+--------+
//            |     Using |                 | Using certificate
//            |       PSK |                 v
//            |           |            WAIT_CERT_CR
//            |           |        Recv |       | Recv CertificateRequest
//            |           | Certificate |       v
//            |           |             |    WAIT_CERT
//            |           |             |       | Recv Certificate
//            |           |             v       v
//            |           |              WAIT_CV
//            |           |                 | Recv CertificateVerify
//            |           +> WAIT_FINISHED <+
//            |                  | Recv Finished
//            \                  | [Send EndOfEarlyData]
//                               | K_send = handshake
//                               | [Send Certificate [+ CertificateVerify]]
//     Can send                  | Send Finished
//     app data   -->            | K_send = K_recv = application
//     after here                v
//                           CONNECTED
//
// After CONNECTED the client still handles NewSessionTicket, KeyUpdate and post-handshake
// CertificateRequest (RFC 8446 §4.6). WAIT_SH is entered twice after a HelloRetryRequest.
import type { ReferenceIdentity } from '../../auth/hostname.js';
import type { LeafInfo, TrustVerdict } from '../../auth/trust.js';
import type { KeySharePair } from '../../crypto/provider.js';
import { ExtensionType } from '../../wire/enums.js';
import type { CertificateRequest, ClientHello, HandshakeMessage } from '../../wire/types.js';
import { chooseClientCertificate } from '../client-certificate.js';
import type { ClientCertificateChoice, CertificateRequestInfo } from '../client-certificate.js';
import type { CertifiedKey, ClientConfig } from '../config.js';
import { authenticateExternalPsk, unexpected, type HandshakeContext } from '../context.js';
import type { ResolvedExternalPsk } from '../external-psk.js';
import { chooseExternalPsks } from './external-psk.js';
import { decompressCertificate } from '../certificate-compression.js';
import type { SessionTicket } from '../events.js';
import type { KeySchedule } from '../keyschedule.js';
import type { SuiteInfo } from '../suites.js';
import { ApplicationTraffic } from '../traffic.js';
import type { Transcript } from '../transcript.js';
import { answerCertificateRequest, onCertificateRequest } from './client-auth.js';
import { defaultKeyShareGroups, greaseValues, newKeyShare, onEncryptedExtensions, onHelloRetryRequest, onServerHello, sendClientHello } from './hello.js';
import { answerPostHandshakeRequest, onNewSessionTicket, onPostHandshakeCertificateRequest } from './post-handshake.js';
import { authenticateResumedServer, chooseTicket, sendEarlyData } from './psk.js';
import { onCertificate, onCertificateVerify, serverIdentity, type ProvenServer } from './server-auth.js';

export interface Negotiated {
  /** A dummy ChangeCipherSpec is still to be sent before our second flight (RFC 8446 §D.4). */
  compat: boolean;
  /** The server accepted our PSK: no certificates; the peer is who it was in the original session. */
  resumed: boolean;
  /** Our 0-RTT data: none sent, or what the server said of it (known after EncryptedExtensions). */
  earlyData: 'none' | 'sent' | 'accepted' | 'rejected';
  /** RFC 7250 types agreed in EncryptedExtensions: a raw public key instead of X.509, per direction. */
  serverRawPublicKey: boolean;
  clientRawPublicKey: boolean;
  suite: SuiteInfo;
  schedule: KeySchedule;
  clientHandshakeSecret: Uint8Array;
  serverHandshakeSecret: Uint8Array;
}

/** A CertificateRequest and, once chosen, what we answer it with. */
export interface ClientAuthRequest {
  message: CertificateRequest;
  info: CertificateRequestInfo;
  answer?: ClientCertificateChoice;
}

/** A post-handshake CertificateRequest (RFC 8446 §4.6.2), answered over its own transcript fork. */
export interface PostHandshakeRequest extends ClientAuthRequest {
  transcript: Transcript;
}

/** What a HelloRetryRequest fixed: the second ServerHello must agree with it (RFC 8446 §4.1.4). */
export interface HelloRetry {
  cipherSuite: number;
  group?: number;
}

export type ClientState =
  | { name: 'START' }
  | { name: 'WAIT_SH'; hello: ClientHello; offered: Set<number>; keyShares: Map<number, KeySharePair>; retry?: HelloRetry; earlyDataSent: boolean }
  | ({ name: 'WAIT_EE'; offered: Set<number> } & Negotiated)
  | ({ name: 'WAIT_CERT_CR'; offered: Set<number> } & Negotiated)
  | ({ name: 'WAIT_CERT'; offered: Set<number>; request: ClientAuthRequest } & Negotiated)
  | ({ name: 'WAIT_CV'; request?: ClientAuthRequest; leaf: LeafInfo; verdict?: TrustVerdict } & Negotiated)
  /** `server`: the certificate's identity and the proof of possession, confirmed by the server's Finished. */
  | ({ name: 'WAIT_FINISHED'; request?: ClientAuthRequest; server?: ProvenServer } & Negotiated)
  | {
      name: 'CONNECTED';
      suite: SuiteInfo;
      resumptionMasterSecret: Uint8Array;
      traffic: ApplicationTraffic;
      /** A post-handshake CertificateRequest waiting for the caller's `client-certificate` answer. */
      postHandshake?: PostHandshakeRequest;
      /** Post-handshake CertificateRequests received so far (MAX_POST_HANDSHAKE_CERTIFICATE_REQUESTS). */
      certificateRequests: number;
      /** NewSessionTickets received so far (MAX_SESSION_TICKETS). */
      sessionTickets: number;
      /** RawPublicKey was negotiated for us: a post-handshake Certificate carries our SPKI too (RFC 8446 §4.4.2). */
      clientRawPublicKey: boolean;
    };

export class ClientHandshake {
  state: ClientState = { name: 'START' };
  /** Who the server must be (RFC 6125 §6.2); undefined for a pinned policy or an explicit opt-out. */
  readonly serverIdentity: ReferenceIdentity | undefined;
  /** The ticket our ClientHello offers, if any: dropped when it does not fit the server or the suite. */
  offeredTicket?: SessionTicket;
  /** Our external PSKs in this ClientHello (external-psk.ts), and the one the server selected. */
  offeredExternalPsks: ResolvedExternalPsk[] = [];
  selectedExternalPsk?: ResolvedExternalPsk;
  /** The offered ticket's server identity, re-judged trusted by the current policy (psk.ts chooseTicket). */
  resumedServer?: { identity: LeafInfo['identity']; verdict: TrustVerdict };
  /** The external PSK the offered ticket's server proved, which we still hold with the same key (psk.ts chooseTicket). */
  resumedExternalPsk?: ResolvedExternalPsk;
  /** RFC 8701 GREASE values for this connection, the same in both ClientHellos. */
  grease?: number[];
  /** Set by a HelloRetryRequest: the next ClientHello is the second. */
  retried = false;
  /** The extension types our last ClientHello carried: what we offered, whatever the config says (clientHello.extensions). */
  offeredExtensions: ReadonlySet<number> = new Set();

  constructor(
    readonly ctx: HandshakeContext,
    readonly config: ClientConfig,
  ) {
    this.serverIdentity = serverIdentity(config);
  }

  /** Builds and sends the first ClientHello (RFC 8446 §4.1.2). */
  start(): void {
    if (this.state.name !== 'START') throw new Error('client handshake already started');
    const { ctx, config } = this;
    const random = ctx.cfg.random(32);
    ctx.clientRandom = random;
    if (config.insecureSkipServerNameCheck) ctx.decide('server_name', 'not checked', 'insecureSkipServerNameCheck: any name a trusted CA vouches for is accepted');
    chooseTicket(this);
    chooseExternalPsks(this);
    const legacySessionId =
      config.clientHello?.legacySessionId ?? (config.compatibilityMode === false ? new Uint8Array(0) : ctx.cfg.random(32));
    this.grease = config.clientHello?.grease ? greaseValues(ctx.cfg.random(6)) : undefined;
    const keyShares = new Map<number, KeySharePair>();
    for (const group of config.keyShareGroups ?? defaultKeyShareGroups(ctx.cfg.groups)) keyShares.set(group, newKeyShare(this, group));
    const hello = sendClientHello(this, random, legacySessionId, keyShares);
    const earlyDataSent = hello.extensions.some((e) => e.type === ExtensionType.early_data);
    if (earlyDataSent) sendEarlyData(this, legacySessionId.length > 0);
    this.enter({ name: 'WAIT_SH', hello, offered: new Set(hello.extensions.map((e) => e.type)), keyShares, earlyDataSent });
  }

  /** Every transition: the state event, then the new state. */
  enter(next: ClientState): void {
    if (next.name === 'WAIT_SH') this.offeredExtensions = next.offered;
    this.ctx.enter(next.name);
    this.state = next;
  }

  handle(received: HandshakeMessage, raw: Uint8Array): void {
    const state = this.state;
    // RFC 8879 §4: a CompressedCertificate stands for the Certificate where one is expected; raw stays as sent.
    const expectsCertificate = state.name === 'WAIT_CERT_CR' || state.name === 'WAIT_CERT';
    const message = expectsCertificate && received.kind === 'compressed_certificate' ? decompressCertificate(this.ctx, received) : received;
    switch (state.name) {
      case 'WAIT_SH':
        if (message.kind === 'server_hello') return onServerHello(this, state, message, raw);
        if (message.kind === 'hello_retry_request') return onHelloRetryRequest(this, state, message, raw);
        throw unexpected(state.name, message);
      case 'WAIT_EE':
        if (message.kind !== 'encrypted_extensions') throw unexpected(state.name, message);
        return onEncryptedExtensions(this, state, message.extensions, raw);
      case 'WAIT_CERT_CR':
        if (message.kind === 'certificate_request') return onCertificateRequest(this, state, message, raw);
        if (message.kind === 'certificate') return onCertificate(this, state, message, raw);
        throw unexpected(state.name, message);
      case 'WAIT_CERT':
        if (message.kind !== 'certificate') throw unexpected(state.name, message);
        return onCertificate(this, state, message, raw);
      case 'WAIT_CV':
        if (message.kind !== 'certificate_verify') throw unexpected(state.name, message);
        return onCertificateVerify(this, state, message.scheme, message.signature, raw);
      case 'WAIT_FINISHED':
        if (message.kind !== 'finished') throw unexpected(state.name, message);
        return this.onFinished(state, message.verifyData, raw);
      case 'CONNECTED':
        if (message.kind === 'new_session_ticket') return onNewSessionTicket(this, state, message);
        if (message.kind === 'key_update') return state.traffic.onKeyUpdate(message);
        if (message.kind === 'certificate_request') return onPostHandshakeCertificateRequest(this, state, message, raw);
        throw unexpected(state.name, message);
      case 'START':
        throw unexpected(state.name, message);
      default: {
        const never: never = state;
        throw new Error(`unknown state ${JSON.stringify(never)}`);
      }
    }
  }

  /** The caller's answer to a `verify-peer` decision. */
  resolveTrust(verdict: TrustVerdict): void {
    const state = this.state;
    if (state.name !== 'WAIT_CV' || state.verdict) throw new Error('no peer verification is pending');
    state.verdict = this.ctx.acceptVerdict(verdict);
  }

  /** A caller's certificate of the type negotiated for us, which every Certificate we send carries (RFC 8446 §4.4.2). */
  checkClientCertificateType(certified: CertifiedKey): void {
    const rawPublicKey = 'clientRawPublicKey' in this.state && this.state.clientRawPublicKey;
    if ((certified.rawPublicKey === true) === rawPublicKey) return;
    throw new TypeError(`the server negotiated ${rawPublicKey ? 'a raw public key' : 'X.509'} for our certificate, and this one is ${rawPublicKey ? 'X.509' : 'a raw public key'}`);
  }

  /** The caller's answer to a `client-certificate` decision: a certificate to send, or none. */
  resolveClientCertificate(certified: CertifiedKey | undefined): void {
    const state = this.state;
    const request = 'request' in state ? state.request : state.name === 'CONNECTED' ? state.postHandshake : undefined;
    if (!request || request.answer) throw new Error('no client certificate choice is pending');
    request.answer = certified
      ? chooseClientCertificate(this.ctx.provider, this.ctx.cfg.signatureSchemes, [certified], request.info)
      : { reason: 'the caller chose to send none' };
    if (state.name === 'CONNECTED' && state.postHandshake) answerPostHandshakeRequest(this, state, state.postHandshake);
  }

  private onFinished(state: Extract<ClientState, { name: 'WAIT_FINISHED' }>, verifyData: Uint8Array, raw: Uint8Array): void {
    const { ctx } = this;
    const { suite, schedule } = state;
    const proof = ctx.verifyFinished(suite, state.serverHandshakeSecret, verifyData);
    ctx.transcript.add(raw);
    schedule.enterMaster();
    const app = schedule.applicationSecrets(ctx.transcript.current());
    ctx.secret('client_application_traffic_secret_0', app.client);
    ctx.secret('server_application_traffic_secret_0', app.server);
    ctx.secret('exporter_master_secret', app.exporter);
    ctx.effects.push({ kind: 'read-keys', epoch: 'application', suite, secret: app.server, proof });
    // The server is authenticated only now: its Finished covers the Certificate and CertificateVerify
    // (RFC 8446 §4.4.4), or, when resuming, proves it holds the ticket's PSK.
    if (state.server) ctx.authenticate(state.server.identity, state.server.verdict, { possession: state.server.possession, finished: proof });
    if (this.selectedExternalPsk) authenticateExternalPsk(ctx, this.selectedExternalPsk, { serverFinished: proof });
    else if (state.resumed) authenticateResumedServer(this, proof);

    // 0-RTT: EndOfEarlyData closes the early data under the early keys (RFC 8446 §4.5), then handshake keys. A
    // rejected 0-RTT switched to them when the ServerHello or EncryptedExtensions said so (hello.ts).
    if (state.earlyData === 'accepted') {
      ctx.send({ kind: 'end_of_early_data' });
      ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite, secret: state.clientHandshakeSecret });
    }
    // Middlebox compatibility mode: a dummy ChangeCipherSpec before our second flight (RFC 8446 §D.4).
    if (state.compat) ctx.effects.push({ kind: 'send-change-cipher-spec' });
    if (state.request) answerCertificateRequest(this, state.request);
    else ctx.info.clientAuth = 'not-requested';
    ctx.sendFinished(suite, state.clientHandshakeSecret);
    ctx.effects.push({ kind: 'write-keys', epoch: 'application', suite, secret: app.client });
    const resumptionMasterSecret = schedule.resumptionMasterSecret(ctx.transcript.current());
    ctx.secret('resumption_master_secret', resumptionMasterSecret);
    ctx.exporterMasterSecret = app.exporter;
    this.enter({ name: 'CONNECTED', suite, resumptionMasterSecret, traffic: new ApplicationTraffic(ctx, suite, app.client, app.server, proof), certificateRequests: 0, sessionTickets: 0, clientRawPublicKey: state.clientRawPublicKey });
    ctx.connected();
  }
}
