// tls13 serve --handshake-timeout SECONDS: the node adapter's handshakeTimeout (default 10 s), which serve had
// no flag for. The test waits for the server's close and reads the log line, which names the timeout in ms;
// it never measures a time.
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadCertifiedKey } from '../../src/cli/credentials.js';
import { Connection } from '../../src/handshake/connection.js';
import { runCli, serveCertificateDir, startServe } from './helpers.js';

const { file } = serveCertificateDir('tls13-serve-handshake-timeout-');

/** A client that sends its ClientHello and then nothing; resolves when the server closes the connection. */
function staller(port: number): Promise<void> {
  const pin = loadCertifiedKey('--cert', file('server.pem'), '--key', file('server.key')).chain[0]!;
  const hello = Connection.client({ serverName: 'localhost', trust: { kind: 'pinned-certificate', certificates: [pin] }, now: Date.now }).takeOutput();
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(hello);
  socket.resume();
  return new Promise<void>((resolve) => socket.once('close', () => resolve()));
}

describe('tls13 serve --handshake-timeout', () => {
  it('closes a client whose handshake is not done after that many seconds, and logs it in one line naming them', async () => {
    const serve = await startServe(['--cert', file('server.pem'), '--key', file('server.key'), '--handshake-timeout', '0.75']);
    try {
      await staller(serve.port);
      const lines = serve.stderr.text.split('\n').filter((l) => l.includes('handshake failed'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^127\.0\.0\.1:\d+: handshake failed: TLS handshake timed out after 750 ms \(state WAIT_[A-Z0-9_]+\)$/);
    } finally {
      await serve.stop();
    }
  }, 60_000);

  it.each(['0', '-1', '2s', '1e3', '0.0001', '1.2345', '86401', '', 'NaN', 'Infinity'])('refuses %j in one line, exit 2', async (value) => {
    const { code, stdout, stderr } = await runCli(['serve', '--port', '0', '--cert', file('server.pem'), '--key', file('server.key'), `--handshake-timeout=${value}`]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`tls13: --handshake-timeout ${value}: expected seconds from 0.001 to 86400, to the millisecond (e.g. 30 or 2.5)\n`);
  });

  it('is listed in serve --help', async () => {
    const { stdout } = await runCli(['serve', '--help']);
    expect(stdout).toMatch(/--handshake-timeout SECONDS/);
  });
});
