// Servers under load over loopback TCP: `tls13 serve` (the real CLI, its default node provider) against a
// node:https server (node-https-server.ts) and `openssl s_server -www`, each in a process of its own with
// the same Ed25519 key and certificate. node:tls clients in a worker thread of the bench process
// (serve-load-clients.ts) do a full handshake and one GET per connection, at 1, 8 and 64 at once. Per
// slice, the server's CPU time is read from /proc/<pid>/stat (utime + stime, all its threads) before and
// after: the server CPU per request is what this row is about; requests per second also depend on the
// clients, which share the machine. Slices of every server and concurrency are interleaved in rounds, and
// the ratios are taken per round (timing.ts).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { nodeCredentials, SERVER_NAME, type HandshakeCase } from './cases.js';
import { REQUEST_TIMEOUT_MS, type ClientSetup, type SliceRequest, type SliceResult } from './serve-load-clients.js';
import { table, spreadText } from './report.js';
import { spread, ROUNDS, type Spread } from './timing.js';
import { STALL_MS, withDeadline } from './deadline.js';
import { freePort } from '../../src/testing/interop.js';

/** The checkout: the servers and the client worker run from its dist/ (npm run build), whether this module runs from dist/ or its source. */
const REPO_ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../..' : '../..', import.meta.url));
const BUILT_BENCH = join(REPO_ROOT, 'dist', 'scripts', 'bench');

export const CONCURRENCIES = [1, 8, 64] as const;
export type ServerName = 'tls13 serve' | 'node:https' | 'openssl s_server';

export interface ServeLoadCell {
  server: ServerName;
  concurrency: number;
  requests: number;
  failed: number;
  requestsPerSecond: number;
  /** The server process's CPU time (user + system) per completed request, in ms. */
  serverCpuMsPerRequest: number;
}

export interface ServeLoadRatio {
  concurrency: number;
  against: ServerName;
  /** tls13 serve's CPU per request over the other's, per round: median and range (<= 1 is the target). */
  cpuPerRequest: Spread;
  /** tls13 serve's requests/s over the other's, per round. */
  requestsPerSecond: Spread;
}

export interface ServeLoadReport {
  case: string;
  /** Requests the server that served fewest served before the measured slices (warmUpServers). */
  warmUpRequests: number;
  slicesPerRound: number;
  secondsPerSlice: number;
  cells: ServeLoadCell[];
  ratios: ServeLoadRatio[];
  /** Servers that could not run (openssl missing), with why. */
  skipped: { server: ServerName; reason: string }[];
  loadAverage: { start: number[]; end: number[] };
}

export interface RunningServer<N extends string = ServerName> {
  name: N;
  port: number;
  child: ChildProcess;
  stderr: string[];
}

async function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `command args` (`{port}` replaced by a free port) and waits until it accepts TCP connections. */
export async function startServer<N extends string>(name: N, command: string, args: string[]): Promise<RunningServer<N>> {
  const port = await freePort();
  // stdout to /dev/null: tls13 serve logs a line per connection, and a pipe the bench drains late would
  // block it (a pipe write is synchronous); its cost stays counted, as one write(2) to /dev/null.
  const child = spawn(command, args.map((a) => a.replace('{port}', String(port))), { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.length < 20 && stderr.push(chunk.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited (${code}): ${stderr.join('')}`))));
  exited.catch(() => {});
  try {
    for (let tries = 0; tries < 100; tries++) {
      const accepts = withDeadline(acceptsConnections(port), `serve load: ${name} starting, a TCP connect to port ${port}`);
      if (await Promise.race([accepts, exited])) return { name, port, child, stderr };
      await sleep(50);
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not listen on port ${port} within 5 s: ${stderr.join('')}`);
}

/** CPU time (user + system, all threads) of a process, in ms, from /proc/<pid>/stat. */
export function processCpuMs(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // The fields after the command name (in parentheses, which may hold spaces): state is the first, utime the 12th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

export function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Why openssl cannot run here, or undefined when it can. */
export function opensslMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `openssl not found (${(e as Error).message})`;
  }
}

export class ClientWorker {
  private readonly worker: Worker;
  constructor(setup: ClientSetup) {
    this.worker = new Worker(join(BUILT_BENCH, 'serve-load-clients.js'), { workerData: { serveLoadClients: setup } });
  }
  /** Runs one slice of clients; resolves with what they did. */
  post(slice: SliceRequest): Promise<SliceResult> {
    return new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', (result: SliceResult) => {
        this.worker.off('error', reject);
        resolve(result);
      });
      this.worker.postMessage(slice);
    });
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export interface ServeLoadOptions {
  /** Seconds per slice (one server, one concurrency); the row takes about 3 servers x 3 concurrencies x ROUNDS slices, and the warm-up. */
  secondsPerSlice: number;
  /** Requests each server serves before the measured slices, not counted (warmUpServers); at least one slice's worth. */
  warmUpRequests?: number;
  progress?: (line: string) => void;
}

