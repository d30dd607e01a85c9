// The TLS 1.3 client state machine (RFC 8446 Appendix A.1).
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
import type { LeafInfo, TrustVerdict } from '../auth/trust.js';
import { evaluatePeerCertificate } from './peer-certificate.js';
import { certificateTypeCode, describeCertificateType, rawPublicKeyCertified, type CertificateTypeName } from './certificate-types.js';
import type { PublicKey } from '../crypto/provider.js';
import { equalBytes } from '../wire/bytes.js';
import {
  CertificateType,
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  ExtensionType,
  GREASE_VALUES,
  ProtocolVersion,
  PskKeyExchangeMode,
  cipherSuiteName,
  namedGroupName,
  signatureSchemeName,
  type ExtensionTypeName,
} from '../wire/enums.js';
import { TlsError } from '../wire/errors.js';
import * as X from '../wire/extensions.js';
import { encodeHandshake, truncateClientHelloForBinders } from '../wire/messages.js';
import type {
  Certificate,
  CertificateRequest,
  ClientHello,
  Extension,
  HandshakeMessage,
  HelloRetryRequest,
  OfferedPsks,
  ServerHello,
} from '../wire/types.js';
import type { CertifiedKey, ClientConfig } from './config.js';
import type { SessionTicket } from './events.js';
import { HandshakeContext, unexpected, type PossessionProven } from './context.js';
import { KeySchedule, finishedVerifyData, resumptionPsk } from './keyschedule.js';
import { groupName, requireSolicited } from './negotiation.js';
import type { ReferenceIdentity } from '../auth/hostname.js';
import { serverIdentity } from './client/server-auth.js';
import { ticketNotFor } from './client/psk.js';
import { checkCertificateVerify, signCertificateVerify } from './signatures.js';
import {
  chooseClientCertificate,
  describeCertificateRequest,
  type CertificateRequestInfo,
  type ClientCertificateChoice,
} from './client-certificate.js';
import { SUITES, type SuiteInfo } from './suites.js';
import { ApplicationTraffic } from './traffic.js';
import type { Transcript } from './transcript.js';

interface Negotiated {
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
interface ClientAuthRequest {
  message: CertificateRequest;
  info: CertificateRequestInfo;
  answer?: ClientCertificateChoice;
}

/** A post-handshake CertificateRequest (RFC 8446 §4.6.2), answered over its own transcript fork. */
interface PostHandshakeRequest extends ClientAuthRequest {
  transcript: Transcript;
}

/** What a HelloRetryRequest fixed: the second ServerHello must agree with it (RFC 8446 §4.1.4). */
interface HelloRetry {
  cipherSuite: number;
  group?: number;
}

type ClientState =
  | { name: 'START' }
  | { name: 'WAIT_SH'; hello: ClientHello; offered: Set<number>; privateKeys: Map<number, Uint8Array>; retry?: HelloRetry; earlyDataSent: boolean }
  | ({ name: 'WAIT_EE'; offered: Set<number> } & Negotiated)
  | ({ name: 'WAIT_CERT_CR'; offered: Set<number> } & Negotiated)
  | ({ name: 'WAIT_CERT'; offered: Set<number>; request: ClientAuthRequest } & Negotiated)
  | ({ name: 'WAIT_CV'; request?: ClientAuthRequest; leaf: LeafInfo; verdict?: TrustVerdict } & Negotiated)
  | ({ name: 'WAIT_FINISHED'; request?: ClientAuthRequest } & Negotiated)
  | {
      name: 'CONNECTED';
      suite: SuiteInfo;
      resumptionMasterSecret: Uint8Array;
      traffic: ApplicationTraffic;
      /** A post-handshake CertificateRequest waiting for the caller's `client-certificate` answer. */
      postHandshake?: PostHandshakeRequest;
    };

const DEFAULT_EXTENSION_ORDER: ExtensionTypeName[] = [
  'server_name',
  'supported_versions',
  'supported_groups',
  'signature_algorithms',
  'client_certificate_type',
  'server_certificate_type',
  'key_share',
  'psk_key_exchange_modes',
  'early_data',
  'application_layer_protocol_negotiation',
  'record_size_limit',
  'post_handshake_auth',
  'pre_shared_key',
];

export class ClientHandshake {
  state: ClientState = { name: 'START' };
  /** The server's record_size_limit (RFC 8449), which our records to it must respect. */
  peerRecordSizeLimit?: number;
  /** The limit we offered, once the server answered (RFC 8449 §4: only then does it apply). */
  ownRecordSizeLimit?: number;

  /** Who the server must be (RFC 6125 §6.2); undefined for a pinned policy or an explicit opt-out. */
  readonly serverIdentity: ReferenceIdentity | undefined;
  /** The ticket our ClientHello offers, if any: dropped when it does not fit the server or the suite. */
  private offeredTicket?: SessionTicket;

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
    if (config.resumption) {
      const mismatch = ticketNotFor(config.resumption.ticket, this.serverIdentity);
      if (mismatch) ctx.decide('resumption', 'ticket not offered', mismatch);
      else this.offeredTicket = config.resumption.ticket;
    }
    const legacySessionId =
      config.clientHello?.legacySessionId ?? (config.compatibilityMode === false ? new Uint8Array(0) : ctx.cfg.random(32));
    this.grease = config.clientHello?.grease ? greaseValues(ctx.cfg.random(6)) : undefined;
    const privateKeys = new Map<number, Uint8Array>();
    for (const group of config.keyShareGroups ?? ctx.cfg.groups.slice(0, 1)) privateKeys.set(group, this.newKeyShare(group));
    const hello = this.sendClientHello(random, legacySessionId, privateKeys);
    const earlyDataSent = hello.extensions.some((e) => e.type === ExtensionType.early_data);
    if (earlyDataSent) this.sendEarlyData(legacySessionId.length > 0);
    ctx.enter('WAIT_SH');
    this.state = { name: 'WAIT_SH', hello, offered: new Set(hello.extensions.map((e) => e.type)), privateKeys, earlyDataSent };
  }

