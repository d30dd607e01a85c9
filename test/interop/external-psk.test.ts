// External PSKs (RFC 8446 §4.2.11) against OpenSSL and GnuTLS, both directions, through the real binary:
// `tls13 serve --psk HEX --psk-identity ID` and `tls13 connect` the same, against `openssl s_server/s_client
// -psk HEX -psk_identity ID` and `gnutls-serv --pskpasswd FILE` / `gnutls-cli --pskusername --pskkey`.
// A missing binary skips loudly (fails with REQUIRE_INTEROP=1).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ensureBuilt, TLS13_BIN } from '../cli/helpers.js';

const KEY = '00112233445566778899aabbccddeeff';
const scratch = scratchDirectory('tls13-external-psk-');
afterAll(scratch.remove);
beforeAll(() => ensureBuilt(), 60_000);

const children: BoundedChild[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

function spawn(path: string, args: string[]): BoundedChild {
  const child = spawnBounded(path, args, { timeoutMs: 15_000, cwd: scratch.dir, env: { ...process.env, SSLKEYLOGFILE: '' } });
  children.push(child);
  return child;
}

const tls13 = (args: string[]) => spawn(process.execPath, [TLS13_BIN, ...args]);

/** `tls13 serve` with only a PSK (no certificate); resolves with the child and its port. */
async function serve(extra: string[] = []): Promise<{ server: BoundedChild; port: number }> {
  const server = tls13(['serve', '--port', '0', '--psk', KEY, '--psk-identity', 'alice', ...extra]);
  await server.waitFor(/listening on 127\.0\.0\.1:\d+/);
  return { server, port: Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.stdout())![1]) };
}

/** `tls13 connect` with the PSK; resolves with its exit code and output. */
async function connect(port: number, extra: string[] = []): Promise<{ code: number | string; stdout: string; stderr: string }> {
  // --send: without it connect sends its standard input, which this child's open pipe never ends (as s_client).
  const client = tls13(['connect', `127.0.0.1:${port}`, '--psk', KEY, '--psk-identity', 'alice', '--timeout', '5000', '--send', 'GET / HTTP/1.0\\r\\n\\r\\n', ...extra]);
  const code = await client.exited;
  return { code, stdout: client.stdout(), stderr: client.stderr() };
}

const GNUTLS_PSK_PRIORITY = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+ECDHE-PSK:+DHE-PSK:+PSK';

describe('external PSKs with OpenSSL', () => {
  it('openssl s_client -psk authenticates to tls13 serve --psk with no certificate on either side', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await serve();
    const client = spawn(openssl, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-psk', KEY, '-psk_identity', 'alice', '-ign_eof']);
    client.child.stdin.end('GET / HTTP/1.0\r\n\r\n');
    await client.exited;
    expect(client.stdout()).toContain('HTTP/1.1 200 OK');
    expect(client.stdout()).toContain('client: external PSK "alice" (sha256)');
    expect(client.stdout()).toContain('group: x25519'); // psk_dhe_ke
    await server.waitFor(/client external PSK "alice"/);
  });

  it('tls13 serve refuses openssl s_client with the right identity and a wrong key: decrypt_error on the binder', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await serve();
    const client = spawn(openssl, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-psk', KEY.replace(/^00/, '01'), '-psk_identity', 'alice']);
    client.child.stdin.end();
    await client.exited;
    await server.waitFor(/handshake failed: we sent decrypt_error/);
    expect(client.stdout() + client.stderr()).toMatch(/alert decrypt error|alert number 51/);
  });

  it('tls13 connect --psk authenticates openssl s_server -nocert -psk', async (test) => {
    const openssl = requireBinary('openssl', test);
    const port = await freePort();
    const server = spawn(openssl, ['s_server', '-tls1_3', '-accept', String(port), '-nocert', '-psk', KEY, '-psk_identity', 'alice', '-www']);
    await server.waitFor(/ACCEPT/);
    const { code, stdout, stderr } = await connect(port);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('server: external PSK "alice" (sha256)');
    expect(stdout).toContain('signature none (PSK)');
    expect(stdout).toContain('HTTP/1.0 200 ok');
  });
});

describe('external PSKs with GnuTLS', () => {
  it('gnutls-cli --pskusername --pskkey authenticates to tls13 serve --psk', async (test) => {
    const gnutls = requireBinary('gnutls-cli', test);
    const { server, port } = await serve();
    const client = spawn(gnutls, ['--port', String(port), '127.0.0.1', '--pskusername', 'alice', '--pskkey', KEY, '--priority', GNUTLS_PSK_PRIORITY]);
    await client.waitFor(/Handshake was completed/);
    client.child.stdin.end('GET / HTTP/1.0\r\n\r\n');
    await server.waitFor(/client external PSK "alice" \(sha256\)/);
  });

  it('tls13 connect --psk authenticates gnutls-serv --pskpasswd', async (test) => {
    const gnutls = requireBinary('gnutls-serv', test);
    const port = await freePort();
    const passwd = scratch.file('psk.passwd', `alice:${KEY}\n`);
    const server = spawn(gnutls, ['--port', String(port), '--pskpasswd', passwd, '--priority', GNUTLS_PSK_PRIORITY, '--http']);
    await server.waitFor(/listening/i);
    const { code, stdout } = await connect(port);
    expect(code).toBe(0);
    expect(stdout).toContain('server: external PSK "alice" (sha256)');
    expect(stdout).toContain('HTTP/1.0 200 OK');
  });
});
