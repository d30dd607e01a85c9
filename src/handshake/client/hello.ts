// The hello exchange of the client (RFC 8446 §4.1): building ClientHello (and ClientHello2 after a
// HelloRetryRequest), checking ServerHello and HelloRetryRequest, and what EncryptedExtensions settles.
import { certificateTypeCode, describeCertificateType, type CertificateTypeName } from '../certificate-types.js';
import { equalBytes } from '../../wire/bytes.js';
import {
  CertificateType,
  DOWNGRADE_TLS11,
  DOWNGRADE_TLS12,
  ExtensionType,
  GREASE_VALUES,
  ProtocolVersion,
  cipherSuiteName,
  namedGroupName,
  type ExtensionTypeName,
} from '../../wire/enums.js';
import { TlsError } from '../../wire/errors.js';
import * as X from '../../wire/extensions.js';
import { encodeHandshake } from '../../wire/messages.js';
import type { ClientHello, Extension, HelloRetryRequest, ServerHello } from '../../wire/types.js';
import type { KeySharePair } from '../../crypto/provider.js';
import { KeySchedule } from '../keyschedule.js';
import { statusRequestBody } from '../ocsp-staple.js';
import { groupName, isPostQuantum, requireSolicited } from '../negotiation.js';
import { SUITES } from '../suites.js';
import type { ClientHandshake, ClientState, HelloRetry } from './machine.js';
import { acceptedPsk, bindPsks, dropTicketForSuite, dropTicketThatDoesNotFit, earlyDataFitsTicket, offeredPsks, offersPsk } from './psk.js';
import { dropExternalPsksForSuite, offeredPskModes } from './external-psk.js';
import { compressCertificateExtension } from '../certificate-compression.js';
import { signatureAlgorithmsCert } from '../config.js';
import { discardKeyShares } from '../wipe.js';

const DEFAULT_EXTENSION_ORDER: ExtensionTypeName[] = [
  'server_name',
  'status_request',
  'supported_versions',
  'supported_groups',
  'signature_algorithms',
  'signature_algorithms_cert',
  'client_certificate_type',
  'server_certificate_type',
  'key_share',
  'psk_key_exchange_modes',
  'early_data',
  'application_layer_protocol_negotiation',
  'record_size_limit',
  'compress_certificate',
  'post_handshake_auth',
  'pre_shared_key',
];

/**
 * Encodes and sends a ClientHello. The second ClientHello after a HelloRetryRequest is the first one
 * with the new key share and the server's cookie (RFC 8446 §4.1.2), so both come from here. `retryGroup`:
 * the group a HelloRetryRequest asked for, whose one share replaces the whole list (our GREASE share too).
 */
