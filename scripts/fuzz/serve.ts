// node dist/scripts/fuzz/serve.js [--seconds N] [--seed S]
// Fuzzes `tls13 serve` from the network, over loopback: the server runs in-process (`main(['serve', ...])`,
// client auth optional, post-handshake auth, 0-RTT) and seeded attackers connect to it:
//   hello      a real ClientHello (OpenSSL's, captured from node:tls) with bytes flipped, cut, repeated or
//              its lengths lying, in one write or trickled, then close or stay silent;
//   records    random record headers and bodies, before or after a real ClientHello;
//   http       a real TLS 1.3 client (node:tls) whose request head is hostile: path traversal, /keyupdate
//              and /secret, binary and control bytes, 16 KiB+ and 1 MiB heads, a head cut short then
//              closed, pipelined heads, a head trickled a byte at a time;
//   flood      many connections at once, most of them silent.
// The invariant (docs/robustness.md): the process never crashes (no uncaught exception, no unhandled
// rejection); after each attack an honest client still gets "200 OK" within 5 s; every line on the
// server's stderr is one line without a stack trace or "internal error"; each HTTP reply is 200, 403 or
// 431; the heap stays bounded (checked after a forced GC at the end, against the start).
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { parseArgs } from 'node:util';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { Prng } from '../../src/testing/fuzz/input.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '120' }, seed: { type: 'string', default: '1' } } });
const prng = new Prng(Number(values.seed));
const violations: string[] = [];
const violation = (what: string) => {
  violations.push(what);
  console.log(`VIOLATION ${what}`);
};
process.on('uncaughtException', (e) => violation(`uncaught exception: ${e.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => violation(`unhandled rejection: ${String(e)}`));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `chunks` (a pause of `gapMs` after each), then ends the socket when `closeAfter`. */
async function writeChunks(socket: net.Socket, chunks: Uint8Array[], gapMs: number, closeAfter: boolean): Promise<void> {
  for (const chunk of chunks) {
    if (socket.destroyed) return;
    socket.write(chunk);
    if (gapMs > 0) await sleep(gapMs);
  }
  if (closeAfter) socket.end();
}

/** Writes `chunks` to a raw TCP connection (a pause between them when `gapMs`), then reads until close or `waitMs`. */
function rawExchange(port: number, chunks: Uint8Array[], gapMs: number, waitMs: number, closeAfter: boolean): Promise<Buffer> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = () => {
      socket.destroy();
      resolve(Buffer.concat(received));
    };
    socket.on('data', (d) => received.push(d));
    socket.on('error', () => {});
    socket.on('close', done);
    setTimeout(done, waitMs);
    socket.on('connect', () => void writeChunks(socket, chunks, gapMs, closeAfter));
  });
}

/** One HTTP exchange over node:tls: the reply's status line, or what went wrong. */
function httpsExchange(port: number, head: Uint8Array[], gapMs: number, waitMs: number, closeAfter = false): Promise<string> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, minVersion: 'TLSv1.3', servername: 'localhost' });
    const done = (why: string) => {
      socket.destroy();
      resolve(reply ? reply.split('\r\n')[0]! : why);
    };
    socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    socket.on('error', (e) => done(`error ${e.message}`));
    socket.on('close', () => done('closed'));
    setTimeout(() => done('timeout'), waitMs);
    socket.on('secureConnect', () => void writeChunks(socket, head, gapMs, closeAfter));
  });
}

/** OpenSSL's ClientHello record, as node:tls sends it. */
function captureClientHello(): Promise<Buffer> {
  return new Promise((resolve) => {
    const catcher = net.createServer((s) => s.once('data', (d: Buffer) => (resolve(d), s.destroy(), catcher.close())));
    catcher.listen(0, '127.0.0.1', () => {
      const c = tls.connect({ port: (catcher.address() as net.AddressInfo).port, host: '127.0.0.1', rejectUnauthorized: false, servername: 'localhost' });
      c.on('error', () => {});
    });
  });
}

function mutate(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (prng.below(5)) {
    case 0:
      for (let i = 0, n = 1 + prng.below(8); i < n; i++) out[prng.below(out.length)]! ^= 1 << prng.below(8);
      return out;
    case 1:
      return out.subarray(0, prng.below(out.length));
    case 2: {
      // A length lie: the record length, the handshake length, or the first vector lengths.
      const at = [3, 6, 7, 8, 43, 44][prng.below(6)]!;
      out[at] = [0x00, 0xff, 0x7f, 0x80][prng.below(4)]!;
      return out;
    }
    case 3:
      return Uint8Array.from([...out, ...out]);
    default:
      return Uint8Array.from([...out.subarray(0, 5), ...prng.bytes(out.length - 5)]);
  }
}

const HEADS = [
  'GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n\r\n',
  'GET /keyupdate HTTP/1.1\r\n\r\n',
  'GET /secret HTTP/1.1\r\n\r\n',
  'GET /keyupdate HTTP/1.1\r\n\r\nGET /keyupdate HTTP/1.1\r\n\r\nGET /secret HTTP/1.1\r\n\r\n',
  '\u0000\u0001\u001b[31m\r\n\r\n',
  'GET\r\n\r\n',
  '\r\n\r\n',
  'GET / HTTP/1.1\nHost: \u001b]0;owned\u0007\n\n',
  `GET / HTTP/1.1\r\nX: ${'a'.repeat(17_000)}\r\n\r\n`,
  `GET /${'a'.repeat(1 << 20)} HTTP/1.1\r\n\r\n`,
  'GET / HTTP/1.1\r\nHost: x\r\n',
];

async function attack(port: number): Promise<string> {
  const kind = prng.below(4);
  if (kind === 0) {
    const hello = mutate(clientHello);
    const trickle = prng.below(4) === 0;
    const chunks = trickle ? Array.from({ length: Math.min(hello.length, 40) }, (_, i) => hello.subarray(i * Math.ceil(hello.length / 40), (i + 1) * Math.ceil(hello.length / 40))) : [hello];
    await rawExchange(port, chunks, trickle ? 2 : 0, 300 + prng.below(700), prng.below(2) === 0);
    return 'hello';
  }
  if (kind === 1) {
    const records = Array.from({ length: 1 + prng.below(4) }, () => {
      const body = prng.bytes(prng.below(64));
      const length = prng.below(3) === 0 ? prng.below(0x10000) : body.length;
      return Uint8Array.from([[20, 21, 22, 23, 24, prng.below(256)][prng.below(6)]!, 3, prng.below(5), length >> 8, length & 0xff, ...body]);
    });
    await rawExchange(port, prng.below(2) === 0 ? [clientHello, ...records] : records, 0, 500, prng.below(2) === 0);
    return 'records';
  }
  if (kind === 2) {
    const head = Buffer.from(HEADS[prng.below(HEADS.length)]!, 'latin1');
    const mode = prng.below(4);
    const chunks = mode === 0 ? [...head.subarray(0, 64)].map((b) => Uint8Array.of(b)) : mode === 1 ? [head.subarray(0, prng.below(head.length))] : [head];
    const status = await httpsExchange(port, chunks, mode === 0 ? 1 : 0, 3000, mode === 1);
    if (/^HTTP\/1\.1 /.test(status) && !/^HTTP\/1\.1 (200|403|431) /.test(status)) violation(`reply ${status} to ${JSON.stringify(head.subarray(0, 60).toString('latin1'))}`);
    return `http ${status.slice(0, 40)}`;
  }
  const sockets = Array.from({ length: 50 + prng.below(150) }, () => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('error', () => {});
    return s;
  });
  await sleep(300);
  for (const s of sockets.slice(0, sockets.length / 4)) s.write(clientHello);
  await sleep(300);
  for (const s of sockets) s.destroy();
  return `flood ${sockets.length}`;
}

const clientHello = await captureClientHello();

async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tls13-serve-fuzz-'));
  const [cert, key] = [join(dir, 'server.pem'), join(dir, 'server.key')];
  const quiet = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} } as unknown as Io;
  if ((await main(['cert', '--out-cert', cert, '--out-key', key, '--dns', 'localhost', '--type', 'p256'], quiet)) !== 0) throw new Error('cert failed');
  let stderr = '';
  let stdout = '';
  const abort = new AbortController();
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) }, env: {}, signal: abort.signal } as unknown as Io;
  const args = ['serve', '--port', '0', '--cert', cert, '--key', key, '--pin-client-spki', cert, '--client-auth', 'optional', '--early-data', '--tickets', '4'];
  const served = main(args, io);
  while (!/listening on .*:(\d+)/.test(stdout)) await sleep(20);
  const port = Number(/listening on .*:(\d+)/.exec(stdout)![1]);
  const heapBefore = process.memoryUsage().heapUsed;
  const kinds = new Map<string, number>();
  const deadline = performance.now() + Number(values.seconds) * 1000;
  let attacks = 0;
  while (performance.now() < deadline) {
    const what = await attack(port);
    attacks++;
    const kind = what.startsWith('http') ? what.replace(/^(http \S+ \S+).*/, '$1') : what.split(' ')[0]!;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const health = await httpsExchange(port, [Buffer.from('GET / HTTP/1.1\r\n\r\n')], 0, 5000);
    if (health !== 'HTTP/1.1 200 OK') violation(`after attack ${attacks} (${what}) an honest client got ${health}`);
  }
  if (process.env.SERVE_FUZZ_VERBOSE) console.log([...new Set(stderr.split('\n').map((l) => l.replace(/^[\d.:]+: /, '').replace(/\d+/g, '#')))].join('\n'));
  for (const line of stderr.split('\n').filter(Boolean)) {
    if (/^\s+at /.test(line) || /internal error|internal_error/.test(line)) violation(`stderr line: ${line.slice(0, 200)}`);
    if (/[\u0000-\u001f\u007f]/.test(line)) violation(`stderr line with a control character: ${JSON.stringify(line.slice(0, 200))}`);
  }
  abort.abort();
  const code = await served;
  if (code !== 0) violation(`serve exited ${code}`);
  globalThis.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  rmSync(dir, { recursive: true, force: true });
  console.log(`${attacks} attacks ${JSON.stringify(Object.fromEntries(kinds))}, ${stderr.split('\n').filter(Boolean).length} stderr lines, heap ${(heapBefore / 2 ** 20).toFixed(1)} -> ${(heapAfter / 2 ** 20).toFixed(1)} MiB${globalThis.gc ? ' (after GC)' : ''}, ${violations.length} violations`);
  process.exitCode = violations.length === 0 ? 0 : 1;
}

await run();
