// OCSP stapling on the server (issue 13 part 4, server side; RFC 8446 §4.4.2.1, RFC 6066 §8): `tls13 serve
// --ocsp FILE` staples a response made by `openssl ocsp` for clients that send status_request, and only for
// them. openssl s_client -status is the independent reader. A missing openssl skips loudly (fails with
// REQUIRE_INTEROP=1).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BoundedChild, findBinary, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { ensureBuilt, TLS13_BIN } from '../cli/helpers.js';

const scratch = scratchDirectory('tls13-ocsp-');
const { dir } = scratch;
afterAll(scratch.remove);
const children: BoundedChild[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

beforeAll(() => {
  ensureBuilt();
  const openssl = findBinary('openssl');
  if (!openssl) return;
  const run = (args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=OCSP test CA', '-days', '30']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(`${dir}/ext.cnf`, 'subjectAltName=DNS:localhost\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '10', '-extfile', 'ext.cnf']);
  const serial = run(['x509', '-in', 'server.pem', '-noout', '-serial']).trim().split('=')[1];
  // openssl ocsp's index: status V (valid), expiry, no revocation date, serial, file, subject.
  writeFileSync(`${dir}/index.txt`, `V\t301231000000Z\t\t${serial}\tunknown\t/CN=localhost\n`);
  run(['ocsp', '-index', 'index.txt', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-CA', 'ca.pem', '-issuer', 'ca.pem', '-cert', 'server.pem', '-respout', 'response.der', '-ndays', '1']);
}, 60_000);

async function serve(): Promise<number> {
  const server = spawnBounded(process.execPath, [TLS13_BIN, 'serve', '--port', '0', '--cert', 'server.pem', '--key', 'server.key', '--ocsp', 'response.der'], { timeoutMs: 15_000, cwd: dir });
  children.push(server);
  await server.waitFor(/listening on 127\.0\.0\.1:\d+/);
  return Number(/listening on 127\.0\.0\.1:(\d+)/.exec(server.stdout())![1]);
}

async function sClient(openssl: string, port: number, extra: string[]): Promise<string> {
  const client = spawnBounded(openssl, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', 'ca.pem', ...extra], { timeoutMs: 10_000, cwd: dir });
  children.push(client);
  client.child.stdin.end();
  await client.exited;
  return client.stdout();
}

describe('tls13 serve --ocsp', () => {
  it('staples the response for openssl s_client -status, which reads it as a good status from the CA', async (test) => {
    const openssl = requireBinary('openssl', test);
    const out = await sClient(openssl, await serve(), ['-status']);
    expect(out).toContain('OCSP Response Status: successful (0x0)');
    expect(out).toContain('Cert Status: good');
    expect(out).toContain('Responder Id: CN = OCSP test CA');
  });

});
