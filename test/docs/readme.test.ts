// README.md's shell blocks run as written, line by line, from an empty directory, over loopback only
// (examples.ts). Left out, explicitly: the install block (`npm ci && ...`) and lines that need the
// Internet.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnBounded } from '../../src/testing/interop.js';
import { namedGroupName } from '../../src/wire/enums.js';
import { SHARE_LAYOUTS } from '../../src/wire/key-share-layout.js';
import { ensureBuilt, runShell, TLS13_BIN } from '../cli/helpers.js';
import { root, runTypescript, scriptFor, shellBlocks, typescriptBlocks } from './examples.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');

const INSTALL = /^npm ci && /;
const INTERNET = /^npx tls13 connect (?!localhost:|127\.0\.0\.1:)/;

beforeAll(() => ensureBuilt(), 60_000);

describe('README.md runs as written', () => {
  const blocks = shellBlocks(readme);

  it('starts with the install commands, kept as they are', () => {
    expect(blocks[0]).toEqual([
      'npm ci && npm start     # build, then narrate a mutual-TLS handshake: every message, decision and secret',
      'npm ci && npm test      # typecheck and run the test suite',
    ]);
  });

  it('every tls13 line, in order, in an empty directory', async () => {
    const lines = blocks.flat().filter((line) => !INSTALL.test(line) && !INTERNET.test(line));
    expect(lines.filter((line) => line.startsWith('npx tls13 ')).length).toBeGreaterThanOrEqual(11);
    const dir = mkdtempSync(join(tmpdir(), 'tls13-readme-'));
    const result = await runShell(await scriptFor(lines), dir, {}, 90_000);
    expect(result.stderr).not.toMatch(/failed|did not start|\n\s+at /);
    expect(result.code).toBe(0);
    // What each README line promises.
    expect(result.stdout).toContain('verdict: the server trusts the client');
    expect(result.stdout).toMatch(/connected to localhost:\d+ \(server name localhost\)[\s\S]*client certificate: authenticated[\s\S]*HTTP\/1\.1 200 OK/);
    // Each connection gets its page: the plain connect, and both connections of --resume.
    expect(result.stdout.match(/^HTTP\/1\.1 200 OK\r$/gm)).toHaveLength(3);
    expect(result.stderr).not.toContain('no reply');
    expect(result.stdout).toContain('resumed: yes');
    expect(result.stdout).toContain('early data: accepted');
    expect(result.stdout).toMatch(/SPKI pin: sha256\//);
    for (const file of ['run.html', 'run.pcap', 'run.keys', 'server.pem', 'alice.key', 'k.pub']) expect(readFileSync(join(dir, file)).length).toBeGreaterThan(0);
  }, 120_000);

  it('leaves out only the install block and lines that need the Internet', () => {
    const left = blocks.flat().filter((line) => INSTALL.test(line) || INTERNET.test(line));
    expect(left).toEqual([blocks[0]![0], blocks[0]![1], 'npx tls13 connect example.com:443 --keylog keys.log']);
  });
});

describe("README.md's library example runs as written", () => {
  it('against the quick start server sending nothing after the handshake (--tickets 0): request, page, clean close', async () => {
    const example = typescriptBlocks(readme).find((code) => code.includes('ConnectionDriver'));
    expect(example).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'tls13-readme-library-'));
    const port = await freePort();
    const quickStart = shellBlocks(readme).flat().filter((line) => line.startsWith('npx tls13 cert --out-cert'));
    expect(quickStart).toHaveLength(2); // server.pem and alice.pem, as the example expects
    const made = await runShell(await scriptFor(quickStart, port), dir);
    expect(made.code).toBe(0);
    const args = ['serve', '--port', String(port), '--cert', 'server.pem', '--key', 'server.key', '--pin-client-cert', 'alice.pem', '--tickets', '0'];
    const server = spawnBounded(process.execPath, [TLS13_BIN, ...args], { timeoutMs: 60_000, cwd: dir });
    let result;
    try {
      await server.waitFor(/^listening on /m);
      result = await runTypescript(example!, dir, { replace: [[/\b8443\b/g, String(port)]] });
    } finally {
      server.kill();
    }
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^HTTP\/1\.1 200 OK\r$/m);
    expect(result.stdout).toContain('client: CN=alice');
    expect(result.stdout.trimEnd().endsWith('closed cleanly')).toBe(true);
  }, 90_000);
});

describe("docs/trace.md's stepping example runs as written", () => {
  it('imports only what the package exports, steps, tampers and writes a capture', async () => {
    const markdown = readFileSync(join(root, 'docs', 'trace.md'), 'utf8');
    const example = typescriptBlocks(markdown).find((code) => code.includes('stepMessage'));
    expect(example).toBeDefined();
    expect(example).not.toMatch(/tls13-lab\/src/);
    // The configurations the example leaves to the reader: those of the 1-RTT demo.
    const prelude = `import { SCENARIOS } from ${JSON.stringify(join(root, 'dist', 'src', 'scenarios', 'catalog.js'))};\nconst { client: clientConfig, server: serverConfig } = SCENARIOS['1rtt'].setup('docs');\n`;
    const dir = mkdtempSync(join(tmpdir(), 'tls13-trace-doc-'));
    const result = await runTypescript(example!, dir, { prelude });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/server→client handshake \d+ bytes/);
    expect(result.stdout).toContain("description: 'bad_record_mac'");
    expect(readFileSync(join(dir, 'session.pcap')).length).toBeGreaterThan(24);
  }, 60_000);
});

describe("docs/post-quantum.md's commands run as written", () => {
  it('the demo annotates the hybrid share, and a tls13 server negotiates X25519MLKEM768 by default and x25519 with a classical client', async () => {
    const lines = shellBlocks(readFileSync(join(root, 'docs', 'post-quantum.md'), 'utf8')).flat();
    const dir = mkdtempSync(join(tmpdir(), 'tls13-pq-doc-'));
    const result = await runShell(await scriptFor(lines), dir, {}, 90_000);
    expect(result.stderr).not.toMatch(/failed|did not start|\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/key_exchange\.mlkem768_encapsulation_key \(ML-KEM-768 encapsulation key/);
    expect(result.stdout).toMatch(/key_exchange\.mlkem768_ciphertext \(ML-KEM-768 ciphertext/);
    expect(result.stdout).toContain('hybrid: secure if either X25519 or ML-KEM holds');
    const negotiated = [...result.stdout.matchAll(/^\s*negotiated: .*group (\S+),/gm)].map((m) => m[1]);
    expect(negotiated).toEqual(['X25519MLKEM768', 'x25519', 'SecP384r1MLKEM1024']);
  }, 120_000);

  it("gives each group's share sizes as the engine's layout table has them", () => {
    const markdown = readFileSync(join(root, 'docs', 'post-quantum.md'), 'utf8');
    const total = (parts: readonly { length: number }[]) => parts.reduce((sum, p) => sum + p.length, 0);
    for (const [id, layout] of SHARE_LAYOUTS) {
      const code = `0x${id.toString(16).padStart(4, '0').toUpperCase()}`;
      expect(markdown).toContain(`| ${namedGroupName(id)} | ${code} | ${total(layout.client)} `);
      expect(markdown).toMatch(new RegExp(`^\\| ${namedGroupName(id)} \\| ${code} \\|[^|]+\\| ${total(layout.server)} `, 'm'));
    }
  });
});
