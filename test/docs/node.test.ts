// docs/node.md runs as written: its shell block (certificates, then `tls13 serve` in the background) and
// then each TypeScript example in order, in one directory, each example's `// prints:` lines checked
// against what it printed. And it documents every option the adapter takes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_CONFIG_FIELDS, SERVER_CONFIG_FIELDS } from '../../src/handshake/config-validation.js';
import { freePort, spawnBounded, type BoundedChild } from '../../src/testing/interop.js';
import { ensureBuilt, runShell, TLS13_BIN } from '../cli/helpers.js';
import { promisedOutput, root, runTypescript, scriptFor, shellBlocks, typescriptBlocks } from './examples.js';

const doc = readFileSync(join(root, 'docs', 'node.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'tls13-node-doc-'));
let port: number;
let server: BoundedChild | undefined;

beforeAll(async () => {
  ensureBuilt();
  port = await freePort();
  const lines = shellBlocks(doc).flat();
  const background = lines.filter((line) => /&\s*$/.test(line));
  expect(background).toHaveLength(1);
  const made = await runShell(await scriptFor(lines.filter((line) => !background.includes(line)), port), dir);
  expect(made.stderr).not.toMatch(/failed/);
  // The server line as written, run as a child we can stop: `npx tls13 ARGS &`.
  const args = background[0]!.replace(/^npx tls13 /, '').replace(/&\s*$/, '').replace(/\b8443\b/g, String(port)).trim().split(/\s+/);
  server = spawnBounded(process.execPath, [TLS13_BIN, ...args], { timeoutMs: 120_000, cwd: dir });
  await server.waitFor(/^listening on /m);
}, 60_000);
afterAll(() => server?.kill());

describe('docs/node.md runs as written', () => {
  const examples = typescriptBlocks(doc);

  it('has its examples, each promising some output', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const example of examples) expect(promisedOutput(example).length).toBeGreaterThan(0);
  });

  examples.forEach((example, i) => {
    const firstStatement = example.split('\n').find((line) => line.trim() !== '' && !line.startsWith('import ')) ?? '';
    it(`example ${i + 1}: ${firstStatement.slice(0, 60)}`, async () => {
      const result = await runTypescript(example, dir, { replace: [[/\b8443\b/g, String(port)]] });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      for (const text of promisedOutput(example)) expect(result.stdout).toContain(text);
    }, 40_000);
  });
});

describe('docs/node.md documents every option', () => {
  const NODE_NAMES = ['servername', 'ca', 'cert', 'key', 'rejectUnauthorized', 'checkServerIdentity', 'requestCert', 'ALPNProtocols', 'minVersion', 'maxVersion', 'allowHalfOpen', 'session'];
  const ADAPTER_NAMES = ['host', 'port', 'socket', 'earlyData', 'handshakeTimeout', 'noDelay'];
  for (const name of [...new Set([...NODE_NAMES, ...ADAPTER_NAMES, ...CLIENT_CONFIG_FIELDS, ...SERVER_CONFIG_FIELDS])]) {
    it(name, () => expect(doc).toContain(`\`${name}`));
  }
  for (const kind of ['ca', 'pinned-certificate', 'pinned-key', 'any-of', 'ask']) {
    it(`trust kind '${kind}'`, () => expect(doc).toContain(`{ kind: '${kind}'`));
  }
});
