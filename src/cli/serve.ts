// `tls13 serve`: a TLS 1.3 server over TCP that answers each HTTP request with a small page saying what
// was negotiated and who the client proved to be. Serves clients concurrently; a client that fails its
// handshake costs one line on stderr and nothing else.
import type { AddressInfo } from 'node:net';
import type { TlsEvent } from '../handshake/events.js';
import type { ServerFlightShape } from '../handshake/server/flight-shape.js';
import { createServer, DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_TICKET_COUNT, type ServerOptions, type Tls13Socket } from '../node/adapter.js';
import { parseTraceSpec, type TraceSink } from '../trace/sink.js';
import { describeNegotiated } from '../trace/text.js';
import { alpnProtocols, choice, cipherSuites, cryptoProvider, flag, integer, list, namedGroups, seconds, str, type Command, type Parsed } from './args.js';
import { numberedTraceFile } from './connect.js';
import { describeCertificateTypes } from './connect-summary.js';
import { loadCertifiedKey, trustFromFlags } from './credentials.js';
import { describePeer, openTraceSink } from './demo.js';
import { describeFailure } from './failure.js';
import { checkWritable, loadKey, openKeylog, UsageError, type Io } from './io.js';
import { requestClientCertificate, route, type RouteContext } from './serve-routes.js';
import { externalPsksFromFlags, PSK_OPTIONS } from './psk-flags.js';
import { certificateCompressionFromFlags, COMPRESSION_OPTIONS } from './compression-flags.js';
import { ML_DSA_OPTIONS, signatureSchemesFromFlags } from './ml-dsa-flags.js';
import { loadOcspResponse } from './ocsp.js';

/** Requests larger than this (headers) are refused: the page needs nothing from them. */
const MAX_REQUEST_BYTES = 16 * 1024;
/** A connected client that sends no complete request head in this time, or then falls silent for it, is dropped. */
const IDLE_TIMEOUT_MS = 30_000;
/**
 * After the reply (and our close_notify), how long a client may take to close its side. It has nothing
 * left to send but its close_notify; records it sends instead restart the idle timer, so without a
 * deadline of its own a client holds the connection (a descriptor and its buffers) as long as it likes.
 */
export const AFTER_REPLY_MS = 5_000;
/** The longest --handshake-timeout: a day. */
const MAX_HANDSHAKE_TIMEOUT_MS = 86_400_000;
/** max_early_data_size with a bare --early-data. */
const DEFAULT_MAX_EARLY_DATA = 16384;

/** The page: the negotiated parameters and the client's identity, as plain text. */
export function statusPage(socket: Tls13Socket): string {
  const info = socket.info;
  const peer = info.peer;
  return [
    'tls13-lab: TLS 1.3 connection established',
    '',
    `version: ${info.version ?? '?'}`,
    `cipher suite: ${info.cipherSuite ?? '?'}`,
    `group: ${info.group ?? '?'}`,
    `signature scheme: ${info.signatureScheme ?? '?'}`,
    `certificate type: ${describeCertificateTypes(info)}`,
    `ALPN: ${info.alpn ?? 'none'}`,
    `server name (SNI): ${info.serverName ?? 'none'}`,
    `client: ${peer ? describePeer(peer) : 'none'}`,
    ...(peer ? [`client trusted by ${peer.verdict.rule}: ${peer.verdict.detail}`] : []),
    `resumed: ${info.resumed ? 'yes' : 'no'}`,
    `early data: ${earlyDataSummary(socket)}`,
    '',
  ].join('\n');
}

function earlyDataSummary(socket: Tls13Socket): string {
  const outcome = socket.info.earlyData;
  return outcome === 'accepted' ? `accepted, ${socket.earlyDataLength} bytes` : (outcome ?? 'none');
}

/**
 * The reply: fixed headers, nothing of the request in them. The page quotes the client's names (a SAN URI may
 * hold markup): plain text, and nosniff so that no browser takes it for HTML.
 */
function respond(socket: Tls13Socket, status: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  const headers = ['Content-Type: text/plain; charset=utf-8', 'X-Content-Type-Options: nosniff', `Content-Length: ${bytes.length}`, 'Connection: close'];
  socket.end(`HTTP/1.1 ${status}\r\n${headers.join('\r\n')}\r\n\r\n${body}`);
  const deadline = setTimeout(() => socket.destroy(), AFTER_REPLY_MS);
  socket.once('close', () => clearTimeout(deadline));
}

