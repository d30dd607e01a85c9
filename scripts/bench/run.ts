// The whole bench as one function returning plain numbers (the CLI prints them, the smoke test checks them).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { nobleProvider } from '../../src/crypto/noble.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { systemRandom } from '../../src/crypto/random.js';
import { SUITES } from '../../src/handshake/suites.js';
import { nodeCryptoProvider } from '../../src/node/crypto.js';
import { RecordPool } from '../../src/node/record-pool.js';
import { CASE_NAMES, makeCase, makeCases, type HandshakeCase } from './cases.js';
import { engineRecordTransfer, rawAeadRoundTrip, RECORD_PAYLOAD } from './engine.js';
import { handshakeProgress, handshakeRow } from './handshake-row.js';
import { retainedPerConnection, type MemoryReport } from './memory.js';
import { nodeTlsTransfer } from './node-tls.js';
import { measure, perCpuSecond, ROUNDS, roundRatios, typicalRoundRatios, type Measurement, type Operation, type Spread } from './timing.js';

/** The goals set in the issue. */
export const TARGETS = {
  /** Time outside primitives at most this share of the time inside them (noble provider; ProviderRun.overhead). */
  overheadPercent: 10,
  /** With the node provider, at least this many times node:tls's handshakes per second (1-RTT, and mutual TLS). */
  nodeHandshakeSpeedup: 1.5,
  nodeMutualHandshakeSpeedup: 1.4,
  /** Bulk throughput at least this share of the provider's bare AEAD. */
  bulkShareOfAead: 0.9,
  /** With the node provider, bulk throughput at least node:tls's. */
  nodeBulkShareOfNodeTls: 1,
  /** Retained heap per established idle connection, bytes. */
  retainedBytesPerConnection: 16 * 1024,
} as const;

export type ProviderName = 'noble' | 'node';

export const PROVIDERS: Readonly<Record<ProviderName, CryptoProvider>> = { noble: nobleProvider, node: nodeCryptoProvider };

export interface Rate {
  perSecond: number;
  /** Mean and median wall time per iteration, and mean and median CPU time. */
  msEach: number;
  medianMs: number;
  medianCpuMs: number;
  cpuMsEach: number;
  iterations: number;
  /** Collections per iteration in the contender's own process, and their main-thread pause (ms, v8.GCProfiler). */
  collectionsEach: number;
  gcPauseMsEach: number;
}

export interface PrimitiveShare {
  callsPerHandshake: number;
  msPerHandshake: number;
}

/** Our engine on one provider, in one handshake row. */
export interface ProviderRun {
  provider: ProviderName;
  engine: Rate;
  /**
   * The overhead's pairs, in a process of their own: our handshake, then the provider calls of one of our
   * handshakes (the second one made: a typical handshake) replayed alone, call for call (provider-replay.ts),
   * each timed on the report's clock (CPU by default), in turn. Mean and median ms of each, and the pairs of the
   * warm-up before the rounds (timing.ts warmUpFor: fewer than WARMUP_ITERATIONS when its CPU bound ended it).
   */
  paired: { handshakeMs: number; medianHandshakeMs: number; primitivesMs: number; medianPrimitivesMs: number; pairs: number; warmUpPairs: number };
  /** Per round, the pairs' handshake ms minus their primitives' ms, mean per pair: the engine's own ms per handshake. */
  engineMs: Spread;
  /**
   * Per round, (handshake − primitives) / primitives of the round's pairs, in percent: the engine's work over its
   * primitives', every collection counted where it landed. Handshake and replay share a process and run within
   * milliseconds of each other, so neither process state, nor load, nor metering bends one and not the other
   * (docs/performance-history.md, bench method, session 14). The target reads the median.
   */
  overhead: Spread;
  /** overhead.median. */
  overheadPercent: number;
  /** The same from each round's median handshake and median replay: what they cost when no collection hits them. */
  typicalOverhead: Spread;
  /**
   * Our handshake with the metering provider (each primitive call timed), in a process of its own, one slice
   * after the rounds: per primitive the calls and time per handshake. Its times include what the clock reads do
   * to the code around them (on a CPU clock, a system call per read), so the overhead is not taken from them.
   */
  metered: Rate & { primitiveMsPerHandshake: number; primitives: Record<string, PrimitiveShare>; biasMsPerCall: number };
  /** (metered handshake − its metered primitives) / its metered primitives, percent: for comparison only. */
  meteredOverheadPercent: number;
  /**
   * Our handshakes per second over node:tls's, per round of interleaved slices: median and range (null
   * where node:tls lacks the row's group).
   */
  vsNodeTls: Spread | null;
}

