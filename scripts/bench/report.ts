// Plain-text tables of a BenchReport, columns aligned (numbers to the right), for the terminal and the docs.
import type { BenchReport, BulkRatio } from './run.js';
import type { Spread } from './timing.js';

type Cell = string | number;

/** A median ratio with its range over the rounds: `1.42 (1.30-1.55)`. */
export function spreadText(s: Spread): string {
  return `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
}

/** A median percentage with its range over the rounds, which may go below zero: `8.1 (-2.0..12.5)`. */
export function percentSpreadText(s: Spread): string {
  return `${s.median.toFixed(1)} (${s.min.toFixed(1)}..${s.max.toFixed(1)})`;
}

/** A number a row does not have (node:tls without the row's group). */
const MISSING = '-';

function cellText(cell: Cell, digits: number): string {
  return typeof cell === 'number' ? cell.toFixed(digits) : cell;
}

/** An aligned table: text columns left-aligned, number columns right-aligned with `digits` decimals. */
export function table(header: string[], rows: Cell[][], digits = 1): string {
  const texts = rows.map((row) => row.map((cell) => cellText(cell, digits)));
  const widths = header.map((h, i) => Math.max(h.length, ...texts.map((row) => row[i]!.length)));
  // A column of numbers, some of them missing ('-'), is still a column of numbers.
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] === MISSING) && rows.some((row) => typeof row[i] === 'number'));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => (numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...texts.map(line)].join('\n');
}

export function renderReport(report: BenchReport): string {
  const { machine, handshakes, bulk, nodeTlsBulk, memory, targets } = report;
  const sections: string[] = [
    `${machine.cpu}, ${machine.parallelism} CPUs, node ${machine.node} (OpenSSL ${machine.openssl}), ${machine.platform}; ` +
      `load average ${machine.loadAverage.start[0]!.toFixed(2)} at start, ${machine.loadAverage.end[0]!.toFixed(2)} at end; ` +
      `${report.secondsPerRow} s per measurement in ${report.rounds} interleaved slices; primitives and overhead on the ${report.clock} clock`,
  ];

  if (handshakes.length > 0) {
    sections.push(
      'Handshakes (client + server in one thread, TLS_AES_128_GCM_SHA256, x25519 unless the case names a group), each row with its node:tls reference\n' +
        `measured in interleaved time slices in the same run, ${report.isolation === 'process' ? 'each contender (ours, ours paired, ours metered, node:tls) in a process of its own' : 'all of a row\'s contenders in one shared process'}.\n` +
        'ms: median wall time; "ours paired": our handshake, then the provider calls of one handshake replayed alone, each timed, in turn;\n' +
        `primitives ms: the replays' mean, engine ms: the pairs' handshake minus replay, per round (${report.clock} clock); overhead % = engine / primitives,\n` +
        `median (range) of the ${report.rounds} rounds; GCs: collections per handshake in ours's slices; x node:tls = our handshakes/s over\n` +
        "node:tls's, median (range) of the per-round ratios; load: 1-min load average:",
      table(
        ['case', 'provider', 'ours hs/s', 'ours ms', 'primitives ms', 'engine ms', 'overhead %', 'GCs', 'node:tls hs/s', 'node:tls ms', 'x node:tls', 'load'],
        handshakes.flatMap((h) =>
          h.runs.map((r) => [
            h.name,
            r.provider,
            r.engine.perSecond,
            r.engine.medianMs,
            r.paired.primitivesMs,
            r.engineMs.median,
            percentSpreadText(r.overhead),
            r.engine.collectionsEach,
            h.nodeTls?.perSecond ?? MISSING,
            h.nodeTls?.medianMs ?? MISSING,
            r.vsNodeTls ? spreadText(r.vsNodeTls) : MISSING,
            h.loadAverage,
          ]),
        ),
        2,
      ),
    );
    const without = handshakes.filter((h) => h.nodeTls === null).map((h) => h.group);
    if (without.length > 0) {
      sections.push(`node:tls here (node ${machine.node}, OpenSSL ${machine.openssl}) has no ${without.join(', ')}: no node:tls reference in ${without.length === 1 ? 'that row' : 'those rows'} (${MISSING}).`);
    }

    for (const provider of report.providers) {
      const runs = handshakes.flatMap((h) => h.runs.filter((r) => r.provider === provider).map((r) => ({ name: h.name, run: r })));
      const names = [...new Set(runs.flatMap(({ run }) => Object.keys(run.metered.primitives)))].sort();
      sections.push(
        `Primitive calls per handshake (client + server) with the ${provider} provider, and mean milliseconds spent in them, each call timed\n` +
          '(a metered run of its own: the clock reads slow the code around them, so these times read high, and the overhead above does not use them):',
        table(
          ['primitive', ...runs.map(({ name }) => name)],
          [
            ...names.map((name) => [
              name,
              ...runs.map(({ run }) => {
                const share = run.metered.primitives[name];
                return share ? `${formatCalls(share.callsPerHandshake)} (${share.msPerHandshake.toFixed(3)})` : '-';
              }),
            ]),
            ['all primitives (metered), ms', ...runs.map(({ run }) => run.metered.primitiveMsPerHandshake.toFixed(3))],
            ['metered handshake, ms', ...runs.map(({ run }) => (report.clock === 'cpu' ? run.metered.cpuMsEach : run.metered.msEach).toFixed(3))],
            ['overhead from metered run, %', ...runs.map(({ run }) => run.meteredOverheadPercent.toFixed(1))],
          ],
        ),
      );
    }
  }

  if (bulk.length > 0) {
    sections.push(
      `Bulk: ${bulk[0]!.recordPayloadBytes}-byte records, client write -> server data event ("ours": records sealed into a RecordPool\n` +
        'and given back once taken, as the node adapter does over a socket; "new arrays": one new array per record), vs the bare\n' +
        "AEAD sealing the same inner plaintext into one reused array and opening it (the provider's best calls), and node:tls over an\n" +
        'in-memory Duplex pair; 64 records per timed operation for all; MB = 10^6 bytes per second of process CPU time;\n' +
        `ratios of CPU time: median (range) of the ${report.rounds} per-round ratios of interleaved slices, two ways: "whole" from each slice's\n` +
        'total CPU (every collection in it counted, also those another contender caused), "typical" from each slice\'s median\n' +
        'iteration (the work per record; the bulk targets read this one):',
      table(
        ['suite', 'provider', 'ours MB/s', 'new arrays MB/s', 'bare AEAD MB/s', 'ours / AEAD whole', 'typical', 'new arrays / AEAD whole', 'typical', 'node:tls MB/s', 'ours / node:tls whole', 'typical'],
        bulk.map((b) => {
          const reference = nodeTlsBulk.find((n) => n.suite === b.suite)?.MBps ?? NaN;
          const both = (r: BulkRatio) => [spreadText(r.wholeSlices), spreadText(r.typical)];
          return [b.suite, b.provider, b.engineMBps, b.engineNewArraysMBps, b.rawAeadMBps, ...both(b.shareOfAead), ...both(b.newArraysShareOfAead), reference, ...both(b.vsNodeTls)];
        }),
      ),
    );
  }

  if (memory) {
    const kib = (bytes: number) => bytes / 1024;
    sections.push(
      `Memory: ${memory.connections} client and ${memory.connections} server connections open at once, connected and idle ` +
        `(${memory.case}, ${memory.provider} provider); retained KiB per connection after garbage collection:`,
      table(
        ['side', 'V8 heap KiB', 'array buffers KiB', 'total KiB'],
        (['client', 'server'] as const).map((side) => [side, kib(memory[side].heapBytes), kib(memory[side].arrayBufferBytes), kib(memory[side].heapBytes + memory[side].arrayBufferBytes)]),
        2,
      ),
    );
  }

  if (targets.length > 0) {
    const shown = (value: number, unit: string) => (unit === 'bytes' ? `${(value / 1024).toFixed(1)} KiB` : unit === '%' ? `${value.toFixed(1)}%` : `${value.toFixed(2)}x`);
    sections.push(
      'Targets:',
      table(
        ['target', 'measured', 'goal', 'result'],
        targets.map((t) => [t.target, shown(t.measured, t.unit), `${t.unit === '%' || t.unit === 'bytes' ? '<=' : '>='} ${shown(t.goal, t.unit)}`, t.met ? 'met' : 'MISSED']),
      ),
    );
  }
  return sections.join('\n\n') + '\n';
}

/** Calls per handshake are whole numbers for a fixed handshake; show a decimal only when they vary. */
function formatCalls(calls: number): string {
  return Number.isInteger(calls) ? String(calls) : calls.toFixed(1);
}
