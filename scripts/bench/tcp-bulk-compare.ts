// node dist/scripts/bench/tcp-bulk-compare.js OLD_DIST NEW_DIST [--seconds N] [--repeat N] [--suites a,b]
// Bulk over loopback TCP for two builds of `tls13-lab/node` and node:tls, in one process, in interleaved slices
// (timing.ts), on the CPU clock: per suite, each build's client `connect()` writing 64 chunks of 16 KiB to its
// `createServer()` connection (node provider), the operation done when the server socket's 'data' events have
// given all of them back, and the same through `tls.connect` / `tls.createServer`. Prints CPU µs per 16 KiB
// record and the per-round ratios new ÷ old and new ÷ node:tls (of MB per CPU second). `--repeat` pools runs.
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { makeCases, SERVER_NAME, engineConfigs } from './cases.js';
import { runMain } from './deadline.js';
import { endpoints, serverContextOptions } from './node-tls.js';
import { listening, LOOPBACK } from './tcp.js';
import { measure, perCpuSecond, spread, type Slice } from './timing.js';

const RECORDS = 64;
const CHUNK = 2 ** 14;

type Build = {
  adapter: typeof import('../../src/node/adapter.js');
  crypto: typeof import('../../src/node/crypto.js');
  random: typeof import('../../src/crypto/random.js');
  suites: typeof import('../../src/handshake/suites.js');
};

async function loadBuild(dist: string): Promise<Build> {
  const from = (path: string) => import(pathToFileURL(resolve(dist, path)).href);
  return { adapter: await from('src/node/adapter.js'), crypto: await from('src/node/crypto.js'), random: await from('src/crypto/random.js'), suites: await from('src/handshake/suites.js') };
}

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

const ratio = (a: Slice[], b: Slice[]) => spread(a.map((slice, round) => perCpuSecond(slice) / perCpuSecond(b[round]!)));
const show = (s: { median: number; min: number; max: number }) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
const cpuUsPerRecord = (s: Slice[]) => spread(s.map((x) => (x.cpuMs * 1000) / x.iterations / RECORDS)).median.toFixed(1);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { seconds: { type: 'string', default: '3' }, repeat: { type: 'string', default: '1' }, suites: { type: 'string', default: 'TLS_AES_128_GCM_SHA256' } },
    allowPositionals: true,
  });
  if (positionals.length !== 2 || !(Number(values.seconds) > 0) || !(Number(values.repeat) >= 1)) {
    console.error('usage: node dist/scripts/bench/tcp-bulk-compare.js OLD_DIST NEW_DIST [--seconds N] [--repeat N] [--suites a,b]');
    process.exitCode = 2;
    return;
  }
  const [oldBuild, newBuild] = (await Promise.all(positionals.map(loadBuild))) as [Build, Build];
  for (const suite of values.suites.split(',')) {
    const operations = [await oursPair(oldBuild, suite), await oursPair(newBuild, suite), await nodeTlsPair(suite)];
    const slices: Slice[][] = operations.map(() => []);
    const loadBefore = loadavg()[0]!;
    for (let r = 0; r < Number(values.repeat); r++) {
      const measured = await measure(Number(values.seconds), operations, undefined, { row: `TCP bulk compare, ${suite}` });
      measured.forEach((m, i) => slices[i]!.push(...m.slices));
    }
    const [oldRun, newRun, nodeTls] = slices as [Slice[], Slice[], Slice[]];
    console.log(
      `${suite} over TCP: CPU µs per 16 KiB record old ${cpuUsPerRecord(oldRun)} new ${cpuUsPerRecord(newRun)} node:tls ${cpuUsPerRecord(nodeTls)} | ` +
        `new/old ${show(ratio(newRun, oldRun))} | old/node:tls ${show(ratio(oldRun, nodeTls))} | new/node:tls ${show(ratio(newRun, nodeTls))} | rounds ${newRun.length} | load ${loadBefore.toFixed(2)}-${loadavg()[0]!.toFixed(2)}`,
    );
  }
  process.exit(0);
}

await runMain(main);
