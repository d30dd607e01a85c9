// The handshake rows' contenders in processes of their own (scripts/bench/isolated.ts): each its own process
// unless asked to share one, a new space that an idle child does not shrink, slices that still take turns in
// time from the parent, and the sharing report (scripts/bench/sharing.ts). Timings are never asserted.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContenderProcess, MIN_SEMI_SPACE_MIB, type IsolatedContender } from '../../scripts/bench/isolated.js';
import { renderSharing, sharing } from '../../scripts/bench/sharing.js';
import { measure, ROUNDS } from '../../scripts/bench/timing.js';
import { ensureBuilt } from '../cli/helpers.js';

const CASE = 'ed25519 pinned';

describe('contenders in processes of their own', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('runs each contender in its own child process, its slices interleaved from here, and keeps its new space', async () => {
    const contenders: IsolatedContender[] = [];
    try {
      for (const spec of [{ kind: 'engine', caseName: CASE, provider: 'node' }, { kind: 'node:tls', caseName: CASE }] as const) {
        contenders.push(...(await ContenderProcess.start([spec], 0, CASE)));
      }
      const pids = contenders.map((c) => c.process.pid);
      // Each child keeps a new space of at least MIN_SEMI_SPACE_MIB: idle between its slices, V8 would shrink it to 1 MiB.
      for (const pid of pids) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain(`--min-semi-space-size=${MIN_SEMI_SPACE_MIB}`);
      expect(new Set([...pids, process.pid]).size).toBe(3);
      expect(contenders.map((c) => c.name)).toEqual(['unmeteredEngineHandshake', 'nodeTlsHandshake']);
      const measured = await measure(0.05, contenders, async () => {
        for (const c of contenders) await c.reset();
      });
      for (const [i, m] of measured.entries()) {
        expect(m.slices).toHaveLength(ROUNDS);
        expect(m.iterations).toBe(m.slices.reduce((sum, s) => sum + s.iterations, 0));
        expect(m.cpuSamplesMs).toHaveLength(m.iterations);
        expect(contenders[i]!.newSpaceBytes).toHaveLength(ROUNDS);
      }
    } finally {
      ContenderProcess.close(contenders);
    }
  }, 60_000);

  it('shares one process when asked, and a metered contender reports the primitives RFC 8446 requires', async () => {
    const contenders = await ContenderProcess.start(
      [
        { kind: 'engine', caseName: CASE, provider: 'noble', metered: 'cpu' },
        { kind: 'node:tls', caseName: CASE },
      ],
      5,
      CASE,
    );
    try {
      expect(contenders[0]!.process).toBe(contenders[1]!.process);
      await measure(0.02, contenders);
      const tally = new Map((await contenders[0]!.tally())!);
      expect(tally.get('sign ed25519')?.calls).toBeGreaterThanOrEqual(1);
      expect(tally.get('x25519 generate')?.calls).toBe(tally.get('x25519 decapsulate')?.calls);
      expect(contenders[0]!.primitiveSamplesMs.length).toBeGreaterThan(0);
      expect(await contenders[1]!.tally()).toBeNull();
    } finally {
      ContenderProcess.close(contenders);
    }
  }, 60_000);

  it('fails with the child\'s message when a contender cannot be built, and ends its process', async () => {
    await expect(ContenderProcess.start([{ kind: 'node:tls', caseName: 'no such case' }], 5, 'a test')).rejects.toThrow(/a test: no bench case named no such case/);
  });

  it('compares each contender alone with the same contender in company, round by round', async () => {
    const lines = await sharing(CASE, [['node', 'node:tls']], 0.05, 2);
    expect(lines.map((l) => `${l.contender} ${l.company}`)).toEqual(['node alone', 'node:tls alone', 'node node+node:tls', 'node:tls node+node:tls']);
    expect(lines.filter((l) => l.company === 'alone').every((l) => l.overAlone === null)).toBe(true);
    for (const l of lines.filter((l) => l.company !== 'alone')) expect(l.overAlone!.min).toBeGreaterThan(0);
    const text = renderSharing(CASE, lines, 2, 0.05, [0, 0]);
    expect(text).toContain('node+node:tls');
  }, 60_000);
});
