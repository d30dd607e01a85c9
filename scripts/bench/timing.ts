// Interleaved time slices: each contender runs alone, again and again, for a slice of time; one slice of
// each contender makes a round, and the rounds follow each other. A change in machine load (other
// processes, CPU frequency) lands within a round on all contenders alike, so the ratio of two contenders'
// rates within one round is what a loaded machine can still measure honestly: the bench reports the
// median and range of those per-round ratios. A contender never shares its slice with another, so neither
// pays for the other's caches, JIT deoptimisations or garbage (one handshake of each in turn did: it cut
// node:tls's rate by almost half).
import { performance } from 'node:perf_hooks';
import { ProgressDeadline, STALL_MS } from './deadline.js';

/** One contender's work in one slice. */
export interface Slice {
  iterations: number;
  elapsedMs: number;
  cpuMs: number;
}

export interface Measurement {
  iterations: number;
  elapsedMs: number;
  /** CPU time of the whole process (all threads) over the same spans: near elapsedMs unless others took the CPU. */
  cpuMs: number;
  /** Each iteration's wall time and CPU time: medians shrug off the iterations another process interrupted. */
  samplesMs: number[];
  cpuSamplesMs: number[];
  /** One slice per round, in round order: the same index is the same round for every contender. */
  slices: Slice[];
}

/** Milliseconds of CPU time this process has used (all threads; µs resolution, about 3 µs per read). */
export function cpuClock(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function wallClock(): number {
  return performance.now();
}

/** The warm-up (one slice per contender, before the rounds) takes this share of the budget. */
const WARMUP_SHARE = 0.2;
/** Rounds per measurement: each contender's budget is cut into this many slices. */
export const ROUNDS = 5;

export function perSecond(m: Measurement | Slice): number {
  return (m.iterations * 1000) / m.elapsedMs;
}

export function msPer(m: Measurement): number {
  return m.elapsedMs / m.iterations;
}

export function cpuMsPer(m: Measurement): number {
  return m.cpuMs / m.iterations;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A median with the smallest and largest value it was taken from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** A median with its quartiles (the middle half of the rounds) and its range, as text. */
export function showQuartiles(values: readonly number[]): string {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))]!.toFixed(2);
  const { median, min, max } = spread(values);
  return `${median.toFixed(2)} (${at(0.25)}-${at(0.75)}; ${min.toFixed(2)}-${max.toFixed(2)})`;
}

/** Operations per second of this process's CPU time: what other processes take of the machine does not count. */
export function perCpuSecond(m: Measurement | Slice): number {
  return (m.iterations * 1000) / m.cpuMs;
}

/**
 * Per round, slice `a[round]`'s rate over `b[round]`'s: the slices of one round ran under the same load.
 * `rate` picks the clock (wall time by default, perCpuSecond for CPU time).
 */
export function sliceRatios(a: readonly Slice[], b: readonly Slice[], rate: (s: Slice) => number = perSecond): number[] {
  return a.map((slice, round) => rate(slice) / rate(b[round]!));
}

/** Per round, `a`'s rate over `b`'s (`a` per second / `b` per second in the same round), as a Spread. */
export function roundRatios(a: Measurement, b: Measurement, rate: (m: Slice) => number = perSecond): Spread {
  return spread(sliceRatios(a.slices, b.slices, rate));
}

/**
 * Each slice as one iteration of its median iteration's CPU time (the slices' samples lie in cpuSamplesMs one
 * slice after the other): what an iteration costs when no collection and no other process hit it. Rates and
 * round ratios of these leave out what garbage adds; the slices themselves keep it (bulk-compare.ts).
 */
export function typicalSlices(m: Measurement): Slice[] {
  return medianCpuPerRound(m).map((cpuMs) => ({ iterations: 1, elapsedMs: 0, cpuMs }));
}

/** Per slice (one a round), its median iteration's CPU ms (the slices' samples lie one slice after the other). */
export function medianCpuPerRound(m: Measurement): number[] {
  let first = 0;
  return m.slices.map((slice) => median(m.cpuSamplesMs.slice(first, (first += slice.iterations))));
}

/**
 * Per round, `a`'s typical iteration rate over `b`'s on the CPU clock (typicalSlices): the work per iteration,
 * without the collections that land in whichever slice runs when V8 decides (often another contender's).
 */
export function typicalRoundRatios(a: Measurement, b: Measurement): Spread {
  return spread(sliceRatios(typicalSlices(a), typicalSlices(b), perCpuSecond));
}

/** A synchronous operation, or one that completes asynchronously (awaited before the next one starts). */
export type Operation = () => void | Promise<void>;

/**
 * A contender that runs its slices elsewhere (in a process of its own: isolated.ts): it adds one slice of
 * about `sliceMs` to `into`, reporting progress to `deadline` as its iterations come back.
 */
export interface SliceRunner {
  readonly name: string;
  runSlice(sliceMs: number, into: Measurement, deadline: ProgressDeadline): Promise<void>;
}

/** What interleave() takes turns between: an operation run here, or a contender that runs its own slices. */
export type Contender = Operation | SliceRunner;

export function emptyMeasurement(): Measurement {
  return { iterations: 0, elapsedMs: 0, cpuMs: 0, samplesMs: [], cpuSamplesMs: [], slices: [] };
}

/**
 * Runs `operation` over and over for `sliceMs` of wall time (at least once), adding to `into`; each
 * iteration is progress for `deadline` (an asynchronous iteration that never settles fails the slice).
 */
export function runSlice(operation: Operation, sliceMs: number, into: Measurement, deadline: ProgressDeadline): Promise<void> {
  return runWhile(operation, (slice) => slice.elapsedMs < sliceMs, into, deadline);
}

