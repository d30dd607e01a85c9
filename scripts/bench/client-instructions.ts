// node dist/scripts/bench/client-instructions.js [DIST ...] [--count N] [--warmup N] [--cache-sim] [--keep PREFIX]
// The client side of the TCP row (tcp.ts: Ed25519 pinned, node provider) counted in instructions, as
// `tcp-sides.js --instructions` counts the server side: each client (our connect() of each DIST, default this
// build's, then node:tls's tls.connect) runs in a child process under valgrind's callgrind with counting off,
// against one node:tls server in this process (it destroys its socket once secure, as tcp-sides' servers do).
// The child makes the warm-up handshakes, counting goes on, N more are made, the counts are dumped. Printed per
// handshake: the total (every thread, user space), the native functions a TLS client spends most in (inclusive),
// and by layer (self costs; JIT code named through node's --perf-basic-prof map, callgrind-layers.ts), with the
// heaviest of our own functions and of node's JavaScript. --cache-sim: callgrind also simulates the caches of one
// core (callgrind-layers.ts CACHES) and the misses per handshake are printed: where two clients of about the
// same instructions differ in time, the misses say whether memory is why. --keep PREFIX keeps the dumps and perf maps.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { engineConfigs, makeCases, SERVER_NAME, type HandshakeCase } from './cases.js';
import { importBuild } from './builds.js';
import { runMain, withDeadline } from './deadline.js';
import { MIN_SEMI_SPACE_MIB } from './isolated.js';
import { endpoints, peerAccepted, serverContextOptions } from './node-tls.js';
import { table } from './report.js';
import { listening, LOOPBACK } from './tcp.js';
import { annotatedCounts, COMPILER, COMPONENTS, valgrindMissing } from './server-instructions.js';
import { CACHES, functionName, LAYERS, layerOf, perfMap, selfCosts, type Layer } from './callgrind-layers.js';

const SELF = fileURLToPath(import.meta.url);
const OWN_DIST = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
type Build = {
  adapter: typeof import('../../src/node/adapter.js');
  crypto: typeof import('../../src/node/crypto.js');
  random: typeof import('../../src/crypto/random.js');
};

const theCase = (): HandshakeCase => makeCases().find((c) => c.name === 'ed25519 pinned')!;

/** One handshake: connect, wait until secure and then until the server's close, destroy. */
async function clientHandshake(kind: string, port: number): Promise<() => Promise<void>> {
  const c = theCase();
  let connect: () => Duplex;
  let accepted: (socket: Duplex) => boolean;
  if (kind === 'node') {
    const { clientContext } = endpoints(c);
    const pinned = c.trust.anchor.der;
    connect = () => tls.connect({ host: LOOPBACK, port, secureContext: clientContext, servername: SERVER_NAME, rejectUnauthorized: false });
    accepted = (s) => peerAccepted(s as tls.TLSSocket, pinned);
  } else {
    const b = await importBuild<Build>(kind, { adapter: 'src/node/adapter.js', crypto: 'src/node/crypto.js', random: 'src/crypto/random.js' });
    const config = engineConfigs(c, b.crypto.nodeCryptoProvider, b.random.systemRandom).client;
    connect = () => b.adapter.connect({ ...config, host: LOOPBACK, port });
    accepted = (s) => (s as unknown as { authorized: boolean }).authorized;
  }
  return async () => {
    const socket = connect();
    socket.on('error', () => {});
    const closed = once(socket, 'close');
    await once(socket, 'secureConnect');
    if (!accepted(socket)) throw new Error('the client did not accept the server');
    await closed;
  };
}

/** Child: warm-up, "warm", then on a line of stdin N handshakes and "done". */
async function child(kind: string, port: number, warmup: number, count: number): Promise<void> {
  const handshake = await clientHandshake(kind, port);
  for (let i = 0; i < warmup; i++) await handshake();
  console.log('warm');
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  await lines.next();
  for (let i = 0; i < count; i++) await handshake();
  console.log('done');
  await lines.next();
}

interface Counted {
  name: string;
  total: number;
  components: number[];
  byLayer: Map<Layer, number>;
  /** Self costs per handshake of the named JavaScript functions (ours and node's), heaviest first. */
  functions: Array<[string, number]>;
  /** callgrind's events (Ir, and with --cache-sim the accesses and misses) per handshake, all functions. */
  events: Map<string, number>;
}

