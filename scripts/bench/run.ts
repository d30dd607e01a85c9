// The whole bench as one function returning plain numbers (the CLI prints them, the smoke test checks them).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { nobleProvider } from '../../src/crypto/noble.js';
import { systemRandom } from '../../src/crypto/random.js';
import { SUITES } from '../../src/handshake/suites.js';
import { makeCases, type HandshakeCase } from './cases.js';
import { engineHandshake, engineRecordTransfer, rawAeadRoundTrip, RECORD_PAYLOAD } from './engine.js';
import { meteredProvider, meteredRandom, meteringBiasMs, Tally } from './metering.js';
import { nodeTlsHandshake as makeNodeTlsHandshake } from './node-tls.js';
import { cpuClock, cpuMsPer, mean, measure, median, msPer, perSecond, wallClock, type Measurement } from './timing.js';

/** The goal set in the issue: time outside primitives at most this share of the time inside them. */
export const OVERHEAD_TARGET_PERCENT = 10;

export interface Rate {
  perSecond: number;
  /** Mean and median wall time per iteration, and mean and median CPU time. */
  msEach: number;
  medianMs: number;
  medianCpuMs: number;
  cpuMsEach: number;
  iterations: number;
}

export interface PrimitiveShare {
  callsPerHandshake: number;
  msPerHandshake: number;
}

export interface HandshakeRow {
  name: string;
  description: string;
  trust: 'pinned-certificate' | 'ca';
  mutual: boolean;
  /** Our handshake with the plain noble provider. */
  engine: Rate;
  /**
   * Our handshake with the metering provider: its time, the mean time inside primitives per handshake,
   * and per primitive the calls and mean time per handshake.
   */
  metered: Rate & { primitiveMsPerHandshake: number; primitives: Record<string, PrimitiveShare> };
  /**
   * (un-metered handshake − primitive ms) / primitive ms, in percent, from means on the metering clock:
   * the engine's own work next to the crypto. The un-metered handshake time keeps the metering's own cost
   * from being charged to the engine.
   */
  overheadPercent: number;
  /** The same from the metered run alone: includes the cost of metering itself. */
  meteredOverheadPercent: number;
  targetMet: boolean;
  nodeTls: Rate;
}

export interface BulkRow {
  suite: string;
  recordPayloadBytes: number;
  /** Payload megabytes (10^6 bytes) per second through client write -> server data event. */
  engineMBps: number;
  /** The same payload through the bare AEAD: seal and open of one record's inner plaintext. */
  rawAeadMBps: number;
  /** How much longer a record takes through the connection than through the bare AEAD, in percent. */
  framingOverheadPercent: number;
}

/**
 * Which clock times primitives and the overhead comparison. CPU time (the default) does not count the
 * time other processes hold the CPU, so it stays meaningful on a busy machine; wall time is what a
 * single caller waits, on an idle one.
 */
export type ClockName = 'cpu' | 'wall';

export interface BenchReport {
  machine: { cpu: string; parallelism: number; node: string; openssl: string; platform: string; loadAverage: { start: number[]; end: number[] } };
  secondsPerRow: number;
  clock: ClockName;
  /** Subtracted from each timed primitive call: what reading the clock adds to it (see meteringBiasMs). */
  meteringBiasMsPerCall: number;
  overheadTargetPercent: number;
  handshakes: HandshakeRow[];
  bulk: BulkRow[];
}

export interface BenchOptions {
  /** Measuring time per operation of a row (ours, ours metered, node:tls), plus a 20% warm-up. */
  seconds: number;
  /** Only the handshake cases whose names contain this text. */
  filter?: string;
  /** Clock for primitives and overhead (default cpu). */
  clock?: ClockName;
  /** Bulk transfer rows (on by default). */
  bulk?: boolean;
  /** Progress lines, one per finished measurement. */
  progress?: (line: string) => void;
}

function rate(m: Measurement): Rate {
  return { perSecond: perSecond(m), msEach: msPer(m), medianMs: median(m.samplesMs), medianCpuMs: median(m.cpuSamplesMs), cpuMsEach: cpuMsPer(m), iterations: m.iterations };
}

interface Metering {
  clockName: ClockName;
  clock: () => number;
  biasMsPerCall: number;
}

/** The three operations of a handshake row, and where the metered one leaves its primitive times. */
function rowOperations(c: HandshakeCase, metering: Metering) {
  const tally = new Tally(metering.clock);
  const meteredHandshake = engineHandshake(c, meteredProvider(nobleProvider, tally), meteredRandom(systemRandom, tally));
  const primitiveSamplesMs: number[] = [];
  const plainHandshake = engineHandshake(c, nobleProvider, systemRandom);
  const nodeHandshake = makeNodeTlsHandshake(c);
  // Named functions, so a CPU profile can be cut down to one of them (profile-summary --under).
  const operations = [
    function unmeteredEngineHandshake() {
      plainHandshake();
    },
    function meteredEngineHandshake() {
      const [ms, calls] = [tally.totalMs, tally.timedCalls];
      meteredHandshake();
      primitiveSamplesMs.push(tally.totalMs - ms - (tally.timedCalls - calls) * metering.biasMsPerCall);
    },
    function nodeTlsHandshake() {
      return nodeHandshake();
    },
  ];
  const reset = () => {
    tally.reset();
    primitiveSamplesMs.length = 0;
  };
  return { operations, tally, primitiveSamplesMs, reset };
}

