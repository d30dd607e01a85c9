// Garbage per handshake: what one handshake allocates (all of it garbage once its connections are dropped)
// and the garbage-collection pauses it causes, for our engine on each provider and for the node:tls reference.
//
// Method. Each contender runs alone, one handshake after another, after a warm-up and two forced collections.
// - Allocation: around every handshake the bench reads V8's used heap (v8.getHeapStatistics) and the bytes
//   held by ArrayBuffer backing stores outside the V8 heap (process.memoryUsage().arrayBuffers: Node's
//   allocator counts every backing store it hands out, Buffer pools included). Between two collections
//   neither count ever drops, so the difference is what the handshake allocated. A handshake during which
//   V8 collected (the new space's used size went down) is left out; the others give the mean. What the
//   reads themselves allocate is measured the same way around an empty operation and subtracted.
// - Pauses: a v8.GCProfiler over the whole run adds up the cost of every collection on this thread (the
//   main-thread pause, µs), divided by the handshakes run. Concurrent marking on V8's helper threads is not a
//   pause and is not counted. How often the new space fills depends on its size, which V8 grows as a process
//   allocates: node:tls runs last, after our runs have grown it, so its collections and pauses per handshake
//   are a lower bound; the allocated bytes are the fair comparison.
// node:tls allocates most of its handshake state with OpenSSL's malloc, which neither count sees: its
// figures are its JavaScript side (TLSSocket, streams, Buffers) only, ours are everything ours allocates.
import { GCProfiler, getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { systemRandom } from '../../src/crypto/random.js';
import type { HandshakeCase } from './cases.js';
import { ProgressDeadline } from './deadline.js';
import { engineHandshake } from './engine.js';
import { garbageCollector } from './memory.js';
import { nodeTlsHandshake } from './node-tls.js';
import { table } from './report.js';
import type { ProviderName } from './run.js';
import { PROVIDERS } from './run.js';
import type { Operation } from './timing.js';

/** The budget: at most this much garbage per handshake with the node provider (heap + array buffers). */
export const GARBAGE_BUDGET_BYTES = 64 * 1024;

export interface GarbageRun {
  /** `ours (node)`, `ours (noble)` or `node:tls`. */
  contender: string;
  handshakes: number;
  /** Handshakes without a collection inside them, which the allocation means come from. */
  cleanHandshakes: number;
  /** Mean bytes allocated per handshake on the V8 heap and in ArrayBuffer backing stores. */
  heapBytes: number;
  arrayBufferBytes: number;
  /** Collections and their main-thread pause per handshake (µs). */
  collections: number;
  pauseMicros: number;
}

export interface GarbageReport {
  case: string;
  runs: GarbageRun[];
  /** The node provider's total against GARBAGE_BUDGET_BYTES (null when it was not measured). */
  budget: { measured: number; goal: number; met: boolean } | null;
}

interface Reading {
  heap: number;
  arrayBuffers: number;
  newSpace: number;
}

function read(): Reading {
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;
  return { heap: getHeapStatistics().used_heap_size, arrayBuffers: process.memoryUsage().arrayBuffers, newSpace };
}

export interface Sampled {
  /** Operations run, and those without a collection inside (the means come from those). */
  handshakes: number;
  clean: number;
  /** Mean bytes per operation, as read (no floor subtracted); collections and pause µs per operation. */
  heapBytes: number;
  arrayBufferBytes: number;
  collections: number;
  pauseMicros: number;
}

/**
 * Allocation and collections per run of `operation`, `count` runs after a warm-up (see the method above);
 * a run that never completes fails with a BenchStall naming `what`.
 */
export function sample(operation: Operation, count: number, gc: () => void, what: string): Promise<Sampled> {
  const deadline = new ProgressDeadline(what);
  return deadline.guard(sampleRuns(operation, count, gc, deadline));
}

async function sampleRuns(operation: Operation, count: number, gc: () => void, deadline: ProgressDeadline): Promise<Sampled> {
  for (let i = 0; i < Math.max(20, count / 5); i++) {
    await operation();
    deadline.progress();
  }
  gc();
  gc();
  const profiler = new GCProfiler();
  profiler.start();
  let [clean, heap, arrayBuffers] = [0, 0, 0];
  for (let i = 0; i < count; i++) {
    const before = read();
    const pending = operation();
    if (pending) await pending;
    const after = read();
    deadline.progress();
    // A collection inside the handshake empties the new space, which otherwise only grows.
    if (after.newSpace < before.newSpace || after.heap < before.heap || after.arrayBuffers < before.arrayBuffers) continue;
    clean++;
    heap += after.heap - before.heap;
    arrayBuffers += after.arrayBuffers - before.arrayBuffers;
  }
  const { statistics } = profiler.stop();
  return {
    handshakes: count,
    clean,
    heapBytes: clean > 0 ? heap / clean : NaN,
    arrayBufferBytes: clean > 0 ? arrayBuffers / clean : NaN,
    collections: statistics.length / count,
    pauseMicros: statistics.reduce((sum, s) => sum + s.cost, 0) / count,
  };
}

export interface GarbageOptions {
  providers: ProviderName[];
  /** Handshakes per contender (default 400). */
  handshakes?: number;
  progress?: (line: string) => void;
}

/** Garbage and GC pauses per handshake of `c` for our engine on each provider and for node:tls. */
export async function measureGarbage(c: HandshakeCase, options: GarbageOptions): Promise<GarbageReport> {
  const gc = garbageCollector();
  const count = options.handshakes ?? 400;
  const floor = await sample(() => {}, count, gc, 'garbage, the empty operation');
  const contenders: [string, Operation][] = [
    ...options.providers.map((name): [string, Operation] => [`ours (${name})`, engineHandshake(c, PROVIDERS[name], systemRandom)]),
    ['node:tls', nodeTlsHandshake(c)],
  ];
  const runs: GarbageRun[] = [];
  for (const [contender, operation] of contenders) {
    const s = await sample(operation, contender === 'ours (noble)' ? Math.ceil(count / 8) : count, gc, `garbage, ${c.name}, ${contender}`);
    const run: GarbageRun = {
      contender,
      handshakes: s.handshakes,
      cleanHandshakes: s.clean,
      heapBytes: s.heapBytes - floor.heapBytes,
      arrayBufferBytes: s.arrayBufferBytes - floor.arrayBufferBytes,
      collections: s.collections,
      pauseMicros: s.pauseMicros,
    };
    options.progress?.(`garbage ${c.name} ${contender}: ${((run.heapBytes + run.arrayBufferBytes) / 1024).toFixed(1)} KiB, ${run.pauseMicros.toFixed(0)} µs of GC per handshake`);
    runs.push(run);
  }
  const node = runs.find((r) => r.contender === 'ours (node)');
  const measured = node ? node.heapBytes + node.arrayBufferBytes : NaN;
  return { case: c.name, runs, budget: node ? { measured, goal: GARBAGE_BUDGET_BYTES, met: measured <= GARBAGE_BUDGET_BYTES } : null };
}

export function renderGarbage(report: GarbageReport): string {
  const kib = (bytes: number) => bytes / 1024;
  const budget = report.budget
    ? `Budget (node provider, heap + array buffers): <= ${kib(report.budget.goal).toFixed(0)} KiB per handshake: ${kib(report.budget.measured).toFixed(1)} KiB, ${report.budget.met ? 'met' : 'MISSED'}`
    : 'Budget: the node provider was not measured.';
  return [
    `Garbage per handshake (${report.case}): allocated per handshake, mean over the handshakes without a collection inside, the`,
    'empty-operation floor subtracted; collections and their main-thread pause per handshake from v8.GCProfiler; node:tls: its',
    "JavaScript side only (OpenSSL's own mallocs are not seen):",
    table(
      ['contender', 'heap KiB', 'array buffers KiB', 'total KiB', 'GCs', 'GC pause µs', 'clean / run'],
      report.runs.map((r) => [r.contender, kib(r.heapBytes), kib(r.arrayBufferBytes), kib(r.heapBytes + r.arrayBufferBytes), r.collections, r.pauseMicros, `${r.cleanHandshakes}/${r.handshakes}`]),
      2,
    ),
    budget,
    '',
  ].join('\n');
}
