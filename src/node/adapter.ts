// The Node adapter: drives a sans-I/O `Connection` over a net.Socket or any stream.Duplex, with an API
// close to node:tls (`connect`, `createServer`, a TLSSocket-like Duplex), so HTTP/1.1 can run on top.
// src/node (and src/cli) are the only places that touch node: modules, the real clock and timers.
import { Duplex } from 'node:stream';
import * as net from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, PeerCertificate } from 'node:tls';
import type { Connection, DecisionAnswer } from '../handshake/connection.js';
import { ConnectionDriver } from './stream-driver.js';
import { detailedPeerCertificate, judgeServer, peerCertificate, type SessionJudgement, type NodeVerification } from './tls-options.js';
import type { NegotiatedInfo, PendingDecision, TlsEvent } from '../handshake/events.js';
import type { PeerIdentity } from '../auth/trust.js';
import type { PskPeerIdentity } from '../handshake/external-psk.js';
import { asTlsError } from '../handshake/caller-input.js';
import { handedOut } from '../handshake/handed-out.js';
import { hex } from '../wire/bytes.js';
import { handshakeAborted, TlsAlertError } from './socket-errors.js';
import type { SocketOptions } from './socket-options.js';

export { connect, type ConnectOptions } from './connect.js';
export { ConnectionDriver, type DriverHandlers } from './stream-driver.js';
export { TlsAlertError } from './socket-errors.js';
export type { CheckServerIdentity, NodeTlsClientOptions, NodeTlsOptions, NodeTlsServerOptions } from './tls-options.js';
export { nodeCertificateCompression } from './certificate-compression.js';
export { socketOptions, type SocketOptions } from './socket-options.js';
export { createServer, DEFAULT_TICKET_COUNT, Tls13Server, type ServerOptions } from './server.js';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * A TLS 1.3 connection as a Duplex: the readable side gives decrypted application data, the writable side
 * takes application data to encrypt. Events as node:tls: 'secureConnect' (client) / 'secure', 'keylog'
 * (NSS key-log line), 'session' (ticket), 'error', 'end', 'close'; plus 'tlsEvent' for every engine event,
 * 'decision-needed' for the `ask` trust policy (answer with `resolve()`) and, on a server, 'earlyData'
 * (chunk) for accepted 0-RTT data, which is then readable like any other data.
 */
export class Tls13Socket extends Duplex {
  readonly encrypted = true;
  /**
   * As node:tls: client, the `servername` (or `serverName`) option when it is a DNS name sent as SNI, else false
   * (a default taken from `host` is sent as SNI but, as in node, not reported here); server, the name the client
   * asked for, once known (false when it sent no SNI).
   */
  servername: string | false | undefined;
  /** As node:tls: whether the peer's identity was verified (client: the server's; server: a client certificate's). */
  authorized = false;
  /** Why the server failed verification, when rejectUnauthorized: false let the connection go on anyway. */
  authorizationError: string | undefined;
  /** The stream ended without the peer's close_notify: data may be missing (RFC 8446 §6.1). */
  truncated = false;
  private readonly driver: ConnectionDriver;
  private readonly verification: NodeVerification | undefined;
  /** Client: node's verification of the offered session's server (tls-options.ts judgeSession). */
  private readonly session: SessionJudgement | undefined;
  private secured = false;
  /** verifyAsNode is running the caller's code (see there). */
  private judgingServer = false;
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** A write that arrived before the handshake finished, sent once connected. */
  private pendingWrite: { data: Uint8Array; callback: (error?: Error | null) => void } | undefined;
  /** An end() that arrived before the handshake finished, done once connected. */
  private pendingFinal: (() => void) | undefined;
  private readonly onTransportError = (error: Error) => this.destroy(error);
  private readonly onTransportClose = () => {
    // After the peer's end, data may still wait in our readable buffer: the 'end' path closes us then.
    if (!this.destroyed && !this.peerFinished) this.destroy(this.secured ? undefined : handshakeAborted(this.connection.state));
  };
  private readonly onTransportTimeout = () => this.emit('timeout');
  /** The peer finished sending (close_notify or TCP end) and we ended our readable side. */
  private peerFinished = false;
  private lastAlertSent: Extract<TlsEvent, { type: 'alert' }> | undefined;
  private earlyBytes = 0;
  private transportCorked = false;
  private readonly uncorkTransport = () => {
    this.transportCorked = false;
    this.transport.uncork();
  };

