// node dist/scripts/bench/tcp-sides.js [DIST ...] [--seconds N] [--rounds N] [--warmup N]
// The TCP row's handshake (tcp.ts: Ed25519 pinned, node provider, no tickets) with client and server in two
// processes, so that each side's CPU is its own: every server (our createServer of each DIST, default this
// build's dist/, and node:tls's tls.createServer) runs in a child process of its own and is driven by
// node:tls's client from this process; every client (our connect() of each DIST, and node:tls's) in this
// process drives the node:tls server. Server CPU per handshake from /proc/<pid>/stat (10 ms ticks, so slices
// of at least 1 s), client CPU from process.cpuUsage(). One connection at a time: open TCP, the client is
// secure, the server destroys its socket once secure, the client sees the close and destroys its own.
// Slices interleave in rounds; ratios are per round, over node:tls's side in the same round.
// `--instructions N`: instead of CPU time, each server runs under valgrind's callgrind and its instructions (all
// threads, user space) are counted over N handshakes after the warm-up (counting off while warming): a measure
// that does not depend on the machine's load, with the native functions that take most of them (server-instructions.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { engineConfigs, makeCases, SERVER_NAME, type HandshakeCase } from './cases.js';
import { importBuild } from './builds.js';
import { runMain, withDeadline } from './deadline.js';
import { MIN_SEMI_SPACE_MIB } from './isolated.js';
import { endpoints, peerAccepted, serverContextOptions } from './node-tls.js';
import { spreadText, table } from './report.js';
import { clockTicksPerSecond, processCpuMs } from './serve-load.js';
import { listening, LOOPBACK } from './tcp.js';
import { spread } from './timing.js';
import { countInstructions, valgrindMissing } from './server-instructions.js';

type Build = {
  adapter: typeof import('../../src/node/adapter.js');
  crypto: typeof import('../../src/node/crypto.js');
  random: typeof import('../../src/crypto/random.js');
};

const HERE = fileURLToPath(new URL('.', import.meta.url));
const OWN_DIST = resolve(HERE, '..', '..');
const loadBuild = (dist: string) => importBuild<Build>(dist, { adapter: 'src/node/adapter.js', crypto: 'src/node/crypto.js', random: 'src/crypto/random.js' });
/** The case: makeCases() draws its Ed25519 identities from a seeded random, so every process makes the same certificate. */
const theCase = (): HandshakeCase => makeCases().find((c) => c.name === 'ed25519 pinned')!;

/** Child: serves handshakes on a free port (printed on stdout) until killed; `kind` 'node' or a dist folder. */
async function serve(kind: string): Promise<void> {
  const c = theCase();
  let server: { listen(port: number, host: string): unknown; address(): unknown; on(event: string, listener: (socket: Duplex) => void): unknown };
  if (kind === 'node') server = tls.createServer(serverContextOptions(c));
  else {
    const b = await loadBuild(kind);
    server = b.adapter.createServer(engineConfigs(c, b.crypto.nodeCryptoProvider, b.random.systemRandom).server);
  }
  server.on('secureConnection', (socket) => {
    socket.on('error', () => {});
    socket.destroy();
  });
  console.log(String(await listening(server)));
}

type Client = () => Promise<void>;

/** One handshake: connect, wait until secure and then until the server's close, destroy. */
function client(connect: (port: number) => Duplex & { authorized: boolean }, accepted: (socket: Duplex) => boolean, port: number): Client {
  return async () => {
    const socket = connect(port);
    socket.on('error', () => {});
    const closed = once(socket, 'close');
    await once(socket, 'secureConnect');
    if (!accepted(socket)) throw new Error('the client did not accept the server');
    await closed;
  };
}

async function ourClient(b: Build, c: HandshakeCase): Promise<(port: number) => Client> {
  const config = engineConfigs(c, b.crypto.nodeCryptoProvider, b.random.systemRandom).client;
  return (port) => client((p) => b.adapter.connect({ ...config, host: LOOPBACK, port: p }), (s) => (s as unknown as { authorized: boolean }).authorized, port);
}

function nodeClient(c: HandshakeCase): (port: number) => Client {
  const { clientContext } = endpoints(c);
  const pinned = c.trust.anchor.der;
  const connect = (port: number) => tls.connect({ host: LOOPBACK, port, secureContext: clientContext, servername: SERVER_NAME, rejectUnauthorized: false });
  return (port) => client(connect, (s) => peerAccepted(s as tls.TLSSocket, pinned), port);
}

interface ServerChild {
  name: string;
  child: ChildProcess;
  port: number;
}

/** `wrapper`: a command that runs the server's node (valgrind and its options). */
async function startServer(name: string, kind: string, wrapper: string[] = []): Promise<ServerChild> {
  const command = [...wrapper, process.execPath, `--min-semi-space-size=${MIN_SEMI_SPACE_MIB}`, fileURLToPath(import.meta.url), '--serve', kind];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  // Under valgrind a server takes tens of seconds to start.
  const started = once(createInterface({ input: child.stdout! }), 'line');
  const [line] = (await withDeadline(started, `tcp sides: server ${name} starting`, wrapper.length > 0 ? 10 * 60_000 : undefined)) as [string];
  return { name, child, port: Number(line) };
}

