// openssl s_client habits of `tls13 connect`, run as the real binary: --insecure / --show-certs print the
// server's chain and never call an unverified server verified; --sess-out / --sess-in keep a session in a
// file; standard input is the request.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../src/testing/interop.js';
import { ensureBuilt, runCli, runShell, startServe } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-habits-'));
const file = (name: string) => join(dir, name);

let genuine: Awaited<ReturnType<typeof startServe>>;
let impostor: Awaited<ReturnType<typeof startServe>>;

beforeAll(async () => {
  ensureBuilt();
  await runCli(['cert', '--out-cert', file('ca.pem'), '--out-key', file('ca.key'), '--ca', '--cn', 'Test CA']);
  await runCli(['cert', '--out-cert', file('leaf.pem'), '--out-key', file('leaf.key'), '--type', 'p256', '--dns', 'localhost', '--issuer-cert', file('ca.pem'), '--issuer-key', file('ca.key')]);
  // The attacker's server: a self-signed certificate that claims the same name.
  await runCli(['cert', '--out-cert', file('bogus.pem'), '--out-key', file('bogus.key'), '--type', 'p256', '--dns', 'localhost', '--cn', 'Not Test CA']);
  genuine = await startServe(['--cert', file('leaf.pem'), '--key', file('leaf.key')]);
  impostor = await startServe(['--cert', file('bogus.pem'), '--key', file('bogus.key')]);
}, 60_000);

afterAll(async () => {
  await genuine.stop();
  await impostor.stop();
});

const connect = (args: string, script = '') => runShell(`${script}$TLS13 connect ${args}`, dir);

describe('--insecure and --show-certs', () => {
  it('an attacker certificate under --insecure: the connection works, and every line that names the server says NOT verified', async () => {
    const { code, stdout, stderr } = await connect(`localhost:${impostor.port} --ca ca.pem --insecure`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}server \(NOT verified, anyone could have sent this\): CN=Not Test CA, SANs localhost/m);
    expect(stdout).toMatch(/^ {2}NOT verified: --insecure accepted the server without checking who it is; the trust flags would refuse it \(ca: no trust anchor/m);
    // Nothing calls it trusted, verified or authenticated.
    expect(stdout).not.toMatch(/trusted by|^ {2}server: /m);
    expect(stdout).not.toMatch(/(?<!NOT )verified|authenticated/);
    expect(stdout).toContain('certificate chain as the server sent it (NOT verified):');
    expect(stdout).toContain('HTTP/1.1 200 OK');
  });

  it('the JSON trace of an --insecure connection carries the NOT verified verdict too', async () => {
    const { code, stdout } = await connect(`localhost:${impostor.port} --ca ca.pem --insecure --trace json`);
    expect(code).toBe(0);
    const connected = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; info?: { peer?: { verdict: { rule: string } } } }).find((e) => e.type === 'connected');
    expect(connected?.info?.peer?.verdict.rule).toBe('NOT verified (--insecure)');
  });

  it('the same server without --insecure is refused', async () => {
    const { code, stdout, stderr } = await connect(`localhost:${impostor.port} --ca ca.pem`);
    expect(stderr).toMatch(/^tls13: handshake failed: we sent unknown_ca/);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });

  it('prints the whole chain, and the SPKI pin it prints is one --pin-spki takes', async () => {
    const { code, stdout } = await connect(`localhost:${genuine.port} --ca ca.pem --show-certs`);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}trusted by ca: /m);
    const x509 = new X509Certificate(readFileSync(file('leaf.pem')));
    const block = stdout.slice(stdout.indexOf('certificate chain as the server sent it:'));
    expect(block).toMatch(/ {2}0 \(leaf\)\n {6}subject {6}CN=localhost\n {6}issuer {7}CN=Test CA\n {6}validity {5}\S+ to \S+\n {6}SANs {9}DNS:localhost\n {6}key {10}ECDSA P-256\n/);
    expect(block).toContain(`sha256       ${x509.fingerprint256}`);
    const pin = /SPKI pin {5}(sha256\/\S+)/.exec(block)![1]!;
    const pinned = await connect(`localhost:${genuine.port} --pin-spki ${pin}`);
    expect(pinned.stdout).toMatch(/^ {2}trusted by pinned-key: /m);
    expect(pinned.code).toBe(0);
  });

  it('--show-certs shows what a refused server sent, before the error', async () => {
    const { code, stdout, stderr } = await connect(`localhost:${impostor.port} --ca ca.pem --show-certs`);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}certificate chain as the server sent it:\n {2}0 \(leaf\)\n {6}subject {6}CN=Not Test CA/);
    expect(stderr).toMatch(/unknown_ca/);
  });
});

