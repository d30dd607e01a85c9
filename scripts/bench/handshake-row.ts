// A handshake row: its contenders in their processes (isolated.ts), their interleaved slices, and what the row
// reports: our handshakes per second beside node:tls's, the engine's overhead over its primitives from pairs of a
// handshake and its provider calls replayed, and the metered run's primitive table.
import { loadavg } from 'node:os';
import { X25519, type HandshakeCase } from './cases.js';
import { contenderName, type ContenderSpec } from './contender-process.js';
import { ProgressDeadline } from './deadline.js';
import { ContenderProcess, type IsolatedContender } from './isolated.js';
import { nodeTlsHasGroup } from './node-tls.js';
import { percentSpreadText } from './report.js';
import type { ClockName, HandshakeRow, Isolation, PrimitiveShare, ProviderName, ProviderRun, Rate } from './run.js';
import { cpuMsPer, emptyMeasurement, mean, measure, median, msPer, perSecond, roundRatios, spread, warmUpFor, type Measurement, type WarmUp } from './timing.js';

/** The metered run: one slice of this share of the row's seconds, after the rounds. */
const METERED_SHARE = 0.25;

/** A row's contenders: per provider ours and ours paired with its primitives, then node:tls; ours metered apart. */
interface RowSpecs {
  /** In the interleaved rounds: per provider ours then ours paired, then node:tls where it has the row's group. */
  timed: ContenderSpec[];
  /** Ours metered, per provider: one slice each after the rounds, for the primitive table. */
  metered: ContenderSpec[];
  /** The processes: each an array of specs from `timed` and `metered`. */
  processes: ContenderSpec[][];
}

function rowSpecs(c: HandshakeCase, providers: ProviderName[], clockName: ClockName, isolation: Isolation): RowSpecs {
  const timed = providers.flatMap((provider): ContenderSpec[] => [
    { kind: 'engine', caseName: c.name, provider },
    { kind: 'paired', caseName: c.name, provider, clock: clockName },
  ]);
  if (nodeTlsHasGroup(c)) timed.push({ kind: 'node:tls', caseName: c.name });
  const metered = providers.map((provider): ContenderSpec => ({ kind: 'engine', caseName: c.name, provider, metered: clockName }));
  const all = [...timed, ...metered];
  return { timed, metered, processes: isolation === 'shared' ? [all] : all.map((spec) => [spec]) };
}

const processLabel = (spec: ContenderSpec) => `${contenderName(spec)}${spec.kind === 'node:tls' ? '' : ` (${spec.provider})`}`;

/** The processes of `specs.processes`, started at once; the contenders by spec. */
async function startContenders(specs: RowSpecs, warmUp: WarmUp, row: string): Promise<Map<ContenderSpec, IsolatedContender>> {
  const started = await Promise.allSettled(specs.processes.map((group) => ContenderProcess.start(group, warmUp, `${row}, ${group.map(processLabel).join(' + ')}`)));
  const contenders = new Map<ContenderSpec, IsolatedContender>();
  started.forEach((s, i) => {
    if (s.status === 'fulfilled') specs.processes[i]!.forEach((spec, j) => contenders.set(spec, s.value[j]!));
  });
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    ContenderProcess.close([...contenders.values()]);
    throw failed.reason;
  }
  return contenders;
}

function rate(m: Measurement, contender: IsolatedContender): Rate {
  return {
    perSecond: perSecond(m),
    msEach: msPer(m),
    medianMs: median(m.samplesMs),
    medianCpuMs: median(m.cpuSamplesMs),
    cpuMsEach: cpuMsPer(m),
    iterations: m.iterations,
    collectionsEach: contender.collections / m.iterations,
    gcPauseMsEach: contender.gcPauseMs / m.iterations,
  };
}

/**
 * Per round, from the pairs of that round's slice (`pairsPerRound`; the samples lie one round after the other):
 * handshake ms minus primitives ms per pair, that over the primitives' in percent, and the same from medians.
 */
export function overheads(handshakeMs: readonly number[], primitivesMs: readonly number[], pairsPerRound: readonly number[]): Pick<ProviderRun, 'engineMs' | 'overhead' | 'typicalOverhead'> {
  const rounds = (samples: readonly number[]) => {
    let first = 0;
    return pairsPerRound.map((pairs) => samples.slice(first, (first += pairs)));
  };
  const [t, p] = [rounds(handshakeMs), rounds(primitivesMs)];
  const percentOver = (x: number, y: number) => ((x - y) / y) * 100;
  return {
    engineMs: spread(t.map((ts, round) => mean(ts) - mean(p[round]!))),
    overhead: spread(t.map((ts, round) => percentOver(mean(ts), mean(p[round]!)))),
    typicalOverhead: spread(t.map((ts, round) => percentOver(median(ts), median(p[round]!)))),
  };
}