export function sendClientHello(
  c: ClientHandshake,
  random: Uint8Array,
  legacySessionId: Uint8Array,
  keyShares: Map<number, KeySharePair>,
  cookie?: Uint8Array,
  retryGroup?: number,
): ClientHello {
  const { ctx, config } = c;
  const shape = config.clientHello ?? {};
  const grease = c.grease;
  const identity = c.serverIdentity;
  // No 0-RTT in the ClientHello that answers a HelloRetryRequest (RFC 8446 §4.1.2).
  const offerEarlyData = !cookie && !c.retried && earlyDataFitsTicket(c);
  const shares = [...keyShares].map(([group, { share }]) => ({ group, keyExchange: share }));
  const withGrease = (values: readonly number[], g: number | undefined) => (g === undefined ? [...values] : [g, ...values]);
  // Each extension we build ourselves, added to `b` (its body written into the list's one array of bodies); one
  // we leave out returns before anything is written. One function, not a closure each.
  const builtIn = (b: X.ExtensionsBuilder, item: ExtensionTypeName): void => {
    const type = ExtensionType[item];
    switch (item) {
      // An IP address is never sent as SNI (RFC 6066 §3).
      case 'server_name':
        if (identity?.kind !== 'dns') return;
        b.body(type, X.serverName.write, [identity.text]);
        return;
      case 'status_request':
        if (!config.statusRequest) return;
        b.given(X.ext(type, statusRequestBody()));
        return;
      case 'supported_versions':
        b.body(type, X.supportedVersionsClientHello.write, withGrease([ProtocolVersion.TLSv1_3], grease?.[0]));
        return;
      case 'supported_groups':
        b.body(type, X.supportedGroups.write, withGrease(shape.advertisedGroups ?? ctx.cfg.groups, grease?.[1]));
        return;
      case 'signature_algorithms':
        b.body(type, X.signatureAlgorithms.write, withGrease(shape.advertisedSignatureSchemes ?? ctx.cfg.signatureSchemes, grease?.[2]));
        return;
      case 'signature_algorithms_cert': {
        const certSchemes = signatureAlgorithmsCert(ctx.cfg);
        if (!certSchemes) return;
        b.body(type, X.signatureAlgorithmsCert.write, [...certSchemes]);
        return;
      }
      case 'key_share':
        b.body(type, X.keyShareClientHello.write, grease && retryGroup === undefined ? [{ group: grease[1]!, keyExchange: new Uint8Array([0]) }, ...shares] : shares);
        return;
      case 'psk_key_exchange_modes':
        b.body(type, X.pskKeyExchangeModes.write, offeredPskModes(c));
        return;
      case 'early_data':
        if (!offerEarlyData) return;
        b.empty(type);
        return;
      // Binders are zeros here and filled in below, once the rest of the message is final.
      case 'pre_shared_key':
        if (!offersPsk(c)) return;
        b.body(type, X.preSharedKeyClientHello.write, offeredPsks(c));
        return;
      case 'application_layer_protocol_negotiation':
        if (ctx.cfg.alpnProtocols.length === 0) return;
        b.body(type, X.alpn.write, [...ctx.cfg.alpnProtocols]);
        return;
      case 'record_size_limit':
        if (shape.recordSizeLimit === undefined) return;
        b.body(type, X.recordSizeLimit.write, shape.recordSizeLimit);
        return;
      case 'cookie':
        if (!cookie) return;
        b.body(type, X.cookie.write, cookie);
        return;
      case 'post_handshake_auth':
        if (!config.postHandshakeAuth) return;
        b.empty(type);
        return;
      case 'compress_certificate': {
        const compression = compressCertificateExtension(ctx);
        if (!compression) return;
        b.given(compression);
        return;
      }
      // RFC 7250 §4.1: sent only when we can do more than X.509.
      case 'client_certificate_type':
        return certificateTypeList(b, type, X.clientCertificateTypeClientHello, clientCertificateTypes(c));
      case 'server_certificate_type':
        return certificateTypeList(b, type, X.serverCertificateTypeClientHello, serverCertificateTypes(c));
      // Placeholder, sized below once the rest of the message is known.
      case 'padding':
        b.empty(type);
        return;
      default:
        throw new Error(`the client cannot build the ${item} extension itself; pass it as {type, data}`);
    }
  };
  const extensions = X.ExtensionsBuilder.build((b) => {
    if (grease) b.empty(grease[3]!);
    for (const item of shape.extensions ?? DEFAULT_EXTENSION_ORDER) {
      if (typeof item !== 'string') b.given(item);
      else builtIn(b, item);
    }
  });
  if (cookie && !extensions.some((e) => e.type === ExtensionType.cookie)) extensions.push(X.ext(ExtensionType.cookie, X.cookie.encode(cookie)));
  if (grease) extensions.push({ type: grease[4]!, data: new Uint8Array([0]) });
  // pre_shared_key MUST be the last extension (RFC 8446 §4.2.11).
  const psk = extensions.findIndex((e) => e.type === ExtensionType.pre_shared_key);
  if (psk >= 0) extensions.push(...extensions.splice(psk, 1));
  if (dropTicketThatDoesNotFit(c, extensions)) return sendClientHello(c, random, legacySessionId, keyShares, cookie, retryGroup);
  checkExtensionsFit(c, extensions);

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
  if (offersPsk(c)) bindPsks(c, hello);
  // The handshake-message event gets copies of what the client keeps (handed-out.ts).
  ctx.send(hello);
  return hello;
}

/**
 * A ClientHello holds extensions<8..2^16-1> (RFC 8446 §4.1.2). ClientHello1 that does not fit is our
 * configuration's doing: a TypeError before anything is sent. ClientHello2 that does not fit is the
 * HelloRetryRequest's (a cookie or a key share too long beside the rest): illegal_parameter, as §4.1.4 answers
 * a HelloRetryRequest the client cannot act on; not internal_error, which §6.2 keeps for errors "unrelated to
 * the peer" (OpenSSL sends internal_error here).
 */