describe('--sess-out and --sess-in', () => {
  it('saves the session in a file only its owner can read, and resumes it', async () => {
    writeFileSync(file('s1.json'), 'old');
    chmodSync(file('s1.json'), 0o644);
    expect((await connect(`localhost:${genuine.port} --ca ca.pem --sess-out s1.json`)).code).toBe(0);
    expect(statSync(file('s1.json')).mode & 0o777).toBe(0o600);
    const session = JSON.parse(readFileSync(file('s1.json'), 'utf8')) as Record<string, unknown>;
    expect(session).toMatchObject({ format: 'tls13-lab session', version: 1, serverName: 'localhost', cipherSuite: 'TLS_AES_128_GCM_SHA256' });
    const resumed = await connect(`localhost:${genuine.port} --ca ca.pem --sess-in s1.json`);
    expect(resumed.stdout).toContain('resumed: yes');
    expect(resumed.stdout).toMatch(/^ {2}trusted by resumed ca: /m);
    expect(resumed.code).toBe(0);
  });

  it('a session made under --insecure does not resume with trust flags that refuse its server', async () => {
    expect((await connect(`localhost:${impostor.port} --insecure --sess-out s2.json`)).code).toBe(0);
    const { code, stdout, stderr } = await connect(`localhost:${impostor.port} --ca ca.pem --sess-in s2.json`);
    expect(stdout).not.toContain('resumed: yes');
    expect(stderr).toMatch(/we sent unknown_ca/);
    expect(code).toBe(1);
  });

  it('refuses a file for another server name, or a malformed file, in one line before connecting', async () => {
    expect((await connect(`localhost:${genuine.port} --ca ca.pem --sess-out s3.json`)).code).toBe(0);
    const other = await connect(`127.0.0.1:${genuine.port} --ca ca.pem --sess-in s3.json`);
    expect(other).toMatchObject({ code: 2, stdout: '', stderr: 'tls13: --sess-in s3.json: the session is for localhost, not 127.0.0.1 (RFC 8446 §4.6.1: a ticket is only offered to the server that issued it)\n' });
    const session = JSON.parse(readFileSync(file('s3.json'), 'utf8')) as Record<string, unknown>;
    for (const [name, text] of [
      ['not JSON', 'psk=00'],
      ['a truncated PSK', JSON.stringify({ ...session, psk: '00ff' })],
      ['a ticket that is not base64', JSON.stringify({ ...session, ticket: '***' })],
      ['another format', JSON.stringify({ ...session, version: 2 })],
      ['no server chain (resuming could not judge the server)', JSON.stringify({ ...session, serverChain: undefined })],
      ['an expired session', JSON.stringify({ ...session, receivedAt: '2020-01-01T00:00:00.000Z' })],
      ['a lifetime over 7 days (RFC 8446 §4.6.1)', JSON.stringify({ ...session, lifetime: 604_801 })],
    ]) {
      writeFileSync(file('bad.json'), text!);
      const bad = await connect(`localhost:${genuine.port} --ca ca.pem --sess-in bad.json`);
      expect(bad.stderr, name).toMatch(/^tls13: --sess-in bad\.json: [^\n]+\n$/);
      expect(bad.code, name).toBe(2);
    }
  });
});

describe('standard input is the request', () => {
  // node:tls with allowHalfOpen answers only once the client's close_notify ended its input.
  let halfOpen: { server: tls.Server; port: number };
  beforeAll(async () => {
    const server = tls.createServer({ cert: readFileSync(file('leaf.pem')), key: readFileSync(file('leaf.key')), allowHalfOpen: true }, (socket) => {
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
      socket.on('end', () => socket.end(`got ${received.length} bytes: ${JSON.stringify(received)}\n`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    halfOpen = { server, port: (server.address() as { port: number }).port };
  });
  afterAll(() => halfOpen.server.close());

  it('piped: sent as it is, then the write side half-closes and the reply is read to the end', async () => {
    const { code, stdout, stderr } = await connect(`localhost:${halfOpen.port} --ca ca.pem`, "printf 'line one\\nline two\\n' | ");
    expect(stderr).toBe('');
    expect(stdout).toContain('got 18 bytes: "line one\\nline two\\n"');
    expect(code).toBe(0);
    const crlf = await connect(`localhost:${halfOpen.port} --ca ca.pem --crlf`, "printf 'GET / HTTP/1.0\\n\\n' | ");
    expect(crlf.stdout).toContain('got 18 bytes: "GET / HTTP/1.0\\r\\n\\r\\n"');
  });

  it('on a terminal: each line typed is sent, Ctrl-D half-closes (run under script(1) for a pseudo-terminal)', async (test) => {
    requireBinary('script', test);
    // The terminal gets a line, then Ctrl-D (\004) at the start of the next line: the end of the input.
    const { code, stdout } = await runShell(`printf 'hello\\n\\004' | script -qec "$TLS13 connect localhost:${halfOpen.port} --ca ca.pem --crlf" /dev/null`, dir);
    expect(stdout).toContain('tls13: connected; each line you type is sent, Ctrl-D ends the input (half-close)');
    expect(stdout).toContain('got 7 bytes: "hello\\r\\n"');
    expect(code).toBe(0);
  });

  it('empty (< /dev/null, a script): the default request, and --send still wins over stdin', async () => {
    const empty = await connect(`localhost:${genuine.port} --ca ca.pem`);
    expect(empty.stdout).toContain('HTTP/1.1 200 OK');
    expect(empty.code).toBe(0);
    const sent = await connect(`localhost:${genuine.port} --ca ca.pem --send 'GET /x HTTP/1.0\\r\\n\\r\\n'`, "printf 'ignored' | ");
    expect(sent.stdout).toContain('HTTP/1.1 200 OK');
    expect(sent.code).toBe(0);
  });
});