  /** 0-RTT (RFC 8446 §2.3): early secrets over ClientHello, then the data under client_early_traffic_secret. */
  private sendEarlyData(compat: boolean): void {
    const { ctx } = this;
    const ticket = this.offeredTicket!;
    const earlyData = this.config.resumption!.earlyData;
    const suite = SUITES.get(ticket.cipherSuite)!;
    const transcript = ctx.transcript.fork();
    transcript.selectHash(suite.hash);
    const early = new KeySchedule(ctx.provider, suite, ticket.psk).earlySecrets(transcript.current());
    ctx.secret('client_early_traffic_secret', early.clientEarlyTraffic);
    ctx.secret('early_exporter_master_secret', early.earlyExporter);
    ctx.earlyExporter = { secret: early.earlyExporter, suite };
    // With early data, the compatibility ChangeCipherSpec goes right after the ClientHello (§D.4).
    if (compat) ctx.effects.push({ kind: 'send-change-cipher-spec' });
    ctx.effects.push({ kind: 'write-keys', epoch: 'early', suite, secret: early.clientEarlyTraffic });
    ctx.effects.push({ kind: 'send-application-data', data: earlyData! });
    ctx.decide('early_data', `${earlyData!.length} bytes sent`, 'resuming with a ticket that allows 0-RTT');
  }

  private grease?: number[];

  private newKeyShare(group: number): Uint8Array {
    const name = groupName(group);
    if (!name) throw new Error(`cannot make a key share for group ${namedGroupName(group)}`);
    return this.ctx.provider.keyExchange(name).generatePrivateKey(this.ctx.cfg.random);
  }

  /**
   * Encodes and sends a ClientHello. The second ClientHello after a HelloRetryRequest is the first one
   * with the new key share and the server's cookie (RFC 8446 §4.1.2), so both come from here.
   */
  private sendClientHello(random: Uint8Array, legacySessionId: Uint8Array, privateKeys: Map<number, Uint8Array>, cookie?: Uint8Array): ClientHello {
    const { ctx, config } = this;
    const shape = config.clientHello ?? {};
    const grease = this.grease;
    const resumption = config.resumption;
    const ticket = this.offeredTicket;
    const identity = this.serverIdentity;
    // No 0-RTT in the ClientHello that answers a HelloRetryRequest (RFC 8446 §4.1.2).
    const offerEarlyData = !cookie && !this.retried && ticket !== undefined && resumption?.earlyData !== undefined && (ticket.maxEarlyDataSize ?? 0) > 0;
    const shares = [...privateKeys].map(([group, privateKey]) => ({
      group,
      keyExchange: ctx.provider.keyExchange(groupName(group)!).publicKey(privateKey),
    }));
    const withGrease = (values: readonly number[], g: number | undefined) => (g === undefined ? [...values] : [g, ...values]);
    const builtIn: Partial<Record<ExtensionTypeName, () => Uint8Array | undefined>> = {
      // An IP address is never sent as SNI (RFC 6066 §3).
      server_name: () => (identity?.kind === 'dns' ? X.serverName.encode([identity.text]) : undefined),
      supported_versions: () => X.supportedVersionsClientHello.encode(withGrease([ProtocolVersion.TLSv1_3], grease?.[0])),
      supported_groups: () => X.supportedGroups.encode(withGrease(shape.advertisedGroups ?? ctx.cfg.groups, grease?.[1])),
      signature_algorithms: () =>
        X.signatureAlgorithms.encode(withGrease(shape.advertisedSignatureSchemes ?? ctx.cfg.signatureSchemes, grease?.[2])),
      key_share: () =>
        X.keyShareClientHello.encode(grease ? [{ group: grease[1]!, keyExchange: new Uint8Array([0]) }, ...shares] : shares),
      psk_key_exchange_modes: () => X.pskKeyExchangeModes.encode((resumption?.modes ?? ['psk_dhe_ke']).map((m) => PskKeyExchangeMode[m])),
      early_data: () => (offerEarlyData ? new Uint8Array(0) : undefined),
      // Binders are zeros here and filled in below, once the rest of the message is final.
      pre_shared_key: () => (ticket ? X.preSharedKeyClientHello.encode(this.offeredPsk(ticket)) : undefined),
      application_layer_protocol_negotiation: () =>
        ctx.cfg.alpnProtocols.length > 0 ? X.alpn.encode([...ctx.cfg.alpnProtocols]) : undefined,
      record_size_limit: () => (shape.recordSizeLimit !== undefined ? X.recordSizeLimit.encode(shape.recordSizeLimit) : undefined),
      cookie: () => (cookie ? X.cookie.encode(cookie) : undefined),
      post_handshake_auth: () => (config.postHandshakeAuth ? new Uint8Array(0) : undefined),
      // RFC 7250 §4.1: sent only when we can do more than X.509.
      client_certificate_type: () => certificateTypeList(X.clientCertificateTypeClientHello, this.clientCertificateTypes()),
      server_certificate_type: () => certificateTypeList(X.serverCertificateTypeClientHello, this.serverCertificateTypes()),
      // Placeholder, sized below once the rest of the message is known.
      padding: () => new Uint8Array(0),
    };
    const extensions: Extension[] = [];
    if (grease) extensions.push({ type: grease[3]!, data: new Uint8Array(0) });
    for (const item of shape.extensions ?? DEFAULT_EXTENSION_ORDER) {
      if (typeof item !== 'string') {
        extensions.push(item);
        continue;
      }
      const make = builtIn[item];
      if (!make) throw new Error(`the client cannot build the ${item} extension itself; pass it as {type, data}`);
      const data = make();
      if (data) extensions.push({ type: ExtensionType[item], data });
    }
    if (cookie && !extensions.some((e) => e.type === ExtensionType.cookie)) extensions.push(X.ext(ExtensionType.cookie, X.cookie.encode(cookie)));
    if (grease) extensions.push({ type: grease[4]!, data: new Uint8Array([0]) });
    // pre_shared_key MUST be the last extension (RFC 8446 §4.2.11).
    const psk = extensions.findIndex((e) => e.type === ExtensionType.pre_shared_key);
    if (psk >= 0) extensions.push(...extensions.splice(psk, 1));

    const hello: ClientHello = {
      kind: 'client_hello',
      legacyVersion: ProtocolVersion.TLSv1_2,
      random,
      legacySessionId,
      cipherSuites: withGrease(shape.advertisedCipherSuites ?? ctx.cfg.cipherSuites, grease?.[5]),
      legacyCompressionMethods: new Uint8Array([0]),
      extensions,
    };
    padClientHello(hello);
    if (ticket) this.bindPsk(hello, ticket);
    ctx.send(hello);
    return hello;
  }

