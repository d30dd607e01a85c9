// `tls13 connect HOST:PORT`: a TLS 1.3 client over TCP. Shows what was negotiated and who the server is,
// sends a request, prints the reply until the server closes.
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { TrustPolicy } from '../auth/trust.js';
import { parsePem } from '../auth/pem.js';
import { parseCertificate } from '../auth/x509.js';
import { connect, type ConnectOptions, type Tls13Socket } from '../node/adapter.js';
import type { TlsEvent } from '../handshake/events.js';
import { jsonTraceLine } from '../trace/json.js';
import { describeNegotiated, TextNarrator } from '../trace/text.js';
import { choice, flag, integer, list, str, type Command } from './args.js';
import { loadCertifiedKey, trustFromFlags } from './credentials.js';
import { describePeer } from './demo.js';
import { describeFailure } from './failure.js';
import { keylogAppender, keylogFile, UsageError, useColor, type Io } from './io.js';

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

/** Node's bundled Mozilla roots, those our X.509 parser reads (a root it cannot read could not anchor a chain). */
function systemRoots(): TrustPolicy {
  const anchors: Uint8Array[] = [];
  for (const pem of rootCertificates) {
    try {
      const der = parsePem(pem)[0]!.der;
      parseCertificate(der);
      anchors.push(der);
    } catch {
      // skipped: see above
    }
  }
  return { kind: 'ca', anchors };
}

export const connectCommand: Command = {
  name: 'connect',
  summary: 'connect to a TLS 1.3 server, show what was negotiated and who it is',
  help: `Usage: tls13 connect HOST:PORT [options]

Connects, prints the negotiated version, cipher suite, group, signature scheme and ALPN, and who the server
is (subject, SANs, key pin, and which trust rule accepted it). Then sends a request and prints the reply
until the server closes. Exit 0 on success, 1 when the handshake or the connection fails, 2 on bad usage.

Options:
  --servername NAME    SNI and the name the certificate must match (default: HOST, unless an IP address)
  --ca FILE            trust certificates chaining to these CA certificates (PEM/DER; repeatable)
  --pin-cert FILE      trust exactly this certificate (self-signed is fine; repeatable)
  --pin-spki HASH      trust any certificate with this key: sha256/BASE64 or hex (repeatable)
                       (several trust flags: any of them may accept; none: Node's bundled root CAs)
  --alpn PROTO         offer this ALPN protocol (repeatable, in order of preference)
  --send TEXT          what to send once connected; \\r \\n \\t are unescaped
                       (default: GET / HTTP/1.0 with a Host header)
  --cert FILE          our certificate chain, if the server asks for one ...
  --key FILE           ... and its private key (PKCS#8, SEC1 or PKCS#1; PEM or DER)
  --keylog FILE        append NSS key-log lines (also: SSLKEYLOGFILE)
  --trace text|json    narrate the handshake (text, with annotated hex dumps) or print JSON lines
  --no-secrets         with --trace: do not print secret values
  --timeout MS         give up on the handshake, and stop waiting for the reply, after MS (default ${DEFAULT_TIMEOUT_MS})
`,
  options: {
    servername: { type: 'string' },
    ca: { type: 'string', multiple: true },
    'pin-cert': { type: 'string', multiple: true },
    'pin-spki': { type: 'string', multiple: true },
    alpn: { type: 'string', multiple: true },
    send: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    keylog: { type: 'string' },
    trace: { type: 'string' },
    'no-secrets': { type: 'boolean' },
    timeout: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const { host, port } = parseHostPort(args.positionals[0]!);
    const serverName = str(args, 'servername') ?? (isIP(host) === 0 ? host : undefined);
    const trace = choice(args, 'trace', ['text', 'json', 'none'], 'none');
    const timeout = integer(args, 'timeout', 1, 3_600_000) ?? DEFAULT_TIMEOUT_MS;
    const certFile = str(args, 'cert');
    const keyFile = str(args, 'key');
    if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('connect: --cert and --key go together');
    const trust =
      trustFromFlags({ ca: ['--ca', list(args, 'ca')], pinCert: ['--pin-cert', list(args, 'pin-cert')], pinSpki: ['--pin-spki', list(args, 'pin-spki')] }) ??
      systemRoots();
    const hostHeader = serverName ?? (isIP(host) === 6 ? `[${host}]` : host);
    const request = unescape(str(args, 'send') ?? `GET / HTTP/1.0\\r\\nHost: ${hostHeader}\\r\\n\\r\\n`);
    const keylogPath = keylogFile(str(args, 'keylog'), io);

    const options: ConnectOptions = { host, port, trust, handshakeTimeout: timeout, trace: trace !== 'none' };
    if (serverName) options.serverName = serverName;
    const alpn = list(args, 'alpn');
    if (alpn.length > 0) options.alpnProtocols = alpn;
    if (certFile && keyFile) options.certificate = loadCertifiedKey('--cert', certFile, '--key', keyFile);

    const socket = connect(options);
    if (keylogPath) {
      const append = keylogAppender(keylogPath);
      socket.on('keylog', (line: Buffer) => append(line.toString('latin1').trimEnd()));
    }
    const out = (line: string) => io.stdout.write(`${line}\n`);
    if (trace === 'json') {
      const secrets = !flag(args, 'no-secrets');
      socket.on('tlsEvent', (event: TlsEvent) => out(jsonTraceLine('client', event, { secrets })));
    } else if (trace === 'text') {
      const narrator = new TextNarrator({ secrets: !flag(args, 'no-secrets'), hexdump: true, color: useColor(io) });
      socket.on('tlsEvent', (event: TlsEvent) => narrator.render('client', event).forEach(out));
    }
    // In JSON mode stdout carries only JSON lines; the summary goes to stderr.
    const say = trace === 'json' ? (line: string) => io.stderr.write(`${line}\n`) : out;
    return session(socket, { target: `${host}:${port}`, serverName, request, timeout, say, io, echo: trace !== 'json' });
  },
};

