// Smoke test of bulk-floor.js as docs/performance.md runs it: the node:crypto floor of a 16 KiB record (raw key and
// KeyObject), the node provider's bare AEAD and node:tls, per suite, with ratios to node:tls. Timings are never
// asserted, only that every contender did its work and the numbers and ratios are printed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'dist', 'scripts', 'bench', 'bulk-floor.js');
const run = (args: string[]) => promisify(execFile)(process.execPath, [script, ...args], { timeout: 120_000 });
const quartiles = String.raw`[\d.]+ \([\d.]+-[\d.]+; [\d.]+-[\d.]+\)`;

describe('bulk-floor.js (built script)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('prints the floor, the provider and node:tls per record, and their ratios to node:tls', async () => {
    const { stdout } = await run(['--seconds', '0.2', '--rounds', '3', '--suites', 'TLS_AES_128_CCM_8_SHA256']);
    const micro = String.raw`[\d.]+`;
    const ratios = ['floor', 'floor, KeyObject', 'provider'].map((name) => `${name} ${quartiles}`).join(' \\| ');
    expect(stdout).toMatch(
      new RegExp(
        `^node v[\\d.]+, OpenSSL \\S+\nTLS_AES_128_CCM_8_SHA256: CPU µs per record \\(typical\\) floor ${micro}, floor, KeyObject ${micro}, provider ${micro}, node:tls ${micro} \\| rounds 3 \\| load [\\d.]+-[\\d.]+\n` +
          `  ÷ node:tls \\(rate, typical\\): ${ratios}\n  ÷ node:tls \\(rate, whole slices\\): ${ratios}\n$`,
      ),
    );
  }, 120_000);

  it('refuses a wrong command line with its usage line', async () => {
    await expect(run(['--rounds', '0'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: node dist\/scripts\/bench\/bulk-floor.js/) });
  });
});