export interface HandshakeRow {
  name: string;
  description: string;
  trust: 'pinned-certificate' | 'ca';
  mutual: boolean;
  variant: 'certificate' | 'raw-public-key' | 'resumption';
  /** The key-exchange group of the row. */
  group: string;
  /** The 1-minute load average when the row was done. */
  loadAverage: number;
  runs: ProviderRun[];
  /** Null when the running node:tls cannot use the row's group (Node 20's OpenSSL 3.0 has no ML-KEM). */
  nodeTls: Rate | null;
}

export interface BulkRow {
  suite: string;
  provider: ProviderName;
  recordPayloadBytes: number;
  /**
   * Payload megabytes (10^6 bytes) per second of process CPU time through client write -> server data event,
   * records sealed into a RecordPool and given back once taken, as the node adapter does over a socket. All bulk
   * rates and ratios are on the CPU clock: this process does all the work of every contender (node:tls too, in
   * memory; the collector's helper threads counted for all), so its CPU time is the cost, and what other
   * processes take of a busy machine does not count.
   */
  engineMBps: number;
  /** The same with a new array per record (Connection's default, takeOutput()). */
  engineNewArraysMBps: number;
  /** The same payload through the bare AEAD: seal (into one reused array) and open of one record's inner plaintext. */
  rawAeadMBps: number;
  /** Ours over the bare AEAD, per round of interleaved slices: whole slices and typical (BulkRatio). */
  shareOfAead: BulkRatio;
  /** Ours with new arrays over the bare AEAD. */
  newArraysShareOfAead: BulkRatio;
  /** Ours over node:tls, per round, in the same suite. */
  vsNodeTls: BulkRatio;
}

/**
 * A bulk ratio per round of interleaved slices on the CPU clock, two ways (median and range of each): from
 * whole slices (every collection and interruption in a slice counted, wherever V8 put it: often in the next
 * contender's slice) and typical, from each slice's median iteration (the work per record; the bulk
 * targets read this one: docs/performance.md, Method).
 */
export interface BulkRatio {
  wholeSlices: Spread;
  typical: Spread;
}

export function bulkRatio(a: Measurement, b: Measurement): BulkRatio {
  return { wholeSlices: roundRatios(a, b, perCpuSecond), typical: typicalRoundRatios(a, b) };
}

export interface NodeTlsBulkRow {
  suite: string;
  /** node:tls over an in-memory Duplex pair: 16 KiB writes from client to server, 64 per round; per CPU second. */
  MBps: number;
}

export interface TargetResult {
  target: string;
  /** The measured value (a ratio, a percentage or bytes, as `unit` says) and its goal. */
  measured: number;
  goal: number;
  unit: '%' | 'x' | 'bytes';
  met: boolean;
}

/**
 * Which clock times primitives and the overhead comparison. CPU time (the default) does not count the
 * time other processes hold the CPU, so it stays meaningful on a busy machine; wall time is what a
 * single caller waits, on an idle one.
 */
export type ClockName = 'cpu' | 'wall';

export interface BenchReport {
  machine: { cpu: string; parallelism: number; node: string; openssl: string; platform: string; loadAverage: { start: number[]; end: number[] } };
  /** Rounds of interleaved slices per measurement (each contender's time cut into this many slices). */
  rounds: number;
  secondsPerRow: number;
  clock: ClockName;
  providers: ProviderName[];
  /** How the handshake rows' contenders shared processes. */
  isolation: Isolation;
  /**
   * Subtracted from each timed primitive call: what reading the clock adds to it (see meteringBiasMs), as the
   * first metered contender's process measured it (each metered process measures and subtracts its own).
   */
  meteringBiasMsPerCall: number;
  handshakes: HandshakeRow[];
  bulk: BulkRow[];
  nodeTlsBulk: NodeTlsBulkRow[];
  memory: MemoryReport | null;
  targets: TargetResult[];
}