  /** Set by a HelloRetryRequest: the next ClientHello is the second. */
  private retried = false;

  /** OfferedPsks with one identity: the ticket and its obfuscated age (RFC 8446 §4.2.11.1); binder zeroed. */
  private offeredPsk(ticket: SessionTicket): OfferedPsks {
    const now = this.ctx.cfg.now?.();
    const age = now !== undefined && ticket.receivedAt !== undefined ? Math.max(0, now - ticket.receivedAt) : 0;
    const hashLength = SUITES.get(ticket.cipherSuite)!.hashLength;
    return {
      identities: [{ identity: ticket.ticket, obfuscatedTicketAge: (age + ticket.ageAdd) >>> 0 }],
      binders: [new Uint8Array(hashLength)],
    };
  }

  /**
   * The PSK binder (RFC 8446 §4.2.11.2): an HMAC, keyed from the PSK, over the transcript up to this
   * ClientHello truncated before its binders, so the PSK is bound to this handshake.
   */
  private bindPsk(hello: ClientHello, ticket: SessionTicket): void {
    const { ctx } = this;
    const suite = SUITES.get(ticket.cipherSuite)!;
    const transcript = ctx.transcript.fork();
    transcript.selectHash(suite.hash);
    transcript.add(truncateClientHelloForBinders(encodeHandshake(hello)));
    const binderKey = new KeySchedule(ctx.provider, suite, ticket.psk).binderKey(true);
    const binder = finishedVerifyData(ctx.provider, suite, binderKey, transcript.current());
    const last = hello.extensions[hello.extensions.length - 1]!;
    const offered = { ...X.preSharedKeyClientHello.parse(last.data), binders: [binder] };
    hello.extensions[hello.extensions.length - 1] = X.ext(ExtensionType.pre_shared_key, X.preSharedKeyClientHello.encode(offered));
  }

