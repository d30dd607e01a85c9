// A bench await that stalls fails loudly, naming what stalled (scripts/bench/deadline.ts), instead of
// leaving the run idle: a run once sat 14 minutes printing nothing.
import { parseArgs } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BenchStall, ProgressDeadline, runMain, withDeadline } from '../../scripts/bench/deadline.js';
import { measure } from '../../scripts/bench/timing.js';

const never = () => new Promise<void>(() => {});

describe('bench deadlines', () => {
  afterEach(() => vi.restoreAllMocks());

  it('fails an await that never settles with one line naming it', async () => {
    const stalled = withDeadline(never(), 'node:tls reference, ed25519 pinned', 50);
    await expect(stalled).rejects.toThrow(new BenchStall('node:tls reference, ed25519 pinned', 50));
    await expect(stalled).rejects.toThrow(/^bench stalled: node:tls reference, ed25519 pinned: stuck for 0 s$/);
  });

  it('passes on what settles in time, value or error', async () => {
    await expect(withDeadline(Promise.resolve(42), 'x', 50)).resolves.toBe(42);
    await expect(withDeadline(Promise.reject(new Error('refused')), 'x', 50)).rejects.toThrow('refused');
  });

  it('lets a long run go on while it makes progress, and fails it once progress stops', async () => {
    // Generous margins: a loaded machine delays a 10 ms timer by tens of milliseconds.
    const deadline = new ProgressDeadline('a slice of handshakes', 300);
    let steps = 0;
    const run = async () => {
      // About 600 ms in all, twice the allowed stall, in steps of 10 ms each reported as progress.
      for (; steps < 60; steps++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        deadline.progress();
      }
      await never();
    };
    await expect(deadline.guard(run())).rejects.toThrow(/^bench stalled: a slice of handshakes: /);
    expect(steps).toBe(60);
  });

  it('names the row and the operation when an iteration of a measurement stalls', async () => {
    let calls = 0;
    const operations = [
      function quickOperation() {},
      function stuckHandshake() {
        return ++calls > 3 ? never() : Promise.resolve();
      },
    ];
    await expect(measure(0.05, operations, undefined, { row: 'loopback TCP handshakes, ed25519 pinned', stallMs: 100 })).rejects.toThrow(
      /^bench stalled: loopback TCP handshakes, ed25519 pinned \(warm-up\), stuckHandshake, round 1 of 1: /,
    );
  });

  it('ends the process with the one line and exit code 1 on a stall, and throws any other error on', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runMain(() => withDeadline(never(), 'serve load: tls13 serve, 64 clients', 20));
    expect(printed).toHaveBeenCalledWith('bench stalled: serve load: tls13 serve, 64 clients: stuck for 0 s');
    expect(exit).toHaveBeenCalledWith(1);
    await expect(runMain(() => Promise.reject(new TypeError('bad option')))).rejects.toThrow('bad option');
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it("answers a flag parseArgs refuses with one line naming it and exit code 2", async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    await runMain(() => void parseArgs({ args: ['--no-such-flag'], options: {} }));
    expect(printed).toHaveBeenCalledTimes(1);
    expect(printed.mock.calls[0]![0]).toMatch(/^[^\n]+: Unknown option '--no-such-flag'/);
    expect(exit).toHaveBeenCalledWith(2);
    expect(exit).toHaveBeenCalledTimes(1);
  });
});
