// Every runnable script (`npm run bench`, `npm run fuzz` and the bench's comparison scripts) answers a flag it
// does not know with one line naming it and exit code 2, never a stack trace: bad input from a user.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The scripts whose entry point is `runMain` (scripts/bench/deadline.ts), as their sources say. */
const entryPoints = ['scripts', 'scripts/bench']
  .flatMap((dir) => readdirSync(join(root, dir)).filter((name) => name.endsWith('.ts')).map((name) => join(dir, name)))
  .filter((source) => /^await runMain\(main\);$/m.test(readFileSync(join(root, source), 'utf8')));

describe('scripts refuse an unknown flag in one line', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('finds the scripts to check', () => {
    expect(entryPoints).toEqual(expect.arrayContaining(['scripts/bench.ts', 'scripts/fuzz.ts', 'scripts/bench/tcp-compare.ts']));
  });

  it.each(entryPoints)('%s', async (source) => {
    const built = join(root, 'dist', source.replace(/\.ts$/, '.js'));
    const name = relative(join(root, 'dist', source, '..'), built);
    const refused = promisify(execFile)(process.execPath, [built, '--no-such-flag'], { timeout: 60_000 });
    await expect(refused).rejects.toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(new RegExp(`^${name.replace('.', '\\.')}: Unknown option '--no-such-flag'[^\\n]*\\n$`)) });
  }, 60_000);
});

describe('npm run bench refuses a bad value in one line', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  const bench = join(root, 'dist', 'scripts', 'bench.js');

  it.each([
    [['--seconds', '0'], "--seconds takes a number of seconds above 0, not '0'"],
    [['--seconds', 'soon'], "--seconds takes a number of seconds above 0, not 'soon'"],
    [['--connections', '2.5'], "--connections takes a whole number, 0 or more, not '2.5'"],
    [['--clock', 'tsc'], "--clock takes cpu or wall, not 'tsc'"],
    [['--crypto', 'openssl'], "--crypto takes node or noble, not 'openssl'"],
    [['pinned'], "unexpected argument 'pinned' (only --json takes a file name)"],
    [['--json', 'a.json', 'b.json'], "unexpected argument 'b.json' (only --json takes a file name)"],
  ])('%j', async (args, message) => {
    const refused = promisify(execFile)(process.execPath, [bench, ...args], { timeout: 60_000 });
    await expect(refused).rejects.toMatchObject({ code: 2, stdout: '', stderr: `bench.js: ${message}; --help lists the flags\n` });
  }, 60_000);

  it('answers --help with its usage and exit code 0', async () => {
    const { stderr } = await promisify(execFile)(process.execPath, [bench, '--help'], { timeout: 60_000 });
    expect(stderr).toMatch(/^usage: node dist\/scripts\/bench\.js .*--filter TEXT/);
  });
});