function checkExtensionsFit(c: ClientHandshake, extensions: readonly Extension[]): void {
  const length = X.extensionsLength(extensions);
  if (length <= 0xffff) return;
  if (c.retried) throw new TlsError('IllegalParameter', `the HelloRetryRequest asks for a ClientHello2 whose extensions would be ${length} bytes, more than 2^16 - 1 (RFC 8446 §4.1.2)`);
  throw new TypeError(`our ClientHello's extensions would be ${length} bytes, more than 2^16 - 1 (RFC 8446 §4.1.2): fewer or shorter externalPsks identities, ALPN protocols or clientHello extensions`);
}

/**
 * The first group we implement, and after a post-quantum one the first classical group too
 * (ClientConfig.keyShareGroups). Offered code points we do not implement get no share: we could make none.
 */
export function defaultKeyShareGroups(groups: readonly number[]): number[] {
  const first = groups.find((g) => groupName(g) !== undefined);
  if (first === undefined) return [];
  if (!isPostQuantum(first)) return [first];
  const classical = groups.find((g) => groupName(g) !== undefined && !isPostQuantum(g));
  return classical === undefined ? [first] : [first, classical];
}

export function newKeyShare(c: ClientHandshake, group: number): KeySharePair {
  const name = groupName(group);
  if (!name) throw new Error(`cannot make a key share for group ${namedGroupName(group)}`);
  return c.ctx.provider.keyExchange(name).generate(c.ctx.cfg.random);
}

/** HelloRetryRequest (RFC 8446 §4.1.4): check it changes something we can do, then send ClientHello2. */
export function onHelloRetryRequest(c: ClientHandshake, state: Extract<ClientState, { name: 'WAIT_SH' }>, hrr: HelloRetryRequest, raw: Uint8Array): void {
  const { ctx } = c;
  if (state.retry) throw new TlsError('UnexpectedMessage', 'a second HelloRetryRequest');
  ctx.effects.push({ kind: 'peer-flight-ends' });
  checkServerHelloCommon(state, hrr, 'HelloRetryRequest');
  requireSolicited(hrr.extensions, new Set([...state.offered, ExtensionType.cookie]), 'HelloRetryRequest');
  const suite = SUITES.get(hrr.cipherSuite)!;
  const keyShareExt = X.findExtension(hrr.extensions, ExtensionType.key_share);
  const cookieExt = X.findExtension(hrr.extensions, ExtensionType.cookie);
  const retry: HelloRetry = { cipherSuite: hrr.cipherSuite };
  const keyShares = new Map(state.keyShares);
  if (keyShareExt) {
    const group = X.bodyOf(X.keyShareHelloRetryRequest, keyShareExt);
    const advertised = c.config.clientHello?.advertisedGroups ?? ctx.cfg.groups;
    if (!advertised.includes(group) || !groupName(group)) {
      throw new TlsError('SelectedUnofferedParameter', `HelloRetryRequest asks for ${namedGroupName(group)}, which we do not support`);
    }
    if (state.keyShares.has(group)) {
      throw new TlsError('IllegalParameter', `HelloRetryRequest asks for ${namedGroupName(group)}, for which we already sent a share`);
    }
    // ClientHello1's shares are not carried over (RFC 8446 §4.1.4): their private keys go now.
    discardKeyShares(ctx.provider, state.keyShares);
    keyShares.clear();
    keyShares.set(group, newKeyShare(c, group));
    retry.group = group;
    ctx.decide('group', namedGroupName(group), 'the server asked for it in a HelloRetryRequest');
  }
  const cookie = cookieExt ? X.bodyOf(X.cookie, cookieExt) : undefined;
  if (!keyShareExt && !cookie) throw new TlsError('IllegalParameter', 'HelloRetryRequest would not change the ClientHello');
  dropTicketForSuite(c, suite);
  dropExternalPsksForSuite(c, suite);
  // The transcript restarts with a message_hash standing for ClientHello1 (RFC 8446 §4.4.1).
  ctx.transcript.selectHash(suite.hash);
  ctx.transcript.replaceWithMessageHash();
  ctx.transcript.add(raw);
  c.retried = true;
  if (state.earlyDataSent) {
    // The server will not read our 0-RTT data; ClientHello2 goes out in plaintext again.
    ctx.info.earlyData = 'rejected';
    ctx.effects.push({ kind: 'plaintext-writes' });
  }
  const hello = sendClientHello(c, state.hello.random, state.hello.legacySessionId, keyShares, cookie, retry.group);
  c.enter({ name: 'WAIT_SH', hello, offered: new Set(hello.extensions.map((e) => e.type)), keyShares, retry, earlyDataSent: false });
}

