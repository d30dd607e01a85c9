// Runs the examples of README.md and docs/*.md as written: shell blocks as a script (`npx tls13` is the
// built bin/tls13.js, a line ending in `&` is a server waited for until it listens, port 8443 becomes a
// free port), TypeScript blocks compiled by esbuild and run by node from inside dist/, so that
// 'tls13-lab' and 'tls13-lab/node' resolve through the package's own "exports", as they do for a user.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runShell, type ShellResult } from '../cli/helpers.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The ```sh blocks of a Markdown text, each as its non-empty lines. */
export function shellBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.split('\n').filter((line) => line.trim() !== ''));
}

/** The ```ts blocks of a Markdown text. */
export function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** One sh script for shell lines: each line echoed, run, and failing the script with its line number. */
export function scriptFor(lines: string[], port: number): string {
  const steps = lines.map((line, i) => {
    const command = line.replace(/^npx tls13 /, '$TLS13 ').replace(/\b8443\b/g, String(port));
    if (/^\s*#/.test(line)) return '';
    if (/&\s*(#.*)?$/.test(command)) {
      // The server: its output to a log, and the next line only once it listens (at most 10 s).
      const background = command.replace(/&\s*(#.*)?$/, `> server-${i}.log 2>&1 &`);
      return `${background}\nfor t in $(seq 100); do grep -q '^listening on' server-${i}.log && break; sleep 0.1; done\ngrep -q '^listening on' server-${i}.log || { echo "line ${i + 1}: the server did not start" >&2; cat server-${i}.log >&2; exit 1; }`;
    }
    return `echo '>>> ${i + 1}' >&2\n${command} || { echo "line ${i + 1} failed: ${line.replace(/'/g, '')}" >&2; exit 1; }`;
  });
  return steps.join('\n');
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