async function count(name: string, kind: string, port: number, warmup: number, handshakes: number, folder: string, cacheSim: boolean, keep?: string): Promise<Counted> {
  const out = join(folder, `${name.replace(/\W/g, '_')}.callgrind`);
  const valgrind = ['-q', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, ...(cacheSim ? CACHES : [])];
  const node = [`--min-semi-space-size=${MIN_SEMI_SPACE_MIB}`, '--perf-basic-prof', SELF, '--child', kind, '--port', String(port), '--warmup', String(warmup), '--count', String(handshakes)];
  const childProcess = spawn('valgrind', [...valgrind, process.execPath, ...node], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: childProcess.stdout! })[Symbol.asyncIterator]();
    const next = async (what: string) => {
      const line = await withDeadline(lines.next(), `client instructions: ${name} ${what}`, 60 * 60_000);
      if (line.done) throw new Error(`client instructions: ${name}: the child ended before ${what}`);
    };
    await next('warm-up');
    execFileSync('callgrind_control', ['-i', 'on', String(childProcess.pid)], { stdio: 'ignore' });
    childProcess.stdin!.write('go\n');
    await next('handshakes');
    execFileSync('callgrind_control', ['-d', String(childProcess.pid)], { stdio: 'ignore' });
    const map = `/tmp/perf-${childProcess.pid}.map`;
    const mapText = readFileSync(map, 'utf8');
    if (keep) execFileSync('cp', [map, `${keep}.${name.replace(/\W/g, '_')}.perf.map`]);
    if (keep) execFileSync('cp', [`${out}.1`, `${keep}.${name.replace(/\W/g, '_')}.callgrind`]);
    rmSync(map, { force: true });
    const annotated = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', '--show=Ir', `${out}.1`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const { total, byFunction } = annotatedCounts(annotated);
    const { events: eventNames, byFunction: self } = selfCosts(readFileSync(`${out}.1`, 'utf8'));
    const events = new Map<string, number>(eventNames.map((e) => [e, 0]));
    const entries = perfMap(mapText);
    const byLayer = new Map<Layer, number>();
    const named = new Map<string, number>();
    for (const [fn, costs] of self) {
      const resolved = functionName(fn, entries);
      const layer = layerOf(resolved);
      byLayer.set(layer, (byLayer.get(layer) ?? 0) + costs[0]! / handshakes);
      eventNames.forEach((e, i) => events.set(e, events.get(e)! + costs[i]! / handshakes));
      // JIT code the perf map names: our functions, node's JavaScript, V8's builtins.
      if (fn.startsWith('0x') && resolved !== undefined) named.set(resolved, (named.get(resolved) ?? 0) + costs[0]! / handshakes);
    }
    const functions = [...named].sort((a, b) => b[1] - a[1]).slice(0, 40);
    console.error(`${name}: ${(total / handshakes / 1e6).toFixed(3)} M instructions per handshake`);
    return { name, total: total / handshakes, components: COMPONENTS.map((c) => (byFunction.get(c.symbol) ?? 0) / handshakes), byLayer, functions, events };
  } finally {
    childProcess.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      child: { type: 'string' },
      port: { type: 'string' },
      count: { type: 'string', default: '300' },
      warmup: { type: 'string', default: '1500' },
      'cache-sim': { type: 'boolean', default: false },
      keep: { type: 'string' },
    },
    allowPositionals: true,
  });
  const [handshakes, warmup] = [Number(values.count), Number(values.warmup)];
  if (values.child !== undefined) return child(values.child, Number(values.port), warmup, handshakes);
  const missing = valgrindMissing();
  if (missing || !(Number.isInteger(handshakes) && handshakes > 0) || !(Number.isInteger(warmup) && warmup >= 0)) {
    console.error(missing ?? 'usage: node dist/scripts/bench/client-instructions.js [DIST ...] [--count N] [--warmup N] [--cache-sim] [--keep PREFIX]');
    process.exitCode = 2;
    return;
  }
  const dists = (positionals.length > 0 ? positionals : [OWN_DIST]).map((d) => resolve(d));
  const kinds = [...dists.map((dist, i) => ({ name: dists.length === 1 ? 'ours' : `ours${i + 1}`, kind: dist })), { name: 'node:tls', kind: 'node' }];
  const server = tls.createServer(serverContextOptions(theCase()));
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    socket.on('error', () => {});
    socket.destroy();
  });
  const port = await listening(server);
  const folder = mkdtempSync(join(tmpdir(), 'client-instructions-'));
  const counted: Counted[] = [];
  try {
    for (const { name, kind } of kinds) counted.push(await count(name, kind, port, warmup, handshakes, folder, values['cache-sim']!, values.keep));
  } finally {
    server.close();
    rmSync(folder, { recursive: true, force: true });
  }
  const reference = counted[counted.length - 1]!;
  const thousands = (n: number) => (n / 1e3).toFixed(1);
  const compiler = COMPONENTS.findIndex((c) => c.symbol === COMPILER);
  const rows = [
    ['all (per handshake)', ...counted.map((c) => `${thousands(c.total)} (${(c.total / reference.total).toFixed(2)}x)`)],
    ['all but the compiler threads', ...counted.map((c) => thousands(c.total - c.components[compiler]!))],
    ...COMPONENTS.map((component, i) => [component.label, ...counted.map((c) => thousands(c.components[i]!))]),
    ...[...reference.events.keys()].filter((e) => e !== 'Ir').map((e) => [`event ${e}`, ...counted.map((c) => thousands(c.events.get(e) ?? 0))]),
    ...LAYERS.map((layer) => [`self: ${layer}`, ...counted.map((c) => thousands(c.byLayer.get(layer) ?? 0))]),
  ];
  console.log(
    `Client instructions per handshake (callgrind, thousands; node:tls's server; ${handshakes} counted after ${warmup}):\n` +
      table(['', ...counted.map((c) => c.name)], rows, 3),
  );
  for (const c of counted) {
    console.log(`\n${c.name}: heaviest JavaScript functions (self, thousands per handshake):`);
    for (const [fn, n] of c.functions) console.log(`${thousands(n).padStart(8)}  ${fn}`);
  }
}

await runMain(main);
