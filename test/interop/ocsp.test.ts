// OCSP stapling against OpenSSL 3.0, both directions, with responses made by `openssl ocsp` (a CA-signed
// one and one from a delegated responder, -rsigner): our parser and judge read them; `openssl s_client
// -status` reads our `tls13 serve --ocsp FILE` staple; our `tls13 connect --status` reads `openssl s_server
// -status_file FILE`. A missing openssl skips loudly (fails with REQUIRE_INTEROP=1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseOcspResponse } from '../../src/auth/ocsp.js';
import { judgeStaple } from '../../src/auth/ocsp-status.js';
import { OID } from '../../src/auth/oids.js';
import { nobleProvider } from '../../src/crypto/noble.js';
import { seededRandom } from '../../src/crypto/random.js';
import { DAY, makeIdentity, type Identity } from '../../src/testing/certs.js';
import { type BoundedChild, freePort, requireBinary, scratchDirectory, spawnBounded } from '../../src/testing/interop.js';
import { runCli, startCli, waitFor } from '../cli/helpers.js';
import { ca, certPem, keyPem, serverCertificates } from '../node/fixtures.js';

const scratch = scratchDirectory('tls13-lab-ocsp-');
const { dir } = scratch;
afterAll(scratch.remove);

const leaf = serverCertificates['ECDSA P-256'];
const responder = makeIdentity(
  {
    subject: { CN: 'tls13-lab interop OCSP responder' },
    issuer: ca,
    serial: 0x99n,
    extKeyUsage: [OID.ocspSigning],
    keyUsage: ['digitalSignature'],
    keyType: 'p256',
    notBefore: Date.now() - DAY,
    notAfter: Date.now() + 30 * DAY,
  },
  seededRandom('ocsp interop responder'),
);
const files = {
  ca: scratch.file('ca.pem', certPem(ca)),
  caKey: scratch.file('ca.key', keyPem(ca)),
  cert: scratch.file('cert.pem', certPem(leaf)),
  key: scratch.file('key.pem', keyPem(leaf)),
  responder: scratch.file('responder.pem', certPem(responder)),
  responderKey: scratch.file('responder.key', keyPem(responder)),
};

const children: BoundedChild[] = [];
const stops: Array<() => Promise<number>> = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  for (const stop of stops.splice(0)) await stop();
});

async function openssl(binary: string, args: string[]): Promise<BoundedChild> {
  const child = spawnBounded(binary, args, { timeoutMs: 10_000, cwd: dir });
  children.push(child);
  return child;
}

let responseNumber = 0;

/** `openssl ocsp` as a responder for one request about our leaf; returns the DER response file. */
async function opensslResponse(binary: string, signer: Identity, status: 'good' | 'revoked'): Promise<string> {
  const n = responseNumber++;
  const serial = leaf.certificate.serialNumber.toUpperCase().padStart(2, '0');
  const expiry = '491231235959Z';
  const line = status === 'good' ? `V\t${expiry}\t\t${serial}\tunknown\t/CN=localhost\n` : `R\t${expiry}\t250101000000Z,keyCompromise\t${serial}\tunknown\t/CN=localhost\n`;
  const index = scratch.file(`index-${n}.txt`, line);
  const request = join(dir, `request-${n}.der`);
  const response = join(dir, `response-${n}.der`);
  const ask = await openssl(binary, ['ocsp', '-issuer', files.ca, '-cert', files.cert, '-no_nonce', '-reqout', request]);
  expect(await ask.exited).toBe(0);
  const signerFiles = signer === ca ? [files.ca, files.caKey] : [files.responder, files.responderKey];
  const answer = await openssl(binary, ['ocsp', '-index', index, '-rsigner', signerFiles[0]!, '-rkey', signerFiles[1]!, '-CA', files.ca, '-reqin', request, '-respout', response, '-ndays', '1']);
  expect(await answer.exited).toBe(0);
  return response;
}

