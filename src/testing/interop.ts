// Helpers for interop tests against real peers (openssl, curl, ...): find a binary or skip loudly, pick
// a free port, run a child process with a deadline. Test-only code: like src/node, it may use node: modules.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The absolute path of an executable on PATH, or undefined. */
export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Whether missing interop binaries fail the run (CI) instead of skipping (a developer's machine). */
export const interopRequired = (): boolean => process.env.REQUIRE_INTEROP === '1';

/**
 * The path of `name`, or: a failure when REQUIRE_INTEROP=1, else a loud warning and a skip of the running
 * test (`test` is vitest's test context).
 */
export function requireBinary(name: string, test: { skip: (note?: string) => never }): string {
  return findBinary(name) ?? missingPeer(`${name} not installed`, test);
}

/** A peer that is not there (`what`, e.g. "openssl not installed"): a failure under REQUIRE_INTEROP=1, else a loud skip. */
export function missingPeer(what: string, test: { skip: (note?: string) => never }): never {
  if (interopRequired()) throw new Error(`${what}, and REQUIRE_INTEROP=1 makes that a failure`);
  console.warn(`SKIPPED: ${what} (set REQUIRE_INTEROP=1 to make this a failure)`);
  return test.skip(what);
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for peers that cannot listen on port 0 and tell us). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child process with collected output and a hard deadline. */
export interface BoundedChild {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Resolves when stdout or stderr has printed text matching `pattern`; rejects if the process ends first. */
  waitFor: (pattern: RegExp) => Promise<void>;
  kill: () => void;
}

export function spawnBounded(path: string, args: string[], options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv }): BoundedChild {
  const child = spawn(path, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const watchers: Array<() => void> = [];
  const onOutput = () => watchers.forEach((check) => check());
  child.stdout.on('data', (chunk: Buffer) => ((out += chunk.toString('latin1')), onOutput()));
  child.stderr.on('data', (chunk: Buffer) => ((err += chunk.toString('latin1')), onOutput()));
  child.stdin.on('error', () => {}); // the child may exit before reading its input
  const deadline = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exited = new Promise<number | string>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(out) || pattern.test(err)) resolve();
      };
      watchers.push(check);
      check();
      void exited.then(() => reject(new Error(`${path} exited before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`)));
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** A temporary directory for one test file's key files and logs; `remove()` in afterAll. */
export function scratchDirectory(prefix: string): { dir: string; file(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