  handle(message: HandshakeMessage, raw: Uint8Array): void {
    const state = this.state;
    switch (state.name) {
      case 'WAIT_SH':
        if (message.kind === 'server_hello') return this.onServerHello(state, message, raw);
        if (message.kind === 'hello_retry_request') return this.onHelloRetryRequest(state, message, raw);
        throw unexpected(state.name, message);
      case 'WAIT_EE':
        if (message.kind !== 'encrypted_extensions') throw unexpected(state.name, message);
        return this.onEncryptedExtensions(state, message.extensions, raw);
      case 'WAIT_CERT_CR':
        if (message.kind === 'certificate_request') return this.onCertificateRequest(state, message, raw);
        if (message.kind === 'certificate') return this.onCertificate(state, message, raw, undefined);
        throw unexpected(state.name, message);
      case 'WAIT_CERT':
        if (message.kind !== 'certificate') throw unexpected(state.name, message);
        return this.onCertificate(state, message, raw, state.request);
      case 'WAIT_CV':
        if (message.kind !== 'certificate_verify') throw unexpected(state.name, message);
        return this.onCertificateVerify(state, message.scheme, message.signature, raw);
      case 'WAIT_FINISHED':
        if (message.kind !== 'finished') throw unexpected(state.name, message);
        return this.onFinished(state, message.verifyData, raw);
      case 'CONNECTED':
        if (message.kind === 'new_session_ticket') return this.onNewSessionTicket(state, message);
        if (message.kind === 'key_update') return state.traffic.onKeyUpdate(message);
        if (message.kind === 'certificate_request') return this.onPostHandshakeCertificateRequest(state, message, raw);
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

  /** HelloRetryRequest (RFC 8446 §4.1.4): check it changes something we can do, then send ClientHello2. */
  private onHelloRetryRequest(state: Extract<ClientState, { name: 'WAIT_SH' }>, hrr: HelloRetryRequest, raw: Uint8Array): void {
    const { ctx } = this;
    if (state.retry) throw new TlsError('UnexpectedMessage', 'a second HelloRetryRequest');
    this.checkServerHelloCommon(state, hrr, 'HelloRetryRequest');
    requireSolicited(hrr.extensions, new Set([...state.offered, ExtensionType.cookie]), 'HelloRetryRequest');
    const suite = SUITES.get(hrr.cipherSuite)!;
    const keyShareExt = X.findExtension(hrr.extensions, ExtensionType.key_share);
    const cookieExt = X.findExtension(hrr.extensions, ExtensionType.cookie);
    const retry: HelloRetry = { cipherSuite: hrr.cipherSuite };
    const privateKeys = new Map(state.privateKeys);
    if (keyShareExt) {
      const group = X.keyShareHelloRetryRequest.parse(keyShareExt.data);
      const advertised = this.config.clientHello?.advertisedGroups ?? ctx.cfg.groups;
      if (!advertised.includes(group) || !groupName(group)) {
        throw new TlsError('SelectedUnofferedParameter', `HelloRetryRequest asks for ${namedGroupName(group)}, which we do not support`);
      }
      if (state.privateKeys.has(group)) {
        throw new TlsError('IllegalParameter', `HelloRetryRequest asks for ${namedGroupName(group)}, for which we already sent a share`);
      }
      privateKeys.clear();
      privateKeys.set(group, this.newKeyShare(group));
      retry.group = group;
      ctx.decide('group', namedGroupName(group), 'the server asked for it in a HelloRetryRequest');
    }
    const cookie = cookieExt ? X.cookie.parse(cookieExt.data) : undefined;
    if (!keyShareExt && !cookie) throw new TlsError('IllegalParameter', 'HelloRetryRequest would not change the ClientHello');
    // A PSK is bound to its suite's hash: one the chosen suite cannot use leaves ClientHello2 (RFC 8446 §4.1.4).
    if (this.offeredTicket && SUITES.get(this.offeredTicket.cipherSuite)!.hash !== suite.hash) {
      delete this.offeredTicket;
      ctx.decide('resumption', 'ticket not offered', `the HelloRetryRequest chose ${suite.name}, whose hash the ticket cannot use (RFC 8446 §4.1.4)`);
    }
    // The transcript restarts with a message_hash standing for ClientHello1 (RFC 8446 §4.4.1).
    ctx.transcript.selectHash(suite.hash);
    ctx.transcript.replaceWithMessageHash();
    ctx.transcript.add(raw);
    this.retried = true;
    if (state.earlyDataSent) {
      // The server will not read our 0-RTT data; ClientHello2 goes out in plaintext again.
      ctx.info.earlyData = 'rejected';
      ctx.effects.push({ kind: 'plaintext-writes' });
    }
    const hello = this.sendClientHello(state.hello.random, state.hello.legacySessionId, privateKeys, cookie);
    ctx.enter('WAIT_SH');
    this.state = { name: 'WAIT_SH', hello, offered: new Set(hello.extensions.map((e) => e.type)), privateKeys, retry, earlyDataSent: false };
  }

  /** The ServerHello and HelloRetryRequest rules of RFC 8446 §4.1.3 and §4.1.4 that both share. */
  private checkServerHelloCommon(
    state: Extract<ClientState, { name: 'WAIT_SH' }>,
    sh: ServerHello | HelloRetryRequest,
    what: string,
  ): void {
    const versions = X.findExtension(sh.extensions, ExtensionType.supported_versions);
    if (!versions) {
      // A server that does not speak TLS 1.3. Its random may carry the downgrade sentinel (RFC 8446 §4.1.3).
      const tail = sh.kind === 'server_hello' ? sh.random.subarray(24) : new Uint8Array(0);
      if (equalBytes(tail, DOWNGRADE_TLS12) || equalBytes(tail, DOWNGRADE_TLS11)) {
        throw new TlsError('Downgrade', 'ServerHello.random carries the TLS 1.3 downgrade sentinel');
      }
      throw new TlsError('NoTls13', `${what} without supported_versions: the server does not speak TLS 1.3`);
    }
    const version = X.supportedVersionsServerHello.parse(versions.data);
    if (version !== ProtocolVersion.TLSv1_3) {
      throw new TlsError('SelectedUnofferedParameter', `${what} selects version 0x${version.toString(16)}`);
    }
    if (sh.legacyVersion !== ProtocolVersion.TLSv1_2) throw new TlsError('IllegalParameter', `${what}.legacy_version is not 0x0303`);
    if (!equalBytes(sh.legacySessionIdEcho, state.hello.legacySessionId)) {
      throw new TlsError('IllegalParameter', 'legacy_session_id_echo differs from our legacy_session_id');
    }
    if (sh.legacyCompressionMethod !== 0) throw new TlsError('IllegalParameter', 'legacy_compression_method is not 0');
    if (!SUITES.has(sh.cipherSuite) || !state.hello.cipherSuites.includes(sh.cipherSuite)) {
      throw new TlsError('SelectedUnofferedParameter', `${what} chose cipher suite ${cipherSuiteName(sh.cipherSuite)}, which we did not offer`);
    }
    if (state.retry && sh.cipherSuite !== state.retry.cipherSuite) {
      throw new TlsError('IllegalParameter', 'ServerHello cipher suite differs from the HelloRetryRequest (RFC 8446 §4.1.4)');
    }
  }

  private onServerHello(state: Extract<ClientState, { name: 'WAIT_SH' }>, sh: ServerHello, raw: Uint8Array): void {
    const { ctx } = this;
    this.checkServerHelloCommon(state, sh, 'ServerHello');
    const suite = SUITES.get(sh.cipherSuite)!;
    requireSolicited(sh.extensions, state.offered, 'ServerHello');
    const psk = this.acceptedPsk(sh, suite);
    const keyShareExt = X.findExtension(sh.extensions, ExtensionType.key_share);
    if (!keyShareExt && !psk) throw new TlsError('MissingExtension', 'ServerHello has neither key_share nor pre_shared_key');
    let shared: Uint8Array | undefined;
    if (keyShareExt) {
      const share = X.keyShareServerHello.parse(keyShareExt.data);
      if (state.retry?.group !== undefined && share.group !== state.retry.group) {
        throw new TlsError('IllegalParameter', 'ServerHello key share is not for the group the HelloRetryRequest asked for');
      }
      const privateKey = state.privateKeys.get(share.group);
      if (!privateKey) throw new TlsError('SelectedUnofferedParameter', `server key share uses ${namedGroupName(share.group)}, for which we sent no share`);
      shared = ctx.provider.keyExchange(groupName(share.group)!).sharedSecret(privateKey, share.keyExchange) ?? undefined;
      if (!shared) throw new TlsError('BadKeyShare', `server ${namedGroupName(share.group)} key share is not a valid public value`);
      ctx.decide('group', namedGroupName(share.group), 'the server answered our key share for it');
      ctx.info.group = namedGroupName(share.group);
    }

    ctx.decide('version', 'TLS 1.3', 'supported_versions in ServerHello selects 0x0304');
    ctx.decide('cipher_suite', suite.name, 'chosen by the server from our list');
    ctx.info.version = 'TLSv1.3';
    ctx.info.cipherSuite = suite.name;

    ctx.transcript.selectHash(suite.hash);
    ctx.transcript.add(raw);
    const schedule = new KeySchedule(ctx.provider, suite, psk);
    schedule.enterHandshake(shared);
    const secrets = schedule.handshakeTrafficSecrets(ctx.transcript.current());
    ctx.secret('client_handshake_traffic_secret', secrets.client);
    ctx.secret('server_handshake_traffic_secret', secrets.server);
    ctx.effects.push({ kind: 'read-keys', epoch: 'handshake', suite, secret: secrets.server });
    // With 0-RTT in flight our write keys stay the early ones until EndOfEarlyData (RFC 8446 §4.5).
    if (!state.earlyDataSent) ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite, secret: secrets.client });
    ctx.enter('WAIT_EE');
    this.state = {
      name: 'WAIT_EE',
      offered: state.offered,
      compat: state.hello.legacySessionId.length > 0 && !state.earlyDataSent,
      resumed: psk !== undefined,
      earlyData: state.earlyDataSent ? 'sent' : 'none',
      serverRawPublicKey: false,
      clientRawPublicKey: false,
      suite,
      schedule,
      clientHandshakeSecret: secrets.client,
      serverHandshakeSecret: secrets.server,
    };
  }