/**
 * Waits for the end of the request head (a blank line) and for `ready`, then answers once (by path, see
 * serve-routes.ts) and closes.
 */
function serveHttp(socket: Tls13Socket, ready: Promise<unknown>, context: RouteContext): void {
  let request = '';
  let headComplete = false;
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  // The idle timer restarts with every byte: a head trickled in a byte at a time needs a deadline of its own.
  const headDeadline = setTimeout(() => socket.destroy(), IDLE_TIMEOUT_MS);
  socket.once('close', () => clearTimeout(headDeadline));
  socket.on('data', (chunk: Buffer) => {
    // One request head per connection: what follows it is neither buffered nor routed a second time.
    if (headComplete || socket.writableEnded) return;
    request += chunk.toString('latin1');
    if (/\r?\n\r?\n/.test(request)) {
      headComplete = true;
      clearTimeout(headDeadline);
      void ready
        .then(() => route(socket, request, context))
        .then((reply) => !socket.writableEnded && respond(socket, reply.status, reply.body))
        .catch(() => socket.destroy()); // the connection closed while the route waited
    } else if (request.length > MAX_REQUEST_BYTES) respond(socket, '431 Request Header Fields Too Large', 'request head too large\n');
  });
  // The client finished sending before a whole request head: nothing to answer.
  socket.on('end', () => !headComplete && socket.end());
  socket.on('error', () => socket.destroy());
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'a TLS 1.3 server that answers HTTP requests with what was negotiated',
  usage: [`tls13 serve --port P (--cert FILE --key FILE | --rpk-key FILE | --psk HEX --psk-identity ID) [options]`],
  description: `Serves TLS 1.3 on HOST:PORT, many clients at once. Each HTTP request gets a "200 OK" text page naming the negotiated version, cipher suite, group, signature scheme, ALPN and the client's identity (or "none"). A failed handshake is logged as one line on stderr (peer address and alert) and the server keeps serving. Prints "listening on HOST:PORT" once ready.

Paths, for conformance suites (any other path gets the page): GET /keyupdate sends a KeyUpdate with update_requested before the reply; GET /secret sends a post-handshake CertificateRequest first (the client must have offered post_handshake_auth; judged by the client trust flags), then the page, or 403 saying why no certificate was asked for.`,
  options: {
    port: { type: 'string', value: 'P', help: `TCP port (0: any free port)` },
    host: { type: 'string', value: 'ADDRESS', help: `address to listen on (default 127.0.0.1)` },
    cert: { type: 'string', value: 'FILE', help: `our certificate chain, leaf first (PEM or DER)` },
    key: { type: 'string', value: 'FILE', help: `its private key (PKCS#8, SEC1 or PKCS#1; PEM or DER)` },
    'rpk-key': { type: 'string', value: 'FILE', help: `a private key whose public key we serve as an RFC 7250 raw public key to clients that ask for one (with --cert/--key too: X.509 to the others)` },
    'client-auth': { type: 'string', value: 'MODE', help: `none, optional or require (default: require when a client trust flag is given, else none)` },
    'client-ca': { type: 'string', value: 'FILE', multiple: true, help: `accept client certificates chaining to these CAs` },
    'pin-client-cert': { type: 'string', value: 'FILE', multiple: true, help: `accept exactly this client certificate` },
    'pin-client-spki': { type: 'string', value: 'HASH|FILE', multiple: true, help: `accept a client with this key, in a certificate or as an RFC 7250 raw public key: sha256/BASE64 or hex, or a file holding a PUBLIC KEY, a certificate or a private key. Raw client keys are then accepted too; only they, when the server has no --cert and no other client trust flag` },
    alpn: { type: 'string', value: 'LIST', multiple: true, help: `ALPN protocols we accept, comma-separated, in order of preference` },
    keylog: { type: 'string', value: 'FILE', help: `append NSS key-log lines (also: SSLKEYLOGFILE)` },
    trace: { type: 'string', value: 'FORMAT[=FILE]', help: `text (annotated hex dumps) or json (JSON lines, v1): every connection's events, to stdout or FILE, interleaved when clients overlap; html=FILE: one page per connection, FILE-1.html, FILE-2.html, ... in the order connections are accepted, written when each one closes` },
    'no-secrets': { type: 'boolean', help: `with --trace: do not show secret values` },
    crypto: { type: 'string', value: 'node|noble', help: `the crypto provider: node:crypto (default, faster) or the pure-JavaScript @noble packages` },
    groups: { type: 'string', value: 'LIST', help: `key-exchange groups we accept, in order of preference, comma-separated (default: every group implemented but ffdhe4096, ffdhe6144 and ffdhe8192, whose cost any client could make us pay, X25519MLKEM768 first; e.g. secp256r1 alone makes a client that sent only an x25519 key share go through a HelloRetryRequest)` },
    ciphersuites: { type: 'string', value: 'LIST', help: `TLS 1.3 cipher suites we accept, in order of preference, as openssl's -ciphersuites takes them (TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256); the CCM suites, off by default, only this way` },
    tickets: { type: 'string', value: 'N', help: `NewSessionTickets after each handshake, for resumption (default ${DEFAULT_TICKET_COUNT}; 0: none), to clients whose psk_key_exchange_modes let them resume` },
    'early-data': { type: 'boolean', help: `accept 0-RTT data (up to ${DEFAULT_MAX_EARLY_DATA} bytes; each ticket once)` },
    'max-early-data': { type: 'string', value: 'BYTES', help: `accept 0-RTT data up to BYTES per connection (implies --early-data)` },
    'one-message-per-record': { type: 'boolean', help: `put each handshake message and each NewSessionTicket in a record of its own, as OpenSSL does (default: a flight's messages share records)` },
    'no-sni-ack': { type: 'boolean', help: `do not acknowledge the client's server_name in EncryptedExtensions (RFC 6066 §3 makes it optional; BoringSSL and OpenSSL's s_server leave it out)` },
    'request-post-handshake-auth': { type: 'boolean', help: `ask each client that offers it for a certificate after the handshake (RFC 8446 §4.6.2), judged by the client trust flags; the page waits for the answer` },
    'handshake-timeout': { type: 'string', value: 'SECONDS', help: `close a client whose handshake is not done after SECONDS, and log it (default ${DEFAULT_HANDSHAKE_TIMEOUT_MS / 1000}; to the millisecond, e.g. 2.5; at most ${MAX_HANDSHAKE_TIMEOUT_MS / 1000})` },
    ...PSK_OPTIONS,
    ...COMPRESSION_OPTIONS,
    ...ML_DSA_OPTIONS,
    ocsp: { type: 'string', value: 'FILE', help: `an OCSP response for our certificate (DER, e.g. from openssl ocsp -respout), stapled to it for clients that send status_request (RFC 8446 §4.4.2.1; as openssl s_server -status_file); sent as it is, so refresh the file before its nextUpdate` },
  },

  async run(args, io) {
    const postHandshakeAuth = flag(args, 'request-post-handshake-auth');
    const port = integer(args, 'port', 0, 65535);
    if (port === undefined) throw new UsageError('serve: --port is required');
    const host = str(args, 'host') ?? '127.0.0.1';
    const certFile = str(args, 'cert');
    const keyFile = str(args, 'key');
    const rpkFile = str(args, 'rpk-key');
    if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('serve: --cert and --key go together');
    const externalPsks = externalPsksFromFlags(args);
    if (certFile === undefined && rpkFile === undefined && !externalPsks) throw new UsageError('serve: --cert and --key (or --rpk-key, or --psk and --psk-identity) are required');
    const clientCa = list(args, 'client-ca');
    const pinClientCert = list(args, 'pin-client-cert');
    const pinClientSpki = list(args, 'pin-client-spki');
    const trust = trustFromFlags({
      ca: ['--client-ca', clientCa],
      pinCert: ['--pin-client-cert', pinClientCert],
      pinSpki: ['--pin-client-spki', pinClientSpki],
    });
    const clientAuth = choice(args, 'client-auth', ['none', 'optional', 'require'], trust ? 'require' : 'none');
    if (postHandshakeAuth && !trust) {
      throw new UsageError('--request-post-handshake-auth: needs --client-ca, --pin-client-cert or --pin-client-spki to judge client certificates');
    }
    if (clientAuth !== 'none' && !trust) {
      throw new UsageError(`--client-auth ${clientAuth}: needs --client-ca, --pin-client-cert or --pin-client-spki to judge client certificates`);
    }
    // allowHalfOpen: a client that sends its request and then close_notify still gets the page (RFC 8446 §6.1).
    // noDelay: each flight and reply leaves at once, as from node's http server (Nagle would hold a reply
    // behind the ACK of the tickets sent just before it).
    const options: ServerOptions = { clientAuth, provider: cryptoProvider(args, 'node'), allowHalfOpen: true, noDelay: true };
    const handshakeTimeout = seconds(args, 'handshake-timeout', 1, MAX_HANDSHAKE_TIMEOUT_MS);
    if (handshakeTimeout !== undefined) options.handshakeTimeout = handshakeTimeout;
    // An empty file name is a file that cannot be read (a usage error), not an absent flag.
    if (certFile !== undefined && keyFile !== undefined) options.certificate = loadCertifiedKey('--cert', certFile, '--key', keyFile);
    if (rpkFile !== undefined) options.rawPublicKey = { privateKey: loadKey('--rpk-key', rpkFile) };
    const ocspFile = str(args, 'ocsp');
    if (ocspFile !== undefined) options.ocspResponse = loadOcspResponse(ocspFile, options.certificate);
    if (trust) options.trust = trust;
    if (externalPsks) options.externalPsks = externalPsks;
    const compression = certificateCompressionFromFlags(args);
    if (compression) options.certificateCompression = compression;
    const signatureSchemes = signatureSchemesFromFlags(args);
    if (signatureSchemes) options.signatureSchemes = signatureSchemes;
    // A pinned client key may come raw (RFC 7250) or in a certificate. The client's preference picks
    // (RFC 7250 §4.2), and GnuTLS lists X.509 first even without a certificate: so a server that deals
    // only in raw keys (no --cert, no X.509 client trust flag) takes raw client keys only.
    if (pinClientSpki.length > 0) {
      const x509 = options.certificate !== undefined || clientCa.length > 0 || pinClientCert.length > 0;
      options.clientCertificateTypes = x509 ? ['raw-public-key', 'x509'] : ['raw-public-key'];
    }
    const alpn = alpnProtocols(args);
    if (alpn.length > 0) options.alpnProtocols = alpn;
    const groups = namedGroups(args, 'groups');
    if (groups) options.groups = groups;
    const suites = cipherSuites(args, 'ciphersuites');
    if (suites) options.cipherSuites = suites;
    const maxEarlyData = integer(args, 'max-early-data', 0, 2 ** 32 - 1) ?? (flag(args, 'early-data') ? DEFAULT_MAX_EARLY_DATA : undefined);
    options.tickets = { count: integer(args, 'tickets', 0, 16) ?? DEFAULT_TICKET_COUNT, ...(maxEarlyData === undefined ? {} : { maxEarlyDataSize: maxEarlyData }) };
    const serverFlight = flightShape(args);
    if (serverFlight) options.serverFlight = serverFlight;
    const trace = serverTrace(args, io);
    if (trace) options.trace = true;
    if (trace?.format === 'html') options.traceRecords = true;
    return listen(options, host, port, openKeylog(str(args, 'keylog'), io), io, postHandshakeAuth, trace);
  },
};

