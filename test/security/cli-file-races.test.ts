// Attacker: another local user, against the files tls13 writes and reads (a second pass over
// src/cli/output-files.ts and readOwnFileFor). (1) A named pipe of ours that others may read (mkfifo under
// the usual umask 022 makes it 0644): any user who opens it for reading, even before tls13 starts, takes
// key-log lines from it, and narrowing the mode afterwards cannot take back a descriptor already open.
// (2) A --sess-in name that is a named pipe nobody writes (or one another user planted in a shared
// directory, who decides when tls13 goes on): open(2) blocked tls13 for ever before any check ran.
// (3) A regular key log swapped for a named pipe nobody reads between two appends: the per-line open(2)
// blocked for ever. (4) The blocking reopen of a checked pipe went by name, following whatever was planted
// there since. Also pinned: the 16 MiB input bound at and one past the limit, a symlinked session file.
// Since open(2) on a pipe blocks the whole process, these run the real command in a child, under `timeout`.
import { chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, runShell, secretFilesScratch } from '../cli/helpers.js';

const file = secretFilesScratch('tls13-file-races-');
const DEMO = 'timeout 15 $TLS13 demo --scenario 1rtt --crypto node';

beforeAll(() => ensureBuilt(), 120_000);

function scratch(name: string): string {
  mkdirSync(file(name));
  return file(name);
}

describe('a named pipe of ours that other users may read', () => {
  it('--keylog to a 0644 pipe whose reader (any user) waits: refused, the reader gets nothing', async () => {
    const dir = scratch('fifo-0644');
    const script = `mkfifo -m 644 keys.pipe && (cat keys.pipe > got.keys &) && sleep 0.2 && ${DEMO} --keylog keys.pipe > /dev/null; echo "rc=$?"; sleep 0.2`;
    const result = await runShell(script, dir);
    expect(result.stdout).toBe('rc=2\n');
    expect(result.stderr).toBe('tls13: --keylog keys.pipe: is a named pipe other users may read (mode 644): they would take secrets from it; chmod 600 it\n');
    expect(readFileSync(`${dir}/got.keys`, 'latin1')).toBe('');
  });

  it('--trace FILE to a group-readable pipe: refused likewise; a public output (--pcap) may go to it', async () => {
    const dir = scratch('fifo-0640');
    const trace = await runShell(`mkfifo -m 640 t.pipe && (cat t.pipe > got &) && sleep 0.2 && ${DEMO} --trace json=t.pipe > /dev/null; echo "rc=$?"; sleep 0.2`, dir);
    expect(trace.stdout).toBe('rc=2\n');
    expect(trace.stderr).toMatch(/^tls13: --trace t\.pipe: is a named pipe other users may read \(mode 640\)/);
    expect(readFileSync(`${dir}/got`, 'latin1')).toBe('');
    const pcap = await runShell(`mkfifo -m 644 p.pipe && (cat p.pipe > got.pcap &) && sleep 0.2 && ${DEMO} --pcap p.pipe > /dev/null; echo "rc=$?"; sleep 0.2`, dir);
    expect(pcap.stdout).toBe('rc=0\n');
    expect(readFileSync(`${dir}/got.pcap`).length).toBeGreaterThan(24);
  });

  it('a pipe to the next command (`--keylog >(...)`, /dev/stdout: mode 0600 pipes) is still written', async () => {
    const dir = scratch('anonymous-pipe');
    const result = await runShell(`${DEMO} --keylog /dev/stdout | grep -c '^[A-Z_]*TRAFFIC_SECRET[A-Z_0-9]* [0-9a-f]* [0-9a-f]*$'; echo "rc=$?"`, dir);
    expect(result.stdout).toBe('4\nrc=0\n');
  });
});

