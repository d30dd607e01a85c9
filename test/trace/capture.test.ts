// A real loopback connection captured by tshark and decrypted with nothing but our key log: our client
// against `openssl s_server`, and `openssl s_client` against our server. The peers keep their secrets to
// themselves, so tshark shows the application data only if our key-log lines are complete and right.
// Needs tshark and openssl (loud skip; failure under REQUIRE_INTEROP=1) and the right to capture on lo.
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Tls13Server } from '../../src/node/adapter.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ca, certPem, keyPem, listen, readAll, serverCertificates } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-capture-');
const { dir, file } = scratch;
afterAll(scratch.remove);

const children: BoundedChild[] = [];
const servers: Tls13Server[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  for (const server of servers.splice(0)) server.close();
});

function run(path: string, args: string[]): BoundedChild {
  const child = spawnBounded(path, args, { timeoutMs: 20_000, cwd: dir });
  children.push(child);
  return child;
}


/**
 * Starts tshark capturing `port <port>` on lo into a file; `stop()` ends it cleanly and returns the file.
 * "Capturing on" is printed before packets really flow, so we send UDP probes to the port until tshark
 * lists one (-P prints each packet while writing the file): from then on nothing is missed.
 */
async function startCapture(tshark: string, port: number, name: string): Promise<{ stop: () => Promise<string> }> {
  const pcap = join(dir, `${name}.pcapng`);
  const capture = run(tshark, ['-i', 'lo', '-f', `port ${port}`, '-w', pcap, '-P', '-a', 'duration:15']);
  await capture.waitFor(/Capturing on/);
  const probe = createSocket('udp4');
  const timer = setInterval(() => probe.send('probe', port, '127.0.0.1'), 50);
  try {
    await capture.waitFor(/UDP/);
  } finally {
    clearInterval(timer);
    probe.close();
  }
  return {
    stop: async () => {
      // Give the last packets a moment to pass the capture filter, then stop with SIGINT so the file is complete.
      await new Promise((resolve) => setTimeout(resolve, 300));
      capture.child.kill('SIGINT');
      await capture.exited;
      return pcap;
    },
  };
}

/** The HTTP lines tshark decodes, reading the port as TLS (it is not 443) with the given key-log lines. */
async function decryptedHttp(tshark: string, pcap: string, port: number, keylog: string[]): Promise<string[]> {
  const keylogFile = file(`${pcap}.keylog`.split('/').pop()!, keylog.map((l) => `${l}\n`).join(''));
  // Headers are shown as they arrive: without a length, a response body only ends with the connection.
  const read = run(tshark, ['-r', pcap, '-d', `tcp.port==${port},tls`, '-o', 'http.desegment_body:FALSE', '-o', `tls.keylog_file:${keylogFile}`, '-Y', 'http', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.response.code']);
  await read.exited;
  return read.stdout().split('\n').filter((l) => l !== '');
}

describe('a captured loopback connection, decrypted by tshark with our key log only', () => {
  it('shows the HTTP request and response between our client and openssl s_server', async (test) => {
    const tshark = requireBinary('tshark', test);
    const openssl = requireBinary('openssl', test);
    const identity = serverCertificates['ECDSA P-256'];
    const port = await freePort();
    const server = run(openssl, [
      's_server', '-tls1_3', '-www', '-accept', String(port), '-naccept', '1',
      '-cert', file('server.pem', certPem(identity)), '-key', file('server.key', keyPem(identity)),
    ]);
    await server.waitFor(/ACCEPT/);
    const capture = await startCapture(tshark, port, 'our-client');

    const keylog: string[] = [];
    const client = connect({ host: 'localhost', port, trust: { kind: 'ca', anchors: [ca.der] } });
    client.on('keylog', (line: Buffer) => keylog.push(line.toString('latin1').trimEnd()));
    client.write('GET / HTTP/1.0\r\n\r\n');
    expect(await readAll(client)).toMatch(/^HTTP\/1\.0 200 ok/);
    await server.exited;
    const pcap = await capture.stop();

    expect(await decryptedHttp(tshark, pcap, port, [])).toEqual([]);
    expect(await decryptedHttp(tshark, pcap, port, keylog)).toEqual(['GET\t/\t', '\t\t200']);
  });

  it('shows the HTTP request and response between openssl s_client and our server', async (test) => {
    const tshark = requireBinary('tshark', test);
    const openssl = requireBinary('openssl', test);
    const keylog: string[] = [];
    const server = createServer({ certificate: serverCertificates.Ed25519 }, (socket) => {
      socket.once('data', () => socket.end('HTTP/1.0 200 ok\r\nContent-Length: 2\r\n\r\nhi'));
    });
    server.on('keylog', (line: Buffer) => keylog.push(line.toString('latin1').trimEnd()));
    servers.push(server);
    const port = await listen(server);
    const capture = await startCapture(tshark, port, 'our-server');

    const client = run(openssl, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', file('ca.pem', certPem(ca)), '-ign_eof', '-quiet']);
    client.child.stdin.end('GET /hello HTTP/1.0\r\n\r\n');
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toContain('HTTP/1.0 200 ok');
    const pcap = await capture.stop();

    expect(await decryptedHttp(tshark, pcap, port, keylog)).toEqual(['GET\t/hello\t', '\t\t200']);
  });
});