/** The flight-shape flags (docs/replay.md); undefined when none is given. */
function flightShape(args: Parsed): ServerFlightShape | undefined {
  const shape: ServerFlightShape = {};
  if (flag(args, 'one-message-per-record')) Object.assign(shape, { handshakeRecords: 'one-per-record', ticketRecords: 'one-per-record' });
  if (flag(args, 'no-sni-ack')) shape.serverNameAck = false;
  return Object.keys(shape).length > 0 ? shape : undefined;
}

interface ServerTrace {
  format: string;
  /** The sink for the Nth accepted connection (from 1), or undefined when its page cannot be opened (said on stderr). */
  sinkFor(connection: number): TraceSink | undefined;
}

/**
 * A trace that cannot be written while serving (a page's name planted by whoever may write its directory or
 * taken by a directory, a file swapped in, a full disk) ends with one line on stderr. Thrown out of a
 * socket's event handler it was an uncaught exception: the end of `tls13 serve` for every client.
 */
function reportingFailures(sink: TraceSink, io: Io, consequence: string): TraceSink {
  let failed = false;
  const guard = (write: () => void) => {
    if (failed) return;
    try {
      write();
    } catch (e) {
      failed = true;
      io.stderr.write(`tls13: ${(e as Error).message}; ${consequence}\n`);
    }
  };
  return { spec: sink.spec, event: (side, event) => guard(() => sink.event(side, event)), end: () => guard(() => sink.end()) };
}