describe('--sess-in that is not a regular file', () => {
  const CONNECT = 'timeout 10 $TLS13 connect 127.0.0.1:1 --insecure';

  it('a named pipe of ours that no process writes: one line at once, exit 2 (open(2) blocked for ever)', async () => {
    const dir = scratch('sess-fifo');
    const result = await runShell(`mkfifo -m 600 session.json && ${CONNECT} --sess-in session.json; echo "rc=$?"`, dir, {}, 15_000);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('rc=2\n');
    expect(result.stderr).toBe('tls13: --sess-in session.json: is not a regular file (--sess-out writes one)\n');
  });

  it.runIf(process.getuid?.() === 0)('a device of ours with mode 0600 (mknod of /dev/zero\'s numbers): refused before a byte is read', async () => {
    const dir = scratch('sess-device');
    const result = await runShell(`mknod -m 600 session.json c 1 5 && ${CONNECT} --sess-in session.json; echo "rc=$?"`, dir, {}, 15_000);
    expect(result.stdout).toBe('rc=2\n');
    expect(result.stderr).toBe('tls13: --sess-in session.json: is not a regular file (--sess-out writes one)\n');
  });

  it('a symbolic link to a session file of ours is read as that file (as openssl -sess_in does): its checks are the target\'s', async () => {
    const dir = scratch('sess-link');
    writeFileSync(`${dir}/real.json`, '{}', { mode: 0o600 });
    symlinkSync(`${dir}/real.json`, `${dir}/link.json`);
    const ours = await runCli(['connect', '127.0.0.1:1', '--insecure', '--sess-in', `${dir}/link.json`]);
    expect(ours.stderr).toMatch(/link\.json: not a "tls13-lab session" file/);
    writeFileSync(`${dir}/open.json`, '{}', { mode: 0o600 });
    symlinkSync(`${dir}/open.json`, `${dir}/link-open.json`);
    chmodSync(`${dir}/open.json`, 0o666);
    const shared = await runCli(['connect', '127.0.0.1:1', '--insecure', '--sess-in', `${dir}/link-open.json`]);
    expect(shared.stderr).toMatch(/link-open\.json: may be written by other users \(mode 666\)/);
    expect(shared.code).toBe(2);
  });
});

it('an input file of exactly 16 MiB is read; one byte more is refused', async () => {
  const dir = scratch('at-limit');
  const made = await runCli(['cert', '--out-cert', `${dir}/ca.pem`, '--out-key', `${dir}/ca.key`, '--cn', 'limit']);
  expect(made.code).toBe(0);
  const pem = readFileSync(`${dir}/ca.pem`, 'latin1');
  const limit = 16 * 1024 * 1024;
  writeFileSync(`${dir}/at.pem`, pem + '\n'.repeat(limit - pem.length));
  writeFileSync(`${dir}/over.pem`, pem + '\n'.repeat(limit - pem.length + 1));
  expect(statSync(`${dir}/at.pem`).size).toBe(limit);
  const at = await runCli(['connect', '127.0.0.1:1', '--ca', `${dir}/at.pem`]);
  expect(at.stderr).not.toMatch(/--ca/);
  expect(at.code).toBe(1); // read and parsed; the connection itself is refused
  const over = await runCli(['connect', '127.0.0.1:1', '--ca', `${dir}/over.pem`]);
  expect(over.stderr).toMatch(/--ca \S+over\.pem: holds more than 16 MiB/);
  expect(over.code).toBe(2);
}, 30_000);

it('a regular key log swapped for a named pipe nobody reads between appends: the next line is refused at once (open(2) blocked for ever)', async () => {
  const dir = scratch('swap-to-fifo');
  const outputFiles = new URL('../../dist/src/cli/output-files.js', import.meta.url).pathname;
  const script = [
    `import { privateFileAppender } from ${JSON.stringify(outputFiles)};`,
    `import { execFileSync } from 'node:child_process';`,
    `import { renameSync } from 'node:fs';`,
    `const log = privateFileAppender('keys.log', 'a');`,
    `log.write('first\\n');`,
    `execFileSync('mkfifo', ['-m', '600', 'swap.pipe']);`,
    `renameSync('swap.pipe', 'keys.log');`,
    `try { log.write('second\\n'); console.log('written'); } catch (e) { console.log('refused: ' + e.message); }`,
  ].join('\n');
  writeFileSync(`${dir}/swap.mjs`, script);
  const result = await runShell('timeout 10 node swap.mjs; echo "rc=$?"', dir, {}, 15_000);
  expect(result.stdout).toBe('refused: was replaced by another file since it was opened\nrc=0\n');
});

/** strace, to see which name the second open(2) of a pipe goes through. */
const hasStrace = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return process.platform === 'linux';
  } catch {
    return false;
  }
})();

// The window between the checking open and the blocking reopen of a pipe is too short to hit reliably; what
// closes it is that the reopen names no path an attacker can replace. A reopen by name followed a link
// planted meanwhile (to another user's pipe that no one reads: hung; to a device: opened it).
it.runIf(hasStrace)('a pipe at --keylog is reopened through its checked descriptor, never by name a second time', async () => {
  const dir = scratch('reopen-by-descriptor');
  const script = `mkfifo -m 600 k.pipe && (cat k.pipe > got &) && sleep 0.2 && strace -f -qq -e trace=openat -o opens.txt ${DEMO} --keylog k.pipe > /dev/null; echo "rc=$?"`;
  const result = await runShell(script, dir);
  expect(result.stdout).toBe('rc=0\n');
  const opens = readFileSync(`${dir}/opens.txt`, 'latin1').split('\n');
  const byName = opens.filter((l) => l.includes('"k.pipe"'));
  expect(byName).toHaveLength(1);
  const checked = /= (\d+)$/.exec(byName[0]!)![1];
  expect(opens.some((l) => l.includes(`"/proc/self/fd/${checked}", O_WRONLY`))).toBe(true);
});
