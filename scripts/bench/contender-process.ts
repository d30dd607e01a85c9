// A process of its own for one or more of a handshake row's contenders (isolated.ts starts it): it makes the
// row's case and no other (its certificates and keys only, the same bytes in every process: cases.ts), builds
// each contender's operation (our engine on a provider: plain, metered, or paired with the provider calls of one
// of its handshakes replayed alone; or the node:tls reference), warms them up, then runs one slice at a time when
// the parent asks. Its heap, its collector,
// V8's type feedback and OpenSSL's state are its contenders' own: garbage another contender made is never
// collected in their slices, and its CPU clock (process.cpuUsage()) counts this process's threads only.
import { GCProfiler, getHeapSpaceStatistics } from 'node:v8';
import { systemRandom } from '../../src/crypto/random.js';
import { BenchFixtures, caseFingerprint, makeCase, type HandshakeCase } from './cases.js';
import { ProgressDeadline } from './deadline.js';
import { engineHandshake } from './engine.js';
import { meteredProvider, meteredRandom, meteringBiasMs, Tally, type PrimitiveCost } from './metering.js';
import { nodeTlsHandshake as makeNodeTlsHandshake } from './node-tls.js';
import { recordProviderCalls } from './provider-replay.js';
import { PROVIDERS, type ClockName, type ProviderName } from './run.js';
import { cpuClock, emptyMeasurement, runSlice, wallClock, warmUp, type Measurement, type Operation, type Slice, type WarmUp } from './timing.js';

/** One contender of a handshake row, as data a child process can be given. */
export type ContenderSpec =
  | { kind: 'engine'; caseName: string; provider: ProviderName; metered?: ClockName }
  /**
   * Our handshake, then the provider calls one of our handshakes makes (the second: a typical one) replayed without
   * the engine, each timed on `clock`, in turn: the engine's overhead over its primitives, pair by pair.
   */
  | { kind: 'paired'; caseName: string; provider: ProviderName; clock: ClockName }
  | { kind: 'node:tls'; caseName: string };

/** The operation's name in a CPU profile and in a stall's message (profile-summary --under). */
export function contenderName(spec: ContenderSpec): string {
  if (spec.kind === 'node:tls') return 'nodeTlsHandshake';
  if (spec.kind === 'paired') return 'handshakeThenItsPrimitives';
  return spec.metered ? 'meteredEngineHandshake' : 'unmeteredEngineHandshake';
}

export type ParentMessage =
  | { type: 'setup'; specs: ContenderSpec[]; warmUp: WarmUp }
  | { type: 'slice'; index: number; ms: number }
  | { type: 'reset' }
  | { type: 'tallies' };

/**
 * One slice's result: the slice as a Measurement, per iteration the primitives' ms (metered, or replayed) and
 * the handshake's (paired), and the collections in it.
 */
export interface SliceResult {
  measurement: Measurement;
  primitiveSamplesMs: number[];
  handshakeSamplesMs: number[];
  collections: number;
  /**
   * Those collections' cost as v8.GCProfiler gives it, ms: wall time from start to end of each, so on a busy
   * machine it includes the time the collector's helper threads waited for a CPU.
   */
  gcPauseMs: number;
  /** The new space's capacity at the end of the slice (bytes): how much garbage fits between two scavenges. */
  newSpaceBytes: number;
}

export type ChildMessage =
  | { type: 'ready'; pid: number; biasMsPerCall: number[]; fixtures: BuiltFixtures; warmedUp: Slice[] }
  /** Still warming up (sent at most once a second: the parent's deadline for the setup hears of it). */
  | { type: 'progress' }
  | { type: 'slice'; result: SliceResult }
  | { type: 'tallies'; tallies: ([string, PrimitiveCost][] | null)[] }
  | { type: 'error'; message: string };

/** What a child made of the bench's fixtures: the identities (cases.ts labels) and the case's fingerprint. */
export interface BuiltFixtures {
  made: string[];
  fingerprint: string;
}

interface Built {
  operation: Operation;
  tally?: Tally;
  primitiveSamplesMs: number[];
  handshakeSamplesMs: number[];
  biasMsPerCall: number;
}

const clocks = { cpu: cpuClock, wall: wallClock } as const;

/** The one case of `specs` (a child serves one row), made with `fixtures`. */
function rowCase(specs: ContenderSpec[], fixtures: BenchFixtures): HandshakeCase {
  const names = new Set(specs.map((spec) => spec.caseName));
  if (names.size !== 1) throw new Error(`one process serves one row, not ${[...names].join(', ')}`);
  const [name] = names;
  const c = makeCase(name!, fixtures);
  if (!c) throw new Error(`no bench case named ${name}`);
  return c;
}

