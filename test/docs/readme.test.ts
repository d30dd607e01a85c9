// README.md's shell blocks run as written, line by line, from an empty directory, over loopback only:
// `npx tls13` is the built bin/tls13.js, a line ending in `&` (the server) is started in the background and
// waited for until it listens, port 8443 becomes a free port. Left out, explicitly: the install block
// (`npm ci && ...`) and lines that need the Internet.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary } from '../../src/testing/interop.js';
import { namedGroupName } from '../../src/wire/enums.js';
import { SHARE_LAYOUTS } from '../../src/wire/key-share-layout.js';
import { ensureBuilt, runShell } from '../cli/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The ```sh blocks of a Markdown text, each as its lines (without the trailing comments' continuations). */
export function shellBlocks(markdown: string): string[][] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.split('\n').filter((line) => line.trim() !== ''));
}

const INSTALL = /^npm ci && /;
const INTERNET = /^npx tls13 connect (?!localhost:|127\.0\.0\.1:)/;

/** One sh script for the blocks: each line echoed, run, and failing the script with its line number. */
function scriptFor(lines: string[], port: number): string {
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
    const port = await freePort();
    const result = await runShell(`trap 'kill $(jobs -p) 2>/dev/null' EXIT\n${scriptFor(lines, port)}`, dir, {}, 90_000);
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

describe("docs/trace.md's stepping example runs as written", () => {
  it('imports only what the package exports, steps, tampers and writes a capture', async () => {
    const markdown = readFileSync(join(root, 'docs', 'trace.md'), 'utf8');
    const example = [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).find((code) => code.includes('stepMessage'));
    expect(example).toBeDefined();
    expect(example).not.toMatch(/tls13-lab\/src/);
    // The configurations the example leaves to the reader: those of the 1-RTT demo.
    const prelude = `import { SCENARIOS } from ${JSON.stringify(join(root, 'dist', 'src', 'cli', 'scenarios.js'))};\nconst { client: clientConfig, server: serverConfig } = SCENARIOS['1rtt'].setup('docs');\n`;
    const { transform } = await import('esbuild');
    const js = (await transform(example!, { loader: 'ts', format: 'esm' })).code;
    // Inside the package directory, so that 'tls13-lab' resolves to this package through its "exports".
    const file = join(root, 'dist', 'docs-trace-example.mjs');
    const { imports, body } = splitImports(js);
    writeFileSync(file, `${imports}\n${prelude}\n${body}`);
    const dir = mkdtempSync(join(tmpdir(), 'tls13-trace-doc-'));
    const result = await runShell(`node ${file}`, dir, {}, 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/server→client handshake \d+ bytes/);
    expect(result.stdout).toContain("description: 'bad_record_mac'");
    expect(readFileSync(join(dir, 'session.pcap')).length).toBeGreaterThan(24);
  }, 60_000);
});

/** ES module import lines first (they must precede the prelude's code), the rest after. */
function splitImports(js: string): { imports: string; body: string } {
  const lines = js.split('\n');
  return { imports: lines.filter((l) => l.startsWith('import ')).join('\n'), body: lines.filter((l) => !l.startsWith('import ')).join('\n') };
}

describe("docs/post-quantum.md's commands run as written", () => {
  it('the demo annotates the hybrid share, and a tls13 server negotiates X25519MLKEM768 by default and x25519 with a classical client', async () => {
    const lines = shellBlocks(readFileSync(join(root, 'docs', 'post-quantum.md'), 'utf8')).flat();
    const dir = mkdtempSync(join(tmpdir(), 'tls13-pq-doc-'));
    const result = await runShell(`trap 'kill $(jobs -p) 2>/dev/null' EXIT\n${scriptFor(lines, await freePort())}`, dir, {}, 90_000);
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

describe("docs/ocsp.md's commands run as written", () => {
  it('openssl ocsp makes the staple, tls13 serve --ocsp staples it, s_client -status and tls13 connect --status read it as good', async (test) => {
    requireBinary('openssl', test);
    const lines = shellBlocks(readFileSync(join(root, 'docs', 'ocsp.md'), 'utf8')).flat();
    const dir = mkdtempSync(join(tmpdir(), 'tls13-ocsp-doc-'));
    const result = await runShell(`trap 'kill $(jobs -p) 2>/dev/null' EXIT\n${scriptFor(lines, await freePort())}`, dir, {}, 90_000);
    expect(result.stderr).not.toMatch(/failed|did not start|\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OCSP Response Status: successful (0x0)');
    expect(result.stdout).toContain('Cert Status: good');
    expect(result.stdout).toMatch(/^ {2}OCSP staple: good, signed by the issuer "CN=Demo CA", thisUpdate \S+, nextUpdate \S+$/m);
  }, 120_000);
});
