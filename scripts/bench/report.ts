// Plain-text tables of a BenchReport, columns aligned (numbers to the right), for the terminal and the docs.
import type { BenchReport } from './run.js';

type Cell = string | number;

function cellText(cell: Cell, digits: number): string {
  return typeof cell === 'number' ? cell.toFixed(digits) : cell;
}

/** An aligned table: text columns left-aligned, number columns right-aligned with `digits` decimals. */
export function table(header: string[], rows: Cell[][], digits = 1): string {
  const texts = rows.map((row) => row.map((cell) => cellText(cell, digits)));
  const widths = header.map((h, i) => Math.max(h.length, ...texts.map((row) => row[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...texts.map(line)].join('\n');
}

export function renderReport(report: BenchReport): string {
  const { machine, handshakes, bulk } = report;
  const sections: string[] = [
    `${machine.cpu}, ${machine.parallelism} CPUs, node ${machine.node} (OpenSSL ${machine.openssl}), ${machine.platform}; ` +
      `load average ${machine.loadAverage.start[0]!.toFixed(2)} at start, ${machine.loadAverage.end[0]!.toFixed(2)} at end; ` +
      `${report.secondsPerRow} s per measurement; primitives and overhead on the ${report.clock} clock`,
  ];

  if (handshakes.length > 0) {
    sections.push(
      'Handshakes (client + server in one thread, TLS_AES_128_GCM_SHA256, x25519). ms: median wall time; cpu ms and\n' +
        `primitives ms: means; overhead = (ours - primitives) / primitives on the ${report.clock} clock:`,
      table(
        ['case', 'ours hs/s', 'ours ms', 'ours cpu ms', 'in primitives ms', 'overhead %', `<= ${report.overheadTargetPercent}%`, 'node:tls hs/s', 'node:tls ms', 'node:tls cpu ms'],
        handshakes.map((h) => [
          h.name,
          h.engine.perSecond,
          h.engine.medianMs,
          h.engine.cpuMsEach,
          h.metered.primitiveMsPerHandshake,
          h.overheadPercent,
          h.targetMet ? 'met' : 'MISSED',
          h.nodeTls.perSecond,
          h.nodeTls.medianMs,
          h.nodeTls.cpuMsEach,
        ]),
        2,
      ),
    );

    const names = [...new Set(handshakes.flatMap((h) => Object.keys(h.metered.primitives)))].sort();
    sections.push(
      'Primitive calls per handshake (client + server), and mean milliseconds spent in them per handshake:',
      table(
        ['primitive', ...handshakes.map((h) => h.name)],
        [
          ...names.map((name) => [
            name,
            ...handshakes.map((h) => {
              const share = h.metered.primitives[name];
              return share ? `${formatCalls(share.callsPerHandshake)} (${share.msPerHandshake.toFixed(3)})` : '-';
            }),
          ]),
          ['all primitives, ms', ...handshakes.map((h) => h.metered.primitiveMsPerHandshake.toFixed(3))],
          ['metered handshake, ms', ...handshakes.map((h) => (report.clock === 'cpu' ? h.metered.cpuMsEach : h.metered.msEach).toFixed(3))],
          ['overhead from metered run, %', ...handshakes.map((h) => h.meteredOverheadPercent.toFixed(1))],
        ],
      ),
    );
  }

  if (bulk.length > 0) {
    sections.push(
      `Bulk: ${bulk[0]!.recordPayloadBytes}-byte records, client write -> server data event, vs the bare AEAD seal+open:`,
      table(
        ['suite', 'ours MB/s', 'bare AEAD MB/s', 'framing overhead %'],
        bulk.map((b) => [b.suite, b.engineMBps, b.rawAeadMBps, b.framingOverheadPercent]),
      ),
    );
  }
  return sections.join('\n\n') + '\n';
}

/** Calls per handshake are whole numbers for a fixed handshake; show a decimal only when they vary. */
function formatCalls(calls: number): string {
  return Number.isInteger(calls) ? String(calls) : calls.toFixed(1);
}
