// docs/ml-dsa.md's examples run as written (examples.ts): the shell block makes an ML-DSA CA, server and client
// with tls13 cert and connects serve to connect with --ml-dsa; the TypeScript block connects an in-memory pair.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runShell } from '../cli/helpers.js';
import { promisedOutput, root, runTypescript, scriptFor, shellBlocks, typescriptBlocks } from './examples.js';

beforeAll(() => ensureBuilt(), 60_000);
const page = readFileSync(join(root, 'docs', 'ml-dsa.md'), 'utf8');

describe("docs/ml-dsa.md's examples run as written", () => {
  it('tls13 cert makes ML-DSA keys and certificates; serve and connect authenticate both ways with --ml-dsa', async () => {
    const [lines] = shellBlocks(page);
    const dir = mkdtempSync(join(tmpdir(), 'tls13-mldsa-doc-'));
    const result = await runShell(await scriptFor(lines!), dir, {}, 90_000);
    expect(result.stderr).not.toMatch(/failed|did not start|\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote mldsa-ca\.pem \(certificate\) and mldsa-ca\.key \(ml-dsa-65 private key\)/);
    expect(result.stdout).toMatch(/negotiated: TLSv1\.3, .*signature mldsa44/);
    expect(result.stdout).toMatch(/server: CN=localhost, SANs localhost, ML-DSA-44 key/);
    expect(result.stdout).toMatch(/client: CN=carol.*ML-DSA-87/);
  }, 120_000);

  it('the TypeScript example connects an in-memory pair with ML-DSA-65 and prints what it promises', async () => {
    const [example] = typescriptBlocks(page);
    const result = await runTypescript(example!, mkdtempSync(join(tmpdir(), 'tls13-mldsa-ts-')));
    expect(result.code).toBe(0);
    for (const promise of promisedOutput(example!)) expect(result.stdout).toContain(promise);
    expect(promisedOutput(example!)).toEqual(['mldsa65 ML-DSA-65']);
  });
});
