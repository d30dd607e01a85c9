// node dist/scripts/fuzz/cli.js [--seconds N] [--seed S]
// Fuzzes the tls13 command line in-process: for `demo`, `cert` (files in a temporary directory), `connect`
// (to 127.0.0.1:1, where nothing listens) and `serve` (on port 0 with a real certificate and key, stopped
// after 400 ms: exit code 0 when it served), one to four of the command's own options with misshaped values
// (empty, negative, huge, missing files, files of garbage, control characters, lists with holes). The
// invariant (docs/robustness.md): exit code 0, 1 or 2; no "internal error" and no stack trace on stderr;
// a usage error (2) is one line. Prints every violation with its argv.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { COMMANDS, main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { Prng } from '../../src/testing/fuzz/input.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' } } });
const dir = mkdtempSync(join(tmpdir(), 'tls13-cli-fuzz-'));
// Option values are also relative paths (`--out-key x`): whatever a run writes lands in the temporary directory.
process.chdir(dir);
const garbage = join(dir, 'garbage.pem');
writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
const binary = join(dir, 'binary.der');
writeFileSync(binary, Uint8Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff));
const empty = join(dir, 'empty');
writeFileSync(empty, '');

const VALUES = ['', 'x', '-1', '0', '1', '65536', '99999999999999999999', '1e3', 'NaN', join(dir, 'missing'), garbage, binary, empty, dir, 'a\nb', '\u001b[31m', 'x25519,,secp256r1', 'TLS_AES_128_GCM_SHA256', 'sha256/zz', 'h2,', ':', '127.0.0.1:99999', '[::1]', 'ed25519', 'rsa', 'p256'];

function memoryIo(stopAfterMs: number): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const abort = new AbortController();
  setTimeout(() => abort.abort(), stopAfterMs).unref();
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) }, env: {}, signal: abort.signal } as unknown as Io,
    out: () => out,
    err: () => err,
  };
}

/** A real server certificate and key for `serve`, made once by `cert` itself. */
const [serverCert, serverKey] = [join(dir, 'server.pem'), join(dir, 'server.key')];

function argvFor(prng: Prng): string[] {
  const command = [...COMMANDS].filter((c) => ['demo', 'cert', 'connect', 'serve'].includes(c.name))[prng.below(4)]!;
  const argv = [command.name];
  if (command.name === 'serve') argv.push('--port', '0', ...(prng.below(4) === 0 ? [] : ['--cert', serverCert, '--key', serverKey]));
  if (command.name === 'connect') argv.push(prng.below(4) === 0 ? VALUES[prng.below(VALUES.length)]! : '127.0.0.1:1');
  if (command.name === 'cert') argv.push('--out-cert', join(dir, 'c.pem'), '--out-key', join(dir, 'k.pem'));
  const names = Object.keys(command.options);
  for (let i = 0, n = 1 + prng.below(4); i < n; i++) {
    const name = names[prng.below(names.length)]!;
    argv.push(`--${name}`);
    if (command.options[name]!.type === 'string') argv.push(VALUES[prng.below(VALUES.length)]!);
  }
  return argv;
}

async function run(): Promise<void> {
  if ((await main(['cert', '--out-cert', serverCert, '--out-key', serverKey, '--dns', 'localhost'], memoryIo(3000).io)) !== 0) throw new Error('cert failed');
  const prng = new Prng(Number(values.seed));
  const deadline = performance.now() + Number(values.seconds) * 1000;
  const codes = new Map<number, number>();
  let runs = 0;
  let violations = 0;
  while (performance.now() < deadline) {
    const argv = argvFor(prng);
    const { io, err } = memoryIo(argv[0] === 'serve' ? 400 : 3000);
    if (process.env.CLI_FUZZ_VERBOSE) console.log(`RUN tls13 ${argv.map((a) => JSON.stringify(a)).join(' ')}`);
    // A command that waits for what never comes (no stdin here) must still end: give it 5 s.
    const code = await Promise.race([main(argv, io), new Promise<number>((resolve) => setTimeout(() => resolve(-1), 5000))]);
    runs++;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    const stderr = err();
    const problems = [
      ...(code === -1 ? ['no exit within 5 s'] : ![0, 1, 2].includes(code) ? [`exit code ${code}`] : []),
      ...(stderr.includes('internal error') ? ['internal error'] : []),
      ...(/\n\s+at /.test(stderr) ? ['stack trace'] : []),
      ...(code === 2 && stderr.trim().split('\n').length > 1 ? ['usage error of more than one line'] : []),
    ];
    if (problems.length > 0) {
      violations++;
      console.log(`VIOLATION ${problems.join(', ')}: tls13 ${argv.map((a) => JSON.stringify(a)).join(' ')}\n  ${stderr.split('\n').slice(0, 3).join('\n  ')}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`${runs} runs, exit codes ${JSON.stringify(Object.fromEntries(codes))}, ${violations} violations`);
  process.exitCode = violations === 0 ? 0 : 1;
}

void run();