  /** The PSK the server selected in ServerHello, if any (RFC 8446 §4.2.11): it must be ours and fit the suite. */
  private acceptedPsk(sh: ServerHello, suite: SuiteInfo): Uint8Array | undefined {
    const ext = X.findExtension(sh.extensions, ExtensionType.pre_shared_key);
    if (!ext) return undefined;
    const ticket = this.offeredTicket;
    if (!ticket) throw new TlsError('UnsolicitedExtension', 'ServerHello selects a PSK, but we offered none');
    const selected = X.preSharedKeyServerHello.parse(ext.data);
    if (selected !== 0) throw new TlsError('IllegalParameter', `server selected PSK identity #${selected}; we offered one`);
    if (SUITES.get(ticket.cipherSuite)!.hash !== suite.hash) {
      throw new TlsError('IllegalParameter', `server resumed with ${suite.name}, whose hash differs from the ticket's suite`);
    }
    this.ctx.info.resumed = true;
    this.ctx.decide('resumption', 'resumed', 'the server accepted our ticket');
    return ticket.psk;
  }

  private onEncryptedExtensions(state: Extract<ClientState, { name: 'WAIT_EE' }>, extensions: Extension[], raw: Uint8Array): void {
    const { ctx } = this;
    requireSolicited(extensions, state.offered, 'EncryptedExtensions');
    const alpnExt = X.findExtension(extensions, ExtensionType.application_layer_protocol_negotiation);
    if (alpnExt) {
      const chosen = X.alpn.parse(alpnExt.data);
      if (chosen.length !== 1 || !ctx.cfg.alpnProtocols.includes(chosen[0]!)) {
        throw new TlsError('IllegalParameter', `server ALPN answer ${JSON.stringify(chosen)} is not one of our protocols`);
      }
      ctx.info.alpn = chosen[0]!;
      ctx.decide('alpn', chosen[0]!, 'selected by the server from our list');
    }
    const limitExt = X.findExtension(extensions, ExtensionType.record_size_limit);
    if (limitExt) {
      this.peerRecordSizeLimit = X.recordSizeLimit.parse(limitExt.data);
      this.ownRecordSizeLimit = this.config.clientHello?.recordSizeLimit;
    }
    const sniExt = X.findExtension(extensions, ExtensionType.server_name);
    if (sniExt) {
      if (sniExt.data.length !== 0) throw new TlsError('DecodeError', 'server_name acknowledgement must be empty');
      ctx.info.serverName = this.serverIdentity!.text;
      ctx.decide('server_name', this.serverIdentity!.text, 'the server acknowledged our SNI');
    }
    if (!state.resumed) this.agreeCertificateTypes(state, extensions);
    const earlyData = X.findExtension(extensions, ExtensionType.early_data);
    if (state.earlyData === 'sent') {
      if (earlyData && (!state.resumed || state.suite.code !== this.offeredTicket!.cipherSuite)) {
        throw new TlsError('IllegalParameter', 'the server accepted 0-RTT without resuming our ticket with its cipher suite');
      }
      state.earlyData = earlyData ? 'accepted' : 'rejected';
      ctx.info.earlyData = state.earlyData;
      ctx.decide('early_data', state.earlyData, earlyData ? 'early_data in EncryptedExtensions' : 'no early_data in EncryptedExtensions: resend the data now if it matters');
    }
    ctx.transcript.add(raw);
    if (state.resumed) {
      // A PSK handshake has no certificates (RFC 8446 §2.2): straight to the server's Finished.
      ctx.enter('WAIT_FINISHED');
      this.state = { ...state, name: 'WAIT_FINISHED' };
      return;
    }
    ctx.enter('WAIT_CERT_CR');
    this.state = { ...state, name: 'WAIT_CERT_CR' };
  }

