// Deadlines for the bench's awaits: a handshake, a slice of them, a server start or a worker's slice that
// stops making progress fails the run with one line naming what stalled, instead of leaving it idle. A
// stall is what a timer can see: an await that never settles. A synchronous loop that never returns holds
// the thread, and no timer of that thread can fire; the bench's synchronous operations are bounded by
// construction (one handshake, one record transfer).
import { basename } from 'node:path';

/** An await that made no progress for this long has stalled: a handshake takes milliseconds, even on a loaded machine. */
export const STALL_MS = 30_000;

/** What the bench reports when an await stalled: its message is the one line to print. */
export class BenchStall extends Error {
  constructor(what: string, ms: number) {
    super(`bench stalled: ${what}: stuck for ${(ms / 1000).toFixed(0)} s`);
    this.name = 'BenchStall';
  }
}

/**
 * Guards one await that reports progress as it goes (a slice of handshakes: one per iteration): it fails
 * with a BenchStall once `stallMs` pass without `progress()`. One timer per guard, not per iteration, so a
 * measured iteration pays a number written and nothing else (no timer, promise or closure to collect).
 */
export class ProgressDeadline {
  private lastProgress = performance.now();

  constructor(
    private readonly what: string,
    private readonly stallMs = STALL_MS,
  ) {}

  /** Something was done, at `now` (performance.now(), when the caller has just read it). */
  progress(now = performance.now()): void {
    this.lastProgress = now;
  }

  guard<T>(pending: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const check = () => {
        const idle = performance.now() - this.lastProgress;
        if (idle >= this.stallMs) reject(new BenchStall(this.what, this.stallMs));
        else timer = setTimeout(check, this.stallMs - idle);
      };
      timer = setTimeout(check, this.stallMs);
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

/**
 * Runs a script's main: a stall ends the process with its one line on stderr and exit code 1 (the stalled
 * sockets or timers would otherwise keep it alive); a flag `parseArgs` refuses (unknown, missing its value, an
 * unexpected argument) with one line naming it and exit code 2, not a stack trace; any other error is thrown
 * on as it was.
 */
export async function runMain(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof BenchStall) {
      console.error(e.message);
      process.exit(1);
    } else if (isArgumentError(e)) {
      console.error(`${basename(process.argv[1] ?? 'script')}: ${e.message.split('\n')[0]}`);
      process.exit(2);
    } else {
      throw e;
    }
  }
}

/** What node:util's parseArgs throws for a command line it refuses (its codes are ERR_PARSE_ARGS_*). */
function isArgumentError(e: unknown): e is Error {
  return e instanceof Error && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
}

/** `pending`, or a BenchStall naming `what` if it has not settled within `ms`. */
export function withDeadline<T>(pending: Promise<T>, what: string, ms = STALL_MS): Promise<T> {
  return new ProgressDeadline(what, ms).guard(pending);
}
