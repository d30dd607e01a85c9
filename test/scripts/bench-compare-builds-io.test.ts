// Smoke test of the two-build comparisons of the record path, run as docs/performance.md shows them: the bulk
// row in memory (bulk-compare.js) and over loopback TCP, bulk and handshakes (tcp-compare.js). Timings are never
// asserted, only that every contender did its work and the numbers and ratios are printed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'dist');
const run = (script: string, args: string[]) => promisify(execFile)(process.execPath, [join(dist, 'scripts', 'bench', script), ...args], { timeout: 120_000 });
const ratio = String.raw`[\d.]+ \([\d.]+-[\d.]+\)`;
/** bulk-compare.js: a median with its quartiles and its range. */
const quartiles = String.raw`[\d.]+ \([\d.]+-[\d.]+; [\d.]+-[\d.]+\)`;

describe('bulk-compare.js, tcp-compare.js and garbage-compare.js (built scripts, one build against itself)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('compares the in-memory bulk row of two builds beside the bare AEAD and node:tls', async () => {
    const { stdout } = await run('bulk-compare.js', [dist, dist, '--seconds', '0.2', '--rounds', '3', '--suites', 'TLS_CHACHA20_POLY1305_SHA256']);
    const ratios = ['new/old', 'old/bare', 'new/bare', 'new/node:tls'].map((name) => `${name} ${quartiles}`).join(' \\| ');
    expect(stdout).toMatch(new RegExp(`^TLS_CHACHA20_POLY1305_SHA256 \\(node\\), whole slices: MB/s per CPU s old \\d+ new \\d+ bare \\d+ node:tls \\d+ \\| ${ratios} \\| rounds 3 \\|.*\n  typical: ${ratios}\n`));
  }, 120_000);

  it('compares bulk over loopback TCP, and TCP handshakes, of two builds beside node:tls', async () => {
    const bulk = await run('tcp-compare.js', [dist, dist, '--seconds', '0.3', '--suites', 'TLS_AES_128_CCM_SHA256']);
    expect(bulk.stdout).toMatch(new RegExp(`^TLS_AES_128_CCM_SHA256 over TCP: CPU µs per 16 KiB record old [\\d.]+ new [\\d.]+ node:tls [\\d.]+ \\| new/old ${ratio} \\| old/node:tls ${ratio} \\| new/node:tls ${ratio} \\| rounds 5 \\|`));
    const collections = String.raw`[\d.]+/[\d.]+`;
    expect(bulk.stdout).toMatch(new RegExp(`\n  mark-compacts/scavenges per 1000 records: old ${collections} new ${collections} node:tls ${collections}\n`));
    const handshakes = await run('tcp-compare.js', [dist, dist, '--handshakes', '--seconds', '0.3', '--warmup', '20']);
    expect(handshakes.stdout).toMatch(new RegExp(`^TCP handshakes: CPU ms per handshake old [\\d.]+ new [\\d.]+ node:tls [\\d.]+ \\| new/old ${ratio} \\|.*\\| warm-up 20 each \\|`));
  }, 120_000);

  it('compares the garbage per handshake of two builds', async () => {
    const { stdout } = await run('garbage-compare.js', [dist, dist, '--rounds', '2', '--handshakes', '30']);
    const kib = String.raw`[\d.]+ KiB \([\d.]+-[\d.]+\)`;
    expect(stdout).toMatch(new RegExp(`^ed25519 pinned \\(node\\), 2 rounds of 30: old ${kib} \\| new ${kib} \\| new - old -?[\\d.]+ KiB \\| load [\\d.]+-[\\d.]+\n$`));
  }, 120_000);

  it('refuses a wrong command line with its usage line', async () => {
    await expect(run('garbage-compare.js', [dist, dist, '--crypto', 'openssl'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: node dist\/scripts\/bench\/garbage-compare.js OLD_DIST NEW_DIST/) });
    await expect(run('bulk-compare.js', [dist])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: node dist\/scripts\/bench\/bulk-compare.js OLD_DIST NEW_DIST/) });
    await expect(run('tcp-compare.js', [dist, dist, '--warmup', '1.5'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: node dist\/scripts\/bench\/tcp-compare.js OLD_DIST NEW_DIST/) });
    await expect(run('tcp-compare.js', [dist, dist, '--repeat', '0'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^usage: node dist\/scripts\/bench\/tcp-compare.js OLD_DIST NEW_DIST/) });
  });
});
