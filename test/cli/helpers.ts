// Runs the tls13 command in-process with captured output.
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