export interface BenchOptions {
  /** Measuring time per operation of a row (each provider plain and metered, node:tls), plus a 20% warm-up. */
  seconds: number;
  /** Only the handshake cases whose names contain this text. */
  filter?: string;
  /** Clock for primitives and overhead (default cpu). */
  clock?: ClockName;
  /** Providers to run our engine on (default both). */
  providers?: ProviderName[];
  /** Bulk transfer rows (on by default). */
  bulk?: boolean;
  /** Idle connections to open for the memory row; 0 skips it (default 10,000). */
  connections?: number;
  /** How a handshake row's contenders share processes (default 'process': each its own). */
  isolation?: Isolation;
  /** Progress lines, one per finished measurement. */
  progress?: (line: string) => void;
}

/**
 * How a handshake row's contenders share processes: 'process' (the default), each in a process of its own
 * (isolated.ts), so none pays for another's garbage, heap or JIT feedback; 'shared', all of a row's in one
 * child process, as the bench measured them up to the ninth round (for comparison: tenth round, method).
 */
export type Isolation = 'process' | 'shared';

/**
 * Records per measured bulk operation, the same for ours, the bare AEAD and node:tls: node:tls's event-loop
 * turns and everyone's clock reads (process.cpuUsage() costs microseconds) are shared among many records.
 */
const BULK_RECORDS_PER_ROUND = 64;
/** The pool of the bulk rows: one record is out at a time, so one slot is all it uses. */
const BULK_POOL_SLOTS = 1;

async function bulkRows(c: HandshakeCase, providers: ProviderName[], seconds: number, progress: (line: string) => void) {
  const rows: BulkRow[] = [];
  const nodeTls: NodeTlsBulkRow[] = [];
  const mbps = (m: Measurement) => (perCpuSecond(m) * RECORD_PAYLOAD * BULK_RECORDS_PER_ROUND) / 1e6;
  for (const suite of SUITES.values()) {
    const operations: Operation[] = providers.flatMap((name) => [
      engineRecordTransfer(c, suite, PROVIDERS[name], systemRandom, BULK_RECORDS_PER_ROUND, new RecordPool(BULK_POOL_SLOTS)),
      engineRecordTransfer(c, suite, PROVIDERS[name], systemRandom, BULK_RECORDS_PER_ROUND),
      rawAeadRoundTrip(suite.aead, PROVIDERS[name], systemRandom, BULK_RECORDS_PER_ROUND),
    ]);
    operations.push(await nodeTlsTransfer(c, suite.name, RECORD_PAYLOAD, BULK_RECORDS_PER_ROUND));
    const measured = await measure(seconds, operations, undefined, { row: `bulk, ${suite.name}` });
    const nodeTlsRun = measured[measured.length - 1]!;
    providers.forEach((provider, i) => {
      const [engineRun, newArraysRun, rawRun] = [measured[3 * i]!, measured[3 * i + 1]!, measured[3 * i + 2]!];
      const [engine, raw] = [mbps(engineRun), mbps(rawRun)];
      rows.push({
        suite: suite.name,
        provider,
        recordPayloadBytes: RECORD_PAYLOAD,
        engineMBps: engine,
        engineNewArraysMBps: mbps(newArraysRun),
        rawAeadMBps: raw,
        shareOfAead: bulkRatio(engineRun, rawRun),
        newArraysShareOfAead: bulkRatio(newArraysRun, rawRun),
        vsNodeTls: bulkRatio(engineRun, nodeTlsRun),
      });
      progress(`bulk ${suite.name} ${provider}: ${engine.toFixed(1)} MB/s (bare AEAD ${raw.toFixed(1)} MB/s)`);
    });
    nodeTls.push({ suite: suite.name, MBps: mbps(nodeTlsRun) });
  }
  return { rows, nodeTls };
}