/** The ServerHello and HelloRetryRequest rules of RFC 8446 §4.1.3 and §4.1.4 that both share. */
function checkServerHelloCommon(state: Extract<ClientState, { name: 'WAIT_SH' }>, sh: ServerHello | HelloRetryRequest, what: string): void {
  // App. D.5: ServerHello.legacy_version 0x0300 or less "MUST abort the handshake with a "protocol_version" alert".
  if (sh.legacyVersion <= ProtocolVersion.SSLv3) {
    throw new TlsError('ObsoleteLegacyVersion', `${what}.legacy_version 0x${sh.legacyVersion.toString(16).padStart(4, '0')} is SSL 3.0 or older`);
  }
  const versions = X.findExtension(sh.extensions, ExtensionType.supported_versions);
  // §4.1.4: the version the HelloRetryRequest selected "MUST be retained in the ServerHello"; a change is illegal_parameter.
  if (!versions && state.retry) throw new TlsError('IllegalParameter', `${what} after a HelloRetryRequest without supported_versions`);
  if (!versions) {
    // A server that does not speak TLS 1.3. Its random may carry the downgrade sentinel (RFC 8446 §4.1.3).
    const tail = sh.kind === 'server_hello' ? sh.random.subarray(24) : new Uint8Array(0);
    if (equalBytes(tail, DOWNGRADE_TLS12) || equalBytes(tail, DOWNGRADE_TLS11)) {
      throw new TlsError('Downgrade', 'ServerHello.random carries the TLS 1.3 downgrade sentinel');
    }
    throw new TlsError('NoTls13', `${what} without supported_versions: the server does not speak TLS 1.3`);
  }
  const version = X.bodyOf(X.supportedVersionsServerHello, versions);
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

export function onServerHello(c: ClientHandshake, state: Extract<ClientState, { name: 'WAIT_SH' }>, sh: ServerHello, raw: Uint8Array): void {
  const { ctx } = c;
  checkServerHelloCommon(state, sh, 'ServerHello');
  const suite = SUITES.get(sh.cipherSuite)!;
  requireSolicited(sh.extensions, state.offered, 'ServerHello');
  const psk = acceptedPsk(c, sh, suite);
  if (!psk && !ctx.cfg.trust) throw new TlsError('PskRequired', 'the server did not accept our external PSK, and we have no trust policy to judge a certificate');
  const keyShareExt = X.findExtension(sh.extensions, ExtensionType.key_share);
  if (!keyShareExt && !psk) throw new TlsError('MissingExtension', 'ServerHello has neither key_share nor pre_shared_key');
  let shared: Uint8Array | undefined;
  if (keyShareExt) {
    const share = X.bodyOf(X.keyShareServerHello, keyShareExt);
    if (state.retry?.group !== undefined && share.group !== state.retry.group) {
      throw new TlsError('IllegalParameter', 'ServerHello key share is not for the group the HelloRetryRequest asked for');
    }
    const ours = state.keyShares.get(share.group);
    if (!ours) throw new TlsError('SelectedUnofferedParameter', `server key share uses ${namedGroupName(share.group)}, for which we sent no share`);
    shared = ctx.provider.keyExchange(groupName(share.group)!).decapsulate(ours.privateKey, share.keyExchange) ?? undefined;
    if (!shared) throw new TlsError('BadKeyShare', `server ${namedGroupName(share.group)} key share is not a valid public value`);
    ctx.decide('group', namedGroupName(share.group), 'the server answered our key share for it');
    ctx.info.group = namedGroupName(share.group);
  }
  // The shared secret is derived (or none is used): every private key we offered, the picked one too, goes now.
  discardKeyShares(ctx.provider, state.keyShares);

  ctx.decide('version', 'TLS 1.3', 'supported_versions in ServerHello selects 0x0304');
  ctx.decide('cipher_suite', suite.name, 'chosen by the server from our list');
  ctx.info.version = 'TLSv1.3';
  ctx.info.cipherSuite = suite.name;

  ctx.transcript.selectHash(suite.hash);
  ctx.transcript.add(raw);
  const schedule = new KeySchedule(ctx.provider, suite, psk);
  schedule.enterHandshake(shared);
  shared?.fill(0); // the (EC)DHE or KEM shared secret: extracted into the Handshake Secret, needed no more
  const secrets = schedule.handshakeTrafficSecrets(ctx.transcript.current());
  ctx.secret('client_handshake_traffic_secret', secrets.client);
  ctx.secret('server_handshake_traffic_secret', secrets.server);
  ctx.effects.push({ kind: 'read-keys', epoch: 'handshake', suite, secret: secrets.server });
  // With 0-RTT in flight our write keys stay the early ones until EndOfEarlyData (RFC 8446 §4.5), while it may
  // still be accepted: only with our ticket. Otherwise the server skips what it cannot decrypt (§4.2.10) and reads
  // us under the handshake keys from now on, an alert about its flight too.
  if (!state.earlyDataSent || !mayAcceptEarlyData(c, psk)) ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite, secret: secrets.client });
  c.enter({
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
  });
}