/**
 * The warm-up before measured slices: slices of each server in turn, at 1, 8 and 64 clients in turn, until
 * every server has served at least `requests` (and had one slice). A long-running server is warm: V8 makes
 * about 500 optimisations in the first 1500 handshakes of tls13 serve and keeps on for thousands more
 * (docs/performance-history.md, seventh round, TCP and serve), while node:https's and openssl's handshakes are C++
 * from the start; measured cold, the row compares V8's tiering. Returns the requests each server served.
 */
export async function warmUpServers<S>(servers: readonly S[], requests: number, slice: (server: S, concurrency: number) => Promise<{ requests: number }>): Promise<number[]> {
  const served = servers.map(() => 0);
  for (let turn = 0; turn === 0 || served.some((n) => n < requests); turn++) {
    const concurrency = CONCURRENCIES[turn % CONCURRENCIES.length]!;
    for (let i = 0; i < servers.length; i++) if (turn === 0 || served[i]! < requests) served[i]! += (await slice(servers[i]!, concurrency)).requests;
  }
  return served;
}

/** Measures the three servers with `c`'s server certificate (an Ed25519 certificate case). */
export async function serveLoad(c: HandshakeCase, options: ServeLoadOptions): Promise<ServeLoadReport> {
  const progress = options.progress ?? (() => {});
  const loadStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'tls13-serve-load-'));
  const { cert, key } = nodeCredentials(c.serverIdentity);
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key);
  const tls13 = join(REPO_ROOT, 'bin', 'tls13.js');
  const nodeHttps = join(BUILT_BENCH, 'node-https-server.js');
  const skipped: ServeLoadReport['skipped'] = [];
  const servers: RunningServer[] = [];
  const clients = new ClientWorker({ ca: cert, serverName: SERVER_NAME });
  try {
    servers.push(await startServer('tls13 serve', process.execPath, [tls13, 'serve', '--port', '{port}', '--cert', certFile, '--key', keyFile]));
    servers.push(await startServer('node:https', process.execPath, [nodeHttps, '{port}', certFile, keyFile]));
    const noOpenssl = opensslMissing();
    if (noOpenssl) {
      skipped.push({ server: 'openssl s_server', reason: noOpenssl });
      progress(`serve-load: SKIPPING openssl s_server: ${noOpenssl}`);
    } else {
      servers.push(await startServer('openssl s_server', 'openssl', ['s_server', '-accept', '127.0.0.1:{port}', '-cert', certFile, '-key', keyFile, '-www', '-tls1_3', '-quiet']));
    }
    return await measureServers(servers, clients, options, progress, skipped, c.name, loadStart);
  } finally {
    await withDeadline(clients.terminate(), 'serve load: stopping the client worker');
    for (const server of servers) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureServers(
  servers: RunningServer[],
  clients: ClientWorker,
  { secondsPerSlice, warmUpRequests }: ServeLoadOptions,
  progress: (line: string) => void,
  skipped: ServeLoadReport['skipped'],
  caseName: string,
  loadStart: number[],
): Promise<ServeLoadReport> {
  const ticks = clockTicksPerSecond();
  const durationMs = secondsPerSlice * 1000;
  // Per server and concurrency, one slice per round: requests, elapsed ms, server CPU ms.
  const slices = new Map<string, { requests: number; failed: number; elapsedMs: number; cpuMs: number }[]>();
  const slice = async (server: RunningServer, concurrency: number) => {
    const before = processCpuMs(server.child.pid!, ticks);
    // The clients start nothing new after durationMs, and each request in flight ends within REQUEST_TIMEOUT_MS.
    const what = `serve load: ${server.name}, ${concurrency} clients, a slice of ${durationMs} ms`;
    const result = await withDeadline(clients.post({ port: server.port, concurrency, durationMs }), what, durationMs + REQUEST_TIMEOUT_MS + STALL_MS);
    const cpuMs = processCpuMs(server.child.pid!, ticks) - before;
    if (result.failed > 0) progress(`serve-load: ${server.name}, ${concurrency} clients: ${result.failed} failed requests (${result.firstError})`);
    return { requests: result.completed, failed: result.failed, elapsedMs: result.elapsedMs, cpuMs };
  };
  const warmUp = await warmUpServers(servers, warmUpRequests ?? 0, slice);
  progress(`serve-load: warm-up done, ${servers.map((server, i) => `${server.name} ${warmUp[i]}`).join(', ')} requests (load ${loadavg()[0]!.toFixed(2)})`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of CONCURRENCIES) {
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(round + k) % servers.length]!;
        const key = `${server.name}/${concurrency}`;
        slices.set(key, [...(slices.get(key) ?? []), await slice(server, concurrency)]);
      }
    }
    progress(`serve-load: round ${round + 1} of ${ROUNDS} done (load ${loadavg()[0]!.toFixed(2)})`);
  }
  const cells: ServeLoadCell[] = [];
  const ratios: ServeLoadRatio[] = [];
  for (const concurrency of CONCURRENCIES) {
    for (const server of servers) {
      const s = slices.get(`${server.name}/${concurrency}`)!;
      const sum = (f: (x: (typeof s)[number]) => number) => s.reduce((total, x) => total + f(x), 0);
      const requests = sum((x) => x.requests);
      cells.push({ server: server.name, concurrency, requests, failed: sum((x) => x.failed), requestsPerSecond: (requests * 1000) / sum((x) => x.elapsedMs), serverCpuMsPerRequest: sum((x) => x.cpuMs) / requests });
    }
    const ours = slices.get(`tls13 serve/${concurrency}`)!;
    for (const other of servers.filter((s) => s.name !== 'tls13 serve')) {
      const theirs = slices.get(`${other.name}/${concurrency}`)!;
      const cpuPer = (x: (typeof ours)[number]) => x.cpuMs / x.requests;
      const rate = (x: (typeof ours)[number]) => x.requests / x.elapsedMs;
      ratios.push({
        concurrency,
        against: other.name,
        cpuPerRequest: spread(ours.map((x, i) => cpuPer(x) / cpuPer(theirs[i]!))),
        requestsPerSecond: spread(ours.map((x, i) => rate(x) / rate(theirs[i]!))),
      });
    }
  }
  return { case: caseName, warmUpRequests: Math.min(...warmUp), slicesPerRound: CONCURRENCIES.length * servers.length, secondsPerSlice, cells, ratios, skipped, loadAverage: { start: loadStart, end: loadavg() } };
}

