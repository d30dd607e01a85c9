// npm run bench [-- --seconds N] [--json [FILE]] [--filter TEXT] [--clock cpu|wall] [--crypto node|noble] [--connections N] [--no-bulk] [--worst-certificate-key FILE | --no-worst-certificate] [--no-floor] [--no-garbage] [--no-tcp] [--no-serve]
// Handshakes per second of our engine and of node:tls, the time our handshakes spend inside crypto
// primitives, bulk record throughput, retained memory per idle connection, the CPU to reject the worst certificate message a peer can send,
// garbage and GC pauses per handshake, and the targets. Tables go to stdout (progress to stderr); --json writes the numbers.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeCases } from './bench/cases.js';
import { measureGarbage, renderGarbage } from './bench/garbage.js';
import { measureFloor, renderFloor } from './bench/floor.js';
import { renderReport } from './bench/report.js';
import { runBench, type ClockName, type ProviderName } from './bench/run.js';
import { measureWorstCertificate, type WorstCertificateReport } from './bench/worst-certificate.js';
import { runTcpAndServeRows } from './bench/tcp-serve-rows.js';
import { runMain } from './bench/deadline.js';

function renderWorstCertificate(w: WorstCertificateReport): string {
  return [
    'Worst certificate message a peer can send within the limits: CPU to reject (noble provider):',
    `  ${w.entries} entries, ${w.certificateMessageBytes} bytes, ${w.modulusBits}-bit RSA keys with e = ${w.publicExponent}`,
    `  ${w.signatureChecks} signature checks, ${w.cpuMs.toFixed(0)} ms CPU (median of ${w.runs}), ${w.cpuMsPerSignatureCheck.toFixed(1)} ms each; answered ${w.alert}`,
    `  goal <= ${w.goalMs} ms: ${w.met ? 'met' : 'MISSED'} (a budget of at most ${w.signatureBudgetForGoal} such checks meets it)`,
    '',
  ].join('\n');
}

const USAGE = `usage: node dist/scripts/bench.js [--seconds N] [--json [FILE]] [--filter TEXT] [--clock cpu|wall] [--crypto node|noble] [--connections N] [--no-bulk]
  [--worst-certificate-key FILE | --no-worst-certificate] [--no-floor] [--no-garbage] [--no-tcp] [--no-serve]
  --seconds N      measuring time per operation of a row (default 2; plus a 20% warm-up)
  --json [FILE]    write the numbers as JSON to FILE, or to stdout instead of the tables
  --filter TEXT    only handshake cases whose name contains TEXT (ed25519, CA, p256, rsa2048, mtls, rpk, psk)
  --clock C        time primitives and the overhead in CPU time (cpu, default: fair on a busy machine) or wall time
  --crypto P       run our engine on one provider only: node (node:crypto) or noble (default: both)
  --connections N  idle connections to open for the memory row (default 10000; 0 skips it)
  --no-bulk        skip the bulk transfer rows
  --worst-certificate-key FILE  the attacker's RSA key (PEM) for the worst-certificate row (default: a fresh
                   8192-bit key with e = 2^32 - 1; openssl can make one with e = 2^33 - 1, our bound)
  --no-worst-certificate        skip that row (generating the key takes a while)
  --no-floor       skip the primitive floor (the node:crypto calls a handshake needs, each at its cheapest)
  --no-garbage     skip the garbage-per-handshake rows (first selected case; ours and node:tls)
  --no-tcp         skip the loopback TCP handshake row (tls13-lab/node vs node:tls)
  --no-serve       skip the serve-load row (tls13 serve vs node:https vs openssl s_server; about a minute)`;

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
      'worst-certificate-key': { type: 'string' },
      'no-worst-certificate': { type: 'boolean', default: false },
      'no-floor': { type: 'boolean', default: false },
      'no-tcp': { type: 'boolean', default: false },
      'no-serve': { type: 'boolean', default: false },
      'no-garbage': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const seconds = Number(values.seconds);
  // `--json FILE`: the file name arrives as the one positional argument.
  const jsonFile = values.json ? positionals[0] : undefined;
  // Checked below, before either is used.
  const clock = values.clock as ClockName;
  const crypto = values.crypto as ProviderName | undefined;
  const connections = Number(values.connections);
  const refused = [
    !(seconds > 0 && Number.isFinite(seconds)) && `--seconds takes a number of seconds above 0, not '${values.seconds}'`,
    !(Number.isInteger(connections) && connections >= 0) && `--connections takes a whole number, 0 or more, not '${values.connections}'`,
    clock !== 'cpu' && clock !== 'wall' && `--clock takes cpu or wall, not '${clock}'`,
    crypto !== undefined && crypto !== 'node' && crypto !== 'noble' && `--crypto takes node or noble, not '${crypto}'`,
    positionals.length > (values.json ? 1 : 0) && `unexpected argument '${positionals[values.json ? 1 : 0]}' (only --json takes a file name)`,
  ].find((message) => message !== false);
  if (refused) {
    console.error(`bench.js: ${refused}; --help lists the flags`);
    process.exitCode = 2;
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
  const keyFile = values['worst-certificate-key'];
  const worstCertificate = values['no-worst-certificate']
    ? null
    : measureWorstCertificate({ progress: (line) => console.error(line), ...(keyFile ? { keyPem: readFileSync(keyFile, 'utf8') } : {}) });
  const floor = values['no-floor']
    ? null
    : await measureFloor({ seconds: seconds / 4, clock, progress: (line) => console.error(line), ...(values.filter ? { filter: values.filter } : {}) });
  const network = await runTcpAndServeRows({ seconds, tcp: !values['no-tcp'], serve: !values['no-serve'], progress: (line) => console.error(line) });
  report.targets.push(...network.targets);
  const [garbageCase] = makeCases((name) => name.includes(values.filter ?? ''));
  const garbage = values['no-garbage'] || !garbageCase ? null : await measureGarbage(garbageCase, { providers: report.providers, progress: (line) => console.error(line) });
  const json = JSON.stringify({ ...report, worstCertificate, floor, garbage, tcp: network.tcp, serveLoad: network.serveLoad }, null, 2) + '\n';
  if (values.json && !jsonFile) {
    process.stdout.write(json);
    return;
  }
  if (jsonFile) writeFileSync(jsonFile, json);
  process.stdout.write('\n' + renderReport(report));
  if (floor) process.stdout.write('\n' + renderFloor(floor, report.handshakes, clock));
  if (garbage) process.stdout.write('\n' + renderGarbage(garbage));
  if (network.text) process.stdout.write('\n' + network.text);
  if (worstCertificate) process.stdout.write('\n' + renderWorstCertificate(worstCertificate));
}

await runMain(main);
