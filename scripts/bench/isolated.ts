// Contenders in processes of their own, measured in interleaved slices from this one: the parent asks one
// child at a time for a slice and waits (idle) for its answer, so the slices still take turns in time (a
// change in load lands within a round on all contenders alike), while each contender's heap, garbage,
// JIT feedback and OpenSSL state stay its own. Sharing one process cost node:tls and our node-provider
// handshake 30-50% of their speed (docs/performance-history.md, tenth round: method).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cases.js';
import type { PrimitiveCost } from './metering.js';
import type { BuiltFixtures, ChildMessage, ContenderSpec, ParentMessage, SliceResult } from './contender-process.js';
import { contenderName } from './contender-process.js';
import { ProgressDeadline } from './deadline.js';
import type { Measurement, Slice, SliceRunner, WarmUp } from './timing.js';

/** The child runs from the checkout's dist/ (npm run build), whether this module runs from dist/ or its source. */
const CHILD = join(REPO_ROOT, 'dist', 'scripts', 'bench', 'contender-process.js');

/** The node flags a contender's process inherits from the bench's. */
const PASSED_FLAGS = /^--(cpu-prof|heap-prof|trace-gc|min-semi-space-size|max-semi-space-size|max-old-space-size|expose-gc)/;

/** The flags of `argv` that PASSED_FLAGS names, each with its value (`--cpu-prof-dir DIR` comes as two items). */
function passedFlags(argv: readonly string[]): string[] {
  return argv.flatMap((flag, i) => {
    if (!PASSED_FLAGS.test(flag)) return [];
    const next = argv[i + 1];
    return !flag.includes('=') && next !== undefined && !next.startsWith('-') ? [flag, next] : [flag];
  });
}

/**
 * A contender's process keeps at least this new space (MiB per semi-space, V8's --min-semi-space-size): what a
 * process handshaking without pause grows it to (node:tls alone, our engine alone: 16 MiB). Between its slices
 * a child idles while the others run, V8 sees a low allocation rate and shrinks the new space to 1-4 MiB, and
 * the next slice scavenges 6x as often as a busy process would (noble: 2.4 collections per handshake, not 0.4).
 */
export const MIN_SEMI_SPACE_MIB = 16;

/** One contender in a child process: its slices, and what it measured besides time. */
export class IsolatedContender implements SliceRunner {
  /** Per iteration of the measured slices, ms inside primitives (metered contenders: timed; paired: replayed). */
  readonly primitiveSamplesMs: number[] = [];
  /** Per iteration of the measured slices, ms of the handshake alone (paired contenders only). */
  readonly handshakeSamplesMs: number[] = [];
  collections = 0;
  gcPauseMs = 0;
  /** The new space's capacity at the end of each measured slice (bytes). */
  readonly newSpaceBytes: number[] = [];

  constructor(
    readonly name: string,
    readonly process: ContenderProcess,
    private readonly index: number,
    readonly biasMsPerCall: number,
    /** What its process made of the bench's fixtures (only its row's case: cases.ts). */
    readonly fixtures: BuiltFixtures,
    /** Its warm-up: iterations, and their wall and CPU ms. */
    readonly warmedUp: Slice,
  ) {}

  async runSlice(sliceMs: number, into: Measurement, deadline: ProgressDeadline): Promise<void> {
    const { measurement, primitiveSamplesMs, handshakeSamplesMs, collections, gcPauseMs, newSpaceBytes } = (await this.process.ask({ type: 'slice', index: this.index, ms: sliceMs })) as SliceResult;
    deadline.progress();
    into.iterations += measurement.iterations;
    into.elapsedMs += measurement.elapsedMs;
    into.cpuMs += measurement.cpuMs;
    into.samplesMs.push(...measurement.samplesMs);
    into.cpuSamplesMs.push(...measurement.cpuSamplesMs);
    into.slices.push(...measurement.slices);
    this.primitiveSamplesMs.push(...primitiveSamplesMs);
    this.handshakeSamplesMs.push(...handshakeSamplesMs);
    this.collections += collections;
    this.gcPauseMs += gcPauseMs;
    this.newSpaceBytes.push(newSpaceBytes);
  }

  /** Forgets what the warm-up measured, here and in the child's tally. */
  async reset(): Promise<void> {
    this.primitiveSamplesMs.length = 0;
    this.handshakeSamplesMs.length = 0;
    this.collections = 0;
    this.gcPauseMs = 0;
    this.newSpaceBytes.length = 0;
    await this.process.ask({ type: 'reset' });
  }

  /** The child's tally of metered primitive calls (null for an un-metered contender). */
  async tally(): Promise<[string, PrimitiveCost][] | null> {
    const tallies = (await this.process.ask({ type: 'tallies' })) as ([string, PrimitiveCost][] | null)[];
    return tallies[this.index]!;
  }
}

/** A child process holding one or more contenders (all of a row's in one: the shared company, for comparison). */
export class ContenderProcess {
  private readonly child: ChildProcess;
  private pending: { resolve: (value: unknown) => void; reject: (e: Error) => void } | undefined;
  private exited: Error | undefined;
  /** Hears the child's progress messages (its warm-up). */
  private onProgress: () => void = () => {};
  /** The child's process id, once it is ready. */
  pid = 0;

  private constructor(private readonly what: string) {
    // Of this process's flags only those for profiling and the collector (a test runner's loaders would not
    // load compiled JavaScript): `node --cpu-prof dist/scripts/bench.js` profiles every contender's process.
    const execArgv = passedFlags(process.execArgv);
    if (!execArgv.some((flag) => flag.startsWith('--min-semi-space-size'))) execArgv.push(`--min-semi-space-size=${MIN_SEMI_SPACE_MIB}`);
    this.child = fork(CHILD, ['--bench-contender'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') return this.onProgress();
      const waiting = this.pending;
      this.pending = undefined;
      if (message.type === 'error') waiting?.reject(new Error(`${this.what}: ${message.message}`));
      else waiting?.resolve(message.type === 'ready' ? message : message.type === 'slice' ? message.result : message.tallies);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`${this.what}: its process ended (${signal ?? `exit code ${code}`})`);
      this.pending?.reject(this.exited);
      this.pending = undefined;
    });
  }

  /** One question at a time: the parent waits for each answer before the next slice. */
  ask(message: ParentMessage): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(message);
    });
  }

  /**
   * A process for `specs`, each warmed up alone as `warmUp` says before it answers: V8 keeps optimising our
   * JavaScript for thousands of handshakes, and a fresh process has compiled nothing.
   */
  static async start(specs: ContenderSpec[], warmUp: WarmUp, what: string): Promise<IsolatedContender[]> {
    const process = new ContenderProcess(what);
    let ready: Extract<ChildMessage, { type: 'ready' }>;
    try {
      // The warm-up may take long on a loaded machine: the deadline is for a child that stops reporting progress.
      const deadline = new ProgressDeadline(`${what}: setup and warm-up`);
      process.onProgress = () => deadline.progress();
      ready = (await deadline.guard(process.ask({ type: 'setup', specs, warmUp }))) as typeof ready;
    } catch (e) {
      process.child.kill();
      throw e;
    }
    process.pid = ready.pid;
    return specs.map((spec, i) => new IsolatedContender(contenderName(spec), process, i, ready.biasMsPerCall[i]!, ready.fixtures, ready.warmedUp[i]!));
  }

  /** Ends the processes of `contenders` (each once): a child exits when its channel closes. */
  static close(contenders: IsolatedContender[]): void {
    for (const process of new Set(contenders.map((c) => c.process))) {
      if (process.child.connected) process.child.disconnect();
      else process.child.kill();
    }
  }
}
