// node dist/scripts/bench/compare-builds.js OLD_DIST NEW_DIST [--seconds N] [--rounds N] [--filter a,b] [--crypto node|noble]
// One build of the engine against another in one process, in interleaved slices (timing.ts), on the CPU clock:
// per case, each build's un-metered handshake (T) and metered one (P: time inside primitives), the engine's
// own time T − P and overhead (T − P) / P (from the means, and per round: median and range), and the per-round
// ratio of CPU per handshake, old over new. T and P of a round come from adjacent slices, so a change in load
// lands on both; more rounds (--rounds, default 5) give the medians more to stand on.
// OLD_DIST and NEW_DIST are `dist` directories built by `npm run build` from two commits (each needs
// node_modules beside it). The cases are the bench's (cases.ts), made once, so both builds meet the same keys.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { makeCases, type HandshakeCase } from './cases.js';
import { meteringBiasMs } from './metering.js';
import { cpuClock, mean, measure, ROUNDS, spread, type Measurement, type Operation, type Spread } from './timing.js';
import { importBuild } from './builds.js';
import { runMain } from './deadline.js';

type Build = {
  engine: typeof import('./engine.js');
  run: typeof import('./run.js');
  metering: typeof import('./metering.js');
  random: typeof import('../../src/crypto/random.js');
};

const loadBuild = (dist: string) =>
  importBuild<Build>(dist, { engine: 'scripts/bench/engine.js', run: 'scripts/bench/run.js', metering: 'scripts/bench/metering.js', random: 'src/crypto/random.js' });

/** A build's plain and metered handshakes of `c`, and where the metered one leaves its primitive times. */
function buildOperations(b: Build, c: HandshakeCase, provider: 'node' | 'noble', biasMs: number) {
  const tally = new b.metering.Tally(cpuClock);
  const plain = b.engine.engineHandshake(c, b.run.PROVIDERS[provider], b.random.systemRandom);
  const metered = b.engine.engineHandshake(c, b.metering.meteredProvider(b.run.PROVIDERS[provider], tally), b.metering.meteredRandom(b.random.systemRandom, tally));
  const primitiveMs: number[] = [];
  const operations: Operation[] = [
    () => plain(),
    () => {
      const [ms, calls] = [tally.totalMs, tally.timedCalls];
      metered();
      primitiveMs.push(tally.totalMs - ms - (tally.timedCalls - calls) * biasMs);
    },
  ];
  return { operations, primitiveMs, reset: () => ((primitiveMs.length = 0), tally.reset()) };
}

/**
 * (T − P) / P of each round: T the plain handshakes' CPU per handshake in that round's slice, P the mean of the
 * primitive times of the metered handshakes in that round's metered slice (`primitiveMs` holds them in order).
 */
function roundOverheads(plain: Measurement, metered: Measurement, primitiveMs: readonly number[]): Spread {
  let at = 0;
  return spread(
    metered.slices.map((slice, round) => {
      const P = mean(primitiveMs.slice(at, (at += slice.iterations)));
      const T = plain.slices[round]!.cpuMs / plain.slices[round]!.iterations;
      return (T - P) / P;
    }),
  );
}

const percent = (s: Spread) => `${(s.median * 100).toFixed(1)}% (${(s.min * 100).toFixed(1)}..${(s.max * 100).toFixed(1)})`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { seconds: { type: 'string', default: '3' }, rounds: { type: 'string', default: String(ROUNDS) }, filter: { type: 'string', default: 'ed25519 pinned' }, crypto: { type: 'string', default: 'node' } },
    allowPositionals: true,
  });
  const provider = values.crypto;
  const rounds = Number(values.rounds);
  if (positionals.length !== 2 || (provider !== 'node' && provider !== 'noble') || !(Number(values.seconds) > 0) || !Number.isInteger(rounds) || rounds < 1) {
    console.error('usage: node dist/scripts/bench/compare-builds.js OLD_DIST NEW_DIST [--seconds N] [--rounds N] [--filter case,case] [--crypto node|noble]');
    process.exitCode = 2;
    return;
  }
  const builds = await Promise.all(positionals.map(loadBuild));
  const biasMs = meteringBiasMs(cpuClock);
  const cases = makeCases();
  for (const name of values.filter.split(',')) {
    const c = cases.find((x) => x.name === name);
    if (!c) throw new Error(`no case ${name}`);
    const perBuild = builds.map((b) => buildOperations(b, c, provider, biasMs));
    const load = loadavg()[0]!;
    const measured = await measure(Number(values.seconds), perBuild.flatMap((p) => p.operations), () => perBuild.forEach((p) => p.reset()), { row: `compare builds, ${name}`, rounds });
    const cpuEach = (m: Measurement) => m.cpuMs / m.iterations;
    const [oldPlain, newPlain] = [measured[0]!, measured[2]!];
    const parts = perBuild.map((p, i) => {
      const [T, P] = [cpuEach(measured[2 * i]!), mean(p.primitiveMs)];
      const perRound = roundOverheads(measured[2 * i]!, measured[2 * i + 1]!, p.primitiveMs);
      return `T ${T.toFixed(3)} P ${P.toFixed(3)} engine ${(T - P).toFixed(3)} ms overhead ${(((T - P) / P) * 100).toFixed(1)}%, per round ${percent(perRound)}`;
    });
    const ratio = spread(oldPlain.slices.map((s, round) => s.cpuMs / s.iterations / (newPlain.slices[round]!.cpuMs / newPlain.slices[round]!.iterations)));
    console.log(
      `${name} (${provider}): old ${parts[0]} | new ${parts[1]} | CPU per handshake old/new ${ratio.median.toFixed(3)} (${ratio.min.toFixed(3)}-${ratio.max.toFixed(3)}) | load ${load.toFixed(2)}-${loadavg()[0]!.toFixed(2)}`,
    );
  }
}

await runMain(main);
