// What sharing a process costs a contender: each contender of a handshake row alone in a process of its own,
// beside the same contenders together in one process (or in the companies given), all slices interleaved in
// time from this process (isolated.ts), so a change in load lands within a round on all of them alike.
// Per contender and company: CPU ms per handshake (mean and median iteration), the collections and their
// main-thread pause per handshake in its slices, and its CPU per handshake over its alone twin's, median and
// range of the per-round ratios (> 1: the company slows it).
//
// node dist/scripts/bench/sharing.js [--case NAME] [--seconds N] [--rounds N] [--company LIST]...
//   LIST: contenders separated by commas, of noble, noble-metered, node, node-metered, node:tls
//   (default: one company of all five; --company may be given more than once)
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ContenderSpec } from './contender-process.js';
import { runMain } from './deadline.js';
import { ContenderProcess, type IsolatedContender } from './isolated.js';
import { table } from './report.js';
import { measure, median, spread, warmUpFor, type Measurement } from './timing.js';

const KINDS = ['noble', 'noble-metered', 'node', 'node-metered', 'node:tls'] as const;
type Kind = (typeof KINDS)[number];

function spec(kind: Kind, caseName: string): ContenderSpec {
  if (kind === 'node:tls') return { kind: 'node:tls', caseName };
  const [provider, metered] = kind.split('-') as ['noble' | 'node', string | undefined];
  return { kind: 'engine', caseName, provider, ...(metered ? { metered: 'cpu' as const } : {}) };
}

export interface SharingLine {
  contender: Kind;
  /** 'alone' or the company's contenders joined by '+'. */
  company: string;
  cpuMsEach: number;
  medianCpuMs: number;
  collectionsEach: number;
  gcPauseMsEach: number;
  /** The new space's capacity at the end of its slices, smallest and largest (MiB). */
  newSpaceMiB: [number, number];
  /** CPU per handshake over the alone twin's, per round: median and range (null for the alone line itself). */
  overAlone: { median: number; min: number; max: number } | null;
}

/** Per-round CPU ms per iteration of `m`. */
const cpuPerRound = (m: Measurement) => m.slices.map((s) => s.cpuMs / s.iterations);

export async function sharing(caseName: string, companies: Kind[][], seconds: number, rounds: number): Promise<SharingLine[]> {
  const kinds = [...new Set(companies.flat())];
  const started: IsolatedContender[][] = [];
  try {
    for (const kind of kinds) started.push(await ContenderProcess.start([spec(kind, caseName)], warmUpFor(seconds), `sharing, ${kind} alone`));
    for (const company of companies) started.push(await ContenderProcess.start(company.map((k) => spec(k, caseName)), warmUpFor(seconds), `sharing, ${company.join('+')}`));
    const all = started.flat();
    const measured = await measure(seconds, all, async () => {
      for (const c of all) await c.reset();
    }, { row: `sharing, ${caseName}`, rounds });
    const labels = [...kinds.map((k) => ({ kind: k, company: 'alone' })), ...companies.flatMap((company) => company.map((k) => ({ kind: k, company: company.join('+') })))];
    return labels.map(({ kind, company }, i): SharingLine => {
      const m = measured[i]!;
      const alone = cpuPerRound(measured[kinds.indexOf(kind)]!);
      const own = cpuPerRound(m);
      return {
        contender: kind,
        company,
        cpuMsEach: m.cpuMs / m.iterations,
        medianCpuMs: median(m.cpuSamplesMs),
        collectionsEach: all[i]!.collections / m.iterations,
        gcPauseMsEach: all[i]!.gcPauseMs / m.iterations,
        newSpaceMiB: [Math.min(...all[i]!.newSpaceBytes) / 2 ** 20, Math.max(...all[i]!.newSpaceBytes) / 2 ** 20],
        overAlone: company === 'alone' ? null : spread(own.map((x, round) => x / alone[round]!)),
      };
    });
  } finally {
    ContenderProcess.close(started.flat());
  }
}

export function renderSharing(caseName: string, lines: SharingLine[], rounds: number, seconds: number, load: [number, number]): string {
  return [
    `${caseName}: each contender alone in its own process and in company, ${rounds} rounds of interleaved slices, ${seconds} s each in all; ` +
      `CPU clock of each contender's own process; load average ${load[0].toFixed(2)} at start, ${load[1].toFixed(2)} at end:`,
    '',
    table(
      ['contender', 'process', 'cpu ms/hs', 'median ms', 'GCs/hs', 'GC µs/hs', 'new space MiB', 'cpu / alone'],
      lines.map((l) => [
        l.contender,
        l.company,
        l.cpuMsEach,
        l.medianCpuMs,
        l.collectionsEach,
        l.gcPauseMsEach * 1000,
        `${l.newSpaceMiB[0].toFixed(1)}-${l.newSpaceMiB[1].toFixed(1)}`,
        l.overAlone ? `${l.overAlone.median.toFixed(2)} (${l.overAlone.min.toFixed(2)}-${l.overAlone.max.toFixed(2)})` : '-',
      ]),
      3,
    ),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', default: 'ed25519 pinned' },
      seconds: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '10' },
      company: { type: 'string', multiple: true },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const companies = (values.company ?? [KINDS.join(',')]).map((list) => list.split(',') as Kind[]);
  if (!(seconds > 0) || !(Number.isInteger(rounds) && rounds > 0) || companies.some((c) => c.some((k) => !KINDS.includes(k)))) {
    console.error(`usage: node dist/scripts/bench/sharing.js [--case NAME] [--seconds N] [--rounds N] [--company ${KINDS.join(',')}]...`);
    process.exitCode = 2;
    return;
  }
  const start = loadavg()[0]!;
  const lines = await sharing(values.case, companies, seconds, rounds);
  process.stdout.write(renderSharing(values.case, lines, rounds, seconds, [start, loadavg()[0]!]));
}

if (process.argv[1]?.endsWith('sharing.js')) await runMain(main);