/** 0-RTT can be accepted only when the server resumed our ticket, the first PSK (RFC 8446 §4.2.10). */
function mayAcceptEarlyData(c: ClientHandshake, psk: Uint8Array | undefined): boolean {
  return psk !== undefined && c.selectedExternalPsk === undefined;
}

export function onEncryptedExtensions(c: ClientHandshake, state: Extract<ClientState, { name: 'WAIT_EE' }>, extensions: Extension[], raw: Uint8Array): void {
  const { ctx } = c;
  requireSolicited(extensions, state.offered, 'EncryptedExtensions');
  const earlyData = X.findExtension(extensions, ExtensionType.early_data);
  // Our ticket resumed, but no early_data: the 0-RTT is rejected, and we write under the handshake keys from here on.
  if (state.earlyData === 'sent' && !earlyData && state.resumed && !c.selectedExternalPsk) {
    ctx.effects.push({ kind: 'write-keys', epoch: 'handshake', suite: state.suite, secret: state.clientHandshakeSecret });
  }
  const alpnExt = X.findExtension(extensions, ExtensionType.application_layer_protocol_negotiation);
  if (alpnExt) {
    const chosen = X.bodyOf(X.selectedAlpn, alpnExt);
    if (chosen.length !== 1 || !ctx.cfg.alpnProtocols.includes(chosen[0]!)) {
      throw new TlsError('IllegalParameter', `server ALPN answer ${JSON.stringify(chosen)} is not one of our protocols`);
    }
    ctx.info.alpn = chosen[0]!;
    ctx.decide('alpn', chosen[0]!, 'selected by the server from our list');
  }
  const limitExt = X.findExtension(extensions, ExtensionType.record_size_limit);
  if (limitExt) {
    // RFC 8449 §4: the answer makes both limits hold now, for the server's records after this one and for our
    // second flight, though our handshake keys came with the ServerHello.
    ctx.effects.push({ kind: 'record-size-limits', peer: X.bodyOf(X.recordSizeLimit, limitExt), own: c.config.clientHello!.recordSizeLimit! });
  }
  const sniExt = X.findExtension(extensions, ExtensionType.server_name);
  if (sniExt) {
    if (sniExt.data.length !== 0) throw new TlsError('DecodeError', 'server_name acknowledgement must be empty');
    ctx.info.serverName = c.serverIdentity!.text;
    ctx.decide('server_name', c.serverIdentity!.text, 'the server acknowledged our SNI');
  }
  if (!state.resumed) agreeCertificateTypes(c, state, extensions);
  if (state.earlyData === 'sent') {
    // Without a PSK there is no 0-RTT to accept: the answer to an offer that no longer stands (§4.2; BoringSSL's
    // UNEXPECTED_EXTENSION). With one, early data goes only with the first identity, the ticket (§4.2.10).
    if (earlyData && !state.resumed) throw new TlsError('UnsolicitedExtension', 'the server accepted 0-RTT without resuming our ticket');
    if (earlyData && (c.selectedExternalPsk || state.suite.code !== c.offeredTicket!.cipherSuite)) {
      throw new TlsError('IllegalParameter', 'the server accepted 0-RTT without resuming our ticket with its cipher suite');
    }
    // §4.2.10: the 0-RTT data was written for the ticket's ALPN protocol, which the connection must keep.
    if (earlyData && (ctx.info.alpn ?? '') !== (c.offeredTicket!.alpn ?? '')) {
      throw new TlsError('IllegalParameter', `the server accepted 0-RTT written for ${c.offeredTicket!.alpn ?? 'no ALPN protocol'} and selected ${ctx.info.alpn ?? 'none'}`);
    }
    state.earlyData = earlyData ? 'accepted' : 'rejected';
    ctx.info.earlyData = state.earlyData;
    ctx.decide('early_data', state.earlyData, earlyData ? 'early_data in EncryptedExtensions' : 'no early_data in EncryptedExtensions: resend the data now if it matters');
  }
  ctx.transcript.add(raw);
  if (state.resumed) {
    // A PSK handshake has no certificates (RFC 8446 §2.2): straight to the server's Finished.
    c.enter({ ...state, name: 'WAIT_FINISHED' });
    return;
  }
  c.enter({ ...state, name: 'WAIT_CERT_CR' });
}