  /**
   * RFC 7250 §4.2: the server answers our certificate type lists in EncryptedExtensions; no answer means
   * X.509. A type we did not offer is illegal_parameter; X.509 when we demand a raw key is
   * unsupported_certificate.
   */
  private agreeCertificateTypes(state: Extract<ClientState, { name: 'WAIT_EE' }>, extensions: Extension[]): void {
    const { ctx } = this;
    const agree = (type: number, codec: { parse(body: Uint8Array): number }, ours: readonly CertificateTypeName[], who: 'server' | 'client') => {
      const answer = X.findExtension(extensions, type);
      const chosen = answer ? codec.parse(answer.data) : CertificateType.X509;
      if (!ours.map(certificateTypeCode).includes(chosen)) {
        if (answer) throw new TlsError('SelectedUnofferedParameter', `the server chose ${describeCertificateType(chosen)} for the ${who}, which we did not offer`);
        throw new TlsError('UnsupportedCertificateType', `we accept only ${ours.join(', ')} for the ${who} and the server can do only X.509`);
      }
      if (answer || ours.length > 1 || ours[0] !== 'x509') {
        ctx.decide('certificate_type', `${who}: ${describeCertificateType(chosen)}`, answer ? `the server's ${who}_certificate_type answer` : 'no answer from the server: X.509');
      }
      return chosen === CertificateType.RawPublicKey;
    };
    state.serverRawPublicKey = agree(ExtensionType.server_certificate_type, X.serverCertificateTypeServerSide, this.serverCertificateTypes(), 'server');
    ctx.info.serverCertificateType = state.serverRawPublicKey ? 'raw-public-key' : 'x509';
    const clientAnswer = X.findExtension(extensions, ExtensionType.client_certificate_type);
    if (clientAnswer) state.clientRawPublicKey = agree(ExtensionType.client_certificate_type, X.clientCertificateTypeServerSide, this.clientCertificateTypes(), 'client');
  }

  /** Types we accept for the server's certificate, in preference order (RFC 7250 §4.1). */
  private serverCertificateTypes(): CertificateTypeName[] {
    return this.config.serverCertificateTypes ?? ['x509'];
  }

  /** Types we can send, in preference order: a raw key when we have one, X.509 when we have a certificate. */
  private clientCertificateTypes(): CertificateTypeName[] {
    const { config } = this;
    if (config.clientCertificateTypes) return config.clientCertificateTypes;
    if (!config.rawPublicKey) return ['x509'];
    return config.certificate ? ['raw-public-key', 'x509'] : ['raw-public-key'];
  }

  private onCertificateRequest(state: Extract<ClientState, { name: 'WAIT_CERT_CR' }>, message: CertificateRequest, raw: Uint8Array) {
    const { ctx, config } = this;
    // In the main handshake the context is empty (RFC 8446 §4.3.2).
    if (message.context.length !== 0) throw new TlsError('IllegalParameter', 'certificate_request_context must be empty in the handshake');
    if (!X.findExtension(message.extensions, ExtensionType.signature_algorithms)) {
      throw new TlsError('MissingExtension', 'CertificateRequest without signature_algorithms');
    }
    const request: ClientAuthRequest = { message, info: describeCertificateRequest(message) };
    ctx.decide('client_auth', 'requested', 'the server sent CertificateRequest');
    ctx.transcript.add(raw);
    ctx.enter('WAIT_CERT');
    this.state = { ...state, name: 'WAIT_CERT', request };
    if (config.certificate === 'ask') {
      ctx.effects.push({ kind: 'await-decision', decision: { kind: 'client-certificate', request: request.info } });
      return;
    }
    const candidates = state.clientRawPublicKey
      ? config.rawPublicKey ? [rawPublicKeyCertified(ctx.provider, config.rawPublicKey)] : []
      : config.certificate === undefined ? [] : [config.certificate].flat();
    request.answer = chooseClientCertificate(ctx.provider, ctx.cfg.signatureSchemes, candidates, request.info);
    if (state.clientRawPublicKey) ctx.info.clientCertificateType = 'raw-public-key';
  }