  constructor(
    readonly transport: Duplex,
    /** The sans-I/O engine, for callers who want its state, events or trace. */
    readonly connection: Connection,
    options: SocketOptions & { verification?: NodeVerification; session?: SessionJudgement } = {},
  ) {
    // Like node:tls: unless allowHalfOpen, when the peer has finished (close_notify), we finish too.
    super({ allowHalfOpen: options.allowHalfOpen ?? false });
    this.verification = options.verification;
    this.session = options.session;
    transport.on('error', this.onTransportError);
    transport.on('close', this.onTransportClose);
    transport.on('timeout', this.onTransportTimeout);
    this.notePeerAddress();
    // A socket still connecting learns its peer's address on 'connect'; an accepted one knows it already.
    if ((transport as Partial<net.Socket>).connecting !== false) transport.once('connect', this.notePeerAddress);
    const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    if (timeout > 0) {
      this.handshakeTimer = setTimeout(() => this.destroy(new Error(`TLS handshake timed out after ${timeout} ms (state ${connection.state})`)), timeout);
    }
    this.servername = connection.info.serverName;
    // A client's ClientHello goes out now; its events wait until the caller attached listeners.
    this.driver = new ConnectionDriver(connection, transport, {
      event: (event) => {
        // A listener destroyed us (a policy of its own refused the peer): the rest of this flight's events,
        // 'secureConnect' among them, are not for a refused connection (node:tls emits none after destroy()).
        if (this.destroyed) return;
        // A 'tlsEvent' listener gets a copy of its own: what it writes over (a logger that wipes what it logged)
        // never reaches what the socket acts on: the chain it judges, the data it pushes, the ticket it emits.
        if (this.listenerCount('tlsEvent') > 0) this.emit('tlsEvent', handedOut(event));
        this.apply(event);
      },
      end: ({ closeNotify }) => this.onPeerEof(closeNotify),
    });
    // Secret and trace events (and their copies) only once someone may read them, as node:tls builds key-log
    // lines only for a 'keylog' listener: secrets derived before a 'keylog' or 'tlsEvent' listener is attached
    // make no event, messages, states and decisions before a 'tlsEvent' listener none. Not switched off again: a
    // stream emits no 'removeListener' (Node's shape mode).
    connection.secretEvents = false;
    connection.traceEvents = false;
    this.on('newListener', (name: string | symbol) => {
      if (name === 'keylog' || name === 'tlsEvent') connection.secretEvents = true;
      if (name === 'tlsEvent') connection.traceEvents = true;
    });
  }

  /** What was negotiated (complete once secure). */
  get info(): Readonly<NegotiatedInfo> {
    return this.connection.info;
  }

  /** The negotiated ALPN protocol, or false (as node:tls). */
  get alpnProtocol(): string | false {
    return this.connection.info.alpn ?? false;
  }

  /** The peer's address and port, once connected: a closed net.Socket no longer knows them, and failures are reported after the close. */
  private peerAddress: { address?: string; port?: number } = {};
  private readonly notePeerAddress = () => {
    const socket = this.transport as Partial<net.Socket>;
    if (socket.remoteAddress !== undefined) this.peerAddress = { address: socket.remoteAddress, ...(socket.remotePort !== undefined ? { port: socket.remotePort } : {}) };
  };

  get remoteAddress(): string | undefined {
    return (this.transport as Partial<net.Socket>).remoteAddress ?? this.peerAddress.address;
  }

  get remotePort(): number | undefined {
    return (this.transport as Partial<net.Socket>).remotePort ?? this.peerAddress.port;
  }

  get localAddress(): string | undefined {
    return (this.transport as Partial<net.Socket>).localAddress;
  }

  get localPort(): number | undefined {
    return (this.transport as Partial<net.Socket>).localPort;
  }

  /** Whether the handshake resumed a session with a ticket (as node:tls). */
  isSessionReused(): boolean {
    return this.connection.info.resumed === true;
  }

  /**
   * Server: how many bytes at the start of the readable stream arrived as accepted 0-RTT data (each such
   * chunk is also announced by an 'earlyData' event before it is readable). Replayable: RFC 8446 §8.
   */
  get earlyDataLength(): number {
    return this.earlyBytes;
  }

