// Attacker: another local user, against the files tls13 writes and reads (a second pass over
// src/cli/output-files.ts and readOwnFileFor). (1) A named pipe of ours that others may read (mkfifo under
// the usual umask 022 makes it 0644): any user who opens it for reading, even before tls13 starts, takes
// key-log lines from it, and narrowing the mode afterwards cannot take back a descriptor already open.
// (2) A --sess-in name that is a named pipe nobody writes (or one another user planted in a shared
// directory, who decides when tls13 goes on): open(2) blocked tls13 for ever before any check ran.
// Since open(2) on a pipe blocks the whole process, these run the real command in a child, under `timeout`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runShell, secretFilesScratch } from '../cli/helpers.js';

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
