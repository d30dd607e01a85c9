// `tls13 connect HOST:PORT`: a TLS 1.3 client over TCP. Shows what was negotiated and who the server is,
// sends a request, prints the reply until the server closes.
import { parseReferenceIdentity } from '../auth/hostname.js';
import { connect as netConnect, isIP } from 'node:net';
import type { TrustPolicy } from '../auth/trust.js';
import { connect, type ConnectOptions, type Tls13Socket } from '../node/adapter.js';
import { nodeRootCertificates } from '../node/tls-options.js';
import type { CryptoProvider } from '../crypto/provider.js';
import type { SessionTicket, TlsEvent } from '../handshake/events.js';
import { MAX_EXPORTER_LABEL_BYTES } from '../handshake/keyschedule.js';
import { fromHex, hex } from '../wire/bytes.js';
import { parseTraceSpec, type TraceSink } from '../trace/sink.js';
import { acceptUnverified } from './insecure.js';
import { describeConnection } from './connect-summary.js';
import { requestSource, sendRequest, type RequestSource } from './request-input.js';
import { readSessionFile, writeSessionFile } from './session-file.js';
import { describeChain } from './show-certs.js';
import { alpnProtocols, cipherSuites, cryptoProvider, flag, integer, list, namedGroups, str, type Command } from './args.js';
import { loadCertifiedKey, trustFromFlags } from './credentials.js';
import { openTraceSink } from './demo.js';
import { connectFailure, describeFailure, notTls } from './failure.js';
import { checkWritable, loadKey, openKeylog, UsageError, type Io } from './io.js';
import { externalPsksFromFlags, PSK_OPTIONS } from './psk-flags.js';
import { certificateCompressionFromFlags, COMPRESSION_OPTIONS } from './compression-flags.js';
import { ML_DSA_OPTIONS, signatureSchemesFromFlags } from './ml-dsa-flags.js';
import { describeStaple } from './ocsp.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/** HOST:PORT, with IPv6 literals in brackets ([::1]:443). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new UsageError(`connect: ${text}: expected HOST:PORT (e.g. example.com:443 or [::1]:8443)`);
  return { host: m[1]!, port };
}

/** `\r`, `\n`, `\t` and `\\` in --send text, so a request can be typed on one line. */
export function unescape(text: string): string {
  return text.replace(/\\([rnt\\])/g, (_, c: string) => ({ r: '\r', n: '\n', t: '\t', '\\': '\\' })[c]!);
}

/**
 * `--export LABEL:LEN`: an exporter label (which may itself contain colons) and a length in bytes, judged
 * before connecting: "tls13 " + LABEL fits HkdfLabel's 255 bytes (RFC 8446 §7.1), and LEN what HKDF-Expand
 * gives under any suite's hash, 255 * 32 (RFC 5869 §2.3).
 */
export function parseExport(text: string): { label: string; length: number } {
  const colon = text.lastIndexOf(':');
  const length = Number(text.slice(colon + 1));
  if (colon <= 0 || !/^\d+$/.test(text.slice(colon + 1)) || length < 1 || length > MAX_EXPORT_LENGTH) {
    throw new UsageError(`--export ${text}: expected LABEL:LEN with LEN from 1 to ${MAX_EXPORT_LENGTH} (e.g. EXPORTER-my-app:32)`);
  }
  const label = text.slice(0, colon);
  if (Buffer.byteLength(label) > MAX_EXPORTER_LABEL_BYTES) {
    throw new UsageError(`--export: expected a LABEL of at most ${MAX_EXPORTER_LABEL_BYTES} bytes, not ${Buffer.byteLength(label)}`);
  }
  return { label, length };
}

/** The longest exporter value every TLS 1.3 suite gives: 255 * HashLen of SHA-256 (RFC 5869 §2.3). */
const MAX_EXPORT_LENGTH = 255 * 32;

function parseHexFlag(name: string, text: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new UsageError(`--${name} ${text}: expected hex digits, two per byte`);
  return fromHex(text);
}

