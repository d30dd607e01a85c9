// node dist/scripts/bench/engine-instructions.js [--case 'NAME,NAME'] [--provider noble|node] [--count N] [--rounds N] [--warmup N] [--cache-sim] [--keep PREFIX]
// The "overhead %" column of the handshake rows (ours paired: a handshake, then its provider calls replayed alone,
// provider-replay.ts) in instructions instead of CPU time: a measure the machine's load does not move. A child
// process runs under valgrind's callgrind with counting off, warms up handshakes and replays alternately (as the
// paired contender does), then counts `rounds` phases of N handshakes and of N replays of one handshake's provider
// calls, in turn, each dumped. Engine instructions = handshake − replay, and per layer (callgrind-layers.ts: JIT
// code named through node's --perf-basic-prof map). With --cache-sim, callgrind also simulates the caches of one
// core: where the handshake's primitives ran slower than their replay with the same instructions, the misses would
// show it (docs/performance-noble-notes.md, session 16). --keep PREFIX keeps the dumps and the perf map.
// A case `bulk SUITE` (e.g. --case 'bulk AES-128-GCM' --provider node --warmup 3000 --count 100) counts one 16 KiB
// record through a connected pair against the bare AEAD's seal and open of it instead: "handshake" then reads
// "record", "replay" the bare AEAD (docs/performance-bulk-notes.md, session 18).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GCProfiler } from 'node:v8';
import { systemRandom } from '../../src/crypto/random.js';
import { makeCases } from './cases.js';
import { runMain, withDeadline } from './deadline.js';
import { engineHandshake, engineRecordTransfer, rawAeadRoundTrip } from './engine.js';
import { RecordPool } from '../../src/node/record-pool.js';
import { SUITES } from '../../src/handshake/suites.js';
import { recordProviderCalls } from './provider-replay.js';
import { table } from './report.js';
import { PROVIDERS, type ProviderName } from './run.js';
import { MIN_SEMI_SPACE_MIB } from './isolated.js';
import { valgrindMissing } from './server-instructions.js';
import { CACHES, LAYERS, layerCosts, type Layer } from './callgrind-layers.js';

const SELF = fileURLToPath(import.meta.url);
const COMPILER = 'v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal';

/**
 * Child: warms up, then on each line of stdin runs one phase, handshakes and replays in turn, and answers "done"
 * with the collections V8 made in it (GCProfiler: scavenges and mark-compacts).
 */
async function child(caseName: string, provider: ProviderName, warmup: number, count: number): Promise<void> {
  const phases = childPhases(caseName, provider);
  for (let i = 0; i < warmup; i++) for (const phase of phases) phase();
  console.log('ready');
  let next = 0;
  for await (const _ of createInterface({ input: process.stdin })) {
    const phase = phases[next++ % phases.length]!;
    const profiler = new GCProfiler();
    profiler.start();
    for (let i = 0; i < count; i++) phase();
    const collections: Record<string, number> = {};
    for (const { gcType } of profiler.stop().statistics) collections[gcType] = (collections[gcType] ?? 0) + 1;
    console.log(`done ${JSON.stringify(collections)}`);
  }
}

/**
 * The two kinds of phase, ours first: a handshake and the replay of its provider calls; or, for a case named
 * `bulk SUITE`, one 16 KiB record from client to server sealed into a RecordPool (the bench's "ours" bulk row)
 * and one seal and open of the same inner plaintext with the bare AEAD (its "bare" row).
 */
function childPhases(caseName: string, provider: ProviderName): [() => void, () => void] {
  const suite = caseName.startsWith(BULK) ? [...SUITES.values()].find((s) => s.aead === caseName.slice(BULK.length)) : undefined;
  if (suite) {
    const transfer = engineRecordTransfer(makeCases()[0]!, suite, PROVIDERS[provider], systemRandom, 1, new RecordPool(1));
    return [transfer, rawAeadRoundTrip(suite.aead, PROVIDERS[provider], systemRandom, 1)];
  }
  const c = makeCases().find((c) => c.name === caseName);
  if (!c) throw new Error(`no case ${caseName} (nor bulk with a suite name)`);
  const handshake = engineHandshake(c, PROVIDERS[provider], systemRandom);
  const recording = recordProviderCalls(PROVIDERS[provider], systemRandom, (recorder, random) => engineHandshake(c, recorder, random), { skip: 1 });
  return [handshake, () => recording.replay(systemRandom)];
}

/** The prefix of a bulk case: `bulk AES-128-GCM`. */
const BULK = 'bulk ';

interface Counts {
  instructions: number;
  /** Without V8's optimising compiler threads. */
  mainInstructions: number;
  events: Map<string, number>;
  /** Collections in the phases, by V8's gcType. */
  collections: Record<string, number>;
  /** Per layer (callgrind-layers.ts), per event, per iteration. */
  byLayer?: LayerCounts;
}