/**
 * RFC 7250 §4.2: the server answers our certificate type lists in EncryptedExtensions; no answer means
 * X.509. A type we did not offer is illegal_parameter; X.509 when we demand a raw key is
 * unsupported_certificate.
 */
function agreeCertificateTypes(c: ClientHandshake, state: Extract<ClientState, { name: 'WAIT_EE' }>, extensions: Extension[]): void {
  const { ctx } = c;
  const agree = (type: number, codec: X.BodyCodec<number>, ours: readonly CertificateTypeName[], who: 'server' | 'client') => {
    const answer = X.findExtension(extensions, type);
    const chosen = answer ? X.bodyOf(codec, answer) : CertificateType.X509;
    if (!ours.map(certificateTypeCode).includes(chosen)) {
      if (answer) throw new TlsError('SelectedUnofferedParameter', `the server chose ${describeCertificateType(chosen)} for the ${who}, which we did not offer`);
      throw new TlsError('UnsupportedCertificateType', `we accept only ${ours.join(', ')} for the ${who} and the server can do only X.509`);
    }
    if (answer || ours.length > 1 || ours[0] !== 'x509') {
      ctx.decide('certificate_type', `${who}: ${describeCertificateType(chosen)}`, answer ? `the server's ${who}_certificate_type answer` : 'no answer from the server: X.509');
    }
    return chosen === CertificateType.RawPublicKey;
  };
  state.serverRawPublicKey = agree(ExtensionType.server_certificate_type, X.serverCertificateTypeServerSide, serverCertificateTypes(c), 'server');
  ctx.info.serverCertificateType = state.serverRawPublicKey ? 'raw-public-key' : 'x509';
  const clientAnswer = X.findExtension(extensions, ExtensionType.client_certificate_type);
  if (clientAnswer) state.clientRawPublicKey = agree(ExtensionType.client_certificate_type, X.clientCertificateTypeServerSide, clientCertificateTypes(c), 'client');
}

/** Types we accept for the server's certificate, in preference order (RFC 7250 §4.1). */
function serverCertificateTypes(c: ClientHandshake): CertificateTypeName[] {
  return c.config.serverCertificateTypes ?? ['x509'];
}

/** Types we can send, in preference order: a raw key when we have one, X.509 when we have a certificate. */
function clientCertificateTypes(c: ClientHandshake): CertificateTypeName[] {
  const { config } = c;
  if (config.clientCertificateTypes) return config.clientCertificateTypes;
  if (!config.rawPublicKey) return ['x509'];
  return config.certificate ? ['raw-public-key', 'x509'] : ['raw-public-key'];
}

/** Writes a certificate type list into `b`, unless it is X.509 alone (the default, RFC 7250 §4.1). */
function certificateTypeList(b: X.ExtensionsBuilder, type: number, codec: X.BodyCodec<number[]>, types: CertificateTypeName[]): void {
  if (types.length === 1 && types[0] === 'x509') return;
  b.body(type, codec.write, types.map(certificateTypeCode));
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
export function greaseValues(seed: Uint8Array): number[] {
  const values: number[] = [];
  for (const byte of seed) {
    let v = GREASE_VALUES[byte % 16]!;
    while (values.includes(v)) v = GREASE_VALUES[(GREASE_VALUES.indexOf(v) + 1) % 16]!;
    values.push(v);
  }
  return values;
}