function judge(file: string) {
  return judgeStaple(parseOcspResponse(new Uint8Array(readFileSync(file))), leaf.certificate, ca.certificate, { now: Date.now(), provider: nobleProvider, signatureBudget: 12 });
}

describe('responses made by openssl ocsp', () => {
  it('judges a CA-signed good response as good, signed by the issuer', async (test) => {
    const binary = requireBinary('openssl', test);
    expect(judge(await opensslResponse(binary, ca, 'good'))).toMatchObject({ ok: true, report: { status: 'good', responder: `the issuer "${ca.certificate.subject.text}"` } });
  });

  it('judges a delegated responder (-rsigner with id-kp-OCSPSigning) and a revoked status with its reason', async (test) => {
    const binary = requireBinary('openssl', test);
    const judged = judge(await opensslResponse(binary, responder, 'revoked'));
    expect(judged).toMatchObject({ ok: true, report: { status: 'revoked', revocationReason: 'keyCompromise', responder: 'delegated responder "CN=tls13-lab interop OCSP responder"' } });
    expect(judged.ok && judged.report.revocationTime).toBe(Date.UTC(2025, 0, 1));
  });
});

/** `tls13 serve` with our certificate and `extra` flags; resolves with its port. */
async function ourServe(extra: string[]): Promise<number> {
  const server = startCli(['serve', '--port', '0', '--cert', files.cert, '--key', files.key, ...extra]);
  stops.push(server.stop);
  return waitFor(() => {
    const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(server.stdout.text);
    return m ? Number(m[1]) : undefined;
  });
}

describe('openssl s_client -status against tls13 serve --ocsp', () => {
  it('receives our staple and reads it as successful / good', async (test) => {
    const binary = requireBinary('openssl', test);
    const port = await ourServe(['--ocsp', await opensslResponse(binary, responder, 'good')]);
    const client = await openssl(binary, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', files.ca, '-verify_return_error', '-status']);
    client.child.stdin.end('GET / HTTP/1.0\r\n\r\n');
    expect(await client.exited).toBe(0);
    expect(client.stdout()).toContain('OCSP Response Status: successful (0x0)');
    expect(client.stdout()).toContain('Cert Status: good');
    expect(client.stdout()).toContain('Verify return code: 0 (ok)');
  });

  it('gets no staple without -status (never unsolicited, RFC 8446 §4.2)', async (test) => {
    const binary = requireBinary('openssl', test);
    const port = await ourServe(['--ocsp', await opensslResponse(binary, ca, 'good')]);
    const client = await openssl(binary, ['s_client', '-tls1_3', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', files.ca, '-verify_return_error']);
    client.child.stdin.end('GET / HTTP/1.0\r\n\r\n');
    expect(await client.exited).toBe(0);
    expect(client.stdout()).not.toContain('OCSP Response Status');
  });
});

describe('tls13 connect --status against openssl s_server -status_file', () => {
  async function sServer(binary: string, staple: string): Promise<number> {
    const port = await freePort();
    const server = await openssl(binary, ['s_server', '-tls1_3', '-accept', String(port), '-cert', files.cert, '-key', files.key, '-status_file', staple, '-www']);
    await server.waitFor(/ACCEPT/);
    return port;
  }

  it('prints the staple as good, signed by the delegated responder', async (test) => {
    const binary = requireBinary('openssl', test);
    const port = await sServer(binary, await opensslResponse(binary, responder, 'good'));
    const result = await runCli(['connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', files.ca, '--status']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}OCSP staple: good, signed by delegated responder "CN=tls13-lab interop OCSP responder", thisUpdate \S+, nextUpdate \S+$/m);
  });

  it('fails the handshake with certificate_revoked on a revoked staple', async (test) => {
    const binary = requireBinary('openssl', test);
    const port = await sServer(binary, await opensslResponse(binary, ca, 'revoked'));
    const result = await runCli(['connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', files.ca, '--status']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/certificate_revoked/);
    expect(result.stderr).toMatch(/revoked per its OCSP staple: revoked at 2025-01-01T00:00:00.000Z \(keyCompromise\)/);
  });
});