export const connectCommand: Command = {
  name: 'connect',
  summary: 'connect to a TLS 1.3 server, show what was negotiated and who it is',
  usage: [`tls13 connect HOST:PORT [options]`],
  description: `Connects, prints the negotiated version, cipher suite, group, signature scheme and ALPN, and who the server is (subject, SANs, key pin, and which trust rule accepted it). Then sends the request (--send TEXT, or standard input as openssl s_client does) and prints the reply until the server closes. Exit 0 on success, 1 when the handshake or the connection fails, 2 on bad usage.`,
  options: {
    servername: { type: 'string', value: 'NAME', help: `the name the certificate must match, a DNS name or an IP address (default: HOST); a DNS name is also sent as SNI, an IP address is not (RFC 6066 §3)` },
    ca: { type: 'string', value: 'FILE', multiple: true, help: `trust certificates chaining to these CA certificates (PEM/DER)` },
    'pin-cert': { type: 'string', value: 'FILE', multiple: true, help: `trust exactly this certificate (self-signed is fine)` },
    'pin-spki': { type: 'string', value: 'HASH|FILE', multiple: true, help: `trust this key, in a certificate or as an RFC 7250 raw public key: sha256/BASE64 or hex, or a file holding a PUBLIC KEY, a certificate or a private key. Asks the server for its raw public key first, X.509 second. Several trust flags: any of them may accept; none: Node's bundled root CAs` },
    insecure: { type: 'boolean', help: `connect to any server: accept its certificate unverified, print its chain, and say NOT verified wherever the server is named (the pin it prints is what --pin-spki takes). The trust flags are only reported: would they accept it?` },
    'show-certs': { type: 'boolean', help: `print the server's certificate chain (subject, issuer, validity, SANs, key, SHA-256 fingerprint, SPKI pin), also when it is refused` },
    alpn: { type: 'string', value: 'LIST', multiple: true, help: `offer these ALPN protocols, comma-separated, in order of preference` },
    send: { type: 'string', value: 'TEXT', help: `what to send once connected; \\r \\n \\t are unescaped. Without it, standard input is sent as it comes, and its end half-closes (close_notify); on a terminal, each line typed. Empty piped input: GET / HTTP/1.0 with a Host header` },
    crlf: { type: 'boolean', help: `with standard input: send each line end as CR LF (as s_client -crlf)` },
    cert: { type: 'string', value: 'FILE', help: `our certificate chain, if the server asks for one ...` },
    key: { type: 'string', value: 'FILE', help: `... and its private key (PKCS#8, SEC1 or PKCS#1; PEM or DER)` },
    'rpk-key': { type: 'string', value: 'FILE', help: `a private key whose public key we offer as an RFC 7250 raw public key, if the server asks for client authentication and accepts raw keys (before --cert)` },
    keylog: { type: 'string', value: 'FILE', help: `append NSS key-log lines (also: SSLKEYLOGFILE)` },
    trace: { type: 'string', value: 'FORMAT[=FILE]', help: `text: narrate the handshake with annotated hex dumps; json: JSON lines (v1); html: a self-contained page per connection. To FILE (with --resume, the second connection goes to FILE-2, e.g. out-2.html), or to stdout, where json and html replace the summary and the reply (the summary goes to stderr)` },
    'no-secrets': { type: 'boolean', help: `with --trace: do not show secret values` },
    crypto: { type: 'string', value: 'node|noble', help: `the crypto provider: node:crypto (default, faster) or the pure-JavaScript @noble packages` },
    timeout: { type: 'string', value: 'MS', help: `give up on the handshake, and stop waiting for the reply, after MS (default ${DEFAULT_TIMEOUT_MS})` },
    groups: { type: 'string', value: 'LIST', help: `key-exchange groups to offer, in order, comma-separated (default X25519MLKEM768,x25519,secp256r1,secp384r1; OpenSSL's X25519:P-256 spelling works too)` },
    'key-share-groups': { type: 'string', value: 'LIST', help: `groups that get a key share in the first ClientHello (default: the first of --groups, and after a post-quantum one the first classical one too); a server that wants another one answers with a HelloRetryRequest` },
    ciphersuites: { type: 'string', value: 'LIST', help: `TLS 1.3 cipher suites to offer, in order, as openssl's -ciphersuites takes them (TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256); the CCM suites, off by default, only this way` },
    resume: { type: 'boolean', help: `connect twice: the second connection resumes the session with the newest ticket from the first (RFC 8446 §2.2) and prints "resumed: yes" or "resumed: no"` },
    'early-data': { type: 'string', value: 'TEXT', help: `with --resume (or --sess-in): send TEXT (\\r \\n \\t unescaped) as 0-RTT data on the second connection (with --sess-in: on this one) and print whether the server accepted it; if not, it is sent again after the handshake. On that connection TEXT replaces the request unless --send is given` },
    'sess-out': { type: 'string', value: 'FILE', help: `save the newest session ticket, and what resuming it needs, to FILE (mode 0600: it holds the session's key)` },
    'sess-in': { type: 'string', value: 'FILE', help: `resume the session saved in FILE (by --sess-out, for the same server name; a file another user owns or may write is refused); --early-data then sends 0-RTT data on this connection` },
    'key-update': { type: 'boolean', help: `after the handshake send KeyUpdate asking the server to update too, then the request` },
    export: { type: 'string', value: 'LABEL:LEN', help: `print the TLS exporter value (RFC 8446 §7.5) for LABEL, LEN bytes, in hex` },
    'export-context': { type: 'string', value: 'HEX', help: `the exporter's context (default: empty)` },
    ...PSK_OPTIONS,
    ...COMPRESSION_OPTIONS,
    ...ML_DSA_OPTIONS,
    status: { type: 'boolean', help: `ask the server to staple an OCSP response (status_request, RFC 6066 §8; as openssl s_client -status) and print what it says of the certificate. With a CA (--ca, or the default roots) a revoked certificate fails the handshake (certificate_revoked), and so does a staple we cannot believe (bad_certificate_status_response); with pins it is only reported` },
  },

  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const { host, port } = parseHostPort(args.positionals[0]!);
    // The certificate must name what we connect to, an IP address included (RFC 6125 §6, RFC 9525 §6.2).
    const serverName = str(args, 'servername') ?? host;
    // Checked before the socket opens: a name the engine refuses (a TypeError) was an internal error, and
    // the socket it left behind ended the process with an unhandled 'error' event.
    const nameProblem = parseReferenceIdentity(serverName);
    if (typeof nameProblem === 'string') throw new UsageError(`connect: --servername ${nameProblem}`);
    const traceSpec = str(args, 'trace');
    const provider = cryptoProvider(args, 'node');
    const timeout = integer(args, 'timeout', 1, 3_600_000) ?? DEFAULT_TIMEOUT_MS;
    const certFile = str(args, 'cert');
    const keyFile = str(args, 'key');
    if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('connect: --cert and --key go together');
    const pinSpki = list(args, 'pin-spki');
    const configuredTrust =
      trustFromFlags({ ca: ['--ca', list(args, 'ca')], pinCert: ['--pin-cert', list(args, 'pin-cert')], pinSpki: ['--pin-spki', pinSpki] }) ?? nodeRootCertificates();
    // --insecure: the caller (acceptUnverified) is asked, and accepts anything, marked NOT verified.
    const insecure = flag(args, 'insecure');
    const trust: TrustPolicy = insecure ? { kind: 'ask' } : configuredTrust;
    const hostHeader = isIP(serverName) === 6 ? `[${serverName}]` : serverName;
    const sendFlag = str(args, 'send');
    const request = unescape(sendFlag ?? `GET / HTTP/1.0\\r\\nHost: ${hostHeader}\\r\\n\\r\\n`);
    const appendKeylog = openKeylog(str(args, 'keylog'), io);
    const resume = flag(args, 'resume');
    const sessIn = str(args, 'sess-in');
    const sessOut = str(args, 'sess-out');
    if (sessIn !== undefined && resume) throw new UsageError('connect: --sess-in and --resume both choose the session to resume: give one');
    if (sessOut !== undefined) checkWritable('--sess-out', sessOut);
    const savedSession = sessIn === undefined ? undefined : readSessionFile(sessIn, serverName, provider);
    const earlyFlag = str(args, 'early-data');
    if (earlyFlag !== undefined && !resume && !savedSession) {
      throw new UsageError('connect: --early-data needs --resume or --sess-in (0-RTT data rides on a ticket from an earlier connection)');
    }
    const exportFlag = str(args, 'export');
    const contextFlag = str(args, 'export-context');
    if (contextFlag !== undefined && exportFlag === undefined) throw new UsageError('connect: --export-context needs --export');
    const exported = exportFlag === undefined ? undefined : { ...parseExport(exportFlag), context: parseHexFlag('export-context', contextFlag ?? '') };

    const tracing = traceSpec !== undefined && traceSpec !== 'none';
    const options: ConnectOptions = { host, port, trust, handshakeTimeout: timeout, provider, trace: tracing };
    options.serverName = serverName;
    if (flag(args, 'status')) options.statusRequest = true;
    const alpn = alpnProtocols(args);
    if (alpn.length > 0) options.alpnProtocols = alpn;
    // An empty file name is a file that cannot be read (a usage error), not an absent flag.
    if (certFile !== undefined && keyFile !== undefined) options.certificate = loadCertifiedKey('--cert', certFile, '--key', keyFile);
    const rpkFile = str(args, 'rpk-key');
    if (rpkFile !== undefined) {
      options.rawPublicKey = { privateKey: loadKey('--rpk-key', rpkFile) };
      options.clientCertificateTypes = options.certificate ? ['raw-public-key', 'x509'] : ['raw-public-key'];
    }
    // A pinned key may arrive raw (RFC 7250) or in a certificate: ask for the raw key first. Keeping X.509
    // lets the same pin work against servers that do not know raw keys.
    if (pinSpki.length > 0) options.serverCertificateTypes = ['raw-public-key', 'x509'];
    const groups = namedGroups(args, 'groups');
    if (groups) options.groups = groups;
    const keyShareGroups = namedGroups(args, 'key-share-groups');
    if (keyShareGroups) options.keyShareGroups = keyShareGroups;
    const suites = cipherSuites(args, 'ciphersuites');
    if (suites) options.cipherSuites = suites;
    const externalPsks = externalPsksFromFlags(args);
    if (externalPsks) options.externalPsks = externalPsks;
    // The engine offers such a ticket only while we hold its PSK (client/psk.ts chooseTicket): without --psk, say so.
    if (savedSession?.externalPsk && !externalPsks) throw new UsageError(`--sess-in ${sessIn}: the session is of an external PSK: resuming it needs that PSK (--psk, --psk-identity)`);
    const compression = certificateCompressionFromFlags(args);
    if (compression) options.certificateCompression = compression;
    const signatureSchemes = signatureSchemesFromFlags(args);
    if (signatureSchemes) options.signatureSchemes = signatureSchemes;

    const secrets = !flag(args, 'no-secrets');
    const openSink = (connection: number): TraceSink | undefined =>
      tracing ? openTraceSink(connection === 1 ? traceSpec : numberedTraceFile(traceSpec, connection), io, { secrets, title: `tls13 connect ${host}:${port}` }) : undefined;
    const firstSink = openSink(1);
    // With --resume the second connection's file must be writable too, before anything is sent.
    const secondFile = resume && firstSink?.spec.file !== undefined ? parseTraceSpec(numberedTraceFile(traceSpec!, 2)).file : undefined;
    if (secondFile !== undefined) checkWritable('--trace', secondFile);
    if (firstSink?.spec.format === 'html') options.traceRecords = true;
    // JSON lines and HTML on stdout leave no room for the summary: it goes to stderr.
    const stdoutIsTrace = firstSink !== undefined && firstSink.spec.format !== 'text' && firstSink.spec.file === undefined;
    const say = stdoutIsTrace ? (line: string) => io.stderr.write(`${line}\n`) : (line: string) => io.stdout.write(`${line}\n`);
    const firstBytesOf = new WeakMap<Tls13Socket, () => Buffer | undefined>();
    const open = (extra: Partial<ConnectOptions>, sink: TraceSink | undefined): Tls13Socket => {
      // Our own transport, to see the first bytes the server sends (is it TLS at all?).
      const transport = netConnect({ host, port });
      transport.once('data', (bytes: Buffer) => (firstBytes = bytes));
      const socket = connect({ ...options, ...extra, socket: transport });
      let firstBytes: Buffer | undefined;
      firstBytesOf.set(socket, () => firstBytes);
      if (insecure) acceptUnverified(socket, { policy: configuredTrust, serverName, provider });
      if (appendKeylog) socket.on('keylog', (line: Buffer) => appendKeylog(line.toString('latin1').trimEnd()));
      if (sink) {
        socket.on('tlsEvent', (event: TlsEvent) => sink.event('client', event));
        socket.once('close', () => sink.end());
      }
      return socket;
    };
    const common = {
      target: `${host}:${port}`,
      serverName: isIP(serverName) === 0 ? serverName : undefined,
      timeout,
      say,
      io,
      echo: !stdoutIsTrace,
      keyUpdate: flag(args, 'key-update'),
      exported,
      showResumed: resume || savedSession !== undefined,
      status: flag(args, 'status'),
      insecure,
      showCerts: insecure || flag(args, 'show-certs'),
      provider,
      ...(sessOut === undefined ? {} : { sessOut }),
    };
    // Standard input is the request (as s_client's) unless --send gives one; --resume sends it twice, so
    // it comes from the command line.
    const firstRequest = requestSource(io, request, sendFlag === undefined && !resume, flag(args, 'crlf'));
    const earlyData = earlyFlag === undefined ? undefined : Buffer.from(unescape(earlyFlag));
    if (savedSession) {
      const early = earlyData ? { earlyData } : {};
      const source: RequestSource = earlyData && sendFlag === undefined ? { kind: 'text', text: '' } : firstRequest;
      return (await session(open({ session: savedSession, ...early }, firstSink), { ...common, request: source, firstBytesOf, ...early })).code;
    }

    const first = await session(open({}, firstSink), { ...common, request: firstRequest, firstBytesOf });
    if (!resume || first.code !== 0) return first.code;
    const ticket = first.newestTicket;
    if (!ticket) {
      io.stderr.write('tls13: connect --resume: the server sent no session ticket, nothing to resume\n');
      return 1;
    }
    say('');
    say(`resuming with the newest of ${first.ticketCount} ticket(s) from the first connection (lifetime ${ticket.lifetime} s, 0-RTT ${ticket.maxEarlyDataSize ? `up to ${ticket.maxEarlyDataSize} bytes` : 'not allowed'})`);
    // A text or JSON trace on stdout simply goes on; a file or a page gets a second one.
    const secondSink = firstSink && (firstSink.spec.file !== undefined || firstSink.spec.format === 'html') ? openSink(2) : firstSink;
    const second = await session(open({ session: ticket, ...(earlyData ? { earlyData } : {}) }, secondSink), {
      ...common,
      firstBytesOf,
      // The early data is the request, unless --send says otherwise.
      request: { kind: 'text', text: earlyData && sendFlag === undefined ? '' : request },
      ...(earlyData ? { earlyData } : {}),
    });
    return second.code;
  },
};