interface SessionOptions {
  target: string;
  serverName: string | undefined;
  request: string;
  timeout: number;
  say: (line: string) => void;
  io: Io;
  /** Print the reply (off in JSON mode, where the `data` events carry it). */
  echo: boolean;
}

/** Resolves with the exit code: 0 once the server closed (or the reply timeout passed), 1 on failure. */
function session(socket: Tls13Socket, o: SessionOptions): Promise<number> {
  return new Promise((resolve) => {
    let secured = false;
    let replyTimer: NodeJS.Timeout | undefined;
    const finish = (code: number) => {
      clearTimeout(replyTimer);
      o.io.signal?.removeEventListener('abort', onAbort);
      resolve(code);
    };
    const onAbort = () => socket.destroy();
    o.io.signal?.addEventListener('abort', onAbort);

    socket.once('secureConnect', () => {
      secured = true;
      const info = socket.info;
      o.say(`connected to ${o.target}${o.serverName ? ` (server name ${o.serverName})` : ''}`);
      o.say(`  negotiated: ${describeNegotiated(info)}`);
      o.say(`  server: ${describePeer(info.peer)}`);
      if (info.peer) o.say(`  trusted by ${info.peer.verdict.rule}: ${info.peer.verdict.detail}`);
      if (info.clientAuth && info.clientAuth !== 'not-requested') o.say(`  client certificate: ${info.clientAuth}`);
      o.say('');
      socket.write(o.request);
      replyTimer = setTimeout(() => socket.end(), o.timeout);
    });
    socket.on('data', (chunk: Buffer) => {
      if (o.echo) o.io.stdout.write(chunk.toString('utf8'));
    });
    socket.on('error', (error: Error) => {
      o.io.stderr.write(`tls13: ${secured ? 'connection failed' : 'handshake failed'}: ${describeFailure(error, 'server')}\n`);
      finish(1);
    });
    socket.on('close', () => finish(secured ? 0 : 1));
  });
}