type LayerCounts = Map<Layer, Map<string, number>>;

/** The dump's totals (all threads) and, apart, V8's optimising compiler threads'. */
function readCounts(file: string): Omit<Counts, 'collections'> {
  const text = execFileSync('callgrind_annotate', ['--auto=no', '--inclusive=yes', '--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const names = /^Events shown:\s+(.*)$/m.exec(text)![1]!.trim().split(/\s+/);
  // "997,705,905 (100.0%) 230,197,168 (100.0%) ...  PROGRAM TOTALS": one count per event, each with its share.
  const totals = [.../^(.*)PROGRAM TOTALS/m.exec(text)![1]!.matchAll(/([\d,]+) \(/g)].map((m) => Number(m[1]!.replaceAll(',', '')));
  const events = new Map(names.map((name, i) => [name, totals[i] ?? 0]));
  const compilerLine = text.split('\n').find((line) => line.includes(COMPILER));
  const compiler = compilerLine ? Number(compilerLine.trim().split(/\s+/)[0]!.replaceAll(',', '')) : 0;
  const instructions = events.get('Ir')!;
  return { instructions, mainInstructions: instructions - compiler, events };
}

/** Counts of `rounds` phases of each kind added together. */
function added(a: Counts | undefined, b: Counts): Counts {
  if (!a) return b;
  const events = new Map([...a.events].map(([name, n]) => [name, n + (b.events.get(name) ?? 0)]));
  const collections = { ...a.collections };
  for (const [kind, n] of Object.entries(b.collections)) collections[kind] = (collections[kind] ?? 0) + n;
  return { instructions: a.instructions + b.instructions, mainInstructions: a.mainInstructions + b.mainInstructions, events, collections };
}

/**
 * Handshakes and replays in alternate phases of `count`, `rounds` of each, counts added per kind: a collection
 * (a mark-compact above all) lands in one phase, and a phase of each kind alone would charge it to one of them.
 */
async function measure(caseName: string, provider: ProviderName, { warmup, count, rounds }: Phases, cacheSim: boolean, keep?: string): Promise<[Counts, Counts]> {
  const folder = mkdtempSync(join(tmpdir(), 'engine-instructions-'));
  const out = join(folder, 'out.callgrind');
  const valgrind = ['-q', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, ...(cacheSim ? CACHES : [])];
  const node = [`--min-semi-space-size=${MIN_SEMI_SPACE_MIB}`, '--perf-basic-prof', SELF, '--child', caseName, '--provider', provider, '--warmup', String(warmup), '--count', String(count)];
  const childProcess = spawn('valgrind', [...valgrind, process.execPath, ...node], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: childProcess.stdout! })[Symbol.asyncIterator]();
    const next = async (what: string) => {
      const line = await withDeadline(lines.next(), `engine instructions: ${caseName} ${what}`, 60 * 60_000);
      if (line.done) throw new Error(`engine instructions: ${caseName}: the child ended before ${what}`);
      return line.value;
    };
    await next('warm-up');
    execFileSync('callgrind_control', ['-i', 'on', String(childProcess.pid)], { stdio: 'ignore' });
    const sums: [Counts | undefined, Counts | undefined] = [undefined, undefined];
    for (let dump = 1; dump <= 2 * rounds; dump++) {
      const kind = (dump - 1) % 2;
      childProcess.stdin!.write('go\n');
      const done = await next(kind === 0 ? 'handshakes' : 'replays');
      execFileSync('callgrind_control', ['-d', String(childProcess.pid)], { stdio: 'ignore' });
      const counts: Counts = { ...readCounts(`${out}.${dump}`), collections: JSON.parse(done.slice('done '.length)) as Record<string, number> };
      sums[kind] = added(sums[kind], counts);
      if (keep) execFileSync('cp', [`${out}.${dump}`, `${keep}.${kind === 0 ? 'handshakes' : 'replays'}.${Math.ceil(dump / 2)}.callgrind`]);
    }
    const map = `/tmp/perf-${childProcess.pid}.map`;
    if (keep) execFileSync('cp', [map, `${keep}.perf.map`]);
    // The layers once every dump is made: the map then names all the code the dumps ran.
    const mapText = readFileSync(map, 'utf8');
    rmSync(map, { force: true });
    const layers: [LayerCounts, LayerCounts] = [new Map(), new Map()];
    for (let dump = 1; dump <= 2 * rounds; dump++) {
      const { events, byLayer } = layerCosts(readFileSync(`${out}.${dump}`, 'utf8'), mapText);
      const into = layers[(dump - 1) % 2]!;
      for (const [layer, costs] of byLayer) {
        const sums = into.get(layer) ?? new Map<string, number>();
        events.forEach((event, i) => sums.set(event, (sums.get(event) ?? 0) + costs[i]! / (count * rounds)));
        into.set(layer, sums);
      }
    }
    const perIteration = (c: Counts, byLayer: LayerCounts): Counts => ({
      instructions: c.instructions / (count * rounds),
      mainInstructions: c.mainInstructions / (count * rounds),
      events: new Map([...c.events].map(([name, n]) => [name, n / (count * rounds)])),
      collections: c.collections,
      byLayer,
    });
    return [perIteration(sums[0]!, layers[0]), perIteration(sums[1]!, layers[1])];
  } finally {
    childProcess.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
}

interface Phases {
  warmup: number;
  count: number;
  rounds: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      case: { type: 'string', default: 'psk resumption,ed25519 pinned' },
      provider: { type: 'string', default: 'noble' },
      count: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '6' },
      warmup: { type: 'string', default: '600' },
      'cache-sim': { type: 'boolean', default: false },
      keep: { type: 'string' },
    },
  });
  const provider = values.provider as ProviderName;
  const phases = { warmup: Number(values.warmup), count: Number(values.count), rounds: Number(values.rounds) };
  if (values.child !== undefined) return child(values.child, provider, phases.warmup, phases.count);
  const missing = valgrindMissing();
  if (missing) throw new Error(missing);
  const rows: string[][] = [];
  const layerTables: string[] = [];
  const millions = (n: number) => (n / 1e6).toFixed(3);
  const thousands = (n: number) => (n / 1e3).toFixed(1);
  const gcs = (c: Counts) => Object.entries(c.collections).map(([kind, n]) => `${GC_TYPES[kind] ?? kind} ${n}`).join(' ') || 'none';
  for (const caseName of values.case.split(',')) {
    const [h, r] = await measure(caseName, provider, phases, values['cache-sim'], values.keep && `${values.keep}.${caseName.replaceAll(' ', '-')}`);
    const engine = h.mainInstructions - r.mainInstructions;
    const misses = [...h.events.keys()].filter((e) => e !== 'Ir').map((e) => `${e} ${thousands(h.events.get(e)!)}/${thousands(r.events.get(e)!)}`);
    rows.push([caseName, millions(h.mainInstructions), millions(r.mainInstructions), millions(engine), ((engine / r.mainInstructions) * 100).toFixed(1), `${millions(h.instructions - h.mainInstructions)}/${millions(r.instructions - r.mainInstructions)}`, `${gcs(h)} / ${gcs(r)}`, misses.join(', ') || '-']);
    console.error(`${caseName}: done`);
    layerTables.push(`${caseName}:\n` + layerTable(h, r));
  }
  console.log(
    `Instructions per handshake and per replay of its provider calls (callgrind, millions; ${provider} provider; ${phases.rounds} rounds of ${phases.count} ` +
      `of each after ${phases.warmup} warm-up pairs; every thread but V8's optimising compiler, whose own are apart; collections in all the phases of each kind; ` +
      `cache events (--cache-sim) in thousands, handshake/replay):\n` +
      table(['case', 'handshake', 'replay', 'engine', 'engine %', 'compiler', 'collections', 'cache events'], rows, 1) +
      '\n\nBy layer (self costs; JIT code named by node --perf-basic-prof), thousands per handshake / per replay:\n' +
      layerTables.join('\n'),
  );
}

