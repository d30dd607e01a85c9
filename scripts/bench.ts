// npm run bench [-- --seconds N] [--json [FILE]] [--filter TEXT] [--clock cpu|wall] [--crypto node|noble] [--connections N] [--no-bulk]
// Handshakes per second of our engine and of node:tls, the time our handshakes spend inside crypto
// primitives, bulk record throughput, retained memory per idle connection, and the targets. Tables go to stdout (progress to stderr); --json writes the numbers.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderReport } from './bench/report.js';
import { runBench } from './bench/run.js';

const USAGE = `usage: node dist/scripts/bench.js [--seconds N] [--json [FILE]] [--filter TEXT] [--clock cpu|wall] [--crypto node|noble] [--connections N] [--no-bulk]
  --seconds N      measuring time per operation of a row (default 2; plus a 20% warm-up)
  --json [FILE]    write the numbers as JSON to FILE, or to stdout instead of the tables
  --filter TEXT    only handshake cases whose name contains TEXT (ed25519, CA, p256, rsa2048, mtls, rpk, psk)
  --clock C        time primitives and the overhead in CPU time (cpu, default: fair on a busy machine) or wall time
  --crypto P       run our engine on one provider only: node (node:crypto) or noble (default: both)
  --connections N  idle connections to open for the memory row (default 10000; 0 skips it)
  --no-bulk        skip the bulk transfer rows`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      seconds: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
      filter: { type: 'string' },
      clock: { type: 'string', default: 'cpu' },
      crypto: { type: 'string' },
      connections: { type: 'string', default: '10000' },
      'no-bulk': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const seconds = Number(values.seconds);
  // `--json FILE`: the file name arrives as the one positional argument.
  const jsonFile = values.json ? positionals[0] : undefined;
  const clock = values.clock;
  const crypto = values.crypto;
  const connections = Number(values.connections);
  if (
    values.help ||
    !(seconds > 0) ||
    !(Number.isInteger(connections) && connections >= 0) ||
    positionals.length > (values.json ? 1 : 0) ||
    (clock !== 'cpu' && clock !== 'wall') ||
    (crypto !== undefined && crypto !== 'node' && crypto !== 'noble')
  ) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }

  const report = await runBench({
    seconds,
    clock,
    bulk: !values['no-bulk'],
    connections,
    ...(crypto ? { providers: [crypto] } : {}),
    progress: (line) => console.error(line),
    ...(values.filter ? { filter: values.filter } : {}),
  });
  const json = JSON.stringify(report, null, 2) + '\n';
  if (values.json && !jsonFile) {
    process.stdout.write(json);
    return;
  }
  if (jsonFile) writeFileSync(jsonFile, json);
  process.stdout.write('\n' + renderReport(report));
}

await main();
