// Smoke test of the bench rows over real sockets on a tiny budget: loopback TCP handshakes through the
// adapter beside node:tls, and the three servers under load. Timings are never asserted, only that every
// contender did its work (no failed request) and the numbers are there.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCases } from '../../scripts/bench/cases.js';
import { CONCURRENCIES, opensslMissing, renderServeLoad, serveLoad } from '../../scripts/bench/serve-load.js';
import { renderTcp, tcpRow } from '../../scripts/bench/tcp.js';
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
    const report = await serveLoad(pinned, { secondsPerSlice: 0.1 });
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
  }, 60_000);
});
