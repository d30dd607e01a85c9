// The bench commands of docs/performance*.md run as written, on a shrunken budget: every command line of
// their code blocks, in order, in one shell, from a scratch directory that sees the checkout's dist/. What is
// changed, and only that: `npm run bench --` is the script it runs (node dist/scripts/bench.js: the build
// happened once, before), measuring times become 0.01 s, and rows a line does not ask for by name (the slow
// serve-load, TCP, floor, garbage, worst-certificate, memory and bulk rows) are skipped. Timings are never
// asserted: the commands count when they all exit 0, with output and no stack trace (an unknown flag fails).
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runShell } from '../cli/helpers.js';
import { root } from './examples.js';

const DOCS = readdirSync(join(root, 'docs')).filter((name) => /^performance.*\.md$/.test(name));
const read = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');

/** Command lines (`npm run ...`, `node ... dist/...`) inside the Markdown's code fences, without trailing comments. */
export function benchCommands(markdown: string): string[] {
  return [...markdown.matchAll(/^```\w*\n([\s\S]*?)^```$/gm)]
    .flatMap((m) => m[1]!.split('\n'))
    .filter((line) => line.startsWith('npm run ') || (line.startsWith('node ') && line.includes(' dist/')))
    .map((line) => line.replace(/\s+#.*$/, '').trim());
}

/** Rows a bench line skips unless it names them, and how. */
const SLOW_ROWS: Array<[string, string]> = [
  ['--no-worst-certificate', 'worst-certificate'],
  ['--no-floor', 'floor'],
  ['--no-garbage', 'garbage'],
  ['--no-tcp', 'tcp'],
  ['--no-serve', 'serve'],
  ['--no-bulk', 'bulk'],
];

/** The line as run here: see the file's opening comment. Null for a line that only builds. */
export function shrink(line: string): string | null {
  let command = line
    .replace(/^npm run build(?: --silent)? && /, '')
    .replace(/^npm run (?:--silent )?bench(?: --)?/, 'node dist/scripts/bench.js');
  if (/^npm run build$/.test(command)) return null;
  command = command.replace(/--seconds \S+/, '--seconds 0.01');
  if (!/dist\/scripts\/bench\.js/.test(command)) return command;
  if (!command.includes('--seconds')) command += ' --seconds 0.01';
  if (!command.includes('--connections')) command += ' --connections 0';
  // `--filter NONE` keeps only the bulk rows: those are what that line is for.
  const bulkOnly = command.includes('--filter NONE');
  if (!command.includes('--filter')) command += " --filter 'ed25519 pinned'";
  for (const [flag, row] of SLOW_ROWS) {
    if (command.includes(flag) || (row === 'bulk' && bulkOnly)) continue;
    command += ` ${flag}`;
  }
  return command;
}

beforeAll(() => ensureBuilt(), 60_000);

describe('docs/performance*.md: the bench commands run as written (on a shrunken budget)', () => {
  it('finds the commands of the performance pages', () => {
    expect(DOCS).toContain('performance.md');
    const all = DOCS.flatMap((name) => benchCommands(read(name)));
    expect(all.filter((line) => line.includes('bench')).length).toBeGreaterThanOrEqual(8);
  });

  // Pages whose commands are all inline in the prose (the engine notes) have no code block to run.
  it.each(DOCS.filter((name) => benchCommands(read(name)).length > 0))('%s', async (name) => {
    const lines = benchCommands(read(name))
      .map(shrink)
      .filter((line): line is string => line !== null);
    expect(lines.length).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'tls13-bench-docs-'));
    symlinkSync(join(root, 'dist'), join(dir, 'dist'));
    const script = ['set -e', ...lines.map((line, i) => `echo '>>> ${i + 1}: ${line.replace(/'/g, '')}' >&2\n${line}`)].join('\n');
    const result = await runShell(script, dir, {}, 240_000);
    expect(result.stderr, result.stderr.slice(-2000)).not.toMatch(/\n\s+at /);
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(0);
  }, 300_000);
});