async function handshakeRow(c: HandshakeCase, seconds: number, metering: Metering): Promise<HandshakeRow> {
  const { operations, tally, primitiveSamplesMs, reset } = rowOperations(c, metering);
  const [engineRun, meteredRun, nodeRun] = await measure(seconds, operations, reset);
  const perHandshake = (x: number) => x / meteredRun!.iterations;
  const primitives: Record<string, PrimitiveShare> = {};
  for (const [name, cost] of [...tally.primitives].sort(([a], [b]) => a.localeCompare(b))) {
    primitives[name] = {
      callsPerHandshake: perHandshake(cost.calls),
      msPerHandshake: perHandshake(cost.ms - cost.timedCalls * metering.biasMsPerCall),
    };
  }
  // The overhead compares means on the metering clock, un-metered handshake against primitives: a garbage
  // collection counts where it lands, and on the CPU clock other processes' turns count nowhere.
  const primitiveMs = mean(primitiveSamplesMs);
  const onClock = (m: Measurement) => (metering.clockName === 'cpu' ? cpuMsPer(m) : msPer(m));
  const overheadPercent = ((onClock(engineRun!) - primitiveMs) / primitiveMs) * 100;
  return {
    name: c.name,
    description: c.description,
    trust: c.trust.kind,
    mutual: c.clientIdentity !== undefined,
    engine: rate(engineRun!),
    metered: { ...rate(meteredRun!), primitiveMsPerHandshake: primitiveMs, primitives },
    overheadPercent,
    meteredOverheadPercent: ((onClock(meteredRun!) - primitiveMs) / primitiveMs) * 100,
    targetMet: overheadPercent <= OVERHEAD_TARGET_PERCENT,
    nodeTls: rate(nodeRun!),
  };
}

async function bulkRows(c: HandshakeCase, seconds: number, progress: (line: string) => void): Promise<BulkRow[]> {
  const rows: BulkRow[] = [];
  for (const suite of SUITES.values()) {
    const mbps = (m: Measurement) => (perSecond(m) * RECORD_PAYLOAD) / 1e6;
    const [engine, raw] = await measure(seconds, [
      engineRecordTransfer(c, suite, nobleProvider, systemRandom),
      rawAeadRoundTrip(suite.aead, nobleProvider, systemRandom),
    ]);
    const row = {
      suite: suite.name,
      recordPayloadBytes: RECORD_PAYLOAD,
      engineMBps: mbps(engine!),
      rawAeadMBps: mbps(raw!),
      framingOverheadPercent: (msPer(engine!) / msPer(raw!) - 1) * 100,
    };
    progress(`bulk ${row.suite}: ${row.engineMBps.toFixed(1)} MB/s (bare AEAD ${row.rawAeadMBps.toFixed(1)} MB/s)`);
    rows.push(row);
  }
  return rows;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const progress = options.progress ?? (() => {});
  const loadStart = loadavg();
  const cases = makeCases();
  const selected = cases.filter((c) => c.name.includes(options.filter ?? ''));
  const clockName = options.clock ?? 'cpu';
  const clock = clockName === 'cpu' ? cpuClock : wallClock;
  const metering = { clockName, clock, biasMsPerCall: meteringBiasMs(clock) };
  // One warm-up over every operation of every selected case first, so V8 has compiled all of them (on
  // background threads, whose CPU time would otherwise land on the first row) before any row is measured.
  const warmUp = selected.flatMap((c) => rowOperations(c, metering).operations);
  await measure(options.seconds / warmUp.length, warmUp);
  const handshakes: HandshakeRow[] = [];
  for (const c of selected) {
    const row = await handshakeRow(c, options.seconds, metering);
    progress(
      `handshake ${row.name}: ${row.engine.perSecond.toFixed(1)}/s, overhead ${row.overheadPercent.toFixed(1)}%, node:tls ${row.nodeTls.perSecond.toFixed(1)}/s`,
    );
    handshakes.push(row);
  }
  // Bulk rows run over the first case's certificates; the certificate plays no part after the handshake.
  const bulk = options.bulk === false ? [] : await bulkRows(cases[0]!, options.seconds / 2, progress);
  return {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      parallelism: availableParallelism(),
      node: process.version,
      openssl: process.versions.openssl ?? 'unknown',
      platform: `${process.platform} ${process.arch}`,
      loadAverage: { start: loadStart, end: loadavg() },
    },
    secondsPerRow: options.seconds,
    clock: clockName,
    meteringBiasMsPerCall: metering.biasMsPerCall,
    overheadTargetPercent: OVERHEAD_TARGET_PERCENT,
    handshakes,
    bulk,
  };
}
