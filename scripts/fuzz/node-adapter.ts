// node dist/scripts/fuzz/node-adapter.js [--seconds N] [--seed S] [--target peer|options]
// Fuzzes the node adapter (tls13-lab/node): tampered peer bytes over duplexPairs, and broken options of
// connect() / createServer() (the cases and their invariant: node-adapter-cases.ts). Every violation is
// printed with its input (hex) once per distinct message; uncaught exceptions count as violations.
import { parseArgs } from 'node:util';
import { hex } from '../../src/wire/bytes.js';
import { Prng } from '../../src/testing/fuzz/input.js';
import { optionsCase, peerBytesCase } from './node-adapter-cases.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' }, target: { type: 'string', default: 'peer' } } });
const run = values.target === 'options' ? optionsCase : peerBytesCase;
let uncaught = 0;
process.on('uncaughtException', (e) => {
  uncaught++;
  console.log(`VIOLATION uncaught exception: ${e.stack ?? String(e)}`);
});
process.on('warning', (w) => console.log(`WARNING ${w.name}: ${w.message.split('\n')[0]}`));

const prng = new Prng(Number(values.seed));
const deadline = performance.now() + Number(values.seconds) * 1000;
const seen = new Set<string>();
const outcomes = new Map<string, number>();
let cases = 0;
while (performance.now() < deadline) {
  const input = prng.bytes(8 + prng.below(24));
  cases++;
  try {
    const outcome = await run(input);
    const key = outcome.replace(/^.*: /, '').replace(/\d+/g, '#').slice(0, 50);
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const key = message.replace(/\d+/g, '#');
    if (seen.has(key)) continue;
    seen.add(key);
    console.log(`VIOLATION ${message}\n  input ${hex(input)}`);
  }
}
console.log([...outcomes].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => `${String(n).padStart(6)}  ${k}`).join('\n'));
console.log(`${cases} cases (${values.target}, seed ${values.seed}), ${seen.size} distinct violations, ${uncaught} uncaught exceptions`);
process.exitCode = seen.size + uncaught === 0 ? 0 : 1;