interface Slice {
  handshakes: number;
  clientCpuMs: number;
  serverCpuMs: number;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      serve: { type: 'string' },
      seconds: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '6' },
      warmup: { type: 'string', default: '3000' },
      instructions: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (values.serve !== undefined) return serve(values.serve);
  if (values.instructions !== undefined) {
    const dists = (positionals.length > 0 ? positionals : [OWN_DIST]).map((d) => resolve(d));
    const kinds = [...dists.map((dist, i) => ({ name: dists.length === 1 ? 'ours' : `ours${i + 1}`, kind: dist })), { name: 'node:tls', kind: 'node' }];
    const [handshakes, warmup] = [Number(values.instructions), Number(values.warmup)];
    const missing = valgrindMissing();
    if (missing || !(Number.isInteger(handshakes) && handshakes > 0) || !(Number.isInteger(warmup) && warmup >= 0)) {
      console.error(missing ?? 'usage: node dist/scripts/bench/tcp-sides.js [DIST ...] --instructions N [--warmup N]');
      process.exitCode = 2;
      return;
    }
    const handshake = nodeClient(theCase());
    console.log(await countInstructions(kinds, { warmup, handshakes }, (name, kind, wrapper) => startServer(name, kind, wrapper), (port) => handshake(port)));
    return;
  }
  const [seconds, rounds, warmup] = [Number(values.seconds), Number(values.rounds), Number(values.warmup)];
  if (!(seconds >= 1) || !(Number.isInteger(rounds) && rounds > 0) || !(Number.isInteger(warmup) && warmup >= 0)) {
    console.error('usage: node dist/scripts/bench/tcp-sides.js [DIST ...] [--seconds N (>= 1)] [--rounds N] [--warmup N]');
    process.exitCode = 2;
    return;
  }
  const dists = (positionals.length > 0 ? positionals : [OWN_DIST]).map((d) => resolve(d));
  const names = dists.map((_, i) => (dists.length === 1 ? 'ours' : `ours${i + 1}`));
  const c = theCase();
  const servers: ServerChild[] = [];
  try {
    for (let i = 0; i < dists.length; i++) servers.push(await startServer(names[i]!, dists[i]!));
    const nodeServer = await startServer('node:tls', 'node');
    servers.push(nodeServer);
    const clients: Array<{ name: string; make: (port: number) => Client }> = [];
    for (let i = 0; i < dists.length; i++) clients.push({ name: names[i]!, make: await ourClient(await loadBuild(dists[i]!), c) });
    const nodeTlsClient = { name: 'node:tls', make: nodeClient(c) };
    clients.push(nodeTlsClient);
    // The pairs measured: each server under node:tls's client, each client against node:tls's server.
    const pairs = [...servers.map((server) => ({ server, client: nodeTlsClient })), ...clients.filter((x) => x !== nodeTlsClient).map((x) => ({ server: nodeServer, client: x }))];
    const ticks = clockTicksPerSecond();
    const run = async (pair: (typeof pairs)[number], ms: number, count = Infinity): Promise<Slice> => {
      const handshake = pair.client.make(pair.server.port);
      const serverBefore = processCpuMs(pair.server.child.pid!, ticks);
      const clientBefore = process.cpuUsage();
      const start = performance.now();
      let handshakes = 0;
      while (handshakes < count && performance.now() - start < ms) {
        await withDeadline(handshake(), `tcp sides: ${pair.client.name} client, ${pair.server.name} server`);
        handshakes++;
      }
      const cpu = process.cpuUsage(clientBefore);
      return { handshakes, clientCpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs: processCpuMs(pair.server.child.pid!, ticks) - serverBefore };
    };
    for (const pair of pairs) await run(pair, Infinity, warmup);
    console.error(`warm-up: ${warmup} handshakes per pair (load ${loadavg()[0]!.toFixed(2)})`);
    const slices = pairs.map((): Slice[] => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < pairs.length; k++) {
        const i = (round + k) % pairs.length;
        slices[i]!.push(await run(pairs[i]!, seconds * 1000));
      }
      console.error(`round ${round + 1} of ${rounds} (load ${loadavg()[0]!.toFixed(2)})`);
    }
    const total = (s: Slice[], side: 'clientCpuMs' | 'serverCpuMs') => s.reduce((sum, x) => sum + x[side], 0) / s.reduce((sum, x) => sum + x.handshakes, 0);
    const nodeBoth = slices[pairs.findIndex((p) => p.server === nodeServer && p.client === nodeTlsClient)]!;
    const rows = pairs.map((pair, i) => {
      const side = pair.server === nodeServer && pair.client !== nodeTlsClient ? 'clientCpuMs' : 'serverCpuMs';
      const measured = pair.server === nodeServer && pair.client === nodeTlsClient ? 'both (reference)' : side === 'clientCpuMs' ? `client ${pair.client.name}` : `server ${pair.server.name}`;
      const s = slices[i]!;
      return [
        measured,
        `${pair.client.name} -> ${pair.server.name}`,
        s.reduce((sum, x) => sum + x.handshakes, 0) / ((rounds * seconds) || 1),
        total(s, 'clientCpuMs'),
        total(s, 'serverCpuMs'),
        spreadText(spread(s.map((x, r) => x[side] / x.handshakes / (nodeBoth[r]![side] / nodeBoth[r]!.handshakes)))),
      ];
    });
    console.log(
      `Loopback TCP handshakes, client and server in two processes, ${rounds} rounds of ${seconds} s after ${warmup} per pair, load ${loadavg()[0]!.toFixed(2)}:\n` +
        table(['side measured', 'client -> server', 'hs/s', 'client CPU ms/hs', 'server CPU ms/hs', 'that side / node:tls (per round)'], rows, 3),
    );
  } finally {
    for (const server of servers) server.child.kill('SIGKILL');
  }
}

await runMain(main);
