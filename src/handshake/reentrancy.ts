// Re-entrancy: the callbacks a connection runs in the middle of a step (the clock, random, a signer, the
// provider, ...) may read it, take its output and events, and give it input, but not drive it.
import type { RecordLayer } from '../record/index.js';

export class ExclusiveCalls {
  /**
   * The call that is driving the engine now (`receive()`, `close()`, ...): the callbacks it runs (the clock,
   * random, a signer, the provider, ...) run in the middle of one of its steps, so they may not drive it too.
   */
  private running: string | undefined;
  /** A callback gave bytes to receive() while `running`: they are read once the message being handled is done. */
  private inputWhileRunning = false;
  /** What a callback asked to be done once the running call returns (Connection.abandon()). */
  private afterwards: Array<() => void> = [];

  constructor(
    private readonly records: RecordLayer,
    /** Reads what the records hold, message by message (Connection's pump). */
    private readonly readInput: () => void,
  ) {}

  /** Whether a call is driving the engine, so that a receive() now comes from one of its callbacks. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Bytes from a callback the engine runs in the middle of a step: reading them now would handle the next
   * message before this one is done (its state not left, its keys not installed). They are queued, copied
   * (the callback may write its buffer again once this returns), and read in order after it.
   */
  queueInput(bytes: Uint8Array): void {
    this.records.receive(new Uint8Array(bytes));
    this.inputWhileRunning = true;
  }

  /** Runs `action` once the running call has returned: a callback's call that must not cut into the step. */
  afterRun(action: () => void): void {
    this.afterwards.push(action);
  }

  /**
   * Runs a call that drives the engine. A callback of the caller's it runs may read the connection, take its
   * output and events, and receive() (queued, above), but not drive it: that is an Error thrown into the
   * callback (uncaught, it fails the step with internal_error). Input a callback gave is read before this returns.
   */
  run(call: string, body: () => void): void {
    if (this.running) throw new Error(`${call} was called from a callback that ${this.running} is running (the clock, random, a signer, the provider, ...): the engine is in the middle of a step; call it once ${this.running} has returned`);
    this.running = call;
    try {
      body();
      while (this.inputWhileRunning) {
        this.inputWhileRunning = false;
        this.readInput();
      }
    } finally {
      this.running = undefined;
      for (const action of this.afterwards.splice(0)) action();
    }
  }
}
