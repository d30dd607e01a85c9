// The garbage measurement: it must see what an operation allocates, on the V8 heap and in ArrayBuffer
// backing stores, and report our handshakes and node:tls's. Amounts are checked only where the test itself
// decides them; timings never.
import { describe, expect, it } from 'vitest';
import { makeCases } from '../../scripts/bench/cases.js';
import { measureGarbage, renderGarbage, sample } from '../../scripts/bench/garbage.js';
import { garbageCollector } from '../../scripts/bench/memory.js';

describe('garbage per handshake', () => {
  it('counts a 64 KiB backing store and a heap array of known size per operation', async () => {
    let kept: unknown;
    const gc = garbageCollector();
    const buffers = await sample(() => void (kept = new Uint8Array(64 * 1024)), 50, gc, '64 KiB arrays');
    const empty = await sample(() => {}, 50, gc, 'the empty operation');
    expect(buffers.arrayBufferBytes - empty.arrayBufferBytes).toBe(64 * 1024);
    // 10 000 small integers in a fresh array: at least 8 bytes per element on the heap, well under 64 KiB of backing stores.
    const heap = await sample(() => void (kept = Array.from({ length: 10_000 }, (_, i) => i)), 50, gc, 'heap arrays');
    expect(heap.heapBytes - empty.heapBytes).toBeGreaterThanOrEqual(40_000);
    expect(heap.arrayBufferBytes - empty.arrayBufferBytes).toBe(0);
    expect(kept).toBeDefined();
  });

  it('reports our handshake on the node provider and node:tls, with the budget', async () => {
    const c = makeCases().find((x) => x.name === 'ed25519 pinned')!;
    const report = await measureGarbage(c, { providers: ['node'], handshakes: 30 });
    expect(report.runs.map((r) => r.contender)).toEqual(['ours (node)', 'node:tls']);
    for (const run of report.runs) {
      expect(run.cleanHandshakes).toBeGreaterThan(0);
      expect(run.heapBytes).toBeGreaterThan(0);
    }
    const ours = report.runs[0]!;
    expect(report.budget).toEqual({ measured: ours.heapBytes + ours.arrayBufferBytes, goal: 64 * 1024, met: ours.heapBytes + ours.arrayBufferBytes <= 64 * 1024 });
    expect(renderGarbage(report)).toContain('ours (node)');
  });
});
