// Runs the examples of README.md and docs/*.md as written: shell blocks as one script (scriptFor), TypeScript blocks compiled by esbuild and run by node from inside dist/, so that
// 'tls13-lab' and 'tls13-lab/node' resolve through the package's own "exports", as they do for a user.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/testing/interop.js';
import { runShell, type ShellResult } from '../cli/helpers.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The ```sh blocks of a Markdown text, each as its non-empty lines. */
export function shellBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.split('\n').filter((line) => line.trim() !== ''));
}

/** `tls13 ...` wherever a command starts: at the line start, after an environment assignment or a pipe. */
const TLS13_COMMAND = /(^|\|\s*|^\w+=\S+\s+)(?:npx )?tls13 /g;

/**
 * One sh script for shell lines: each line echoed and run, failing the script with its line number; `tls13`
 * and `npx tls13` are the built bin/tls13.js ($TLS13); a line ending in `&` (a server) is started in the
 * background and waited for until it listens, and killed when the script ends. Each port of the examples
 * (84xx) becomes a free port, or `port` when the caller needs to know it.
 */
export async function scriptFor(lines: string[], port?: number): Promise<string> {
  const ports = new Map<string, number>();
  for (const line of lines) for (const [p] of line.matchAll(/\b84\d\d\b/g)) if (!ports.has(p)) ports.set(p, port ?? (await freePort()));
  const steps = lines.map((line, i) => {
    if (/^\s*#/.test(line)) return '';
    const command = line.replace(TLS13_COMMAND, '$1$TLS13 ').replace(/\b84\d\d\b/g, (p) => String(ports.get(p)));
    if (/&\s*(#.*)?$/.test(command)) {
      // The server: its output to a log, and the next line only once it listens (at most 10 s).
      const background = command.replace(/&\s*(#.*)?$/, `> server-${i}.log 2>&1 &`);
      return `${background}\nservers="$servers $!"\nfor t in $(seq 100); do grep -q '^listening on' server-${i}.log && break; sleep 0.1; done\ngrep -q '^listening on' server-${i}.log || { echo "line ${i + 1}: the server did not start" >&2; cat server-${i}.log >&2; exit 1; }`;
    }
    return `echo '>>> ${i + 1}' >&2\n${command} || { echo "line ${i + 1} failed: ${line.replace(/'/g, '')}" >&2; exit 1; }`;
  });
  // The servers' pids are kept as they start: in sh (dash) `$(jobs -p)` runs in a subshell that has no jobs,
  // so a trap killing `$(jobs -p)` killed nothing and every documented server outlived its test.
  return `servers=''\ntrap 'kill $servers 2>/dev/null' EXIT\n${steps.join('\n')}`;
}

/** The ```ts blocks of a Markdown text. */
export function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** What a TypeScript example needs around it: code before it (after its imports), and text to replace. */
export interface ExampleSetup {
  /** JavaScript run after the example's imports and before its code (what the text leaves to the reader). */
  prelude?: string;
  /** Replacements in the example's code, e.g. the documented port 8443 by a free one. */
  replace?: Array<[RegExp, string]>;
  timeoutMs?: number;
}

let examples = 0;

/** Compiles a TypeScript example and runs it with node in `cwd`. */
export async function runTypescript(code: string, cwd: string, setup: ExampleSetup = {}): Promise<ShellResult> {
  const { transform } = await import('esbuild');
  let source = code;
  for (const [pattern, replacement] of setup.replace ?? []) source = source.replace(pattern, replacement);
  const js = (await transform(source, { loader: 'ts', format: 'esm' })).code;
  const lines = js.split('\n');
  const imports = lines.filter((l) => l.startsWith('import ')).join('\n');
  const body = lines.filter((l) => !l.startsWith('import ')).join('\n');
  // Inside the package directory, so that 'tls13-lab' resolves to this package through its "exports".
  const dir = join(root, 'dist', 'doc-examples');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${process.pid}-${++examples}.mjs`);
  writeFileSync(file, `${imports}\n${setup.prelude ?? ''}\n${body}`);
  return runShell(`node ${file}`, cwd, {}, setup.timeoutMs ?? 30_000);
}

/** The `// prints: TEXT` promises of an example, each of which its output must contain. */
export function promisedOutput(code: string): string[] {
  return [...code.matchAll(/\/\/ prints: (.*)$/gm)].map((m) => m[1]!.trim());
}
