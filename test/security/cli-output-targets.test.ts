// Attacker: whatever sits at the name given to --keylog, --trace FORMAT=FILE, --sess-out, cert --out-cert or
// demo --pcap when it is not a regular file. (1) A named pipe: its reader got end-of-file after the first
// open-and-close, and the next write blocked tls13 for ever in open(2) (a reader that came first hung the
// command as surely as none); one that nobody reads hung it before the first byte, `tls13 serve` before it
// listened. (2) Another local user who can write the directory plants a named pipe of their own (they read
// every secret through it), a link to their terminal, or a link to a device root should not write (/dev/zero
// stands in for a disk or /dev/kmsg). (3) A symbolic link planted at a certificate or pcap name had its target
// truncated. Since open(2) on a pipe blocks the whole process, these run the real command in a child.
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runShell, secretFilesScratch } from '../cli/helpers.js';

const file = secretFilesScratch('tls13-output-targets-');
/** Killed after 15 s: a tls13 blocked in open(2) would outlive the shell that runShell's timeout kills. */
const DEMO = 'timeout 15 $TLS13 demo --scenario 1rtt --crypto node';

beforeAll(() => ensureBuilt(), 120_000);

/** A fresh directory for one test, where the shell script runs. */
function scratch(name: string): string {
  mkdirSync(file(name));
  return file(name);
}

