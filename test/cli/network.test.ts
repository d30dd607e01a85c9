import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tls13-net-'));
const file = (name: string) => join(dir, name);

function pinOf(certFile: string): string {
  const x509 = new X509Certificate(readFileSync(certFile));
  return createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

/** A request with node:tls as the client: an implementation independent of ours. */
function nodeGet(port: number, options: tls.ConnectionOptions): Promise<{ page: string; suite: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', minVersion: 'TLSv1.3', ...options }, () => {
      socket.write('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n');
    });
    let page = '';
    socket.on('data', (d: Buffer) => (page += d.toString('utf8')));
    socket.on('end', () => resolve({ page, suite: socket.getCipher().standardName }));
    socket.on('error', reject);
  });
}

let server: ReturnType<typeof startCli>;
let port: number;

beforeAll(async () => {
  await runCli(['cert', '--out-cert', file('server.pem'), '--out-key', file('server.key'), '--type', 'p256', '--dns', 'localhost', '--ip', '127.0.0.1', '--eku', 'serverAuth']);
  await runCli(['cert', '--out-cert', file('alice.pem'), '--out-key', file('alice.key'), '--cn', 'alice', '--eku', 'clientAuth']);
  await runCli(['cert', '--out-cert', file('mallory.pem'), '--out-key', file('mallory.key'), '--cn', 'mallory', '--eku', 'clientAuth']);
  server = startCli([
    'serve', '--port', '0', '--cert', file('server.pem'), '--key', file('server.key'),
    '--client-auth', 'optional', '--pin-client-cert', file('alice.pem'), '--alpn', 'http/1.1',
  ]);
  port = await waitFor(() => {
    const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(server.stdout.text);
    return m ? Number(m[1]) : undefined;
  });
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

describe('the AES-CCM suites: off by default, on with --ciphersuites', () => {
  it('a connect that offers only the CCM suites gets handshake_failure from the default serve', async () => {
    const { code, stderr } = await runCli(['connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--pin-cert', file('server.pem'), '--ciphersuites', 'TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/handshake_failure/);
  });

  it('serve --ciphersuites CCM_8 first: tls13 connect (GnuTLS spelling) and node:tls both get a CCM suite', async () => {
    const ccm = startCli(['serve', '--port', '0', '--cert', file('server.pem'), '--key', file('server.key'), '--ciphersuites', 'TLS_AES_128_CCM_8_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_GCM_SHA256']);
    try {
      const ccmPort = await waitFor(() => {
        const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(ccm.stdout.text);
        return m ? Number(m[1]) : undefined;
      });
      const { code, stdout } = await runCli(['connect', `127.0.0.1:${ccmPort}`, '--servername', 'localhost', '--pin-cert', file('server.pem'), '--ciphersuites', 'aes-128-ccm-8,TLS_AES_128_GCM_SHA256']);
      expect(code).toBe(0);
      expect(stdout).toContain('negotiated: TLSv1.3, TLS_AES_128_CCM_8_SHA256');
      // node:tls (OpenSSL) offers CCM only when named; the server's preference then picks CCM_8 over CCM.
      const viaNode = await nodeGet(ccmPort, { ca: readFileSync(file('server.pem')), ciphers: 'TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256' });
      expect(viaNode.suite).toBe('TLS_AES_128_CCM_8_SHA256');
      expect(viaNode.page).toContain('cipher suite: TLS_AES_128_CCM_8_SHA256');
    } finally {
      expect(await ccm.stop()).toBe(0);
    }
  });
});

describe('tls13 serve and tls13 connect over 127.0.0.1', () => {
  it('connects with a pinned server certificate and a client certificate, and the page names suite and client', async () => {
    const { code, stdout, stderr } = await runCli([
      'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--pin-cert', file('server.pem'),
      '--cert', file('alice.pem'), '--key', file('alice.key'), '--alpn', 'http/1.1',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('negotiated: TLSv1.3, TLS_AES_128_GCM_SHA256, group X25519MLKEM768, signature ecdsa_secp256r1_sha256, ALPN http/1.1');
    expect(stdout).toContain(`server: CN=localhost, SANs localhost 127.0.0.1, ECDSA P-256 key, SPKI pin sha256/${pinOf(file('server.pem'))}`);
    expect(stdout).toContain('HTTP/1.1 200 OK');
    expect(stdout).toContain('cipher suite: TLS_AES_128_GCM_SHA256');
    expect(stdout).toContain('ALPN: http/1.1');
    expect(stdout).toContain(`client: CN=alice, Ed25519 key, SPKI pin sha256/${pinOf(file('alice.pem'))}`);
  });

  it('serves node:tls clients, naming the suite node:tls negotiated and the client node presented', async () => {
    const anonymous = await nodeGet(port, { ca: readFileSync(file('server.pem')) });
    expect(anonymous.page).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(anonymous.page).toContain(`cipher suite: ${anonymous.suite}\n`);
    expect(anonymous.page).toContain('client: none\n');
    const withCert = await nodeGet(port, {
      ca: readFileSync(file('server.pem')),
      cert: readFileSync(file('alice.pem')),
      key: readFileSync(file('alice.key')),
      ciphers: 'TLS_CHACHA20_POLY1305_SHA256',
    });
    expect(withCert.suite).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(withCert.page).toContain('cipher suite: TLS_CHACHA20_POLY1305_SHA256\n');
    expect(withCert.page).toContain(`SPKI pin sha256/${pinOf(file('alice.pem'))}`);
  });

  it('fails with the alert we sent when the server key is not the pinned one, and the server keeps serving', async () => {
    const wrongPin = pinOf(file('alice.pem'));
    const before = server.stderr.text;
    const { code, stdout, stderr } = await runCli(['connect', `127.0.0.1:${port}`, '--pin-spki', `sha256/${wrongPin}`]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`tls13: handshake failed: we sent bad_certificate (key sha256/${pinOf(file('server.pem'))} is not pinned)\n`);
    const logged = await waitFor(() => (server.stderr.text.length > before.length ? server.stderr.text.slice(before.length) : undefined));
    expect(logged).toMatch(/^127\.0\.0\.1:\d+: handshake failed: client sent bad_certificate\n$/);
    const again = await runCli(['connect', `127.0.0.1:${port}`, '--ca', file('server.pem'), '--servername', 'localhost']);
    expect(again.code).toBe(0);
  });

  it('logs a client whose certificate is not pinned, with the alert the server sent', async () => {
    const before = server.stderr.text;
    const { code, stderr } = await runCli([
      'connect', `127.0.0.1:${port}`, '--pin-cert', file('server.pem'), '--cert', file('mallory.pem'), '--key', file('mallory.key'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/: server sent bad_certificate\n$/);
    const logged = await waitFor(() => (server.stderr.text.length > before.length ? server.stderr.text.slice(before.length) : undefined));
    expect(logged).toMatch(/^127\.0\.0\.1:\d+: handshake failed: we sent bad_certificate \(certificate sha256 [0-9a-f]{64} is not pinned\)\n$/);
  });

  it('writes the client secrets to the --keylog file', async () => {
    const keylog = file('connect.keys');
    const { code } = await runCli(['connect', `127.0.0.1:${port}`, '--pin-cert', file('server.pem'), '--keylog', keylog]);
    expect(code).toBe(0);
    const labels = readFileSync(keylog, 'utf8').trimEnd().split('\n').map((l) => l.split(' ')[0]);
    expect(labels.sort()).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']);
  });

  it('narrates the client side with --trace text, hex dumps included', async () => {
    const { code, stdout } = await runCli(['connect', `127.0.0.1:${port}`, '--pin-cert', file('server.pem'), '--trace', 'text']);
    expect(code).toBe(0);
    for (const heading of ['ClientHello →', '← ServerHello', '← EncryptedExtensions', '← CertificateRequest', '← Certificate', '← CertificateVerify', '← Finished', 'Finished →']) {
      expect(stdout).toContain(`\n${heading}  `);
    }
    expect(stdout).toContain('client_hello.legacy_version = 771 (TLSv1_2)');
  });

  it('reports a refused connection in one line with exit code 1', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createTcpServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const { code, stderr } = await runCli(['connect', `127.0.0.1:${closed}`, '--pin-cert', file('server.pem')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`tls13: cannot connect to 127.0.0.1:${closed}: connection refused\n`);
  });
});

describe('tls13 serve requiring a client certificate', () => {
  it('refuses a client without one: certificate_required', async () => {
    const strict = startCli(['serve', '--port', '0', '--cert', file('server.pem'), '--key', file('server.key'), '--pin-client-cert', file('alice.pem')]);
    const strictPort = await waitFor(() => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(strict.stdout.text);
      return m ? Number(m[1]) : undefined;
    });
    const { code, stderr } = await runCli(['connect', `127.0.0.1:${strictPort}`, '--pin-cert', file('server.pem')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/server sent certificate_required\n$/);
    expect(await strict.stop()).toBe(0);
  });
});