/**
 * How a contender warms up before it is measured: `iterations` of its operation, or fewer if they would take more
 * than `cpuMs` of its process's CPU time. V8 keeps optimising our engine for thousands of handshakes (its last
 * functions reach TurboFan after about 3500), so a warm-up is counted in iterations; in CPU time, not wall time,
 * so that processes warming up side by side each get all of theirs.
 */
export interface WarmUp {
  iterations: number;
  cpuMs: number;
}

/**
 * A contender's warm-up: WARMUP_ITERATIONS, within WARMUP_CPU_PER_SECOND ms of CPU per ms of the row's `seconds`.
 * The bound lets a noble contender reach the iterations too (a paired noble handshake and its replay take 8–20 ms:
 * 50 s at the default 2 s is 2500–4000 of them): V8 compiles our engine's code for thousands of handshakes whatever
 * the provider, and with the bound at 2 (4 s: ~400 pairs of a resumption) the noble rows counted that compiling as
 * engine overhead (docs/performance-noble-notes.md, session 17). A run of less than SMOKE_SECONDS (the docs' tests
 * run every command at 0.01 s) only shows that the bench works, and keeps the short bound.
 */
export const WARMUP_ITERATIONS = 4000;
const WARMUP_CPU_PER_SECOND = 25;
const SMOKE_SECONDS = 0.5;
const SMOKE_WARMUP_CPU_PER_SECOND = 2;

export function warmUpFor(seconds: number): WarmUp {
  return { iterations: WARMUP_ITERATIONS, cpuMs: seconds * 1000 * (seconds < SMOKE_SECONDS ? SMOKE_WARMUP_CPU_PER_SECOND : WARMUP_CPU_PER_SECOND) };
}

/**
 * Runs `operation` as `plan` says (at least once): the warm-up's iterations and CPU time, as a Slice.
 * `progress` hears of each iteration (a warm-up of a synchronous operation gives no timer a turn).
 */
export async function warmUp(operation: Operation, plan: WarmUp, deadline: ProgressDeadline, progress: () => void): Promise<Slice> {
  const warm = emptyMeasurement();
  const more = (slice: Slice) => {
    progress();
    return slice.iterations < plan.iterations && slice.cpuMs < plan.cpuMs;
  };
  await runWhile(operation, more, warm, deadline);
  return warm.slices[0]!;
}

/** Runs `operation` at least once and then while `more` says so of the slice so far, adding to `into`. */
async function runWhile(operation: Operation, more: (slice: Slice) => boolean, into: Measurement, deadline: ProgressDeadline): Promise<void> {
  const slice: Slice = { iterations: 0, elapsedMs: 0, cpuMs: 0 };
  while (slice.iterations === 0 || more(slice)) {
    const cpuStart = cpuClock();
    const start = wallClock();
    const pending = operation();
    // A synchronous operation never yields to the event loop, so it pays no await.
    if (pending) await pending;
    const elapsedMs = wallClock() - start;
    const cpuMs = cpuClock() - cpuStart;
    // Progress of an asynchronous iteration (a synchronous one cannot stall in a way a timer sees).
    if (pending) deadline.progress(start + elapsedMs);
    slice.iterations++;
    slice.elapsedMs += elapsedMs;
    slice.cpuMs += cpuMs;
    into.samplesMs.push(elapsedMs);
    into.cpuSamplesMs.push(cpuMs);
  }
  into.iterations += slice.iterations;
  into.elapsedMs += slice.elapsedMs;
  into.cpuMs += slice.cpuMs;
  into.slices.push(slice);
}

/**
 * `rounds` rounds of one slice per operation; the first operation of a round moves on by one each round.
 * A slice whose iteration stalls fails with a BenchStall naming `row` and the operation (deadline.ts).
 */
async function interleave(rounds: number, sliceMs: number, operations: Contender[], { row, stallMs }: { row: string; stallMs: number }): Promise<Measurement[]> {
  const results = operations.map(emptyMeasurement);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < operations.length; k++) {
      const i = (round + k) % operations.length;
      const operation = operations[i]!;
      const deadline = new ProgressDeadline(`${row}, ${operation.name || `operation ${i}`}, round ${round + 1} of ${rounds}`, stallMs);
      const slice = typeof operation === 'function' ? runSlice(operation, sliceMs, results[i]!, deadline) : operation.runSlice(sliceMs, results[i]!, deadline);
      await deadline.guard(slice);
    }
  }
  return results;
}

export interface MeasureOptions {
  /** Names the measurement (the row) in the error of an operation that stalled. */
  row?: string;
  /** An asynchronous iteration that has not settled after this long has stalled (default STALL_MS). */
  stallMs?: number;
  /** Rounds of slices (default ROUNDS): more, shorter slices pair each contender's with the others' more closely. */
  rounds?: number;
}

/**
 * Runs each operation for about `seconds` in all, in ROUNDS (or `options.rounds`) interleaved slices, after a
 * warm-up slice of each; `beforeMeasuring` runs between the two. One Measurement per operation, in order.
 */
export async function measure(seconds: number, operations: Contender[], beforeMeasuring?: () => void | Promise<void>, options: MeasureOptions = {}): Promise<Measurement[]> {
  const { row = 'a measurement', stallMs = STALL_MS, rounds = ROUNDS } = options;
  await interleave(1, seconds * 1000 * WARMUP_SHARE, operations, { row: `${row} (warm-up)`, stallMs });
  await beforeMeasuring?.();
  return interleave(rounds, (seconds * 1000) / rounds, operations, { row, stallMs });
}
