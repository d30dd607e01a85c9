// The real `tls13` binary as a child process: every mistake a user can make after a flag was accepted is
// one line and exit 2 before anything is sent, never a stack trace; a closed stdout ends quietly.
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runShell } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tls13-bin-'));

/** One line on stderr, nothing else, exit 2: a usage error reported as such. */
async function expectOneLine(script: string, line: RegExp, env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await runShell(script, dir, env);
  expect(stderr.trimEnd()).toMatch(line);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  expect(stdout).toBe('');
  expect(code).toBe(2);
}

let plainHttp: Server;
let plainPort = 0;

beforeAll(async () => {
  ensureBuilt();
  expect((await runShell('$TLS13 cert --out-cert ca.pem --out-key ca.key --ca --cn "Test CA" >/dev/null && $TLS13 cert --out-cert leaf.pem --out-key leaf.key --dns localhost --issuer-cert ca.pem --issuer-key ca.key >/dev/null', dir)).code).toBe(0);
  plainHttp = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
  await new Promise<void>((r) => plainHttp.listen(0, '127.0.0.1', r));
  plainPort = (plainHttp.address() as { port: number }).port;
}, 60_000);

afterAll(() => plainHttp.close());

describe('output files are checked before the first byte is sent', () => {
  it('connect --keylog into a missing directory', () => expectOneLine('$TLS13 connect 127.0.0.1:1 --keylog /nonexistent/k.log', /^tls13: --keylog \/nonexistent\/k\.log: no such file or directory$/));
  it('a bad SSLKEYLOGFILE is reported as SSLKEYLOGFILE', () =>
    expectOneLine('$TLS13 connect 127.0.0.1:1', /^tls13: SSLKEYLOGFILE=\/nonexistent\/k\.log \(environment\): no such file or directory$/, { SSLKEYLOGFILE: '/nonexistent/k.log' }));
  it('serve --keylog refuses to start (no "listening")', () =>
    expectOneLine('$TLS13 serve --port 0 --cert leaf.pem --key leaf.key --keylog /nonexistent/k.log', /^tls13: --keylog \/nonexistent\/k\.log: no such file or directory$/));
  it('demo --pcap into a directory', () => expectOneLine('$TLS13 demo --pcap /tmp', /^tls13: --pcap \/tmp: is a directory$/));
  it('serve --trace html=FILE into a missing directory', () =>
    expectOneLine('$TLS13 serve --port 0 --cert leaf.pem --key leaf.key --trace html=/nonexistent/t.html', /^tls13: --trace \/nonexistent\/t-1\.html: no such file or directory$/));
  it('cert outputs are checked before the key is made', () => expectOneLine('$TLS13 cert --out-cert x.pem --out-key /nonexistent/x.key', /^tls13: --out-key \/nonexistent\/x\.key: no such file or directory$/));
});

