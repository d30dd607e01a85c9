// `tls13 serve` as a conformance target (issue 13 part 5), through the real binary: GET /keyupdate sends a
// KeyUpdate with update_requested before the reply, GET /secret a post-handshake CertificateRequest.
// openssl s_client is the independent client (-msg shows each handshake message it received); a missing
// openssl skips loudly (fails with REQUIRE_INTEROP=1).
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BoundedChild, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ensureBuilt, TLS13_BIN } from './helpers.js';

const scratch = scratchDirectory('tls13-serve-conformance-');
const { dir } = scratch;
const path = (name: string) => `${dir}/${name}`;
afterAll(scratch.remove);

const children: BoundedChild[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

function tls13(args: string[]): BoundedChild {
  const child = spawnBounded(process.execPath, [TLS13_BIN, ...args], { timeoutMs: 15_000, cwd: dir, env: { ...process.env, SSLKEYLOGFILE: '' } });
  children.push(child);
  return child;
}

beforeAll(() => {
  ensureBuilt();
  const cert = (args: string[]) => execFileSync(process.execPath, [TLS13_BIN, 'cert', ...args], { cwd: dir });
  cert(['--out-cert', 'server.pem', '--out-key', 'server.key', '--type', 'p256', '--dns', 'localhost']);
  cert(['--out-cert', 'alice.pem', '--out-key', 'alice.key', '--cn', 'alice', '--eku', 'clientAuth']);
}, 60_000);

/** `tls13 serve` on a free port with these extra flags; resolves with the child and its port. */
async function serve(extra: string[]): Promise<{ server: BoundedChild; port: number }> {
  const server = tls13(['serve', '--port', '0', '--cert', 'server.pem', '--key', 'server.key', ...extra]);
  await server.waitFor(/listening on 127\.0\.0\.1:\d+/);
  return { server, port: Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.stdout())![1]) };
}

/** openssl s_client sends `GET path`, reads the reply to its end; resolves with its stdout (-msg: messages received). */
async function sClient(openssl: string, port: number, path: string, extra: string[] = []): Promise<string> {
  const client = spawnBounded(openssl, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-msg', '-ign_eof', ...extra], { timeoutMs: 10_000, cwd: dir });
  children.push(client);
  client.child.stdin.end(`GET ${path} HTTP/1.0\r\n\r\n`);
  await client.exited;
  return client.stdout();
}

describe('tls13 serve as a conformance target', () => {
  it('answers GET /keyupdate with a KeyUpdate that requests the client update too, before the reply', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await serve([]);
    const out = await sClient(openssl, port, '/keyupdate');
    const keyUpdate = out.indexOf('<<< TLS 1.3, Handshake [length 0005], KeyUpdate');
    expect(keyUpdate).toBeGreaterThan(-1);
    // HandshakeType key_update (24), length 1, KeyUpdateRequest update_requested (1): RFC 8446 §4.6.3.
    expect(out.slice(keyUpdate).split('\n')[1]!.trim()).toBe('18 00 00 01 01');
    // The reply came under the updated keys, so after the KeyUpdate.
    expect(out.indexOf('HTTP/1.1 200 OK')).toBeGreaterThan(keyUpdate);
    expect(out).toContain('KeyUpdate sent with update_requested before this reply');
    await server.waitFor(/KeyUpdate sent \(update_requested\)/);
  });

  it('sends no KeyUpdate for another path', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { port } = await serve([]);
    const out = await sClient(openssl, port, '/');
    expect(out).toContain('HTTP/1.1 200 OK');
    expect(out).not.toContain('KeyUpdate');
  });

  it('answers GET /secret with a post-handshake CertificateRequest to a client that offered post_handshake_auth, and names the client', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await serve(['--client-auth', 'none', '--pin-client-cert', 'alice.pem']);
    const out = await sClient(openssl, port, '/secret', ['-enable_pha', '-cert', path('alice.pem'), '-key', path('alice.key')]);
    const request = out.indexOf('CertificateRequest');
    expect(request).toBeGreaterThan(out.indexOf('Finished'));
    expect(out.indexOf('HTTP/1.1 200 OK')).toBeGreaterThan(request);
    expect(out).toContain('the secret is yours, CN=alice');
    await server.waitFor(/after the handshake, client CN=alice/);
  });

  it('says so when the client did not offer post_handshake_auth', async (test) => {
    const openssl = requireBinary('openssl', test);
    const { server, port } = await serve(['--client-auth', 'none', '--pin-client-cert', 'alice.pem']);
    const out = await sClient(openssl, port, '/secret');
    expect(out).toContain('HTTP/1.1 403 Forbidden');
    expect(out).toContain('no post-handshake CertificateRequest: the client did not offer post_handshake_auth');
    expect(out).not.toContain('CertificateRequest\n');
    await server.waitFor(/no post-handshake authentication: the client did not offer post_handshake_auth/);
  });

  it('says so to our own client when the server has no client trust flag to judge a certificate', async () => {
    const { port } = await serve([]);
    const client = tls13(['connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--pin-cert', 'server.pem', '--send', 'GET /secret HTTP/1.0\\r\\n\\r\\n']);
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toContain('HTTP/1.1 403 Forbidden');
    expect(client.stdout()).toContain('the server has no client trust flag (--client-ca, --pin-client-cert or --pin-client-spki)');
  });
});