  /** The caller's answer to a `client-certificate` decision: a certificate to send, or none. */
  resolveClientCertificate(certified: CertifiedKey | undefined): void {
    const state = this.state;
    const request = 'request' in state ? state.request : state.name === 'CONNECTED' ? state.postHandshake : undefined;
    if (!request || request.answer) throw new Error('no client certificate choice is pending');
    request.answer = certified
      ? chooseClientCertificate(this.ctx.provider, this.ctx.cfg.signatureSchemes, [certified], request.info)
      : { reason: 'the caller chose to send none' };
    if (state.name === 'CONNECTED' && state.postHandshake) this.answerPostHandshakeRequest(state, state.postHandshake);
  }

  /**
   * Post-handshake authentication (RFC 8446 §4.6.2): Certificate, CertificateVerify and Finished over the
   * handshake transcript plus this request, the Finished keyed from our current application traffic secret.
   */
  private onPostHandshakeCertificateRequest(state: Extract<ClientState, { name: 'CONNECTED' }>, message: CertificateRequest, raw: Uint8Array): void {
    const { ctx, config } = this;
    if (!config.postHandshakeAuth) throw new TlsError('UnexpectedMessage', 'a post-handshake CertificateRequest, but we did not offer post_handshake_auth');
    if (message.context.length === 0) throw new TlsError('IllegalParameter', 'a post-handshake certificate_request_context must not be empty');
    if (state.postHandshake) throw new TlsError('UnexpectedMessage', 'a second post-handshake CertificateRequest while one is unanswered');
    if (!X.findExtension(message.extensions, ExtensionType.signature_algorithms)) {
      throw new TlsError('MissingExtension', 'CertificateRequest without signature_algorithms');
    }
    const transcript = ctx.transcript.fork();
    transcript.add(raw);
    const request: PostHandshakeRequest = { message, info: describeCertificateRequest(message), transcript };
    ctx.decide('client_auth', 'requested after the handshake', 'the server sent a post-handshake CertificateRequest');
    state.postHandshake = request;
    if (config.certificate === 'ask') {
      ctx.effects.push({ kind: 'await-decision', decision: { kind: 'client-certificate', request: request.info } });
      return;
    }
    const candidates = config.certificate === undefined ? [] : [config.certificate].flat();
    request.answer = chooseClientCertificate(ctx.provider, ctx.cfg.signatureSchemes, candidates, request.info);
    this.answerPostHandshakeRequest(state, request);
  }

  private answerPostHandshakeRequest(state: Extract<ClientState, { name: 'CONNECTED' }>, request: PostHandshakeRequest): void {
    this.answerCertificateRequest(request, request.transcript);
    this.ctx.sendFinished(state.suite, state.traffic.clientSecret('client'), request.transcript);
    delete state.postHandshake;
  }

  private onCertificate(
    state: Extract<ClientState, { name: 'WAIT_CERT_CR' | 'WAIT_CERT' }>,
    certificate: Certificate,
    raw: Uint8Array,
    request: ClientAuthRequest | undefined,
  ): void {
    const { ctx } = this;
    if (certificate.context.length !== 0) throw new TlsError('IllegalParameter', 'server Certificate has a non-empty context');
    if (certificate.entries.length === 0) throw new TlsError('EmptyServerCertificate', 'the server sent no certificate');
    for (const entry of certificate.entries) requireSolicited(entry.extensions, state.offered, 'CertificateEntry');
    const evaluation = evaluatePeerCertificate(ctx, certificate, state.serverRawPublicKey, 'serverAuth', this.serverIdentity?.text);
    ctx.transcript.add(raw);
    ctx.enter('WAIT_CV');
    const next: Extract<ClientState, { name: 'WAIT_CV' }> = { ...state, name: 'WAIT_CV', leaf: evaluation.leaf };
    if (request) next.request = request;
    this.state = next;
    if (evaluation.verdict.pending) {
      const decision = { kind: 'verify-peer' as const, chain: evaluation.chain, rawPublicKey: state.serverRawPublicKey, suggestion: evaluation.verdict };
      ctx.effects.push({ kind: 'await-decision', decision });
      return;
    }
    this.resolveTrust(evaluation.verdict);
  }

  private onCertificateVerify(
    state: Extract<ClientState, { name: 'WAIT_CV' }>,
    scheme: number,
    signature: Uint8Array,
    raw: Uint8Array,
  ): void {
    const { ctx } = this;
    if (!ctx.cfg.signatureSchemes.includes(scheme)) {
      throw new TlsError('CertificateVerifySchemeNotOffered', `server signed with ${signatureSchemeName(scheme)}, which we did not offer`);
    }
    const proof = this.checkSignature(state.leaf.publicKey, scheme, signature);
    ctx.decide('signature_scheme', signatureSchemeName(scheme), 'the server signed the transcript with it');
    ctx.info.signatureScheme = signatureSchemeName(scheme);
    ctx.authenticate(state.leaf.identity, state.verdict!, proof);
    ctx.transcript.add(raw);
    ctx.enter('WAIT_FINISHED');
    const { leaf: _leaf, verdict: _verdict, ...rest } = state;
    this.state = { ...rest, name: 'WAIT_FINISHED' };
  }