/** Every target the issue sets, measured: one result per row it applies to. */
export function evaluateTargets(handshakes: HandshakeRow[], bulk: BulkRow[], memory: MemoryReport | null): TargetResult[] {
  const results: TargetResult[] = [];
  for (const row of handshakes) {
    const noble = row.runs.find((r) => r.provider === 'noble');
    if (noble) {
      results.push({ target: `engine overhead, ${row.name} (noble)`, measured: noble.overheadPercent, goal: TARGETS.overheadPercent, unit: '%', met: noble.overheadPercent <= TARGETS.overheadPercent });
    }
    const node = row.runs.find((r) => r.provider === 'node');
    if (node?.vsNodeTls != null && row.variant === 'certificate') {
      const goal = row.mutual ? TARGETS.nodeMutualHandshakeSpeedup : TARGETS.nodeHandshakeSpeedup;
      results.push({ target: `node provider vs node:tls handshakes/s, ${row.name}`, measured: node.vsNodeTls.median, goal, unit: 'x', met: node.vsNodeTls.median >= goal });
    }
  }
  for (const row of bulk) {
    // The typical ratio: what the record layer costs per record (docs/performance.md, Method).
    const share = row.shareOfAead.typical.median;
    results.push({ target: `bulk vs bare AEAD, ${row.suite} (${row.provider}), typical`, measured: share, goal: TARGETS.bulkShareOfAead, unit: 'x', met: share >= TARGETS.bulkShareOfAead });
    if (row.provider === 'node') {
      const vsNodeTls = row.vsNodeTls.typical.median;
      results.push({ target: `node provider bulk vs node:tls, ${row.suite}, typical`, measured: vsNodeTls, goal: TARGETS.nodeBulkShareOfNodeTls, unit: 'x', met: vsNodeTls >= TARGETS.nodeBulkShareOfNodeTls });
    }
  }
  if (memory) {
    for (const side of ['client', 'server'] as const) {
      const bytes = memory[side].heapBytes + memory[side].arrayBufferBytes;
      results.push({ target: `retained heap + array buffers per idle ${side} connection`, measured: bytes, goal: TARGETS.retainedBytesPerConnection, unit: 'bytes', met: bytes <= TARGETS.retainedBytesPerConnection });
    }
  }
  return results;
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const progress = options.progress ?? (() => {});
  const providers = options.providers ?? ['noble', 'node'];
  const loadStart = loadavg();
  const selected = makeCases((name) => name.includes(options.filter ?? ''));
  const clockName = options.clock ?? 'cpu';
  const isolation = options.isolation ?? 'process';
  const handshakes: HandshakeRow[] = [];
  for (const c of selected) {
    const row = await handshakeRow(c, providers, options.seconds, clockName, isolation);
    progress(handshakeProgress(row, isolation));
    handshakes.push(row);
  }
  // Bulk rows and memory run over the first case's certificates; the certificate plays no part after the handshake.
  const first = makeCase(CASE_NAMES[0]!)!;
  const { rows: bulk, nodeTls: nodeTlsBulk } = options.bulk === false ? { rows: [], nodeTls: [] } : await bulkRows(first, providers, options.seconds / 2, progress);
  // Memory with the fastest provider available, to open the connections quickly; what a connection keeps
  // after its handshake is the engine's, whichever provider computed it.
  const connections = options.connections ?? 10_000;
  let memory: MemoryReport | null = null;
  if (connections > 0) {
    memory = retainedPerConnection(first, PROVIDERS[providers.includes('node') ? 'node' : 'noble'], systemRandom, connections);
    progress(`memory: ${((memory.client.heapBytes + memory.client.arrayBufferBytes) / 1024).toFixed(1)} KiB per client, ${((memory.server.heapBytes + memory.server.arrayBufferBytes) / 1024).toFixed(1)} KiB per server`);
  }
  return {
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      parallelism: availableParallelism(),
      node: process.version,
      openssl: process.versions.openssl ?? 'unknown',
      platform: `${process.platform} ${process.arch}`,
      loadAverage: { start: loadStart, end: loadavg() },
    },
    rounds: ROUNDS,
    secondsPerRow: options.seconds,
    clock: clockName,
    providers,
    isolation,
    meteringBiasMsPerCall: handshakes[0]?.runs[0]?.metered.biasMsPerCall ?? 0,
    handshakes,
    bulk,
    nodeTlsBulk,
    memory,
    targets: evaluateTargets(handshakes, bulk, memory),
  };
}