  /**
   * KeyUpdate (RFC 8446 §4.6.3): fresh write keys for us; `requestPeer` asks the peer to update its own.
   * A peer's KeyUpdate is answered by the engine by itself.
   */
  updateKeys(requestPeer = false): void {
    this.driver.step((c) => c.updateKeys(requestPeer));
  }

  /**
   * Server: asks the client for a certificate now (post-handshake authentication, RFC 8446 §4.6.2; the
   * client must have offered it). 'postHandshakeAuth' (info, answer) follows once the client answered:
   * `answer` 'certificate' or 'none'; `info.peer` then says who it is, if anyone (a client that refuses stays
   * who its handshake proved; `replaced`, a third argument, names the identity proved before when this
   * answer proved another). Throws if the client did not offer post_handshake_auth.
   */
  requestClientCertificate(): void {
    this.driver.step((c) => c.requestClientCertificate());
  }

  /**
   * Who the peer proved to be (trust verdict and CertificateVerify), or undefined; also undefined for a
   * server that failed verification and was let through by rejectUnauthorized: false.
   */
  getPeerIdentity(): PeerIdentity | PskPeerIdentity | undefined {
    return this.authorizationError === undefined ? this.peer : undefined;
  }

  /** Who the peer is: the engine's verdict (for a session resumed under node's verification, judgeSession's). */
  private get peer(): PeerIdentity | PskPeerIdentity | undefined {
    return this.connection.info.peer;
  }

  /**
   * node's view of the peer's leaf certificate (as node:tls), or {} when it sent none (or a raw public key);
   * `detailed`: with issuerCertificate links along the validated path only (tls-options.ts detailedPeerCertificate).
   */
  getPeerCertificate(detailed?: boolean): PeerCertificate | DetailedPeerCertificate | Record<string, never> {
    const leaf = this.peerLeaf();
    if (!leaf) return {};
    return detailed ? detailedPeerCertificate(leaf, this.peer?.verdict.path) : peerCertificate(leaf);
  }

  /** As node:tls: the peer's leaf certificate as a node:crypto X509Certificate, or undefined when it sent none. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const leaf = this.peerLeaf();
    return leaf ? new X509Certificate(leaf) : undefined;
  }

  /** The DER of the X.509 certificate the peer proved (CertificateVerify and Finished verified), if any. */
  private peerLeaf(): Uint8Array | undefined {
    const isX509 = (this.connection.role === 'client' ? this.info.serverCertificateType : this.info.clientCertificateType) !== 'raw-public-key';
    return isX509 ? this.peer?.chain?.[0] : undefined;
  }

  /** TLS-Exporter (RFC 8446 §7.5), with node:tls's argument order. */
  exportKeyingMaterial(length: number, label: string, context: Uint8Array = new Uint8Array(0)): Buffer {
    const out = this.connection.exportKeyingMaterial(label, context, length);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  }

  /** Answers a 'decision-needed' event (trust policy `ask`). */
  resolve(answer: DecisionAnswer): void {
    if (this.judgingServer) throw new Error("resolve() was called while the socket judges the server as node:tls would (checkServerIdentity): that judgement answers");
    this.driver.step((c) => c.resolve(answer));
  }

  // Socket options used by node:http; passed through to a net.Socket transport.
  setTimeout(ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    (this.transport as Partial<net.Socket>).setTimeout?.(ms);
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    (this.transport as Partial<net.Socket>).setNoDelay?.(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    (this.transport as Partial<net.Socket>).setKeepAlive?.(enable, initialDelay);
    return this;
  }

  override _read(): void {
    this.driver.resumeReading();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.connection.isClosed) return callback(new Error('write after the TLS connection was closed'));
    // Node's TLSSocket also accepts writes during the handshake and sends them once secure.
    if (!this.secured) {
      this.pendingWrite = { data: chunk, callback };
      return;
    }
    this.sendApplicationData([chunk], callback);
  }