export function renderServeLoad(report: ServeLoadReport): string {
  const lines = [
    `Servers under load over loopback TCP (${report.case} certificate, TLS_AES_128_GCM_SHA256, X25519; each server its own process):`,
    'node:tls clients in a worker thread, a full handshake + one GET per connection; server CPU from /proc/<pid>/stat (10 ms ticks)',
    `per request; after a warm-up of at least ${report.warmUpRequests} requests per server, ${ROUNDS} rounds of ${report.secondsPerSlice} s slices; load average ${report.loadAverage.start[0]!.toFixed(2)} at start, ${report.loadAverage.end[0]!.toFixed(2)} at end:`,
    table(
      ['server', 'clients', 'requests', 'failed', 'req/s', 'server CPU ms/req'],
      report.cells.map((c) => [c.server, String(c.concurrency), String(c.requests), String(c.failed), c.requestsPerSecond, c.serverCpuMsPerRequest]),
      3,
    ),
    '',
    'tls13 serve over the others, median (range) of the per-round ratios (CPU/request: <= 1 is the target):',
    table(
      ['clients', 'against', 'CPU/request', 'req/s'],
      report.ratios.map((r) => [String(r.concurrency), r.against, spreadText(r.cpuPerRequest), spreadText(r.requestsPerSecond)]),
    ),
  ];
  for (const s of report.skipped) lines.push(`SKIPPED ${s.server}: ${s.reason}`);
  return lines.join('\n') + '\n';
}