/**
 * `--trace`: text and JSON lines go to one stream for all connections; an HTML page shows one connection,
 * so each gets its own file.
 */
function serverTrace(args: Parsed, io: Io): ServerTrace | undefined {
  const text = str(args, 'trace');
  if (text === undefined || text === 'none') return undefined;
  const options = { secrets: !flag(args, 'no-secrets'), title: 'tls13 serve' };
  let spec;
  try {
    spec = parseTraceSpec(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (spec.format !== 'html') {
    const shared = reportingFailures(openTraceSink(text, io, options), io, 'no more trace lines');
    return { format: spec.format, sinkFor: () => shared };
  }
  if (spec.file === undefined) throw new UsageError('--trace html: serve writes one page per connection, so it needs a file: --trace html=FILE (pages FILE-1, FILE-2, ...)');
  checkWritable('--trace', parseTraceSpec(numberedTraceFile(text, 1)).file!);
  const noPage = 'no page for this connection';
  const sinkFor = (connection: number) => {
    try {
      return reportingFailures(openTraceSink(numberedTraceFile(text, connection), io, options), io, noPage);
    } catch (e) {
      io.stderr.write(`tls13: ${(e as Error).message}; ${noPage}\n`);
      return undefined;
    }
  };
  return { format: 'html', sinkFor };
}

/** Runs the server until the io signal (or SIGINT/SIGTERM) stops it; resolves with the exit code. */
function listen(
  options: ServerOptions,
  host: string,
  port: number,
  appendKeylog: ((line: string) => void) | undefined,
  io: Io,
  postHandshakeAuth: boolean,
  trace: ServerTrace | undefined,
): Promise<number> {
  const server = createServer(options, (socket) => {
    const info = socket.info;
    const resumed = info.resumed ? '; resumed' : '';
    const early = info.earlyData ? `; early data ${earlyDataSummary(socket)}` : '';
    const raw = info.serverCertificateType === 'raw-public-key' || info.clientCertificateType === 'raw-public-key' ? `; ${describeCertificateTypes(info)}` : '';
    io.stdout.write(`${socket.remoteAddress}:${socket.remotePort}: ${describeNegotiated(info)}; client ${describePeer(info.peer)}${raw}${resumed}${early}\n`);
    const context: RouteContext = { io, page: () => statusPage(socket), judgesClients: options.trust !== undefined };
    serveHttp(socket, postHandshakeAuth ? requestClientCertificate(socket, io) : Promise.resolve(), context);
  });
  if (trace) {
    let accepted = 0;
    server.on('tlsSocket', (socket: Tls13Socket) => {
      const sink = trace.sinkFor(++accepted);
      if (!sink) return;
      socket.on('tlsEvent', (event: TlsEvent) => sink.event('server', event));
      socket.once('close', () => sink.end());
    });
  }
  server.on('tlsClientError', (error: Error, socket: Tls13Socket) => {
    io.stderr.write(`${socket.remoteAddress}:${socket.remotePort}: handshake failed: ${describeFailure(error, 'client')}\n`);
  });
  if (appendKeylog) server.on('keylog', (line: Buffer) => appendKeylog(line.toString('latin1').trimEnd()));
  return new Promise((resolve) => {
    const stop = () => server.close();
    const signals = io.signal ? [] : (['SIGINT', 'SIGTERM'] as const);
    for (const s of signals) process.once(s, stop);
    io.signal?.addEventListener('abort', stop);
    server.on('error', (error: Error) => {
      io.stderr.write(`tls13: cannot listen on ${host}:${port}: ${error.message}\n`);
      resolve(1);
    });
    server.on('close', () => {
      for (const s of signals) process.off(s, stop);
      io.signal?.removeEventListener('abort', stop);
      resolve(0);
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      io.stdout.write(`listening on ${shown}:${address.port}\n`);
    });
  });
}
