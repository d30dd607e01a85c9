// npm run fuzz -- [--seconds N] [--seed S] [--target NAME] [--provider fuzzing|noble|node] [--list]
// Runs the fuzz targets of src/testing/fuzz for a time budget, prints executions per second per target,
// and for every failure a minimal reproducible input (target, seed, hex). Failures are saved as
// test/regressions/<target>-<hash>.json, which `npm test` replays (test/regressions/regressions.test.ts).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { insecureFuzzingProvider } from '../src/crypto/fuzzing.js';
import { nobleProvider } from '../src/crypto/noble.js';
import { Prng } from '../src/testing/fuzz/input.js';
import { fuzzTargets, type FuzzTarget } from '../src/testing/fuzz/targets.js';
import { hex } from '../src/wire/bytes.js';
import { nodeCryptoProvider } from '../src/node/crypto.js';
import { failureOf, minimize } from './fuzz/minimize.js';
import { providerDifferentialTargets } from './fuzz/provider-differential.js';
import { runMain } from './bench/deadline.js';

const USAGE = `usage: npm run fuzz -- [--seconds N] [--seed S] [--target NAME] [--provider fuzzing|noble|node] [--list]
  --seconds N    total time budget, shared equally by the selected targets (default 60)
  --seed S       seed of the input generator (default 1); the same seed makes the same inputs
  --target NAME  only targets whose name is NAME or starts with NAME (e.g. codec, stateful:hrr)
  --provider P   crypto for the stateful and inner targets: fuzzing (the insecure fast one, default), noble
                 or node (node:crypto); the diff: targets always run noble against node
  --list         print the target names and exit`;

const REGRESSIONS = join(process.cwd(), 'test', 'regressions');

/** A per-target seed, so adding a target does not change the inputs of the others. */
function targetSeed(seed: number, name: string): number {
  return createHash('sha256').update(`${seed}:${name}`).digest().readUInt32LE(0);
}

interface TargetReport {
  name: string;
  executions: number;
  seconds: number;
  failures: number;
  /** Inputs that took more than SLOW_INPUT_MS of CPU (of the process: garbage collection counts too). */
  slow: number;
  /** Inputs after which the heap was more than HEAVY_INPUT_MIB larger than before them. */
  heavy: number;
}

/** An input that costs more CPU than this is printed, for a closer look (docs/robustness.md). */
const SLOW_INPUT_MS = 50;
/** An input after which the heap grew by more than this is printed too: no input needs that much (a 64 KiB message at most). */
const HEAVY_INPUT_MIB = 32;

interface SlowInput {
  ms: number;
  input: Uint8Array;
}

function fuzzOne(target: FuzzTarget, seed: number, budgetMs: number): TargetReport {
  const prng = new Prng(targetSeed(seed, target.name));
  const started = performance.now();
  let executions = 0;
  let failures = 0;
  const seen = new Set<string>();
  const slow: SlowInput[] = [];
  const heavy: SlowInput[] = [];
  // One run before the clock starts: corpora and key caches are built on first use.
  failureOf(target, target.generate(new Prng(0)));
  while (performance.now() - started < budgetMs) {
    const input = target.generate(prng);
    executions++;
    const heapBefore = process.memoryUsage().heapUsed;
    const before = process.cpuUsage();
    const error = failureOf(target, input);
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    if (ms > SLOW_INPUT_MS) slow.push({ ms, input });
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    if (grown > HEAVY_INPUT_MIB) heavy.push({ ms: grown, input });
    if (!error) continue;
    const key = error.message.split('\n')[0]!.replace(/\d+/g, '#');
    if (seen.has(key)) continue;
    seen.add(key);
    failures++;
    const small = minimize(target, input, error);
    const hash = createHash('sha256').update(target.name).update(small).digest('hex').slice(0, 12);
    const file = join(REGRESSIONS, `${target.name.replace(/[^a-z0-9_-]+/gi, '-')}-${hash}.json`);
    mkdirSync(REGRESSIONS, { recursive: true });
    writeFileSync(file, `${JSON.stringify({ target: target.name, seed, input: hex(small), error: error.message.split('\n')[0], found: new Date().toISOString() }, null, 2)}\n`);
    console.log(`FAIL ${target.name} seed ${seed}\n  input ${hex(small)}\n  ${error.name}: ${error.message.split('\n')[0]}\n  saved ${file}`);
  }
  for (const { ms, input } of slow.sort((a, b) => b.ms - a.ms).slice(0, 3)) console.log(`SLOW ${target.name} ${ms.toFixed(0)} ms CPU: input ${hex(input)}`);
  for (const { ms: mib, input } of heavy.sort((a, b) => b.ms - a.ms).slice(0, 3)) console.log(`HEAVY ${target.name} heap +${mib.toFixed(0)} MiB: input ${hex(input)}`);
  return { name: target.name, executions, seconds: (performance.now() - started) / 1000, failures, slow: slow.length, heavy: heavy.length };
}

const PROVIDERS = { fuzzing: insecureFuzzingProvider, noble: nobleProvider, node: nodeCryptoProvider } as const;

function main(): void {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
      target: { type: 'string' },
      provider: { type: 'string', default: 'fuzzing' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const seed = Number(values.seed);
  if (values.help || !(seconds > 0) || !Number.isInteger(seed) || !Object.hasOwn(PROVIDERS, values.provider!)) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const provider = PROVIDERS[values.provider as keyof typeof PROVIDERS];
  const all = [...fuzzTargets(provider), ...providerDifferentialTargets()];
  const targets = all.filter((t) => !values.target || t.name === values.target || t.name.startsWith(values.target));
  if (values.list || targets.length === 0) {
    for (const t of all) console.log(t.name);
    if (targets.length === 0) process.exitCode = 2;
    return;
  }
  const budgetMs = (seconds * 1000) / targets.length;
  console.log(`fuzzing ${targets.length} targets for ${seconds}s (seed ${seed}, stateful crypto: ${provider.name})`);
  const reports = targets.map((t) => fuzzOne(t, seed, budgetMs));
  const width = Math.max(...reports.map((r) => r.name.length));
  console.log(`\n${'target'.padEnd(width)}  ${'execs'.padStart(9)}  ${'execs/s'.padStart(9)}  failures  >${SLOW_INPUT_MS}ms  >${HEAVY_INPUT_MIB}MiB`);
  for (const r of reports) {
    console.log(
      `${r.name.padEnd(width)}  ${String(r.executions).padStart(9)}  ${(r.executions / r.seconds).toFixed(0).padStart(9)}  ${String(r.failures).padStart(8)}  ${String(r.slow).padStart(6)}  ${String(r.heavy).padStart(7)}`,
    );
  }
  const failed = reports.reduce((n, r) => n + r.failures, 0);
  console.log(failed === 0 ? '\nno failures' : `\n${failed} distinct failures saved under test/regressions/`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await runMain(main);