describe('flag values are validated against what the engine implements', () => {
  for (const command of ['connect 127.0.0.1:1', 'serve --port 0 --cert leaf.pem --key leaf.key']) {
    it(`${command.split(' ')[0]} --groups MLKEM512 (a known code point, not implemented)`, () =>
      expectOneLine(`$TLS13 ${command} --groups MLKEM512`, /^tls13: --groups MLKEM512: MLKEM512 is not implemented here \(supported: [\w, ]*x25519/));
    it(`${command.split(' ')[0]} --ciphersuites with a TLS 1.2 suite`, () =>
      expectOneLine(
        `$TLS13 ${command} --ciphersuites TLS_AES_128_CCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256`,
        /^tls13: --ciphersuites TLS_AES_128_CCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256: unknown or unsupported cipher suite ECDHE-RSA-AES128-GCM-SHA256 \(supported: [\w, ]*TLS_AES_128_CCM_8_SHA256/,
      ));
  }
  it('an ALPN name over 255 bytes', () => expectOneLine(`$TLS13 connect 127.0.0.1:1 --alpn h2,${'a'.repeat(256)}`, /each protocol name is 1 to 255 bytes/));
});

describe('a closed standard output ends quietly', () => {
  for (const script of ['$TLS13 demo --trace text | head -3', '$TLS13 cert --out-cert p.pem --out-key p.key | head -1']) {
    it(script, async () => {
      // sh has no pipefail: the status of the tls13 side is reported by a wrapper.
      const { code, stdout, stderr } = await runShell(script.replace('$TLS13', '{ $TLS13').replace(' | head', '; echo "tls13 exit $?" >&2; } | head'), dir);
      expect(code).toBe(0);
      expect(stdout.split('\n').length).toBeLessThanOrEqual(4);
      expect(stderr).toMatch(/^tls13 exit (0|141)\n$/);
    });
  }
});

describe('parser and cert rough edges', () => {
  it('--port -1', () => expectOneLine('$TLS13 serve --port -1', /^tls13: serve: --port needs a value, but is followed by -1 \(a value that starts with a dash is written --port=-1\)/));
  it('--ca followed by another flag', () => expectOneLine('$TLS13 connect 127.0.0.1:1 --ca --cert leaf.pem', /^tls13: connect: --ca needs a value, but is followed by --cert/));
  it('openssl spellings: -servername, -CAfile, -connect', async () => {
    await expectOneLine('$TLS13 connect 127.0.0.1:1 -servername x', /unknown option -servername: did you mean --servername\?/);
    await expectOneLine('$TLS13 connect 127.0.0.1:1 -CAfile ca.pem', /unknown option -CAfile: did you mean --ca\?/);
    await expectOneLine('$TLS13 connect -connect 127.0.0.1:1', /unknown option -connect: did you mean tls13 connect HOST:PORT\?/);
  });
  it('cert --out-cert X --out-key X is refused and writes nothing', async () => {
    await expectOneLine('$TLS13 cert --out-cert same.pem --out-key ./same.pem', /^tls13: cert: --out-cert and --out-key are the same file/);
    expect(() => readFileSync(join(dir, 'same.pem'))).toThrow();
  });
  it('issuing from a certificate that is not a CA is refused', () =>
    expectOneLine('$TLS13 cert --out-cert c.pem --out-key c.key --issuer-cert leaf.pem --issuer-key leaf.key', /^tls13: --issuer-cert leaf\.pem: not a CA certificate/));
  it('connect --help prints no raw control characters', async () => {
    const { code, stdout } = await runShell('$TLS13 connect --help', dir);
    expect(code).toBe(0);
    expect(stdout).toContain('--early-data');
    expect(stdout).not.toMatch(/[\r\t]|[^\n]\n\n\n/);
    expect(stdout.replace(/\n/g, '')).toMatch(/^[\x20-\x7e§—…]*$/u);
  });
  it('a refused connection is not a handshake failure', async () => {
    const { code, stderr } = await runShell('$TLS13 connect 127.0.0.1:1', dir);
    expect(stderr).toBe('tls13: cannot connect to 127.0.0.1:1: connection refused\n');
    expect(code).toBe(1);
  });
  it('a plain-HTTP server: "this is not TLS"', async () => {
    const { code, stderr } = await runShell(`$TLS13 connect 127.0.0.1:${plainPort} --ca ca.pem --servername localhost`, dir);
    expect(stderr).toBe("tls13: this is not TLS: the server sent 'HTTP/1.1 400 Bad Request'\n");
    expect(code).toBe(1);
  });
});

writeFileSync(join(dir, 'README'), 'scratch directory of test/cli/binary.test.ts\n');

describe('npm start builds only a stale dist/', () => {
  it('does nothing when dist/ is up to date, and rebuilds when a source is newer', async () => {
    const fresh = await runShell('node bin/ensure-built.js', repoRoot);
    expect(fresh).toMatchObject({ code: 0, stderr: '' });
    const source = join(repoRoot, 'src', 'cli', 'failure.ts');
    const later = new Date(Date.now() + 2000);
    utimesSync(source, later, later);
    const stale = await runShell('node bin/ensure-built.js', repoRoot, {}, 60_000);
    expect(stale.stderr).toBe('building dist/ (src/cli/failure.ts is newer than dist/src/cli/failure.js)\n');
    expect(stale.code).toBe(0);
    expect(statSync(join(repoRoot, 'dist', 'src', 'cli', 'failure.js')).mtimeMs).toBeGreaterThanOrEqual(later.getTime() - 1000);
    expect(await runShell('node bin/ensure-built.js', repoRoot)).toMatchObject({ code: 0, stderr: '' });
  }, 90_000);
});

describe('s_client habits', () => {
  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    expect(await runShell('$TLS13 --version', dir)).toMatchObject({ code: 0, stdout: `tls13 ${version}\n`, stderr: '' });
  });

  it('the connect summary names the issuer and the validity; --alpn takes a list', async () => {
    const script = `$TLS13 serve --port 0 --cert leaf.pem --key leaf.key --alpn http/1.1 > alpn-serve.log 2>&1 &
for t in $(seq 100); do grep -q '^listening on' alpn-serve.log && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1://p' alpn-serve.log)
$TLS13 connect localhost:$port --ca ca.pem --alpn h2,http/1.1; status=$?; kill $!; exit $status`;
    const { code, stdout } = await runShell(script, dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}issuer CN=Test CA, valid \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ to \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    expect(stdout).toMatch(/ALPN http\/1\.1/);
  });
});