  /**
   * The writes buffered while an earlier one waited for 'drain', all at once: their records leave in one
   * transport write (one record per write and 'drain' made a system call and an event-loop turn per record).
   */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    if (this.connection.isClosed || !this.secured) return this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
    this.sendApplicationData(chunks.map((c) => c.chunk), callback);
  }

  /** end(): close_notify (RFC 8446 §6.1), then the transport's end. */
  override _final(callback: (error?: Error | null) => void): void {
    // Before the handshake completed, close_notify would precede our Finished (in plaintext, before our keys):
    // it waits for onSecure, as a write does. A failed handshake destroys us, and this end with it.
    if (!this.secured) {
      this.pendingFinal = () => this._final(callback);
      return;
    }
    this.driver.step((c) => c.close());
    if (this.transport.writable) this.transport.end(() => callback());
    else callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.handshakeTimer);
    this.driver.detach();
    // Nothing is read or sealed for this socket again: the engine's keys are wiped now, not left to the garbage
    // collector (a close both ways or a failure did it already; what it sealed before stays for the output below).
    this.connection.abandon();
    this.transport.off('error', this.onTransportError);
    this.transport.off('close', this.onTransportClose);
    this.transport.off('timeout', this.onTransportTimeout);
    // Errors of the transport after we stopped listening must not crash the process.
    this.transport.on('error', () => {});
    const pending = this.pendingWrite;
    this.pendingWrite = undefined;
    pending?.callback(error ?? new Error('TLS socket destroyed'));
    // Records already written but held by the tick's cork go first, as they would have without it.
    if (this.transportCorked) this.uncorkTransport();
    // A fatal alert (sent already, or still to send) has to reach the peer: end gracefully, drain what
    // comes back (closing with unread input would answer with a reset, which can destroy the alert), and
    // drop the transport a moment later if the peer does not close its side. Otherwise close at once, as
    // node's TLSSocket does.
    const output = this.connection.takeOutput();
    if ((output.length === 0 && this.lastAlertSent === undefined) || !this.transport.writable) this.transport.destroy();
    else if (!this.transport.destroyed) {
      this.transport.resume();
      this.transport.end(output);
      setTimeout(() => this.transport.destroy(), 1000).unref();
    }
    callback(error);
  }

  /**
   * Application data becomes records at once, but the transport is corked until the end of this tick (as
   * node's http corks a response): the records of every write in the tick, and the close_notify of an
   * end(), leave in one transport write (end() uncorks at once). The transport's buffer, corked or not,
   * still counts them: past its highWaterMark, the callback waits for its 'drain'.
   */
  private sendApplicationData(data: Uint8Array[], callback: (error?: Error | null) => void): void {
    if (!this.transportCorked) {
      this.transportCorked = true;
      this.transport.cork();
      process.nextTick(this.uncorkTransport);
    }
    let flowing = true;
    for (const chunk of data) flowing = this.driver.write(chunk);
    if (flowing) callback();
    else this.transport.once('drain', () => callback());
  }

  private apply(event: TlsEvent): void {
    switch (event.type) {
      case 'secret':
        // The key-log line is text built from the secret: only for a listener who asked for it.
        if (event.keylog && this.listenerCount('keylog') > 0) this.emit('keylog', Buffer.from(`${event.keylog} ${hex(event.clientRandom)} ${hex(event.secret)}\n`));
        return;
      case 'connected':
        this.onSecure();
        return;
      case 'session-ticket':
        this.emit('session', event.ticket);
        return;
      case 'data':
        if (event.early) {
          this.earlyBytes += event.data.length;
          // A copy (not from Buffer's shared pool): an 'earlyData' listener owns its chunk, the readable side its data.
          const chunk = event.data.slice();
          this.emit('earlyData', Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        }
        // Before 'secure' the data is 0-RTT, bounded by max_early_data_size (RFC 8446 §4.2.10), and the client's
        // EndOfEarlyData and Finished are still to come: pausing now would stall the handshake (onSecure pauses).
        if (!this.push(Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength)) && this.secured) this.transport.pause();
        return;
      case 'decision-needed':
        this.onDecisionNeeded(event.decision);
        return;
      case 'post-handshake-auth':
        // The answer's Finished checked out: `info.peer` is who the client proved now (or still, if it
        // refused). A server judges client certificates only by its trust policy (no authorizationError).
        this.authorized = this.peer !== undefined;
        this.emit('postHandshakeAuth', event.info, event.answer, event.replaced);
        return;
      case 'alert':
        if (event.direction === 'out' && event.level === 'fatal') this.lastAlertSent = event;
        return;
      case 'closed':
        this.onClosed(event);
        return;
      default:
        return;
    }
  }

  private onSecure(): void {
    this.secured = true;
    // A resumed server was judged before its ticket was offered; a declined ticket's full handshake, by verifyAsNode.
    if (this.session && this.connection.info.resumed) this.authorizationError = this.session.authorizationError;
    this.authorized = this.authorizationError === undefined && this.connection.info.peer !== undefined;
    // As node:tls: a server whose client sent no SNI reports false.
    this.servername ??= this.connection.info.serverName ?? false;
    // Cleared and dropped: a connection kept open for hours need not keep its spent timer (and what it captured).
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    // Unread 0-RTT data over the readable's mark: read no more until the application reads (a 'data' listener resumes).
    if (this.readableLength >= this.readableHighWaterMark) this.transport.pause();
    this.emit(this.connection.role === 'client' ? 'secureConnect' : 'secure');
    const pending = this.pendingWrite;
    this.pendingWrite = undefined;
    if (pending) this.sendApplicationData([pending.data], pending.callback);
    const final = this.pendingFinal;
    this.pendingFinal = undefined;
    final?.();
  }

  /**
   * Without a listener nobody can answer, and a pause would only end in the handshake timeout: an
   * unverifiable peer is rejected (bad_certificate), a certificate request gets no certificate.
   */
  private onDecisionNeeded(decision: PendingDecision): void {
    if (this.verification && decision.kind === 'verify-peer') return this.verifyAsNode(this.verification, decision.chain);
    if (this.listenerCount('decision-needed') > 0) this.emit('decision-needed', decision);
    else if (decision.kind === 'verify-peer') this.resolve({ kind: 'verify-peer', verdict: { trusted: false, detail: "no 'decision-needed' listener" } });
    else this.resolve({ kind: 'client-certificate' });
  }

  /**
   * node:tls's rejectUnauthorized and checkServerIdentity (tls-options.ts judgeServer). The caller's code runs in
   * the judgement (checkServerIdentity, the clock, the provider) from the transport's 'data' handler: what it
   * throws refuses the server with internal_error, as the engine fails a step whose callback threw, and never
   * escapes into the event loop; it may not answer the decision itself (resolve() throws while judging).
   */
  private verifyAsNode(verification: NodeVerification, chain: Uint8Array[]): void {
    let judged: ReturnType<typeof judgeServer>;
    this.judgingServer = true;
    try {
      judged = judgeServer(verification, chain);
    } catch (thrown) {
      const { reason, detail } = asTlsError(thrown);
      judged = { verdict: { trusted: false, reason, detail: `judging the server threw: ${detail}` } };
    } finally {
      this.judgingServer = false;
    }
    this.authorizationError = judged.authorizationError;
    this.resolve({ kind: 'verify-peer', verdict: judged.verdict });
  }

  private onClosed(event: Extract<TlsEvent, { type: 'closed' }>): void {
    if (event.by === 'us' && !event.error) return; // our close_notify, from _final
    if (event.error) {
      const error =
        event.by === 'peer'
          ? new TlsAlertError(event.error.replace(/^peer sent /, ''), 'received')
          : new TlsAlertError(this.lastAlertSent?.description ?? 'internal_error', 'sent', this.lastAlertSent?.reason, event.error);
      this.destroy(error);
      return;
    }
    // The peer's close_notify: its side is finished, ours stays open until end() (RFC 8446 §6.1).
    if (!this.secured) this.destroy(handshakeAborted(this.connection.state));
    else this.endReadable();
  }

  /** The transport ended; without close_notify first, that is a truncation the application can see. */
  private onPeerEof(closeNotify: boolean): void {
    if (closeNotify || this.connection.isClosed) return;
    if (!this.secured) return void this.destroy(handshakeAborted(this.connection.state));
    this.truncated = true;
    this.endReadable();
  }

  private endReadable(): void {
    if (this.peerFinished) return;
    this.peerFinished = true;
    this.push(null);
    // As node's sockets do after EOF: a Readable emits 'end' only from a read, so one nobody reads (no 'data'
    // listener) would otherwise never end, nor close, even with nothing left unread.
    this.read(0);
    // Nothing the peer sends now matters, but the transport must keep flowing to see its end.
    this.transport.resume();
  }
}
