// tcp-sides.js --instructions (scripts/bench/server-instructions.ts): reading callgrind_annotate's output, and the
// arguments it refuses. A real count runs each server under valgrind for minutes: docs/performance-tcp-notes.md shows one.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { annotatedCounts } from '../../scripts/bench/server-instructions.js';
import { ensureBuilt } from '../cli/helpers.js';

// Lines as callgrind_annotate 3.19 prints them (--inclusive=yes), trimmed.
const ANNOTATED = `--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
2,303,754,647 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                     file:function
--------------------------------------------------------------------------------
25,334,433,838 (1099.7%)  ???:Builtins_BaselineOutOfLinePrologue'2 [/usr/bin/node]
   591,776,860 (25.69%)  ???:v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal() [/usr/bin/node]
   521,168,957 (22.62%)  ???:ossl_ed25519_verify [/usr/bin/node]
 1,625,086,988 (70.54%)  /home/iojs/build/ws/out/../deps/uv/src/unix/core.c:uv_run [/usr/bin/node]
   200,007,600 ( 8.68%)  ???:ecx_derive'2 [/usr/bin/node]
   100,000,000 ( 4.34%)  ???:ecx_derive [/usr/bin/node]
`;

describe('annotatedCounts', () => {
  it('reads the total and each function by its bare name, its unmarked line over a recursion level', () => {
    const { total, byFunction } = annotatedCounts(ANNOTATED);
    expect(total).toBe(2_303_754_647);
    expect(byFunction.get('ossl_ed25519_verify')).toBe(521_168_957);
    expect(byFunction.get('v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal')).toBe(591_776_860);
    expect(byFunction.get('uv_run')).toBe(1_625_086_988);
    expect(byFunction.get('Builtins_BaselineOutOfLinePrologue')).toBe(25_334_433_838);
    expect(byFunction.get('ecx_derive')).toBe(100_000_000);
    expect(byFunction.has('PROGRAM TOTALS')).toBe(false);
  });
});

describe('tcp-sides.js --instructions', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = (args: string[]) => promisify(execFile)(process.execPath, [join(root, 'dist', 'scripts', 'bench', 'tcp-sides.js'), ...args], { timeout: 60_000 });
  beforeAll(() => ensureBuilt(), 120_000);

  it('refuses a count that is not a positive integer, before starting any server', async () => {
    for (const count of ['0', '1.5', 'many']) {
      await expect(run(['--instructions', count])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: node dist\/scripts\/bench\/tcp-sides.js \[DIST ...\] --instructions N|--instructions needs valgrind/) });
    }
  });
});

describe('client-instructions.js', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const run = (args: string[]) => promisify(execFile)(process.execPath, [join(root, 'dist', 'scripts', 'bench', 'client-instructions.js'), ...args], { timeout: 60_000 });
  beforeAll(() => ensureBuilt(), 120_000);

  it('refuses a count or warm-up that is not an integer of its range, before starting any client', async () => {
    for (const args of [['--count', '0'], ['--count', '1.5'], ['--warmup=-1'], ['--warmup', 'many']]) {
      await expect(run(args)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/usage: node dist\/scripts\/bench\/client-instructions.js \[DIST ...\]|--instructions needs valgrind/) });
    }
  });
});
