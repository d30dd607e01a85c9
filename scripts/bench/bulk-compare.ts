// node dist/scripts/bench/bulk-compare.js OLD_DIST NEW_DIST [--seconds N] [--rounds N] [--repeat N] [--suites a,b] [--crypto node|noble]
// The bench's bulk row for two builds of the engine in one process, in interleaved slices (timing.ts), on the
// CPU clock: per suite, each build's pooled transfer (64 records of 16 KiB, client seals into a RecordPool,
// server opens), the new build's bare AEAD (`rawAeadRoundTrip`) and node:tls over a duplexPair, and the per-round
// ratios new ÷ old, old ÷ bare, new ÷ bare and new ÷ node:tls: median (quartiles; min-max), two ways:
//   whole slices    CPU per slice (every collection and every interruption in it counted);
//   typical         the median iteration's CPU per slice (64 records): what a record costs when no collection
//                   and no other process hits it. The collections a contender causes land in whichever slice
//                   runs when V8 decides (often the next contender's), so whole-slice ratios of one build
//                   against itself spread 0.50-1.39 under load; typical ones 0.80-1.16, quartiles ±4%
//                   (docs/performance-history.md, sixth round). Read the typical ratio for work per record and the
//                   whole-slice one, over many rounds, for what garbage adds.
// `--rounds` (default 20) slices per contender per run; `--repeat` runs the measurement that many times and
// pools the rounds. OLD_DIST and NEW_DIST as in compare-builds.ts.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { makeCases } from './cases.js';
import { importBuild } from './builds.js';
import { runMain } from './deadline.js';
import { nodeTlsTransfer } from './node-tls.js';
import { measure, perCpuSecond, showQuartiles as show, sliceRatios, spread, typicalSlices, type Slice } from './timing.js';

const RECORDS = 64;

type Build = {
  engine: typeof import('./engine.js');
  run: typeof import('./run.js');
  pool: typeof import('../../src/node/record-pool.js');
  suites: typeof import('../../src/handshake/suites.js');
  random: typeof import('../../src/crypto/random.js');
};

const loadBuild = (dist: string) =>
  importBuild<Build>(dist, {
    engine: 'scripts/bench/engine.js',
    run: 'scripts/bench/run.js',
    pool: 'src/node/record-pool.js',
    suites: 'src/handshake/suites.js',
    random: 'src/crypto/random.js',
  });

const ratios = (a: Slice[], b: Slice[]) => sliceRatios(a, b, perCpuSecond);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      seconds: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '20' },
      repeat: { type: 'string', default: '1' },
      suites: { type: 'string', default: '' },
      crypto: { type: 'string', default: 'node' },
    },
    allowPositionals: true,
  });
  const provider = values.crypto;
  if (positionals.length !== 2 || (provider !== 'node' && provider !== 'noble') || !(Number(values.seconds) > 0) || !(Number(values.repeat) >= 1) || !(Number(values.rounds) >= 1)) {
    console.error('usage: node dist/scripts/bench/bulk-compare.js OLD_DIST NEW_DIST [--seconds N] [--rounds N] [--repeat N] [--suites a,b] [--crypto node|noble]');
    process.exitCode = 2;
    return;
  }
  const [oldBuild, newBuild] = (await Promise.all(positionals.map(loadBuild))) as [Build, Build];
  const c = makeCases()[0]!;
  const wanted = values.suites === '' ? undefined : values.suites.split(',');
  for (const suite of newBuild.suites.SUITES.values()) {
    if (wanted && !wanted.includes(suite.name)) continue;
    const transfer = (b: Build) => {
      const s = [...b.suites.SUITES.values()].find((x) => x.name === suite.name)!;
      return b.engine.engineRecordTransfer(c, s, b.run.PROVIDERS[provider], b.random.systemRandom, RECORDS, new b.pool.RecordPool(1));
    };
    const operations = [
      transfer(oldBuild),
      transfer(newBuild),
      newBuild.engine.rawAeadRoundTrip(suite.aead, newBuild.run.PROVIDERS[provider], newBuild.random.systemRandom, RECORDS),
      await nodeTlsTransfer(c, suite.name, 2 ** 14, RECORDS),
    ];
    const slices: Slice[][] = operations.map(() => []);
    const typical: Slice[][] = operations.map(() => []);
    const loadBefore = loadavg()[0]!;
    for (let r = 0; r < Number(values.repeat); r++) {
      const measured = await measure(Number(values.seconds), operations, undefined, {
        row: `bulk compare, ${suite.name}`,
        rounds: Number(values.rounds),
      });
      measured.forEach((m, i) => {
        slices[i]!.push(...m.slices);
        typical[i]!.push(...typicalSlices(m));
      });
    }
    const [oldRun, newRun, bare, nodeTls] = slices as [Slice[], Slice[], Slice[], Slice[]];
    const mbps = (s: Slice[]) => spread(s.map((x) => (perCpuSecond(x) * RECORDS * 2 ** 14) / 1e6)).median.toFixed(0);
    console.log(
      `${suite.name} (${provider}), whole slices: MB/s per CPU s old ${mbps(oldRun)} new ${mbps(newRun)} bare ${mbps(bare)} node:tls ${mbps(nodeTls)} | ` +
        `new/old ${show(ratios(newRun, oldRun))} | old/bare ${show(ratios(oldRun, bare))} | new/bare ${show(ratios(newRun, bare))} | ` +
        `new/node:tls ${show(ratios(newRun, nodeTls))} | rounds ${newRun.length} | load ${loadBefore.toFixed(2)}-${loadavg()[0]!.toFixed(2)}`,
    );
    const [oldTypical, newTypical, bareTypical, nodeTlsTypical] = typical as [Slice[], Slice[], Slice[], Slice[]];
    console.log(
      `  typical: new/old ${show(ratios(newTypical, oldTypical))} | old/bare ${show(ratios(oldTypical, bareTypical))} | ` +
        `new/bare ${show(ratios(newTypical, bareTypical))} | new/node:tls ${show(ratios(newTypical, nodeTlsTypical))}`,
    );
  }
  process.exit(0);
}

await runMain(main);