interface SessionOptions {
  target: string;
  serverName: string | undefined;
  request: RequestSource;
  timeout: number;
  say: (line: string) => void;
  io: Io;
  /** Print the reply (off in JSON mode, where the `data` events carry it). */
  echo: boolean;
  /** Print "resumed: yes/no". */
  showResumed: boolean;
  /** We sent status_request: print what the staple said. */
  status: boolean;
  /** Send KeyUpdate(update_requested) before the request. */
  keyUpdate: boolean;
  exported: { label: string; length: number; context: Uint8Array } | undefined;
  /** The 0-RTT data this connection offered: reported, and sent again if the server did not take it. */
  earlyData?: Buffer;
  /** The server was accepted unverified (--insecure): say so wherever its identity is reported. */
  insecure: boolean;
  /** Print the server's certificate chain (--show-certs, --insecure). */
  showCerts: boolean;
  provider: CryptoProvider;
  /** Write the newest session ticket there (--sess-out). */
  sessOut?: string;
  /** The first bytes the server sent on a socket, if any. */
  firstBytesOf: WeakMap<Tls13Socket, () => Buffer | undefined>;
}

/**
 * Resolves with the exit code (0 once the server closed or the reply timeout passed, 1 on failure), the
 * newest session ticket the server sent and how many it sent.
 */
