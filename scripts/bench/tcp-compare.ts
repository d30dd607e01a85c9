// node dist/scripts/bench/tcp-compare.js OLD_DIST NEW_DIST [--handshakes] [--seconds N] [--repeat N] [--suites a,b] [--warmup N]
// Two builds of `tls13-lab/node` and node:tls over loopback TCP, in one process, in interleaved slices
// (timing.ts), on the CPU clock (node provider, the bench's Ed25519 pinned configs):
// - bulk (default), per suite: each build's client `connect()` writing 64 chunks of 16 KiB to its
//   `createServer()` connection, the operation done when the server socket's 'data' events have given all of
//   them back; node:tls the same through `tls.connect` / `tls.createServer`. CPU µs per 16 KiB record.
// - `--handshakes`: the TCP row's handshake (tcp.ts: connect, both sides secure, destroy both) per build and
//   node:tls. CPU ms per handshake (both sides).
// Prints per-round ratios new ÷ old and new ÷ node:tls (of work per CPU second). `--repeat` pools runs.
// `--warmup N`: N operations of each contender, in turn, before the slices. V8 keeps optimising our JavaScript
// for thousands of handshakes (TurboFan compiles on a background thread, CPU the process pays): a server of ours
// took 1.5-1.8 ms per handshake in its first 2000 and 0.6-0.7 after 6000 (docs/performance-history.md, seventh round),
// while node:tls's handshake is C++ and warm at once. Without a warm-up the ratio measures V8's tiering.
// Bulk also prints each contender's collections per 1000 records (mark-compacts / scavenges that started
// during its operations): whether V8 fell into mark-compacting for external memory decides a record's cost
// over TCP more than any code change (docs/performance-history.md, sixth round), so a ratio is read with them.
import { once } from 'node:events';
import { constants, PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { makeCases, SERVER_NAME, engineConfigs } from './cases.js';
import { importBuild } from './builds.js';
import { runMain, withDeadline } from './deadline.js';
import { endpoints, serverContextOptions } from './node-tls.js';
import { listening, LOOPBACK, nodeTlsOverTcp } from './tcp.js';
import { measure, perCpuSecond, spread, type Slice } from './timing.js';

const RECORDS = 64;
const CHUNK = 2 ** 14;

type Build = {
  adapter: typeof import('../../src/node/adapter.js');
  crypto: typeof import('../../src/node/crypto.js');
  random: typeof import('../../src/crypto/random.js');
  suites: typeof import('../../src/handshake/suites.js');
};

const loadBuild = (dist: string) =>
  importBuild<Build>(dist, { adapter: 'src/node/adapter.js', crypto: 'src/node/crypto.js', random: 'src/crypto/random.js', suites: 'src/handshake/suites.js' });

/** One operation: RECORDS writes of CHUNK bytes from `client`, resolved once `server` has read them all. */
function transfer(client: Duplex, server: Duplex): () => Promise<void> {
  const payload = Buffer.alloc(CHUNK, 0x61);
  let pending = 0;
  let done: (() => void) | undefined;
  server.on('data', (chunk: Buffer) => {
    pending -= chunk.length;
    if (pending === 0) done?.();
  });
  return () =>
    new Promise<void>((resolveOperation) => {
      pending = CHUNK * RECORDS;
      done = resolveOperation;
      for (let i = 0; i < RECORDS; i++) client.write(payload);
    });
}

async function oursPair(b: Build, suiteName: string): Promise<() => Promise<void>> {
  const c = makeCases()[0]!;
  const suite = [...b.suites.SUITES.values()].find((s) => s.name === suiteName)!;
  const { client, server } = engineConfigs(c, b.crypto.nodeCryptoProvider, b.random.systemRandom);
  const tcpServer = b.adapter.createServer({ ...server, cipherSuites: [suite.code] });
  const port = await listening(tcpServer);
  const accepted = once(tcpServer, 'secureConnection') as Promise<[Duplex]>;
  const socket = b.adapter.connect({ ...client, cipherSuites: [suite.code], host: LOOPBACK, port });
  const [[serverSocket]] = await Promise.all([accepted, once(socket, 'secureConnect')]);
  return transfer(socket, serverSocket);
}

async function nodeTlsPair(suiteName: string): Promise<() => Promise<void>> {
  const c = makeCases()[0]!;
  const { clientContext } = endpoints(c, suiteName);
  const tcpServer = tls.createServer(serverContextOptions(c, suiteName));
  const port = await listening(tcpServer);
  const accepted = once(tcpServer, 'secureConnection') as Promise<[tls.TLSSocket]>;
  const socket = tls.connect({ host: LOOPBACK, port, secureContext: clientContext, servername: SERVER_NAME, rejectUnauthorized: false });
  const [[serverSocket]] = await Promise.all([accepted, once(socket, 'secureConnect')]);
  return transfer(socket, serverSocket);
}

/** A build's TCP handshake as the bench's TCP row makes it (tcp.ts oursOverTcp), with that build's adapter. */
async function oursHandshake(b: Build): Promise<() => Promise<void>> {
  const { client, server } = engineConfigs(makeCases()[0]!, b.crypto.nodeCryptoProvider, b.random.systemRandom);
  const tcpServer = b.adapter.createServer(server);
  const port = await listening(tcpServer);
  return async () => {
    const accepted = once(tcpServer, 'secureConnection') as Promise<[Duplex]>;
    const socket = b.adapter.connect({ ...client, host: LOOPBACK, port });
    const [[serverSocket]] = await Promise.all([accepted, once(socket, 'secureConnect')]);
    if (!socket.authorized) throw new Error('our client did not accept the server');
    socket.destroy();
    serverSocket.destroy();
  };
}

const ratio = (a: Slice[], b: Slice[]) => spread(a.map((slice, round) => perCpuSecond(slice) / perCpuSecond(b[round]!)));
const show = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
const cpuPer = (s: Slice[], unitsPerIteration: number, scale: number) => spread(s.map((x) => (x.cpuMs * scale) / x.iterations / unitsPerIteration)).median.toFixed(scale === 1 ? 3 : 1);

/** The collections that started while one contender's operations ran (by the entries' start times). */
class CollectionsDuring {
  private readonly spans: Array<[number, number]> = [];
  markCompacts = 0;
  scavenges = 0;

  /** The operation, its spans recorded. */
  watch(operation: () => Promise<void>): () => Promise<void> {
    return async () => {
      const start = performance.now();
      await operation();
      this.spans.push([start, performance.now()]);
    };
  }

  /** Counts `entry` if it started inside one of the spans (they are in time order and never overlap). */
  count(entry: PerformanceEntry): void {
    const at = entry.startTime;
    let low = 0;
    let high = this.spans.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [start, end] = this.spans[middle]!;
      if (at < start) high = middle - 1;
      else if (at > end) low = middle + 1;
      else {
        const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.markCompacts++;
        else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.scavenges++;
        return;
      }
    }
  }

  /** Per 1000 records, over every operation watched (the warm-up's too). */
  per1000(recordsPerOperation: number): string {
    const records = this.spans.length * recordsPerOperation;
    return `${((this.markCompacts * 1000) / records).toFixed(2)}/${((this.scavenges * 1000) / records).toFixed(2)}`;
  }
}

