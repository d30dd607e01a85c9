// The command line against GnuTLS with RFC 7250 raw public keys, keys made by `tls13 cert --raw`:
// gnutls-cli (its --rawpkfile reads the PEM `cert --raw` prints) against `tls13 serve --rpk-key`, and
// `tls13 connect --rpk-key --pin-spki` against gnutls-serv. A missing gnutls-bin skips loudly (fails with
// REQUIRE_INTEROP=1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, requireBinary, spawnBounded, type BoundedChild } from '../../src/testing/interop.js';
import { runCli, startServe } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-cli-gnutls-'));
const file = (name: string) => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRIORITY_RPK = 'NORMAL:-VERS-ALL:+VERS-TLS1.3:+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK';

const children: BoundedChild[] = [];
const stops: Array<() => Promise<number>> = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  for (const stop of stops.splice(0)) await stop();
});

/** A key made by `cert --raw`, as gnutls-cli/gnutls-serv take it. */
async function rawKey(name: string, type: 'ed25519' | 'p256') {
  const result = await runCli(['cert', '--raw', '--out-key', file(`${name}.key`), '--type', type, '--out-spki', file(`${name}.pub`)]);
  expect(result.code).toBe(0);
  return ['--rawpkkeyfile', file(`${name}.key`), '--rawpkfile', file(`${name}.pub`)];
}

describe('tls13 serve and tls13 connect with GnuTLS, raw public keys both ways', () => {
  it('gnutls-cli gets the page from tls13 serve --rpk-key (Ed25519), authenticating with its own raw P-256 key that the server pins', async (test) => {
    const path = requireBinary('gnutls-cli', test);
    const clientFiles = await rawKey('gnutls-client', 'p256');
    await rawKey('serve', 'ed25519');
    const server = await startServe(['--rpk-key', file('serve.key'), '--pin-client-spki', file('gnutls-client.pub')]);
    stops.push(server.stop);
    // gnutls-cli cannot pin a raw key on its command line: --insecure, and we check what it saw.
    const cli = spawnBounded(path, ['--port', String(server.port), '--priority', PRIORITY_RPK, '--insecure', ...clientFiles, '127.0.0.1'], { timeoutMs: 10_000 });
    children.push(cli);
    // Our server answers the request and closes; gnutls-cli exits when it does.
    cli.child.stdin.write('GET / HTTP/1.0\r\n\r\n');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain('- Certificate type: Raw Public Key');
    expect(cli.stdout()).toContain('HTTP/1.1 200 OK');
    expect(cli.stdout()).toContain('certificate type: server raw public key (RFC 7250), client raw public key (RFC 7250)\n');
    expect(cli.stdout()).toContain('client trusted by pinned-key');
  });

  it('tls13 connect --rpk-key (Ed25519) --pin-spki completes against gnutls-serv with a raw P-256 key, requiring a client key', async (test) => {
    const path = requireBinary('gnutls-serv', test);
    const serverFiles = await rawKey('gnutls-server', 'p256');
    await rawKey('connect', 'ed25519');
    const port = await freePort();
    const server = spawnBounded(path, ['--port', String(port), '--echo', '--priority', PRIORITY_RPK, '--require-client-cert', ...serverFiles], { timeoutMs: 10_000 });
    children.push(server);
    await server.waitFor(/listening on IPv4 [^\n]*done/);
    const { code, stdout, stderr } = await runCli([
      'connect', `127.0.0.1:${port}`, '--rpk-key', file('connect.key'), '--pin-spki', file('gnutls-server.pub'), '--send', 'ping\\n', '--timeout', '1000',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('  certificate type: server raw public key (RFC 7250), client raw public key (RFC 7250)\n');
    expect(stdout).toContain('trusted by pinned-key');
    expect(stdout).toContain('ping\n');
  });
});