  private checkSignature(key: PublicKey, scheme: number, signature: Uint8Array): PossessionProven {
    const outcome = checkCertificateVerify(this.ctx.provider, scheme, key, 'server', this.ctx.transcript.current(), signature);
    if (outcome === 'scheme-does-not-fit-key') {
      throw new TlsError('IllegalParameter', `${signatureSchemeName(scheme)} does not fit the server's ${key.kind} key`);
    }
    if (outcome === 'bad-signature') throw new TlsError('BadCertificateVerifySignature', 'server CertificateVerify does not verify');
    return this.ctx.possessionProven();
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
    if (state.resumed) this.authenticateResumedServer();

    // 0-RTT: EndOfEarlyData closes the early data under the early keys (RFC 8446 §4.5), then handshake keys.
    if (state.earlyData === 'accepted') ctx.send({ kind: 'end_of_early_data' });
    if (state.earlyData !== 'none') ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite, secret: state.clientHandshakeSecret });
    // Middlebox compatibility mode: a dummy ChangeCipherSpec before our second flight (RFC 8446 §D.4).
    if (state.compat) ctx.effects.push({ kind: 'send-change-cipher-spec' });
    if (state.request) this.answerCertificateRequest(state.request);
    else ctx.info.clientAuth = 'not-requested';
    ctx.sendFinished(suite, state.clientHandshakeSecret);
    ctx.effects.push({ kind: 'write-keys', epoch: 'application', suite, secret: app.client });
    const resumptionMasterSecret = schedule.resumptionMasterSecret(ctx.transcript.current());
    ctx.secret('resumption_master_secret', resumptionMasterSecret);
    ctx.exporterMasterSecret = app.exporter;
    ctx.enter('CONNECTED');
    const traffic = new ApplicationTraffic(ctx, suite, app.client, app.server, proof);
    this.state = { name: 'CONNECTED', suite, resumptionMasterSecret, traffic };
    ctx.effects.push({ kind: 'event', event: { type: 'connected', info: { ...ctx.info } } });
  }

  /**
   * In a resumed handshake the server proved it holds the PSK (its Finished is keyed from it); who it is
   * comes from the handshake that issued the ticket.
   */
  private authenticateResumedServer(): void {
    const peer = this.offeredTicket!.peer;
    if (peer) this.ctx.authenticate(peer, { ...peer.verdict, rule: `resumed ${peer.verdict.rule}` }, this.ctx.possessionProven());
  }

  /** Our Certificate and CertificateVerify, or an empty Certificate when we have nothing that fits (§4.4.2). */
  private answerCertificateRequest(request: ClientAuthRequest, transcript = this.ctx.transcript): void {
    const { ctx } = this;
    const answer = request.answer!;
    const context = request.message.context;
    if (!answer.certified) {
      ctx.decide('client_certificate', 'none', answer.reason);
      ctx.info.clientAuth = 'requested-none-sent';
      ctx.send({ kind: 'certificate', context, entries: [] }, transcript);
      return;
    }
    ctx.decide('client_certificate', 'sent', answer.reason);
    ctx.info.clientAuth = 'authenticated';
    ctx.send({ kind: 'certificate', context, entries: answer.certified.chain.map((data) => ({ data, extensions: [] })) }, transcript);
    const signature = signCertificateVerify(ctx.provider, answer.scheme, answer.certified, 'client', transcript.current(), ctx.cfg.random);
    ctx.send({ kind: 'certificate_verify', scheme: answer.scheme, signature }, transcript);
  }

  private onNewSessionTicket(
    state: Extract<ClientState, { name: 'CONNECTED' }>,
    nst: Extract<HandshakeMessage, { kind: 'new_session_ticket' }>,
  ): void {
    const earlyData = X.findExtension(nst.extensions, ExtensionType.early_data);
    const ticket = {
      lifetime: nst.lifetime,
      ageAdd: nst.ageAdd,
      nonce: nst.nonce,
      ticket: nst.ticket,
      psk: resumptionPsk(this.ctx.provider, state.suite, state.resumptionMasterSecret, nst.nonce),
      cipherSuite: state.suite.code,
      ...(earlyData ? { maxEarlyDataSize: X.earlyDataNewSessionTicket.parse(earlyData.data) } : {}),
      ...(this.ctx.cfg.now ? { receivedAt: this.ctx.cfg.now() } : {}),
      ...(this.serverIdentity ? { serverName: this.serverIdentity.text } : {}),
      ...(this.ctx.info.alpn ? { alpn: this.ctx.info.alpn } : {}),
      ...(this.ctx.info.peer ? { peer: this.ctx.info.peer } : {}),
    };
    this.ctx.effects.push({ kind: 'event', event: { type: 'session-ticket', ticket } });
  }
}

function certificateTypeList(codec: { encode(types: number[]): Uint8Array }, types: CertificateTypeName[]): Uint8Array | undefined {
  return types.length === 1 && types[0] === 'x509' ? undefined : codec.encode(types.map(certificateTypeCode));
}

/**
 * RFC 7685 padding, as NSS and BoringSSL do it: some middleboxes choke on a ClientHello of 256 to 511
 * bytes, so one of that size is padded to 512 when the shape lists a `padding` extension.
 */
function padClientHello(hello: ClientHello): void {
  const index = hello.extensions.findIndex((e) => e.type === ExtensionType.padding);
  if (index < 0) return;
  hello.extensions.splice(index, 1);
  const length = encodeHandshake(hello).length;
  if (length < 256 || length >= 512) return;
  const bodyLength = Math.max(512 - length - 4, 1);
  hello.extensions.splice(index, 0, X.ext(ExtensionType.padding, new Uint8Array(bodyLength)));
}

/** Six distinct GREASE values (RFC 8701) chosen by random bytes. */
function greaseValues(seed: Uint8Array): number[] {
  const values: number[] = [];
  for (const byte of seed) {
    let v = GREASE_VALUES[byte % 16]!;
    while (values.includes(v)) v = GREASE_VALUES[(GREASE_VALUES.indexOf(v) + 1) % 16]!;
    values.push(v);
  }
  return values;
}