/** Measures `operations` (old, new, node:tls) `repeat` times and pools their slices. */
async function pooledSlices(operations: Array<() => Promise<void>>, seconds: number, repeat: number, row: string, warmup: number): Promise<[Slice[], Slice[], Slice[]]> {
  for (let i = 0; i < warmup; i++) for (const operation of operations) await withDeadline(operation(), `${row}, warm-up operation ${i + 1} of ${warmup}`);
  const slices: Slice[][] = operations.map(() => []);
  for (let r = 0; r < repeat; r++) {
    const measured = await measure(seconds, operations, undefined, { row });
    measured.forEach((m, i) => slices[i]!.push(...m.slices));
  }
  return slices as [Slice[], Slice[], Slice[]];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      handshakes: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '3' },
      repeat: { type: 'string', default: '1' },
      suites: { type: 'string', default: 'TLS_AES_128_GCM_SHA256' },
      warmup: { type: 'string', default: '0' },
    },
    allowPositionals: true,
  });
  const [seconds, repeat, warmup] = [Number(values.seconds), Number(values.repeat), Number(values.warmup)];
  if (positionals.length !== 2 || !(seconds > 0) || !(repeat >= 1) || !Number.isInteger(warmup) || warmup < 0) {
    console.error('usage: node dist/scripts/bench/tcp-compare.js OLD_DIST NEW_DIST [--handshakes] [--seconds N] [--repeat N] [--suites a,b] [--warmup N]');
    process.exitCode = 2;
    return;
  }
  const [oldBuild, newBuild] = (await Promise.all(positionals.map(loadBuild))) as [Build, Build];
  const verdict = (oldRun: Slice[], newRun: Slice[], nodeTls: Slice[], loadBefore: number) =>
    `new/old ${show(ratio(newRun, oldRun))} | old/node:tls ${show(ratio(oldRun, nodeTls))} | new/node:tls ${show(ratio(newRun, nodeTls))} | rounds ${newRun.length} | warm-up ${warmup} each | load ${loadBefore.toFixed(2)}-${loadavg()[0]!.toFixed(2)}`;
  if (values.handshakes) {
    const operations = [await oursHandshake(oldBuild), await oursHandshake(newBuild), (await nodeTlsOverTcp(makeCases()[0]!)).handshake];
    const loadBefore = loadavg()[0]!;
    const [oldRun, newRun, nodeTls] = await pooledSlices(operations, seconds, repeat, 'TCP handshake compare', warmup);
    console.log(`TCP handshakes: CPU ms per handshake old ${cpuPer(oldRun, 1, 1)} new ${cpuPer(newRun, 1, 1)} node:tls ${cpuPer(nodeTls, 1, 1)} | ${verdict(oldRun, newRun, nodeTls, loadBefore)}`);
    process.exit(0);
  }
  for (const suite of values.suites.split(',')) {
    const collections = [new CollectionsDuring(), new CollectionsDuring(), new CollectionsDuring()];
    const pairs = [await oursPair(oldBuild, suite), await oursPair(newBuild, suite), await nodeTlsPair(suite)];
    const operations = pairs.map((operation, i) => collections[i]!.watch(operation));
    const observer = new PerformanceObserver((list) => list.getEntries().forEach((entry) => collections.forEach((c) => c.count(entry))));
    observer.observe({ entryTypes: ['gc'] });
    const loadBefore = loadavg()[0]!;
    const [oldRun, newRun, nodeTls] = await pooledSlices(operations, seconds, repeat, `TCP bulk compare, ${suite}`, warmup);
    // Entries are delivered after the fact: let the last ones arrive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    observer.disconnect();
    const [oldGc, newGc, nodeTlsGc] = collections as [CollectionsDuring, CollectionsDuring, CollectionsDuring];
    console.log(
      `${suite} over TCP: CPU µs per 16 KiB record old ${cpuPer(oldRun, RECORDS, 1000)} new ${cpuPer(newRun, RECORDS, 1000)} node:tls ${cpuPer(nodeTls, RECORDS, 1000)} | ${verdict(oldRun, newRun, nodeTls, loadBefore)}`,
    );
    console.log(
      `  mark-compacts/scavenges per 1000 records: old ${oldGc.per1000(RECORDS)} new ${newGc.per1000(RECORDS)} node:tls ${nodeTlsGc.per1000(RECORDS)}`,
    );
  }
  process.exit(0);
}

await runMain(main);