function session(socket: Tls13Socket, o: SessionOptions): Promise<{ code: number; newestTicket?: SessionTicket; ticketCount: number }> {
  return new Promise((resolve) => {
    let secured = false;
    let replied = false;
    let replyTimer: NodeJS.Timeout | undefined;
    let serverChain: Uint8Array[] | undefined;
    let stopInput = () => {};
    const showChain = () => {
      if (!serverChain) return;
      o.say(`  certificate chain as the server sent it${o.insecure ? ' (NOT verified)' : ''}:`);
      for (const line of describeChain(serverChain, o.provider)) o.say(line);
    };
    // Only the newest ticket is used (--sess-out saves it, --resume resumes it), and the server decides how
    // many it sends (RFC 8446 §4.6.1): one is kept, and the file is written once, when the connection ends.
    let newestTicket: SessionTicket | undefined;
    let ticketCount = 0;
    socket.on('session', (ticket: SessionTicket) => {
      newestTicket = ticket;
      ticketCount++;
    });
    let sessionSaved = false;
    const finish = (code: number) => {
      clearTimeout(replyTimer);
      stopInput();
      o.io.signal?.removeEventListener('abort', onAbort);
      if (o.sessOut && newestTicket && !sessionSaved) {
        sessionSaved = true;
        saveSession(o.sessOut, newestTicket, o.io);
      }
      resolve({ code, ticketCount, ...(newestTicket ? { newestTicket } : {}) });
    };
    const onAbort = () => socket.destroy();
    o.io.signal?.addEventListener('abort', onAbort);

    socket.once('secureConnect', () => {
      secured = true;
      const info = socket.info;
      const summary = { target: o.target, serverName: o.serverName, insecure: o.insecure, showResumed: o.showResumed, ...(o.earlyData ? { earlyDataLength: o.earlyData.length } : {}) };
      for (const line of describeConnection(info, summary)) o.say(line);
      if (o.status) o.say(`  OCSP staple: ${describeStaple(info.peer?.verdict.ocsp)}`);
      if (o.showCerts && !info.resumed) showChain();
      if (o.exported) {
        const { label, length, context } = o.exported;
        const value = socket.exportKeyingMaterial(length, label, context);
        o.say(`  exporter ${label} (${length} bytes, ${context.length ? `context ${hex(context)}` : 'empty context'}): ${value.toString('hex')}`);
      }
      if (o.keyUpdate) {
        socket.updateKeys(true);
        o.say('  key update: sent KeyUpdate(update_requested)');
      }
      o.say('');
      if (o.earlyData && info.earlyData !== 'accepted') socket.write(o.earlyData);
      stopInput = sendRequest(socket, o.request, o.io, (halfClosed) => {
        replyTimer = setTimeout(() => {
          if (!replied) o.io.stderr.write(`tls13: no reply within ${o.timeout} ms${halfClosed ? '' : " (an HTTP request ends with a blank line: 'GET / HTTP/1.0\\r\\n\\r\\n')"}\n`);
          if (halfClosed) socket.destroy();
          else socket.end();
        }, o.timeout);
      });
    });
    socket.on('tlsEvent', (event: TlsEvent) => {
      if (event.type === 'handshake-message' && event.direction === 'in' && event.message.kind === 'certificate' && serverChain === undefined) {
        serverChain = event.message.entries.map((entry) => entry.data);
      }
      if (o.keyUpdate && event.type === 'handshake-message' && event.direction === 'in' && event.message.kind === 'key_update') {
        o.say('  key update: the server updated its keys');
      }
    });
    socket.on('data', (chunk: Buffer) => {
      replied = true;
      if (o.echo) o.io.stdout.write(chunk.toString('utf8'));
    });
    socket.on('error', (error: Error) => {
      const refused = connectFailure(error);
      const notTlsText = notTls(o.firstBytesOf.get(socket)?.(), 'server');
      if (refused) o.io.stderr.write(`tls13: cannot connect to ${o.target}: ${refused}\n`);
      else if (notTlsText) o.io.stderr.write(`tls13: ${notTlsText}\n`);
      else {
        // What the server presented helps to see why it was refused (and to pin it, if that is the fix).
        if (o.showCerts && !secured) showChain();
        o.io.stderr.write(`tls13: ${secured ? 'connection failed' : 'handshake failed'}: ${describeFailure(error, 'server')}\n`);
      }
      finish(1);
    });
    socket.on('close', () => {
      if (secured && o.sessOut && !newestTicket) o.io.stderr.write(`tls13: --sess-out ${o.sessOut}: the server sent no session ticket; nothing written\n`);
      finish(secured ? 0 : 1);
    });
  });
}

/**
 * The `--trace` argument for connection N > 1 when each connection gets its own file: `html=out.html`
 * becomes `html=out-2.html`; a page for stdout stays on stdout.
 */
export function numberedTraceFile(spec: string, connection: number): string {
  return spec.replace(/^([^=]*=.*?)(\.[^./\\]*)?$/, (_, stem: string, extension: string | undefined) => `${stem}-${connection}${extension ?? ''}`);
}

/** Writes the newest ticket, the one to resume (RFC 8446 §C.4: use each once); a failure is said on stderr. */
function saveSession(file: string, ticket: SessionTicket, io: Io): void {
  try {
    writeSessionFile(file, ticket);
  } catch (e) {
    io.stderr.write(`tls13: --sess-out ${file}: ${(e as Error).message}\n`);
  }
}
