// node dist/scripts/bench/garbage-compare.js OLD_DIST NEW_DIST [--rounds N] [--handshakes N] [--filter a,b] [--crypto node|noble]
// Garbage per handshake of one build against another, interleaved: in every round each build's handshakes are
// sampled as the bench's garbage row samples them (garbage.ts `sample()`: heap and array-buffer growth around
// each handshake without a collection inside, the empty operation's reading subtracted), old then new, in one
// process. Prints per build the median and range over rounds (KiB per handshake) and the load average.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { importBuild } from './builds.js';
import { makeCases } from './cases.js';
import { runMain } from './deadline.js';
import { garbageCollector } from './memory.js';
import { spread } from './timing.js';

type Build = {
  engine: typeof import('./engine.js');
  garbage: typeof import('./garbage.js');
  run: typeof import('./run.js');
  random: typeof import('../../src/crypto/random.js');
};

const loadBuild = (dist: string) =>
  importBuild<Build>(dist, { engine: 'scripts/bench/engine.js', garbage: 'scripts/bench/garbage.js', run: 'scripts/bench/run.js', random: 'src/crypto/random.js' });

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      handshakes: { type: 'string', default: '400' },
      filter: { type: 'string', default: 'ed25519 pinned' },
      crypto: { type: 'string', default: 'node' },
    },
    allowPositionals: true,
  });
  const provider = values.crypto;
  const [rounds, count] = [Number(values.rounds), Number(values.handshakes)];
  if (positionals.length !== 2 || (provider !== 'node' && provider !== 'noble') || !(rounds >= 1) || !(count >= 1)) {
    console.error('usage: node dist/scripts/bench/garbage-compare.js OLD_DIST NEW_DIST [--rounds N] [--handshakes N] [--filter case,case] [--crypto node|noble]');
    process.exitCode = 2;
    return;
  }
  const builds = await Promise.all(positionals.map(loadBuild));
  const gc = garbageCollector();
  const cases = makeCases();
  for (const name of values.filter.split(',')) {
    const c = cases.find((x) => x.name === name);
    if (!c) throw new Error(`no case ${name}`);
    const load = loadavg()[0]!;
    const operations = builds.map((b) => b.engine.engineHandshake(c, b.run.PROVIDERS[provider], b.random.systemRandom));
    const kib: number[][] = builds.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, b] of builds.entries()) {
        const floor = await b.garbage.sample(() => {}, count, gc, `garbage-compare, the empty operation`);
        const s = await b.garbage.sample(operations[i]!, count, gc, `garbage-compare, ${name}, ${positionals[i]}`);
        kib[i]!.push((s.heapBytes + s.arrayBufferBytes - floor.heapBytes - floor.arrayBufferBytes) / 1024);
      }
    }
    const [old, fresh] = kib.map((k) => spread(k));
    const show = (s: typeof old) => `${s!.median.toFixed(1)} KiB (${s!.min.toFixed(1)}-${s!.max.toFixed(1)})`;
    console.log(`${name} (${provider}), ${rounds} rounds of ${count}: old ${show(old)} | new ${show(fresh)} | new - old ${(fresh!.median - old!.median).toFixed(1)} KiB | load ${load.toFixed(2)}-${loadavg()[0]!.toFixed(2)}`);
  }
}

await runMain(main);