/** Per layer: instructions and, with --cache-sim, first-level and L2 misses, handshake against replay. */
function layerTable(h: Counts, r: Counts): string {
  const events = [...(h.byLayer?.values().next().value?.keys() ?? [])].filter((e) => e === 'Ir' || e.endsWith('mr') || e.endsWith('mw'));
  const cell = (c: Counts, layer: Layer, event: string) => (c.byLayer?.get(layer)?.get(event) ?? 0) / 1e3;
  const rows = LAYERS.filter((layer) => h.byLayer?.has(layer) || r.byLayer?.has(layer)).map((layer) => [
    layer,
    ...events.flatMap((event) => [`${cell(h, layer, event).toFixed(1)} / ${cell(r, layer, event).toFixed(1)}`, (cell(h, layer, event) - cell(r, layer, event)).toFixed(1)]),
  ]);
  return table(['layer', ...events.flatMap((e) => [e, `${e} +`])], rows, 1);
}

/** V8's gcType numbers (v8.GCProfiler) by name. */
const GC_TYPES: Readonly<Record<string, string>> = { '1': 'scavenge', '2': 'minor mark-compact', '4': 'mark-compact', '8': 'incremental marking', '16': 'weak callbacks' };

if (import.meta.url === `file://${process.argv[1]}`) await runMain(main);