describe('a named pipe at an output name', () => {
  it('--keylog to a pipe with a reader: every line arrives, and the command ends', async () => {
    const dir = scratch('fifo-reader');
    const result = await runShell(`mkfifo -m 600 keys.pipe && (cat keys.pipe > got.keys &) && ${DEMO} --keylog keys.pipe > /dev/null; echo "rc=$?"`, dir);
    expect(result.stdout).toBe('rc=0\n');
    const lines = readFileSync(`${dir}/got.keys`, 'latin1').trimEnd().split('\n');
    expect(new Set(lines.map((l) => l.split(' ')[0]))).toEqual(new Set(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']));
    expect(lines.every((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}$/.test(l))).toBe(true);
  });

  it('--trace json=PIPE and --sess-out-like whole writes to a pipe with a reader: all of it arrives', async () => {
    const dir = scratch('fifo-trace');
    const result = await runShell(`mkfifo -m 600 trace.pipe && (cat trace.pipe > got.json &) && ${DEMO} --trace json=trace.pipe > /dev/null; echo "rc=$?"`, dir);
    expect(result.stdout).toBe('rc=0\n');
    const lines = readFileSync(`${dir}/got.json`, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('a pipe nobody reads: one line naming the flag, exit 2, at once (no hang)', async () => {
    const dir = scratch('fifo-no-reader');
    const result = await runShell(`mkfifo keys.pipe && ${DEMO} --keylog keys.pipe; echo "rc=$?"`, dir, {}, 15_000);
    expect(result.signal).toBeNull();
    expect(result.stdout).toMatch(/rc=2\n$/);
    expect(result.stderr).toBe('tls13: --keylog keys.pipe: is a named pipe that no process reads; start its reader first\n');
    const env = await runShell(`mkfifo env.pipe && SSLKEYLOGFILE=env.pipe ${DEMO} > /dev/null; echo "rc=$?"`, dir, {}, 15_000);
    expect(env.stdout).toBe('rc=2\n');
    expect(env.stderr).toMatch(/^tls13: SSLKEYLOGFILE=env\.pipe \(environment\): is a named pipe that no process reads/);
  });

  it.runIf(process.getuid?.() === 0)('a pipe planted by another user, who reads it: refused, they get nothing', async () => {
    const dir = scratch('fifo-planted');
    chmodSync(dir, 0o777);
    const script = `mkfifo theirs.pipe && chown 65534 theirs.pipe && chmod 666 theirs.pipe && (cat theirs.pipe > got.keys &) && sleep 0.2 && ${DEMO} --keylog theirs.pipe; echo "rc=$?"`;
    const result = await runShell(script, dir);
    expect(result.stdout).toMatch(/rc=2\n$/);
    expect(result.stderr).toBe('tls13: --keylog theirs.pipe: is a named pipe of user 65534, not ours: it would hand them what we write\n');
    expect(readFileSync(`${dir}/got.keys`, 'latin1')).toBe('');
  });
});

describe('a device at an output name', () => {
  it('a symbolic link to a device other than /dev/null or a terminal (/dev/zero, as a disk or /dev/kmsg would be): refused', async () => {
    const dir = scratch('device');
    const result = await runShell(`ln -s /dev/zero keys.link && ${DEMO} --keylog keys.link; echo "rc=$?"`, dir);
    expect(result.stdout).toMatch(/rc=2\n$/);
    expect(result.stderr).toBe('tls13: --keylog keys.link: is a device (only /dev/null and a terminal of ours are written)\n');
    const sess = await runShell(`${DEMO} --trace text=/dev/zero; echo "rc=$?"`, dir);
    expect(sess.stdout).toMatch(/rc=2\n$/);
    expect(sess.stderr).toMatch(/^tls13: --trace \/dev\/zero: is a device/);
  });

  it('/dev/null and a pipe to the next command (/dev/stdout) are written', async () => {
    const dir = scratch('null-and-stdout');
    const result = await runShell(`${DEMO} --keylog /dev/null --trace json=/dev/stdout | grep -c '"type":"secret"'; echo "rc=$?"`, dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^[1-9]\d*\nrc=0\n$/);
  });

  // A pseudo-terminal given to another user stands for their login terminal.
  it.runIf(process.getuid?.() === 0)('a symbolic link to the terminal of another user: refused, nothing written to it', async () => {
    const dir = scratch('their-tty');
    chmodSync(dir, 0o777);
    const python = [
      'import os, pty, subprocess, select, sys',
      'master, slave = pty.openpty()',
      'name = os.ttyname(slave)',
      'os.chown(name, 65534, 65534)',
      'os.symlink(name, "tty.link")',
      `r = subprocess.run(["sh", "-c", sys.argv[1] + " --keylog tty.link"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)`,
      'seen = os.read(master, 65536) if select.select([master], [], [], 0.5)[0] else b""',
      'print("rc=%d seen=%d" % (r.returncode, len(seen)))',
      'sys.stderr.write(r.stderr.decode())',
    ].join('\n');
    writeFileSync(`${dir}/their_terminal.py`, python);
    const result = await runShell(`python3 their_terminal.py "${DEMO}"`, dir);
    expect(result.stdout).toBe('rc=2 seen=0\n');
    expect(result.stderr).toMatch(/^tls13: --keylog tty\.link: is the terminal of user 65534, not ours\n$/);
  });
});

describe('a symbolic link planted at a name that takes no secret', () => {
  function precious(dir: string): string {
    writeFileSync(`${dir}/precious`, 'precious\n');
    return `${dir}/precious`;
  }

  it('cert --out-cert at a link to a file: refused, its target not truncated', async () => {
    const dir = scratch('out-cert');
    const target = precious(dir);
    symlinkSync(target, `${dir}/cert.link`);
    const result = await runShell(`$TLS13 cert --cn svc --out-cert cert.link --out-key svc.key; echo "rc=$?"`, dir);
    expect(result.stdout).toMatch(/rc=2\n$/);
    expect(result.stderr).toMatch(/cert\.link: is a symbolic link to a regular file/);
    expect(readFileSync(target, 'latin1')).toBe('precious\n');
  });

  it('demo --pcap at a link to a file: refused, its target not truncated; a new pcap is as the umask makes it', async () => {
    const dir = scratch('pcap');
    const target = precious(dir);
    symlinkSync(target, `${dir}/capture.link`);
    const result = await runShell(`${DEMO} --pcap capture.link > /dev/null; echo "rc=$?"`, dir);
    expect(result.stdout).toMatch(/rc=2\n$/);
    expect(result.stderr).toMatch(/^tls13: --pcap capture\.link: is a symbolic link to a regular file/);
    expect(readFileSync(target, 'latin1')).toBe('precious\n');
    const fresh = await runShell(`umask 022 && ${DEMO} --pcap new.pcap > /dev/null; echo "rc=$?"`, dir);
    expect(fresh.stdout).toBe('rc=0\n');
    expect(statSync(`${dir}/new.pcap`).mode & 0o777).toBe(0o644);
  });
});

it.runIf(process.getuid?.() === 0)('cert --out-cert over a file of another user (who could swap in their CA): refused', async () => {
  const dir = scratch('their-cert');
  writeFileSync(`${dir}/ca.pem`, '');
  chownSync(`${dir}/ca.pem`, 65534, 65534);
  const result = await runShell(`$TLS13 cert --ca --cn CA --out-cert ca.pem --out-key ca.key; echo "rc=$?"`, dir);
  expect(result.stdout).toMatch(/rc=2\n$/);
  expect(result.stderr).toMatch(/ca\.pem: belongs to user 65534/);
  expect(readFileSync(`${dir}/ca.pem`, 'latin1')).toBe('');
});
