// Two builds of `tls13 serve` (and node:https as the reference) under the serve-load row's clients, in
// interleaved slices: server CPU per request old and new, and new over old per round. For measuring a
// change to the adapter or serve on a shared machine, where only per-round ratios mean anything.
// usage: node dist/scripts/bench/serve-compare.js OLD_ROOT NEW_ROOT [--seconds N] [--rounds N] [--clients 1,8,64] [--warmup N] [--new-node-flags='FLAGS']
// (--new-node-flags: node options for the new build's process only, e.g. a V8 heap setting to try).
// --warmup N (default 3000): requests each server serves first, not counted (serve-load.ts warmUpServers):
// without it our server is measured while V8 still compiles it, node:https's handshake is C++ and warm at once.
// A ROOT is a checkout (or a copy of its bin/, dist/ and package.json) built with npm run build.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeCases, nodeCredentials, SERVER_NAME } from './cases.js';
import { runMain, STALL_MS, withDeadline } from './deadline.js';
import { spreadText, table } from './report.js';
import { REQUEST_TIMEOUT_MS } from './serve-load-clients.js';
import { ClientWorker, clockTicksPerSecond, processCpuMs, startServer, warmUpServers, type RunningServer } from './serve-load.js';
import { spread } from './timing.js';

interface Slice {
  requests: number;
  failed: number;
  cpuMs: number;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { seconds: { type: 'string', default: '1' }, rounds: { type: 'string', default: '6' }, clients: { type: 'string', default: '1,8,64' }, warmup: { type: 'string', default: '3000' }, 'new-node-flags': { type: 'string', default: '' } },
    allowPositionals: true,
  });
  const [seconds, rounds, warmup] = [Number(values.seconds), Number(values.rounds), Number(values.warmup)];
  const concurrencies = values.clients.split(',').map(Number);
  if (positionals.length !== 2 || !(seconds >= 1) || !(Number.isInteger(rounds) && rounds > 0) || !(Number.isInteger(warmup) && warmup >= 0) || !concurrencies.every((c) => Number.isInteger(c) && c > 0)) {
    console.error("usage: node dist/scripts/bench/serve-compare.js OLD_ROOT NEW_ROOT [--seconds N (>= 1)] [--rounds N] [--clients 1,8,64] [--warmup N] [--new-node-flags='FLAGS']");
    process.exitCode = 2;
    return;
  }
  const c = makeCases().find((x) => x.name === 'ed25519 pinned')!;
  const dir = mkdtempSync(join(tmpdir(), 'tls13-serve-compare-'));
  const { cert, key } = nodeCredentials(c.serverIdentity);
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key);
  const servers: RunningServer<string>[] = [];
  const clients = new ClientWorker({ ca: cert, serverName: SERVER_NAME });
  const loadStart = loadavg()[0]!;
  try {
    const newFlags = values['new-node-flags'].split(' ').filter((flag) => flag !== '');
    for (const [name, root, flags] of [['old', positionals[0]!, []], ['new', positionals[1]!, newFlags]] as const) {
      servers.push(await startServer(name, process.execPath, [...flags, join(resolve(root), 'bin', 'tls13.js'), 'serve', '--port', '{port}', '--cert', certFile, '--key', keyFile]));
    }
    servers.push(await startServer('node:https', process.execPath, [join(HERE, 'node-https-server.js'), '{port}', certFile, keyFile]));
    const ticks = clockTicksPerSecond();
    const durationMs = seconds * 1000;
    const slice = async (server: RunningServer<string>, concurrency: number): Promise<Slice> => {
      const before = processCpuMs(server.child.pid!, ticks);
      const what = `serve compare: ${server.name}, ${concurrency} clients`;
      const result = await withDeadline(clients.post({ port: server.port, concurrency, durationMs }), what, durationMs + REQUEST_TIMEOUT_MS + STALL_MS);
      return { requests: result.completed, failed: result.failed, cpuMs: processCpuMs(server.child.pid!, ticks) - before };
    };
    const warmedUp = await warmUpServers(servers, warmup, slice);
    console.error(`warm-up: ${servers.map((server, i) => `${server.name} ${warmedUp[i]}`).join(', ')} requests (load ${loadavg()[0]!.toFixed(2)})`);
    const slices = new Map<string, Slice[]>();
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of concurrencies) {
        for (let k = 0; k < servers.length; k++) {
          const server = servers[(round + k) % servers.length]!;
          const key = `${server.name}/${concurrency}`;
          slices.set(key, [...(slices.get(key) ?? []), await slice(server, concurrency)]);
        }
      }
      console.error(`round ${round + 1} of ${rounds} (load ${loadavg()[0]!.toFixed(2)})`);
    }
    const perRequest = (s: Slice) => s.cpuMs / s.requests;
    const rows = concurrencies.map((concurrency) => {
      const [old, now, node] = ['old', 'new', 'node:https'].map((name) => slices.get(`${name}/${concurrency}`)!) as [Slice[], Slice[], Slice[]];
      const total = (s: Slice[]) => s.reduce((sum, x) => sum + x.cpuMs, 0) / s.reduce((sum, x) => sum + x.requests, 0);
      return [
        String(concurrency),
        total(old),
        total(now),
        total(node),
        spreadText(spread(now.map((s, i) => perRequest(s) / perRequest(old[i]!)))),
        spreadText(spread(now.map((s, i) => perRequest(s) / perRequest(node[i]!)))),
        String([...old, ...now, ...node].reduce((sum, s) => sum + s.failed, 0)),
      ];
    });
    console.log(
      `server CPU ms per request, ${rounds} rounds of ${seconds} s slices after a warm-up of ${Math.min(...warmedUp)}+ requests each, load ${loadStart.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}:\n` +
        table(['clients', 'old', 'new', 'node:https', 'new / old (per round)', 'new / node:https', 'failed'], rows, 3),
    );
  } finally {
    await withDeadline(clients.terminate(), 'serve compare: stopping the client worker');
    for (const server of servers) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await runMain(main);
