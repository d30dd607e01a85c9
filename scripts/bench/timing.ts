// Time-budgeted loops: a short warm-up (so the JIT has compiled the hot paths), then as many rounds as fit
// in the budget. Operations compared with each other run alternately, one of each per round, so a change in
// machine load during the run (other processes, CPU frequency) weighs on all of them alike.
import { performance } from 'node:perf_hooks';

export interface Measurement {
  iterations: number;
  elapsedMs: number;
  /** CPU time of the whole process (all threads) over the same spans: near elapsedMs unless others took the CPU. */
  cpuMs: number;
  /** Each iteration's wall time and CPU time: medians shrug off the iterations another process interrupted. */
  samplesMs: number[];
  cpuSamplesMs: number[];
}

/** Milliseconds of CPU time this process has used (all threads; µs resolution, about 3 µs per read). */
export function cpuClock(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function wallClock(): number {
  return performance.now();
}

/** The warm-up takes this share of the budget. */
const WARMUP_SHARE = 0.2;
const MIN_ROUNDS = 3;

export function perSecond(m: Measurement): number {
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

/** A synchronous operation, or one that completes asynchronously (awaited before the next one starts). */
export type Operation = () => void | Promise<void>;

async function rounds(budgetMs: number, operations: Operation[]): Promise<Measurement[]> {
  const results: Measurement[] = operations.map(() => ({ iterations: 0, elapsedMs: 0, cpuMs: 0, samplesMs: [], cpuSamplesMs: [] }));
  let spentMs = 0;
  for (let round = 0; round < MIN_ROUNDS || spentMs < budgetMs; round++) {
    for (const [i, operation] of operations.entries()) {
      const cpuStart = cpuClock();
      const start = wallClock();
      const pending = operation();
      // A synchronous operation never yields to the event loop, so it pays no await.
      if (pending) await pending;
      const elapsedMs = wallClock() - start;
      const cpuMs = cpuClock() - cpuStart;
      const result = results[i]!;
      result.iterations++;
      result.elapsedMs += elapsedMs;
      result.cpuMs += cpuMs;
      result.samplesMs.push(elapsedMs);
      result.cpuSamplesMs.push(cpuMs);
      spentMs += elapsedMs;
    }
  }
  return results;
}

/**
 * Runs the operations alternately for about `seconds` each, after a warm-up; `beforeMeasuring` runs between
 * the two. One Measurement per operation, in order.
 */
export async function measure(seconds: number, operations: Operation[], beforeMeasuring?: () => void): Promise<Measurement[]> {
  const budgetMs = seconds * 1000 * operations.length;
  await rounds(budgetMs * WARMUP_SHARE, operations);
  beforeMeasuring?.();
  return rounds(budgetMs, operations);
}
