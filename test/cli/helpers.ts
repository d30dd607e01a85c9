// Runs the tls13 command in-process with captured output, or the real binary as a child process.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';

export interface Captured {
  text: string;
  write(chunk: string): boolean;
  isTTY?: boolean;
}

export function capture(): Captured {
  const out: Captured = {
    text: '',
    write(chunk: string) {
      out.text += chunk;
      return true;
    },
  };
  return out;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Starts a command that runs until stopped; `stop()` aborts it and resolves with its exit code. */
export function startCli(argv: string[], env: Record<string, string> = {}) {
  const stdout = capture();
  const stderr = capture();
  const controller = new AbortController();
  const io: Io = { stdout, stderr, env, signal: controller.signal };
  const done = main(argv, io);
  return {
    stdout,
    stderr,
    done,
    stop: async () => {
      controller.abort();
      return done;
    },
  };
}

/** Polls until `check` returns a value (or fails after `ms`). */
export async function waitFor<T>(check: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts `tls13 serve` with these arguments and waits for its "listening on 127.0.0.1:PORT" line. */
export async function startServe(argv: string[], env: Record<string, string> = {}) {
  const server = startCli(['serve', '--port', '0', ...argv], env);
  const port = await waitFor(() => {
    const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(server.stdout.text);
    if (!m && server.stderr.text) throw new Error(`serve failed: ${server.stderr.text}`);
    return m ? Number(m[1]) : undefined;
  });
  return { ...server, port };
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The real command, as a user runs it: node bin/tls13.js. */
export const TLS13_BIN = join(repoRoot, 'bin', 'tls13.js');

/** Builds dist/ when a source is newer (bin/ensure-built.js); call in beforeAll of tests that run the binary. */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(repoRoot, 'bin', 'ensure-built.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Runs `sh -c SCRIPT` (with $TLS13 naming the real command) in `cwd`, killed after `timeoutMs`. Async, so
 * that servers in the test process keep answering. Standard input is /dev/null, as for a script run
 * from cron or CI: a command that reads it (`connect`) sees it end at once; pipe into it in SCRIPT.
 */
export function runShell(script: string, cwd: string, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script], {
      cwd,
      env: { ...process.env, SSLKEYLOGFILE: '', ...env, TLS13: `${process.execPath} ${TLS13_BIN}` },
      timeout: timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface ShellResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A scratch directory for files `tls13` writes secrets into, under the usual umask 022 (so a mode the code
 * forgets to set shows as readable by others), removed with the umask restored after the file's tests.
 * Call once at a test file's top level; the result names a file in that directory.
 */
export function secretFilesScratch(prefix: string): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });
  return (name) => join(dir, name);
}

/**
 * A temporary directory for this test file, with a P-256 certificate for localhost that `tls13 serve` can use
 * (`file('server.pem')`, `file('server.key')`): made before the file's tests, removed after them.
 */
export function serveCertificateDir(prefix: string): { dir: string; file: (name: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = (name: string) => join(dir, name);
  beforeAll(async () => {
    await runCli(['cert', '--out-cert', file('server.pem'), '--out-key', file('server.key'), '--type', 'p256', '--dns', 'localhost']);
  }, 30_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, file };
}
