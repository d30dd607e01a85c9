// The rows over real sockets (issue 16 item 4): loopback TCP handshakes through the adapter, and servers
// under load, with their targets; run after the in-memory rows by scripts/bench.ts.
import { makeCases } from './cases.js';
import type { TargetResult } from './run.js';
import { renderServeLoad, serveLoad, type ServeLoadReport } from './serve-load.js';
import { renderTcp, tcpRow, warmUpHandshakes, type TcpRow } from './tcp.js';
import { ROUNDS } from './timing.js';

export const NETWORK_TARGETS = {
  /** Loopback TCP handshakes through tls13-lab/node at least this many times node:tls's. */
  tcpHandshakeSpeedup: 1.2,
  /** node:https's server CPU per request over tls13 serve's at least this (ours no more than node's). */
  nodeTlsCpuOverServe: 1,
} as const;

/** The case both rows use: an Ed25519 certificate, pinned by the TCP row's clients. */
const CASE_NAME = 'ed25519 pinned';

export interface NetworkRows {
  tcp: TcpRow[];
  serveLoad: ServeLoadReport | null;
  targets: TargetResult[];
  /** The tables, or '' when both rows were skipped. */
  text: string;
}

export async function runTcpAndServeRows(options: { seconds: number; tcp: boolean; serve: boolean; progress: (line: string) => void }): Promise<NetworkRows> {
  const c = makeCases().find((x) => x.name === CASE_NAME)!;
  const rows: NetworkRows = { tcp: [], serveLoad: null, targets: [], text: '' };
  if (options.tcp) {
    const row = await tcpRow(c, options.seconds);
    options.progress(`tcp ${row.case}: ours ${row.oursPerSecond.toFixed(1)}/s, node:tls ${row.nodeTlsPerSecond.toFixed(1)}/s`);
    rows.tcp.push(row);
    const goal = NETWORK_TARGETS.tcpHandshakeSpeedup;
    rows.targets.push({ target: `loopback TCP handshakes vs node:tls, ${row.case}`, measured: row.vsNodeTls.median, goal, unit: 'x', met: row.vsNodeTls.median >= goal });
    rows.text += renderTcp(rows.tcp) + '\n';
  }
  if (options.serve) {
    // At least a second per slice: the server's CPU time is counted in 10 ms ticks.
    // Warm, as the TCP row: each server first serves as many requests as the TCP row's warm-up handshakes.
    const report = await serveLoad(c, { secondsPerSlice: Math.max(1, options.seconds / ROUNDS), warmUpRequests: warmUpHandshakes(options.seconds), progress: options.progress });
    rows.serveLoad = report;
    const goal = NETWORK_TARGETS.nodeTlsCpuOverServe;
    for (const r of report.ratios.filter((x) => x.against === 'node:https')) {
      // The targets table reads ratios as "at least": node's CPU per request over ours (5 rounds: 1 / the median).
      const measured = 1 / r.cpuPerRequest.median;
      rows.targets.push({ target: `server CPU per request, node:https / tls13 serve, ${r.concurrency} clients`, measured, goal, unit: 'x', met: measured >= goal });
    }
    rows.text += renderServeLoad(report);
  }
  return rows;
}
