// The handshake rows' contenders in processes of their own (scripts/bench/isolated.ts): each its own process
// unless asked to share one, a new space that an idle child does not shrink, slices that still take turns in
// time from the parent, only the row's case built in a child, and the sharing report (scripts/bench/sharing.ts).
// Timings are never asserted.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { caseFingerprint, makeCase, makeCases } from '../../scripts/bench/cases.js';
import { ContenderProcess, MIN_SEMI_SPACE_MIB, type IsolatedContender } from '../../scripts/bench/isolated.js';
import { renderSharing, sharing } from '../../scripts/bench/sharing.js';
import { measure, ROUNDS } from '../../scripts/bench/timing.js';
import { ensureBuilt } from '../cli/helpers.js';

const CASE = 'ed25519 pinned';
/** One iteration (a warm-up always runs its operation once), and a few. */
const NO_WARM_UP = { iterations: 0, cpuMs: 0 };
const SHORT_WARM_UP = { iterations: 5, cpuMs: 60_000 };

describe('contenders in processes of their own', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('runs each contender in its own child process, its slices interleaved from here, and keeps its new space', async () => {
    const contenders: IsolatedContender[] = [];
    try {
      for (const spec of [{ kind: 'engine', caseName: CASE, provider: 'node' }, { kind: 'node:tls', caseName: CASE }] as const) {
        contenders.push(...(await ContenderProcess.start([spec], NO_WARM_UP, CASE)));
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
      SHORT_WARM_UP,
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

  it('builds in each child only its row\'s case, and every contender of the row meets the same certificates and keys', async () => {
    const contenders: IsolatedContender[] = [];
    try {
      for (const spec of [{ kind: 'engine', caseName: 'rsa2048 pinned', provider: 'noble' }, { kind: 'node:tls', caseName: 'rsa2048 pinned' }] as const) {
        contenders.push(...(await ContenderProcess.start([spec], NO_WARM_UP, 'rsa2048 pinned')));
      }
      contenders.push(...(await ContenderProcess.start([{ kind: 'node:tls', caseName: 'ed25519 CA' }], NO_WARM_UP, 'ed25519 CA')));
      const [noble, nodeTls, ca] = contenders.map((c) => c.fixtures);
      // No other case's identities: no Ed25519 server or client, no P-256 key, no CA in the RSA row's processes.
      expect(noble!.made).toEqual(['rsa2048 server']);
      expect(nodeTls!.made).toEqual(['rsa2048 server']);
      expect(ca!.made).toEqual(['ed25519 CA', 'ed25519 server issued by the CA']);
      // The same bytes in both processes and in this one, made alone or among all the cases.
      expect(noble!.fingerprint).toBe(nodeTls!.fingerprint);
      expect(noble!.fingerprint).toBe(caseFingerprint(makeCase('rsa2048 pinned')!));
      expect(ca!.fingerprint).toBe(caseFingerprint(makeCases().find((c) => c.name === 'ed25519 CA')!));
      expect(ca!.fingerprint).not.toBe(noble!.fingerprint);
    } finally {
      ContenderProcess.close(contenders);
    }
  }, 60_000);

  it('pairs each handshake with its primitives replayed, each timed: one sample of each per iteration', async () => {
    const [paired] = await ContenderProcess.start([{ kind: 'paired', caseName: CASE, provider: 'node', clock: 'cpu' }], SHORT_WARM_UP, CASE);
    try {
      expect(paired!.name).toBe('handshakeThenItsPrimitives');
      const [m] = await measure(0.02, [paired!], () => paired!.reset());
      expect(m!.iterations).toBeGreaterThan(0);
      expect(paired!.handshakeSamplesMs).toHaveLength(m!.iterations);
      expect(paired!.primitiveSamplesMs).toHaveLength(m!.iterations);
      // Each iteration is the pair, read on the same CPU clock: its time holds both parts, one sample of each per iteration.
      expect(paired!.handshakeSamplesMs.every((ms, i) => ms + paired!.primitiveSamplesMs[i]! <= m!.cpuSamplesMs[i]! + 1e-9)).toBe(true);
    } finally {
      ContenderProcess.close([paired!]);
    }
  }, 60_000);

  it('warms each contender up by a number of iterations, or by as much of its own CPU time as the plan allows', async () => {
    const contenders: IsolatedContender[] = [];
    try {
      contenders.push(...(await ContenderProcess.start([{ kind: 'engine', caseName: CASE, provider: 'node' }, { kind: 'node:tls', caseName: CASE }], { iterations: 40, cpuMs: 60_000 }, CASE)));
      for (const c of contenders) expect(c.warmedUp.iterations).toBe(40);
      // A plan of more iterations than its CPU budget allows ends on the budget, counted in the child's CPU time.
      contenders.push(...(await ContenderProcess.start([{ kind: 'engine', caseName: CASE, provider: 'noble' }], { iterations: 1e9, cpuMs: 50 }, CASE)));
      const capped = contenders[2]!.warmedUp;
      expect(capped.iterations).toBeGreaterThan(0);
      expect(capped.iterations).toBeLessThan(1e9);
      expect(capped.cpuMs).toBeGreaterThanOrEqual(50);
    } finally {
      ContenderProcess.close(contenders);
    }
  }, 60_000);

  it('fails with the child\'s message when a contender cannot be built, and ends its process', async () => {
    await expect(ContenderProcess.start([{ kind: 'node:tls', caseName: 'no such case' }], SHORT_WARM_UP, 'a test')).rejects.toThrow(/a test: no bench case named no such case/);
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
