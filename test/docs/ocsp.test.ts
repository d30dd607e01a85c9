// docs/ocsp.md's shell block runs as written (examples.ts): openssl ocsp makes the staple, tls13 serve
// --ocsp staples it, openssl s_client -status and tls13 connect --status read it. Needs openssl: skips
// loudly without it (fails with REQUIRE_INTEROP=1).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../src/testing/interop.js';
import { ensureBuilt, runShell } from '../cli/helpers.js';
import { root, scriptFor, shellBlocks } from './examples.js';

beforeAll(() => ensureBuilt(), 60_000);

describe("docs/ocsp.md's commands run as written", () => {
  it('the staple openssl ocsp made is read as successful / good by s_client -status and by tls13 connect --status', async (test) => {
    requireBinary('openssl', test);
    const lines = shellBlocks(readFileSync(join(root, 'docs', 'ocsp.md'), 'utf8')).flat();
    const dir = mkdtempSync(join(tmpdir(), 'tls13-ocsp-doc-'));
    const result = await runShell(await scriptFor(lines), dir, {}, 90_000);
    expect(result.stderr).not.toMatch(/failed|did not start|\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OCSP Response Status: successful (0x0)');
    expect(result.stdout).toContain('Cert Status: good');
    expect(result.stdout).toMatch(/^ {2}OCSP staple: good, signed by the issuer "CN=Demo CA", thisUpdate \S+, nextUpdate \S+$/m);
  }, 120_000);
});