/** Ours metered: one slice after the rounds, its tally per handshake. */
async function meteredRun(contender: IsolatedContender, ms: number, clockName: ClockName, row: string): Promise<ProviderRun['metered'] & { overheadPercent: number }> {
  await contender.reset();
  const m = emptyMeasurement();
  const deadline = new ProgressDeadline(`${row}, ${contender.name}`);
  await deadline.guard(contender.runSlice(ms, m, deadline));
  const perHandshake = (x: number) => x / m.iterations;
  const primitives: Record<string, PrimitiveShare> = {};
  for (const [primitive, cost] of ((await contender.tally()) ?? []).sort(([a], [b]) => a.localeCompare(b))) {
    primitives[primitive] = { callsPerHandshake: perHandshake(cost.calls), msPerHandshake: perHandshake(cost.ms - cost.timedCalls * contender.biasMsPerCall) };
  }
  const primitiveMs = mean(contender.primitiveSamplesMs);
  const handshakeMs = clockName === 'cpu' ? cpuMsPer(m) : msPer(m);
  return { ...rate(m, contender), primitiveMsPerHandshake: primitiveMs, primitives, biasMsPerCall: contender.biasMsPerCall, overheadPercent: ((handshakeMs - primitiveMs) / primitiveMs) * 100 };
}

export async function handshakeRow(c: HandshakeCase, providers: ProviderName[], seconds: number, clockName: ClockName, isolation: Isolation): Promise<HandshakeRow> {
  const row = `handshakes, ${c.name}`;
  const specs = rowSpecs(c, providers, clockName, isolation);
  const contenders = await startContenders(specs, warmUpFor(seconds), row);
  try {
    const timed = specs.timed.map((spec) => contenders.get(spec)!);
    const measurements = await measure(seconds, timed, async () => {
      for (const contender of timed) await contender.reset();
    }, { row });
    const measured = (spec: ContenderSpec) => measurements[specs.timed.indexOf(spec)]!;
    const nodeTlsSpec = specs.timed.find((spec) => spec.kind === 'node:tls');
    const nodeRun = nodeTlsSpec && measured(nodeTlsSpec);
    const runs: ProviderRun[] = [];
    for (const [i, provider] of providers.entries()) {
      const [oursSpec, pairedSpec] = [specs.timed[2 * i]!, specs.timed[2 * i + 1]!];
      const ours = measured(oursSpec);
      const { handshakeSamplesMs, primitiveSamplesMs } = contenders.get(pairedSpec)!;
      const { overheadPercent: meteredOverheadPercent, ...metered } = await meteredRun(contenders.get(specs.metered[i]!)!, seconds * 1000 * METERED_SHARE, clockName, row);
      const { engineMs, overhead, typicalOverhead } = overheads(handshakeSamplesMs, primitiveSamplesMs, measured(pairedSpec).slices.map((s) => s.iterations));
      runs.push({
        provider,
        engine: rate(ours, contenders.get(oursSpec)!),
        paired: {
          handshakeMs: mean(handshakeSamplesMs),
          medianHandshakeMs: median(handshakeSamplesMs),
          primitivesMs: mean(primitiveSamplesMs),
          medianPrimitivesMs: median(primitiveSamplesMs),
          pairs: primitiveSamplesMs.length,
          warmUpPairs: contenders.get(pairedSpec)!.warmedUp.iterations,
        },
        engineMs,
        overhead,
        overheadPercent: overhead.median,
        typicalOverhead,
        metered,
        meteredOverheadPercent,
        vsNodeTls: nodeRun ? roundRatios(ours, nodeRun) : null,
      });
    }
    return {
      name: c.name,
      description: c.description,
      trust: c.trust.kind,
      mutual: c.clientIdentity !== undefined,
      variant: c.variant ?? 'certificate',
      group: (c.group ?? X25519).name,
      loadAverage: loadavg()[0]!,
      runs,
      nodeTls: nodeRun ? rate(nodeRun, contenders.get(nodeTlsSpec!)!) : null,
    };
  } finally {
    ContenderProcess.close([...contenders.values()]);
  }
}


/**
 * A handshake row's progress line: per provider ours's handshakes per second (mean wall time) and its overhead
 * over its primitives replayed (median and range of the rounds), then node:tls's rate and where it ran.
 */
export function handshakeProgress(row: HandshakeRow, isolation: Isolation): string {
  const runs = row.runs.map((r) => `${r.provider} ${r.engine.perSecond.toFixed(1)}/s (overhead % ${percentSpreadText(r.overhead)} after ${r.paired.warmUpPairs} warm-up pairs)`).join(', ');
  const where = isolation === 'process' ? 'alone in its process' : 'in the shared process';
  return `handshake ${row.name}: ${runs}, node:tls ${row.nodeTls ? `${row.nodeTls.perSecond.toFixed(1)}/s ${where}` : `has no ${row.group}`}`;
}

