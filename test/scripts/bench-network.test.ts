// Smoke test of the bench rows over real sockets on a tiny budget: loopback TCP handshakes through the
// adapter beside node:tls, and the three servers under load. Timings are never asserted, only that every
// contender did its work (no failed request) and the numbers are there.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCases } from '../../scripts/bench/cases.js';
import { CONCURRENCIES, opensslMissing, renderServeLoad, serveLoad } from '../../scripts/bench/serve-load.js';
import { renderTcp, tcpRow } from '../../scripts/bench/tcp.js';
import { renderTcpBreakdown, tcpBreakdown } from '../../scripts/bench/tcp-breakdown.js';
import { ensureBuilt } from '../cli/helpers.js';

const pinned = makeCases().find((c) => c.name === 'ed25519 pinned')!;

describe('bench rows over loopback TCP', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('times our TCP handshakes and node:tls over TCP in interleaved slices', async () => {
    const row = await tcpRow(pinned, 0.1);
    for (const value of [row.oursPerSecond, row.nodeTlsPerSecond, row.oursMedianMs, row.nodeTlsMedianMs, row.vsNodeTls.min]) expect(value).toBeGreaterThan(0);
    expect(row.vsNodeTls.min).toBeLessThanOrEqual(row.vsNodeTls.median);
    expect(renderTcp([row])).toContain('ed25519 pinned');
  });

  it('loads tls13 serve, node:https and openssl s_server at 1, 8 and 64 clients, each request answered', async () => {
    const report = await serveLoad(pinned, { secondsPerSlice: 0.1, warmUpRequests: 30 });
    // Every server served its warm-up before the measured slices.
    expect(report.warmUpRequests).toBeGreaterThanOrEqual(30);
    const withOpenssl = opensslMissing() === undefined;
    const servers = withOpenssl ? ['tls13 serve', 'node:https', 'openssl s_server'] : ['tls13 serve', 'node:https'];
    expect(report.skipped.map((s) => s.server)).toEqual(withOpenssl ? [] : ['openssl s_server']);
    expect(report.cells.map((c) => `${c.server}/${c.concurrency}`)).toEqual(CONCURRENCIES.flatMap((n) => servers.map((s) => `${s}/${n}`)));
    for (const cell of report.cells) {
      expect(cell.failed).toBe(0);
      expect(cell.requests).toBeGreaterThan(0);
      expect(cell.serverCpuMsPerRequest).toBeGreaterThanOrEqual(0);
    }
    expect(report.ratios.map((r) => `${r.against}/${r.concurrency}`)).toEqual(CONCURRENCIES.flatMap((n) => servers.slice(1).map((s) => `${s}/${n}`)));
    const text = renderServeLoad(report);
    for (const server of servers) expect(text).toContain(server);
    expect(text).toContain(`after a warm-up of at least ${report.warmUpRequests} requests per server`);
  }, 60_000);
});

describe('the TCP breakdown (scripts/bench/tcp-breakdown.ts)', () => {
  it('times the pinned handshake through every layer, each contender completing handshakes', async () => {
    const rows = await tcpBreakdown(pinned, 0.1);
    expect(rows.map((r) => r.contender)).toContain('engine in memory inside the I/O alone');
    for (const row of rows) {
      expect(row.measurement.iterations).toBeGreaterThan(0);
      expect(row.vsAdapterOverTcp.min).toBeGreaterThan(0);
    }
    const text = renderTcpBreakdown(pinned.name, rows);
    for (const row of rows) expect(text).toContain(row.contender);
  }, 60_000);
});

describe('serve-compare.js and idle-sockets.js (built scripts, run as the notes show them)', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = (script: string, args: string[]) => promisify(execFile)(process.execPath, [join(root, 'dist', 'scripts', 'bench', script), ...args], { timeout: 120_000 });
  beforeAll(() => ensureBuilt(), 120_000);

  it('compares two builds of tls13 serve beside node:https, every request answered', async () => {
    const { stdout } = await run('serve-compare.js', [root, root, '--seconds', '1', '--rounds', '1', '--clients', '1', '--warmup', '40']);
    expect(stdout).toMatch(/^server CPU ms per request, 1 rounds of 1 s slices after a warm-up of (\d+)\+ requests each/);
    expect(Number(/warm-up of (\d+)\+/.exec(stdout)![1])).toBeGreaterThanOrEqual(40);
    // clients, old, new, node:https, the two ratios, and no failed request.
    expect(stdout).toMatch(/\n1 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ \([\d.]+-[\d.]+\) +[\d.]+ \([\d.]+-[\d.]+\) +0\n/);
  }, 120_000);

  it('times each side of a TCP handshake in a process of its own, ours and node:tls', async () => {
    const { stdout } = await run('tcp-sides.js', ['--seconds', '1', '--rounds', '1', '--warmup', '20']);
    expect(stdout).toMatch(/^Loopback TCP handshakes, client and server in two processes, 1 rounds of 1 s after 20 per pair/);
    // Each row: the side measured, the pair, hs/s, client and server CPU per handshake, the ratio per round.
    for (const side of ['server ours', 'both \\(reference\\)', 'client ours']) {
      expect(stdout).toMatch(new RegExp(`\\n${side} +[\\w:]+ -> [\\w:]+ +[\\d.]+ +[\\d.]+ +[\\d.]+ +[\\d.]+ \\([\\d.]+-[\\d.]+\\)\\n`));
    }
    await expect(run('tcp-sides.js', ['--seconds', '0.5'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: node dist\/scripts\/bench\/tcp-sides.js/) });
  }, 120_000);

  it('refuses slices under a second (10 ms CPU ticks) with its usage line', async () => {
    await expect(run('serve-compare.js', [root, root, '--seconds', '0.5'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: node dist\/scripts\/bench\/serve-compare.js OLD_ROOT NEW_ROOT/) });
    await expect(run('serve-compare.js', [root, root, '--warmup', '1.5'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/--warmup N/) });
  });

  it('measures what an idle server connection keeps, ours and node:tls', async () => {
    const { stdout } = await run('idle-sockets.js', ['--connections', '5']);
    expect(stdout).toMatch(/^5 idle server connections over loopback TCP/);
    expect(stdout).toMatch(/Tls13Server: -?[\d.]+ KiB; node:tls tls.Server \(JavaScript side only\): -?[\d.]+ KiB/);
  }, 120_000);
});