function build(spec: ContenderSpec, c: HandshakeCase): Built {
  // Named functions, so a CPU profile of this process can be cut down to one of them (profile-summary --under).
  if (spec.kind === 'node:tls') {
    const handshake = makeNodeTlsHandshake(c);
    return { operation: function nodeTlsHandshake() { return handshake(); }, primitiveSamplesMs: [], handshakeSamplesMs: [], biasMsPerCall: 0 };
  }
  const provider = PROVIDERS[spec.provider];
  if (spec.kind === 'paired') return paired(c, spec.provider, clocks[spec.clock]);
  if (!spec.metered) {
    const handshake = engineHandshake(c, provider, systemRandom);
    return { operation: function unmeteredEngineHandshake() { handshake(); }, primitiveSamplesMs: [], handshakeSamplesMs: [], biasMsPerCall: 0 };
  }
  const clock = clocks[spec.metered];
  const tally = new Tally(clock);
  const handshake = engineHandshake(c, meteredProvider(provider, tally), meteredRandom(systemRandom, tally));
  const biasMsPerCall = meteringBiasMs(clock);
  const primitiveSamplesMs: number[] = [];
  return {
    tally,
    primitiveSamplesMs,
    handshakeSamplesMs: [],
    biasMsPerCall,
    operation: function meteredEngineHandshake() {
      const [ms, calls] = [tally.totalMs, tally.timedCalls];
      handshake();
      primitiveSamplesMs.push(tally.totalMs - ms - (tally.timedCalls - calls) * biasMsPerCall);
    },
  };
}

/**
 * Our handshake, then the provider calls of one handshake replayed, three clock reads a pair: the two share the
 * process, its heap and its caches, and run within milliseconds of each other, so what load, collections and
 * the clock reads themselves cost lands on both alike, and the difference is the engine's own work. (Timing
 * each primitive call instead, two reads a call, made the primitives read up to twice their cost: on a CPU
 * clock each read is a system call, and on this machine each one empties the TLB.)
 */
function paired(c: HandshakeCase, provider: ProviderName, clock: () => number): Built {
  const handshake = engineHandshake(c, PROVIDERS[provider], systemRandom);
  const recording = recordProviderCalls(PROVIDERS[provider], systemRandom, (recorder, random) => engineHandshake(c, recorder, random), { skip: 1 });
  const [handshakeSamplesMs, primitiveSamplesMs]: number[][] = [[], []];
  return {
    handshakeSamplesMs,
    primitiveSamplesMs,
    biasMsPerCall: 0,
    operation: function handshakeThenItsPrimitives() {
      const start = clock();
      handshake();
      const between = clock();
      recording.replay(systemRandom);
      primitiveSamplesMs.push(clock() - between);
      handshakeSamplesMs.push(between - start);
    },
  };
}

/** The new space's capacity (one semi-space), bytes. */
const newSpaceBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

async function slice(built: Built, ms: number, what: string): Promise<SliceResult> {
  const measurement = emptyMeasurement();
  built.primitiveSamplesMs.length = 0;
  built.handshakeSamplesMs.length = 0;
  const profiler = new GCProfiler();
  profiler.start();
  await runSlice(built.operation, ms, measurement, new ProgressDeadline(what));
  const { statistics } = profiler.stop();
  return {
    measurement,
    primitiveSamplesMs: [...built.primitiveSamplesMs],
    handshakeSamplesMs: [...built.handshakeSamplesMs],
    collections: statistics.length,
    gcPauseMs: statistics.reduce((sum, s) => sum + s.cost, 0) / 1000,
    newSpaceBytes: newSpaceBytes(),
  };
}

function serve(): void {
  let contenders: Built[] = [];
  const send = (message: ChildMessage) => process.send!(message);
  process.on('message', (message: ParentMessage) => {
    const answer = async (): Promise<ChildMessage> => {
      switch (message.type) {
        case 'setup': {
          const fixtures = new BenchFixtures();
          const c = rowCase(message.specs, fixtures);
          contenders = message.specs.map((spec) => build(spec, c));
          const warmedUp: Slice[] = [];
          let reported = wallClock();
          const progress = () => {
            if (wallClock() - reported < 1000) return;
            reported = wallClock();
            send({ type: 'progress' });
          };
          for (const [i, built] of contenders.entries()) {
            warmedUp.push(await warmUp(built.operation, message.warmUp, new ProgressDeadline(`warm-up of ${contenderName(message.specs[i]!)}`), progress));
          }
          const made = { made: fixtures.made, fingerprint: caseFingerprint(c) };
          return { type: 'ready', pid: process.pid, biasMsPerCall: contenders.map((b) => b.biasMsPerCall), fixtures: made, warmedUp };
        }
        case 'slice':
          return { type: 'slice', result: await slice(contenders[message.index]!, message.ms, `slice of contender ${message.index}`) };
        case 'reset':
          for (const b of contenders) b.tally?.reset();
          return { type: 'tallies', tallies: [] };
        case 'tallies':
          return { type: 'tallies', tallies: contenders.map((b) => (b.tally ? [...b.tally.primitives] : null)) };
      }
    };
    answer().then(send, (e: unknown) => send({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
  });
  // The parent's end of the channel closing ends this process (nothing else holds it open: sockets are destroyed).
  process.on('disconnect', () => process.exit(0));
}

if (process.send && process.argv.includes('--bench-contender')) serve();
